package quota

import "analyze/report/analysis"

// What the engine relies on: Agg is a settling analysis, Behaviour an
// ordered one.
var (
	_ analysis.Analysis = (*Agg)(nil)
	_ analysis.Settler  = (*Agg)(nil)
	_ analysis.Ordered  = (*Behaviour)(nil)
)

// Add counts a batch's in-span rows in the quota's windows and cells.
func (q *Agg) Add(b *analysis.Batch) {
	for i := range b.Rows {
		if r := &b.Rows[i]; r.InSpan {
			q.add(r.Time, r.ClientID, r.Status, r.RateLimit, r.RateRemaining)
		}
	}
}

// Merge adds o, a *Agg, into q.
func (q *Agg) Merge(o analysis.Analysis) { q.merge(o.(*Agg)) }

// Settle readies q for the merge.
func (q *Agg) Settle() { q.settle() }

// Win returns the quota window, in nanoseconds.
func (q *Agg) Win() int64 { return q.win }

// Dropped returns the requests left out of the per-client figures when
// the cells filled (quota.cells_dropped).
func (q *Agg) Dropped() int64 { return q.dropped }

// Cells returns how many (client, window) cells q holds in its list.
func (q *Agg) Cells() int { return len(q.cells) }

// WindowRequests returns the requests of window w of a series of windows
// win nanoseconds long: those of q's window w when q's windows are as
// long, else 0. Call it once q is settled or merged.
func (q *Agg) WindowRequests(win, w int64) int64 {
	if win != q.win {
		return 0
	}
	return q.windows[w].requests
}

// Consume reads a batch of events in time order (analysis.Ordered).
func (b *Behaviour) Consume(evs []analysis.Event) {
	for i := range evs {
		b.consume(&evs[i])
	}
}

// Dropped returns the 429s left out of the behaviour after 429s, their
// client past behaviourLimit.
func (b *Behaviour) Dropped() int64 { return b.dropped }

// OwnLimits returns how many clients have a limit of their own
// (Options.ClientLimits).
func (r *Report) OwnLimits() int { return r.ownLimits }

// OverallSeries returns the requests per minute, overall, for the
// terminal's sparkline; nil when the span is too long for one.
func (r *Report) OverallSeries() []int64 { return r.overallSeries }

// BusiestSeries returns the requests per minute of the busiest client
// (Busiest), as OverallSeries.
func (r *Report) BusiestSeries() []int64 { return r.busiestSeries }

// Busiest returns the name of the client with the most requests.
func (r *Report) Busiest() string { return r.busiest }

// CellLimit bounds the (client, window) cells per worker; merged, twice
// that.
const CellLimit = cellLimit
