package watch

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"analyze/report"
)

// The terminal view's layout: the header (title, now, indicators, keys or
// the filter input), the incidents, rates and failing panels, then at the
// bottom the files panel and the accounting line. Each panel gets the
// lines its body needs up to a small minimum, the focused one (tab) the
// spare height; a panel cut short says how many lines it hides. No line
// is wider than the terminal.

// minBody is how many body lines a panel keeps before the focused one
// gets the spare height: an incident (two lines), the rate table, the
// first failing rows, the first file.
var minBody = [numPanels]int{panelIncidents: 2, panelRates: 5, panelFailing: 3, panelFiles: 1}

// View draws the screen.
func (v *view) View() string {
	w, h := max(v.width, 1), max(v.height, 1)
	lines := v.header(w)
	if v.frame == nil {
		lines = append(lines, cut("  waiting for the first refresh…", w))
		return strings.Join(clip(lines, w, h), "\n")
	}
	f := v.frame
	type drawn struct {
		title string
		body  []string
	}
	var ps [numPanels]drawn
	ps[panelIncidents].title, ps[panelIncidents].body = v.incidents(f, w)
	ps[panelRates].title, ps[panelRates].body = v.rates(f, w)
	ps[panelFailing].title, ps[panelFailing].body = v.failing(f, w)
	ps[panelFiles].title, ps[panelFiles].body = v.files(f, w)
	var want [numPanels]int
	for p := range numPanels {
		want[p] = len(ps[p].body)
	}
	// The header, a title per panel and the accounting line are fixed.
	heights := allot(want, h-len(lines)-int(numPanels)-1, v.focus)
	var out [numPanels][]string
	for p := range numPanels {
		out[p] = v.panel(p, ps[p].title, ps[p].body, heights[p], w)
	}
	for p := range panelFiles {
		lines = append(lines, out[p]...)
	}
	foot := append(out[panelFiles], v.accounting(f.Input, w))
	for len(lines)+len(foot) < h { // the footer sits at the bottom
		lines = append(lines, "")
	}
	lines = append(lines, foot...)
	return strings.Join(clip(lines, w, h), "\n")
}

// allot gives each panel a height for its body out of room: first up
// to its minimum (taken back from the unfocused panels, the last first,
// when the terminal is too short), then the focused panel what it wants
// of the spare room, then the others what is left, in order.
func allot(want [numPanels]int, room int, focus panel) [numPanels]int {
	var h [numPanels]int
	used := 0
	for p := range numPanels {
		h[p] = min(want[p], minBody[p])
		used += h[p]
	}
	for used > room {
		p := victim(h, focus)
		if p < 0 {
			break
		}
		h[p]--
		used--
	}
	give := func(p panel) {
		n := min(want[p]-h[p], room-used)
		if n > 0 {
			h[p] += n
			used += n
		}
	}
	give(focus)
	for p := range numPanels {
		give(p)
	}
	return h
}

// victim is the panel to take a line from: the last unfocused one that
// has a line, else the focused one; -1 when none has.
func victim(h [numPanels]int, focus panel) panel {
	for p := numPanels - 1; p >= 0; p-- {
		if p != focus && h[p] > 0 {
			return p
		}
	}
	if h[focus] > 0 {
		return focus
	}
	return -1
}

// panel draws a panel's title and its body cut to n lines.
func (v *view) panel(p panel, title string, body []string, n, w int) []string {
	mark, st := "  ", v.st.title
	if p == v.focus {
		mark, st = "▶ ", v.st.focus
	}
	out := []string{st.Render(cut(mark+title, w))}
	if len(body) <= n {
		return append(out, body...)
	}
	if n <= 0 {
		out[0] = st.Render(cut(mark+title+"  (+"+strconv.Itoa(len(body))+" lines: tab)", w))
		return out
	}
	hidden := len(body) - (n - 1)
	more := "  … " + strconv.Itoa(hidden) + " more lines"
	if p != v.focus {
		more += " (tab to " + p.String() + ")"
	}
	return append(append(out, body[:n-1]...), v.st.dim.Render(cut(more, w)))
}

// header is the title line with the view's now and its indicators, then
// the keys, or the filter input and why the last selector was refused.
func (v *view) header(w int) []string {
	top := v.st.title.Render("analyze watch")
	if v.frame != nil {
		now := report.Term(v.frame.Time)
		if t := v.frame.now(); !t.IsZero() {
			now = t.UTC().Format(time.DateTime) + " UTC"
		}
		top += "  " + now
	}
	if v.paused {
		top += "  " + v.st.paused.Render(" PAUSED ")
	}
	if sel := v.shownFilter(); sel != "" || v.awaiting {
		if sel == "" {
			sel = "none"
		}
		top += "  filter: " + v.st.bold.Render(report.Term(sel))
		if v.awaiting {
			top += v.st.dim.Render(" (next refresh)")
		}
	}
	if v.ended {
		top += "  " + v.st.dim.Render("input ended")
	}
	lines := []string{cut(top, w)}
	if !v.editing {
		keys := v.st.key.Render("q") + " quit  " + v.st.key.Render("p")
		if v.paused {
			keys += " resume  "
		} else {
			keys += " pause  "
		}
		keys += v.st.key.Render("/") + " filter  " + v.st.key.Render("tab") + " panel (" + v.focus.String() + ")"
		return append(lines, cut(keys, w))
	}
	const hint = "  enter apply · esc cancel · client= endpoint= status= method= class= host="
	prompt := v.st.key.Render("/") + " "
	room := max(w-2-1-min(ansi.StringWidth(hint), w/2), 8) // "/ ", the cursor
	typed := report.Term(string(v.input))
	if ansi.StringWidth(typed) > room { // show the end being typed
		typed = ansi.TruncateLeft(typed, ansi.StringWidth(typed)-room+1, "…")
	}
	lines = append(lines, cut(prompt+typed+"█"+v.st.dim.Render(hint), w)) // a cursor NO_COLOR keeps
	if v.filterErr != "" {
		lines = append(lines, v.st.ongoing.Render(cut("filter not applied: "+report.Term(v.filterErr), w)))
	}
	return lines
}

// clip keeps the first h lines, each cut to w columns.
func clip(lines []string, w, h int) []string {
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = cut(l, w)
	}
	return lines
}
