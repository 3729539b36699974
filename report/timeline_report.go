package report

import (
	"cmp"
	"math"
	"slices"
	"time"

	"analyze/classify"
)

// Timeline is the timeline section (JSON key "timeline"): the analysed
// records per window, from the first record's window to the last's,
// empty windows included. Its keys are a documented contract (README,
// "Timeline and incidents").
type Timeline struct {
	WindowSeconds float64          `json:"window_seconds"`
	Windows       []TimelineWindow `json:"windows"`
	// FailuresDropped counts 5xx and 429 responses left out of the
	// incidents' endpoint and client lists (cell limit); 0 means exact.
	FailuresDropped int64 `json:"failures_dropped"`
}

// TimelineWindow is one window of the timeline. The latency figures are
// null when no duration is logged in it.
type TimelineWindow struct {
	Start       string        `json:"start"`
	Requests    int64         `json:"requests"`
	Classes                   // success, redirect, client_error, server_error, other
	RateLimited int64         `json:"rate_limited"`
	TopStatuses []StatusCount `json:"top_statuses"`
	P50         *float64      `json:"p50_ms"`
	P95         *float64      `json:"p95_ms"`
	P99         *float64      `json:"p99_ms"`

	win int64 // index at the timeline's width
}

// StatusCount is a status with its count.
type StatusCount struct {
	Status int   `json:"status"`
	Count  int64 `json:"count"`
}

// Incident is a run of windows whose server-error or 429 rate rose well
// above its baseline (README, "Timeline and incidents", states the rule).
// JSON key "incidents"; the keys are a contract.
type Incident struct {
	Start        string   `json:"start"` // RFC 3339 UTC, the first window's start
	End          string   `json:"end"`   // the last window's end
	Kind         string   `json:"kind"`  // server_error or rate_limited
	Peak         int64    `json:"peak"`  // the most failures in one window
	PeakAt       string   `json:"peak_at"`
	PeakRate     float64  `json:"peak_rate"`     // the failures' share of that window's requests
	BaselineRate float64  `json:"baseline_rate"` // the baseline at the incident's start
	Failures     int64    `json:"failures"`
	Requests     int64    `json:"requests"`
	Status       int      `json:"status"` // the dominant status
	Diagnosis    string   `json:"diagnosis"`
	Endpoints    []string `json:"endpoints"` // most affected first, at most 5
	Clients      []string `json:"clients"`   // most affected first, at most 5
	Hosts        []string `json:"hosts"`     // most affected first, at most 5; [] when no host is logged
	Recovered    bool     `json:"recovered"`
}

// The incident rule's constants (README, "Timeline and incidents").
const (
	timelineRows      = 120  // auto-sized timelines have at most this many windows
	incidentMinReqs   = 10   // a window with fewer requests is never flagged
	incidentMinFails  = 5    // nor one with fewer failures of the kind
	incidentMinRate   = 0.05 // nor one below this rate
	incidentZ         = 3.5  // robust z-score threshold
	incidentMinSpread = 0.01 // floor of the baseline's spread (1 point of rate)
	incidentHistory   = 30   // windows the rolling baseline looks back over
	incidentMinHist   = 5    // fewer earlier windows: the whole series' median is the baseline
)

// buildTimeline lays out the timeline at a width: the given one, else the
// smallest step of the ladder (not below the aggregate's width) that shows
// the span in at most timelineRows windows.
func buildTimeline(a *timelineAgg, width time.Duration) *Timeline {
	t := &Timeline{Windows: []TimelineWindow{}, FailuresDropped: a.dropped}
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
		for floorDiv(last*a.width, w)-floorDiv(first*a.width, w)+1 > timelineRows {
			w = nextWidth(w)
		}
	}
	t.WindowSeconds = float64(w) / 1e9
	lo, hi := floorDiv(first*a.width, w), floorDiv(last*a.width, w)
	merged := make([]tlWindow, hi-lo+1)
	for aw, tw := range a.windows {
		m := &merged[floorDiv(aw*a.width, w)-lo]
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
		row := TimelineWindow{Start: start.Format(time.RFC3339), win: lo + int64(i),
			Classes: classesOf(m.classes), RateLimited: m.statuses.get(429), TopStatuses: []StatusCount{}}
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
		row.P50, row.P95, row.P99 = percentiles(m.latency)
		t.Windows = append(t.Windows, row)
	}
	return t
}

// findIncidents applies the incident rule to the timeline's windows for
// both kinds, and names each incident's dominant status, endpoints and
// clients from the aggregate's failure cells.
func findIncidents(t *Timeline, a *timelineAgg, name func(uint64) string) []Incident {
	out := []Incident{}
	width := int64(t.WindowSeconds * 1e9)
	for _, kind := range []string{"server_error", "rate_limited"} {
		fails := func(w *TimelineWindow) int64 {
			if kind == "server_error" {
				return w.ServerError
			}
			return w.RateLimited
		}
		flagged, baselines := flagWindows(t.Windows, fails)
		for i := 0; i < len(t.Windows); {
			if !flagged[i] {
				i++
				continue
			}
			// Flagged windows one unflagged window apart are one incident.
			j := i
			for j+1 < len(t.Windows) && (flagged[j+1] || j+2 < len(t.Windows) && flagged[j+2]) {
				if flagged[j+1] {
					j++
				} else {
					j += 2
				}
			}
			inc := Incident{Kind: kind, Start: t.Windows[i].Start,
				End:          time.Unix(0, (t.Windows[j].win+1)*width).UTC().Format(time.RFC3339),
				BaselineRate: round(baselines[i], 4), Endpoints: []string{}, Clients: []string{}, Hosts: []string{}}
			for k := i; k <= j; k++ {
				w := &t.Windows[k]
				f := fails(w)
				inc.Failures += f
				inc.Requests += w.Requests
				if f > inc.Peak {
					inc.Peak, inc.PeakAt = f, w.Start
					inc.PeakRate = round(float64(f)/float64(max(w.Requests, 1)), 4)
				}
			}
			inc.Status, inc.Endpoints, inc.Clients, inc.Hosts = affected(a, kind, t.Windows[i].win*width, (t.Windows[j].win+1)*width, name)
			inc.Diagnosis = classify.Lookup(inc.Status).ID
			// Recovered: at least two later windows with traffic, none
			// flagged after the incident.
			later := 0
			for k := j + 1; k < len(t.Windows); k++ {
				if t.Windows[k].Requests >= incidentMinReqs {
					later++
				}
			}
			inc.Recovered = later >= 2
			out = append(out, inc)
			i = j + 1
		}
	}
	slices.SortFunc(out, func(a, b Incident) int { return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.Kind, b.Kind)) })
	return out
}

// flagWindows marks the windows whose failure rate is well above their
// baseline: the median rate of up to incidentHistory earlier unflagged
// windows with traffic (the whole series' when fewer than incidentMinHist
// precede), with a spread of 1.4826 times the median absolute deviation,
// floored. It returns the flags and each window's baseline.
func flagWindows(ws []TimelineWindow, fails func(*TimelineWindow) int64) ([]bool, []float64) {
	flagged := make([]bool, len(ws))
	baselines := make([]float64, len(ws))
	var all []float64
	for i := range ws {
		if ws[i].Requests >= incidentMinReqs {
			all = append(all, float64(fails(&ws[i]))/float64(ws[i].Requests))
		}
	}
	globalMed, globalSpread := medianSpread(all)
	var history []float64 // rates of earlier unflagged windows with traffic
	for i := range ws {
		w := &ws[i]
		med, spread := globalMed, globalSpread
		if len(history) >= incidentMinHist {
			med, spread = medianSpread(history[max(0, len(history)-incidentHistory):])
		}
		baselines[i] = med
		if w.Requests < incidentMinReqs {
			continue
		}
		f := fails(w)
		rate := float64(f) / float64(w.Requests)
		if f >= incidentMinFails && rate >= incidentMinRate && rate >= med+incidentZ*spread {
			flagged[i] = true
			continue
		}
		history = append(history, rate)
	}
	return flagged, baselines
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

// affected returns, for failures of a kind within [from, to) (Unix ns),
// the dominant status and the endpoints, clients and hosts with most of
// them.
func affected(a *timelineAgg, kind string, from, to int64, name func(uint64) string) (int, []string, []string, []string) {
	in := func(win int64, status int32) bool {
		t := win * a.width
		if t < from || t >= to {
			return false
		}
		if kind == "rate_limited" {
			return status == 429
		}
		return status >= 500
	}
	statuses := map[int32]int64{}
	endpoints := map[string]int64{}
	for k, n := range a.endpoints {
		if in(k.win, k.status) {
			statuses[k.status] += n
			endpoints[k.endpoint] += n
		}
	}
	clients := map[uint64]int64{}
	for k, n := range a.clients {
		if in(k.win, k.status) {
			clients[k.client] += n
		}
	}
	hosts := map[string]int64{}
	for k, n := range a.hosts {
		if in(k.win, k.status) {
			hosts[k.endpoint] += n
		}
	}
	status, most := 0, int64(-1)
	for s, n := range statuses {
		if n > most || n == most && int(s) < status {
			status, most = int(s), n
		}
	}
	if status == 0 && kind == "rate_limited" {
		status = 429
	}
	same := func(s string) string { return s }
	return status, topNames(endpoints, same, 5), topNames(clients, name, 5), topNames(hosts, same, 5)
}
