package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"analyze/internal/browsertest"
)

// browserScript opens the HTML report (argv[2]) in headless Chromium
// (argv[3]) through playwright-core, at a desktop and a phone size and in
// dark mode, and prints what it saw as JSON: console errors, the tables
// and their sorting, the chart, the cards. Screenshots go to argv[4].
const browserScript = `
import { chromium } from 'playwright-core';
const [page_, exe, shots] = process.argv.slice(2);
` + browsertest.Launch + `const out = { errors: [], views: [] };
for (const v of [{ name: 'desktop', width: 1280, height: 900, scheme: 'light' }, { name: 'phone', width: 390, height: 844, scheme: 'light' },
                 { name: 'dark', width: 1280, height: 900, scheme: 'dark' }]) {
  const ctx = await browser.newContext({ viewport: { width: v.width, height: v.height }, colorScheme: v.scheme });
  const page = await ctx.newPage();
  page.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') out.errors.push(v.name + ': ' + m.text()); });
  page.on('pageerror', e => out.errors.push(v.name + ': ' + e.message));
  page.on('request', r => { if (!r.url().startsWith('file:')) out.errors.push(v.name + ': request to ' + r.url()); });
  await page.goto('file://' + page_);
  await page.waitForSelector('table[data-sortable=ready]', { timeout: 10000 });
  const seen = await page.evaluate(() => ({
    tables: document.querySelectorAll('table').length,
    ready: document.querySelectorAll('table[data-sortable=ready]').length,
    sections: Array.from(document.querySelectorAll('h2')).map(h => h.textContent),
    bars: document.querySelectorAll('svg#timeline g.bar').length,
    bands: document.querySelectorAll('svg#timeline rect.band').length,
    gapWindows: Array.from(document.querySelectorAll('svg#timeline g.gap')).reduce((n, g) => n + Number(g.dataset.windows), 0),
    chartWidth: document.querySelector('svg#timeline') ? document.querySelector('svg#timeline').getBoundingClientRect().width : 0,
    cards: Object.fromEntries(Array.from(document.querySelectorAll('.card')).map(c => [c.querySelector('span').textContent, c.querySelector('b').textContent])),
    background: getComputedStyle(document.body).backgroundColor,
    statuses: Object.fromEntries(Array.from(document.querySelectorAll('h2')).filter(h => h.textContent === 'Statuses')
      .flatMap(h => Array.from(h.nextElementSibling.querySelectorAll('tbody tr')))
      .map(r => [r.cells[0].textContent.trim(), r.cells[2].textContent.trim()])),
    incidentRows: Array.from(document.querySelectorAll('h2')).filter(h => h.textContent === 'Incidents')
      .flatMap(h => Array.from(h.nextElementSibling.querySelectorAll('tbody tr'))).length,
    pageWidth: document.documentElement.scrollWidth,
    // The incidents table: how far its box scrolls sideways, and the
    // headers whose right edge is past the viewport.
    incidentsOverflow: (() => {
      const h = Array.from(document.querySelectorAll('h2')).find(h => h.textContent === 'Incidents');
      return h ? h.nextElementSibling.scrollWidth - h.nextElementSibling.clientWidth : 0;
    })(),
    incidentsHidden: (() => {
      const h = Array.from(document.querySelectorAll('h2')).find(h => h.textContent === 'Incidents');
      return h ? Array.from(h.nextElementSibling.querySelectorAll('th')).filter(th => th.getBoundingClientRect().right > window.innerWidth + 1).map(th => th.textContent.trim()) : [];
    })(),
    overShown: (() => {
      const h = Array.from(document.querySelectorAll('h2')).find(h => h.textContent === 'Incidents');
      const th = h && Array.from(h.nextElementSibling.querySelectorAll('th')).find(th => th.textContent.trim() === 'over');
      return !!th && th.getBoundingClientRect().right <= h.nextElementSibling.getBoundingClientRect().right + 1;
    })(),
  }));
  // Sort the endpoints table by requests: a click ascends, another descends.
  const table = page.locator('h2:text-is("Top endpoints by errors") + div table');
  const col = await table.locator('th').evaluateAll(ths => ths.findIndex(th => th.textContent.trim() === 'requests'));
  const values = async () => (await table.locator('tbody tr').evaluateAll((rows, c) =>
    rows.map(r => parseFloat(r.cells[c].textContent.replace(/,/g, ''))), col));
  await table.locator('th').nth(col).click();
  seen.ascending = await values();
  await table.locator('th').nth(col).click();
  seen.descending = await values();
  // And by bytes, shown in units (KiB, MiB): sorted by their value.
  const bcol = await table.locator('th').evaluateAll(ths => ths.findIndex(th => th.textContent.trim() === 'bytes'));
  await table.locator('th').nth(bcol).click();
  seen.bytesAscending = await table.locator('tbody tr').evaluateAll((rows, c) => rows.map(r => {
    const [n, u] = r.cells[c].textContent.trim().split(' ');
    return parseFloat(n) * { B: 1, KiB: 1024, MiB: 1048576, GiB: 1073741824 }[u];
  }), bcol);
  await page.screenshot({ path: shots + '/report-' + v.name + '.png', fullPage: true });
  out.views.push({ name: v.name, ...seen });
  await ctx.close();
}
await browser.close();
console.log(JSON.stringify(out));
`

// TestHTMLInBrowser renders the HTML report of the samples in headless
// Chromium: no console errors and no request leaves the file; every table
// is sortable and sorts; the chart has a bar per timeline window and a
// band per incident; the cards show the report's numbers; on a desktop the
// incidents' over column is in view; the page fits a phone's width; dark
// mode changes the colours. Screenshots are kept in
// $ANALYZE_ARTIFACTS (default: a folder under the system's temp dir).
func TestHTMLInBrowser(t *testing.T) {
	browser := browsertest.Find(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if r := analyze(t, "", "report", "--out", page, "samples/"); r.code != 0 {
		t.Fatalf("report: code %d: %s", r.code, r.stderr)
	}
	var want map[string]any
	if err := json.Unmarshal([]byte(analyze(t, "", "report", "-o", "json", "samples/").stdout), &want); err != nil {
		t.Fatal(err)
	}
	shots := browsertest.Artifacts(t)
	out, err := browser.Command(t, "analyze-browser-check.mjs", browserScript, page, browser.Chromium, shots).Output()
	if err != nil {
		t.Fatalf("browser: %v\n%s", err, browsertest.Stderr(err))
	}
	var seen struct {
		Errors []string
		Views  []struct {
			Name                  string
			Tables, Ready         int
			Sections              []string
			Bars, Bands           int
			GapWindows            int `json:"gapWindows"`
			ChartWidth            float64
			Cards                 map[string]string
			Statuses              map[string]string
			IncidentRows          int
			OverShown             bool
			Background            string
			PageWidth             float64
			IncidentsOverflow     float64  `json:"incidentsOverflow"`
			IncidentsHidden       []string `json:"incidentsHidden"`
			Ascending, Descending []float64
			BytesAscending        []float64
		}
	}
	if err := json.Unmarshal(out, &seen); err != nil {
		t.Fatalf("browser output: %v\n%s", err, out)
	}
	t.Logf("screenshots in %s", shots)
	for _, e := range seen.Errors {
		t.Errorf("console: %s", e)
	}
	windows, _ := lookup(want, "timeline.windows")
	incidents, _ := lookup(want, "incidents")
	analyzed, _ := lookup(want, "input.analyzed")
	backgrounds := map[string]string{}
	for _, v := range seen.Views {
		if v.Tables == 0 || v.Ready != v.Tables {
			t.Errorf("%s: %d tables, %d sortable", v.Name, v.Tables, v.Ready)
		}
		// A bar per window, but the windows of a gap are one break.
		if v.Bars+v.GapWindows != len(windows.([]any)) || v.GapWindows == 0 || v.Bands != len(incidents.([]any)) || v.ChartWidth < 300 {
			t.Errorf("%s: chart of %d bars, %d windows in gap breaks and %d bands, %v px wide; the report has %d windows (a day's gap) and %d incidents",
				v.Name, v.Bars, v.GapWindows, v.Bands, v.ChartWidth, len(windows.([]any)), len(incidents.([]any)))
		}
		if got := v.Cards["requests analysed"]; got != thousands(int64(analyzed.(float64))) {
			t.Errorf("%s: card 'requests analysed' = %q, want %v", v.Name, got, analyzed)
		}
		for _, st := range want["statuses"].([]any) {
			row := st.(map[string]any)
			code := fmt.Sprintf("%03d", int(row["status"].(float64)))
			if got := v.Statuses[code]; got != thousands(int64(row["count"].(float64))) {
				t.Errorf("%s: the statuses table shows %s for %s, the report %v", v.Name, got, code, row["count"])
			}
		}
		if v.IncidentRows != len(incidents.([]any)) {
			t.Errorf("%s: %d incident rows, the report has %d incidents", v.Name, v.IncidentRows, len(incidents.([]any)))
		}
		if len(v.Sections) < 8 || v.Sections[0] != "Timeline" || !strings.Contains(strings.Join(v.Sections, "|"), "Incidents") {
			t.Errorf("%s: sections %q", v.Name, v.Sections)
		}
		if !sortedBy(v.Ascending, 1) || !sortedBy(v.Descending, -1) || len(v.Ascending) < 2 {
			t.Errorf("%s: sorting by requests gave %v then %v", v.Name, v.Ascending, v.Descending)
		}
		if !sortedBy(v.BytesAscending, 1) || len(v.BytesAscending) < 2 {
			t.Errorf("%s: sorting by bytes gave %v", v.Name, v.BytesAscending)
		}
		if v.Name != "phone" && !v.OverShown {
			t.Errorf("%s: the incidents' over column (is it over?) is not in view without scrolling", v.Name)
		}
		if v.Name != "phone" && (v.IncidentsOverflow > 1 || len(v.IncidentsHidden) > 0) {
			t.Errorf("%s: the incidents table scrolls %v px sideways; columns past the screen: %q", v.Name, v.IncidentsOverflow, v.IncidentsHidden)
		}
		if v.Name == "phone" && v.PageWidth > 390+1 {
			t.Errorf("phone: the page is %v px wide, wider than the screen", v.PageWidth)
		}
		backgrounds[v.Name] = v.Background
	}
	if backgrounds["dark"] == backgrounds["desktop"] {
		t.Errorf("dark mode keeps the light background %s", backgrounds["desktop"])
	}
}

func sortedBy(xs []float64, dir float64) bool {
	for i := 1; i < len(xs); i++ {
		if (xs[i]-xs[i-1])*dir < 0 {
			return false
		}
	}
	return true
}

// thousands writes n as the report does: 12,345.
func thousands(n int64) string {
	s := strings.TrimPrefix(strconv.FormatInt(n, 10), "-")
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if n < 0 {
		return "-" + string(out)
	}
	return string(out)
}
