package quota

// Busy clients' quota windows as dense rows. A client with requests in
// most windows (an integration polling all day) would take one 24-byte
// cell per window; a month of one-minute windows is ~45,000 cells each,
// and a few such clients fill the cell list. Once a compaction finds a
// client with at least denseAfter cells spread over at most denseSpread
// times as many windows, its cells move to a row of 4-byte counts, one per
// window from its first to its last, within denseSlotLimit slots per
// worker. The counts are the same either way: a client is a row or cells,
// never both after a compaction, and rows merge by adding.

const (
	denseAfter     = 256
	denseSpread    = 4
	denseSlotLimit = 1 << 23 // 32 MB of counts per worker at most
)

// denseRow counts a client's requests per window, from window base.
type denseRow struct {
	base   int64
	counts []int32
}

// addDense counts n requests of a client with a row in window w, keeping
// q.denseSlots, the slots of all rows, up to date; it reports false when
// the row may not grow that far.
func (q *Agg) addDense(d *denseRow, w, n int64) bool {
	before := len(d.counts)
	if !d.add(w, n, denseSlotLimit-q.denseSlots) {
		return false
	}
	q.denseSlots += len(d.counts) - before
	return true
}

// add counts n requests in window w, growing the row as needed; it
// reports false, counting nothing, when growing would pass budget slots.
func (d *denseRow) add(w int64, n int64, budget int) bool {
	switch {
	case len(d.counts) == 0:
		d.base, d.counts = w, append(d.counts, 0)
	case w < d.base:
		grow := int(d.base - w)
		if grow > budget {
			return false
		}
		counts := make([]int32, grow+len(d.counts), grow+len(d.counts)+len(d.counts)/4)
		copy(counts[grow:], d.counts)
		d.base, d.counts = w, counts
	case w-d.base >= int64(len(d.counts)):
		grow := int(w-d.base) + 1 - len(d.counts)
		if grow > budget {
			return false
		}
		d.counts = append(d.counts, make([]int32, grow)...)
	}
	d.counts[w-d.base] += int32(n)
	return true
}

// cellsOf returns a row's non-empty windows as cells, in window order.
func (d *denseRow) cellsOf(client uint64) []cellCount {
	filled := 0
	for _, n := range d.counts {
		if n != 0 {
			filled++
		}
	}
	out := make([]cellCount, 0, filled)
	for i, n := range d.counts {
		if n != 0 {
			out = append(out, cellCount{C: cell{Client: client, Win: d.base + int64(i)}, N: int64(n)})
		}
	}
	return out
}

// densify moves, in cells sorted by client and window, the cells of
// clients that have a row into it, and makes rows of the busy clients
// that fit the budget; it returns the cells left.
func (q *Agg) densify(cells []cellCount) []cellCount {
	if q.dense == nil {
		q.dense = map[uint64]*denseRow{}
	}
	out := cells[:0]
	for i := 0; i < len(cells); {
		j := i
		client := cells[i].C.Client
		for j < len(cells) && cells[j].C.Client == client {
			j++
		}
		group := cells[i:j]
		i = j
		d := q.dense[client]
		if d == nil {
			span := int(group[len(group)-1].C.Win-group[0].C.Win) + 1
			if len(group) < denseAfter || span > denseSpread*len(group) || q.denseSlots+span > denseSlotLimit {
				out = append(out, group...)
				continue
			}
			d = &denseRow{}
			q.dense[client] = d
		}
		for k, c := range group {
			if !q.addDense(d, c.C.Win, c.N) {
				out = append(out, group[k:]...) // no room: the rest stay cells
				break
			}
		}
	}
	return out
}

// mergeDense adds o's rows into q's.
func (q *Agg) mergeDense(o *Agg) {
	for client, od := range o.dense {
		if q.dense == nil {
			q.dense = map[uint64]*denseRow{}
		}
		d := q.dense[client]
		if d == nil {
			q.dense[client] = od
			q.denseSlots += len(od.counts)
			continue
		}
		for i, n := range od.counts {
			if n != 0 && !q.addDense(d, od.base+int64(i), int64(n)) {
				// No room in the row: the window goes back to the cells.
				q.cells = append(q.cells, cellCount{C: cell{Client: client, Win: od.base + int64(i)}, N: int64(n)})
			}
		}
	}
}
