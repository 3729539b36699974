package watch

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"analyze/internal/browsertest"
	"analyze/report"
)

// liveScript opens the live page (argv[2]) in headless Chromium (argv[3])
// and follows it as the test publishes: it prints "saw NAME" on stdout when
// the page shows the state the test is in (quiet, ongoing, over, fault), then
// "result JSON" with what it saw. Screenshots go to argv[4].
const liveScript = `
import { chromium } from 'playwright-core';
const [base, exe, shots] = process.argv.slice(2);
` + browsertest.Launch + `const out = { errors: [], loads: 0 };
let watching = true;
const watch = (page, name) => {
  page.on('console', m => { if (watching && (m.type() === 'error' || m.type() === 'warning')) out.errors.push(name + ': ' + m.text()); });
  page.on('pageerror', e => out.errors.push(name + ': ' + e.message));
  page.on('request', r => { if (!r.url().startsWith(base + '/')) out.errors.push(name + ': request to ' + r.url()); });
  page.on('load', () => { if (name === 'desktop') out.loads++; });
  page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  });
};
const seen = page => page.evaluate(() => ({
  conn: document.getElementById('conn').textContent,
  cards: Object.fromEntries(Array.from(document.querySelectorAll('.card')).map(c => [c.querySelector('span').textContent, c.querySelector('b').textContent])),
  incidents: Array.from(document.querySelectorAll('#incidents tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent)),
  windows: Array.from(document.querySelectorAll('#windows tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent)),
  endpoints: Array.from(document.querySelectorAll('#endpoints tbody tr')).map(r => r.cells[0].textContent),
  sparks: Array.from(document.querySelectorAll('.spark path')).map(p => p.getAttribute('class') + ':' + (p.getAttribute('d').match(/M/g) || []).length),
  accounting: document.getElementById('accounting').textContent,
  files: Array.from(document.querySelectorAll('#files tbody tr')).map(r => r.cells[0].textContent + ' ' + r.cells[1].textContent),
  injected: document.querySelectorAll('main img, main script, main [onerror]').length,
  csp: window.__csp,
  pageWidth: document.documentElement.scrollWidth,
  background: getComputedStyle(document.body).backgroundColor,
}));

const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await ctx.newPage();
watch(page, 'desktop');
await page.goto(base + '/');
await page.waitForFunction(() => document.getElementById('conn').textContent === 'live' && document.querySelector('#incidents td.empty'), null, { timeout: 15000 });
out.quiet = await seen(page);
console.log('saw quiet');
await page.waitForSelector('#incidents td.ongoing', { timeout: 15000 });
out.ongoing = await seen(page);
await page.screenshot({ path: shots + '/watch-serve-desktop.png', fullPage: true });
console.log('saw ongoing');
await page.waitForSelector('#incidents td.over', { timeout: 15000 });
out.over = await seen(page);

const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
const ppage = await phone.newPage();
watch(ppage, 'phone');
await ppage.goto(base + '/');
await ppage.waitForSelector('#incidents td.over', { timeout: 15000 });
out.phone = await seen(ppage);
await ppage.screenshot({ path: shots + '/watch-serve-phone-dark.png', fullPage: true });
await phone.close();

console.log('saw over');
await page.waitForFunction(() => !document.getElementById('fault').hidden, null, { timeout: 15000 });
out.fault = await page.evaluate(() => document.getElementById('fault').textContent);
watching = false; // the stream is cut next: Chromium logs the failed reconnections
console.log('saw fault');
await page.waitForFunction(() => document.getElementById('conn').textContent === 'connection lost, retrying', null, { timeout: 15000 });
out.lost = await seen(page);
await browser.close();
console.log('result ' + JSON.stringify(out));
`

// liveView is what the script saw of the page at one moment.
type liveView struct {
	Conn       string
	Cards      map[string]string
	Incidents  [][]string
	Windows    [][]string
	Endpoints  []string
	Sparks     []string
	Accounting string
	Files      []string
	Injected   int
	CSP        []string
	PageWidth  float64 `json:"pageWidth"`
	Background string
}

// liveFrame is the frame of a phase of the browser test: quiet traffic,
// then a 503 outage (ongoing), then healthy traffic after it (over). i
// moves the clock on, so each frame differs from the one before. The
// endpoint and client are hostile, as log text can be.
func liveFrame(phase string, i int) Frame {
	now := time.Date(2025, 3, 12, 8, 20, 0, 0, time.UTC).Add(time.Duration(i) * 100 * time.Millisecond)
	const endpoint = "GET /v1/orders/<img src=x onerror=alert(1)>"
	const client = "203.0.113.7\u202e\x1b[2J"
	f := Frame{
		Time: now.Format(time.RFC3339), HorizonSeconds: 900,
		Input:     Input{Lines: 9000 + int64(i), Records: 8990 + int64(i), Rejected: 7, Blank: 3, Reconciled: true},
		Files:     []FileState{{Path: "/var/log/api/access.log", State: "following", Lines: 9000 + int64(i), Bytes: 1 << 20, Rotations: 1}},
		Incidents: []Incident{},
		Sparklines: Sparklines{Start: now.Add(-15 * time.Minute).Truncate(time.Minute).Format(time.RFC3339),
			Success: make([]int64, 16), ClientError: make([]int64, 16), ServerError: make([]int64, 16), RateLimited: make([]int64, 16)},
	}
	for m := range 16 {
		f.Sparklines.Success[m] = 600 + int64(m%3)*20
		f.Sparklines.ClientError[m] = 12
		f.Sparklines.RateLimited[m] = 3
	}
	lat := &report.Latency{Count: 600, P50: 41, P95: 180, P99: 420}
	window := func(name string, minutes int64, s5 int64) Window {
		w := Window{Name: name, Seconds: float64(60 * minutes), Requests: 620 * minutes,
			Classes: report.Classes{Success: 600*minutes - s5, ClientError: 20 * minutes, ServerError: s5}, RateLimited: 3 * minutes, Latency: lat}
		w.RatePerSecond = float64(w.Requests) / w.Seconds
		w.Start, w.End = now.Add(-time.Duration(minutes)*time.Minute).Format(time.RFC3339), f.Time
		if s5 > 0 {
			w.Endpoints = []report.EndpointRow{{Endpoint: endpoint, Requests: 300, Classes: report.Classes{ServerError: s5}}}
			w.Clients = []report.ClientRow{{Client: client, ErrorCounts: report.ErrorCounts{Requests: 200, ServerError: s5}}}
		}
		return w
	}
	inc := Incident{Incident: report.Incident{Start: "2025-03-12T08:14:00Z", End: "2025-03-12T08:18:00Z", Kind: "server_error",
		Peak: 480, PeakAt: "2025-03-12T08:16:00Z", PeakRate: 0.8, Failures: 1800, Requests: 2400, Status: 503,
		Diagnosis: "service unavailable", Endpoints: []string{endpoint}, Clients: []string{client}}}
	switch phase {
	case "quiet":
		f.Windows = []Window{window("1m", 1, 0), window("5m", 5, 0), window("15m", 15, 0), window("baseline", 15, 0)}
	case "ongoing":
		f.Windows = []Window{window("1m", 1, 480), window("5m", 5, 1800), window("15m", 15, 1800), window("baseline", 15, 1800)}
		f.Incidents = []Incident{inc}
		for m := 11; m < 16; m++ {
			f.Sparklines.ServerError[m] = 400
		}
	case "over", "fault":
		f.Windows = []Window{window("1m", 1, 0), window("5m", 5, 1800), window("15m", 15, 1800), window("baseline", 15, 1800)}
		inc.Over = true
		f.Incidents = []Incident{inc}
		for m := 11; m < 15; m++ {
			f.Sparklines.ServerError[m] = 400
		}
		if phase == "fault" {
			f.Windows[0].RatePerSecond = math.Inf(1)
		}
	}
	return f
}

// TestServeInBrowser follows the live page in headless Chromium while a
// goroutine publishes frames: the page shows no incident, then the 503
// incident ongoing, then over, without a reload; no console error, CSP
// violation or request to anything but the server; log text stays text;
// at a phone's width in dark mode the page fits; a frame that cannot be
// sent (an infinite rate) is said on the page; when the server stops,
// the page says the connection is lost and retrying. Screenshots go to
// $ANALYZE_ARTIFACTS (default: a folder under the system's temp dir).
func TestServeInBrowser(t *testing.T) {
	browser := browsertest.Find(t)
	shots := browsertest.Artifacts(t)
	s := NewServer()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	addr := make(chan net.Addr, 1)
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, "127.0.0.1:0", func(a net.Addr) { addr <- a }) }()
	base := "http://" + (<-addr).String()

	var phase atomic.Value
	phase.Store("quiet")
	publishing := make(chan struct{})
	go func() {
		defer close(publishing)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			s.Publish(liveFrame(phase.Load().(string), i))
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()

	cmd := browser.Command(t, "analyze-watch-serve-check.mjs", liveScript, base, browser.Chromium, shots)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	kill := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	defer kill.Stop()
	var result string
	lines := bufio.NewReader(stdout)
	for {
		line, err := lines.ReadString('\n')
		if err != nil {
			break
		}
		switch line = strings.TrimSpace(line); line {
		case "saw quiet":
			phase.Store("ongoing")
		case "saw ongoing":
			phase.Store("over")
		case "saw over":
			phase.Store("fault") // frames that cannot be sent
		case "saw fault":
			stop() // the server goes: the page must say so
		default:
			if r, ok := strings.CutPrefix(line, "result "); ok {
				result = r
			} else {
				t.Logf("browser: %s", line)
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("browser: %v\n%s", err, stderr.String())
	}
	stop()
	<-publishing
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	var seen struct {
		Errors                            []string
		Loads                             int
		Fault                             string
		Quiet, Ongoing, Over, Phone, Lost liveView
	}
	if err := json.Unmarshal([]byte(result), &seen); err != nil {
		t.Fatalf("browser output: %v\n%q\n%s", err, result, stderr.String())
	}
	t.Logf("screenshots: %s (the incident ongoing), %s (over, dark, phone)", filepath.Join(shots, "watch-serve-desktop.png"), filepath.Join(shots, "watch-serve-phone-dark.png"))
	for _, e := range seen.Errors {
		t.Errorf("console: %s", e)
	}
	if seen.Loads != 1 {
		t.Errorf("the page loaded %d times, want once (no reload)", seen.Loads)
	}
	for _, v := range []struct {
		name string
		view liveView
	}{{"quiet", seen.Quiet}, {"ongoing", seen.Ongoing}, {"over", seen.Over}, {"phone", seen.Phone}} {
		if v.view.Conn != "live" || len(v.view.CSP) > 0 || v.view.Injected != 0 {
			t.Errorf("%s: connection %q, CSP violations %q, %d elements from log text", v.name, v.view.Conn, v.view.CSP, v.view.Injected)
		}
		if len(v.view.Windows) != 4 || len(v.view.Windows[0]) != 8 || v.view.Windows[0][0] != "1m" || v.view.Windows[3][0] != "baseline" || v.view.Windows[1][1] != "3,100" {
			t.Errorf("%s: windows table %q", v.name, v.view.Windows)
		}
		if len(v.view.Sparks) != 4 || v.view.Sparks[0] != "ok:16" {
			t.Errorf("%s: sparklines %q, want 4 with 16 bars of success", v.name, v.view.Sparks)
		}
		if want := "lines 9,0"; !strings.HasPrefix(v.view.Accounting, want) || !strings.Contains(v.view.Accounting, "rejected 7") {
			t.Errorf("%s: accounting %q", v.name, v.view.Accounting)
		}
		if len(v.view.Files) != 1 || v.view.Files[0] != "/var/log/api/access.log following" {
			t.Errorf("%s: files %q", v.name, v.view.Files)
		}
	}
	if len(seen.Quiet.Incidents) != 1 || seen.Quiet.Incidents[0][0] != "none" || seen.Quiet.Cards["incidents ongoing"] != "0" {
		t.Errorf("quiet: incidents %q, cards %q", seen.Quiet.Incidents, seen.Quiet.Cards)
	}
	wantIncident := func(state string) []string {
		return []string{state, "08:14:00", "08:18:00", "480 at 08:16:00 (80.0 %)", "503 service unavailable (server_error)",
			"GET /v1/orders/<img src=x onerror=alert(1)>", `203.0.113.7\u{202E}\x1B[2J`}
	}
	for _, c := range []struct {
		name, state, ongoing, fivexx string
		view                         liveView
	}{
		{"ongoing", "ongoing", "1", "480 (77.4 %)", seen.Ongoing},
		{"over", "over", "0", "0 (0.0 %)", seen.Over},
		{"phone", "over", "0", "0 (0.0 %)", seen.Phone},
	} {
		if len(c.view.Incidents) != 1 || strings.Join(c.view.Incidents[0], "|") != strings.Join(wantIncident(c.state), "|") {
			t.Errorf("%s: incidents\n got %q\nwant %q", c.name, c.view.Incidents, [][]string{wantIncident(c.state)})
		}
		if c.view.Cards["incidents ongoing"] != c.ongoing || c.view.Cards["5xx (1m)"] != c.fivexx {
			t.Errorf("%s: cards %q, want %s ongoing and 5xx (1m) %s", c.name, c.view.Cards, c.ongoing, c.fivexx)
		}
		if len(c.view.Endpoints) != 1 || c.view.Endpoints[0] != "GET /v1/orders/<img src=x onerror=alert(1)>" {
			t.Errorf("%s: failing endpoints %q", c.name, c.view.Endpoints)
		}
	}
	if seen.Phone.PageWidth > 390+1 {
		t.Errorf("phone: the page is %v px wide, wider than the screen", seen.Phone.PageWidth)
	}
	if seen.Phone.Background == seen.Over.Background {
		t.Errorf("dark mode keeps the light background %s", seen.Over.Background)
	}
	if !strings.HasPrefix(seen.Fault, "The latest frame could not be sent (cannot encode the frame of 2025-03-12T08:2") ||
		!strings.HasSuffix(seen.Fault, "json: unsupported value: +Inf): the figures shown are older.") {
		t.Errorf("a frame that cannot be sent shows %q", seen.Fault)
	}
	if seen.Lost.Conn != "connection lost, retrying" {
		t.Errorf("after the server stopped the page says %q", seen.Lost.Conn)
	}
}
