// Package tables is the analysis of the report's bounded tables: requests
// by method, endpoint, client and host, with their classes, 429s, bytes
// and latency, and the pairs behind an endpoint's error paths and a
// client's user agents.
package tables

import (
	"analyze/classify"
	"analyze/report/analysis"
)

// Limits of the bounded tables, per worker and after merging.
const (
	EndpointLimit = 20000
	ClientLimit   = 20000
	HostLimit     = 20000
	MethodLimit   = 64
)

var dash = []byte("-")

// Tables are the bounded tables of the report: by method, endpoint,
// client and host, and the pairs behind endpoints' error paths and
// clients' user agents.
type Tables struct {
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
	// tables of pairs (pairs.go).
	ErrorPaths *Table
	Agents     *Table

	pairScratch []byte
}

// New returns empty tables.
func New() *Tables {
	return &Tables{Methods: NewTable(MethodLimit), Endpoints: NewTable(EndpointLimit), Clients: NewTable(ClientLimit), Hosts: NewTable(HostLimit),
		ErrorPaths: NewPairTable(), Agents: NewPairTable()}
}

// Add counts a batch's in-span rows in the tables.
func (t *Tables) Add(b *analysis.Batch) {
	for i := range b.Rows {
		r := &b.Rows[i]
		if !r.InSpan {
			continue
		}
		v := r.Verdict
		method := b.Get(r.Method)
		if len(method) == 0 {
			method = dash
		}
		t.Methods.Get(method).Requests++
		endpoint, client := b.Get(r.Endpoint), b.Get(r.Client)
		ep := t.Endpoints.Get(endpoint)
		Count(ep, v, r.Bytes)
		if r.Latency.Logged {
			if ep.Latency == nil {
				ep.Latency = analysis.NewSketch()
			}
			analysis.AddLatency(ep.Latency, r.Latency)
		}
		if v.Class == classify.ClientError || v.Class == classify.ServerError {
			t.pairScratch = pairKey(t.pairScratch[:0], endpoint, b.Get(r.Path))
			Count(t.ErrorPaths.Get(t.pairScratch), v, r.Bytes)
		}
		Count(t.Clients.GetHashed(client, r.ClientID), v, r.Bytes)
		t.pairScratch = pairKey(t.pairScratch[:0], client, b.Get(r.UserAgent))
		Count(t.Agents.Get(t.pairScratch), v, r.Bytes)
		if r.Host.Logged() {
			Count(t.Hosts.Get(b.Get(r.Host)), v, r.Bytes)
		}
	}
}

// Merge adds o, a *Tables, into t.
func (t *Tables) Merge(o analysis.Analysis) {
	ot := o.(*Tables)
	t.Methods.Merge(ot.Methods)
	t.Endpoints.Merge(ot.Endpoints)
	t.Clients.Merge(ot.Clients)
	t.Hosts.Merge(ot.Hosts)
	t.ErrorPaths.Merge(ot.ErrorPaths)
	t.Agents.Merge(ot.Agents)
}

// Count counts a request of verdict v whose response was size bytes (-1
// when not logged).
func Count(c *Counts, v classify.Verdict, size int64) {
	c.Requests++
	c.Class[v.Class]++
	if v.Status == 429 {
		c.RateLimited++
	}
	if size >= 0 {
		c.Bytes = addBytes(c.Bytes, size)
		c.Sized++
	}
}

// ClientNames maps the clients table's hashes (Row.ClientID) back to their
// keys: the per-client figures of other analyses are kept by hash.
func (t *Tables) ClientNames() map[uint64]string {
	c := t.Clients
	names := make(map[uint64]string, len(c.slots))
	for i := range c.slots {
		sl := &c.slots[i]
		names[sl.hash] = string(c.key(sl)) // the table's hash is the row's ClientID
	}
	return names
}
