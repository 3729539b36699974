package quota

import (
	"analyze/report/analysis"
	"cmp"
	"maps"
	"slices"
	"time"
)

// The quota analysis: request rate in fixed windows aligned to the epoch,
// overall and per client, against the contract's limit; 429 bursts; and
// (in behaviour.go) what clients do after a 429.
//
// The window counts are mergeable and exact: each worker counts requests
// and 429s per window, overall and per (client, window) cell, and the
// merge adds them, so the figures are the same whatever the number of
// workers, files or file order. Memory: one entry per non-empty window
// overall, and one per non-empty (client, window) cell, at most cellLimit
// per worker (twice that merged). When the cells fill, the clients with
// the fewest requests lose theirs, like a table's fold, until a quarter
// is free: the heavy clients, the ones the report lists, stay exact.
// quota.cells_dropped counts the requests that left out of the per-client
// figures; the overall figures stay exact.
//
// The cells are a list, not a map: a window's client counts are gathered
// in a small map while the window is current, then appended, with no
// hashing of the big set. A (client, window) may then appear more than
// once (records out of order, several workers); compact sorts the list by
// client and window and adds such entries up, when the list fills and when
// a worker has read its last block (settle), so the workers' lists merge
// as sorted lists.

// Options configure the quota analysis.
type Options struct {
	Window     time.Duration // window length; 0 means one minute
	Limit      int64         // the contract's requests per window; 0 means none given
	RetryAfter time.Duration // the delay a 429 asks for when no Retry-After is logged
	Client     analysis.ClientSelector
	// ClientLimits are clients' own contracts, requests per window by
	// client key (as the report names clients), for the clients whose
	// limit is not Limit: each is measured against its own, and always
	// listed.
	ClientLimits map[string]int64
}

// Win is the quota window in nanoseconds: Window, or one minute.
func (o Options) Win() int64 {
	if o.Window <= 0 {
		return int64(time.Minute)
	}
	return int64(o.Window)
}

const cellLimit = 1 << 18

// headerLimit bounds the clients whose rate-limit headers are kept: as
// many as the clients table names.
const headerLimit = 20000

// windowClientLimit bounds the current window's table of client counts;
// past it they go to the cells early, where a (client, window) seen again
// adds up at compaction.
const windowClientLimit = 1 << 16

type winCount struct{ requests, rateLimited int64 }

type cell = analysis.Cell

// rateHeaders keeps what a client's logged rate-limit headers said.
type rateHeaders struct {
	limit        int64 // the last X-RateLimit-Limit seen; -1 none
	minRemaining int64 // the lowest X-RateLimit-Remaining seen; -1 none
}

type Agg struct {
	win int64
	// windows holds the counts of each window by value: a log of years
	// has a million one-minute windows, and a map of pointers to them
	// made the collector scan and mark a million objects. The current
	// window's counts are in cur until the window changes or the
	// aggregate settles.
	windows map[int64]winCount
	// The current window's counts, kept apart: records come mostly in time
	// order, so a small map of the clients of one window takes most
	// updates, and is flushed into cells when the window changes.
	curWin     int64
	curStart   int64 // curWin's first instant: records within it skip the division
	cur        winCount
	curSet     bool // cur holds curWin's counts
	curCell    windowClients
	cells      []cellCount          // see compact
	dense      map[uint64]*denseRow // busy clients (dense.go)
	denseSlots int                  // the window slots of all rows
	cells429   map[cell]int32
	dropped    int64
	headers    map[uint64]*rateHeaders
	headerCap  int
}

func New(o Options) *Agg {
	return &Agg{win: o.Win(), windows: map[int64]winCount{},
		cells429: map[cell]int32{}, headers: map[uint64]*rateHeaders{}, headerCap: headerLimit}
}

// windowOf returns the index of the window holding t (Unix ns), windows
// aligned to the epoch.
func (q *Agg) windowOf(t int64) int64 { return analysis.FloorDiv(t, q.win) }

func (q *Agg) add(t int64, client uint64, status int, limit, remaining int64) {
	w := q.curWin
	if !q.curSet || t < q.curStart || uint64(t)-uint64(q.curStart) >= uint64(q.win) {
		w = q.windowOf(t)
		q.flush()
		q.storeCur()
		q.curWin, q.curStart = w, w*q.win
		q.cur, q.curSet = q.windows[w], true
	}
	wc := &q.cur
	wc.requests++
	q.curCell.add(client)
	if len(q.curCell.used) >= windowClientLimit {
		q.flush() // a flood of clients in one window: into cells (bounded), the table kept small
	}
	c := cell{Client: client, Win: w}
	if status == 429 {
		wc.rateLimited++
		analysis.CountBounded(q.cells429, c, cellLimit)
	}
	if limit >= 0 || remaining >= 0 {
		h := q.headers[client]
		if h == nil {
			if len(q.headers) >= q.headerCap {
				return
			}
			h = &rateHeaders{limit: -1, minRemaining: -1}
			q.headers[client] = h
		}
		if limit >= 0 {
			h.limit = limit
		}
		if remaining >= 0 && (h.minRemaining < 0 || remaining < h.minRemaining) {
			h.minRemaining = remaining
		}
	}
}

// flush moves the current window's client counts into cells.
func (q *Agg) flush() {
	w := &q.curCell
	for _, i := range w.used {
		var client uint64
		var n int64
		if i < 0 {
			n, w.zero = int64(w.zero), 0
		} else {
			client, n = w.keys[i], int64(w.counts[i])
			w.keys[i], w.counts[i] = 0, 0
		}
		if d := q.dense[client]; d != nil && q.addDense(d, q.curWin, n) {
			continue
		}
		if len(q.cells) >= cellLimit {
			q.shed(cellLimit * 3 / 4)
		}
		if len(q.cells) == cap(q.cells) {
			// Double, up to the limit exactly (shed keeps the list below
			// it): append grows a long slice by a quarter, copying the list
			// ~30 times on its way to a few hundred thousand, and past the
			// limit by up to a quarter more.
			size := min(max(1024, 2*len(q.cells)), cellLimit)
			q.cells = append(make([]cellCount, 0, size), q.cells...)
		}
		q.cells = append(q.cells, cellCount{C: cell{Client: client, Win: q.curWin}, N: n})
	}
	w.used = w.used[:0]
}

// windowClients counts the current window's requests per client: a hash
// table keyed by the client's hash itself (no hashing; positions from
// home), with open addressing, that lists the slots it fills so that
// emptying it after the window costs what the window held, whatever size a
// busy window once grew it to. The hash 0 marks an empty slot: a client
// whose hash is 0 is counted apart.
type windowClients struct {
	keys   []uint64
	counts []int32
	used   []int32 // the filled slots, in the order filled; -1 for zero
	zero   int32   // the count of the client whose hash is 0
}

func (w *windowClients) add(client uint64) {
	if client == 0 {
		if w.zero == 0 {
			w.used = append(w.used, -1)
		}
		w.zero++
		return
	}
	if len(w.used)*4 >= len(w.keys)*3 {
		w.grow()
	}
	mask := len(w.keys) - 1
	i := analysis.Home(client, len(w.keys))
	for w.keys[i] != client {
		if w.keys[i] == 0 {
			w.keys[i] = client
			w.used = append(w.used, int32(i))
			break
		}
		i = (i + 1) & mask
	}
	w.counts[i]++
}

// grow doubles the table (64 slots at first) and puts the filled slots
// back in it.
func (w *windowClients) grow() {
	keys, counts, used := w.keys, w.counts, w.used
	n := max(64, 2*len(keys))
	w.keys, w.counts, w.used = make([]uint64, n), make([]int32, n), make([]int32, 0, n)
	mask := n - 1
	for _, j := range used {
		if j < 0 {
			w.used = append(w.used, j)
			continue
		}
		i := analysis.Home(keys[j], n)
		for w.keys[i] != 0 {
			i = (i + 1) & mask
		}
		w.keys[i], w.counts[i] = keys[j], counts[j]
		w.used = append(w.used, int32(i))
	}
}

// allCells returns every (client, window) count as cells sorted by client
// and window, the dense rows expanded back: for the report and the state.
func (q *Agg) allCells() []cellCount {
	q.flush()
	for client, d := range q.dense {
		q.cells = append(q.cells, d.cellsOf(client)...)
	}
	q.dense, q.denseSlots = nil, 0
	q.compact()
	return q.cells
}

// shed compacts the cells and, while they are more than keep, drops the
// cells of the clients with the fewest requests: all clients with at most
// T requests, T the smallest count that frees enough (ties go together,
// so the result does not depend on the cells' order).
func (q *Agg) shed(keep int) {
	q.compact()
	q.cells = q.densify(q.cells)
	if len(q.cells) <= keep {
		return
	}
	// One pass over the cells, sorted by client, gives each client's
	// requests and cells, added up by request count: the cells of the
	// clients of r requests are light[r] (the many light clients) or
	// heavy[r] (the few heavy ones). No list per client: on a busy log the
	// cells fill again and again, and such lists were much of the live heap.
	var light [1024]int
	heavy := map[int64]int{}
	q.eachClient(func(requests int64, cells []cellCount) {
		if requests < int64(len(light)) {
			light[requests] += len(cells)
		} else {
			heavy[requests] += len(cells)
		}
	})
	// The smallest threshold whose clients' cells, dropped, leave at most
	// keep: walk up the request counts.
	left, threshold := len(q.cells), int64(-1)
	for r := 0; r < len(light) && left > keep; r++ {
		if light[r] > 0 {
			left, threshold = left-light[r], int64(r)
		}
	}
	if left > keep {
		for _, r := range slices.Sorted(maps.Keys(heavy)) {
			left, threshold = left-heavy[r], r
			if left <= keep {
				break
			}
		}
	}
	out := q.cells[:0]
	q.eachClient(func(requests int64, cells []cellCount) {
		if requests <= threshold {
			q.dropped += requests
			return
		}
		out = append(out, cells...) // never ahead of what eachClient reads
	})
	q.cells = out
}

// eachClient calls f with each client's requests and cells, the cells
// being sorted by client.
func (q *Agg) eachClient(f func(requests int64, cells []cellCount)) {
	for i := 0; i < len(q.cells); {
		j, requests := i, int64(0)
		for ; j < len(q.cells) && q.cells[j].C.Client == q.cells[i].C.Client; j++ {
			requests += q.cells[j].N
		}
		f(requests, q.cells[i:j])
		i = j
	}
}

// compact sorts the cells by client and window and adds up the entries of
// one (client, window). Cells already in order (settled, or merged from
// settled workers) are only added up.
func (q *Agg) compact() {
	sortCells(q.cells)
	out := q.cells[:0]
	for _, c := range q.cells {
		if n := len(out); n > 0 && out[n-1].C == c.C {
			out[n-1].N += c.N
			continue
		}
		out = append(out, c)
	}
	q.cells = out
}

// sortCells sorts cells by client and window, in place. A list is mostly a
// sorted run (the cells compacted before) followed by cells appended
// since, in window order, as a worker appends them: those are sorted by
// client with a stable radix sort, which keeps each client's windows in
// order (others with pdqsort), and merged with the run.
func sortCells(cells []cellCount) {
	k := 1
	for k < len(cells) && byClientWindow(cells[k-1], cells[k]) <= 0 {
		k++
	}
	if k >= len(cells) {
		return
	}
	// The rest, sorted, in a buffer of their own: the merge writes over
	// them in place.
	tail := make([]cellCount, len(cells)-k)
	if len(tail) >= 1024 && slices.IsSortedFunc(cells[k:], func(a, b cellCount) int { return cmp.Compare(a.C.Win, b.C.Win) }) {
		if sorted := radixByClient(cells[k:], tail); &sorted[0] != &tail[0] {
			copy(tail, sorted)
		}
	} else {
		copy(tail, cells[k:])
		slices.SortFunc(tail, byClientWindow)
	}
	// Merge from the end: a cell is written at or after where the run's
	// next unread cell lies, so none is overwritten before it is read.
	i, j := k-1, len(tail)-1
	for out := len(cells) - 1; j >= 0; out-- {
		if i >= 0 && byClientWindow(cells[i], tail[j]) > 0 {
			cells[out] = cells[i]
			i--
		} else {
			cells[out] = tail[j]
			j--
		}
	}
}

// radixByClient sorts src by client, stably, using dst (of src's length)
// as the other buffer, and returns whichever of the two holds the result.
func radixByClient(src, dst []cellCount) []cellCount {
	const bits = 11
	const buckets = 1 << bits
	var count [buckets]int
	for shift := 0; shift < 64; shift += bits {
		clear(count[:])
		for i := range src {
			count[src[i].C.Client>>shift&(buckets-1)]++
		}
		if count[src[0].C.Client>>shift&(buckets-1)] == len(src) {
			continue // one digit value for all: the order stands
		}
		pos := 0
		for d, n := range count {
			count[d] = pos
			pos += n
		}
		for i := range src {
			d := src[i].C.Client >> shift & (buckets - 1)
			dst[count[d]] = src[i]
			count[d]++
		}
		src, dst = dst, src
	}
	return src
}

func byClientWindow(a, b cellCount) int {
	if a.C.Client != b.C.Client {
		return cmp.Compare(a.C.Client, b.C.Client)
	}
	return cmp.Compare(a.C.Win, b.C.Win)
}

// settle compacts the cells and moves busy clients' into rows: the work
// the merge and the report would otherwise do serially, done by each
// worker on its own aggregate once the input is read.
// storeCur puts the current window's counts in windows; the readers of
// windows (merge, the report, the snapshot) run after it (settle).
func (q *Agg) storeCur() {
	if q.curSet {
		q.windows[q.curWin] = q.cur
	}
}

func (q *Agg) settle() {
	q.storeCur()
	q.flush()
	q.compact()
	q.cells = q.densify(q.cells)
}

// mergeCells returns a and b, each sorted by client and window, as one
// sorted list, adding up the cells of one (client, window).
func mergeCells(a, b []cellCount) []cellCount {
	out := make([]cellCount, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch c := byClientWindow(a[i], b[j]); {
		case c < 0:
			out = append(out, a[i])
			i++
		case c > 0:
			out = append(out, b[j])
			j++
		default:
			out = append(out, cellCount{C: a[i].C, N: a[i].N + b[j].N})
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

func (q *Agg) merge(o *Agg) {
	q.flush()
	o.flush()
	// The current windows' counts go into windows, and q's is read from
	// there again by its next record: merged counts are never overwritten.
	q.storeCur()
	o.storeCur()
	q.curSet = false
	for w, oc := range o.windows {
		wc := q.windows[w]
		wc.requests += oc.requests
		wc.rateLimited += oc.rateLimited
		q.windows[w] = wc
	}
	q.mergeDense(o)
	switch {
	case len(o.cells) == 0:
	case slices.IsSortedFunc(q.cells, byClientWindow) && slices.IsSortedFunc(o.cells, byClientWindow):
		q.cells = mergeCells(q.cells, o.cells) // settled workers: stays sorted
	default:
		if len(q.cells)+len(o.cells) > cap(q.cells) {
			merged := make([]cellCount, len(q.cells), len(q.cells)+len(o.cells))
			copy(merged, q.cells)
			q.cells = merged
		}
		q.cells = append(q.cells, o.cells...)
	}
	if len(q.cells) > 2*cellLimit {
		q.shed(2 * cellLimit)
	}
	q.dropped += o.dropped
	for c, n := range o.cells429 {
		q.cells429[c] += n
	}
	for k, oh := range o.headers {
		h := q.headers[k]
		if h == nil {
			q.headers[k] = oh
			continue
		}
		if oh.limit >= 0 {
			h.limit = oh.limit
		}
		if oh.minRemaining >= 0 && (h.minRemaining < 0 || oh.minRemaining < h.minRemaining) {
			h.minRemaining = oh.minRemaining
		}
	}
}
