package report

import (
	"testing"
	"time"

	"analyze/ingest"
)

// TestRowLatency checks that every row the analyses are handed carries
// its logged duration, in the --since/--until span or not: the incidents
// read the rows outside it too, and a registered analysis may.
func TestRowLatency(t *testing.T) {
	since := time.Unix(1_700_000_000, 0)
	s := NewSummary(Config{Filter: Filter{Since: since}})
	for _, tc := range []struct {
		name       string
		at         time.Time
		duration   time.Duration
		wantInSpan bool
		wantLogged bool
	}{
		{"in the span, logged", since.Add(time.Minute), 250 * time.Millisecond, true, true},
		{"in the span, not logged", since.Add(time.Minute), -1, true, false},
		{"before the span, logged", since.Add(-time.Minute), 250 * time.Millisecond, false, true},
		{"before the span, not logged", since.Add(-time.Minute), -1, false, false},
	} {
		s.batch.Reset()
		r := &ingest.Record{File: &ingest.File{}, Time: tc.at, Status: 503, Method: []byte("GET"),
			Path: []byte("/api/products"), Client: []byte("10.0.0.1"),
			Duration: tc.duration, Upstream: -1, RetryAfter: -1, RateLimit: -1, RateRemaining: -1, RateReset: -1}
		s.Add(r, nil)
		if len(s.batch.Rows) != 1 {
			t.Fatalf("%s: %d rows in the batch, want 1", tc.name, len(s.batch.Rows))
		}
		row := s.batch.Rows[0]
		if row.InSpan != tc.wantInSpan || row.Latency.Logged != tc.wantLogged {
			t.Errorf("%s: in span %v, latency logged %v; want %v, %v", tc.name, row.InSpan, row.Latency.Logged, tc.wantInSpan, tc.wantLogged)
		}
	}
	// The report's latency counts the rows in the span only.
	if s.Latency == nil || s.Latency.GetCount() != 1 {
		t.Errorf("the report's latency holds %v durations, want the one in the span", s.Latency)
	}
}
