package report

import (
	"analyze/report/analysis"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"analyze/ingest"
)

// quotaFormat logs the Retry-After the API sent, so the after-429
// analysis can use it.
const quotaFormat = `nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent ra="$sent_http_retry_after"`

// qline renders one request at second s past 10:00:00.
func qline(user string, sec float64, status int, retryAfter string) string {
	at := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC).Add(time.Duration(sec * float64(time.Second)))
	return fmt.Sprintf(`10.0.0.1 - %s [%s] "GET /api/documents/1 HTTP/1.1" %d 10 ra="%s"`,
		user, at.Format("02/Jan/2006:15:04:05.000 -0700"), status, retryAfter)
}

// runLogs writes logs (name → lines) in the format of quotaFormat, reads
// them in the given order with the given workers, and returns the report.
func runLogs(t *testing.T, logs map[string][]string, order []string, workers int, q QuotaOptions, rt RetryOptions) *Report {
	t.Helper()
	return runLogsWith(t, logs, order, ingest.Options{Workers: workers, MaxLine: 64 << 10}, q, rt)
}

// runLogsWith is runLogs with the ingest options given (the format is
// quotaFormat's).
func runLogsWith(t *testing.T, logs map[string][]string, order []string, opts ingest.Options, q QuotaOptions, rt RetryOptions) *Report {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for _, name := range order {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(logs[name], "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	files, errs := ingest.Expand(paths, false)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	f, err := ingest.ResolveFormat(quotaFormat, nil)
	if err != nil {
		t.Fatal(err)
	}
	if q.Window == 0 {
		q.Window = time.Minute
	}
	if q.RetryAfter == 0 {
		q.RetryAfter = time.Second
	}
	if rt.RetryAfter == 0 {
		rt.RetryAfter = time.Second
	}
	opts.Format = f
	sum, err := Aggregate(context.Background(), files, opts, Config{Quota: q, Retry: rt})
	if err != nil {
		t.Fatal(err)
	}
	r := Build(sum, files, Filter{}, Options{Top: 10, Quota: q, Retry: rt, Unrecovered: true})
	if r.Input.Rejected != 0 {
		t.Fatalf("rejected lines: %v %v", r.Input.RejectedReasons, r.Input.RejectedExamples)
	}
	return r
}

func quotaRun(t *testing.T, logs map[string][]string, order []string, workers int, q QuotaOptions) *QuotaReport {
	t.Helper()
	return runLogs(t, logs, order, workers, q, RetryOptions{}).Quota
}

func TestQuotaKnownAnswers(t *testing.T) {
	var a, b []string
	// "exact": 5 requests in each of windows 0 and 1 (a client exactly at
	// a limit of 5), with requests at 59.999 s and 60.000 s on both sides
	// of the boundary.
	for i := range 4 {
		a = append(a, qline("exact", float64(i*10), 200, "-"))
	}
	a = append(a, qline("exact", 59.999, 200, "-"))
	a = append(a, qline("exact", 60.000, 200, "-"))
	for i := range 4 {
		a = append(a, qline("exact", 70+float64(i), 200, "-"))
	}
	// "hammer": 8 requests in window 2 (over the limit), 3 of them 429
	// with Retry-After 30; each 429 is followed 0.5 s later by another
	// request: three violations.
	for i := range 5 {
		a = append(a, qline("hammer", 120+float64(i), 200, "-"))
	}
	a = append(a, qline("hammer", 125, 429, "30"))
	a = append(a, qline("hammer", 125.5, 429, "30"))
	a = append(a, qline("hammer", 126, 429, "30"))
	a = append(a, qline("hammer", 126.5, 200, "-"))
	// "polite": a 429 in window 3 (no Retry-After logged, default 1 s)
	// and the next request 40 s later, in window 3 still... then window 4.
	b = append(b, qline("polite", 180, 429, "-"))
	b = append(b, qline("polite", 220, 200, "-"))
	b = append(b, qline("polite", 245, 200, "-"))
	logs := map[string][]string{"a.log": a, "b.log": b}

	var first *QuotaReport
	for _, tc := range []struct {
		order   []string
		workers int
	}{{[]string{"a.log", "b.log"}, 1}, {[]string{"b.log", "a.log"}, 3}} {
		q := quotaRun(t, logs, tc.order, tc.workers, QuotaOptions{Limit: 5})
		o := q.Overall
		// Windows 0..4 hold 5, 5, 9, 2 and 1 requests (window 3: polite's
		// 429 at 180 s and its request at 220 s; window 4: 245 s).
		if o.Windows != 5 || o.Requests != 22 || o.Peak != 9 || *o.PeakStart != "2025-03-12T10:02:00Z" {
			t.Errorf("order %v: overall %+v", tc.order, o)
		}
		// Sorted per-window counts 1 2 5 5 9: p50 = 3rd = 5, p95 = p99 = 5th = 9.
		if o.P50 != 5 || o.P95 != 9 || o.P99 != 9 {
			t.Errorf("percentiles %d %d %d, want 5 9 9", o.P50, o.P95, o.P99)
		}
		if o.WindowsOverLimit != 1 || o.LongestOverLimitRun != 1 || *o.Headroom != -4 || o.WindowsAt100 != 3 || o.WindowsAt80 != 3 {
			t.Errorf("limit figures %+v", o)
		}
		if q.RateLimited != 4 || len(q.Bursts) != 1 {
			t.Fatalf("429s %d bursts %+v", q.RateLimited, q.Bursts)
		}
		bu := q.Bursts[0]
		if bu.Start != "2025-03-12T10:02:00Z" || bu.End != "2025-03-12T10:04:00Z" || bu.Windows != 2 || bu.RateLimited != 4 || bu.RateBefore != 5 ||
			strings.Join(bu.Clients, ",") != "hammer,polite" {
			t.Errorf("burst %+v", bu)
		}
		byName := map[string]QuotaClient{}
		for _, c := range q.Clients {
			byName[c.Client] = c
		}
		if c := byName["exact"]; c.Requests != 10 || c.Peak != 5 || c.WindowsOverLimit != 0 || c.RateLimited != 0 || c.After429Requests != 0 {
			t.Errorf("exact: %+v", c)
		}
		if c := byName["hammer"]; c.Requests != 9 || c.Peak != 9 || c.WindowsOverLimit != 1 || c.RateLimited != 3 || c.After429Requests != 3 || c.RetryAfterViolations != 3 || *c.Compliance != 0 {
			t.Errorf("hammer: %+v", c)
		}
		if c := byName["polite"]; c.RateLimited != 1 || c.After429Requests != 1 || c.RetryAfterViolations != 0 || *c.Compliance != 1 || *c.MeanBackoffSeconds != 40 {
			t.Errorf("polite: %+v", c)
		}
		if q.Clients[0].Client != "hammer" {
			t.Errorf("the hammering client is not first: %s", q.Clients[0].Client)
		}
		if first == nil {
			first = q
		} else if a, b := jsonOf(t, first), jsonOf(t, q); a != b {
			t.Errorf("file order or workers changed the quota report:\n%s\n%s", a, b)
		}
	}
}

// TestQuotaClientLimits measures clients with a contract of their own
// (--client-limit) against it and the others against --limit, and lists
// them whatever their counts: one among 26 busier clients, and one that
// made no request at all.
func TestQuotaClientLimits(t *testing.T) {
	var a, b []string
	for i := range 10 { // 5 requests in each of windows 0 and 1
		a = append(a, qline("exact", float64(i*12), 200, "-"))
	}
	for i := range 9 { // 9 in window 2
		a = append(a, qline("hammer", 120+float64(i), 200, "-"))
	}
	for c := range 26 {
		for i := range 2 {
			b = append(b, qline(fmt.Sprintf("c%02d", c), 180+float64(c)+float64(i)/2, 200, "-"))
		}
	}
	b = append(b, qline("quiet", 240, 200, "-"))
	logs := map[string][]string{"a.log": a, "b.log": b}
	own := map[string]int64{"exact": 4, "quiet": 10, "absent": 7}

	var first *QuotaReport
	for _, tc := range []struct {
		order   []string
		workers int
	}{{[]string{"a.log", "b.log"}, 1}, {[]string{"b.log", "a.log"}, 3}} {
		q := quotaRun(t, logs, tc.order, tc.workers, QuotaOptions{Limit: 5, ClientLimits: own})
		byName := map[string]QuotaClient{}
		for _, c := range q.Clients {
			byName[c.Client] = c
		}
		limitOf := func(c QuotaClient) int64 {
			if c.LimitPerWindow == nil {
				return -1
			}
			return *c.LimitPerWindow
		}
		if c := byName["exact"]; c.Requests != 10 || limitOf(c) != 4 || c.WindowsOverLimit != 2 {
			t.Errorf("exact, 5 a window against its own 4: %+v (limit %d)", c, limitOf(c))
		}
		if c := byName["hammer"]; c.Requests != 9 || limitOf(c) != 5 || c.WindowsOverLimit != 1 {
			t.Errorf("hammer, 9 in a window against --limit 5: %+v (limit %d)", c, limitOf(c))
		}
		if c, ok := byName["quiet"]; !ok || c.Requests != 1 || limitOf(c) != 10 || c.WindowsOverLimit != 0 {
			t.Errorf("quiet, the least busy of %d clients, with its own limit: listed %v, %+v", len(q.Clients), ok, c)
		}
		if c, ok := byName["absent"]; !ok || c.Requests != 0 || limitOf(c) != 7 {
			t.Errorf("absent, with a limit and no request: listed %v, %+v", ok, c)
		}
		if c, ok := byName["c00"]; ok && limitOf(c) != 5 {
			t.Errorf("c00 is measured against %d, not --limit 5", limitOf(c))
		}
		if first == nil {
			first = q
		} else if a, b := jsonOf(t, first), jsonOf(t, q); a != b {
			t.Errorf("file order or workers changed the quota report:\n%s\n%s", a, b)
		}
	}
	if c := quotaRun(t, logs, []string{"a.log", "b.log"}, 1, QuotaOptions{}).Clients[0]; c.LimitPerWindow != nil {
		t.Errorf("without a limit, %s has limit_per_window %d", c.Client, *c.LimitPerWindow)
	}
}

func jsonOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestQuotaWindowsAndLimits(t *testing.T) {
	// 10 s windows: the same requests split differently.
	logs := map[string][]string{"a.log": {
		qline("u", 0, 200, "-"), qline("u", 9.999, 200, "-"), qline("u", 10, 200, "-"), qline("u", 35, 200, "-"),
	}}
	q := quotaRun(t, logs, []string{"a.log"}, 2, QuotaOptions{Window: 10 * time.Second})
	// Windows 0..3: 2, 1, 0, 1.
	if q.Overall.Windows != 4 || q.Overall.Peak != 2 || q.Overall.P50 != 1 || q.LimitPerWindow != nil || q.Overall.Headroom != nil {
		t.Errorf("%+v", q.Overall)
	}
	if n, p, err := ParseLimit("600/1m"); err != nil || n != 600 || p != time.Minute || LimitPerWindow(n, p, 10*time.Second) != 100 {
		t.Errorf("ParseLimit 600/1m: %d %v %v", n, p, err)
	}
	if n, p, err := ParseLimit("10/s"); err != nil || n != 10 || p != time.Second {
		t.Errorf("ParseLimit 10/s: %d %v %v", n, p, err)
	}
	for _, bad := range []string{"600", "x/1m", "0/1m", "5/fortnight"} {
		if _, _, err := ParseLimit(bad); err == nil {
			t.Errorf("ParseLimit(%q) accepted", bad)
		}
	}
}

// TestSequencerMergesFiles feeds the blocks of two overlapping files in a
// scrambled order, one block's events out of order, and checks the events
// come out in time order, ties in input order (by file, then line), with
// nothing late.
func TestSequencerMergesFiles(t *testing.T) {
	a := &ingest.File{Index: 0, First: time.Unix(0, 100)}
	b := &ingest.File{Index: 1, First: time.Unix(0, 150)}
	var got []string
	s := newSequencer([]*ingest.File{a, b}, 0, 4, each(func(e *analysis.Event) {
		got = append(got, fmt.Sprintf("%d:%c%d", e.Time, 'a'+rune(e.Client>>8), e.Client&255))
	}))
	// ev makes a block's events; Client tags each with its file and line.
	ev := func(f *ingest.File, line int, ts ...int64) []analysis.Event {
		var out []analysis.Event
		for i, t := range ts {
			out = append(out, analysis.Event{Time: t, Client: uint64(f.Index)<<8 | uint64(line+i)})
		}
		return out
	}
	s.add(&ingest.Block{File: b, Seq: 1}, ev(b, 4, 250, 260))
	s.add(&ingest.Block{File: a, Seq: 0}, ev(a, 1, 100, 120, 200))
	if fmt.Sprint(got) != "[100:a1 120:a2]" {
		t.Fatalf("released early or late: %v", got)
	}
	s.add(&ingest.Block{File: b, Seq: 0}, ev(b, 1, 150, 200, 240))
	s.add(&ingest.Block{File: a, Seq: 1}, ev(a, 4, 300, 210, 200, 210)) // out of order within its block
	s.add(&ingest.Block{File: a, Seq: 2, Last: true}, nil)
	s.add(&ingest.Block{File: b, Seq: 2, Last: true}, nil)
	s.flush()
	want := "[100:a1 120:a2 150:b1 200:a3 200:a6 200:b2 210:a5 210:a7 240:b3 250:b4 260:b5 300:a4]"
	if fmt.Sprint(got) != want || s.late != 0 {
		t.Errorf("got  %v (late %d)\nwant %v", got, s.late, want)
	}
}

func TestQuotaRateLimitHeaders(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "rl.log")
	os.WriteFile(p, []byte(`10.0.0.1 erp [12/Mar/2025:10:00:00 +0000] 200 lim=100 rem=40
10.0.0.1 erp [12/Mar/2025:10:00:01 +0000] 200 lim=100 rem=7
10.0.0.1 erp [12/Mar/2025:10:00:02 +0000] 429 lim=100 rem=0
10.0.0.2 bi [12/Mar/2025:10:00:03 +0000] 200 lim=- rem=-
`), 0o644)
	f, err := ingest.ResolveFormat(`nginx:$remote_addr $remote_user [$time_local] $status lim=$sent_http_x_ratelimit_limit rem=$sent_http_x_ratelimit_remaining`, nil)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := ingest.Expand([]string{p}, false)
	q := QuotaOptions{Window: time.Minute, RetryAfter: time.Second}
	sum, err := Aggregate(context.Background(), files, ingest.Options{Format: f}, Config{Quota: q})
	if err != nil {
		t.Fatal(err)
	}
	r := Build(sum, files, Filter{}, Options{Quota: q}).Quota
	for _, c := range r.Clients {
		switch c.Client {
		case "erp":
			if c.RateLimitHeader == nil || *c.RateLimitHeader != 100 || c.MinRemaining == nil || *c.MinRemaining != 0 {
				t.Errorf("erp: %+v", c)
			}
		case "bi":
			if c.RateLimitHeader != nil || c.MinRemaining != nil {
				t.Errorf("bi logged no headers: %+v", c)
			}
		}
	}
}

// TestSequencerBound: with a file not yet started that would hold the
// merge back, the buffer still hands on its oldest events past its bound.
func TestSequencerBound(t *testing.T) {
	a := &ingest.File{Index: 0, First: time.Unix(0, 100)}
	b := &ingest.File{Index: 1, First: time.Unix(0, 100)} // never starts
	var got int
	s := newSequencer([]*ingest.File{a, b}, 0, 4, each(func(*analysis.Event) { got++ }))
	s.maxHeld = 3 * int64(unsafe.Sizeof(analysis.Event{})) // three events' worth
	evs := []analysis.Event{{Time: 100}, {Time: 200}, {Time: 300}, {Time: 400}, {Time: 500}}
	s.add(&ingest.Block{File: a, Seq: 0}, evs)
	if held := s.heldBytes / int64(unsafe.Sizeof(analysis.Event{})); got != 2 || held != 3 {
		t.Errorf("handed on %d, held %d; want 2 and 3", got, held)
	}
	s.flush()
	if got != 5 {
		t.Errorf("after flush %d", got)
	}
}

// TestSequencerBoundCountsDescriptions: the bound is memory, so events
// that carry failure descriptions count their strings too, and fewer wait.
func TestSequencerBoundCountsDescriptions(t *testing.T) {
	a := &ingest.File{Index: 0, First: time.Unix(0, 100)}
	b := &ingest.File{Index: 1, First: time.Unix(0, 100)} // never starts
	var got int
	s := newSequencer([]*ingest.File{a, b}, 0, 4, each(func(*analysis.Event) { got++ }))
	s.maxHeld = 3 * int64(unsafe.Sizeof(analysis.Event{}))
	long := &analysis.FailInfo{Client: "c", Target: strings.Repeat("/x", 100), Endpoint: "/x"}
	evs := []analysis.Event{{Time: 100}, {Time: 200}, {Time: 300, Info: long}, {Time: 400}, {Time: 500}}
	s.add(&ingest.Block{File: a, Seq: 0}, evs)
	// The description alone passes the bound: it goes on, and the two
	// events after it, of 40 bytes each, wait.
	if got != 3 || s.heldBytes != 2*int64(unsafe.Sizeof(analysis.Event{})) {
		t.Errorf("handed on %d, held %d bytes; want 3, and 2 events' bytes", got, s.heldBytes)
	}
	s.flush()
	if got != 5 || s.heldBytes != 0 {
		t.Errorf("after flush %d handed on, %d bytes held", got, s.heldBytes)
	}
}

// TestSequencerTiesAcrossBlocks: blocks of one file that reach the
// sequencer out of order still hand on their events of equal time in line
// order, block by block.
func TestSequencerTiesAcrossBlocks(t *testing.T) {
	f := &ingest.File{Index: 0}
	var got []int16
	s := newSequencer([]*ingest.File{f}, 0, 4, each(func(e *analysis.Event) { got = append(got, e.Status) }))
	for _, seq := range []int{2, 1, 0} {
		s.add(&ingest.Block{File: f, Seq: seq, Last: seq == 2}, []analysis.Event{{Time: 100, Status: int16(seq)}})
	}
	s.flush()
	if !slices.Equal(got, []int16{0, 1, 2}) {
		t.Errorf("handed on blocks %v, want 0 1 2", got)
	}
}

// TestSequencerOrderRandom: the blocks of up to three files that overlap
// in time, each file written in time order with many equal times, reach
// the sequencer in random order; it hands on every event once, in time
// order, ties by file (in the order read), block and line: the order a
// sort of all events gives. With a bound on held memory too small to wait
// for every file, it still hands on each event once.
func TestSequencerOrderRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for iter := range 300 {
		type tagged struct {
			time            int64
			rank, seq, line int
		}
		var all []tagged
		var files []*ingest.File
		var blocks []*ingest.Block
		evs := map[*ingest.Block][]analysis.Event{}
		for rank := range 1 + rng.IntN(3) {
			f := &ingest.File{Index: rank}
			files = append(files, f)
			tm := int64(rng.IntN(5))
			f.First = time.Unix(0, tm)
			nblocks := 1 + rng.IntN(5)
			for seq := range nblocks {
				b := &ingest.Block{File: f, Seq: seq, Last: seq == nblocks-1}
				var es []analysis.Event
				for line := range rng.IntN(6) { // a block may be all rejections
					tm += int64(rng.IntN(2)) // equal times, often across blocks
					es = append(es, analysis.Event{Time: tm, RetryAfter: int32(len(all))})
					all = append(all, tagged{tm, rank, seq, line})
				}
				blocks = append(blocks, b)
				evs[b] = es
			}
		}
		inOrder := func(a, b tagged) int {
			return cmp.Or(cmp.Compare(a.time, b.time), cmp.Compare(a.rank, b.rank), cmp.Compare(a.seq, b.seq), cmp.Compare(a.line, b.line))
		}
		want := slices.Clone(all)
		slices.SortFunc(want, inOrder)
		rng.Shuffle(len(blocks), func(i, j int) { blocks[i], blocks[j] = blocks[j], blocks[i] })
		bounded := iter%3 == 2
		var got []tagged
		s := newSequencer(files, 0, 4, each(func(e *analysis.Event) { got = append(got, all[e.RetryAfter]) }))
		if bounded {
			s.maxHeld = 2 * int64(unsafe.Sizeof(analysis.Event{}))
		}
		for _, b := range blocks {
			s.add(b, evs[b])
		}
		s.flush()
		// An event handed on after a later one is late, and counted.
		late, latest := int64(0), int64(math.MinInt64)
		for _, g := range got {
			if g.time < latest {
				late++
			}
			latest = max(latest, g.time)
		}
		if s.late != late || !bounded && late != 0 {
			t.Fatalf("iteration %d (bounded %v): %d late, want %d", iter, bounded, s.late, late)
		}
		if bounded {
			slices.SortFunc(got, inOrder) // each once, in whatever order
		}
		if !slices.Equal(got, want) {
			t.Fatalf("iteration %d (bounded %v): handed on\n%v\nwant\n%v", iter, bounded, got, want)
		}
		if s.heldBytes != 0 {
			t.Fatalf("iteration %d: %d bytes still held", iter, s.heldBytes)
		}
	}
}

// TestMinTree checks the sequencer's tree of file progress against a pass
// over the values, for sizes that are and are not powers of two.
func TestMinTree(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	if got := newMinTree(nil).min(); got != math.MaxInt64 {
		t.Errorf("empty: %d", got)
	}
	for n := 1; n <= 33; n++ {
		vals := make([]int64, n)
		for i := range vals {
			vals[i] = rng.Int64N(1000)
		}
		tree := newMinTree(vals)
		for range 200 {
			i := rng.IntN(n)
			vals[i] = rng.Int64N(1000)
			if rng.IntN(10) == 0 {
				vals[i] = math.MaxInt64
			}
			tree.set(i, vals[i])
			if got, want := tree.min(), slices.Min(vals); got != want {
				t.Fatalf("n %d: min %d, want %d", n, got, want)
			}
		}
	}
}

// each hands a sequencer's batches of events on one at a time.
func each(f func(*analysis.Event)) func([]analysis.Event) {
	return func(evs []analysis.Event) {
		for i := range evs {
			f(&evs[i])
		}
	}
}
