package timeline

import (
	"analyze/report/analysis"
	"time"

	"github.com/DataDog/sketches-go/ddsketch"

	"analyze/classify"
)

// The timeline aggregate, what the timeline shows: per window, the
// analysed records by class and by status, and their latency (a DDSketch
// per window when durations are logged). Incidents are detected on the
// minutes of MinuteAgg, not on these windows. Windows are aligned to the
// epoch. It starts at a base
// width (--window, else 10 s) and, when it holds more than timelineCap
// windows, widens to the next step of timelineLadder, merging windows
// exactly; the width it ends at depends only on the set of non-empty
// windows, so workers and runs merge to the same result.

// timelineLadder are the widths the timeline widens through; each is a
// multiple of the one before.
var timelineLadder = []time.Duration{time.Second, 10 * time.Second, time.Minute, 5 * time.Minute,
	15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour}

const (
	timelineBase = 10 * time.Second
	timelineCap  = 4096 // windows kept before widening
)

type tlWindow struct {
	classes  [classify.NumClasses]int64
	statuses statusCounts
	latency  *ddsketch.DDSketch // nil until a duration is logged
}

// statusCounts counts records by status. A window sees a handful of
// statuses, so the first few are kept in a small array, searched in order
// of arrival (the commonest comes first), and only a window with more
// spills into a map: counting a record costs a few comparisons, not a map
// update.
type statusCounts struct {
	n     int
	small [8]statusCount32
	more  map[int32]int64
}

type statusCount32 struct {
	status int32
	n      int64
}

func (c *statusCounts) add(status int32, n int64) {
	for i := range c.small[:c.n] {
		if c.small[i].status == status {
			c.small[i].n += n
			return
		}
	}
	if c.n < len(c.small) {
		c.small[c.n] = statusCount32{status, n}
		c.n++
		return
	}
	if c.more == nil {
		c.more = map[int32]int64{}
	}
	c.more[status] += n
}

func (c *statusCounts) get(status int32) int64 {
	for _, sc := range c.small[:c.n] {
		if sc.status == status {
			return sc.n
		}
	}
	return c.more[status]
}

// each calls f for every status counted, in no particular order.
func (c *statusCounts) each(f func(status int32, n int64)) {
	for _, sc := range c.small[:c.n] {
		f(sc.status, sc.n)
	}
	for s, n := range c.more {
		f(s, n)
	}
}

func (c *statusCounts) addAll(o *statusCounts) { o.each(c.add) }

// asMap returns the counts as a map (for the stored runs).
func (c *statusCounts) asMap() map[int32]int64 {
	m := make(map[int32]int64, c.n+len(c.more))
	c.each(func(s int32, n int64) { m[s] = n })
	return m
}

// Agg is the timeline aggregate: an analysis.Analysis of the in-span
// rows (analysis.go).
type Agg struct {
	width   int64 // ns
	windows map[int64]*tlWindow

	// The window last added to: records come mostly in time order.
	lastW     int64
	lastStart int64 // lastW's first instant: records within it skip the division
	lastTW    *tlWindow
}

func NewAgg(width time.Duration) *Agg {
	if width <= 0 {
		width = timelineBase
	}
	return &Agg{width: int64(width), windows: map[int64]*tlWindow{}}
}

// add counts one analysed record.
func (a *Agg) add(t int64, status int, class classify.Class, lat analysis.Duration) {
	w, tw := a.lastW, a.lastTW
	if tw == nil || t < a.lastStart || uint64(t)-uint64(a.lastStart) >= uint64(a.width) {
		w = analysis.FloorDiv(t, a.width)
		tw = a.windows[w]
	}
	if tw == nil {
		if len(a.windows) >= timelineCap {
			a.widen(nextWidth(a.width))
			a.add(t, status, class, lat)
			return
		}
		tw = &tlWindow{}
		a.windows[w] = tw
	}
	if tw != a.lastTW { // written only on a change: the workers' aggregates sit side by side in memory
		a.lastW, a.lastTW, a.lastStart = w, tw, w*a.width
	}
	tw.classes[class]++
	tw.statuses.add(int32(status), 1)
	if lat.Logged {
		if tw.latency == nil {
			tw.latency = analysis.NewSketch()
		}
		analysis.AddLatency(tw.latency, lat)
	}
}

// nextWidth returns the next width of the ladder that is a multiple of w,
// else twice w.
func nextWidth(w int64) int64 {
	for _, l := range timelineLadder {
		if int64(l) > w && int64(l)%w == 0 {
			return int64(l)
		}
	}
	return 2 * w
}

// widen merges the windows into windows of width, a multiple of the
// current width.
func (a *Agg) widen(width int64) {
	if width <= a.width {
		return
	}
	old := a.width
	a.width = width
	a.lastTW = nil
	windows := make(map[int64]*tlWindow, len(a.windows))
	for w, tw := range a.windows {
		nw := analysis.FloorDiv(w*old, width)
		if into := windows[nw]; into != nil {
			into.merge(tw)
		} else {
			windows[nw] = tw
		}
	}
	a.windows = windows
	for len(a.windows) > timelineCap {
		a.widen(nextWidth(a.width))
	}
}

func (tw *tlWindow) merge(o *tlWindow) {
	for i := range tw.classes {
		tw.classes[i] += o.classes[i]
	}
	tw.statuses.addAll(&o.statuses)
	if o.latency != nil {
		if tw.latency == nil {
			tw.latency = o.latency
		} else {
			tw.latency.MergeWith(o.latency)
		}
	}
}

// merge adds o into a, at the wider of the two widths.
func (a *Agg) merge(o *Agg) {
	a.lastTW = nil
	if o.width > a.width {
		a.widen(o.width)
	} else if o.width < a.width {
		o.widen(a.width)
	}
	for w, tw := range o.windows {
		if into := a.windows[w]; into != nil {
			into.merge(tw)
		} else {
			a.windows[w] = tw
		}
	}
	if len(a.windows) > timelineCap {
		a.widen(nextWidth(a.width))
	}
}
