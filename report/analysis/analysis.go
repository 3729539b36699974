// Package analysis is the seam between the report's engine and its
// analyses (quota, retry, timeline and incidents, the tables).
//
// The engine (package report) reads the inputs through ingest, classifies
// every record and computes its keys once (client, endpoint, host); it
// hands the analyses a batch of Rows at a time, never one call per
// record. Each worker has its own instance of every analysis; Merge
// combines them, exactly, when the input is read. An analysis that needs
// the records in time order (the retry chains, what a client does after a
// 429) also reads the Events the engine puts in order (Ordered). One that
// outlives its run for --state encodes its part of a stored run (Stored);
// one that has something to report builds its section (Sectioned).
//
// An analysis is registered with the engine by one line
// (report.Register): nothing else in the engine, the writers or the
// snapshot changes to add one.
package analysis

import (
	"analyze/classify"
	"analyze/ingest"
)

// Row is one record as the analyses see it: parsed, classified, its keys
// computed once. Its byte slices are valid during the Add call only.
type Row struct {
	Time    int64 // Unix nanoseconds
	Status  int   // 0..999
	Verdict classify.Verdict
	// InSpan is whether the record lies inside --since/--until. Only the
	// rows inside count in the report's figures; the incidents read every
	// row, so that an outage's baseline, before the span, is known.
	InSpan  bool
	Latency Duration // the logged duration; Logged false when none
	Bytes   int64    // response size; -1 when not logged
	// RateLimit and RateRemaining are the logged rate-limit headers; -1
	// when not logged.
	RateLimit, RateRemaining int64

	Client   []byte // the client key (ClientSelector), cut at MaxKeyBytes
	ClientID uint64 // its hash, stable across runs
	Endpoint []byte // the endpoint template, cut; "-" without a request line
	Host     []byte // lower case, without a port, cut; nil when not logged
	Method   []byte // empty without a request line
	// Path (without the query) and UserAgent are cut at MaxKeyBytes.
	Path, UserAgent []byte
	Protocol        []byte // e.g. HTTP/1.1; empty when not logged
	File            *ingest.File
	Line            int64
}

// Failure reports whether the row is a client or server error.
func (r *Row) Failure() bool {
	return r.Verdict.Class == classify.ClientError || r.Verdict.Class == classify.ServerError
}

// Analysis is one analysis: it counts rows, a batch at a time, and
// merges with another worker's instance of itself.
type Analysis interface {
	// Add counts a batch of rows, in line order.
	Add(rows []Row)
	// Merge adds o, made by the same constructor, into the receiver.
	Merge(o Analysis)
}

// Settler is an analysis that readies itself for merging once its worker
// has read its last block (each worker's concurrently).
type Settler interface {
	Settle()
}

// Ordered is an analysis that also reads the events of the analysed
// records in time order (ties in input order), a batch at a time, on one
// goroutine. Its instance that reads them is the merged one's first.
type Ordered interface {
	Consume(evs []Event)
}

// Stored is an analysis whose state outlives its run (--state): Encode
// writes its part of a stored run; Restore merges a part Encode wrote,
// as Merge would merge the analysis that wrote it.
type Stored interface {
	Encode() ([]byte, error)
	Restore(part []byte) error
}

// Sectioned is an analysis that builds its section of the report from
// its merged state: a value the JSON report writes under its name.
type Sectioned interface {
	Section(ctx *Context) any
}

// Context is what a section may need besides its own state.
type Context struct {
	// Analyzed is the number of analysed records (inside the span).
	Analyzed int64
	// Top is how many rows a table shows.
	Top int
	// First and Last are the times of the first and last analysed
	// records, Unix nanoseconds; First > Last when there is none.
	First, Last int64
	// ClientName names a client by its hash (Row.ClientID): its key when
	// the clients table holds it.
	ClientName func(uint64) string
}

// Tabular is a section that the text, Markdown and HTML reports can show
// as a table.
type Tabular interface {
	Title() string
	Columns() []string
	Rows() [][]string
}
