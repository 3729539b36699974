package timeline

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// TestCellKey packs cells at the edges of each part and reads them back.
func TestCellKey(t *testing.T) {
	for _, tc := range []struct {
		g     groupKey
		field int8
		id    uint32
	}{
		{groupKey{0, kindServer}, fieldEndpoint, 0},
		{groupKey{cellWinLimit - 1, kindLimited}, fieldAgent, math.MaxUint32},
		{groupKey{29_000_000, kindLimited}, fieldHost, 12345}, // a minute of 2025
		{groupKey{1, kindServer}, fieldPath, 1 << 31},
	} {
		c := cellOf(tc.g, tc.field, tc.id)
		if c.group() != tc.g || c.field() != tc.field || c.id() != tc.id {
			t.Errorf("cellOf(%v, %d, %d) reads back %v, %d, %d", tc.g, tc.field, tc.id, c.group(), c.field(), c.id())
		}
		w := c.withWin(7)
		if w.group() != (groupKey{7, tc.g.kind}) || w.field() != tc.field || w.id() != tc.id {
			t.Errorf("withWin(7) of %v: %v, %d, %d", tc.g, w.group(), w.field(), w.id())
		}
		i := c.withID(42)
		if i.group() != tc.g || i.field() != tc.field || i.id() != 42 {
			t.Errorf("withID(42) of %v: %v, %d, %d", tc.g, i.group(), i.field(), i.id())
		}
	}
	for _, w := range []int64{-1, cellWinLimit, math.MaxInt64} {
		if packable(w) {
			t.Errorf("packable(%d) = true", w)
		}
	}
}

// TestIDsCompact fills a minute's lists with many more distinct paths than
// they keep: the ids of the values cut from them are reclaimed, and every
// kept value still reads back.
func TestIDsCompact(t *testing.T) {
	a := NewMinuteAgg()
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC).UnixNano()
	const n = 100_000
	for i := range n {
		a.add(t0+int64(i), 503, &failure{endpoint: []byte("/e"), path: fmt.Appendf(nil, "/p/%d", i), client: 1})
	}
	if len(a.ids.strs) > 2*len(a.strs)+4096 || len(a.ids.strs) >= n/2 {
		t.Errorf("%d ids for %d cells after %d distinct paths: the ids of the folded paths are not reclaimed", len(a.ids.strs), len(a.strs), n)
	}
	for c := range a.strs {
		if id, ok := a.ids.ids[a.str(c)]; !ok || id != c.id() {
			t.Fatalf("cell %x: value %q has id %d, %v", uint64(c), a.str(c), id, ok)
		}
	}
	if got := strCount(a, groupKey{t0 / detectWidth, kindServer}, fieldEndpoint, "/e"); got != n {
		t.Errorf("/e: %d failures, want %d", got, n)
	}
}

// TestUnpackableWindow: a failure before 1970 (never from the Scanner)
// loses its detail, counted as dropped, and a stored cell at such a window
// is skipped; neither panics.
func TestUnpackableWindow(t *testing.T) {
	a := NewMinuteAgg()
	a.add(-int64(time.Hour), 503, &failure{endpoint: []byte("/e"), client: 1})
	if a.dropped != 1 || len(a.strs) != 0 {
		t.Errorf("a failure before 1970: dropped %d, %d cells; want 1, 0", a.dropped, len(a.strs))
	}
	b := NewMinuteAgg()
	b.Restore(&DetectSnap{DetectWidth: detectWidth, FailStrs: []FailStrSnap{{Win: -5, Field: fieldEndpoint, S: "/e", N: 3}, {Win: 5, Kind: 9, S: "/e", N: 1}}}, 0)
	if len(b.strs) != 0 {
		t.Errorf("stored cells no run can write: %d kept", len(b.strs))
	}
}
