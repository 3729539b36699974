package retry

import (
	"analyze/report/analysis"
	"cmp"
	"slices"
)

// Retry storms: runs of consecutive storm windows in which retry attempts
// were more than the storm share of the traffic, found at report time in
// the attempts per window. Like the 429 bursts, a log can hold any number
// of them: the report lists the worst analysis.ListLimit, in time order, and counts
// them all (retry.storms_total).

// stormRun is a storm while the section is built; its stamps and clients
// are filled in only for the storms listed.
type stormRun struct {
	Storm
	from, to int64
}

// worseStorm orders storms the worst first: the most attempts, then the
// highest share of the traffic, then the earliest.
func worseStorm(a, b stormRun) int {
	return cmp.Or(cmp.Compare(b.Attempts, a.Attempts),
		cmp.Compare(float64(b.Attempts)/float64(b.Requests), float64(a.Attempts)/float64(a.Requests)),
		cmp.Compare(a.from, b.from))
}

// listStorms returns the worst analysis.ListLimit storms, in time order, and how
// many there were; share is the storm share in force, requests the traffic
// of a window (Build).
func listStorms(t *Tracker, requests func(win, w int64) int64, share float64, name func(uint64) string) ([]Storm, int64) {
	// The storm windows, in time order: their attempts against their
	// traffic (the quota's windows, when they are as long).
	var ws []int64
	for w, n := range t.attemptsByWin {
		if total := requests(t.stormWin, w); total > 0 && float64(n) > share*float64(total) {
			ws = append(ws, w)
		}
	}
	slices.Sort(ws)
	top := analysis.NewWorst(analysis.ListLimit, worseStorm)
	for i := 0; i < len(ws); {
		j := i
		for j+1 < len(ws) && ws[j+1] == ws[j]+1 {
			j++
		}
		st := stormRun{from: ws[i], to: ws[j]}
		for _, w := range ws[i : j+1] {
			st.Attempts += t.attemptsByWin[w]
			st.Requests += requests(t.stormWin, w)
		}
		top.Add(st)
		i = j + 1
	}
	byAttempt := analysis.ByWindow(t.attemptsByCell)
	storms := make([]Storm, 0, top.Len())
	for _, st := range top.Sorted(func(a, b stormRun) int { return cmp.Compare(a.from, b.from) }) {
		st.Start, st.End = analysis.StampNS(st.from*t.stormWin), analysis.StampNS((st.to+1)*t.stormWin)
		by := map[uint64]int64{}
		for _, c := range analysis.InWindows(byAttempt, st.from, st.to) {
			by[c.C.Client] += c.N
		}
		st.Share = analysis.Round(float64(st.Attempts)/float64(st.Requests), 4)
		st.Clients = analysis.TopNames(by, name, 3)
		storms = append(storms, st.Storm)
	}
	return storms, top.Total()
}
