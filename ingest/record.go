// Package ingest turns bytes into access-log records.
//
// In: paths, folders, glob patterns and stdin, each plain or compressed
// (gzip, zstd, bzip2, xz; recognised by magic bytes). Out: Records, one per log
// line that parses, and counted Rejections with a Reason for every line that
// does not, so that for every file lines = records + rejected + blank.
//
// The flow is block-parallel. One reader goroutine per input decompresses and
// cuts the stream into newline-aligned Blocks (block.go); a pool of workers
// takes blocks in any order and walks their lines with a Scanner (scanner.go),
// a pull iterator that parses each line with the file's Parser. Each Block
// carries its file and the number of its first line, so every record and
// rejection knows its file:line, and the blocks' sequence numbers let an
// order-sensitive stage downstream put per-block results back in input order
// (Reorder). Drive is the one driver every subcommand uses: it runs the
// workers and feeds each line to the worker's Sink.
//
// The files by concern:
//   - reading: input.go (Expand, File, Head), decompress.go, block.go (the
//     block reader, resumption past File.Skip), order.go (SortByTime),
//     pipeline.go (Run), drive.go (Drive, Sink), reorder.go, scanner.go
//     (a block's lines through a Parser into Records and Rejections)
//   - formats: format.go (Format, Parser, the registry), detect.go,
//     line.go (the envelopes around a line: CR, NULs, syslog, CRI, Docker),
//     format_<name>.go one per format, each with its format_<name>_test.go,
//     and what they share: template.go (nginx and Apache format strings),
//     fields.go, timestamp.go, request.go, json_scanner.go
//   - privacy: package ingest/privacy (masking, labels, pseudonyms, bytes in
//     and out); anonymize.go applies it to a Record
package ingest

import "time"

// Record is one parsed access-log line.
//
// The byte slices alias the block being scanned: they stay valid only until
// the Scanner's next call to Next. A field that was not logged, or logged as
// "-", is empty.
type Record struct {
	Time      time.Time // the instant, in UTC
	Offset    int32     // the logged zone's offset east of UTC, in seconds
	Client    []byte    // client address (IPv4, IPv6, hostname or unix:)
	User      []byte    // remote user
	Method    []byte    // empty when the request line was "-", empty or unparseable
	Path      []byte    // request target without its query string
	Query     []byte    // query string without '?'
	Protocol  []byte    // e.g. HTTP/1.1; empty when the request line had none
	Status    int       // 0..999
	Bytes     int64     // response bytes; -1 when not logged
	Duration  time.Duration
	Referer   []byte
	UserAgent []byte

	// Fields that only some formats log.
	Upstream       time.Duration // upstream (backend) response time; -1 when not logged
	BackendStatus  int           // the target's status behind a load balancer; -1 when not logged or none
	LBError        bool          // the load balancer answered itself: no target response
	RetryAfter     time.Duration // the response's Retry-After; -1 when not logged
	RateLimit      int64         // X-RateLimit-Limit / RateLimit-Limit; -1 when not logged
	RateRemaining  int64         // X-RateLimit-Remaining / RateLimit-Remaining; -1 when not logged
	RateReset      int64         // X-RateLimit-Reset / RateLimit-Reset, as logged; -1 when not logged
	RequestID      []byte
	IdempotencyKey []byte
	Credential     []byte // API key or consumer name, when logged
	// CredentialIsKey tells that Credential was logged as an API key (a
	// secret): the Scanner shows it as its label (KeyLabel) unless
	// KeepSecrets.
	CredentialIsKey bool
	Host            []byte // virtual host or Host header
	ForwardedFor    []byte // X-Forwarded-For as logged
	Extra           []Field

	File *File // the input the record came from
	Line int64 // 1-based line number in that input
}

// Field is a named value a format logs that has no Record field of its own.
// Name is the format's name for it (an nginx variable without '$', an
// Apache directive such as "%{X-Trace}i", a JSON path); Value aliases the line.
type Field struct {
	Name  string
	Value []byte
}

// HasDuration reports whether the request's duration was logged.
func (r *Record) HasDuration() bool { return r.Duration >= 0 }

// fieldResetter is a Parser that knows every field it writes: between
// its lines the Scanner clears those alone (resetFields), the others
// keeping the values of the last full reset.
type fieldResetter interface {
	resetFields(r *Record)
}

// reset clears r for the next line; it keeps File.
func (r *Record) reset() {
	f := r.File
	*r = Record{Bytes: -1, Duration: -1, Upstream: -1, BackendStatus: -1, RetryAfter: -1, RateLimit: -1, RateRemaining: -1, RateReset: -1, File: f}
}
