package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"analyze/ingest"
	"analyze/report"
	"analyze/report/analysis"
	"analyze/report/write"
)

// protocols is an analysis written as an example of the seam: requests by
// HTTP protocol version. Adding it takes this type and one Register line;
// nothing in the engine, the snapshot or the report's model changes.
type protocols map[string]int64

func (p protocols) Add(b *analysis.Batch) {
	for i := range b.Rows {
		if r := &b.Rows[i]; r.InSpan {
			v := string(b.Get(r.Protocol))
			if v == "" {
				v = "-"
			}
			p[v]++
		}
	}
}

func (p protocols) Merge(o analysis.Analysis) {
	for v, n := range o.(protocols) {
		p[v] += n
	}
}

func (p protocols) Encode() ([]byte, error) { return json.Marshal(map[string]int64(p)) }

func (p protocols) Restore(part []byte) error {
	var o map[string]int64
	if err := json.Unmarshal(part, &o); err != nil {
		return err
	}
	p.Merge(protocols(o))
	return nil
}

type protocolRow struct {
	Protocol string  `json:"protocol"`
	Requests int64   `json:"requests"`
	Share    float64 `json:"share"`
}

// protocolRows is the section: a list in the JSON report, a table in the
// others (analysis.Tabular).
type protocolRows []protocolRow

func (p protocols) Section(ctx *analysis.Context) any {
	rows := protocolRows{}
	for _, v := range slices.Sorted(maps.Keys(p)) {
		rows = append(rows, protocolRow{v, p[v], float64(p[v]) / float64(max(ctx.Analyzed, 1))})
	}
	return rows
}

func (protocolRows) Title() string     { return "Protocols" }
func (protocolRows) Columns() []string { return []string{"protocol", "requests"} }
func (rs protocolRows) Rows() [][]string {
	var out [][]string
	for _, r := range rs {
		out = append(out, []string{r.Protocol, strconv.FormatInt(r.Requests, 10)})
	}
	return out
}

// inOrder is an order-sensitive analysis: it reads the events of the
// analysed records (analysis.Ordered) and counts those that came before
// the one read last.
type inOrder struct{ events, disorder, last int64 }

func (*inOrder) Add(*analysis.Batch) {}
func (o *inOrder) Merge(x analysis.Analysis) {
	o.events += x.(*inOrder).events // 0: only the first instance reads events
}
func (o *inOrder) Consume(evs []analysis.Event) {
	for _, e := range evs {
		if e.Time < o.last {
			o.disorder++
		}
		o.events, o.last = o.events+1, e.Time
	}
}
func (o *inOrder) Section(*analysis.Context) any { return []int64{o.events, o.disorder} }

// balance is an order-sensitive analysis whose Add and Consume share one
// map: each analysed row adds one to its client, each event takes one
// off. Every analysed record has its event, so every client ends at 0.
// The engine must not call an instance's Consume while its Add runs (go
// test -race; a map written by both at once is a fatal error).
type balance map[uint64]int64

func (b balance) Add(batch *analysis.Batch) {
	for i := range batch.Rows {
		if r := &batch.Rows[i]; r.InSpan {
			b[r.ClientID]++
		}
	}
}
func (b balance) Merge(x analysis.Analysis) {
	for h, n := range x.(balance) {
		b[h] += n
	}
}
func (b balance) Consume(evs []analysis.Event) {
	for i := range evs {
		b[evs[i].Client]--
	}
}
func (b balance) Section(*analysis.Context) any {
	off := 0
	for _, n := range b {
		if n != 0 {
			off++
		}
	}
	return off
}

// writeProtocolLog writes a combined log of n lines per protocol, a
// minute apart from start, and returns its path.
func writeProtocolLog(t *testing.T, dir, name string, start time.Time, n map[string]int) string {
	t.Helper()
	var b strings.Builder
	i := 0
	for _, proto := range slices.Sorted(maps.Keys(n)) {
		for range n[proto] {
			at := start.Add(time.Duration(i) * time.Second)
			fmt.Fprintf(&b, "10.0.0.%d - - [%s] \"GET /api/products/%d %s\" 200 12 \"-\" \"client/1.0\"\n",
				i%7, at.Format("02/Jan/2006:15:04:05 -0700"), i, proto)
			i++
		}
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func protocolSection(t *testing.T, r *report.Report) string {
	t.Helper()
	b, err := json.Marshal(r.Analyses["protocols"])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRegisteredAnalysis adds an analysis through the seam only and checks
// that it sees every record once whatever the workers and blocks, reports
// its section, and that its stored runs merge as one run would count.
func TestRegisteredAnalysis(t *testing.T) {
	report.Register("protocols", func(report.Config) analysis.Analysis { return protocols{} })
	defer report.Unregister("protocols")
	report.Register("in_order", func(report.Config) analysis.Analysis { return &inOrder{} })
	defer report.Unregister("in_order")
	report.Register("balance", func(report.Config) analysis.Analysis { return balance{} })
	defer report.Unregister("balance")

	dir := t.TempDir()
	day := time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC)
	a := writeProtocolLog(t, dir, "a.log", day, map[string]int{"HTTP/1.0": 40, "HTTP/1.1": 900, "HTTP/2.0": 300})
	b := writeProtocolLog(t, dir, "b.log", day.Add(time.Hour), map[string]int{"HTTP/1.1": 100, "HTTP/2.0": 60})
	want := `[{"protocol":"HTTP/1.0","requests":40,"share":0.02857142857142857},` +
		`{"protocol":"HTTP/1.1","requests":1000,"share":0.7142857142857143},` +
		`{"protocol":"HTTP/2.0","requests":360,"share":0.2571428571428571}]`

	run := func(paths []string, opts ingest.Options) (*report.Summary, []*ingest.File) {
		t.Helper()
		files, errs := ingest.Expand(paths, false)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		sum, err := report.Aggregate(context.Background(), files, opts, report.Config{})
		if err != nil {
			t.Fatal(err)
		}
		return sum, files
	}
	for _, opts := range []ingest.Options{{Workers: 1}, {Workers: 3, MaxLine: 1 << 10}} {
		sum, files := run([]string{a, b}, opts)
		r := report.Build(sum, files, report.Filter{}, report.Options{Top: 10})
		if got := protocolSection(t, r); got != want {
			t.Errorf("workers %d: protocols = %s\nwant %s", opts.Workers, got, want)
		}
		// Every analysed record's event, once, in time order.
		if got := fmt.Sprint(r.Analyses["in_order"]); got != "[1400 0]" {
			t.Errorf("workers %d: in_order = %s (events, out of order), want [1400 0]", opts.Workers, got)
		}
		if got := r.Analyses["balance"]; got != 0 {
			t.Errorf("workers %d: balance = %v clients whose rows and events differ, want 0", opts.Workers, got)
		}
	}

	// Two runs, the first stored: its part of the snapshot merges in.
	first, firstFiles := run([]string{a}, ingest.Options{Workers: 2})
	stored, err := first.Snapshot(firstFiles)
	if err != nil {
		t.Fatal(err)
	}
	second, files := run([]string{b}, ingest.Options{Workers: 2})
	if err := second.MergeSnapshot(stored); err != nil {
		t.Fatal(err)
	}
	r := report.Build(second, files, report.Filter{}, report.Options{Top: 10})
	if got := protocolSection(t, r); got != want {
		t.Errorf("stored run + run: protocols = %s\nwant %s", got, want)
	}

	// The text report shows it as a table.
	var text strings.Builder
	if err := write.WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?is)Protocols.*HTTP/1\.0\s*│?\s*40\b.*HTTP/2\.0\s*│?\s*360\b`).MatchString(text.String()) {
		t.Errorf("the text report does not show the protocols table:\n%s", text.String())
	}

	// Without the registration the report has no such section, and its
	// JSON no "analyses" key (the shipped report is unchanged).
	report.Unregister("protocols")
	report.Unregister("in_order")
	report.Unregister("balance")
	sum, files := run([]string{a}, ingest.Options{Workers: 1})
	out, err := json.Marshal(report.Build(sum, files, report.Filter{}, report.Options{Top: 10}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), `"analyses"`) {
		t.Errorf("a report without registered analyses has an \"analyses\" key")
	}
}

// awaiting is an order-sensitive analysis whose state outlives a run
// (analysis.Carrier): the clients whose last response was a 5xx, and how
// many of them got a success afterwards.
type awaiting struct {
	open      map[uint64]bool
	recovered int64
}

func newAwaiting() *awaiting { return &awaiting{open: map[uint64]bool{}} }

func (*awaiting) Add(*analysis.Batch) {}
func (a *awaiting) Merge(o analysis.Analysis) {
	x := o.(*awaiting)
	a.recovered += x.recovered
	for c := range x.open {
		a.open[c] = true
	}
}
func (a *awaiting) Consume(evs []analysis.Event) {
	for _, e := range evs {
		switch {
		case e.Status >= 500:
			a.open[e.Client] = true
		case e.Status < 400 && a.open[e.Client]:
			delete(a.open, e.Client)
			a.recovered++
		}
	}
}
func (a *awaiting) Carry() ([]byte, error) { return json.Marshal(slices.Sorted(maps.Keys(a.open))) }
func (a *awaiting) Resume(part []byte) error {
	var open []uint64
	if err := json.Unmarshal(part, &open); err != nil {
		return err
	}
	for _, c := range open {
		a.open[c] = true
	}
	return nil
}
func (a *awaiting) Section(*analysis.Context) any { return []int64{a.recovered, int64(len(a.open))} }

// TestRegisteredCarry slices a log in two runs, as --state does: what a
// registered order-sensitive analysis still waits on when the first ends
// (a client's 503) is carried to the second, which sees it recover, as one
// run over both does.
func TestRegisteredCarry(t *testing.T) {
	report.Register("awaiting", func(report.Config) analysis.Analysis { return newAwaiting() })
	defer report.Unregister("awaiting")
	dir := t.TempDir()
	day := time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC)
	write := func(name string, lines ...string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	line := func(client string, at time.Duration, status int) string {
		return fmt.Sprintf("%s - - [%s] \"GET /api/products HTTP/1.1\" %d 10 \"-\" \"c/1\"", client, day.Add(at).Format("02/Jan/2006:15:04:05 -0700"), status)
	}
	a := write("a.log", line("10.0.0.2", 0, 200), line("10.0.0.1", time.Second, 503))
	b := write("b.log", line("10.0.0.1", time.Minute, 200), line("10.0.0.2", time.Minute+time.Second, 200))
	// run returns the section, and the carry taken before Build, as
	// --state takes it.
	run := func(cfg report.Config, paths ...string) (section string, carry []byte) {
		t.Helper()
		files, errs := ingest.Expand(paths, false)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		sum, err := report.Aggregate(context.Background(), files, ingest.Options{Workers: 2}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if carry, err = sum.Carry(); err != nil {
			t.Fatal(err)
		}
		r := report.Build(sum, files, report.Filter{}, report.Options{Top: 10})
		return fmt.Sprint(r.Analyses["awaiting"]), carry
	}
	whole, _ := run(report.Config{}, a, b)
	first, carry := run(report.Config{}, a)
	c, err := report.DecodeCarry(carry)
	if err != nil {
		t.Fatal(err)
	}
	second, _ := run(report.Config{Carry: c}, b)
	alone, _ := run(report.Config{}, b)
	for _, tc := range []struct{ name, got, want string }{
		{"one run over both", whole, "[1 0]"},
		{"the first run", first, "[0 1]"},
		{"the second, carried", second, "[1 0]"},
		{"the second alone", alone, "[0 0]"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: awaiting = %s (recovered, still open), want %s", tc.name, tc.got, tc.want)
		}
	}
}
