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
	"unsafe"
)

// Row is one record as the analyses see it: parsed, classified, its keys
// computed once. Its logged values are Refs into its Batch (Batch.Get):
// a Row holds no pointer, so the collector neither scans a batch nor
// charges a write barrier for each row written while it marks.
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

	Client   Ref    // the client key (ClientSelector), cut at MaxKeyBytes
	ClientID uint64 // its hash, stable across runs
	Endpoint Ref    // the endpoint template, cut; "-" without a request line
	Host     Ref    // lower case, without a port, cut; not Logged when none is
	Method   Ref    // empty without a request line
	// Path (without the query) and UserAgent are cut at MaxKeyBytes.
	Path, UserAgent Ref
	Protocol        Ref // e.g. HTTP/1.1; empty when not logged
}

// Ref is where a row's logged value lies: in the block being read, or in
// the batch's arena when it was not in the block as logged (a
// JSON-unescaped string, a templated endpoint, a lower-cased host). The
// zero Ref is a value not logged.
type Ref struct {
	off uint32 // in the block, or in the arena with inArena set
	n   uint32 // the value's length plus one; 0 for a value not logged
}

const (
	inArena = 1 << 31     // Ref.off's flag: the arena, not the block
	maxLen  = inArena - 1 // the longest block or value a Ref refers to
)

// Logged reports whether the value was logged (it may be empty).
func (r Ref) Logged() bool { return r.n != 0 }

// Batch is what the analyses are handed at a time: rows, in line order,
// and the bytes their values lie in. It is valid during the Add call only.
type Batch struct {
	Rows  []Row
	block []byte // the block being read
	arena []byte // values copied for the rows
}

var empty = []byte{}

// Get returns the bytes of a row's value; nil when it was not logged.
func (b *Batch) Get(r Ref) []byte {
	n := r.n - 1
	switch {
	case r.n == 0:
		return nil
	case n == 0:
		return empty
	case r.off&inArena != 0:
		o := r.off &^ inArena
		return b.arena[o : o+n : o+n]
	}
	return b.block[r.off : r.off+n : r.off+n]
}

// SetBlock makes the batch's values refer to block, the block being read:
// a value within it is referred to where it lies, a value elsewhere is
// copied to the arena.
func (b *Batch) SetBlock(block []byte) {
	if len(block) > maxLen {
		block = nil // too long to refer into: every value is copied
	}
	b.block = block
}

// Ref returns the Ref of v in the batch: where it lies in the block, or a
// copy in the arena. A nil v is not logged; an empty one is.
func (b *Batch) Ref(v []byte) Ref {
	switch {
	case v == nil:
		return Ref{}
	case len(v) == 0:
		return Ref{n: 1}
	case len(b.block) > 0 && len(v) <= maxLen:
		from := uintptr(unsafe.Pointer(unsafe.SliceData(b.block)))
		if p := uintptr(unsafe.Pointer(unsafe.SliceData(v))); p >= from && p+uintptr(len(v)) <= from+uintptr(len(b.block)) {
			return Ref{off: uint32(p - from), n: uint32(len(v)) + 1}
		}
	}
	return b.Copy(v)
}

// Copy returns the Ref of a copy of v in the arena.
func (b *Batch) Copy(v []byte) Ref {
	if v == nil {
		return Ref{}
	}
	off := len(b.arena)
	b.arena = append(b.arena, v...)
	return Ref{off: uint32(off) | inArena, n: uint32(len(v)) + 1}
}

// RefCut is Ref of v cut at n bytes and "…" when longer (Cut): a cut value
// is copied.
func (b *Batch) RefCut(v []byte, n int) Ref {
	if len(v) <= n {
		return b.Ref(v)
	}
	off := len(b.arena)
	b.arena = append(append(b.arena, v[:n]...), "…"...)
	return Ref{off: uint32(off) | inArena, n: uint32(len(b.arena)-off) + 1}
}

// ArenaLen is the bytes copied for the batch's rows so far.
func (b *Batch) ArenaLen() int { return len(b.arena) }

// Reset empties the batch for the next rows of the same block.
func (b *Batch) Reset() { b.Rows, b.arena = b.Rows[:0], b.arena[:0] }

// Analysis is one analysis: it counts rows, a batch at a time, and
// merges with another worker's instance of itself.
type Analysis interface {
	// Add counts a batch of rows, in line order.
	Add(b *Batch)
	// Merge adds o, made by the same constructor, into the receiver.
	Merge(o Analysis)
}

// Settler is an analysis that readies itself for merging once its worker
// has read its last block (each worker's concurrently).
type Settler interface {
	Settle()
}

// Ordered is an analysis that also reads the events of the analysed
// records in time order (ties in input order), a batch at a time, one
// call at a time. The instance that reads them is one of its own, made by
// the same constructor and never given rows (its Add is not called): the
// workers' instances count rows meanwhile, and it is merged into theirs
// when the input is read.
type Ordered interface {
	Consume(evs []Event)
}

// Carrier is an Ordered analysis whose state still open when a run ends
// (what later events may yet decide: a failure not retried yet) goes on
// to the next --state run, so that runs over consecutive parts of a log
// give the figures of one run over it. Carry encodes it from the merged
// instance, before the report is built; Resume takes it up on the next
// run's instance that reads the events, before the first of them.
type Carrier interface {
	Carry() ([]byte, error)
	Resume(part []byte) error
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
