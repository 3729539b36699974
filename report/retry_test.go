package report

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"analyze/ingest"
	"analyze/report/analysis"
)

// rline renders one request at second s past 10:00:00 with the format of
// quotaFormat.
func rline(user, method, path string, sec float64, status int, retryAfter string) string {
	at := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC).Add(time.Duration(sec * float64(time.Second)))
	return fmt.Sprintf(`10.0.0.1 - %s [%s] "%s %s HTTP/1.1" %d 10 ra="%s"`,
		user, at.Format("02/Jan/2006:15:04:05.000 -0700"), method, path, status, retryAfter)
}

func retryRun(t *testing.T, logs map[string][]string, order []string, workers int, opts RetryOptions) *RetryReport {
	t.Helper()
	return runLogs(t, logs, order, workers, QuotaOptions{}, opts).Retry
}

func TestRetryChains(t *testing.T) {
	older := []string{
		// recovered: 503 then 200 after 30 s (Retry-After 30: no violation)
		rline("erp", "GET", "/api/documents/1", 0, 503, "30"),
		rline("erp", "GET", "/api/documents/1", 30, 200, "-"),
		// exhausted: 500, 500, then 404
		rline("erp", "GET", "/api/documents/2", 1, 500, "-"),
		rline("erp", "GET", "/api/documents/2", 3, 500, "-"),
		rline("erp", "GET", "/api/documents/2", 7, 404, "-"),
		// a retry exactly at the window's end (600 s after the failure) counts
		rline("erp", "GET", "/api/documents/3", 10, 504, "-"),
		// interleaved identities: the same path by another client is not a retry
		rline("bi", "GET", "/api/documents/3", 11, 200, "-"),
		// a POST retried after a 500: an unsafe retry, recovered
		rline("dam", "POST", "/api/imports", 20, 500, "-"),
		// abandoned: 429 and nothing more (the chain spans into the newer file? no)
		rline("shop", "GET", "/api/assets/9", 40, 429, "60"),
		// non-retryable repeat: 422 sent again unchanged within the window
		rline("legacy", "PATCH", "/api/documents/5", 50, 422, "-"),
		rline("legacy", "PATCH", "/api/documents/5", 55, 422, "-"),
		// a 422 sent again after the window: no repeat
		rline("legacy", "PATCH", "/api/documents/6", 60, 422, "-"),
	}
	newer := []string{
		rline("dam", "POST", "/api/imports", 25, 201, "-"),
		rline("erp", "GET", "/api/documents/3", 610, 200, "-"),
		// shop retries its 429 too early (5 s, Retry-After 60), gets 429, then gives up
		rline("shop", "GET", "/api/assets/10", 700, 429, "60"),
		rline("shop", "GET", "/api/assets/10", 705, 429, "60"),
		rline("legacy", "PATCH", "/api/documents/6", 700, 422, "-"),
		// a 404 sent again unchanged that then succeeds is a repeat too
		rline("pim", "GET", "/api/documents/7", 710, 404, "-"),
		rline("pim", "GET", "/api/documents/7", 720, 200, "-"),
	}
	logs := map[string][]string{"a.log": older, "b.log": newer}
	var first string
	for _, tc := range []struct {
		order   []string
		workers int
	}{{[]string{"a.log", "b.log"}, 1}, {[]string{"b.log", "a.log"}, 3}} {
		r := retryRun(t, logs, tc.order, tc.workers, RetryOptions{Window: 10 * time.Minute})
		got := fmt.Sprintf("chains %d recovered %d exhausted %d abandoned %d attempts %d unsafe %d violations %d repeats %d unrecovered %d",
			r.RetryableFailures, r.Recovered, r.Exhausted, r.Abandoned, r.Attempts, r.UnsafeRetries, r.RetryAfterViolations, r.NonRetryableRepeats, r.Unrecovered)
		want := "chains 6 recovered 3 exhausted 2 abandoned 1 attempts 6 unsafe 1 violations 1 repeats 2 unrecovered 3"
		if got != want {
			t.Errorf("order %v workers %d:\n got %s\nwant %s", tc.order, tc.workers, got, want)
		}
		var list []string
		for _, u := range r.UnrecoveredList {
			list = append(list, fmt.Sprintf("%s %s %s %d %s %d", u.Client, u.Method, u.Path, u.Status, u.Outcome, u.Attempts))
		}
		wantList := "erp GET /api/documents/2 404 exhausted 2|shop GET /api/assets/9 429 abandoned 0|shop GET /api/assets/10 429 exhausted 1"
		if strings.Join(list, "|") != wantList {
			t.Errorf("unrecovered\n got %s\nwant %s", strings.Join(list, "|"), wantList)
		}
		byClient := map[string]RetryClient{}
		for _, c := range r.Clients {
			byClient[c.Client] = c
		}
		if c := byClient["dam"]; c.UnsafeRetries != 1 || !strings.Contains(c.Diagnosis, "duplicates") {
			t.Errorf("dam: %+v", c)
		}
		if c := byClient["legacy"]; c.NonRetryableRepeats != 1 || c.Diagnosis != "repeats 422 unchanged" {
			t.Errorf("legacy: %+v", c)
		}
		if c := byClient["shop"]; c.RetryAfterViolations != 1 || !strings.Contains(c.Diagnosis, "too fast") {
			t.Errorf("shop: %+v", c)
		}
		if r.RecoveryP50 == nil || *r.RecoveryP50 < 29 || *r.RecoveryP50 > 31 {
			t.Errorf("recovery p50 %v, want ~30 s (5 s, 30 s, 600 s)", r.RecoveryP50)
		}
		for i := range r.UnrecoveredList {
			r.UnrecoveredList[i].File = filepath.Base(r.UnrecoveredList[i].File) // each run has its own folder
		}
		j := jsonOf(t, r)
		if first == "" {
			first = j
		} else if j != first {
			t.Errorf("file order or workers changed the retry report:\n%s\n%s", first, j)
		}
	}
	// A retry one second past the window is a new chain: the first is abandoned.
	late := map[string][]string{"c.log": {rline("erp", "GET", "/x", 0, 503, "-"), rline("erp", "GET", "/x", 601, 200, "-")}}
	if r := retryRun(t, late, []string{"c.log"}, 1, RetryOptions{Window: 10 * time.Minute}); r.Abandoned != 1 || r.Recovered != 0 || r.Attempts != 0 {
		t.Errorf("past the window: abandoned %d recovered %d attempts %d", r.Abandoned, r.Recovered, r.Attempts)
	}
}

// TestIdentity checks a retry's identity: the same target gives the same
// identity whether its path and query lie together in a line or apart, and
// a different client, method, path or query gives another.
func TestIdentity(t *testing.T) {
	s := NewSummary(Config{})
	line := []byte(`GET /api/products/42?locale=fr_FR HTTP/1.1`)
	adjacent := &ingest.Record{Method: line[:3], Path: line[4:20], Query: line[21:33]}
	if string(adjacent.Path) != "/api/products/42" || string(adjacent.Query) != "locale=fr_FR" {
		t.Fatalf("test slices %q %q", adjacent.Path, adjacent.Query)
	}
	apart := &ingest.Record{Method: []byte("GET"), Path: []byte("/api/products/42"), Query: []byte("locale=fr_FR")}
	client := analysis.HashClient([]byte("erp"))
	id := s.identity(client, adjacent)
	if got := s.identity(client, apart); got != id {
		t.Errorf("apart %x, adjacent %x", got, id)
	}
	// A path and query of one buffer, apart by another byte than "?" (a
	// JSON log's fields may lie so): the target is still path?query.
	other := []byte("/api/products/42#locale=fr_FR")
	if got := s.identity(client, &ingest.Record{Method: apart.Method, Path: other[:16], Query: other[17:]}); got != id {
		t.Errorf("path and query apart by '#': %x, want %x", got, id)
	}
	seen := map[uint64]string{id: "base"}
	for name, r := range map[string]*ingest.Record{
		"no query":    {Method: apart.Method, Path: apart.Path},
		"other query": {Method: apart.Method, Path: apart.Path, Query: []byte("locale=de_DE")},
		"other path":  {Method: apart.Method, Path: []byte("/api/products/43"), Query: apart.Query},
		"other verb":  {Method: []byte("PUT"), Path: apart.Path, Query: apart.Query},
		"long verb":   {Method: []byte("PROPFIND"), Path: apart.Path, Query: apart.Query},
		"long verb 2": {Method: []byte("PROPFINX"), Path: apart.Path, Query: apart.Query},
		"no verb":     {Path: apart.Path, Query: apart.Query},
	} {
		got := s.identity(client, r)
		if prev, ok := seen[got]; ok {
			t.Errorf("%s has the identity of %s", name, prev)
		}
		seen[got] = name
	}
	if s.identity(analysis.HashClient([]byte("shop")), apart) == id {
		t.Error("another client has the same identity")
	}
}
