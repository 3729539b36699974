package timeline

import (
	"analyze/report/analysis"
	"cmp"
	"math"
	"slices"
	"time"
)

// Report is the timeline section (JSON key "timeline"): the analysed
// records per window, from the first record's window to the last's,
// empty windows included. Its keys are a documented contract (docs/incidents.md).
type Report struct {
	WindowSeconds float64  `json:"window_seconds"`
	Windows       []Window `json:"windows"`
	// FailuresDropped counts 5xx and 429 responses left out of the
	// incidents' lists (cell limit); 0 means exact.
	FailuresDropped int64 `json:"failures_dropped"`
	// DetectionSeconds is the incidents' resolution: 60 (a minute), wider
	// only past 366 days of minutes with traffic.
	DetectionSeconds float64 `json:"detection_seconds"`
	// Gaps are the spans of 15 minutes or more without a request, the 100
	// longest in time order; GapsTotal counts them all.
	Gaps      []Gap `json:"gaps"`
	GapsTotal int   `json:"gaps_total"`
}

// Window is one window of the timeline. The latency figures are
// null when no duration is logged in it.
type Window struct {
	Start            string        `json:"start"`
	Requests         int64         `json:"requests"`
	analysis.Classes               // success, redirect, client_error, server_error, other
	RateLimited      int64         `json:"rate_limited"`
	TopStatuses      []StatusCount `json:"top_statuses"`
	P50              *float64      `json:"p50_ms"`
	P95              *float64      `json:"p95_ms"`
	P99              *float64      `json:"p99_ms"`

	win int64 // index at the timeline's width
}

// StatusCount is a status with its count.
type StatusCount struct {
	Status int   `json:"status"`
	Count  int64 `json:"count"`
}

// Incident is a run of minutes whose server-error or 429 rate rose well
// above its baseline (docs/incidents.md states the rule).
// JSON key "incidents"; the keys are a contract.
type Incident struct {
	Start        string   `json:"start"` // RFC 3339 UTC, the first minute's start
	End          string   `json:"end"`   // the last flagged minute's end
	Kind         string   `json:"kind"`  // server_error or rate_limited
	Peak         int64    `json:"peak"`  // the most failures in one minute
	PeakAt       string   `json:"peak_at"`
	PeakRate     float64  `json:"peak_rate"`     // the failures' share of that minute's requests
	BaselineRate float64  `json:"baseline_rate"` // the baseline at the incident's start
	Failures     int64    `json:"failures"`
	Requests     int64    `json:"requests"`
	Status       int      `json:"status"` // the dominant status
	Diagnosis    string   `json:"diagnosis"`
	Endpoints    []string `json:"endpoints"` // most affected first, at most 5
	Clients      []string `json:"clients"`   // most affected first, at most 5
	Hosts        []string `json:"hosts"`     // most affected first, at most 5; [] when no host is logged
	// Paths and UserAgents: the raw paths (no query) and user agents of
	// the failures, most first, at most 10 each; [] when not logged.
	Paths      []IncidentPath  `json:"paths"`
	UserAgents []IncidentAgent `json:"user_agents"`
	// Recovered: a minute with traffic (10 requests or more) follows the
	// incident's last flagged minute; false means it is ongoing at the end
	// of the input.
	Recovered bool `json:"recovered"`
}

// Build makes the timeline section at width (0: sized to the span) from
// tl, and the incidents found on det's minutes (every minute the
// drill-down keeps, in --since/--until or not), in time order. first and
// last are the times of the first and last analysed records (Unix ns):
// the gaps are those between them. name names a client by its hash.
func Build(tl *Agg, det *MinuteAgg, width time.Duration, first, last int64, name func(uint64) string) (*Report, []Incident) {
	t := buildTimeline(tl, width)
	t.FailuresDropped, t.DetectionSeconds = det.dropped, float64(det.width)/1e9
	t.Gaps, t.GapsTotal = findGaps(det, first, last)
	return t, findIncidents(det, name)
}

// Bounds returns the failures whose detail was dropped
// (bounds.timeline_failures_dropped) and the failures' values folded out
// of a group's lists (bounds.timeline_details_folded).
func (a *MinuteAgg) Bounds() (dropped, folded int64) { return a.dropped, a.folded }

// timelineRows: auto-sized timelines have at most this many windows.
const timelineRows = 120

// buildTimeline lays out the timeline at a width: the given one, else the
// smallest step of the ladder (not below the aggregate's width) that shows
// the span in at most timelineRows windows.
func buildTimeline(a *Agg, width time.Duration) *Report {
	t := &Report{Windows: []Window{}, Gaps: []Gap{}}
	if len(a.windows) == 0 {
		t.WindowSeconds = float64(a.width) / 1e9
		return t
	}
	first, last := int64(math.MaxInt64), int64(math.MinInt64)
	for w := range a.windows {
		first, last = min(first, w), max(last, w)
	}
	w := int64(width)
	if w < a.width || w%a.width != 0 {
		// The narrowest width that shows the span in timelineRows windows
		// or fewer, counted as they fall (the span's ends need not be
		// aligned to a wider window).
		w = a.width
		for analysis.FloorDiv(last*a.width, w)-analysis.FloorDiv(first*a.width, w)+1 > timelineRows {
			w = nextWidth(w)
		}
	}
	t.WindowSeconds = float64(w) / 1e9
	lo, hi := analysis.FloorDiv(first*a.width, w), analysis.FloorDiv(last*a.width, w)
	merged := make([]tlWindow, hi-lo+1)
	for aw, tw := range a.windows {
		m := &merged[analysis.FloorDiv(aw*a.width, w)-lo]
		for i := range m.classes {
			m.classes[i] += tw.classes[i]
		}
		m.statuses.addAll(&tw.statuses)
		if tw.latency != nil {
			if m.latency == nil {
				m.latency = tw.latency.Copy()
			} else {
				m.latency.MergeWith(tw.latency)
			}
		}
	}
	for i := range merged {
		m := &merged[i]
		start := time.Unix(0, (lo+int64(i))*w).UTC()
		row := Window{Start: start.Format(time.RFC3339), win: lo + int64(i),
			Classes: analysis.ClassesOf(m.classes), RateLimited: m.statuses.get(429), TopStatuses: []StatusCount{}}
		for _, n := range m.classes {
			row.Requests += n
		}
		m.statuses.each(func(s int32, n int64) {
			if s < 200 || s >= 400 {
				row.TopStatuses = append(row.TopStatuses, StatusCount{int(s), n})
			}
		})
		slices.SortFunc(row.TopStatuses, func(a, b StatusCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Status, b.Status))
		})
		row.TopStatuses = row.TopStatuses[:min(3, len(row.TopStatuses))]
		row.P50, row.P95, row.P99 = analysis.Percentiles(m.latency)
		t.Windows = append(t.Windows, row)
	}
	return t
}

// medianSpread returns the median of xs and 1.4826 times their median
// absolute deviation, floored at incidentMinSpread.
func medianSpread(xs []float64) (float64, float64) {
	if len(xs) == 0 {
		return 0, incidentMinSpread
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	med := median(s)
	for i, x := range s {
		s[i] = math.Abs(x - med)
	}
	slices.Sort(s)
	return med, max(1.4826*median(s), incidentMinSpread)
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
