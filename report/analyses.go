package report

import (
	"analyze/classify"
	"analyze/report/analysis"
)

// The analyses every Summary runs, in the order they see each batch. The
// built-in ones are fields of the Summary too (its snapshot and report
// know their layout); one registered with Register is reached through the
// seam only (package analysis).

// Register adds an analysis to every Summary made after it: name is its
// key in the JSON report (under "analyses") and in stored runs; newFn
// makes one worker's instance. It is meant for init functions and tests;
// a name registered twice replaces the first.
func Register(name string, newFn func(Config) analysis.Analysis) {
	for i := range registered {
		if registered[i].name == name {
			registered[i].new = newFn
			return
		}
	}
	registered = append(registered, registration{name, newFn})
}

// Unregister removes what Register added under name (for tests).
func Unregister(name string) {
	for i := range registered {
		if registered[i].name == name {
			registered = append(registered[:i:i], registered[i+1:]...)
			return
		}
	}
}

type registration struct {
	name string
	new  func(Config) analysis.Analysis
}

var registered []registration

// extra is a registered analysis in a Summary.
type extra struct {
	registration
	analysis.Analysis
}

// Add counts a batch's in-span rows in the timeline's windows.
func (a *timelineAgg) Add(rows []analysis.Row) {
	for i := range rows {
		if r := &rows[i]; r.InSpan {
			a.add(r.Time, r.Status, r.Verdict.Class, r.Latency)
		}
	}
}

// Merge adds o, a *timelineAgg, into a.
func (a *timelineAgg) Merge(o analysis.Analysis) { a.merge(o.(*timelineAgg)) }

// Add feeds the incidents' minutes with every row, in span or not: its
// request, and a failure's endpoint, client, host, path and user agent.
func (a *minuteAgg) Add(rows []analysis.Row) {
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

// Merge adds o, a *minuteAgg, into a.
func (a *minuteAgg) Merge(o analysis.Analysis) { a.merge(o.(*minuteAgg)) }

// tables are the bounded tables of the report: by method, endpoint,
// client and host, and the pairs behind endpoints' error paths and
// clients' user agents.
type tables struct {
	Methods   *Table
	Endpoints *Table
	Clients   *Table
	// Hosts counts by virtual host or Host header (a tenant's API host),
	// in lower case and without a port; records that log none are not in
	// it.
	Hosts *Table
	// ErrorPaths counts the error responses (4xx, 5xx) by endpoint and
	// raw path (without the query string, which may carry secrets);
	// Agents counts every request by client and user agent. Both are
	// tables of pairs (breakdown.go).
	ErrorPaths *Table
	Agents     *Table

	pairScratch []byte
}

func newTables() *tables {
	return &tables{Methods: NewTable(methodLimit), Endpoints: NewTable(endpointLimit), Clients: NewTable(clientLimit), Hosts: NewTable(hostLimit),
		ErrorPaths: newPairTable(), Agents: newPairTable()}
}

// Add counts a batch's in-span rows in the tables.
func (t *tables) Add(rows []analysis.Row) {
	for i := range rows {
		r := &rows[i]
		if !r.InSpan {
			continue
		}
		v := r.Verdict
		method := r.Method
		if len(method) == 0 {
			method = dash
		}
		t.Methods.Get(method).Requests++
		ep := t.Endpoints.Get(r.Endpoint)
		count(ep, v, r.Bytes)
		if r.Latency.Logged {
			if ep.Latency == nil {
				ep.Latency = analysis.NewSketch()
			}
			analysis.AddLatency(ep.Latency, r.Latency)
		}
		if v.Class == classify.ClientError || v.Class == classify.ServerError {
			t.pairScratch = pairKey(t.pairScratch[:0], r.Endpoint, r.Path)
			count(t.ErrorPaths.Get(t.pairScratch), v, r.Bytes)
		}
		count(t.Clients.GetHashed(r.Client, r.ClientID), v, r.Bytes)
		t.pairScratch = pairKey(t.pairScratch[:0], r.Client, r.UserAgent)
		count(t.Agents.Get(t.pairScratch), v, r.Bytes)
		if r.Host != nil {
			count(t.Hosts.Get(r.Host), v, r.Bytes)
		}
	}
}

// Merge adds o, a *tables, into t.
func (t *tables) Merge(o analysis.Analysis) {
	ot := o.(*tables)
	t.Methods.Merge(ot.Methods)
	t.Endpoints.Merge(ot.Endpoints)
	t.Clients.Merge(ot.Clients)
	t.Hosts.Merge(ot.Hosts)
	t.ErrorPaths.Merge(ot.ErrorPaths)
	t.Agents.Merge(ot.Agents)
}

// sectionsOf builds the registered analyses' sections; nil when none has
// one.
func sectionsOf(s *Summary, ctx *analysis.Context) map[string]any {
	var out map[string]any
	for _, x := range s.extras {
		if sec, ok := x.Analysis.(analysis.Sectioned); ok {
			if out == nil {
				out = map[string]any{}
			}
			out[x.name] = sec.Section(ctx)
		}
	}
	return out
}
