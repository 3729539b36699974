package retry

import (
	"testing"
	"time"

	"analyze/classify"
	"analyze/report/analysis"
)

// TestOpenResume carries a chain and a "no" failure open at the end of one
// run to the next (Open, Resume): the next run's success recovers the
// chain, its repeat counts against the failure, and a stored run's
// counters merge into another tracker's.
func TestOpenResume(t *testing.T) {
	sec := int64(time.Second)
	info := &analysis.FailInfo{Client: "erp", Method: "GET", Target: "/a", Endpoint: "/a", Status: 503}
	first := NewTracker(Options{Window: time.Minute})
	first.Consume([]analysis.Event{
		{Time: 0, Client: 1, Identity: 42, Status: 503, RetryAfter: -1, Policy: classify.Backoff, Failure: true, Info: info},
		{Time: sec, Client: 1, Identity: 7, Status: 404, RetryAfter: -1, Policy: classify.No, Failure: true},
	})
	first.Prune(2 * sec)
	chains, noFails := first.Open()
	if len(chains) != 1 || len(noFails) != 1 || chains[0].Info != *info {
		t.Fatalf("open: %d chains, %d failures (%+v); want 1 and 1", len(chains), len(noFails), chains)
	}
	next := NewTracker(Options{Window: time.Minute})
	next.Resume(chains, noFails)
	for i := range 2 {
		next.Consume([]analysis.Event{{Time: (10 + int64(i)) * sec, Client: 1, Identity: []uint64{7, 42}[i], Status: []int16{404, 200}[i], RetryAfter: -1,
			Policy: []classify.Policy{classify.No, classify.No}[i], Failure: i == 0}})
	}
	got := next.Snap().Total
	if got.Recovered != 1 || got.Attempts != 1 || got.Repeats != 1 || got.Chains != 0 {
		t.Errorf("next run: %d recovered, %d attempts, %d repeats, %d chains opened; want 1, 1, 1, 0 (opened in the first run)",
			got.Recovered, got.Attempts, got.Repeats, got.Chains)
	}
	stored := first.Snap()
	if err := next.MergeSnap(&stored); err != nil {
		t.Fatal(err)
	}
	if got := next.Snap().Total; got.Chains != 1 || got.Recovered != 1 {
		t.Errorf("merged: %d chains, %d recovered; want 1 and 1", got.Chains, got.Recovered)
	}
	if b := next.Bounds(); b.OpenChains != 0 || b.Untracked != 0 {
		t.Errorf("bounds %+v, want no chain open, none untracked", b)
	}
}
