package quota

import (
	"analyze/report/analysis"
	"cmp"
	"iter"
	"time"
)

// 429 bursts: runs of consecutive windows with 429s, found in the
// non-empty windows (Report.Windows) at report time. A log can hold
// any number of them (a 429 every other minute for a year is 260,000), so
// the report lists the worst analysis.ListLimit, in time order, and counts them all
// (quota.bursts_total); AllBursts gives every one, for the table exports.

// burstRun is a burst while the section is built: its figures and its
// first and last window; its stamps and clients are filled in only for the
// bursts listed.
type burstRun struct {
	Burst
	from, to int64
}

// worseBurst orders bursts the worst first: the most 429s, then the
// longest, then the earliest.
func worseBurst(a, b burstRun) int {
	return cmp.Or(cmp.Compare(b.RateLimited, a.RateLimited), cmp.Compare(b.Windows, a.Windows), cmp.Compare(a.from, b.from))
}

func burstsInTime(a, b burstRun) int { return cmp.Compare(a.from, b.from) }

// windowIndex is the index of the i-th non-empty window.
func (r *Report) windowIndex(i int) int64 {
	return analysis.FloorDiv(r.Windows[i].Start.UnixNano(), r.win)
}

func (r *Report) stamp(w int64) string { return time.Unix(0, w*r.win).UTC().Format(time.RFC3339) }

// eachBurst calls f with each burst in time order, without its stamps and
// clients, until f returns false.
func (r *Report) eachBurst(f func(burstRun) bool) {
	ws := r.Windows
	for i := 0; i < len(ws); {
		if ws[i].RateLimited == 0 {
			i++
			continue
		}
		from := r.windowIndex(i)
		j, to := i, from
		for j+1 < len(ws) && ws[j+1].RateLimited > 0 {
			next := r.windowIndex(j + 1)
			if next != to+1 {
				break
			}
			j, to = j+1, next
		}
		b := burstRun{from: from, to: to}
		b.Windows = to - from + 1
		if i > 0 && r.windowIndex(i-1) == from-1 {
			b.RateBefore = ws[i-1].Requests
		}
		for _, w := range ws[i : j+1] {
			b.RateLimited += w.RateLimited
			b.Requests += w.Requests
		}
		if !f(b) {
			return
		}
		i = j + 1
	}
}

// complete fills in a burst's stamps and its clients (the five with the
// most 429s in it).
func (r *Report) complete(b burstRun) Burst {
	b.Start, b.End = r.stamp(b.from), r.stamp(b.to+1)
	involved := map[uint64]int64{}
	for _, c := range analysis.InWindows(r.by429, b.from, b.to) {
		involved[c.C.Client] += c.N
	}
	b.Clients = analysis.TopNames(involved, r.name, 5)
	return b.Burst
}

// listBursts sets Bursts to the worst analysis.ListLimit bursts, in time order, and
// BurstsTotal to the number of bursts.
func (r *Report) listBursts() {
	top := analysis.NewWorst(analysis.ListLimit, worseBurst)
	r.eachBurst(func(b burstRun) bool {
		top.Add(b)
		return true
	})
	r.Bursts = make([]Burst, 0, top.Len())
	for _, b := range top.Sorted(burstsInTime) {
		r.Bursts = append(r.Bursts, r.complete(b))
	}
	r.BurstsTotal = top.Total()
}

// AllBursts yields every burst in time order, listed or not.
func (r *Report) AllBursts() iter.Seq[Burst] {
	return func(yield func(Burst) bool) {
		r.eachBurst(func(b burstRun) bool { return yield(r.complete(b)) })
	}
}
