package report

import "analyze/report/analysis"

// The incidents' minutes in a stored run (snapshot.go): each minute with
// traffic, its failures by status, and the failure detail. Runs stored
// before the minutes were (DetectWidth 0) give theirs from the timeline's
// windows and failure cells they stored, at a minute when those windows
// were a minute or narrower, else at the windows' width (the merged
// report then says so in timeline.detection_seconds).

type minuteSnap struct {
	Win, Requests int64
	Fails         map[int32]int64
}

type failStrSnap struct {
	Win         int64
	Kind, Field int8
	S           string
	N           int64
}

type failHashSnap struct {
	Win    int64
	Kind   int8
	Client uint64
	N      int64
}

// failOtherSnap is a group's failures whose value in list Field was
// folded (incident_fold.go); runs stored before the lists folded have none.
type failOtherSnap struct {
	Win         int64
	Kind, Field int8
	N           int64
}

type groupSnap struct {
	Win  int64
	Kind int8
}

// detectSnap is what a snapshot holds of a minuteAgg.
type detectSnap struct {
	DetectWidth int64
	Minutes     []minuteSnap
	FailStrs    []failStrSnap
	FailHashes  []failHashSnap
	FailPruned  []groupSnap
	FailOther   []failOtherSnap
	Folded      int64 // bounds.timeline_details_folded
}

func (a *minuteAgg) snap() detectSnap {
	d := detectSnap{DetectWidth: a.width}
	for w, m := range a.minutes {
		d.Minutes = append(d.Minutes, minuteSnap{w, m.requests, m.fails.asMap()})
	}
	for k, n := range a.strs {
		d.FailStrs = append(d.FailStrs, failStrSnap{k.win, k.kind, k.field, k.s, n})
	}
	for k, n := range a.clients {
		d.FailHashes = append(d.FailHashes, failHashSnap{k.win, k.kind, k.client, n})
	}
	for g := range a.pruned {
		d.FailPruned = append(d.FailPruned, groupSnap{g.win, g.kind})
	}
	for g, gd := range a.groups {
		for f, n := range gd.other {
			if n > 0 {
				d.FailOther = append(d.FailOther, failOtherSnap{g.win, g.kind, int8(f), n})
			}
		}
	}
	d.Folded = a.folded
	return d
}

// restore fills a, empty, from a stored run; dropped is the run's
// failures_dropped.
func (a *minuteAgg) restore(d *detectSnap, dropped int64) {
	a.width, a.dropped = d.DetectWidth, dropped
	for _, m := range d.Minutes {
		mc := &minuteCount{requests: m.Requests}
		for s, n := range m.Fails {
			mc.fails.add(s, n)
		}
		a.minutes[m.Win] = mc
	}
	for _, c := range d.FailStrs {
		a.strs[failStr{groupKey{c.Win, c.Kind}, c.Field, c.S}] = c.N
	}
	for _, c := range d.FailHashes {
		a.clients[failHash{groupKey{c.Win, c.Kind}, c.Client}] = c.N
	}
	for _, g := range d.FailPruned {
		a.pruned[groupKey{g.Win, g.Kind}] = true
	}
	a.folded = d.Folded
	for _, c := range d.FailOther {
		g := groupKey{c.Win, c.Kind}
		if c.Field < 0 || c.Field >= fieldCount || a.pruned[g] {
			continue
		}
		a.detail(g).other[c.Field] += c.N
	}
	a.reindex()
}

// restoreLegacy fills a, empty, from a run stored before the minutes: its
// timeline windows of width tlWidth (ns) and failure cells.
func (a *minuteAgg) restoreLegacy(sn *snapshot) {
	tlWidth := sn.TimelineWidth
	if tlWidth <= 0 {
		tlWidth = int64(timelineBase)
	}
	if tlWidth > a.width {
		a.width = tlWidth
	}
	at := func(w int64) int64 { return analysis.FloorDiv(w*tlWidth, a.width) }
	for _, ws := range sn.TimelineWindows {
		m := a.minutes[at(ws.Win)]
		if m == nil {
			m = &minuteCount{}
			a.minutes[at(ws.Win)] = m
		}
		for _, n := range ws.Classes {
			m.requests += n
		}
		for s, n := range ws.Statuses {
			if kindOf(s) >= 0 {
				m.fails.add(s, n)
			}
		}
	}
	for _, c := range sn.FailEndpoints {
		if k := kindOf(c.Status); k >= 0 {
			a.strs[failStr{groupKey{at(c.Win), k}, fieldEndpoint, c.Endpoint}] += c.N
		}
	}
	for _, c := range sn.FailHosts {
		if k := kindOf(c.Status); k >= 0 {
			a.strs[failStr{groupKey{at(c.Win), k}, fieldHost, c.Endpoint}] += c.N
		}
	}
	for _, c := range sn.FailClients {
		if k := kindOf(c.Status); k >= 0 {
			a.clients[failHash{groupKey{at(c.Win), k}, c.Client}] += c.N
		}
	}
	a.dropped = sn.FailDropped
	a.reindex()
}
