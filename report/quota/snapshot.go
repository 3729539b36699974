package quota

import (
	"maps"
	"slices"
	"time"

	"analyze/report/analysis"
)

// The quota's part of a stored run (--state). Package report's snapshot
// holds the same fields under types of its own, converted field for field:
// gob writes a type's name and package in the stream, and stored runs keep
// the bytes they had when these types lived there.

// Snap is the quota's windows and cells in a stored run. Layout 1 stored
// them as slices of structs (QuotaWindows, Cells); layout 2 as columns
// (WindowCols, CellCols): gob writes a slice of integers in one loop but a
// slice of structs field by field, and the columns' deltas are small
// numbers.
type Snap struct {
	Window       int64                 // the quota window, ns
	QuotaWindows []WindowSnap          // layout 1
	WindowCols   WindowCols            // layout 2
	Cells        []analysis.CellSnap   // layout 1
	CellCols     CellCols              // layout 2
	Cells429     []analysis.CellSnap   // the 429s by (client, window)
	CellsDropped int64                 // Agg.Dropped
	Headers      map[uint64]HeaderSnap // by client hash
}

// WindowSnap is a window's counts (layout 1).
type WindowSnap struct{ Win, Requests, RateLimited int64 }

// HeaderSnap is what a client's rate-limit headers said.
type HeaderSnap struct{ Limit, MinRemaining int64 }

// CellCols holds cells column by column, each client and window as the
// difference from the cell before (wrapping, so any order decodes): cells
// sorted by client and window make small numbers.
type CellCols struct {
	ClientDelta []uint64
	WinDelta    []int64
	N           []int64
}

func (cc *CellCols) grow(n int) {
	cc.ClientDelta = slices.Grow(cc.ClientDelta, n)
	cc.WinDelta = slices.Grow(cc.WinDelta, n)
	cc.N = slices.Grow(cc.N, n)
}

// add appends a cell after prev, the cell added before it (zero first).
func (cc *CellCols) add(prev *cell, c cell, n int64) {
	cc.ClientDelta = append(cc.ClientDelta, c.Client-prev.Client)
	cc.WinDelta = append(cc.WinDelta, c.Win-prev.Win)
	cc.N = append(cc.N, n)
	*prev = c
}

// each calls f for every cell, in the order added. Columns of unequal
// length (a damaged snapshot that still decodes) end at the shortest.
func (cc *CellCols) each(f func(c cell, n int64)) {
	var c cell
	for i := range min(len(cc.ClientDelta), len(cc.WinDelta), len(cc.N)) {
		c.Client += cc.ClientDelta[i]
		c.Win += cc.WinDelta[i]
		f(c, cc.N[i])
	}
}

// WindowCols holds the quota's windows column by column, each window as
// the difference from the one before.
type WindowCols struct {
	WinDelta, Requests, RateLimited []int64
}

// Snap returns q's part of a stored run, in layout 2.
func (q *Agg) Snap() Snap {
	q.flush()
	sn := Snap{Window: q.win, CellsDropped: q.dropped, Headers: map[uint64]HeaderSnap{}}
	wc := &sn.WindowCols
	wc.WinDelta = make([]int64, 0, len(q.windows))
	wc.Requests = make([]int64, 0, len(q.windows))
	wc.RateLimited = make([]int64, 0, len(q.windows))
	prevWin := int64(0)
	for _, w := range slices.Sorted(maps.Keys(q.windows)) {
		n := q.windows[w]
		wc.WinDelta = append(wc.WinDelta, w-prevWin)
		wc.Requests = append(wc.Requests, n.requests)
		wc.RateLimited = append(wc.RateLimited, n.rateLimited)
		prevWin = w
	}
	cells := q.allCells()
	sn.CellCols.grow(len(cells))
	var prev cell
	for _, c := range cells {
		sn.CellCols.add(&prev, c.C, c.N)
	}
	sn.Cells429 = analysis.CellSnaps(q.cells429)
	for h, hd := range q.headers {
		sn.Headers[h] = HeaderSnap{hd.limit, hd.minRemaining}
	}
	return sn
}

// Restore returns the quota of a stored run, of layout 1 or 2, for Merge.
func Restore(sn *Snap) *Agg {
	q := New(Options{Window: time.Duration(sn.Window)})
	for _, w := range sn.QuotaWindows { // layout 1
		q.windows[w.Win] = winCount{w.Requests, w.RateLimited}
	}
	wc := &sn.WindowCols
	win := int64(0)
	for i := range min(len(wc.WinDelta), len(wc.Requests), len(wc.RateLimited)) {
		win += wc.WinDelta[i]
		q.windows[win] = winCount{wc.Requests[i], wc.RateLimited[i]}
	}
	for _, c := range sn.Cells { // layout 1
		q.cells = append(q.cells, cellCount{C: cell{Client: c.Client, Win: c.Win}, N: c.N})
	}
	q.cells = slices.Grow(q.cells, len(sn.CellCols.N))
	sn.CellCols.each(func(c cell, n int64) { q.cells = append(q.cells, cellCount{C: c, N: n}) })
	for _, c := range sn.Cells429 {
		q.cells429[cell{Client: c.Client, Win: c.Win}] = int32(c.N)
	}
	q.dropped = sn.CellsDropped
	for h, hd := range sn.Headers {
		q.headers[h] = &rateHeaders{hd.Limit, hd.MinRemaining}
	}
	return q
}

// BehaviourSnap is a client's behaviour after its 429s in a stored run.
type BehaviourSnap struct{ After, Violations, GapSum int64 }

// Snap returns the behaviour after 429s, by client hash, and the 429s
// dropped past its bound.
func (b *Behaviour) Snap() (map[uint64]BehaviourSnap, int64) {
	by := map[uint64]BehaviourSnap{}
	for h, st := range b.by {
		by[h] = BehaviourSnap{st.after, st.violations, st.gapSum}
	}
	return by, b.dropped
}

// MergeSnap adds a stored run's behaviour after 429s (Snap) into b.
func (b *Behaviour) MergeSnap(by map[uint64]BehaviourSnap, dropped int64) {
	for h, st := range by {
		bh := b.by[h]
		if bh == nil {
			if len(b.by) >= behaviourLimit {
				b.dropped++
				continue
			}
			bh = &behaviour{}
			b.by[h] = bh
		}
		bh.after += st.After
		bh.violations += st.Violations
		bh.gapSum += st.GapSum
	}
	b.dropped += dropped
}

// WaitSnap is a 429 whose client has not sent its next request when a run
// ends, carried to the next run (report.Carry).
type WaitSnap struct {
	Client       uint64
	At, Deadline int64
}

// Waits returns the 429s still waiting for their client's next request.
func (b *Behaviour) Waits() []WaitSnap {
	var out []WaitSnap
	for h, o := range b.open {
		out = append(out, WaitSnap{h, o.at, o.deadline})
	}
	return out
}

// Resume takes up the 429s an earlier run left waiting for an answer.
func (b *Behaviour) Resume(waits []WaitSnap) {
	for _, w := range waits {
		h, o := w.Client, open429{at: w.At, deadline: w.Deadline}
		if b.by[h] == nil {
			if len(b.by) >= behaviourLimit {
				b.dropped++
				continue
			}
			b.by[h] = &behaviour{}
		}
		b.open[h] = o
	}
}
