package write

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"

	"analyze/report"
	"analyze/report/analysis"
)

// The HTML report: one self-contained file (styles and script inline, no
// network access, a Content-Security-Policy that allows nothing else),
// readable offline and attachable to an incident ticket. Its tables are
// the sections of the text report; html/template escapes every string,
// and log-derived strings pass through Term first, so control and bidi
// characters show as escapes.

//go:embed html/report.css
var htmlCSS string

// htmlJS makes the tables sortable. It holds no comments: html/template
// drops comments from scripts, and the CSP hash is of the bytes written
// (TestHTMLCSPHashes checks both hashes).
//
//go:embed html/report.js
var htmlJS string

// htmlCSP allows the inline style and script by their hashes, and nothing
// else: no remote loads, no other scripts, no forms, no frames.
var htmlCSP = "default-src 'none'; style-src '" + cspHash(htmlCSS) + "'; script-src '" + cspHash(htmlJS) +
	"'; img-src data:; base-uri 'none'; form-action 'none'"

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

var htmlEscaper = escaper{cell: report.Term, code: report.Snippet}

var htmlTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>analyze: {{.Title}}</title>
<style>` + htmlCSS + `</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p class="muted">analyze {{.Version}} · {{.Headline}}</p>
{{if .Filters}}<p class="note">Filters: {{.Filters}}</p>{{end}}
<div class="cards">{{range .Cards}}<div class="card{{if .Bad}} bad{{end}}"><span class="muted">{{.Label}}</span><b>{{.Value}}</b></div>{{end}}</div>
{{with .Chart}}<h2>Timeline</h2>
<div class="chart">
<svg viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="Requests per {{.Window}} window by class" id="timeline">
{{range .Bands}}<rect class="band" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>
{{end}}<line class="axis" x1="{{.Left}}" y1="{{.Bottom}}" x2="{{.Right}}" y2="{{.Bottom}}"/>
<text class="lbl" x="4" y="{{.Top}}" dy="10">{{.Max}}</text><text class="lbl" x="4" y="{{.Bottom}}">0</text>
{{range .Labels}}<text class="lbl" x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}">{{.Text}}</text>
{{end}}{{range .Breaks}}<g class="gap" data-windows="{{.Windows}}"><title>{{.Title}}</title><line x1="{{.X}}" y1="{{.Top}}" x2="{{.X}}" y2="{{.Bottom}}"/></g>
{{end}}{{range .Bars}}<g class="bar"><title>{{.Title}}</title>{{range .Parts}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"/>{{end}}</g>
{{end}}</svg>
<div class="legend"><span><i class="ok"></i>success, redirect</span><span><i class="c4"></i>4xx (not 429)</span><span><i class="c429"></i>429</span><span><i class="c5"></i>5xx</span>{{if .Bands}}<span><i class="band"></i>incident</span>{{end}}{{if .Breaks}}<span><i class="gap"></i>gap (no request; not to scale)</span>{{end}}</div>
</div>
<p class="note">Requests per {{.Window}} window, {{.First}} to {{.Last}} (UTC); hover a bar for its counts.</p>
{{end}}
{{range .Sections}}<h2>{{.Title}}</h2>
<div class="scroll"><table class="sortable"><thead><tr>{{range .Head}}<th{{if .Right}} class="r"{{end}} scope="col">{{.Text}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td{{if .Right}} class="r"{{else if .Wrap}} class="w"{{end}}>{{if .Date}}<span class="nw">{{.Date}}</span><wbr><span class="nw">{{.Clock}}</span>{{else}}{{.Text}}{{end}}</td>{{end}}</tr>
{{end}}</tbody></table></div>
{{range .Notes}}<p class="note">{{.}}</p>
{{end}}{{end}}
<script>` + htmlJS + `</script>
</main>
</body>
</html>
`))

type htmlCell struct {
	Text  string
	Right bool
	// Wrap lets a long cell of several words (an incident's endpoints,
	// a burst's clients) wrap, so the columns after it stay in view.
	Wrap bool
	// Date and Clock are an RFC 3339 time cut at its T: a narrow column
	// wraps it between the two, never inside the date at a hyphen.
	Date, Clock string
}

// splitTime cuts a cell that is an RFC 3339 UTC time ("2025-03-12T08:00:00Z")
// into its date and its clock; ok is false for any other cell.
func splitTime(c string) (date, clock string, ok bool) {
	if len(c) < 20 || c[4] != '-' || c[7] != '-' || c[10] != 'T' || c[len(c)-1] != 'Z' || strings.Contains(c, " ") {
		return "", "", false
	}
	return c[:10], c[10:], true
}

// wrapsAfter is the length past which a cell of several words may wrap.
const wrapsAfter = 30

type htmlSection struct {
	Title string
	Head  []htmlCell
	Rows  [][]htmlCell
	Notes []string
}

type htmlCard struct {
	Label, Value string
	Bad          bool
}

type htmlRect struct {
	Class      string
	X, Y, W, H float64
	Title      string
}

type htmlBar struct {
	Title string
	Parts []htmlRect
}

type htmlLabel struct {
	X, Y         float64
	Text, Anchor string
}

type htmlChart struct {
	W, H, Left, Right, Top, Bottom float64
	Max                            int64
	Window, First, Last            string
	Bars                           []htmlBar
	Breaks                         []htmlBreak
	Bands                          []htmlRect
	Labels                         []htmlLabel
}

// htmlBreak marks a gap in the chart: a dashed line where its windows
// would be.
type htmlBreak struct {
	X, Top, Bottom float64
	Windows        int // the timeline windows it stands for
	Title          string
}

type htmlPage struct {
	CSP, Title, Version, Headline, Filters string
	Cards                                  []htmlCard
	Chart                                  *htmlChart
	Sections                               []htmlSection
}

// WriteHTML writes the report as one self-contained HTML page.
func WriteHTML(w io.Writer, r *report.Report) error {
	p := htmlPage{CSP: htmlCSP, Title: "API access log report", Version: r.Version, Headline: report.Term(headline(r))}
	switch r.Only() {
	case "quota":
		p.Title = "Quota pressure"
	case "retry":
		p.Title = "Failures worth retrying"
	case "timeline":
		p.Title = "Timeline and incidents"
	}
	p.Filters = filterText(r.Filter)
	in := r.Input
	share := func(n int64) string { return Percent(n, in.Analyzed) }
	rl := int64(0)
	if r.Quota != nil {
		rl = r.Quota.RateLimited
	} else if r.Timeline != nil {
		for _, w := range r.Timeline.Windows {
			rl += w.RateLimited
		}
	}
	p.Cards = []htmlCard{
		{Label: "requests analysed", Value: Thousands(in.Analyzed)},
		{Label: "success", Value: share(r.Classes.Success)},
		{Label: "client errors (4xx)", Value: share(r.Classes.ClientError), Bad: r.Classes.ClientError > 0},
		{Label: "server errors (5xx)", Value: share(r.Classes.ServerError), Bad: r.Classes.ServerError > 0},
		{Label: "rate limited (429)", Value: Thousands(rl), Bad: rl > 0},
		{Label: "incidents", Value: Thousands(int64(len(r.Incidents))), Bad: len(r.Incidents) > 0},
		{Label: "rejected lines", Value: Thousands(in.Rejected), Bad: in.Rejected > 0},
	}
	if r.Only() == "quota" || r.Only() == "retry" {
		p.Cards = p.Cards[:1] // their pages have no classes to show
	}
	if r.Timeline != nil && len(r.Timeline.Windows) > 0 {
		p.Chart = chart(r.Timeline, r.Incidents)
	}
	for _, s := range sections(r, htmlEscaper) {
		hs := htmlSection{Title: s.title, Notes: s.notes}
		for i, h := range s.header {
			hs.Head = append(hs.Head, htmlCell{Text: h, Right: i < len(s.align) && s.align[i]})
		}
		for _, row := range s.rows {
			cells := make([]htmlCell, len(row))
			for i, c := range row {
				right := i < len(s.align) && s.align[i]
				cells[i] = htmlCell{Text: c, Right: right, Wrap: !right && len(c) > wrapsAfter && strings.Contains(c, " ")}
				cells[i].Date, cells[i].Clock, _ = splitTime(c)
			}
			hs.Rows = append(hs.Rows, cells)
		}
		p.Sections = append(p.Sections, hs)
	}
	return htmlTemplate.Execute(w, p)
}

func filterText(f report.FilterInfo) string {
	var s string
	add := func(k, v string) {
		if v != "" {
			if s != "" {
				s += ", "
			}
			s += k + " " + report.Term(v)
		}
	}
	if f.Since != nil {
		add("since", *f.Since)
	}
	if f.Until != nil {
		add("until", *f.Until)
	}
	add("client", f.Client)
	add("endpoint", f.Endpoint)
	add("status", f.Status)
	add("method", f.Method)
	add("class", f.Class)
	add("host", f.Host)
	return s
}

// chart lays out the timeline as stacked bars, with the incidents shaded.
// A gap (timeline.gaps) does not take its windows' width: the windows it
// holds whole are one narrow slot, a marked break.
func chart(t *report.Timeline, incs []report.Incident) *htmlChart {
	c := &htmlChart{W: 1000, H: 260, Left: 48, Right: 992, Top: 8, Bottom: 228, Window: seconds(t.WindowSeconds)}
	ws := t.Windows
	c.First, c.Last = ws[0].Start, ws[len(ws)-1].Start
	for _, w := range ws {
		c.Max = max(c.Max, w.Requests)
	}
	if c.Max == 0 {
		c.Max = 1
	}
	width := time.Duration(t.WindowSeconds * float64(time.Second))
	// slot[i] is window i's slot; the windows of one gap share theirs.
	slot := make([]int, len(ws))
	inGap := make([]int, len(ws)) // 1 + the gap's index, 0 outside gaps
	n := 0
	for i, w := range ws {
		start, _ := time.Parse(time.RFC3339, w.Start)
		for g, gap := range t.Gaps {
			from, _ := time.Parse(time.RFC3339, gap.Start)
			to, _ := time.Parse(time.RFC3339, gap.End)
			if w.Requests == 0 && !start.Before(from) && !start.Add(width).After(to) {
				inGap[i] = g + 1
			}
		}
		if i > 0 && inGap[i] != 0 && inGap[i] == inGap[i-1] {
			slot[i] = slot[i-1]
			continue
		}
		slot[i] = n
		n++
	}
	step := (c.Right - c.Left) / float64(n)
	gap := min(step*0.15, 2)
	height := c.Bottom - c.Top
	for i, w := range ws {
		x := c.Left + float64(slot[i])*step
		if inGap[i] != 0 {
			if i == 0 || inGap[i-1] != inGap[i] {
				g := t.Gaps[inGap[i]-1]
				c.Breaks = append(c.Breaks, htmlBreak{X: analysis.Round(x+step/2, 2), Top: c.Top, Bottom: c.Bottom,
					Title: fmt.Sprintf("gap: no request from %s to %s (%s)", g.Start, g.End, gapLength(g.Minutes))})
			}
			c.Breaks[len(c.Breaks)-1].Windows++
			continue
		}
		bar := htmlBar{Title: fmt.Sprintf("%s: %s requests, %s 4xx (%s 429), %s 5xx", w.Start, Thousands(w.Requests),
			Thousands(w.ClientError), Thousands(w.RateLimited), Thousands(w.ServerError))}
		if w.P95 != nil {
			bar.Title += fmt.Sprintf(", p95 %g ms", *w.P95)
		}
		y := c.Bottom
		for _, part := range []struct {
			class string
			n     int64
		}{{"ok", w.Success + w.Redirect + w.Other}, {"c4", w.ClientError - w.RateLimited}, {"c429", w.RateLimited}, {"c5", w.ServerError}} {
			if part.n <= 0 {
				continue
			}
			h := float64(part.n) / float64(c.Max) * height
			y -= h
			bar.Parts = append(bar.Parts, htmlRect{Class: part.class, X: analysis.Round(x, 2), Y: analysis.Round(y, 2), W: analysis.Round(step-gap, 2), H: analysis.Round(h, 2)})
		}
		c.Bars = append(c.Bars, bar)
	}
	first, _ := time.Parse(time.RFC3339, ws[0].Start)
	at := func(stamp string) float64 {
		ts, err := time.Parse(time.RFC3339, stamp)
		if err != nil {
			return c.Left
		}
		f := ts.Sub(first).Seconds() / t.WindowSeconds
		i := min(max(int(math.Floor(f)), 0), len(ws)-1)
		frac := min(max(f-float64(i), 0), 1)
		if inGap[i] != 0 {
			frac = 0.5
		}
		return min(max(c.Left+(float64(slot[i])+frac)*step, c.Left), c.Right)
	}
	for _, in := range incs {
		x0, x1 := at(in.Start), at(in.End)
		c.Bands = append(c.Bands, htmlRect{X: analysis.Round(x0, 2), Y: c.Top, W: analysis.Round(max(x1-x0, 1), 2), H: height,
			Title: fmt.Sprintf("incident: %s %03d %s, %s to %s", in.Kind, in.Status, in.Diagnosis, in.Start, in.End)})
	}
	for _, i := range []int{0, len(ws) / 2, len(ws) - 1} {
		anchor := "middle"
		switch i {
		case 0:
			anchor = "start"
		case len(ws) - 1:
			anchor = "end"
		}
		x := c.Left + (float64(slot[i])+0.5)*step
		if anchor == "start" {
			x = c.Left
		} else if anchor == "end" {
			x = c.Right
		}
		c.Labels = append(c.Labels, htmlLabel{X: analysis.Round(x, 2), Y: c.Bottom + 16, Text: ws[i].Start, Anchor: anchor})
	}
	return c
}
