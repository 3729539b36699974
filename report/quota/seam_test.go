package quota

import (
	"maps"
	"testing"
	"time"

	"analyze/report/analysis"
)

// TestWindowRequests reads a window's traffic as the retry storms do: the
// quota's count for windows as long as its own, 0 for any other length.
func TestWindowRequests(t *testing.T) {
	minute := int64(time.Minute)
	q := New(Options{})
	var b analysis.Batch
	for i := range 5 {
		b.Rows = append(b.Rows, analysis.Row{Time: 3*minute + int64(i), ClientID: uint64(i % 2), Status: 200, InSpan: true, RateLimit: -1, RateRemaining: -1})
	}
	b.Rows = append(b.Rows, analysis.Row{Time: 4 * minute, ClientID: 1, Status: 200, RateLimit: -1, RateRemaining: -1}) // out of span
	q.Add(&b)
	q.Settle()
	for _, tc := range []struct {
		name   string
		win, w int64
		want   int64
	}{
		{"the window", minute, 3, 5},
		{"out of span", minute, 4, 0},
		{"an empty window", minute, 2, 0},
		{"windows of another length", 2 * minute, 3, 0},
	} {
		if got := q.WindowRequests(tc.win, tc.w); got != tc.want {
			t.Errorf("%s: WindowRequests(%d, %d) = %d, want %d", tc.name, tc.win, tc.w, got, tc.want)
		}
	}
}

// TestBehaviourConsume reads the answers to two 429s, one before its
// logged Retry-After, one after the default (--retry-after): one event at a
// time or in a batch, the figures are the same, and they survive a stored
// run and a carry.
func TestBehaviourConsume(t *testing.T) {
	sec := int64(time.Second)
	evs := []analysis.Event{
		{Time: 0, Client: 1, Status: 429, RetryAfter: 10},
		{Time: 5 * sec, Client: 1, Status: 200, RetryAfter: -1}, // 5 s after: a violation
		{Time: 20 * sec, Client: 1, Status: 429, RetryAfter: -1},
		{Time: 30 * sec, Client: 1, Status: 200, RetryAfter: -1}, // 10 s after the default's 3 s: fine
		{Time: 31 * sec, Client: 2, Status: 200, RetryAfter: -1}, // no 429 before: not an answer
		{Time: 40 * sec, Client: 3, Status: 429, RetryAfter: -1}, // still waiting at the end
	}
	one, batch := NewBehaviour(Options{RetryAfter: 3 * time.Second}), NewBehaviour(Options{RetryAfter: 3 * time.Second})
	for i := range evs {
		one.Consume(evs[i : i+1]) // one at a time
	}
	batch.Consume(evs)
	want := map[uint64]BehaviourSnap{1: {After: 2, Violations: 1, GapSum: 15 * sec}, 3: {}}
	for name, b := range map[string]*Behaviour{"one at a time": one, "batch": batch} {
		if got, dropped := b.Snap(); !maps.Equal(got, want) || dropped != 0 {
			t.Errorf("%s: %v, %d dropped; want %v, 0", name, got, dropped, want)
		}
	}
	// Stored and merged into another run's: the counts add up.
	stored, dropped := one.Snap()
	batch.MergeSnap(stored, dropped)
	if got, _ := batch.Snap(); got[1] != (BehaviourSnap{4, 2, 30 * sec}) {
		t.Errorf("merged: %v, want the counts doubled", got[1])
	}
	// Carried: the next run's first request of client 3 answers its 429.
	next := NewBehaviour(Options{RetryAfter: 3 * time.Second})
	next.Resume(one.Waits())
	next.Consume([]analysis.Event{{Time: 41 * sec, Client: 3, Status: 200, RetryAfter: -1}})
	if got, _ := next.Snap(); got[3] != (BehaviourSnap{1, 1, sec}) {
		t.Errorf("carried 429: %v, want one answer, a violation, 1 s after", got[3])
	}
}
