package timeline

import (
	"analyze/report/analysis"
	"fmt"
	"testing"
	"time"
)

// strCount returns the failures of value s in list field of group g.
func strCount(a *MinuteAgg, g groupKey, field int8, s string) int64 {
	id, ok := a.ids.ids[s]
	if !ok {
		return 0
	}
	return a.strs[cellOf(g, field, id)]
}

// groupTotals sums each list of each group: its values kept and folded.
func groupTotals(a *MinuteAgg) map[groupKey][fieldCount]int64 {
	n := map[groupKey][fieldCount]int64{}
	for k, c := range a.strs {
		v := n[k.group()]
		v[k.field()] += c
		n[k.group()] = v
	}
	for k, c := range a.clients {
		v := n[k.groupKey]
		v[fieldClient] += c
		n[k.groupKey] = v
	}
	for g, d := range a.groups {
		v := n[g]
		for f, c := range d.other {
			v[f] += c
		}
		n[g] = v
	}
	return n
}

// TestGroupFold fills one group's lists past the bound with values of one
// failure and a few heavy ones arriving last, alone, merged from shards,
// through a stored run and widened: the heavy values keep their exact
// counts, no list holds 2*groupKeep values past what came since the last
// cut, every list accounts for every failure (kept + folded), and a group
// under the bound is exact.
func TestGroupFold(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC).UnixNano()
	const light = 3 * groupKeep
	fill := func(a *MinuteAgg, from, to int) {
		for i := from; i < to; i++ {
			f := &failure{endpoint: []byte(fmt.Sprint("/e/", i)), host: []byte(fmt.Sprint("h", i)), path: []byte(fmt.Sprint("/p/", i)),
				agent: []byte(fmt.Sprint("ua", i)), client: uint64(1000 + i)}
			if i >= light { // the heavy ones: 4 values of 10 failures each
				j := i % 4
				f = &failure{endpoint: []byte(fmt.Sprint("/E/", j)), host: []byte(fmt.Sprint("H", j)), path: []byte(fmt.Sprint("/P/", j)),
					agent: []byte(fmt.Sprint("UA", j)), client: uint64(j)}
			}
			a.add(t0+int64(i), 503, f)
		}
		// Another minute, under the bound: exact.
		a.add(t0+int64(time.Minute), 503, &failure{endpoint: []byte("/x"), client: 7})
	}
	one := NewMinuteAgg()
	fill(one, 0, light+40)
	x, y := NewMinuteAgg(), NewMinuteAgg()
	fill(x, 0, light/2)
	fill(y, light/2, light+40)
	x.merge(y)
	stored := NewMinuteAgg()
	d := one.Snap()
	stored.Restore(&d, one.dropped)
	widened := NewMinuteAgg()
	d = one.Snap()
	widened.Restore(&d, one.dropped)
	widened.widen(5 * detectWidth)

	g := groupKey{analysis.FloorDiv(t0, detectWidth), kindServer}
	for _, tc := range []struct {
		name  string
		a     *MinuteAgg
		other int64 // failures of the light minute in the group: an endpoint and a client only
	}{
		{"one shard", one, 0}, {"merged", x, 0}, {"stored", stored, 0}, {"widened", widened, 1},
	} {
		a := tc.a
		g := groupKey{analysis.FloorDiv(g.win*detectWidth, a.width), kindServer}
		want := int64(light + 40 + tc.other)
		for f, n := range groupTotals(a)[g] {
			w := want
			if f != int(fieldEndpoint) && f != int(fieldClient) {
				w -= tc.other
			}
			if n != w {
				t.Errorf("%s: list %d accounts for %d failures, want %d", tc.name, f, n, w)
			}
		}
		for j := range 4 {
			for field, s := range map[int8]string{fieldEndpoint: "/E/", fieldHost: "H", fieldPath: "/P/", fieldAgent: "UA"} {
				if n := strCount(a, g, field, fmt.Sprint(s, j)); n != 10 {
					t.Errorf("%s: %s%d has %d failures, want 10", tc.name, s, j, n)
				}
			}
			if n := a.clients[failHash{g, uint64(j)}]; n != 10 {
				t.Errorf("%s: client %d has %d failures, want 10", tc.name, j, n)
			}
		}
		if n := a.groupFailures()[g]; n != want {
			t.Errorf("%s: the group counts %d failures, want %d", tc.name, n, want)
		}
		gd := a.groups[g]
		if gd == nil {
			t.Fatalf("%s: no index of the group", tc.name)
		}
		// Cut lists hold fewer than 2*groupKeep; since the last cut, a list
		// grew by at most the values added since.
		for f, n := range gd.n {
			if int(n) >= 2*groupKeep+a.grown {
				t.Errorf("%s: list %d holds %d values, bound %d + %d added since the last cut", tc.name, f, n, 2*groupKeep, a.grown)
			}
		}
		var counted [fieldCount]int32
		for k := range a.strs {
			if k.group() == g {
				counted[k.field()]++
			}
		}
		for k := range a.clients {
			if k.groupKey == g {
				counted[fieldClient]++
			}
		}
		if counted != gd.n {
			t.Errorf("%s: the group holds %v values, its counts say %v", tc.name, counted, gd.n)
		}
		if a.folded == 0 || a.dropped != 0 {
			t.Errorf("%s: folded %d, dropped %d; want some folded, none dropped", tc.name, a.folded, a.dropped)
		}
	}
	// The minute under the bound is exact.
	if n := strCount(one, groupKey{analysis.FloorDiv(t0, detectWidth) + 1, kindServer}, fieldEndpoint, "/x"); n != 1 {
		t.Errorf("the light minute's endpoint: %d failures, want 1", n)
	}
}
