package report

import (
	"analyze/report/tables"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"analyze/ingest"
	"analyze/samples/synth"
)

// breakdownLog is a log whose endpoints hide which files fail, and whose
// client changes SDK version half way: the 429s are the new version's.
const breakdownLog = `10.0.0.1 - shop [12/Mar/2025:10:00:00 +0000] "GET /files/logstash/1001 HTTP/1.1" 200 100 "-" "sdk/1.0"
10.0.0.1 - shop [12/Mar/2025:10:00:01 +0000] "GET /files/logstash/1002?token=s3cret HTTP/1.1" 404 10 "-" "sdk/1.0"
10.0.0.1 - shop [12/Mar/2025:10:00:02 +0000] "GET /files/logstash/1002 HTTP/1.1" 404 10 "-" "sdk/1.0"
10.0.0.1 - shop [12/Mar/2025:10:00:03 +0000] "GET /files/logstash/1003 HTTP/1.1" 503 0 "-" "sdk/2.0"
10.0.0.1 - shop [12/Mar/2025:10:00:04 +0000] "GET /files/logstash/1002 HTTP/1.1" 429 0 "-" "sdk/2.0"
10.0.0.1 - shop [12/Mar/2025:10:00:05 +0000] "GET /files/logstash/1004 HTTP/1.1" 429 0 "-" "sdk/2.0"
10.0.0.2 - - [12/Mar/2025:10:00:06 +0000] "GET /files/logstash/1001 HTTP/1.1" 200 1000 "-" "-"
10.0.0.2 - - [12/Mar/2025:10:00:07 +0000] "GET /health HTTP/1.1" 200 - "-" "curl/8"
`

// TestBreakdown checks the figures behind the top endpoints and clients:
// the raw paths of an endpoint's errors (no query string, no successes),
// a client's user agents with their failures, and the bytes sent.
func TestBreakdown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.log")
	if err := os.WriteFile(path, []byte(breakdownLog), 0o644); err != nil {
		t.Fatal(err)
	}
	r, _ := aggregate(t, []string{path}, ingest.Options{Workers: 2}, Filter{})
	var got []string
	for _, e := range r.Endpoints {
		line := fmt.Sprintf("%s bytes=%s:", e.Endpoint, jsonOf(t, e.Bytes))
		for _, p := range e.TopErrorPaths {
			line += fmt.Sprintf(" %s=%d(4xx %d, 5xx %d, 429 %d)", p.Path, p.Count, p.ClientError, p.ServerError, p.RateLimited)
		}
		got = append(got, line)
	}
	for _, c := range r.Clients {
		line := fmt.Sprintf("%s bytes=%s:", c.Client, jsonOf(t, c.Bytes))
		for _, a := range c.UserAgents {
			line += fmt.Sprintf(" %s=%d(4xx %d, 5xx %d, 429 %d)", a.UserAgent, a.Count, a.ClientError, a.ServerError, a.RateLimited)
		}
		got = append(got, line)
	}
	want := []string{
		"/files/logstash/{id} bytes=1120: /files/logstash/1002=3(4xx 3, 5xx 0, 429 1) /files/logstash/1003=1(4xx 0, 5xx 1, 429 0) /files/logstash/1004=1(4xx 1, 5xx 0, 429 1)",
		"/health bytes=null:",
		"shop bytes=120: sdk/2.0=3(4xx 2, 5xx 1, 429 2) sdk/1.0=3(4xx 2, 5xx 0, 429 0)",
		"10.0.0.2 bytes=1000: -=1(4xx 0, 5xx 0, 429 0) curl/8=1(4xx 0, 5xx 0, 429 0)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("breakdown\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	js := toJSON(t, r)
	if strings.Contains(js, "s3cret") || strings.Contains(js, "token") {
		t.Error("a query string reached the JSON report")
	}
}

// TestBreakdownAccounts checks, on the samples, that without folding an
// endpoint's error paths add up to its errors and a client's user agents
// to its requests: every failure is under some path, every request under
// some agent.
func TestBreakdownAccounts(t *testing.T) {
	files, _ := ingest.Expand([]string{"../samples"}, false)
	s, err := Aggregate(context.Background(), files, ingest.Options{}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if s.ErrorPaths.Folded != 0 || s.Agents.Folded != 0 {
		t.Fatalf("folded %d, %d on the samples", s.ErrorPaths.Folded, s.Agents.Folded)
	}
	for _, tc := range []struct {
		name  string
		keys  *tables.Table
		pairs *tables.Table
		of    func(*tables.Counts) int64
	}{
		{"endpoints' error paths", s.Endpoints, s.ErrorPaths, (*tables.Counts).Errors},
		{"clients' user agents", s.Clients, s.Agents, func(c *tables.Counts) int64 { return c.Requests }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			all := tc.keys.Top(-1, tables.ByRequests)
			by := tc.pairs.ByParent(keysOf(all), 1<<30, tables.ByErrors)
			for _, e := range all {
				var sum int64
				for _, p := range by[e.Key] {
					sum += tc.of(&p.Counts)
				}
				if want := tc.of(&e.Counts); sum != want {
					t.Errorf("%s: its pairs add up to %d, want %d", e.Key, sum, want)
				}
			}
		})
	}
}

// TestSnapshotBreakdown stores a run and merges it into the next: the
// error paths, user agents and bytes must be those of one run over both.
// A run stored before they were counted merges as one without them.
func TestSnapshotBreakdown(t *testing.T) {
	dir := t.TempDir()
	var parts [2][]*ingest.File
	for i, name := range []string{"a.log", "b.log"} {
		cfg := synth.Default()
		cfg.Lines, cfg.Seed = 3000, uint64(i+1)
		cfg.Start = cfg.Start.Add(time.Duration(i) * 24 * time.Hour)
		parts[i] = synthLog(t, dir, name, cfg)
	}
	rows := func(s *Summary, files []*ingest.File) string {
		r := Build(s, files, Filter{}, Options{Top: 10})
		return jsonOf(t, []any{r.Endpoints, r.Clients})
	}
	run := func(files []*ingest.File) *Summary {
		s, err := Aggregate(context.Background(), files, ingest.Options{}, Config{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	both, _ := ingest.Expand([]string{filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")}, false)
	want := rows(run(both), both)
	stored, err := run(parts[0]).Snapshot(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	next := run(parts[1])
	alone := rows(next, parts[1])
	if err := next.MergeSnapshot(stored); err != nil {
		t.Fatal(err)
	}
	if got := rows(next, parts[1]); got != want || got == alone || !strings.Contains(want, `"user_agent":"`) || !strings.Contains(want, `"top_error_paths":[{"path":"/`) {
		t.Errorf("from a stored run and the next:\n%s\none run:\n%s", got, want)
	}

	// As an analyze before the breakdown stored it: no pairs, no bytes.
	sn, err := decodeSnapshot(stored)
	if err != nil {
		t.Fatal(err)
	}
	sn.ErrorPaths, sn.UserAgents = tables.Snap{}, tables.Snap{}
	for _, ts := range []*tables.Snap{&sn.Methods, &sn.Endpoints, &sn.Clients, &sn.Hosts} {
		for i := range ts.Counts {
			ts.Counts[i].Bytes, ts.Counts[i].Sized = 0, 0
		}
	}
	older, err := sn.encode()
	if err != nil {
		t.Fatal(err)
	}
	again := run(parts[1])
	if err := again.MergeSnapshot(older); err != nil {
		t.Fatal(err)
	}
	// Its bytes and pairs are those of this run alone.
	own := map[string]*int64{}
	for _, e := range run(parts[1]).Endpoints.Top(-1, tables.ByRequests) {
		own[e.Key] = bytesOf(&e.Counts)
	}
	r := Build(again, parts[1], Filter{}, Options{Top: 10})
	for _, e := range r.Endpoints {
		var paths int64
		for _, p := range e.TopErrorPaths {
			paths += p.Count
		}
		if got, want := jsonOf(t, e.Bytes), jsonOf(t, own[e.Endpoint]); got != want || paths > e.ClientError+e.ServerError {
			t.Errorf("%s: bytes %s, want %s of this run alone; %d error paths of %d errors", e.Endpoint, got, want, paths, e.ClientError+e.ServerError)
		}
	}
}
