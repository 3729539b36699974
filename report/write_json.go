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
	if r.only == "retry" {
		return enc.Encode(struct {
			Tool    string       `json:"tool"`
			Version string       `json:"version"`
			Input   Input        `json:"input"`
			Filter  FilterInfo   `json:"filter"`
			Time    TimeRange    `json:"time"`
			Retry   *RetryReport `json:"retry"`
		}{r.Tool, r.Version, r.Input, r.Filter, r.Time, r.Retry})
	}
	if r.only == "quota" {
		return enc.Encode(struct {
			Tool    string       `json:"tool"`
			Version string       `json:"version"`
			Input   Input        `json:"input"`
			Filter  FilterInfo   `json:"filter"`
			Time    TimeRange    `json:"time"`
			Quota   *QuotaReport `json:"quota"`
		}{r.Tool, r.Version, r.Input, r.Filter, r.Time, r.Quota})
	}
	return enc.Encode(r)
}
