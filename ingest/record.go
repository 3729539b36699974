// Package ingest turns bytes into access-log records.
//
// In: paths, folders, glob patterns and stdin, each plain or compressed
// (gzip, zstd, bzip2; recognised by magic bytes). Out: Records, one per log
// line that parses, and counted Rejections with a Reason for every line that
// does not, so that for every file lines = records + rejected + blank.
//
// The flow is block-parallel. One reader goroutine per input decompresses and
// cuts the stream into newline-aligned Blocks (block.go); a pool of workers
// takes blocks in any order and walks their lines with a Scanner (scanner.go),
// a pull iterator that parses each line with the file's Parser. Each Block
// carries its file and the number of its first line, so every record and
// rejection knows its file:line, and the blocks' sequence numbers let an
// order-sensitive stage downstream put per-block results back in input order.
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
	User      []byte    // remote user or credential
	Method    []byte    // empty when the request line was "-", empty or unparseable
	Path      []byte    // request target without its query string
	Query     []byte    // query string without '?'
	Protocol  []byte    // e.g. HTTP/1.1; empty when the request line had none
	Status    int       // 0..999
	Bytes     int64     // response bytes; -1 when not logged
	Duration  time.Duration
	Referer   []byte
	UserAgent []byte

	File *File // the input the record came from
	Line int64 // 1-based line number in that input
}

// HasDuration reports whether the request's duration was logged.
func (r *Record) HasDuration() bool { return r.Duration >= 0 }

// reset clears r for the next line; it keeps File.
func (r *Record) reset() {
	f := r.File
	*r = Record{Bytes: -1, Duration: -1, File: f}
}
