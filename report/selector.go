package report

import (
	"analyze/classify"
	"analyze/ingest"
)

// Selector decides, as Summary.Add does, whether a record passes a filter
// (the time bounds and the drill-down match): for show, and for export's
// rows. One per goroutine.
type Selector struct {
	span    span
	match   *Match
	client  ClientSelector
	scratch []byte
}

// NewSelector returns a Selector for f, matching --client by client.
func NewSelector(f Filter, client ClientSelector) *Selector {
	s := &Selector{span: f.span(), client: client}
	if !f.Match.IsZero() {
		s.match = f.Match
	}
	return s
}

// Keep reports whether r passes the filter.
func (s *Selector) Keep(r *ingest.Record) bool {
	if !s.span.keep(r.Time.UnixNano()) {
		return false
	}
	if s.match == nil {
		return true
	}
	endpoint := dash
	if len(r.Method) > 0 {
		s.scratch = classify.Template(s.scratch[:0], r.Path)
		endpoint = s.scratch
	}
	return s.match.keep(s.client.Key(r), endpoint, r.Path, r.Method, r.Host, r.Status, classify.ClassOf(r.Status))
}
