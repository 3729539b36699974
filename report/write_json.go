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
	return enc.Encode(r)
}
