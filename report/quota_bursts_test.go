package report

import (
	"analyze/report/analysis"
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestManyBurstsBounded: a log with a 429 burst and a retry storm every
// other minute, more than analysis.ListLimit of each, read as two files by two
// workers in either order. The lists hold at most analysis.ListLimit, the worst
// ones (by their definition, computed here independently), in time order;
// the totals and bounds are exact, and AllBursts gives every burst.
func TestManyBurstsBounded(t *testing.T) {
	const runs = 3 * analysis.ListLimit
	// Minute 2k: client u<k> is refused c(k) = 1+k%7 times (its first 429
	// opens a retry chain, the others are attempts); minute 2k+1: one
	// success of another client, so the runs do not join.
	c := func(k int) int { return 1 + k%7 }
	logs := map[string][]string{}
	for k := range runs {
		name := "a"
		if k >= runs/2 {
			name = "b"
		}
		for i := range c(k) {
			logs[name] = append(logs[name], qline(fmt.Sprintf("u%03d", k), float64(120*k+i), 429, "-"))
		}
		logs[name] = append(logs[name], qline("ok", float64(120*k+60), 200, "-"))
	}
	// The worst by definition: bursts by 429s, storms (c >= 2: attempts
	// c-1 above 20 % of c requests) by attempts, then share; both then
	// the earliest; listed in time order.
	var bursts, storms []int
	for k := range runs {
		bursts = append(bursts, k)
		if c(k) >= 2 {
			storms = append(storms, k)
		}
	}
	worstFirst := func(a, b int) int { return cmp.Or(cmp.Compare(c(b), c(a)), cmp.Compare(a, b)) }
	slices.SortFunc(bursts, worstFirst)
	slices.SortFunc(storms, worstFirst)
	wantBursts, wantStorms := slices.Sorted(slices.Values(bursts[:analysis.ListLimit])), slices.Sorted(slices.Values(storms[:analysis.ListLimit]))
	start := func(k int) string {
		return time.Date(2025, 3, 12, 10, 2*k, 0, 0, time.UTC).Format(time.RFC3339)
	}

	for _, order := range [][]string{{"a", "b"}, {"b", "a"}} {
		r := runLogs(t, logs, order, 2, QuotaOptions{}, RetryOptions{})
		q, rt := r.Quota, r.Retry
		if got, want := q.BurstsTotal, int64(len(bursts)); got != want {
			t.Errorf("%v: bursts_total %d, want %d", order, got, want)
		}
		if got, want := rt.StormsTotal, int64(len(storms)); got != want {
			t.Errorf("%v: storms_total %d, want %d", order, got, want)
		}
		if len(q.Bursts) != analysis.ListLimit || len(rt.Storms) != analysis.ListLimit {
			t.Fatalf("%v: %d bursts and %d storms listed, want %d each", order, len(q.Bursts), len(rt.Storms), analysis.ListLimit)
		}
		for i, k := range wantBursts {
			b := q.Bursts[i]
			if b.Start != start(k) || b.RateLimited != int64(c(k)) || b.Windows != 1 || !slices.Equal(b.Clients, []string{fmt.Sprintf("u%03d", k)}) {
				t.Fatalf("%v: burst %d is %+v, want the one of minute %d (%s, %d 429s, client u%03d)", order, i, b, 2*k, start(k), c(k), k)
			}
		}
		for i, k := range wantStorms {
			s := rt.Storms[i]
			if s.Start != start(k) || s.Attempts != int64(c(k)-1) || s.Requests != int64(c(k)) {
				t.Fatalf("%v: storm %d is %+v, want the one of minute %d (%s, %d attempts)", order, i, s, 2*k, start(k), c(k)-1)
			}
		}
		b := r.Bounds
		if b.QuotaBurstsUnlisted != int64(len(bursts)-analysis.ListLimit) || b.RetryStormsUnlisted != int64(len(storms)-analysis.ListLimit) {
			t.Errorf("%v: bounds %+v, want %d bursts and %d storms unlisted", order, b, len(bursts)-analysis.ListLimit, len(storms)-analysis.ListLimit)
		}
		// The totals, not the lists' lengths (the Prometheus output's
		// analyze_quota_bursts and analyze_retry_storms).
		if q.BurstsTotal != int64(len(bursts)) || rt.StormsTotal != int64(len(storms)) {
			t.Errorf("%v: totals %d bursts and %d storms, want %d and %d", order, q.BurstsTotal, rt.StormsTotal, len(bursts), len(storms))
		}
		var all []Burst
		for b := range q.AllBursts() {
			all = append(all, b)
		}
		if len(all) != len(bursts) || all[0].Start != start(0) || all[len(all)-1].Start != start(runs-1) {
			t.Errorf("%v: AllBursts gave %d, from %v to %v; want %d", order, len(all), all[0], all[len(all)-1], len(bursts))
		}
	}
}
