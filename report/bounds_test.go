package report

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
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
	for _, pt := range []*Table{sum.ErrorPaths, sum.Agents} {
		if pt.Len() > pairLimit || len(pt.keys) > pairKeyBytes {
			t.Errorf("a pair table holds %d pairs, %d key bytes; bounds %d, %d", pt.Len(), len(pt.keys), pairLimit, pairKeyBytes)
		}
	}
	if rb := sum.retries.Bounds(); rb.OpenChains > retry.OpenChainLimit || rb.Clients > retry.ClientLimit || sum.quota.Cells() > 2*quota.CellLimit {
		t.Errorf("open chains %d, retry clients %d, quota cells %d", rb.OpenChains, rb.Clients, sum.quota.Cells())
	}
	// Five minutes of a million distinct failures: each minute's lists fold
	// to their heaviest values, so no minute loses its detail whole.
	if d := sum.det; len(d.strs)+len(d.clients) > 2*failEntryLimit || len(d.minutes) > minuteCap || d.dropped != 0 || d.folded == 0 {
		t.Errorf("incidents' minutes: %d failure entries (bound %d merged), %d minutes (bound %d), %d failures dropped, %d values folded; want none dropped, some folded",
			len(d.strs)+len(d.clients), 2*failEntryLimit, len(d.minutes), minuteCap, d.dropped, d.folded)
	}
	kept := int64(0)
	for g, n := range sum.det.groupFailures() {
		kept += n
		if d := sum.det.groups[g]; d == nil || slices.ContainsFunc(d.n[:], func(n int32) bool { return int(n) >= 2*groupKeep+sum.det.grown }) {
			t.Errorf("minute %d: lists past their bound %d", g.win, 2*groupKeep)
		}
	}
	if kept != n {
		t.Errorf("the minutes' detail accounts for %d failures, want %d", kept, n)
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
	// The text report states the bounds.
	var text bytesBuffer
	WriteText(&text, r)
	if !containsAll(text.String(), "MEMORY BOUNDS REACHED", "open retry chains", "error paths table", "user agents table", "timeline failure lists") {
		t.Error("the text report does not state the bounds hit")
	}
}

type bytesBuffer = bytes.Buffer

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
