package timeline

import "analyze/report/analysis"

// Add counts a batch's in-span rows in the timeline's windows.
func (a *Agg) Add(b *analysis.Batch) {
	for i := range b.Rows {
		if r := &b.Rows[i]; r.InSpan {
			a.add(r.Time, r.Status, r.Verdict.Class, r.Latency)
		}
	}
}

// Merge adds o, a *Agg, into a.
func (a *Agg) Merge(o analysis.Analysis) { a.merge(o.(*Agg)) }

// Add feeds the incidents' minutes with every row, in span or not: its
// request, and a failure's endpoint, client, host, path and user agent.
func (a *MinuteAgg) Add(b *analysis.Batch) {
	for i := range b.Rows {
		r := &b.Rows[i]
		if !(r.Status >= 500 && r.Status <= 599 || r.Status == 429) {
			a.add(r.Time, r.Status, nil)
			continue
		}
		f := failure{endpoint: b.Get(r.Endpoint), client: r.ClientID, host: b.Get(r.Host), agent: b.Get(r.UserAgent)}
		if len(b.Get(r.Method)) > 0 {
			f.path = b.Get(r.Path)
		}
		a.add(r.Time, r.Status, &f)
	}
}

// Merge adds o, a *MinuteAgg, into a.
func (a *MinuteAgg) Merge(o analysis.Analysis) { a.merge(o.(*MinuteAgg)) }
