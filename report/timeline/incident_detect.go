package timeline

import (
	"analyze/report/analysis"
	"cmp"
	"slices"
	"time"

	"analyze/classify"
)

// Incident detection on the minutes of MinuteAgg (docs/incidents.md states
// the rule): per kind, a minute is flagged when its
// failure rate rises well above the rolling baseline of the minutes before
// it; flagged minutes at most one minute apart are one incident.

// The incident rule's constants (docs/incidents.md).
const (
	incidentMinReqs   = 10   // a minute with fewer requests is never flagged
	incidentMinFails  = 5    // nor one with fewer failures of the kind
	incidentMinRate   = 0.05 // nor one below this rate
	incidentZ         = 3.5  // robust z-score threshold
	incidentMinSpread = 0.01 // floor of the baseline's spread (1 point of rate)
	incidentHistory   = 30   // minutes with traffic the rolling baseline looks back over
	incidentMinHist   = 5    // fewer earlier minutes: the whole series' median is the baseline
	incidentListNames = 5    // endpoints, clients and hosts named per incident
	incidentListRaw   = 10   // paths and user agents listed per incident
	gapMinutes        = 15   // a span of at least this many minutes without a request is a gap
	gapsListed        = 100  // the longest gaps listed
)

// IncidentPath is a raw path (no query) with its failures in an incident.
type IncidentPath struct {
	Path  string `json:"path"`
	Count int64  `json:"count"`
}

// IncidentAgent is a user agent with its failures in an incident.
type IncidentAgent struct {
	UserAgent string `json:"user_agent"`
	Count     int64  `json:"count"`
}

// Gap is a span without any request (JSON timeline.gaps[]): from the start
// of the first minute without one to the start of the next minute with one.
type Gap struct {
	Start   string `json:"start"`
	End     string `json:"end"`
	Minutes int64  `json:"minutes"`
}

// minuteRow is one minute with traffic of the detection series.
type minuteRow struct {
	win      int64
	requests int64
	fails    int64 // of the kind being detected
}

// sortedMinutes returns the windows with traffic, in time order.
func (a *MinuteAgg) sortedMinutes() []int64 {
	ws := make([]int64, 0, len(a.minutes))
	for w := range a.minutes {
		ws = append(ws, w)
	}
	slices.Sort(ws)
	return ws
}

func kindOf(status int32) int8 {
	switch {
	case status == 429:
		return kindLimited
	case status >= 500 && status <= 599:
		return kindServer
	}
	return -1
}

// findIncidents applies the incident rule to the minutes for both kinds,
// and names each incident's dominant status, endpoints, clients, hosts,
// paths and user agents.
func findIncidents(a *MinuteAgg, name func(uint64) string) []Incident {
	out := []Incident{}
	wins := a.sortedMinutes()
	at := func(w int64) string { return time.Unix(0, w*a.width).UTC().Format(time.RFC3339) }
	type span struct{ from, to int } // indexes into wins, inclusive
	var spans []span
	for _, kind := range []int8{kindServer, kindLimited} {
		rows := make([]minuteRow, len(wins))
		for i, w := range wins {
			m := a.minutes[w]
			rows[i] = minuteRow{win: w, requests: m.requests}
			m.fails.each(func(s int32, n int64) {
				if kindOf(s) == kind {
					rows[i].fails += n
				}
			})
		}
		flagged, baselines := flagMinutes(rows)
		for i := 0; i < len(rows); {
			if !flagged[i] {
				i++
				continue
			}
			// Flagged minutes at most one minute apart are one incident.
			j := i
			for k := i + 1; k < len(rows) && rows[k].win-rows[j].win <= 2; k++ {
				if flagged[k] {
					j = k
				}
			}
			inc := Incident{Kind: "server_error", Start: at(rows[i].win), End: at(rows[j].win + 1),
				BaselineRate: analysis.Round(baselines[i], 4)}
			if kind == kindLimited {
				inc.Kind = "rate_limited"
			}
			statuses := map[int32]int64{}
			for k := i; k <= j; k++ {
				r := rows[k]
				inc.Failures += r.fails
				inc.Requests += r.requests
				if r.fails > inc.Peak {
					inc.Peak, inc.PeakAt = r.fails, at(r.win)
					inc.PeakRate = analysis.Round(float64(r.fails)/float64(max(r.requests, 1)), 4)
				}
				a.minutes[r.win].fails.each(func(s int32, n int64) {
					if kindOf(s) == kind {
						statuses[s] += n
					}
				})
			}
			inc.Status = dominant(statuses)
			if inc.Status == 0 && kind == kindLimited {
				inc.Status = 429
			}
			inc.Diagnosis = classify.Lookup(inc.Status).ID
			// Over when a minute with traffic follows its last flagged
			// minute: that minute was measured below the threshold. A gap
			// (no request at all) is no such minute.
			inc.Recovered = false
			for k := j + 1; k < len(rows); k++ {
				if rows[k].requests >= incidentMinReqs {
					inc.Recovered = true
					break
				}
			}
			out = append(out, inc)
			spans = append(spans, span{i, j})
			i = j + 1
		}
	}
	name1 := func(s string) string { return s }
	// Who and what: one pass over the failure cells, each group to its
	// incident.
	of := map[groupKey]int{}
	for n, sp := range spans {
		kind := kindServer
		if out[n].Kind == "rate_limited" {
			kind = kindLimited
		}
		for k := sp.from; k <= sp.to; k++ {
			of[groupKey{wins[k], kind}] = n
		}
	}
	type lists struct {
		endpoints, hosts, paths, agents map[string]int64
		clients                         map[uint64]int64
	}
	ls := make([]lists, len(out))
	for i := range ls {
		ls[i] = lists{map[string]int64{}, map[string]int64{}, map[string]int64{}, map[string]int64{}, map[uint64]int64{}}
	}
	for k, n := range a.strs {
		i, ok := of[k.group()]
		if !ok {
			continue
		}
		switch k.field() {
		case fieldEndpoint:
			ls[i].endpoints[a.str(k)] += n
		case fieldHost:
			ls[i].hosts[a.str(k)] += n
		case fieldPath:
			ls[i].paths[a.str(k)] += n
		case fieldAgent:
			ls[i].agents[a.str(k)] += n
		}
	}
	for k, n := range a.clients {
		if i, ok := of[k.groupKey]; ok {
			ls[i].clients[k.client] += n
		}
	}
	for i := range out {
		out[i].Endpoints = analysis.TopNames(ls[i].endpoints, name1, incidentListNames)
		out[i].Clients = analysis.TopNames(ls[i].clients, name, incidentListNames)
		out[i].Hosts = analysis.TopNames(ls[i].hosts, name1, incidentListNames)
		out[i].Paths = []IncidentPath{}
		for _, c := range topCounts(ls[i].paths, incidentListRaw) {
			out[i].Paths = append(out[i].Paths, IncidentPath{c.name, c.n})
		}
		out[i].UserAgents = []IncidentAgent{}
		for _, c := range topCounts(ls[i].agents, incidentListRaw) {
			out[i].UserAgents = append(out[i].UserAgents, IncidentAgent{c.name, c.n})
		}
	}
	slices.SortFunc(out, func(a, b Incident) int { return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.Kind, b.Kind)) })
	return out
}

type nameCount struct {
	name string
	n    int64
}

// topCounts returns the n names with the highest counts, highest first
// (ties by name).
func topCounts(counts map[string]int64, n int) []nameCount {
	all := make([]nameCount, 0, len(counts))
	for s, c := range counts {
		all = append(all, nameCount{s, c})
	}
	slices.SortFunc(all, func(a, b nameCount) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.name, b.name)) })
	return all[:min(n, len(all))]
}

// dominant returns the status with the most failures (ties: the lowest);
// 0 for none.
func dominant(statuses map[int32]int64) int {
	status, most := 0, int64(-1)
	for s, n := range statuses {
		if n > most || n == most && int(s) < status {
			status, most = int(s), n
		}
	}
	return status
}

// flagMinutes marks the minutes whose failure rate is well above their
// baseline: the median rate of up to incidentHistory earlier unflagged
// minutes with traffic (the whole series' when fewer than incidentMinHist
// precede), with a spread of 1.4826 times the median absolute deviation,
// floored. It returns the flags and each minute's baseline.
func flagMinutes(rows []minuteRow) ([]bool, []float64) {
	flagged := make([]bool, len(rows))
	baselines := make([]float64, len(rows))
	var all []float64
	for _, r := range rows {
		if r.requests >= incidentMinReqs {
			all = append(all, float64(r.fails)/float64(r.requests))
		}
	}
	globalMed, globalSpread := medianSpread(all)
	var history rollingBaseline // rates of earlier unflagged minutes with traffic
	for i, r := range rows {
		med, spread := globalMed, globalSpread
		if history.len() >= incidentMinHist {
			med, spread = history.get()
		}
		baselines[i] = med
		if r.requests < incidentMinReqs {
			continue
		}
		rate := float64(r.fails) / float64(r.requests)
		if r.fails >= incidentMinFails && rate >= incidentMinRate && rate >= med+incidentZ*spread {
			flagged[i] = true
			continue
		}
		history.push(rate)
	}
	return flagged, baselines
}

// findGaps returns the spans of at least gapMinutes without a request
// between first and last (Unix nanoseconds: the first and the last record
// analysed; the minutes may hold records out of --since/--until too): the
// gapsListed longest (ties: the earliest), in time order, and how many
// there are.
func findGaps(a *MinuteAgg, first, last int64) ([]Gap, int) {
	wins := a.sortedMinutes()
	type g struct{ from, to int64 } // windows: the first empty, the next with traffic
	var all []g
	for i := 1; i < len(wins); i++ {
		if wins[i-1]*a.width < analysis.FloorDiv(first, a.width)*a.width || wins[i]*a.width > last {
			continue // not between the records analysed
		}
		if (wins[i]-wins[i-1]-1)*a.width >= gapMinutes*int64(time.Minute) {
			all = append(all, g{wins[i-1] + 1, wins[i]})
		}
	}
	total := len(all)
	if len(all) > gapsListed {
		slices.SortStableFunc(all, func(x, y g) int { return cmp.Compare(y.to-y.from, x.to-x.from) })
		all = all[:gapsListed]
		slices.SortFunc(all, func(x, y g) int { return cmp.Compare(x.from, y.from) })
	}
	out := []Gap{}
	for _, x := range all {
		out = append(out, Gap{Start: time.Unix(0, x.from*a.width).UTC().Format(time.RFC3339),
			End: time.Unix(0, x.to*a.width).UTC().Format(time.RFC3339), Minutes: (x.to - x.from) * a.width / int64(time.Minute)})
	}
	return out, total
}
