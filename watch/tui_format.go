package watch

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"analyze/report"
)

// The terminal view's styles, cells and numbers. Every string that comes
// from a log reaches the screen through report.Term first (cell does it).

// styles are the view's, from one lipgloss renderer: adaptive colours for
// light and dark terminals, none under NO_COLOR or without a terminal.
type styles struct {
	title, focus, dim, bold     lipgloss.Style
	ongoing, over, bad, good    lipgloss.Style
	success, clientErr, limited lipgloss.Style
	paused, key                 lipgloss.Style
}

func newStyles(r *lipgloss.Renderer) styles {
	red := lipgloss.AdaptiveColor{Light: "#AF0000", Dark: "#FF5F5F"}
	green := lipgloss.AdaptiveColor{Light: "#005F00", Dark: "#5FD75F"}
	yellow := lipgloss.AdaptiveColor{Light: "#875F00", Dark: "#FFD75F"}
	blue := lipgloss.AdaptiveColor{Light: "#005F87", Dark: "#5FAFFF"}
	magenta := lipgloss.AdaptiveColor{Light: "#870087", Dark: "#FF87FF"}
	s := r.NewStyle()
	return styles{
		title:     s.Bold(true),
		focus:     s.Bold(true).Foreground(blue),
		dim:       s.Faint(true),
		bold:      s.Bold(true),
		ongoing:   s.Bold(true).Foreground(red),
		over:      s.Faint(true),
		bad:       s.Foreground(red),
		good:      s.Foreground(green),
		success:   s.Foreground(green),
		clientErr: s.Foreground(yellow),
		limited:   s.Foreground(magenta),
		paused:    s.Bold(true).Reverse(true),
		key:       s.Bold(true).Foreground(blue),
	}
}

// cell makes log text safe for the terminal (report.Term) and fits it in
// w columns: cut with an ellipsis, padded with spaces.
func cell(s string, w int) string { return fit(report.Term(s), w) }

// fit cuts a line (styled or not) to w columns with an ellipsis and pads
// it to w.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// right right-aligns s in w columns (numbers).
func right(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}

// cut cuts a line to w columns without padding.
func cut(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// decimal formats a rate or a latency: one decimal below 100, none above.
func decimal(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "-"
	}
	if math.Abs(f) < 100 {
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'f', 0, 64)
}

// span formats a number of seconds as the view's horizon: 15m, 1h30m, 2d.
func span(seconds float64) string {
	if seconds <= 0 || math.IsNaN(seconds) || seconds > 1e12 {
		return "?"
	}
	d := time.Duration(seconds * float64(time.Second)).Round(time.Second)
	days, d := d/(24*time.Hour), d%(24*time.Hour)
	h, d := d/time.Hour, d%time.Hour
	m, d := d/time.Minute, d%time.Minute
	var b strings.Builder
	for _, p := range []struct {
		n    time.Duration
		unit string
	}{{days, "d"}, {h, "h"}, {m, "m"}, {d / time.Second, "s"}} {
		if p.n > 0 {
			b.WriteString(strconv.FormatInt(int64(p.n), 10) + p.unit)
		}
	}
	if b.Len() == 0 {
		return "0s"
	}
	return b.String()
}

// clock shows an RFC 3339 time of the log as the view needs it: the time
// of day (without seconds on a minute's start) when it falls on now's
// date, else the date too. A time that does
// not parse is shown as it is, made terminal-safe.
func clock(ts string, now time.Time) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return report.Term(ts)
	}
	t = t.UTC()
	layout := "15:04:05"
	if t.Second() == 0 && t.Nanosecond() == 0 {
		layout = "15:04"
	}
	if y, m, d := t.Date(); !now.IsZero() {
		if ny, nm, nd := now.UTC().Date(); ny != y || nm != m || nd != d {
			layout = "Jan 2 " + layout
		}
	}
	return t.Format(layout)
}

// sparkBlocks are the sparkline's eight levels; a minute without a request
// is a space.
var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// sparkline draws the last w values, scaled to their own maximum: any
// request shows at least ▁, the maximum █. It returns the line and the
// maximum it was scaled to.
func sparkline(values []int64, w int) (string, int64) {
	if w <= 0 {
		return "", 0
	}
	if len(values) > w {
		values = values[len(values)-w:]
	}
	var top int64
	for _, v := range values {
		top = max(top, v)
	}
	var b strings.Builder
	for _, v := range values {
		if v <= 0 || top <= 0 {
			b.WriteByte(' ')
			continue
		}
		level := int(math.Ceil(float64(v)*float64(len(sparkBlocks))/float64(top))) - 1
		b.WriteRune(sparkBlocks[min(max(level, 0), len(sparkBlocks)-1)])
	}
	return b.String(), top
}
