package report

import (
	"cmp"
	"maps"
	"slices"
	"time"
)

// The incidents' aggregate: the analysed records per minute, with their
// server errors (5xx) and 429s by status, whatever the timeline's display
// width; and, for each (minute, kind) with failures, who and what failed:
// the endpoints, clients, hosts, raw paths and user agents. Incidents are
// detected on these minutes (incident_detect.go), so the same input gives
// the same incidents whatever span or window is asked for.
//
// Bounds: one minuteCount (about 200 bytes with its map entry) per minute with traffic, at
// most minuteCap (366 days of minutes, so a month is about 9 MB per
// worker); past that the resolution widens (5 m, 15 m, ...) and the JSON
// says so (timeline.detection_seconds). The failure detail holds at most
// failEntryLimit entries per worker: when full, the (minute, kind) groups
// with the fewest failures lose their detail whole (counted in
// timeline.failures_dropped), so an incident's minutes, the heaviest, keep
// theirs.

const (
	detectWidth    = int64(time.Minute)
	minuteCap      = 366 * 24 * 60
	failEntryLimit = 1 << 18
)

// Failure kinds.
const (
	kindServer  = int8(0) // 5xx
	kindLimited = int8(1) // 429
)

// The lists of a failure group held in failStr cells.
const (
	fieldEndpoint = int8(iota)
	fieldHost
	fieldPath
	fieldAgent
)

type minuteCount struct {
	requests int64
	fails    statusCounts // 5xx and 429 by status
}

type groupKey struct {
	win  int64
	kind int8
}

// failStr is a cell of one of a group's string lists.
type failStr struct {
	groupKey
	field int8
	s     string
}

type failHash struct {
	groupKey
	client uint64
}

type minuteAgg struct {
	width   int64 // ns: a minute, wider only past minuteCap minutes
	minutes map[int64]*minuteCount
	strs    map[failStr]int64
	clients map[failHash]int64
	pruned  map[groupKey]bool // groups whose detail was dropped: none is kept of them
	dropped int64             // failures whose detail was dropped
	names   *interner         // endpoints and hosts
	raw     *interner         // paths and user agents, as far as its limit

	lastW int64
	lastM *minuteCount
}

func newMinuteAgg() *minuteAgg {
	return &minuteAgg{width: detectWidth, minutes: map[int64]*minuteCount{}, strs: map[failStr]int64{},
		clients: map[failHash]int64{}, pruned: map[groupKey]bool{}, names: newInterner(endpointLimit), raw: newInterner(1 << 14)}
}

// failure is what the incidents name of one failed request: path and
// agent are nil when not logged.
type failure struct {
	endpoint, host, path, agent []byte
	client                      uint64
}

// add counts one analysed record at t (Unix ns); f is read only when the
// status is a 5xx or a 429.
func (a *minuteAgg) add(t int64, status int, f *failure) {
	w := floorDiv(t, a.width)
	m := a.lastM
	if m == nil || w != a.lastW {
		m = a.minutes[w]
		if m == nil {
			if len(a.minutes) >= minuteCap {
				a.widen(nextWidth(a.width))
				a.add(t, status, f)
				return
			}
			m = &minuteCount{}
			a.minutes[w] = m
		}
		a.lastW, a.lastM = w, m
	}
	m.requests++
	kind := kindServer
	switch {
	case status == 429:
		kind = kindLimited
	case status >= 500 && status <= 599:
	default:
		return
	}
	m.fails.add(int32(status), 1)
	g := groupKey{w, kind}
	if a.pruned[g] {
		a.dropped++
		return
	}
	if len(a.strs)+len(a.clients)+4 >= failEntryLimit {
		a.prune(failEntryLimit / 2)
		if a.pruned[g] {
			a.dropped++
			return
		}
	}
	a.strs[failStr{g, fieldEndpoint, a.names.get(f.endpoint)}]++
	a.clients[failHash{g, f.client}]++
	if len(f.host) > 0 {
		a.strs[failStr{g, fieldHost, a.names.get(f.host)}]++
	}
	if len(f.path) > 0 {
		a.strs[failStr{g, fieldPath, a.raw.get(f.path)}]++
	}
	if len(f.agent) > 0 {
		a.strs[failStr{g, fieldAgent, a.raw.get(f.agent)}]++
	}
}

// groupFailures returns the failures of each group with its detail kept
// (every failure has one endpoint cell).
func (a *minuteAgg) groupFailures() map[groupKey]int64 {
	n := map[groupKey]int64{}
	for k, c := range a.strs {
		if k.field == fieldEndpoint {
			n[k.groupKey] += c
		}
	}
	return n
}

// prune drops the detail of the groups with the fewest failures (ties: the
// earliest) until at most keep entries remain.
func (a *minuteAgg) prune(keep int) {
	entries := map[groupKey]int{}
	for k := range a.strs {
		entries[k.groupKey]++
	}
	for k := range a.clients {
		entries[k.groupKey]++
	}
	fails := a.groupFailures()
	groups := make([]groupKey, 0, len(entries))
	for g := range entries {
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(x, y groupKey) int {
		return cmp.Or(cmp.Compare(fails[x], fails[y]), cmp.Compare(x.win, y.win), cmp.Compare(x.kind, y.kind))
	})
	total := len(a.strs) + len(a.clients)
	for _, g := range groups {
		if total <= keep {
			break
		}
		total -= entries[g]
		a.pruned[g] = true
		a.dropped += fails[g]
	}
	maps.DeleteFunc(a.strs, func(k failStr, _ int64) bool { return a.pruned[k.groupKey] })
	maps.DeleteFunc(a.clients, func(k failHash, _ int64) bool { return a.pruned[k.groupKey] })
}

// widen merges the minutes into windows of width, a multiple of the
// current width, until at most minuteCap remain.
func (a *minuteAgg) widen(width int64) {
	old := a.width
	a.width, a.lastM = width, nil
	at := func(w int64) int64 { return floorDiv(w*old, width) }
	minutes := make(map[int64]*minuteCount, len(a.minutes))
	for w, m := range a.minutes {
		if into := minutes[at(w)]; into != nil {
			into.requests += m.requests
			into.fails.addAll(&m.fails)
		} else {
			minutes[at(w)] = m
		}
	}
	a.minutes = minutes
	pruned := map[groupKey]bool{}
	for g := range a.pruned {
		pruned[groupKey{at(g.win), g.kind}] = true
	}
	a.pruned = pruned
	strs := make(map[failStr]int64, len(a.strs))
	for k, n := range a.strs {
		k.win = at(k.win)
		strs[k] += n
	}
	clients := make(map[failHash]int64, len(a.clients))
	for k, n := range a.clients {
		k.win = at(k.win)
		clients[k] += n
	}
	a.strs, a.clients = strs, clients
	a.dropPruned()
	if len(a.minutes) > minuteCap {
		a.widen(nextWidth(a.width))
	}
}

// dropPruned removes the detail left of pruned groups (after a widening or
// a merge joins a pruned group with one that was not), counting it.
func (a *minuteAgg) dropPruned() {
	for g, n := range a.groupFailures() {
		if a.pruned[g] {
			a.dropped += n
		}
	}
	maps.DeleteFunc(a.strs, func(k failStr, _ int64) bool { return a.pruned[k.groupKey] })
	maps.DeleteFunc(a.clients, func(k failHash, _ int64) bool { return a.pruned[k.groupKey] })
}

// merge adds o into a, at the wider of the two widths.
func (a *minuteAgg) merge(o *minuteAgg) {
	a.lastM = nil
	if o.width > a.width {
		a.widen(o.width)
	} else if o.width < a.width {
		o.widen(a.width)
	}
	for w, m := range o.minutes {
		if into := a.minutes[w]; into != nil {
			into.requests += m.requests
			into.fails.addAll(&m.fails)
		} else {
			a.minutes[w] = m
		}
	}
	for g := range o.pruned {
		a.pruned[g] = true
	}
	a.dropped += o.dropped
	a.dropPruned()
	for k, n := range o.strs {
		if a.pruned[k.groupKey] {
			if k.field == fieldEndpoint {
				a.dropped += n
			}
			continue
		}
		a.strs[k] += n
	}
	for k, n := range o.clients {
		if !a.pruned[k.groupKey] {
			a.clients[k] += n
		}
	}
	if len(a.strs)+len(a.clients) > 2*failEntryLimit {
		a.prune(failEntryLimit)
	}
	if len(a.minutes) > minuteCap {
		a.widen(nextWidth(a.width))
	}
}
