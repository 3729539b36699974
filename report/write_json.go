package report

import (
	"encoding/json"
	"io"
)

// WriteJSON writes the report as one indented JSON object. The keys are the
// contract documented in README.md; maps are written with sorted keys, so
// the same input always gives the same bytes.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if r.only == "" {
		return enc.Encode(r)
	}
	// analyze quota, retries and timeline: the accounting and their
	// section (the timeline's with the incidents).
	part := struct {
		Tool       string       `json:"tool"`
		Version    string       `json:"version"`
		Input      Input        `json:"input"`
		Filter     FilterInfo   `json:"filter"`
		Time       TimeRange    `json:"time"`
		Thresholds []Threshold  `json:"thresholds,omitempty"`
		Quota      *QuotaReport `json:"quota,omitempty"`
		Retry      *RetryReport `json:"retry,omitempty"`
		Incidents  []Incident   `json:"incidents,omitzero"`
		Timeline   *Timeline    `json:"timeline,omitempty"`
	}{Tool: r.Tool, Version: r.Version, Input: r.Input, Filter: r.Filter, Time: r.Time, Thresholds: r.Thresholds}
	switch r.only {
	case "quota":
		part.Quota = r.Quota
	case "retry":
		part.Retry = r.Retry
	case "timeline":
		part.Incidents, part.Timeline = r.Incidents, r.Timeline
	}
	return enc.Encode(part)
}
