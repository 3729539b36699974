package timeline

import (
	"analyze/report/analysis"
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
// failEntryLimit entries per worker. Within a (minute, kind) group, each
// list (endpoints, clients, hosts, paths, user agents) that reaches
// 2*groupKeep distinct values is cut to its groupKeep heaviest, the
// others' failures folded into a count of the group
// (bounds.timeline_details_folded; incident_fold.go), so one minute heavy
// enough to fill the detail alone still names who and what failed in it.
// When the detail is full all the same (many groups), the groups with the
// fewest failures lose their detail whole (counted in
// timeline.failures_dropped), so an incident's minutes, the heaviest, keep
// theirs.

const (
	detectWidth    = int64(time.Minute)
	minuteCap      = 366 * 24 * 60
	failEntryLimit = 1 << 18
	groupKeep      = 256 // values kept per list of a group when it is cut
)

// Failure kinds.
const (
	kindServer  = int8(0) // 5xx
	kindLimited = int8(1) // 429
)

// The kinds and lists of a stored run's failure cells (FailStrSnap.Kind
// and Field, FailHashSnap.Kind).
const (
	KindServer    = kindServer
	KindLimited   = kindLimited
	FieldEndpoint = fieldEndpoint
	FieldHost     = fieldHost
)

// The lists of a failure group held in strs cells (cellKey).
const (
	fieldEndpoint = int8(iota)
	fieldHost
	fieldPath
	fieldAgent
	fieldClient // in clients, not strs
	fieldCount
)

type minuteCount struct {
	requests int64
	fails    statusCounts // 5xx and 429 by status
}

type groupKey struct {
	win  int64
	kind int8
}

type failHash struct {
	groupKey
	client uint64
}

// groupDetail counts a group's values in each list, and what its lists
// folded (incident_fold.go).
type groupDetail struct {
	n     [fieldCount]int32 // values in strs and clients, by list
	other [fieldCount]int64 // failures whose value in that list was folded
}

// MinuteAgg is the incidents' aggregate: an analysis.Analysis of every
// row the drill-down keeps, in --since/--until or not (analysis.go).
type MinuteAgg struct {
	width   int64 // ns: a minute, wider only past minuteCap minutes
	minutes map[int64]*minuteCount
	strs    map[cellKey]int64 // incident_cells.go
	clients map[failHash]int64
	groups  map[groupKey]*groupDetail // the groups with detail kept
	pruned  map[groupKey]bool         // groups whose detail was dropped: none is kept of them
	dropped int64                     // failures whose detail was dropped
	folded  int64                     // failures' values folded out of a group's list, per list
	ids     idTable                   // the values of strs' cells

	lastW    int64
	lastM    *minuteCount
	lastG    [2]groupKey     // by kind: 5xx and 429s interleave
	lastD    [2]*groupDetail // by kind
	slab     []groupDetail   // allocated, not yet used
	grown    int             // values added since the lists were last cut
	overfull bool            // a list has reached 2*groupKeep values since
}

// NewMinuteAgg returns an empty MinuteAgg.
func NewMinuteAgg() *MinuteAgg {
	return &MinuteAgg{width: detectWidth, minutes: map[int64]*minuteCount{}, strs: map[cellKey]int64{},
		clients: map[failHash]int64{}, groups: map[groupKey]*groupDetail{}, pruned: map[groupKey]bool{}, ids: newIDTable()}
}

// failure is what the incidents name of one failed request: path and
// agent are nil when not logged.
type failure struct {
	endpoint, host, path, agent []byte
	client                      uint64
}

// add counts one analysed record at t (Unix ns); f is read only when the
// status is a 5xx or a 429.
func (a *MinuteAgg) add(t int64, status int, f *failure) {
	w := analysis.FloorDiv(t, a.width)
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
	if len(a.pruned) > 0 && a.pruned[g] || !packable(w) {
		a.dropped++ // a window before 1970 or past 2480 cannot be packed: never from the Scanner
		return
	}
	if len(a.strs)+len(a.clients)+4 >= failEntryLimit && a.overfull {
		a.foldAll() // cut the full lists before any group loses its detail
	}
	if len(a.strs)+len(a.clients)+4 >= failEntryLimit {
		a.prune(failEntryLimit / 2)
		if a.pruned[g] {
			a.dropped++
			return
		}
	}
	d := a.lastD[kind]
	if d == nil || g != a.lastG[kind] {
		d = a.detail(g)
		a.lastG[kind], a.lastD[kind] = g, d
	}
	a.count(g, d, fieldEndpoint, a.ids.id(f.endpoint))
	n := len(a.clients)
	a.clients[failHash{g, f.client}]++
	if len(a.clients) > n {
		a.index(d, fieldClient)
	}
	if len(f.host) > 0 {
		a.count(g, d, fieldHost, a.ids.id(f.host))
	}
	if len(f.path) > 0 {
		a.count(g, d, fieldPath, a.ids.id(f.path))
	}
	if len(f.agent) > 0 {
		a.count(g, d, fieldAgent, a.ids.id(f.agent))
	}
}

// count adds a failure to the value id of a group's list, counting the
// value in d when it is new (index, which may cut the full lists).
func (a *MinuteAgg) count(g groupKey, d *groupDetail, field int8, id uint32) {
	n := len(a.strs)
	a.strs[cellOf(g, field, id)]++
	if len(a.strs) > n {
		a.index(d, field)
	}
}

// groupFailures returns the failures of each group with its detail kept
// (every failure has one endpoint cell, or is counted in its group's
// folded endpoints).
func (a *MinuteAgg) groupFailures() map[groupKey]int64 {
	n := map[groupKey]int64{}
	for k, c := range a.strs {
		if k.field() == fieldEndpoint {
			n[k.group()] += c
		}
	}
	for g, d := range a.groups {
		if d.other[fieldEndpoint] > 0 {
			n[g] += d.other[fieldEndpoint]
		}
	}
	return n
}

// prune drops the detail of the groups with the fewest failures (ties: the
// earliest) until at most keep entries remain.
func (a *MinuteAgg) prune(keep int) {
	entries := map[groupKey]int{}
	for k := range a.strs {
		entries[k.group()]++
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
	a.deletePruned()
}

// deletePruned removes the detail of the pruned groups.
func (a *MinuteAgg) deletePruned() {
	maps.DeleteFunc(a.strs, func(k cellKey, _ int64) bool { return a.pruned[k.group()] })
	maps.DeleteFunc(a.clients, func(k failHash, _ int64) bool { return a.pruned[k.groupKey] })
	maps.DeleteFunc(a.groups, func(g groupKey, _ *groupDetail) bool { return a.pruned[g] })
	a.lastD = [2]*groupDetail{}
	a.compact()
}

// widen merges the minutes into windows of width, a multiple of the
// current width, until at most minuteCap remain.
func (a *MinuteAgg) widen(width int64) {
	old := a.width
	a.width, a.lastM = width, nil
	at := func(w int64) int64 { return analysis.FloorDiv(w*old, width) }
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
	strs := make(map[cellKey]int64, len(a.strs))
	for k, n := range a.strs {
		strs[k.withWin(at(k.group().win))] += n
	}
	clients := make(map[failHash]int64, len(a.clients))
	for k, n := range a.clients {
		k.win = at(k.win)
		clients[k] += n
	}
	groups := make(map[groupKey]*groupDetail, len(a.groups))
	for g, d := range a.groups {
		g.win = at(g.win)
		into := groups[g]
		if into == nil {
			into = &groupDetail{}
			groups[g] = into
		}
		into.other = addOther(into.other, d.other)
	}
	a.strs, a.clients, a.groups = strs, clients, groups
	a.dropPruned()
	a.reindex()
	if len(a.minutes) > minuteCap {
		a.widen(nextWidth(a.width))
	}
}

// dropPruned removes the detail left of pruned groups (after a widening or
// a merge joins a pruned group with one that was not), counting it.
func (a *MinuteAgg) dropPruned() {
	for g, n := range a.groupFailures() {
		if a.pruned[g] {
			a.dropped += n
		}
	}
	a.deletePruned()
}

// merge adds o into a, at the wider of the two widths.
func (a *MinuteAgg) merge(o *MinuteAgg) {
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
	a.folded += o.folded
	for k, n := range o.strs {
		a.strs[k.withID(a.ids.idOf(o.str(k)))] += n
	}
	for k, n := range o.clients {
		a.clients[k] += n
	}
	for g, d := range o.groups {
		into := a.detail(g)
		into.other = addOther(into.other, d.other)
	}
	a.dropPruned()
	a.reindex()
	if len(a.strs)+len(a.clients) > 2*failEntryLimit {
		a.prune(failEntryLimit)
	}
	if len(a.minutes) > minuteCap {
		a.widen(nextWidth(a.width))
	}
}
