package timeline

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"analyze/classify"
	"analyze/report/analysis"
)

// TestMinuteAggPrune fills the failure detail past its limit with light
// minutes, then an incident's heavy minute: the heavy minute keeps its
// detail, the light ones lose theirs whole, and every failure is either
// kept or counted as dropped.
func TestMinuteAggPrune(t *testing.T) {
	a := NewMinuteAgg()
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	var failures int64
	add := func(t int64, path string) {
		a.add(t, 503, &failure{endpoint: []byte("/x/{id}"), client: 1, path: []byte(path)})
		failures++
	}
	// Light minutes: one failure each, on a path of its own.
	for i := range failEntryLimit / 2 {
		add(t0+int64(i)*int64(time.Minute), fmt.Sprint("/x/", i))
	}
	heavy := t0 + int64(failEntryLimit/2)*int64(time.Minute)
	for i := range 50 {
		add(heavy+int64(i), fmt.Sprint("/x/h", i%5))
	}
	kept := int64(0)
	for _, n := range a.groupFailures() {
		kept += n
	}
	if a.dropped == 0 || kept+a.dropped != failures {
		t.Fatalf("kept %d + dropped %d failures, want %d in all and some dropped", kept, a.dropped, failures)
	}
	if n := a.groupFailures()[groupKey{analysis.FloorDiv(heavy, a.width), kindServer}]; n != 50 {
		t.Errorf("the heavy minute keeps %d failures' detail, want 50", n)
	}
	if len(a.strs)+len(a.clients) >= failEntryLimit {
		t.Errorf("%d entries, limit %d", len(a.strs)+len(a.clients), failEntryLimit)
	}
	// A pruned minute stays without detail: a later failure in it is dropped.
	before := a.dropped
	add(t0, "/x/late")
	if a.dropped != before+1 {
		t.Errorf("a failure in a pruned minute: dropped %d, want %d", a.dropped, before+1)
	}
}

// TestMinuteAggBounds feeds two workers' minutes with a million failures
// that are all different (report's TestResourceBounds: a path, client and
// user agent of their own each, a 503 each, over five minutes) in
// alternate blocks, and merges them: each minute's lists fold to their
// heaviest values, so no minute loses its detail whole, every failure is
// kept or folded, and the detail stays within its bounds.
func TestMinuteAggBounds(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: a million rows")
	}
	const n = 1_000_000
	const block = 4096
	t0 := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC).UnixNano()
	workers := []*MinuteAgg{NewMinuteAgg(), NewMinuteAgg()}
	var b analysis.Batch
	for i := range n {
		path := fmt.Appendf(nil, "/api/p%d/x%d", i, i*7)
		b.Rows = append(b.Rows, analysis.Row{Time: t0 + int64(i*300/n)*int64(time.Second), Status: 503, ClientID: uint64(i),
			Endpoint: b.Copy(analysis.Cut(classify.Template(nil, path), analysis.MaxKeyBytes)), Method: b.Copy([]byte("GET")), Path: b.Copy(path),
			UserAgent: b.Copy(fmt.Appendf(nil, "agent-%d", i))})
		if len(b.Rows) == block || i == n-1 {
			workers[i/block%2].Add(&b)
			b.Reset()
		}
	}
	d := workers[0]
	d.Merge(workers[1])
	if len(d.strs)+len(d.clients) > 2*failEntryLimit || len(d.minutes) > minuteCap || d.dropped != 0 || d.folded == 0 {
		t.Errorf("incidents' minutes: %d failure entries (bound %d merged), %d minutes (bound %d), %d failures dropped, %d values folded; want none dropped, some folded",
			len(d.strs)+len(d.clients), 2*failEntryLimit, len(d.minutes), minuteCap, d.dropped, d.folded)
	}
	kept := int64(0)
	for g, c := range d.groupFailures() {
		kept += c
		if gd := d.groups[g]; gd == nil || slices.ContainsFunc(gd.n[:], func(c int32) bool { return int(c) >= 2*groupKeep+d.grown }) {
			t.Errorf("minute %d: lists past their bound %d", g.win, 2*groupKeep)
		}
	}
	if kept != n {
		t.Errorf("the minutes' detail accounts for %d failures, want %d", kept, n)
	}
}
