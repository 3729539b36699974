package timeline

import "analyze/report/analysis"

// The incidents' minutes in a stored run (report/snapshot.go): each minute with
// traffic, its failures by status, and the failure detail. Runs stored
// before the minutes were (DetectWidth 0) give theirs from the timeline's
// windows and failure cells they stored, at a minute when those windows
// were a minute or narrower, else at the windows' width (the merged
// report then says so in timeline.detection_seconds). The types are the
// stored run's: their fields are its layout (gob), not to be renamed.

// MinuteSnap is a minute with traffic.
type MinuteSnap struct {
	Win, Requests int64
	Fails         map[int32]int64
}

// FailStrSnap is a cell of a group's string lists.
type FailStrSnap struct {
	Win         int64
	Kind, Field int8
	S           string
	N           int64
}

// FailHashSnap is a cell of a group's clients.
type FailHashSnap struct {
	Win    int64
	Kind   int8
	Client uint64
	N      int64
}

// FailOtherSnap is a group's failures whose value in list Field was
// folded (incident_fold.go); runs stored before the lists folded have none.
type FailOtherSnap struct {
	Win         int64
	Kind, Field int8
	N           int64
}

// GroupSnap is a group whose detail was dropped.
type GroupSnap struct {
	Win  int64
	Kind int8
}

// DetectSnap is what a snapshot holds of a MinuteAgg.
type DetectSnap struct {
	DetectWidth int64
	Minutes     []MinuteSnap
	FailStrs    []FailStrSnap
	FailHashes  []FailHashSnap
	FailPruned  []GroupSnap
	FailOther   []FailOtherSnap
	Folded      int64 // bounds.timeline_details_folded
}

// Snap returns a's part of a stored run.
func (a *MinuteAgg) Snap() DetectSnap {
	d := DetectSnap{DetectWidth: a.width}
	for w, m := range a.minutes {
		d.Minutes = append(d.Minutes, MinuteSnap{w, m.requests, m.fails.asMap()})
	}
	for k, n := range a.strs {
		g := k.group()
		d.FailStrs = append(d.FailStrs, FailStrSnap{g.win, g.kind, k.field(), a.str(k), n})
	}
	for k, n := range a.clients {
		d.FailHashes = append(d.FailHashes, FailHashSnap{k.win, k.kind, k.client, n})
	}
	for g := range a.pruned {
		d.FailPruned = append(d.FailPruned, GroupSnap{g.win, g.kind})
	}
	for g, gd := range a.groups {
		for f, n := range gd.other {
			if n > 0 {
				d.FailOther = append(d.FailOther, FailOtherSnap{g.win, g.kind, int8(f), n})
			}
		}
	}
	d.Folded = a.folded
	return d
}

// Restore fills a, empty, from a stored run; dropped is the run's
// failures_dropped.
func (a *MinuteAgg) Restore(d *DetectSnap, dropped int64) {
	a.width, a.dropped = d.DetectWidth, dropped
	for _, m := range d.Minutes {
		mc := &minuteCount{requests: m.Requests}
		for s, n := range m.Fails {
			mc.fails.add(s, n)
		}
		a.minutes[m.Win] = mc
	}
	for _, c := range d.FailStrs {
		a.restoreStr(groupKey{c.Win, c.Kind}, c.Field, c.S, c.N)
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

// Legacy is what a run stored before the minutes holds for them: its
// timeline windows of width TimelineWidth (ns), its failure cells and
// its failures_dropped (the stored run's fields of the same names).
type Legacy struct {
	TimelineWidth   int64
	TimelineWindows []WindowSnap
	FailEndpoints   []FailEndpointSnap
	FailClients     []FailClientSnap
	FailHosts       []FailEndpointSnap
	FailDropped     int64
}

// RestoreLegacy fills a, empty, from a run stored before the minutes.
func (a *MinuteAgg) RestoreLegacy(sn *Legacy) {
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
			a.restoreStr(groupKey{at(c.Win), k}, fieldEndpoint, c.Endpoint, c.N)
		}
	}
	for _, c := range sn.FailHosts {
		if k := kindOf(c.Status); k >= 0 {
			a.restoreStr(groupKey{at(c.Win), k}, fieldHost, c.Endpoint, c.N)
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

// restoreStr adds a stored cell of a group's string lists. A cell that no
// run can have written (a window before 1970 or past 2480, a kind or list
// out of range) is skipped, as FailOther's are.
func (a *MinuteAgg) restoreStr(g groupKey, field int8, s string, n int64) {
	if !packable(g.win) || g.kind != kindServer && g.kind != kindLimited || field < 0 || field >= fieldCount || field == fieldClient {
		return
	}
	a.strs[cellOf(g, field, a.ids.idOf(s))] += n
}
