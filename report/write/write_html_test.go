package write

import (
	"strings"
	"testing"
	"time"

	"analyze/report"
	"analyze/report/analysis"
)

// TestHTMLCSPHashes checks that the page's inline style and script are
// exactly what the Content-Security-Policy hashes allow: html/template
// must not have changed a byte of them.
func TestHTMLCSPHashes(t *testing.T) {
	var b strings.Builder
	if err := WriteHTML(&b, &report.Report{Version: "test"}); err != nil {
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

// TestHTMLWrapsLists lets a long cell of several words (an incident's
// endpoints) wrap in the HTML page, and keeps short cells and numbers on
// one line.
func TestHTMLWrapsLists(t *testing.T) {
	r := &report.Report{Version: "test", Incidents: []report.Incident{{Start: "2025-03-12T08:30:00Z", End: "2025-03-12T08:45:00Z", Kind: "rate_limited",
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

// TestChartGap lays out a timeline of 15-minute windows with a day's gap:
// the gap's windows are one break, not 96 bars, and the incident's band
// falls on its own window's bar.
func TestChartGap(t *testing.T) {
	t0 := time.Date(2025, 3, 11, 8, 0, 0, 0, time.UTC)
	tl := &report.Timeline{WindowSeconds: 900, Gaps: []report.Gap{{Start: "2025-03-11T08:35:00Z", End: "2025-03-12T08:00:00Z", Minutes: 1405}}}
	for i := 0; i < 100; i++ {
		w := report.TimelineWindow{Start: t0.Add(time.Duration(i) * 15 * time.Minute).Format(time.RFC3339)}
		if i < 3 || i >= 96 {
			w.Requests, w.Classes.Success = 100, 100
		}
		tl.Windows = append(tl.Windows, w)
	}
	inc := report.Incident{Start: "2025-03-12T08:05:00Z", End: "2025-03-12T08:06:00Z"}
	c := chart(tl, []report.Incident{inc})
	// Windows 3 to 95 lie in the gap; window 2 (08:30) holds its start.
	if len(c.Bars) != 7 || len(c.Breaks) != 1 || c.Breaks[0].Windows != 93 {
		t.Fatalf("%d bars and %d breaks (%+v), want 7 bars and one break of 93 windows", len(c.Bars), len(c.Breaks), c.Breaks)
	}
	step := (c.Right - c.Left) / 8
	bar := c.Bars[3].Parts[0] // 2025-03-12T08:00
	if band := c.Bands[0]; band.X < bar.X || band.X+band.W > bar.X+step || bar.X != analysis.Round(c.Left+4*step, 2) {
		t.Errorf("band %+v, bar %+v: the band should lie on the bar of 08:00, the fifth slot", band, bar)
	}
}

// TestCSPHashExported checks the hash the live page uses against a
// sha256 worked out by hand (echo -n 'a{}' | openssl dgst -sha256 -binary | base64).
func TestCSPHashExported(t *testing.T) {
	if got, want := CSPHash("a{}"), "'sha256-"+"X1RutGBrXCt9KkSaXMK7tHftWiRscFHOhxsS8tv8hBk="+"'"; got != want {
		t.Errorf("CSPHash(%q) = %s, want %s", "a{}", got, want)
	}
	if HTMLCSS() != htmlCSS || HTMLCSS() == "" {
		t.Errorf("HTMLCSS() is not the report's stylesheet")
	}
}
