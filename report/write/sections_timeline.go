package write

import (
	"fmt"
	"strings"

	"analyze/report"
)

// incidentSection lists the incidents, the report's first section when
// there are any.
func incidentSection(incs []report.Incident, e escaper) section {
	s := section{
		title:  "Incidents",
		header: []string{"start", "end", "over", "kind", "status", "diagnosis", "peak", "peak rate", "baseline", "endpoints", "clients"},
		align:  []bool{false, false, false, false, true, false, true, true, true, false, false},
		drop:   []string{"baseline", "kind", "peak", "hosts", "clients", "diagnosis"},
	}
	hosts := false // a column only when the inputs log hosts
	for _, in := range incs {
		hosts = hosts || len(in.Hosts) > 0
	}
	if hosts {
		s.header = append(s.header, "hosts")
		s.align = append(s.align, false)
	}
	first3 := func(list []string) string {
		out := make([]string, 0, 3)
		for _, v := range list[:min(3, len(list))] {
			out = append(out, e.cell(v))
		}
		return strings.Join(out, " ")
	}
	for _, in := range incs {
		over := "yes"
		if !in.Recovered {
			over = "NO (ongoing at the end of the input)"
		}
		row := []string{in.Start, in.End, over, in.Kind, fmt.Sprintf("%03d", in.Status), in.Diagnosis,
			Thousands(in.Peak), fmt.Sprintf("%.1f%%", in.PeakRate*100), fmt.Sprintf("%.1f%%", in.BaselineRate*100),
			first3(in.Endpoints), first3(in.Clients)}
		if hosts {
			row = append(row, first3(in.Hosts))
		}
		s.rows = append(s.rows, row)
	}
	s.notes = append(s.notes, "An incident: minutes whose 5xx or 429 rate rose well above the rolling baseline, found per minute whatever the timeline's window (docs/incidents.md); over: a minute with traffic came after its last flagged minute, whose end is its end.")
	return s
}

// timelineSection draws the timeline as one row per window with a bar of
// its requests: '█' successes and redirects, '▒' client errors, '▓'
// server errors, scaled to the busiest window.
func timelineSection(t *report.Timeline, e escaper) section {
	const width = 40
	s := section{
		title:  fmt.Sprintf("Timeline (%s windows)", seconds(t.WindowSeconds)),
		header: []string{"start", "requests", "4xx", "5xx", "429", "top statuses", "p95 ms", "requests by class"},
		align:  []bool{false, true, true, true, true, false, true, false},
		drop:   []string{"p95 ms"},
	}
	var peak int64
	for _, w := range t.Windows {
		peak = max(peak, w.Requests)
	}
	var drawn []int // the window of each row; -1 for a run of empty ones
	s.redraw = map[int]func(i, w int) string{7: func(i, w int) string {
		if drawn[i] < 0 {
			return ""
		}
		return bar(t.Windows[drawn[i]], peak, w)
	}}
	for i := 0; i < len(t.Windows); i++ {
		w := t.Windows[i]
		if n := emptyRun(t.Windows[i:]); n >= collapseEmpty {
			// A long run of empty windows (a night, a gap between logs):
			// one row. JSON and CSV keep every window.
			last := t.Windows[i+n-1]
			text := fmt.Sprintf("(%d windows without requests, to %s)", n, last.Start)
			if g, ok := gapOver(t.Gaps, w.Start, last.Start); ok {
				text = fmt.Sprintf("(gap: %s without a request)", gapLength(g.Minutes))
			}
			s.rows = append(s.rows, []string{w.Start, "0", "0", "0", "0", text, "", ""})
			drawn = append(drawn, -1)
			i += n - 1
			continue
		}
		var top []string
		for _, st := range w.TopStatuses {
			top = append(top, fmt.Sprintf("%03d×%s", st.Status, Thousands(st.Count)))
		}
		p95 := ""
		if w.P95 != nil {
			p95 = fmt.Sprint(*w.P95)
		}
		s.rows = append(s.rows, []string{w.Start, Thousands(w.Requests), Thousands(w.ClientError), Thousands(w.ServerError),
			Thousands(w.RateLimited), strings.Join(top, " "), p95, bar(w, peak, width)})
		drawn = append(drawn, i)
	}
	s.notes = append(s.notes, "Bars: █ success and redirect, ▒ client error, ▓ server error; scaled to the busiest window.")
	if len(t.Gaps) > 0 {
		var list []string
		for _, g := range t.Gaps[:min(3, len(t.Gaps))] {
			list = append(list, fmt.Sprintf("%s to %s (%s)", g.Start, g.End, gapLength(g.Minutes)))
		}
		more := ""
		if t.GapsTotal > len(list) {
			more = fmt.Sprintf(" and %d more", t.GapsTotal-len(list))
		}
		s.notes = append(s.notes, fmt.Sprintf("Gaps (15 minutes or more without a request; neither an incident nor a recovery): %s%s.", strings.Join(list, ", "), more))
	}
	return s
}

// gapOver returns the gap that holds the windows from first to last (their
// starts, RFC 3339 UTC, which sort as times).
func gapOver(gaps []report.Gap, first, last string) (report.Gap, bool) {
	for _, g := range gaps {
		if g.Start <= last && first < g.End {
			return g, true
		}
	}
	return report.Gap{}, false
}

// gapLength writes a gap's length: 45m, 14h, 23h25m, 3d2h.
func gapLength(minutes int64) string {
	d, h, m := minutes/1440, minutes/60%24, minutes%60
	switch {
	case d > 0 && h > 0:
		return fmt.Sprintf("%dd%dh", d, h)
	case d > 0:
		return fmt.Sprintf("%dd", d)
	case h > 0 && m > 0:
		return fmt.Sprintf("%dh%dm", h, m)
	case h > 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dm", m)
}

// collapseEmpty is the shortest run of empty windows the text timeline
// shows as one row.
const collapseEmpty = 4

// emptyRun counts the windows without requests at the start of ws.
func emptyRun(ws []report.TimelineWindow) int {
	n := 0
	for n < len(ws) && ws[n].Requests == 0 {
		n++
	}
	return n
}

// bar draws a window's requests by class in at most width cells.
func bar(w report.TimelineWindow, peak int64, width int) string {
	if peak == 0 || w.Requests == 0 {
		return ""
	}
	cells := func(n int64) int { return int((n*int64(width) + peak - 1) / peak) }
	total := cells(w.Requests)
	bad5, bad4 := cells(w.ServerError), cells(w.ClientError)
	if bad5+bad4 > total {
		bad4 = max(0, total-bad5)
	}
	ok := total - bad5 - bad4
	return strings.Repeat("█", ok) + strings.Repeat("▒", bad4) + strings.Repeat("▓", bad5)
}

// seconds writes a window length: 10s, 1m, 15m, 1h, 1d.
func seconds(s float64) string {
	switch n := int64(s); {
	case n%86400 == 0:
		return fmt.Sprintf("%dd", n/86400)
	case n%3600 == 0:
		return fmt.Sprintf("%dh", n/3600)
	case n%60 == 0:
		return fmt.Sprintf("%dm", n/60)
	default:
		return fmt.Sprintf("%gs", s)
	}
}
