package timeline

import "analyze/report/analysis"

// Add counts a batch's in-span rows in the timeline's windows.
func (a *Agg) Add(rows []analysis.Row) {
	for i := range rows {
		if r := &rows[i]; r.InSpan {
			a.add(r.Time, r.Status, r.Verdict.Class, r.Latency)
		}
	}
}

// Merge adds o, a *Agg, into a.
func (a *Agg) Merge(o analysis.Analysis) { a.merge(o.(*Agg)) }

// Add feeds the incidents' minutes with every row, in span or not: its
// request, and a failure's endpoint, client, host, path and user agent.
func (a *MinuteAgg) Add(rows []analysis.Row) {
	for i := range rows {
		r := &rows[i]
		if !(r.Status >= 500 && r.Status <= 599 || r.Status == 429) {
			a.add(r.Time, r.Status, nil)
			continue
		}
		f := failure{endpoint: r.Endpoint, client: r.ClientID, host: r.Host, agent: r.UserAgent}
		if len(r.Method) > 0 {
			f.path = r.Path
		}
		a.add(r.Time, r.Status, &f)
	}
}

// Merge adds o, a *MinuteAgg, into a.
func (a *MinuteAgg) Merge(o analysis.Analysis) { a.merge(o.(*MinuteAgg)) }
