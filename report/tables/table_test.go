package tables

import (
	"analyze/report/analysis"
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestTableFolds(t *testing.T) {
	tb := NewTable(10)
	var total int64
	for i := range 1000 {
		key := []byte("k" + strconv.Itoa(i%50))
		if i%3 == 0 {
			key = []byte("heavy")
		}
		tb.Get(key).Requests++
		total++
	}
	if tb.Len() > 10 || tb.Folded == 0 {
		t.Errorf("len %d folded %d", tb.Len(), tb.Folded)
	}
	var kept int64
	for _, e := range tb.Top(-1, ByRequests) {
		kept += e.Requests
	}
	if kept+tb.Other.Requests != total {
		t.Errorf("kept %d + other %d != %d", kept, tb.Other.Requests, total)
	}
	if top := tb.Top(1, ByRequests); top[0].Key != "heavy" || top[0].Requests != 334 {
		t.Errorf("top %+v: the heavy key must survive folding exactly", top)
	}
	small := NewTable(100)
	small.Get([]byte("a")).Requests = 2
	other := NewTable(100)
	other.Get([]byte("a")).Requests = 3
	other.Get([]byte("b")).Requests = 1
	small.Merge(other)
	if small.Get([]byte("a")).Requests != 5 || small.Get([]byte("b")).Requests != 1 || small.Folded != 0 {
		t.Errorf("merge: %+v", small.Top(-1, ByRequests))
	}
}

// TestTableAgainstMap counts random keys in a Table and in a map. Below
// the limit every key's count is the map's (the index grows and probes
// over many keys), merging two tables adds them up, and a Get made with
// the key's own hash or without it finds the same counts. Past the limit,
// nothing is lost: kept and folded add up to the total, the heavy keys
// stay exact, and no kept key has more than its true count.
func TestTableAgainstMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	key := func() []byte {
		if rng.IntN(4) == 0 {
			return fmt.Appendf(nil, "heavy-%d", rng.IntN(8))
		}
		return fmt.Appendf(nil, "10.%d.%d", rng.IntN(200), rng.IntN(150))
	}
	want := map[string]int64{}
	exact, other, folding := NewTable(1<<20), NewTable(1<<20), NewTable(1000)
	var total int64
	for i := range 200000 {
		k := key()
		want[string(k)]++
		total++
		tb := exact
		if i%2 == 1 {
			tb = other
		}
		if i%3 == 0 {
			tb.GetHashed(k, analysis.HashClient(k)).Requests++
		} else {
			tb.Get(k).Requests++
		}
		folding.Get(k).Requests++
	}
	exact.Merge(other)
	if exact.Len() != len(want) || exact.Folded != 0 {
		t.Fatalf("merged: %d keys, %d folded; want %d keys", exact.Len(), exact.Folded, len(want))
	}
	for k, n := range want {
		if got := exact.Get([]byte(k)).Requests; got != n {
			t.Fatalf("%s: %d requests, want %d", k, got, n)
		}
	}
	if folding.Len() > 1000 || folding.Folded == 0 {
		t.Fatalf("folding table: %d keys, %d folded", folding.Len(), folding.Folded)
	}
	kept := folding.Top(-1, ByRequests)
	sum := folding.Other.Requests
	for _, e := range kept {
		sum += e.Requests
		if e.Requests > want[e.Key] {
			t.Errorf("%s: %d requests kept, more than its %d", e.Key, e.Requests, want[e.Key])
		}
	}
	if sum != total {
		t.Errorf("kept and folded add up to %d, want %d", sum, total)
	}
	for i := range 8 {
		k := fmt.Sprintf("heavy-%d", i)
		if kept[i].Key[:6] != "heavy-" || kept[i].Requests != want[kept[i].Key] {
			t.Errorf("%s: the heavy keys must stay exact: %+v", k, kept[i])
		}
	}
}

// TestTableTop picks the top n of a table of many keys, with ties, by
// bounded insertion: the same entries, in the same order, as sorting all.
func TestTableTop(t *testing.T) {
	tb := NewTable(10000)
	rng := rand.New(rand.NewPCG(13, 14))
	for i := range 5000 {
		c := tb.Get([]byte(fmt.Sprintf("k%04d", i)))
		c.Requests = rng.Int64N(50)
		c.Class[3] = rng.Int64N(3)
	}
	for _, order := range []func(a, b *Counts) int{ByRequests, ByErrors} {
		all := tb.Top(-1, order)
		for _, n := range []int{0, 1, 7, 100, 624, 625, 5000, 6000} {
			got, want := tb.Top(n, order), all[:min(n, len(all))]
			if len(got) != len(want) {
				t.Fatalf("Top(%d): %d entries, want %d", n, len(got), len(want))
			}
			for i := range got {
				if got[i].Key != want[i].Key {
					t.Fatalf("Top(%d)[%d] = %s, want %s", n, i, got[i].Key, want[i].Key)
				}
			}
		}
	}
}

// BenchmarkTableFlood counts 200,000 requests into a table of 20,000 keys:
// five heavy clients and a flood of one-request addresses, as a public
// API's log has, so the table folds again and again.
//
//	go test -run '^$' -bench TableFlood -count 10 ./report > new.txt; benchstat old.txt new.txt
func BenchmarkTableFlood(b *testing.B) {
	keys := make([][]byte, 200000)
	for i := range keys {
		if i%4 != 0 {
			keys[i] = []byte(fmt.Sprintf("integration-%d", i%5))
		} else {
			keys[i] = []byte(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		tb := NewTable(ClientLimit)
		for _, k := range keys {
			tb.Get(k).Requests++
		}
	}
}

// TestTableCraftedKeys fills a table with keys whose hashes share their low
// 10 bits, as a log made to slow the tool down would: their positions are
// spread all the same (home), so no look-up walks far.
func TestTableCraftedKeys(t *testing.T) {
	tb := NewTable(1 << 20)
	for i, n := 0, 0; n < 1000; i++ {
		k := fmt.Appendf(nil, "client-%d", i)
		if analysis.HashClient(k)&0x3ff != 0 {
			continue
		}
		tb.GetHashed(k, analysis.HashClient(k)).Requests++
		n++
	}
	if got := longestWalk(tb.index, func(e tagged) uint64 { return tb.slots[e.slot()].hash }); got > 64 {
		t.Errorf("a look-up walks up to %d positions of %d for %d keys", got, len(tb.index), tb.Len())
	}
}

// TestTableKeyBytes counts keys of 100 KB each, as a log of long user
// names would have: the table folds to stay within its key bytes, and
// nothing is lost.
func TestTableKeyBytes(t *testing.T) {
	tb := NewTable(ClientLimit)
	long := bytes.Repeat([]byte("u"), 100<<10)
	var total int64
	for i := range 400 {
		k := fmt.Appendf(long[:len(long):len(long)], "-%d", i)
		tb.Get(k).Requests += int64(1 + i%3)
		total += int64(1 + i%3)
	}
	if len(tb.keys) > tableKeyBytes+len(long)+16 || tb.Folded == 0 {
		t.Errorf("%d key bytes kept (bound %d), %d folded", len(tb.keys), tableKeyBytes, tb.Folded)
	}
	sum := tb.Other.Requests
	for _, e := range tb.Top(-1, ByRequests) {
		sum += e.Requests
	}
	if sum != total {
		t.Errorf("kept and folded add up to %d, want %d", sum, total)
	}
}

// longestWalk returns how far the farthest entry of an open-addressing
// table sits from its home position; zero values are empty positions.
func longestWalk[E comparable](positions []E, hash func(E) uint64) int {
	var zero E
	longest := 0
	for p, e := range positions {
		if e != zero {
			longest = max(longest, (p-analysis.Home(hash(e), len(positions)))&(len(positions)-1))
		}
	}
	return longest
}
