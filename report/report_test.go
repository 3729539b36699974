package report

import (
	"analyze/report/analysis"
	"analyze/report/tables"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"analyze/ingest"
	"analyze/samples/synth"
)

func aggregate(t testing.TB, paths []string, opts ingest.Options, filter Filter) (*Report, []*ingest.File) {
	t.Helper()
	files, errs := ingest.Expand(paths, false)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	sum, err := Aggregate(context.Background(), files, opts, Config{Filter: filter})
	if err != nil {
		t.Fatal(err)
	}
	return Build(sum, files, filter, Options{Top: 10, Version: "test"}), files
}

// toJSON encodes the report as the JSON writer does (report/write), to
// compare reports whole.
func toJSON(t testing.TB, r *Report) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestWorkersAgree checks that the report is byte-identical whatever the
// number of workers and the block size.
func TestWorkersAgree(t *testing.T) {
	var want string
	for _, opts := range []ingest.Options{
		{Workers: 1},
		{Workers: 2, MaxLine: 64 << 10},
		{Workers: 5, MaxLine: 64 << 10},
		{Workers: 3, MaxLine: 1 << 10}, // ~1,000 blocks: most reach the sequencer out of order
	} {
		r, _ := aggregate(t, []string{"../samples"}, opts, Filter{})
		got := toJSON(t, r)
		if want == "" {
			want = got
			continue
		}
		if got != want {
			t.Errorf("workers=%d max-line=%d gives another report", opts.Workers, opts.MaxLine)
		}
	}
}

func TestKnownAnswers(t *testing.T) {
	dir := t.TempDir()
	a := `10.0.0.1 - erp [12/Mar/2025:10:00:00 +0000] "GET /api/documents/1 HTTP/1.1" 200 10 "-" "x"
10.0.0.1 - erp [12/Mar/2025:10:00:01 +0000] "GET /api/documents/2?lang=fr HTTP/1.1" 404 10 "-" "x"
10.0.0.2 - - [12/Mar/2025:10:00:02 +0000] "POST /api/imports HTTP/1.1" 503 10 "-" "x"
10.0.0.2 - - [12/Mar/2025:10:00:03 +0000] "POST /api/imports HTTP/1.1" 429 10 "-" "x"
garbage one

10.0.0.3 - shop [12/Mar/2025:10:00:04 +0000] "-" 400 0 "-" "-"
10.0.0.3 - shop [12/Mar/2025:10:00:05 +0000] "GET /api/assets/3f2504e0-4f89-11d3-9a0c-0305e82c3301 HTTP/1.1" 429 10 "-" "x"
10.0.0.3 - shop [12/Mar/2025:10:00:06 +0000] "GET /health HTTP/1.1" 000 0 "-" "x"
`
	b := `10.0.0.9 - - [12/Mar/2025:09:59:59 +0000] "DELETE /api/links/7 HTTP/1.1" 204 0 "-" "x"
10.0.0.9 - - [12/Mar/2025:10:01:00 +0000] "GET /api/links/8 HTTP/1.1" 301 0 "-" "x"
garbage two
garbage three
`
	pa := filepath.Join(dir, "a.log")
	pb := filepath.Join(dir, "b.log")
	os.WriteFile(pa, []byte(a), 0o644)
	os.WriteFile(pb, []byte(b), 0o644)
	r, _ := aggregate(t, []string{pa, pb}, ingest.Options{Workers: 2}, Filter{})

	in := r.Input
	if in.Lines != 13 || in.Records != 9 || in.Rejected != 3 || in.Blank != 1 || !in.Reconciled {
		t.Errorf("input %+v", in)
	}
	if in.RejectedReasons["not_a_log_line"] != 3 {
		t.Errorf("reasons %v", in.RejectedReasons)
	}
	ex := in.RejectedExamples["not_a_log_line"]
	if len(ex) != 3 || ex[0].File != pa || ex[0].Line != 5 || ex[1].File != pb || ex[1].Line != 3 || ex[2].Line != 4 || ex[0].Snippet != "garbage one" {
		t.Errorf("examples %+v", ex)
	}
	if *r.Time.First != "2025-03-12T09:59:59Z" || *r.Time.Last != "2025-03-12T10:01:00Z" {
		t.Errorf("time %s %s", *r.Time.First, *r.Time.Last)
	}
	if r.Classes != (Classes{Success: 2, Redirect: 1, ClientError: 4, ServerError: 1, Other: 1}) {
		t.Errorf("classes %+v", r.Classes)
	}
	var statuses []string
	for _, s := range r.Statuses {
		statuses = append(statuses, strings.Join([]string{itoa(s.Status), itoa(int(s.Count)), s.Diagnosis, s.Retry}, ":"))
	}
	want := "0:1:no_response:backoff 200:1:ok:no 204:1:no_content:no 301:1:moved_permanently:no 400:1:bad_request:no 404:1:not_found:no 429:2:rate_limited:after_wait 503:1:unavailable:after_wait"
	if got := strings.Join(statuses, " "); got != want {
		t.Errorf("statuses\n got %s\nwant %s", got, want)
	}
	if r.Methods["GET"] != 5 || r.Methods["POST"] != 2 || r.Methods["DELETE"] != 1 || r.Methods["-"] != 1 {
		t.Errorf("methods %v", r.Methods)
	}
	// Endpoints by errors, then requests, then name.
	var eps []string
	for _, e := range r.Endpoints {
		eps = append(eps, e.Endpoint+":"+itoa(int(e.Requests))+":"+itoa(int(e.ClientError+e.ServerError)))
	}
	wantEps := "/api/imports:2:2 /api/documents/{id}:2:1 -:1:1 /api/assets/{id}:1:1 /api/links/{id}:2:0 /health:1:0"
	if got := strings.Join(eps, " "); got != wantEps {
		t.Errorf("endpoints\n got %s\nwant %s", got, wantEps)
	}
	var cls []string
	for _, c := range r.Clients {
		cls = append(cls, c.Client+":"+itoa(int(c.Requests))+":"+itoa(int(c.RateLimited)))
	}
	wantCls := "shop:3:1 10.0.0.2:2:1 erp:2:0 10.0.0.9:2:0"
	if got := strings.Join(cls, " "); got != wantCls {
		t.Errorf("clients\n got %s\nwant %s", got, wantCls)
	}

	// The same input with a time filter: [10:00:01, 10:00:05).
	since, _ := time.Parse(time.RFC3339, "2025-03-12T10:00:01Z")
	r2, _ := aggregate(t, []string{pa, pb}, ingest.Options{}, Filter{Since: since, Until: since.Add(4 * time.Second)})
	if r2.Input.Records != 9 || r2.Input.Filtered != 5 || r2.Input.Analyzed != 4 || r2.Input.Rejected != 3 {
		t.Errorf("filtered input %+v", r2.Input)
	}
	if *r2.Time.First != "2025-03-12T10:00:01Z" || *r2.Time.Last != "2025-03-12T10:00:04Z" || *r2.Filter.Since != "2025-03-12T10:00:01Z" {
		t.Errorf("filtered time %s..%s", *r2.Time.First, *r2.Time.Last)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestSanitize(t *testing.T) {
	for _, tc := range []struct{ in, term, md string }{
		{"plain /api/x", "plain /api/x", "plain /api/x"},
		{"\x1b[31mred\x1b[0m", `\x1B[31mred\x1B[0m`, `\\x1B\[31mred\\x1B\[0m`},
		{"bell\x07 nul\x00 del\x7f", `bell\x07 nul\x00 del\x7F`, `bell\\x07 nul\\x00 del\\x7F`},
		{"c1\u009b", `c1\x9B`, `c1\\x9B`},
		{"bidi\u202eevil", `bidi\u{202E}evil`, `bidi\\u{202E}evil`},
		{"bad\xffutf8", `bad\xFFutf8`, `bad\\xFFutf8`},
		{"café ✓", "café ✓", "café ✓"},
		{"a|b <script>*x*", "a|b <script>*x*", `a\|b &lt;script&gt;\*x\*`},
	} {
		if got := Term(tc.in); got != tc.term {
			t.Errorf("Term(%q) = %q, want %q", tc.in, got, tc.term)
		}
		if got := Markdown(tc.in); got != tc.md {
			t.Errorf("Markdown(%q) = %q, want %q", tc.in, got, tc.md)
		}
	}
	if got := MarkdownCode("a`b"); got != "`\"a\\x60b\"`" {
		t.Errorf("MarkdownCode = %s", got)
	}
}

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+x": "'+x", "-": "-", "-5": "'-5", "@a": "'@a", "ok": "ok", "": ""} {
		if got := CSVSafe(in); got != want {
			t.Errorf("CSVSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseBound(t *testing.T) {
	for _, tc := range []struct {
		in       string
		at       string
		before   time.Duration
		hasError bool
	}{
		{"2025-03-12T10:00:00Z", "2025-03-12T10:00:00Z", 0, false},
		{"2025-03-12T11:00:00.5+01:00", "2025-03-12T10:00:00.5Z", 0, false},
		{"2025-03-12", "2025-03-12T00:00:00Z", 0, false},
		{"2h", "", 2 * time.Hour, false},
		{"7d", "", 7 * 24 * time.Hour, false},
		{"-2h", "", 0, true},
		{"0s", "", 0, true},
		{"yesterday", "", 0, true},
	} {
		b, err := ParseBound(tc.in)
		if (err != nil) != tc.hasError {
			t.Errorf("ParseBound(%q) error %v", tc.in, err)
			continue
		}
		if tc.at != "" && b.At.Format(time.RFC3339Nano) != tc.at || b.Before != tc.before {
			t.Errorf("ParseBound(%q) = %v / %v", tc.in, b.At, b.Before)
		}
	}
	// The message is the user's (analyze: --since: ...): it names what
	// may be given in words, not in the code's identifiers.
	_, err := ParseBound("yesterday")
	want := `cannot parse time "yesterday": want RFC 3339 (2025-03-12T10:00:00Z), a date (2025-03-12) or a positive duration before the latest record (2h, 7d)`
	if err == nil || err.Error() != want {
		t.Errorf("ParseBound(\"yesterday\") error %v, want %s", err, want)
	}
}

// BenchmarkAggregate measures the whole default report path (read, parse,
// classify, count, merge) over generated logs: combined, JSON, and ALB,
// which logs the host (the hosts table and the incidents' host cells).
//
//	go test -run '^$' -bench Aggregate -count 10 ./report > new.txt; benchstat old.txt new.txt
func BenchmarkAggregate(b *testing.B) {
	for _, format := range []string{"combined", "json", "alb"} {
		b.Run(format, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "bench.log")
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			cfg := synth.Default()
			cfg.Lines, cfg.Format, cfg.Malformed = 200000, format, 1000
			if err := synth.Write(f, cfg); err != nil {
				b.Fatal(err)
			}
			f.Close()
			info, _ := os.Stat(path)
			b.SetBytes(info.Size())
			b.ReportAllocs()
			for b.Loop() {
				aggregate(b, []string{path}, ingest.Options{}, Filter{})
			}
		})
	}
}

// TestLongValuesCut reads lines whose user name and path are 100 KB long:
// the client and the endpoint are cut to analysis.MaxKeyBytes, the unrecovered
// failure's target to analysis.MaxTargetBytes, each marked with "…", and the
// lines still count as they are.
func TestLongValuesCut(t *testing.T) {
	user := strings.Repeat("u", 100<<10)
	path := "/api/" + strings.Repeat("x/", 50<<10)
	var log strings.Builder
	for i := range 3 {
		fmt.Fprintf(&log, "10.0.0.1 - %s [12/Mar/2025:10:00:0%d +0000] \"GET %s?q=%d HTTP/1.1\" 503 0 \"-\" \"-\"\n", user, i, path, i)
	}
	p := filepath.Join(t.TempDir(), "long.log")
	if err := os.WriteFile(p, []byte(log.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	files, _ := ingest.Expand([]string{p}, false)
	sum, err := Aggregate(context.Background(), files, ingest.Options{}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := Build(sum, files, Filter{}, Options{Top: 10, Unrecovered: true})
	if r.Input.Records != 3 || len(r.Clients) != 1 || len(r.Endpoints) != 1 {
		t.Fatalf("%d records, %d clients, %d endpoints; want 3, 1, 1", r.Input.Records, len(r.Clients), len(r.Endpoints))
	}
	cutTo := func(what, s string, n int) {
		if len(s) != n+len("…") || !strings.HasSuffix(s, "…") {
			t.Errorf("%s: %d bytes ending %q, want %d and …", what, len(s), s[max(0, len(s)-8):], n)
		}
	}
	cutTo("client", r.Clients[0].Client, analysis.MaxKeyBytes)
	cutTo("endpoint", r.Endpoints[0].Endpoint, analysis.MaxKeyBytes)
	if r.Clients[0].Requests != 3 || r.Retry.Unrecovered != 3 || len(r.Retry.UnrecoveredList) != 3 {
		t.Fatalf("client requests %d, unrecovered %d (%d listed); want 3, 3, 3", r.Clients[0].Requests, r.Retry.Unrecovered, len(r.Retry.UnrecoveredList))
	}
	u := r.Retry.UnrecoveredList[0]
	cutTo("unrecovered client", u.Client, analysis.MaxKeyBytes)
	cutTo("unrecovered path", u.Path, analysis.MaxTargetBytes)
}

// TestFilterSpan checks the time filter on Unix nanoseconds: Since is in,
// Until out, open bounds keep all, and bounds past what the nanoseconds
// hold are clamped, not wrapped.
func TestFilterSpan(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	rec := at("2025-03-12T10:00:00Z").UnixNano()
	for _, c := range []struct {
		since, until string
		keep         bool
	}{
		{"", "", true},
		{"2025-03-12T10:00:00Z", "", true},
		{"2025-03-12T10:00:01Z", "", false},
		{"", "2025-03-12T10:00:00Z", false},
		{"", "2025-03-12T10:00:01Z", true},
		{"1000-01-01T00:00:00Z", "3000-01-01T00:00:00Z", true},
		{"3000-01-01T00:00:00Z", "", false},
		{"", "1000-01-01T00:00:00Z", false},
	} {
		var f Filter
		if c.since != "" {
			f.Since = at(c.since)
		}
		if c.until != "" {
			f.Until = at(c.until)
		}
		if got := f.span().keep(rec); got != c.keep {
			t.Errorf("since %q until %q: keep %v, want %v", c.since, c.until, got, c.keep)
		}
	}
}

// TestHostKey keys the hosts table: a host in any case, with its port or
// without, is one host; a bare IPv6 address keeps its last group, a
// bracketed one loses its port; a long one is cut. Records so logged count
// under one row.
func TestHostKey(t *testing.T) {
	long := strings.Repeat("A", analysis.MaxKeyBytes+100)
	for host, want := range map[string]string{
		"api.quable.example":     "api.quable.example",
		"API.Quable.Example:443": "api.quable.example",
		"[2001:DB8::1]:8443":     "[2001:db8::1]",
		"2001:db8::1":            "2001:db8::1",
		long:                     strings.Repeat("a", analysis.MaxKeyBytes) + "…",
	} {
		s := NewSummary(Config{})
		if got := string(s.hostKey([]byte(host))); got != want {
			t.Errorf("hostKey(%.20q...) = %.20q..., want %.20q...", host, got, want)
		}
	}
	s := NewSummary(Config{})
	for i, host := range []string{"api.quable.example", "API.quable.example:443", "api.QUABLE.example:8443", "globex.quable.example"} {
		r := &ingest.Record{File: &ingest.File{}, Time: time.Unix(1_700_000_000+int64(i), 0), Status: 200, Method: []byte("GET"),
			Path: []byte("/api/products"), Client: []byte("10.0.0.1"), Host: []byte(host),
			Duration: -1, Upstream: -1, RetryAfter: -1, RateLimit: -1, RateRemaining: -1, RateReset: -1}
		s.Add(r, nil)
	}
	s.flush() // hand the batch of rows to the tables
	got := map[string]int64{}
	for _, e := range s.Hosts.Top(-1, tables.ByRequests) {
		got[e.Key] = e.Requests
	}
	if want := map[string]int64{"api.quable.example": 3, "globex.quable.example": 1}; !maps.Equal(got, want) {
		t.Errorf("hosts table %v, want %v", got, want)
	}
}
