package report

import (
	"analyze/report/tables"
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"analyze/ingest"
	"analyze/report/quota"
	"analyze/report/retry"
)

// TestResourceBounds feeds a million lines that are all different: a new
// path, client and user agent on each (so the pair tables of error paths
// and user agents fold too), and each a 503 on an idempotent
// request within one retry window, so a million retry chains would be
// open at once. Every structure must stay within its bound, the report
// must say which bounds were hit, and the live heap after the run must
// stay far below what keeping everything would take.
func TestResourceBounds(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: a million lines")
	}
	path := filepath.Join(t.TempDir(), "distinct.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	const n = 1_000_000
	for i := range n {
		// Spread over 5 minutes: all within one 10-minute retry window.
		fmt.Fprintf(w, `10.%d.%d.%d - - [12/Mar/2025:10:%02d:%02d +0000] "GET /api/p%d/x%d HTTP/1.1" 503 1 "-" "agent-%d"`+"\n",
			i>>16&255, i>>8&255, i&255, i*300/n/60, i*300/n%60, i, i*7, i)
	}
	w.Flush()
	f.Close()

	files, _ := ingest.Expand([]string{path}, false)
	sum, err := Aggregate(t.Context(), files, ingest.Options{Workers: 2}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := Build(sum, files, Filter{}, Options{Top: 10})
	if sum.Endpoints.Len() > endpointLimit || sum.Clients.Len() > clientLimit {
		t.Errorf("tables hold %d endpoints and %d clients; bounds %d, %d", sum.Endpoints.Len(), sum.Clients.Len(), endpointLimit, clientLimit)
	}
	for _, pt := range []*tables.Table{sum.ErrorPaths, sum.Agents} {
		if pt.Len() > tables.PairLimit || pt.KeyBytes() > tables.PairKeyBytes {
			t.Errorf("a pair table holds %d pairs, %d key bytes; bounds %d, %d", pt.Len(), pt.KeyBytes(), tables.PairLimit, tables.PairKeyBytes)
		}
	}
	if rb := sum.retries.Bounds(); rb.OpenChains > retry.OpenChainLimit || rb.Clients > retry.ClientLimit || sum.quota.Cells() > 2*quota.CellLimit {
		t.Errorf("open chains %d, retry clients %d, quota cells %d", rb.OpenChains, rb.Clients, sum.quota.Cells())
	}
	// Five minutes of a million distinct failures: each minute's lists fold
	// to their heaviest values, so no minute loses its detail whole (the
	// minutes' own bounds: timeline.TestMinuteAggBounds).
	if b := r.Bounds; b.TimelineFailuresDropped != 0 || b.TimelineDetailsFolded == 0 {
		t.Errorf("incidents' minutes: %d failures dropped, %d values folded; want none dropped, some folded", b.TimelineFailuresDropped, b.TimelineDetailsFolded)
	}
	b := r.Bounds
	if b.EndpointsFolded == 0 || b.ClientsFolded == 0 || b.TimelineDetailsFolded == 0 || b.RetryChainsUntracked == 0 || b.RetryClientsDropped == 0 || b.ErrorPathsFolded == 0 || b.UserAgentsFolded == 0 || !b.Hit() {
		t.Errorf("bounds hit but not all reported: %+v", b)
	}
	if r.Input.Records != n || r.Classes.ServerError != n {
		t.Errorf("records %d, 5xx %d; want %d each", r.Input.Records, r.Classes.ServerError, n)
	}
	if got := r.Retry.RetryableFailures + b.RetryChainsUntracked; got != n {
		t.Errorf("chains %d + untracked %d = %d, want every failure accounted (%d)", r.Retry.RetryableFailures, b.RetryChainsUntracked, got, n)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(sum) // the aggregates themselves are what is measured
	if ms.HeapAlloc > 600<<20 {
		t.Errorf("live heap %d MB after a million distinct lines; the bounds should keep it well under 600 MB", ms.HeapAlloc>>20)
	}
	t.Logf("live heap after the run: %d MB; bounds: %+v", ms.HeapAlloc>>20, b)
}
