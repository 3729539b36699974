package retry

import (
	"analyze/classify"
	"analyze/report/analysis"
	"testing"
	"time"
)

// TestMaybeRebuild passes the marks that make a prune rebuild the bitset
// of identities with state, with a chain open across the rebuild: its
// success still finds it.
func TestMaybeRebuild(t *testing.T) {
	tr := NewTracker(Options{Window: time.Minute})
	sec := int64(time.Second)
	// "No" failures enough to pass the rebuild mark, in the first 14 s.
	for i := range maybeRebuild + 10 {
		tr.consume(&analysis.Event{Time: int64(i) * sec / 10000, Client: 2, Identity: uint64(1000 + i), Status: 404, RetryAfter: -1, Policy: classify.No, Failure: true})
	}
	chain := &analysis.FailInfo{Client: "erp", Method: "GET", Target: "/a", Endpoint: "/a", Status: 503}
	tr.consume(&analysis.Event{Time: 50 * sec, Client: 1, Identity: 42, Status: 503, RetryAfter: -1, Policy: classify.Backoff, Failure: true, Info: chain})
	// A prune after the failures' window: they are forgotten, and the
	// bitset rebuilt holds the open chain only.
	tr.consume(&analysis.Event{Time: 75 * sec, Client: 3, Identity: 7, Status: 200, RetryAfter: -1})
	if tr.marks != 1 || len(tr.noFails) != 0 {
		t.Errorf("after the rebuild: %d marks, %d failures remembered; want 1 and 0", tr.marks, len(tr.noFails))
	}
	tr.consume(&analysis.Event{Time: 80 * sec, Client: 1, Identity: 42, Status: 200, RetryAfter: -1})
	if tr.total.recovered != 1 {
		t.Errorf("recovered %d, want the chain open across the rebuild", tr.total.recovered)
	}
}
