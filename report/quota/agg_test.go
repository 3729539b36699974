package quota

import (
	"analyze/report/analysis"
	"encoding/binary"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestShedKeepsHeavyClients fills the quota cells past their bound: the
// clients with the fewest requests lose their cells first, whole, and the
// requests dropped are counted; clients of 1,024 requests and more are
// counted apart (heavy), and shed in their order too.
func TestShedKeepsHeavyClients(t *testing.T) {
	q := New(Options{})
	for w := range int64(10) {
		q.cells = append(q.cells, cellCount{C: cell{Client: 4, Win: w}, N: 500}) // heaviest: 5,000 requests
	}
	for w := range int64(20) {
		q.cells = append(q.cells, cellCount{C: cell{Client: 3, Win: w}, N: 100}) // heavier: 2,000
	}
	for w := range int64(100) {
		q.cells = append(q.cells, cellCount{C: cell{Client: 1, Win: w}, N: 10}) // heavy: 1,000 requests
	}
	for w := range int64(50) {
		q.cells = append(q.cells, cellCount{C: cell{Client: 2, Win: w}, N: 2}) // medium: 100
	}
	for c := range uint64(200) {
		q.cells = append(q.cells, cellCount{C: cell{Client: 100 + c, Win: 7}, N: 1}) // 200 light clients
	}
	q.cells = append(q.cells, cellCount{C: cell{Client: 1, Win: 3}, N: 5}) // a duplicate cell, added up
	totals := func() map[uint64]int64 {
		total := map[uint64]int64{}
		for _, c := range q.cells {
			total[c.C.Client] += c.N
		}
		return total
	}
	for _, step := range []struct {
		keep, cells int
		dropped     int64
		kept        map[uint64]int64
	}{
		{160, 130, 300, map[uint64]int64{1: 1005, 3: 2000, 4: 5000}},
		{100, 30, 1305, map[uint64]int64{3: 2000, 4: 5000}},
		{15, 10, 3305, map[uint64]int64{4: 5000}},
		{10, 10, 3305, map[uint64]int64{4: 5000}},
	} {
		q.shed(step.keep)
		if got := totals(); len(q.cells) != step.cells || q.dropped != step.dropped || fmt.Sprint(got) != fmt.Sprint(step.kept) {
			t.Errorf("after shed(%d): %d cells, %d dropped, kept %v; want %d, %d, %v", step.keep, len(q.cells), q.dropped, got, step.cells, step.dropped, step.kept)
		}
	}
}

// TestDenseRows counts a busy client (a request in every window of a day)
// and many light ones across three workers, out of order, with shedding
// and merging: the per-client counts come out the same as a plain tally,
// the busy client's through a dense row.
func TestDenseRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	want := map[cell]int64{}
	parts := []*Agg{New(Options{}), New(Options{}), New(Options{})}
	minute := int64(time.Minute)
	add := func(q *Agg, client uint64, w int64) {
		q.add(w*minute+rng.Int64N(minute), client, 200, -1, -1)
		want[cell{Client: client, Win: w}]++
	}
	for w := range int64(1440) {
		add(parts[w%3], 1, w)   // busy: every minute
		add(parts[w%2], 1, w)   // twice in some
		add(parts[w%3], 2, w/2) // half as busy, windows revisited
		if w%7 == 0 {
			add(parts[w%3], 1000+uint64(w), w) // light, one request each
		}
	}
	for _, q := range parts {
		q.shed(0) // compact, make rows of the busy, as when the cells fill
	}
	parts[0].merge(parts[1])
	parts[0].merge(parts[2])
	q := parts[0]
	if q.dense[1] == nil || q.dense[2] == nil {
		t.Fatalf("no dense rows for the busy clients: %v", q.dense)
	}
	got := map[cell]int64{}
	for client, d := range q.dense {
		for _, c := range d.cellsOf(client) {
			got[c.C] += c.N
		}
	}
	for _, c := range q.cells {
		got[c.C] += c.N
	}
	dropped := int64(0)
	for c, n := range want {
		if got[c] != n {
			dropped += n - got[c]
		}
	}
	if dropped != q.dropped {
		t.Errorf("counts differ from the tally by %d, dropped says %d", dropped, q.dropped)
	}
	for c, n := range want {
		if c.Client <= 2 && got[c] != n {
			t.Errorf("busy client %d window %d: %d, want %d", c.Client, c.Win, got[c], n)
			break
		}
	}
}

// TestSettledMerge counts random cells in three workers, some settled
// (sorted, merged linearly) and some not (appended, sorted later): every
// way gives the plain tally.
func TestSettledMerge(t *testing.T) {
	for _, settled := range [][3]bool{{true, true, true}, {false, true, true}, {true, false, true}, {false, false, false}} {
		rng := rand.New(rand.NewPCG(7, 8))
		want := map[cell]int64{}
		parts := []*Agg{New(Options{}), New(Options{}), New(Options{})}
		minute := int64(time.Minute)
		for range 20000 {
			client, w := uint64(rng.IntN(300)), rng.Int64N(200)
			parts[rng.IntN(3)].add(w*minute, client, 200, -1, -1)
			want[cell{Client: client, Win: w}]++
		}
		for i, q := range parts {
			if settled[i] {
				q.settle()
			}
		}
		parts[0].merge(parts[1])
		parts[0].merge(parts[2])
		q := parts[0]
		got := map[cell]int64{}
		for _, c := range q.allCells() {
			got[c.C] += c.N
		}
		if !maps.Equal(got, want) || q.dropped != 0 {
			t.Errorf("settled %v: %d cells counted, want %d; dropped %d", settled, len(got), len(want), q.dropped)
		}
		if !slices.IsSortedFunc(q.cells, byClientWindow) {
			t.Errorf("settled %v: cells not sorted after allCells", settled)
		}
	}
}

// TestSortCells sorts cells appended in window order (the radix path, with
// clients differing in high bits only too) and out of it, alone or after a
// sorted run (the cells compacted before, merged with the rest): sorted by
// client and window, nothing lost.
func TestSortCells(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, tc := range []struct {
		name    string
		ordered bool
		client  func() uint64
		run     int // the first cells, sorted before the rest are appended
	}{
		{"window order", true, func() uint64 { return rng.Uint64() % 5000 }, 0},
		{"window order, high bits", true, func() uint64 { return uint64(rng.IntN(50)) << 58 }, 0},
		{"window order, full hashes", true, rng.Uint64, 0},
		{"any order", false, func() uint64 { return rng.Uint64() % 5000 }, 0},
		{"a run, then window order", true, func() uint64 { return rng.Uint64() % 5000 }, 15000},
		{"a run, then a few", true, func() uint64 { return rng.Uint64() % 5000 }, 19990},
		{"a run, then any order", false, func() uint64 { return rng.Uint64() % 5000 }, 12000},
		{"a short run, then window order", true, rng.Uint64, 3},
	} {
		var cells []cellCount
		want := map[cell]int64{}
		for i := range 20000 {
			if i == tc.run {
				slices.SortFunc(cells, byClientWindow)
			}
			w := int64(i / 100)
			if !tc.ordered {
				w = rng.Int64N(200)
			}
			c := cellCount{C: cell{Client: tc.client(), Win: w}, N: int64(1 + rng.IntN(9))}
			cells = append(cells, c)
			want[c.C] += c.N
		}
		sortCells(cells)
		got := map[cell]int64{}
		for _, c := range cells {
			got[c.C] += c.N
		}
		if !slices.IsSortedFunc(cells, byClientWindow) || !maps.Equal(got, want) {
			t.Errorf("%s: sorted %v, counts equal %v", tc.name, slices.IsSortedFunc(cells, byClientWindow), maps.Equal(got, want))
		}
	}
}

// TestWindowClients counts one window of 10,000 clients (the table grows
// several times; hash 0 among them), then a window of three: every count
// lands in its cell, and the busy window leaves nothing behind.
func TestWindowClients(t *testing.T) {
	q := New(Options{})
	minute := int64(time.Minute)
	want := map[cell]int64{}
	for i := range 30000 {
		client := uint64(i%10000) * 0x9e3779b97f4a7c15 // 0 for i%10000 == 0
		q.add(minute+int64(i), client, 200, -1, -1)
		want[cell{Client: client, Win: 1}]++
	}
	for i := range 6 {
		client := uint64(i % 3)
		q.add(2*minute+int64(i), client, 200, -1, -1)
		want[cell{Client: client, Win: 2}]++
	}
	got := map[cell]int64{}
	for _, c := range q.allCells() {
		got[c.C] += c.N
	}
	if !maps.Equal(got, want) {
		t.Errorf("%d cells, want %d; window 2: %d %d %d", len(got), len(want), got[cell{Client: 0, Win: 2}], got[cell{Client: 1, Win: 2}], got[cell{Client: 2, Win: 2}])
	}
	if len(q.curCell.used) != 0 || q.curCell.zero != 0 || slices.ContainsFunc(q.curCell.counts, func(n int32) bool { return n != 0 }) {
		t.Errorf("the window's table is not empty after the flush")
	}
}

// TestCursor reads a cursor in ascending order, with repeats, and out of
// order: every value is the map's.
func TestCursor(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	m := map[uint64]int64{}
	for range 500 {
		m[rng.Uint64N(5000)] = 1 + rng.Int64N(100)
	}
	c := newCursor(m)
	var asc []uint64
	for h := range uint64(5000) {
		asc = append(asc, h)
		if h%7 == 0 {
			asc = append(asc, h) // asked twice
		}
	}
	random := make([]uint64, 3000)
	for i := range random {
		random[i] = rng.Uint64N(5000)
	}
	for _, seq := range [][]uint64{asc, random, asc} {
		for _, h := range seq {
			if got := c.get(h); got != m[h] {
				t.Fatalf("get(%d) = %d, want %d", h, got, m[h])
			}
		}
	}
}

// TestWindowClientFlood counts more distinct clients in one window than its
// table holds, each twice: the table stays bounded, the counts exact.
func TestWindowClientFlood(t *testing.T) {
	q := New(Options{})
	minute := int64(time.Minute)
	n := windowClientLimit * 3
	for round := range 2 {
		for i := range n {
			q.add(minute+int64(round*n+i), uint64(i+1)*0x9e3779b97f4a7c15, 200, -1, -1)
			if len(q.curCell.used) > windowClientLimit {
				t.Fatalf("the window's table holds %d clients, past its bound %d", len(q.curCell.used), windowClientLimit)
			}
		}
	}
	cells := q.allCells()
	if len(cells) != n || q.dropped != 0 {
		t.Fatalf("%d cells, %d dropped; want %d and 0", len(cells), q.dropped, n)
	}
	for _, c := range cells {
		if c.N != 2 || c.C.Win != 1 {
			t.Fatalf("cell %+v, want 2 requests in window 1", c)
		}
	}
}

// BenchmarkQuotaCells counts 1,000,000 requests over a month in time
// order, as a worker does: 40 integrations making most of them, 20,000
// addresses making a few each and a one-request address in every seventh,
// so the cells fill and are shed again and again; then it settles them. Compare builds with
//
//	go test -run '^$' -bench QuotaCells -count 8 ./report > new.txt; benchstat old.txt new.txt
func BenchmarkQuotaCells(b *testing.B) {
	const n = 1_000_000
	month := int64(30 * 24 * time.Hour)
	rng := rand.New(rand.NewPCG(3, 4))
	type req struct {
		t      int64
		client uint64
	}
	reqs := make([]req, n)
	for i := range reqs {
		client := uint64(rng.IntN(40)) + 1
		switch i % 7 {
		case 0:
			client = rng.Uint64()
		case 1:
			client = 1000 + uint64(rng.IntN(20000))
		}
		reqs[i] = req{month / n * int64(i), analysis.HashClient(binary.LittleEndian.AppendUint64(nil, client))}
	}
	b.ReportAllocs()
	for b.Loop() {
		q := New(Options{})
		for _, r := range reqs {
			q.add(r.t, r.client, 200, -1, -1)
		}
		q.settle()
	}
}

// TestWindowClientsCrafted does the same for the quota's per-window client
// counts, whose keys are the client hashes themselves.
func TestWindowClientsCrafted(t *testing.T) {
	var w windowClients
	for i := range uint64(3000) {
		w.add(i<<20 | 0x5a5a)
	}
	longest := 0
	for p, k := range w.keys {
		if k != 0 {
			longest = max(longest, (p-analysis.Home(k, len(w.keys)))&(len(w.keys)-1))
		}
	}
	if got := longest; got > 64 {
		t.Errorf("a look-up walks up to %d positions of %d", got, len(w.keys))
	}
}

// TestCellColsAnyOrder encodes cells in no particular order: the wrapping
// deltas must give them back exactly.
func TestCellColsAnyOrder(t *testing.T) {
	cells := []cellCount{{C: cell{Client: ^uint64(0), Win: 60e9}, N: 3}, {C: cell{Client: 1, Win: -5}, N: 1}, {C: cell{Client: 1 << 63, Win: 1 << 62}, N: 7}, {C: cell{Client: 0, Win: 0}, N: 2}, {C: cell{Client: 5, Win: -1 << 62}, N: 9}}
	var cc CellCols
	var prev cell
	for _, c := range cells {
		cc.add(&prev, c.C, c.N)
	}
	i := 0
	cc.each(func(c cell, n int64) {
		if c != cells[i].C || n != cells[i].N {
			t.Errorf("cell %d: %v %d, want %v %d", i, c, n, cells[i].C, cells[i].N)
		}
		i++
	})
	if i != len(cells) {
		t.Errorf("%d cells back, want %d", i, len(cells))
	}
}
