package watch

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"analyze/report"
	"analyze/report/write"
)

// The panels of the terminal view: each returns its title and its body,
// every line at most w columns wide; the layout (tui_view.go) cuts the
// body to the height the panel gets.

// now is the frame's time, zero when it does not parse.
func (f *Frame) now() time.Time {
	t, _ := time.Parse(time.RFC3339Nano, f.Time)
	return t
}

// incidents lists the ongoing incidents first, then those over, the
// newest first: two lines each, what it is and what it hits.
func (v *view) incidents(f *Frame, w int) (string, []string) {
	if len(f.Incidents) == 0 {
		return "Incidents", []string{v.st.good.Render(cut("  No incident in the last "+span(f.HorizonSeconds)+".", w))}
	}
	incs := slices.Clone(f.Incidents)
	slices.SortStableFunc(incs, func(a, b Incident) int {
		if a.Over != b.Over {
			if a.Over {
				return 1
			}
			return -1
		}
		return cmp.Compare(b.Start, a.Start)
	})
	ongoing := 0
	for _, in := range incs {
		if !in.Over {
			ongoing++
		}
	}
	title := "Incidents  " + strconv.Itoa(ongoing) + " ongoing, " + strconv.Itoa(len(incs)-ongoing) + " over"
	now := f.now()
	var body []string
	for _, in := range incs {
		mark, st := v.st.ongoing.Render("ONGOING"), v.st.ongoing
		end := "now"
		if in.Over {
			mark, st, end = v.st.over.Render("OVER   "), v.st.over, clock(in.End, now)
		}
		what := strconv.Itoa(in.Status) + " " + report.Term(in.Diagnosis) +
			"  " + clock(in.Start, now) + "–" + end + "  peak " + write.Thousands(in.Peak) + "/min at " + clock(in.PeakAt, now)
		body = append(body, cut("  "+mark+" "+st.Render(what), w))
		hits := []string{report.Term(in.Kind) + ": " + write.Thousands(in.Failures) + " failures, " + decimal(in.PeakRate*100) + "% at peak"}
		if len(in.Endpoints) > 0 {
			hits = append(hits, "endpoints "+list(in.Endpoints))
		}
		if len(in.Clients) > 0 {
			hits = append(hits, "clients "+list(in.Clients))
		}
		if len(in.Hosts) > 0 {
			hits = append(hits, "hosts "+list(in.Hosts))
		}
		body = append(body, cut("          "+st.Render(strings.Join(hits, " · ")), w))
	}
	return title, body
}

// list joins log values, each made terminal-safe.
func list(vs []string) string {
	out := make([]string, len(vs))
	for i, s := range vs {
		out[i] = report.Term(s)
	}
	return strings.Join(out, ", ")
}

// rates is a row per window (rate, 5xx, 429, latency) and a sparkline per
// class over the horizon.
func (v *view) rates(f *Frame, w int) (string, []string) {
	wide := w >= 100
	head := fit("  window", 11) + right("req/s", 8) + right("requests", 10)
	if wide {
		head += right("4xx", 8)
	}
	head += right("5xx", 8) + right("5xx%", 7) + right("429", 7) + right("p50", 8) + right("p95", 8) + right("p99 ms", 9)
	body := []string{v.st.dim.Render(cut(head, w))}
	for _, win := range f.Windows {
		row := cell("  "+win.Name, 11) + right(decimal(win.RatePerSecond), 8) + right(write.Thousands(win.Requests), 10)
		if wide {
			row += right(write.Thousands(win.Classes.ClientError), 8)
		}
		fails := right(write.Thousands(win.Classes.ServerError), 8) + right(write.Percent(win.Classes.ServerError, win.Requests), 7)
		if win.Classes.ServerError > 0 {
			fails = v.st.bad.Render(fails)
		}
		limited := right(write.Thousands(win.RateLimited), 7)
		if win.RateLimited > 0 {
			limited = v.st.limited.Render(limited)
		}
		row += fails + limited
		if l := win.Latency; l != nil {
			row += right(decimal(l.P50), 8) + right(decimal(l.P95), 8) + right(decimal(l.P99), 9)
		} else {
			row += right("-", 8) + right("-", 8) + right("-", 9)
		}
		body = append(body, cut(row, w))
	}
	if len(f.Windows) == 0 {
		body = append(body, cut("  no window yet", w))
	}
	sp := f.Sparklines
	for _, c := range []struct {
		name   string
		values []int64
		st     func(...string) string
	}{
		{"success", sp.Success, v.st.success.Render},
		{"4xx", sp.ClientError, v.st.clientErr.Render},
		{"5xx", sp.ServerError, v.st.bad.Render},
		{"429", sp.RateLimited, v.st.limited.Render},
	} {
		const label, tail = 11, 16 // "  5xx      ", " max 12,345/min"
		line, top := sparkline(c.values, w-label-tail)
		body = append(body, cut(fit("  "+c.name, label)+c.st(line)+v.st.dim.Render(" max "+write.Thousands(top)+"/min"), w))
	}
	return "Rates  per second, latency in ms; sparklines per minute", body
}

// failing is the 5m window's endpoints and clients with failures, and the
// clients that ignore Retry-After.
func (v *view) failing(f *Frame, w int) (string, []string) {
	var win *Window
	for i := range f.Windows {
		if f.Windows[i].Name == "5m" {
			win = &f.Windows[i]
		}
	}
	if win == nil {
		return "Failing now", []string{cut("  no 5m window yet", w)}
	}
	title := "Failing now  last 5m"
	if len(win.Endpoints) == 0 && len(win.Clients) == 0 && len(win.IgnoringRetryAfter) == 0 {
		return title, []string{v.st.good.Render(cut("  No failure in the last 5m.", w))}
	}
	const nums = 4*8 + 2 // req, 4xx, 5xx, 429
	longest := len("  ignoring Retry-After")
	for _, e := range win.Endpoints {
		longest = max(longest, 2+ansi.StringWidth(report.Term(e.Endpoint)))
	}
	for _, c := range win.Clients {
		longest = max(longest, 2+ansi.StringWidth(report.Term(c.Client)))
	}
	for _, c := range win.IgnoringRetryAfter {
		longest = max(longest, 2+ansi.StringWidth(report.Term(c.Client)))
	}
	name := max(min(w-nums, longest+2), 12)
	row := func(key string, req, c4, c5, c429 int64) string {
		return cut(cell("  "+key, name)+right(write.Thousands(req), 8)+right(write.Thousands(c4), 8)+
			v.st.bad.Render(right(write.Thousands(c5), 8))+v.st.limited.Render(right(write.Thousands(c429), 8)), w)
	}
	header := func(what string) string {
		return v.st.dim.Render(cut(fit("  "+what, name)+right("req", 8)+right("4xx", 8)+right("5xx", 8)+right("429", 8), w))
	}
	var body []string
	if len(win.Endpoints) > 0 {
		body = append(body, header("endpoint"))
		for _, e := range win.Endpoints {
			body = append(body, row(e.Endpoint, e.Requests, e.Classes.ClientError, e.Classes.ServerError, e.RateLimited))
		}
	}
	if len(win.Clients) > 0 {
		body = append(body, header("client"))
		for _, c := range win.Clients {
			body = append(body, row(c.Client, c.Requests, c.ClientError, c.ServerError, c.RateLimited))
		}
	}
	if len(win.IgnoringRetryAfter) > 0 {
		body = append(body, v.st.dim.Render(cut(fit("  ignoring Retry-After", name)+right("req", 8)+right("429", 8)+right("early", 8), w)))
		for _, c := range win.IgnoringRetryAfter {
			body = append(body, cut(cell("  "+c.Client, name)+right(write.Thousands(c.Requests), 8)+
				v.st.limited.Render(right(write.Thousands(c.RateLimited), 8))+v.st.bad.Render(right(write.Thousands(c.RetryAfterViolations), 8)), w))
		}
	}
	return title, body
}

// files is each followed file's state.
func (v *view) files(f *Frame, w int) (string, []string) {
	if len(f.Files) == 0 {
		return "Files", []string{cut("  no file followed yet", w)}
	}
	// Columns: the path, its lines, its moves, then its state (which may
	// be a long error) to the end of the line. The path is cut only when
	// the rest would not fit.
	var pathWidth, linesWidth, movesWidth, stateWidth int
	moves := make([]string, len(f.Files))
	for i, fs := range f.Files {
		moves[i] = plural(fs.Rotations, "rotation")
		if fs.Truncations > 0 {
			moves[i] += ", " + plural(fs.Truncations, "truncation")
		}
		pathWidth = max(pathWidth, ansi.StringWidth(report.Term(fs.Path)))
		linesWidth = max(linesWidth, len(write.Thousands(fs.Lines)))
		movesWidth = max(movesWidth, len(moves[i]))
		stateWidth = max(stateWidth, min(ansi.StringWidth(report.Term(fs.State)), 16))
	}
	rest := 2 + linesWidth + len(" lines  ") + movesWidth + 2 + stateWidth
	pathWidth = max(min(pathWidth, w-2-rest), min(pathWidth, w/3))
	var body []string
	for i, fs := range f.Files {
		state := report.Term(fs.State)
		if fs.State != "following" && fs.State != "waiting" {
			state = v.st.clientErr.Render(state)
		}
		line := "  " + cell(fs.Path, pathWidth) + "  " + right(write.Thousands(fs.Lines), linesWidth) + " lines  " +
			fit(moves[i], movesWidth) + "  " + state
		body = append(body, cut(line, w))
	}
	return "Files  " + strconv.Itoa(len(f.Files)) + " followed", body
}

// plural counts things: 1 rotation, 2 rotations.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return write.Thousands(int64(n)) + " " + thing + "s"
}

// accounting is the footer: every line read accounted for. It says
// reconciled only when the engine says so and the figures add up. It takes
// the longest form that fits.
func (v *view) accounting(in Input, w int) string {
	ok := v.st.good.Render("reconciled")
	if !in.Reconciled || in.Lines != in.Records+in.Rejected+in.Unrecognized+in.Blank {
		ok = v.st.ongoing.Render("NOT RECONCILED")
	}
	forms := []string{
		"lines " + write.Thousands(in.Lines) + " = records " + write.Thousands(in.Records) + " + rejected " + write.Thousands(in.Rejected) +
			" + unrecognized " + write.Thousands(in.Unrecognized) + " + blank " + write.Thousands(in.Blank),
		"lines " + write.Thousands(in.Lines) + " = " + write.Thousands(in.Records) + " rec + " + write.Thousands(in.Rejected) + " rej + " +
			write.Thousands(in.Unrecognized) + " unrec + " + write.Thousands(in.Blank) + " blank",
		write.Thousands(in.Lines) + "=" + write.Thousands(in.Records) + "+" + write.Thousands(in.Rejected) + "+" + write.Thousands(in.Unrecognized) + "+" + write.Thousands(in.Blank),
	}
	before := ""
	if in.Before > 0 {
		before = "  (" + write.Thousands(in.Before) + " before the horizon)"
	}
	for _, s := range forms {
		for _, extra := range []string{before, ""} {
			if line := s + "  " + ok + extra; ansi.StringWidth(line) <= w {
				return line
			}
		}
	}
	return cut(forms[len(forms)-1]+" "+ok, w)
}
