package report

import (
	"analyze/report/analysis"
	"cmp"
	"container/heap"
	"math"
	"slices"
	"sync"
	"unsafe"

	"analyze/ingest"
)

// sequencer merges the events of all inputs into one stream in time order
// (ties in input order) for the order-sensitive analyses.
//
// Blocks reach it from the workers in any order. Per file it puts them back
// in order (Block.Seq, with ingest.Reorder) and notes how far in time the
// file has got; the files are read several at a time (ingest.Drive), so
// inputs that overlap in time, such as the logs of two servers, progress
// together. Events wait in a reorder buffer until every file still open,
// or not yet started, has got past them, less a lateness that absorbs the
// small disorder within a file (concurrent writers). An event that arrives
// after later ones were handed on counts as late and goes on in arrival
// order. Memory: the events of the span between the slowest and the
// fastest open file, not the input.
type sequencer struct {
	mu        sync.Mutex
	files     []fileStream
	order     *ingest.Reorder[*run] // each file's blocks put back in order
	runs      runHeap               // the blocks' events, each sorted, merged by their heads
	released  int64                 // time of the last event handed on
	lateness  int64
	late      int64
	heldBytes int64                  // the memory of the events in runs, not yet handed on (heldSize)
	maxHeld   int64                  // past it (bytes) the oldest go on whatever the files' progress
	consume   func([]analysis.Event) // a batch of events, in time order
	spare     chan []analysis.Event  // emptied event arrays (getEvents)
	// progress holds each file's progress (fileStream.progress) in a
	// tree whose root is their minimum: a run over thousands of files
	// finds how far every file has got without a pass over them all per
	// block (under the lock).
	progress minTree
}

// minTree is a segment tree of int64s: set one in O(log n), the minimum of
// all in O(1).
type minTree []int64 // leaves at [n, 2n), each inner node the min of its two children

func newMinTree(vals []int64) minTree {
	n := len(vals)
	t := make(minTree, 2*n)
	copy(t[n:], vals)
	for i := n - 1; i > 0; i-- {
		t[i] = min(t[2*i], t[2*i+1])
	}
	return t
}

func (t minTree) set(i int, v int64) {
	i += len(t) / 2
	t[i] = v
	for i /= 2; i > 0; i /= 2 {
		t[i] = min(t[2*i], t[2*i+1])
	}
}

// min returns the minimum, math.MaxInt64 for no values.
func (t minTree) min() int64 {
	if len(t) == 0 {
		return math.MaxInt64
	}
	return t[1]
}

// maxHeldBytes bounds the reorder buffer's memory: 1.6 Mi events of 40
// bytes, fewer when they carry failure descriptions (a log of nothing but
// distinct retryable failures held 1 Mi events and ~250 MB of descriptions
// when the bound counted events). Inputs that overlap in time are read
// several at a time, but more overlapping inputs than readers would hold
// back the merge until the later ones start; past this bound the oldest
// events go on anyway, and events that then arrive earlier than what was
// handed on count as late.
const maxHeldBytes = 64 << 20

// heldSize is the memory an event holds while it waits: itself, and its
// failure description with its client, target and endpoint. The endpoint
// is shared while the interner has room, so this errs on the safe side;
// the method and the file's path are always shared, and not counted.
func heldSize(e *analysis.Event) int64 {
	n := int64(unsafe.Sizeof(analysis.Event{}))
	if fi := e.Info; fi != nil {
		n += int64(unsafe.Sizeof(analysis.FailInfo{}) + uintptr(len(fi.Client)+len(fi.Target)+len(fi.Endpoint)))
	}
	return n
}

type fileStream struct {
	rank    uint64 // the file's place in the order read, for ties
	start   int64  // the time of its first record, if known; else MaxInt64
	maxSeen int64  // the latest event taken
	seen    bool
	done    bool
}

// progress is how far in time the file has got: nothing below it is still
// to come from it, but for the lateness.
func (fs *fileStream) progress() int64 {
	switch {
	case fs.done:
		return math.MaxInt64
	case fs.seen:
		return fs.maxSeen
	}
	return fs.start // a file of unknown start holds nothing back
}

// newSequencer makes a sequencer for files, given in the order they are
// read (ties between files go by that order, within a file by line).
//
// It keeps up to spares emptied event arrays for getEvents: as many as the
// blocks that can be in flight (the readers' buffers) is enough.
func newSequencer(files []*ingest.File, lateness int64, spares int, consume func([]analysis.Event)) *sequencer {
	s := &sequencer{files: make([]fileStream, len(files)), lateness: lateness, consume: consume, maxHeld: maxHeldBytes,
		spare: make(chan []analysis.Event, spares), order: ingest.NewReorder[*run](len(files))}
	for rank, f := range files {
		fs := &s.files[f.Index]
		fs.rank = uint64(rank)
		fs.start = math.MaxInt64
		if !f.First.IsZero() {
			fs.start = f.First.UnixNano()
		}
	}
	progress := make([]int64, len(s.files))
	for i := range s.files {
		progress[i] = s.files[i].progress()
	}
	s.progress = newMinTree(progress)
	return s
}

// add takes the events of one block. It is safe for concurrent use. The
// caller's goroutine puts the block's events in time order first, when
// they are not already (a log is written in time order): the sequencer
// then merges blocks instead of heaping every event.
func (s *sequencer) add(b *ingest.Block, evs []analysis.Event) {
	var size int64
	sorted := true
	for i := range evs {
		if i > 0 && evs[i].Time < evs[i-1].Time {
			sorted = false
		}
		size += heldSize(&evs[i])
	}
	if !sorted {
		// Stable: events of one time stay in line order.
		slices.SortStableFunc(evs, func(a, b analysis.Event) int { return cmp.Compare(a.Time, b.Time) })
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := &s.files[b.File.Index]
	s.order.Put(b.Key(), &run{evs: evs, size: size}, func(seq int, r *run, last bool) {
		// Its own key: blocks that arrived early go on here too.
		r.key = fs.rank<<40 | uint64(seq)&(1<<40-1)
		fs.done = last
		if len(r.evs) == 0 {
			s.putEvents(r.evs)
			return
		}
		heap.Push(&s.runs, r)
		s.heldBytes += r.size
		if last := r.evs[len(r.evs)-1].Time; !fs.seen || last > fs.maxSeen {
			fs.maxSeen, fs.seen = last, true
		}
	})
	s.progress.set(b.File.Index, fs.progress())
	s.drain()
}

// drain hands on the events every open file has got past.
func (s *sequencer) drain() {
	mark := s.progress.min()
	if mark != math.MaxInt64 {
		mark -= s.lateness
	}
	for len(s.runs) > 0 && (s.runs[0].head().Time < mark || s.heldBytes > s.maxHeld) {
		s.release(mark)
	}
}

// release hands on the earliest events held, as one batch: those of the
// run at the top while it stays the earliest and they may go (before mark,
// or past the memory bound). Blocks seldom overlap in time, so a batch is
// mostly the rest of a block's events, handed on where they lie.
func (s *sequencer) release(mark int64) {
	r := s.runs[0]
	from := r.pos
	for {
		e := &r.evs[r.pos]
		if e.Time < s.released {
			s.late++
		} else {
			s.released = e.Time
		}
		s.heldBytes -= heldSize(e)
		r.pos++
		if r.pos == len(r.evs) || !s.runs.topStays() || !(r.evs[r.pos].Time < mark || s.heldBytes > s.maxHeld) {
			break
		}
	}
	s.consume(r.evs[from:r.pos])
	switch {
	case r.pos == len(r.evs):
		heap.Pop(&s.runs)
		s.putEvents(r.evs)
	case s.runs.topStays():
		// The run at the top mostly stays there, and the heap needs no
		// fixing.
	default:
		heap.Fix(&s.runs, 0)
	}
}

// topStays reports whether the top run's head still comes before its
// children's, so the heap is still in order.
func (h runHeap) topStays() bool {
	return (len(h) < 2 || !h.Less(1, 0)) && (len(h) < 3 || !h.Less(2, 0))
}

// flush hands on every event still held; call it after the last block.
func (s *sequencer) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.runs) > 0 {
		s.release(math.MaxInt64)
	}
}

// getEvents returns an empty event array with room for n events: a spare
// one when there is one big enough. A fresh array per block (over a
// megabyte for 4 MB of log) cost a page fault per 4 KB on first write:
// ~10,000 faults and 0.1 s of system time per 2 million lines.
func (s *sequencer) getEvents(n int) []analysis.Event {
	select {
	case evs := <-s.spare:
		if cap(evs) >= n {
			return evs[:0]
		}
	default:
	}
	return make([]analysis.Event, 0, n+n/4)
}

// putEvents keeps an array the sequencer has handed on whole, when fewer
// than the spares' bound are kept. A fixed bound, not a sync.Pool: the
// arrays in use are one per block in flight, and a pool kept a growing
// number alive between collections (4 to 10 MB over a 3 GB log).
func (s *sequencer) putEvents(evs []analysis.Event) {
	select {
	case s.spare <- evs:
	default:
	}
}

// run is one block's events, sorted, and how many were handed on. Its key
// orders the events of equal time of different runs: the file's rank, then
// the block's place in the file.
type run struct {
	evs  []analysis.Event
	pos  int
	key  uint64
	size int64 // heldSize of its events when added
}

func (r *run) head() *analysis.Event { return &r.evs[r.pos] }

type runHeap []*run

func (h runHeap) Len() int { return len(h) }
func (h runHeap) Less(i, j int) bool {
	a, b := h[i].head(), h[j].head()
	return a.Time < b.Time || a.Time == b.Time && h[i].key < h[j].key
}
func (h runHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)   { *h = append(*h, x.(*run)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
