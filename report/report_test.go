package report

import (
	"analyze/report/analysis"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
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

func toJSON(t testing.TB, r *Report) string {
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
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

func TestTableFolds(t *testing.T) {
	tb := NewTable(10)
	var total int64
	for i := range 1000 {
		key := []byte("k" + itoa(i%50))
		if i%3 == 0 {
			key = []byte("heavy")
		}
		tb.Get(key).Requests++
		total++
	}
	if tb.Len() > 10 || tb.Folded == 0 {
		t.Errorf("len %d folded %d", tb.Len(), tb.Folded)
	}
	var kept int64
	for _, e := range tb.Top(-1, byRequests) {
		kept += e.Requests
	}
	if kept+tb.Other.Requests != total {
		t.Errorf("kept %d + other %d != %d", kept, tb.Other.Requests, total)
	}
	if top := tb.Top(1, byRequests); top[0].Key != "heavy" || top[0].Requests != 334 {
		t.Errorf("top %+v: the heavy key must survive folding exactly", top)
	}
	small := NewTable(100)
	small.Get([]byte("a")).Requests = 2
	other := NewTable(100)
	other.Get([]byte("a")).Requests = 3
	other.Get([]byte("b")).Requests = 1
	small.Merge(other)
	if small.Get([]byte("a")).Requests != 5 || small.Get([]byte("b")).Requests != 1 || small.Folded != 0 {
		t.Errorf("merge: %+v", small.Top(-1, byRequests))
	}
}

// TestTableAgainstMap counts random keys in a Table and in a map. Below
// the limit every key's count is the map's (the index grows and probes
// over many keys), merging two tables adds them up, and a Get made with
// the key's own hash or without it finds the same counts. Past the limit,
// nothing is lost: kept and folded add up to the total, the heavy keys
// stay exact, and no kept key has more than its true count.
func TestTableAgainstMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	key := func() []byte {
		if rng.IntN(4) == 0 {
			return fmt.Appendf(nil, "heavy-%d", rng.IntN(8))
		}
		return fmt.Appendf(nil, "10.%d.%d", rng.IntN(200), rng.IntN(150))
	}
	want := map[string]int64{}
	exact, other, folding := NewTable(1<<20), NewTable(1<<20), NewTable(1000)
	var total int64
	for i := range 200000 {
		k := key()
		want[string(k)]++
		total++
		tb := exact
		if i%2 == 1 {
			tb = other
		}
		if i%3 == 0 {
			tb.GetHashed(k, hashClient(k)).Requests++
		} else {
			tb.Get(k).Requests++
		}
		folding.Get(k).Requests++
	}
	exact.Merge(other)
	if exact.Len() != len(want) || exact.Folded != 0 {
		t.Fatalf("merged: %d keys, %d folded; want %d keys", exact.Len(), exact.Folded, len(want))
	}
	for k, n := range want {
		if got := exact.Get([]byte(k)).Requests; got != n {
			t.Fatalf("%s: %d requests, want %d", k, got, n)
		}
	}
	if folding.Len() > 1000 || folding.Folded == 0 {
		t.Fatalf("folding table: %d keys, %d folded", folding.Len(), folding.Folded)
	}
	kept := folding.Top(-1, byRequests)
	sum := folding.Other.Requests
	for _, e := range kept {
		sum += e.Requests
		if e.Requests > want[e.Key] {
			t.Errorf("%s: %d requests kept, more than its %d", e.Key, e.Requests, want[e.Key])
		}
	}
	if sum != total {
		t.Errorf("kept and folded add up to %d, want %d", sum, total)
	}
	for i := range 8 {
		k := fmt.Sprintf("heavy-%d", i)
		if kept[i].Key[:6] != "heavy-" || kept[i].Requests != want[kept[i].Key] {
			t.Errorf("%s: the heavy keys must stay exact: %+v", k, kept[i])
		}
	}
}

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

func TestNumbers(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	if percent(1, 3) != "33.3%" || percent(1, 10000) != "<0.1%" || percent(0, 0) != "-" {
		t.Errorf("percent: %s %s %s", percent(1, 3), percent(1, 10000), percent(0, 0))
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

// TestHTMLCSPHashes checks that the page's inline style and script are
// exactly what the Content-Security-Policy hashes allow: html/template
// must not have changed a byte of them.
func TestHTMLCSPHashes(t *testing.T) {
	var b strings.Builder
	if err := WriteHTML(&b, &Report{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	between := func(open, close string) string {
		_, rest, _ := strings.Cut(page, open)
		body, _, _ := strings.Cut(rest, close)
		return body
	}
	for _, el := range []struct{ name, body string }{
		{"style", between("<style>", "</style>")},
		{"script", between("<script>", "</script>")},
	} {
		if el.body == "" || !strings.Contains(htmlCSP, cspHash(el.body)) {
			t.Errorf("the inline %s (%d bytes) does not match its CSP hash", el.name, len(el.body))
		}
	}
}

// TestTableTop picks the top n of a table of many keys, with ties, by
// bounded insertion: the same entries, in the same order, as sorting all.
func TestTableTop(t *testing.T) {
	tb := NewTable(10000)
	rng := rand.New(rand.NewPCG(13, 14))
	for i := range 5000 {
		c := tb.Get([]byte(fmt.Sprintf("k%04d", i)))
		c.Requests = rng.Int64N(50)
		c.Class[3] = rng.Int64N(3)
	}
	for _, order := range []func(a, b *Counts) int{byRequests, byErrors} {
		all := tb.Top(-1, order)
		for _, n := range []int{0, 1, 7, 100, 624, 625, 5000, 6000} {
			got, want := tb.Top(n, order), all[:min(n, len(all))]
			if len(got) != len(want) {
				t.Fatalf("Top(%d): %d entries, want %d", n, len(got), len(want))
			}
			for i := range got {
				if got[i].Key != want[i].Key {
					t.Fatalf("Top(%d)[%d] = %s, want %s", n, i, got[i].Key, want[i].Key)
				}
			}
		}
	}
}

// BenchmarkTableFlood counts 200,000 requests into a table of 20,000 keys:
// five heavy clients and a flood of one-request addresses, as a public
// API's log has, so the table folds again and again.
//
//	go test -run '^$' -bench TableFlood -count 10 ./report > new.txt; benchstat old.txt new.txt
func BenchmarkTableFlood(b *testing.B) {
	keys := make([][]byte, 200000)
	for i := range keys {
		if i%4 != 0 {
			keys[i] = []byte(fmt.Sprintf("integration-%d", i%5))
		} else {
			keys[i] = []byte(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		tb := NewTable(clientLimit)
		for _, k := range keys {
			tb.Get(k).Requests++
		}
	}
}

// TestTableCraftedKeys fills a table with keys whose hashes share their low
// 10 bits, as a log made to slow the tool down would: their positions are
// spread all the same (home), so no look-up walks far.
func TestTableCraftedKeys(t *testing.T) {
	tb := NewTable(1 << 20)
	for i, n := 0, 0; n < 1000; i++ {
		k := fmt.Appendf(nil, "client-%d", i)
		if hashClient(k)&0x3ff != 0 {
			continue
		}
		tb.GetHashed(k, hashClient(k)).Requests++
		n++
	}
	if got := longestWalk(tb.index, func(e tagged) uint64 { return tb.slots[e.slot()].hash }); got > 64 {
		t.Errorf("a look-up walks up to %d positions of %d for %d keys", got, len(tb.index), tb.Len())
	}
}

// longestWalk returns how far the farthest entry of an open-addressing
// table sits from its home position; zero values are empty positions.
func longestWalk[E comparable](positions []E, hash func(E) uint64) int {
	var zero E
	longest := 0
	for p, e := range positions {
		if e != zero {
			longest = max(longest, (p-home(hash(e), len(positions)))&(len(positions)-1))
		}
	}
	return longest
}

// TestTableKeyBytes counts keys of 100 KB each, as a log of long user
// names would have: the table folds to stay within its key bytes, and
// nothing is lost.
func TestTableKeyBytes(t *testing.T) {
	tb := NewTable(clientLimit)
	long := bytes.Repeat([]byte("u"), 100<<10)
	var total int64
	for i := range 400 {
		k := fmt.Appendf(long[:len(long):len(long)], "-%d", i)
		tb.Get(k).Requests += int64(1 + i%3)
		total += int64(1 + i%3)
	}
	if len(tb.keys) > tableKeyBytes+len(long)+16 || tb.Folded == 0 {
		t.Errorf("%d key bytes kept (bound %d), %d folded", len(tb.keys), tableKeyBytes, tb.Folded)
	}
	sum := tb.Other.Requests
	for _, e := range tb.Top(-1, byRequests) {
		sum += e.Requests
	}
	if sum != total {
		t.Errorf("kept and folded add up to %d, want %d", sum, total)
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

// TestHeadline checks the first line's counts and their plurals.
func TestHeadline(t *testing.T) {
	one := &Report{Input: Input{Lines: 1, Records: 1, Files: []FileRow{{}}, Stored: &Stored{Runs: 1}}}
	if got, want := headline(one), "1 line in 1 input and 1 stored run (--state): 1 record, 0 rejected, 0 blank"; got != want {
		t.Errorf("headline = %q, want %q", got, want)
	}
	many := &Report{Input: Input{Lines: 1200, Records: 1000, Rejected: 150, Blank: 50, Files: []FileRow{{}, {}}}}
	if got, want := headline(many), "1,200 lines in 2 inputs: 1,000 records, 150 rejected, 50 blank"; got != want {
		t.Errorf("headline = %q, want %q", got, want)
	}
}

// TestHeading capitalises section titles but for words that start with a
// digit: a window of "1m" must not read as "1M", a million.
func TestHeading(t *testing.T) {
	for title, want := range map[string]string{
		"Quota: requests per 1m window":                       "QUOTA: REQUESTS PER 1m WINDOW",
		"Retries: failures worth retrying (retry window 10m)": "RETRIES: FAILURES WORTH RETRYING (RETRY WINDOW 10m)",
		"429 bursts (consecutive windows with 429s)":          "429 BURSTS (CONSECUTIVE WINDOWS WITH 429s)",
		"Retry storms (attempts above 20% of a window's)":     "RETRY STORMS (ATTEMPTS ABOVE 20% OF A WINDOW'S)",
		"Top endpoints by errors":                             "TOP ENDPOINTS BY ERRORS",
		"p99 in 1.5s, x2y":                                    "P99 IN 1.5s, X2Y",
	} {
		if got := heading(title); got != want {
			t.Errorf("heading(%q) = %q, want %q", title, got, want)
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
	for _, e := range s.Hosts.Top(-1, byRequests) {
		got[e.Key] = e.Requests
	}
	if want := map[string]int64{"api.quable.example": 3, "globex.quable.example": 1}; !maps.Equal(got, want) {
		t.Errorf("hosts table %v, want %v", got, want)
	}
}

// TestHTMLWrapsLists lets a long cell of several words (an incident's
// endpoints) wrap in the HTML page, and keeps short cells and numbers on
// one line.
func TestHTMLWrapsLists(t *testing.T) {
	r := &Report{Version: "test", Incidents: []Incident{{Start: "2025-03-12T08:30:00Z", End: "2025-03-12T08:45:00Z", Kind: "rate_limited",
		Status: 429, Diagnosis: "rate_limited", Peak: 124, Recovered: true,
		Endpoints: []string{"/api/documents/{id}", "/api/assets/{id}", "/api/documents"}, Clients: []string{"shop-connector"}}}}
	var b strings.Builder
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`<td class="w">/api/documents/{id} /api/assets/{id} /api/documents</td>`, `<td>shop-connector</td>`, `<td class="r">124</td>`,
		// A time wraps between its date and its clock, never at a hyphen
		// of the date ("2025-03-" over "12T08:30:00Z").
		`<td><span class="nw">2025-03-12</span><wbr><span class="nw">T08:30:00Z</span></td>`} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s in the incidents table:\n%s", want, out[strings.Index(out, "<h2>Incidents"):])
		}
	}
}
