package watch

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/clipperhouse/displaywidth"
	"github.com/muesli/termenv"

	"analyze/report"
)

// fakeSource is a Source the test feeds: it records the filters and pauses
// the view passes back, and refuses a selector without "=".
type fakeSource struct {
	ch chan Frame

	mu      sync.Mutex
	filters []string
	paused  []bool
}

func newFakeSource() *fakeSource { return &fakeSource{ch: make(chan Frame, 8)} }

func (s *fakeSource) Frames() <-chan Frame { return s.ch }

func (s *fakeSource) SetFilter(sel string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for f := range strings.FieldsSeq(sel) {
		if !strings.Contains(f, "=") {
			return fmt.Errorf("cannot parse the filter %q: want key=value", f)
		}
	}
	s.filters = append(s.filters, sel)
	return nil
}

func (s *fakeSource) SetPaused(p bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paused = append(s.paused, p)
}

// testFrame is a frame at 12:07 with a 503 incident, ongoing or over.
func testFrame(over bool) Frame {
	lat := &report.Latency{Count: 900, P50: 12.5, P95: 48, P99: 230.4}
	win := func(name string, sec float64, req, c5, c429 int64) Window {
		return Window{Name: name, Seconds: sec, Requests: req, RatePerSecond: float64(req) / sec,
			Classes:     report.Classes{Success: req - c5 - c429, ClientError: c429, ServerError: c5},
			RateLimited: c429, Latency: lat}
	}
	w5 := win("5m", 300, 3000, 420, 12)
	w5.Endpoints = []report.EndpointRow{{Endpoint: "/api/products/{id}", Requests: 1800,
		Classes: report.Classes{ServerError: 400, ClientError: 2}}}
	w5.Clients = []report.ClientRow{{Client: "acme", ErrorCounts: report.ErrorCounts{Requests: 900, ServerError: 300, RateLimited: 12}}}
	w5.IgnoringRetryAfter = []report.QuotaClient{{Client: "greedy-bot", Requests: 120, RateLimited: 12, RetryAfterViolations: 9}}
	inc := Incident{Incident: report.Incident{Start: "2024-05-01T12:03:00Z", End: "2024-05-01T12:07:00Z",
		Kind: "server_error", Peak: 140, PeakAt: "2024-05-01T12:05:00Z", PeakRate: 0.7, Failures: 420, Requests: 800,
		Status: 503, Diagnosis: "upstream_unavailable", Endpoints: []string{"/api/products/{id}"}, Clients: []string{"acme"}}, Over: over}
	return Frame{
		Time: "2024-05-01T12:07:30Z", HorizonSeconds: 900,
		Input:     Input{Lines: 10050, Records: 10000, Rejected: 30, Unrecognized: 15, Blank: 5, Reconciled: true},
		Files:     []FileState{{Path: "/var/log/nginx/access.log", State: "following", Lines: 10050, Rotations: 1, Truncations: 1}},
		Incidents: []Incident{inc},
		Windows: []Window{win("1m", 60, 600, 140, 3), w5, win("15m", 900, 9000, 420, 12),
			win("baseline", 900, 9000, 420, 12)},
		Sparklines: Sparklines{Start: "2024-05-01T11:53:00Z",
			Success:     []int64{500, 520, 510, 530, 505, 515, 520, 510, 300, 250, 260, 400, 500, 510, 240},
			ClientError: []int64{1, 0, 2, 0, 0, 1, 0, 0, 3, 2, 2, 1, 0, 0, 1},
			ServerError: []int64{0, 0, 0, 0, 0, 0, 0, 0, 100, 140, 130, 50, 0, 0, 0},
			RateLimited: []int64{0, 0, 0, 0, 0, 0, 0, 0, 3, 4, 3, 2, 0, 0, 0}},
	}
}

// newTestView is the view on src, without colours, sized w×h.
func newTestView(t *testing.T, src Source, w, h int) *view {
	t.Helper()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	v := newView(t.Context(), src, r)
	v.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return v
}

// screen is the view's text without escape sequences.
func screen(v *view) string { return ansi.Strip(v.View()) }

// feed gives the view a frame as the program does.
func feed(v *view, f Frame) { v.Update(frameMsg(f)) }

// press types keys: a string of runes, or one named key.
func press(v *view, keys ...tea.KeyMsg) {
	for _, k := range keys {
		v.Update(k)
	}
}

func runes(s string) tea.KeyMsg    { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }
func key(t tea.KeyType) tea.KeyMsg { return tea.KeyMsg{Type: t} }

func TestViewIncidentOngoingThenOver(t *testing.T) {
	v := newTestView(t, newFakeSource(), 120, 40)
	if got := screen(v); !strings.Contains(got, "waiting for the first refresh") {
		t.Errorf("before a frame: got\n%s\nwant the wait said", got)
	}
	feed(v, testFrame(false))
	got := screen(v)
	for _, want := range []string{"ONGOING 503 upstream_unavailable  12:03–now  peak 140/min at 12:05",
		"server_error: 420 failures, 70.0% at peak · endpoints /api/products/{id} · clients acme", "1 ongoing, 0 over"} {
		if !strings.Contains(got, want) {
			t.Errorf("ongoing: got\n%s\nwant %q", got, want)
		}
	}
	if strings.Contains(got, "OVER") {
		t.Errorf("ongoing: got\n%s\nwant no OVER", got)
	}
	feed(v, testFrame(true))
	got = screen(v)
	for _, want := range []string{"OVER    503 upstream_unavailable  12:03–12:07  peak 140/min at 12:05", "0 ongoing, 1 over"} {
		if !strings.Contains(got, want) {
			t.Errorf("over: got\n%s\nwant %q", got, want)
		}
	}
	if strings.Contains(got, "ONGOING") {
		t.Errorf("over: got\n%s\nwant no ONGOING", got)
	}
	none := testFrame(true)
	none.Incidents = nil
	feed(v, none)
	if got := screen(v); !strings.Contains(got, "No incident in the last 15m.") {
		t.Errorf("none: got\n%s\nwant %q", got, "No incident in the last 15m.")
	}
}

func TestViewAccountingAndFiles(t *testing.T) {
	tests := []struct {
		name  string
		width int
		input Input
		want  []string
	}{
		{"wide", 200, Input{Lines: 10050, Records: 10000, Rejected: 30, Unrecognized: 15, Blank: 5, Reconciled: true},
			[]string{"lines 10,050 = records 10,000 + rejected 30 + unrecognized 15 + blank 5  reconciled"}},
		{"narrow", 80, Input{Lines: 12345678, Records: 12345000, Rejected: 600, Unrecognized: 70, Blank: 8, Reconciled: true, Before: 1000},
			[]string{"12,345,678", "reconciled"}},
		{"not reconciled", 80, Input{Lines: 10, Records: 8}, []string{"lines 10 = records 8", "NOT RECONCILED"}},
		{"said reconciled, not adding up", 80, Input{Lines: 10, Records: 8, Blank: 1, Reconciled: true}, []string{"NOT RECONCILED"}},
		{"before the horizon", 200, Input{Lines: 10, Records: 10, Before: 4, Reconciled: true}, []string{"(4 before the horizon)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestView(t, newFakeSource(), tt.width, 40)
			f := testFrame(false)
			f.Input = tt.input
			feed(v, f)
			lines := strings.Split(screen(v), "\n")
			last := lines[len(lines)-1]
			for _, want := range tt.want {
				if !strings.Contains(last, want) {
					t.Errorf("last line: got %q, want %q in it", last, want)
				}
			}
			file := lines[len(lines)-2]
			for _, want := range []string{"/var/log/nginx/access.log", "following", "10,050 lines", "1 rotation, 1 truncation"} {
				if !strings.Contains(file, want) {
					t.Errorf("file line: got %q, want %q in it", file, want)
				}
			}
		})
	}
}

func TestViewFilterInput(t *testing.T) {
	src := newFakeSource()
	v := newTestView(t, src, 100, 30)
	feed(v, testFrame(false))
	press(v, runes("/"))
	press(v, runes("client=acme"), key(tea.KeySpace), runes("endpoint=/api/products/*x"), key(tea.KeyBackspace))
	if got := screen(v); !strings.Contains(got, "/ client=acme endpoint=/api/products/*") {
		t.Errorf("typing: got\n%s\nwant the input shown", got)
	}
	press(v, key(tea.KeyEnter))
	if got, want := strings.Join(src.filters, "|"), "client=acme endpoint=/api/products/*"; got != want {
		t.Errorf("SetFilter: got %q, want %q", got, want)
	}
	got := screen(v)
	if !strings.Contains(got, "filter: client=acme endpoint=/api/products/* (next refresh)") {
		t.Errorf("applied: got\n%s\nwant the filter shown", got)
	}
	if !strings.Contains(got, "q quit") {
		t.Errorf("applied: got\n%s\nwant the keys back", got)
	}

	// A bad selector: the error is shown, the input stays, the filter too.
	press(v, runes("/"), key(tea.KeyCtrlU), runes("acme"), key(tea.KeyEnter))
	got = screen(v)
	if !strings.Contains(got, `filter not applied: cannot parse the filter "acme"`) {
		t.Errorf("bad selector: got\n%s\nwant the error", got)
	}
	if !strings.Contains(got, "filter: client=acme endpoint=/api/products/*") || !strings.Contains(got, "/ acme") {
		t.Errorf("bad selector: got\n%s\nwant the old filter and the input kept", got)
	}
	if len(src.filters) != 1 {
		t.Errorf("bad selector: filters applied %q, want the first only", src.filters)
	}
	// Esc cancels: q, typed in the input, did not quit; the error goes.
	press(v, runes("q"))
	press(v, key(tea.KeyEsc))
	got = screen(v)
	if strings.Contains(got, "filter not applied") || !strings.Contains(got, "q quit") {
		t.Errorf("esc: got\n%s\nwant the keys back, no error", got)
	}
	// The frame computed with the filter: no "next refresh".
	f := testFrame(false)
	f.Filter = "client=acme endpoint=/api/products/*"
	feed(v, f)
	if got := screen(v); strings.Contains(got, "next refresh") || !strings.Contains(got, "filter: client=acme endpoint=/api/products/*") {
		t.Errorf("filtered frame: got\n%s\nwant the frame's filter, no (next refresh)", got)
	}
	// Cleared: an empty selector applied, then a frame without one.
	press(v, runes("/"), key(tea.KeyCtrlU), key(tea.KeyEnter))
	if got := screen(v); !strings.Contains(got, "filter: none (next refresh)") {
		t.Errorf("cleared: got\n%s\nwant the empty filter awaited", got)
	}
	feed(v, testFrame(false))
	if got := screen(v); strings.Contains(got, "filter:") {
		t.Errorf("cleared: got\n%s\nwant no filter shown", got)
	}
}

func TestViewFilterFromFlags(t *testing.T) {
	v := newTestView(t, newFakeSource(), 100, 30)
	f := testFrame(false)
	f.Filter = "status=503"
	feed(v, f)
	if got := screen(v); !strings.Contains(got, "filter: status=503") {
		t.Errorf("got\n%s\nwant the frame's filter shown", got)
	}
	press(v, runes("/"))
	if got := screen(v); !strings.Contains(got, "/ status=503") {
		t.Errorf("got\n%s\nwant the input to start from the filter in force", got)
	}
}

func TestViewPause(t *testing.T) {
	src := newFakeSource()
	v := newTestView(t, src, 100, 30)
	feed(v, testFrame(false))
	press(v, runes("p"))
	if got := screen(v); !strings.Contains(got, "PAUSED") || !strings.Contains(got, "p resume") {
		t.Errorf("paused: got\n%s\nwant PAUSED", got)
	}
	feed(v, testFrame(true)) // arrives while paused: not shown
	if got := screen(v); !strings.Contains(got, "ONGOING") || strings.Contains(got, "OVER") {
		t.Errorf("paused: got\n%s\nwant the frame kept", got)
	}
	press(v, runes("p"))
	if got := screen(v); strings.Contains(got, "PAUSED") || !strings.Contains(got, "OVER") {
		t.Errorf("resumed: got\n%s\nwant the newest frame", got)
	}
	if got, want := fmt.Sprint(src.paused), "[true false]"; got != want {
		t.Errorf("SetPaused: got %s, want %s", got, want)
	}
}

func TestViewQuit(t *testing.T) {
	tests := []struct {
		name    string
		editing bool
		key     tea.KeyMsg
		quits   bool
	}{
		{"q", false, runes("q"), true},
		{"ctrl-c", false, key(tea.KeyCtrlC), true},
		{"q typed in the filter", true, runes("q"), false},
		{"ctrl-c in the filter", true, key(tea.KeyCtrlC), true},
		{"another key", false, runes("x"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestView(t, newFakeSource(), 80, 24)
			feed(v, testFrame(false))
			if tt.editing {
				press(v, runes("/"))
			}
			_, cmd := v.Update(tt.key)
			quits := false
			if cmd != nil {
				_, quits = cmd().(tea.QuitMsg)
			}
			if quits != tt.quits {
				t.Errorf("quits: got %v, want %v", quits, tt.quits)
			}
		})
	}
}

// manyFrame has more incidents and failing rows than 80x24 shows.
func manyFrame() Frame {
	f := testFrame(false)
	inc := f.Incidents[0]
	for i := range 6 {
		inc.Start = fmt.Sprintf("2024-05-01T11:%02d:00Z", 10+i)
		inc.Over = true
		f.Incidents = append(f.Incidents, inc)
	}
	w := &f.Windows[1]
	for i := range 6 {
		w.Endpoints = append(w.Endpoints, report.EndpointRow{Endpoint: fmt.Sprintf("/api/e%d", i), Requests: 10})
	}
	return f
}

func TestViewTab(t *testing.T) {
	v := newTestView(t, newFakeSource(), 80, 24)
	feed(v, manyFrame())
	focused := func() string {
		for l := range strings.SplitSeq(screen(v), "\n") {
			if strings.HasPrefix(l, "▶ ") {
				return l
			}
		}
		return ""
	}
	for _, want := range []string{"Incidents", "Rates", "Failing now", "Files", "Incidents"} {
		if got := focused(); !strings.HasPrefix(got, "▶ "+want) {
			t.Errorf("focus: got %q, want ▶ %s", got, want)
		}
		if want == "Incidents" && (!strings.Contains(screen(v), "more lines (tab to failing)") || strings.Contains(screen(v), "/api/e5")) {
			t.Errorf("got\n%s\nwant the failing panel cut, saying so", screen(v))
		}
		press(v, key(tea.KeyTab))
	}
	// Focused, the failing panel gets the spare height: all its rows show.
	press(v, key(tea.KeyTab)) // rates -> failing
	if got := screen(v); !strings.Contains(got, "/api/e5") || !strings.Contains(got, "more lines (tab to incidents)") {
		t.Errorf("failing focused: got\n%s\nwant the failing panel grown, the incidents cut", got)
	}
	press(v, key(tea.KeyShiftTab))
	if got := focused(); !strings.HasPrefix(got, "▶ Rates") {
		t.Errorf("shift+tab: got %q, want ▶ Rates", got)
	}
}

func TestViewFits(t *testing.T) {
	hostile := manyFrame()
	hostile.Windows[1].Clients[0].Client = "evil\x1b[2J\x1b]0;pwned\x07" + strings.Repeat("長", 150)
	hostile.Files[0].Path = "/var/log/" + strings.Repeat("x", 300)
	sizes := []struct{ w, h int }{{80, 24}, {200, 60}, {100, 30}, {40, 10}, {20, 5}}
	for _, sz := range sizes {
		for _, f := range []Frame{testFrame(false), hostile} {
			for focus := range numPanels {
				t.Run(fmt.Sprintf("%dx%d/%s", sz.w, sz.h, focus), func(t *testing.T) {
					v := newTestView(t, newFakeSource(), 120, 40)
					feed(v, f)
					v.focus = focus
					v.Update(tea.WindowSizeMsg{Width: sz.w, Height: sz.h}) // a resize
					raw := v.View()
					if strings.Contains(raw, "\x1b[2J") || strings.Contains(raw, "\x07") {
						t.Errorf("got %q, want the log's escapes made harmless", raw)
					}
					lines := strings.Split(ansi.Strip(raw), "\n")
					if len(lines) > sz.h {
						t.Errorf("got %d lines, want at most %d", len(lines), sz.h)
					}
					for i, l := range lines {
						if got := displaywidth.String(l); got > sz.w {
							t.Errorf("line %d: %d columns, want at most %d: %q", i, got, sz.w, l)
						}
					}
					if sz.h >= 24 {
						if got := lines[len(lines)-1]; !strings.Contains(got, "reconciled") {
							t.Errorf("last line %q, want the accounting", got)
						}
						if got := strings.Join(lines, "\n"); !strings.Contains(got, "ONGOING") || !strings.Contains(got, "analyze watch") {
							t.Errorf("got\n%s\nwant the header and the ongoing incident", got)
						}
					}
				})
			}
		}
	}
}

// environ is a terminal's environment for termenv.
type environ map[string]string

func (e environ) Environ() []string {
	var out []string
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}
func (e environ) Getenv(k string) string { return e[k] }

// TestViewNoColor: every style goes through the view's renderer, so a
// colour terminal gets colours and NO_COLOR none.
func TestViewNoColor(t *testing.T) {
	tests := []struct {
		name   string
		env    environ
		colour bool
	}{
		{"colour terminal", environ{"TERM": "xterm-256color", "COLORTERM": "truecolor"}, true},
		{"NO_COLOR", environ{"TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := lipgloss.NewRenderer(io.Discard, termenv.WithTTY(true), termenv.WithEnvironment(tt.env))
			v := newView(t.Context(), newFakeSource(), r)
			feed(v, testFrame(false))
			press(v, runes("p"))
			raw := v.View()
			if got := strings.Contains(raw, "\x1b["); got != tt.colour {
				t.Errorf("escape sequences: got %v, want %v in\n%q", got, tt.colour, raw)
			}
			if got := ansi.Strip(raw); !strings.Contains(got, "ONGOING") || !strings.Contains(got, "PAUSED") {
				t.Errorf("got\n%s\nwant ONGOING and PAUSED said in words", got)
			}
		})
	}
}

func TestViewRates(t *testing.T) {
	v := newTestView(t, newFakeSource(), 100, 40)
	feed(v, testFrame(false))
	got := screen(v)
	for _, want := range []string{
		"  window      req/s  requests     4xx     5xx   5xx%    429     p50     p95   p99 ms",
		"  1m           10.0       600       3     140  23.3%      3    12.5    48.0      230",
		"  baseline     10.0     9,000      12     420   4.7%     12    12.5    48.0      230",
		"  success  ████████▅▄▄▇██▄ max 530/min",
		"  5xx              ▆██▃    max 140/min",
		"  429              ▆█▆▄    max 4/min",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("got\n%s\nwant %q", got, want)
		}
	}
}

func TestSparkline(t *testing.T) {
	tests := []struct {
		name   string
		values []int64
		w      int
		want   string
		top    int64
	}{
		{"scaled to its max", []int64{0, 1, 4, 8}, 10, " ▁▄█", 8},
		{"any request shows", []int64{1, 1000}, 10, "▁█", 1000},
		{"the last that fit", []int64{9, 9, 0, 2}, 2, " █", 2},
		{"nothing", []int64{0, 0}, 5, "  ", 0},
		{"no room", []int64{3}, 0, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, top := sparkline(tt.values, tt.w)
			if got != tt.want || top != tt.top {
				t.Errorf("got %q (max %d), want %q (max %d)", got, top, tt.want, tt.top)
			}
		})
	}
}

func TestSpan(t *testing.T) {
	for _, tt := range []struct {
		sec  float64
		want string
	}{{900, "15m"}, {5400, "1h30m"}, {86400 * 2, "2d"}, {45, "45s"}, {0, "?"}} {
		if got := span(tt.sec); got != tt.want {
			t.Errorf("span(%v): got %q, want %q", tt.sec, got, tt.want)
		}
	}
}

// syncBuffer collects the program's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return ansi.Strip(b.b.String())
}

// waitFor waits until the output shows want.
func waitFor(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.Contains(out.String(), want) {
			return
		}
	}
	t.Fatalf("output: got %q, want %q in it", out.String(), want)
}

// TestRunTerminal runs the program over pipes: frames in, q in, nil out.
func TestRunTerminal(t *testing.T) {
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer inR.Close()
	defer inW.Close()
	out := &syncBuffer{}
	src := newFakeSource()
	done := make(chan error, 1)
	go func() { done <- RunTerminal(context.Background(), src, inR, out) }()
	src.ch <- testFrame(false)
	waitFor(t, out, "ONGOING")
	src.ch <- testFrame(true)
	waitFor(t, out, "OVER")
	if _, err := inW.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunTerminal: got %v, want nil after q", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunTerminal did not return after q")
	}
}

// TestRunTerminalContext: the view ends, with nil, when its context does.
func TestRunTerminalContext(t *testing.T) {
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer inW.Close()
	defer inR.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- RunTerminal(ctx, newFakeSource(), inR, io.Discard) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunTerminal: got %v, want nil when ctx is done", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunTerminal did not return when ctx was done")
	}
}

// TestViewSourceEnded: a closed channel is said, the last frame kept.
func TestViewSourceEnded(t *testing.T) {
	src := newFakeSource()
	v := newTestView(t, src, 100, 30)
	src.ch <- testFrame(false)
	close(src.ch)
	for range 2 { // the frame, then the end
		v.Update(v.next()())
	}
	got := screen(v)
	if !strings.Contains(got, "input ended") || !strings.Contains(got, "ONGOING") {
		t.Errorf("got\n%s\nwant the frame kept and the end said", got)
	}
}

// TestViewKeysTogether: keys that reach the view in one read ("/" and the
// selector typed fast, over a slow link, or by tmux send-keys under load)
// are each a key: "/" opens the input and the rest is the selector. They
// came as one message, "/status=404", and were no key at all (CI's tmux
// test saw it).
func TestViewKeysTogether(t *testing.T) {
	src := newFakeSource()
	v := newTestView(t, src, 100, 30)
	feed(v, testFrame(false))
	press(v, runes("/status=404"), key(tea.KeyEnter))
	if got := strings.Join(src.filters, "|"); got != "status=404" {
		t.Errorf("SetFilter: got %q, want %q", got, "status=404")
	}
	press(v, runes("p"+"/"+"x"))
	if !v.paused || !v.editing || string(v.input) != "status=404x" {
		t.Errorf("p/x: paused %v, editing %v, input %q", v.paused, v.editing, string(v.input))
	}
}
