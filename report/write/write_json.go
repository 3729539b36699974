package write

import (
	"encoding/json"
	"io"

	"analyze/report"
)

// controlEscaper passes JSON text on with DEL and the C1 controls (UTF-8
// C2 80 to C2 9F) written as \u007f and \u0080 to \u009f: valid JSON
// holds them only inside strings, where the escape means the same
// character. A C2 at the end of a write waits for the next byte (flush).
type controlEscaper struct {
	w       io.Writer
	pending bool // a C2 byte not yet written
	buf     []byte
}

func (c *controlEscaper) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b, i := c.buf[:0], 0
	if c.pending {
		c.pending = false
		if p[0] >= 0x80 && p[0] <= 0x9f {
			b, i = appendU00(b, p[0]), 1
		} else {
			b = append(b, 0xC2)
		}
	}
	for ; i < len(p); i++ {
		switch x := p[i]; {
		case x == 0x7f:
			b = appendU00(b, x)
		case x == 0xC2 && i+1 == len(p):
			c.pending = true
		case x == 0xC2 && p[i+1] >= 0x80 && p[i+1] <= 0x9f:
			b = appendU00(b, p[i+1])
			i++
		default:
			b = append(b, x)
		}
	}
	c.buf = b
	if _, err := c.w.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}

// flush writes a C2 byte still waiting.
func (c *controlEscaper) flush() error {
	if !c.pending {
		return nil
	}
	c.pending = false
	_, err := c.w.Write([]byte{0xC2})
	return err
}

// appendU00 appends the JSON escape of the character U+00XX.
func appendU00(b []byte, x byte) []byte {
	const hex = "0123456789abcdef"
	return append(b, '\\', 'u', '0', '0', hex[x>>4], hex[x&15])
}

// WriteJSON writes the report as one indented JSON object. The keys are the
// contract documented in docs/json.md; maps are written with sorted keys, so
// the same input always gives the same bytes.
//
// encoding/json escapes the C0 controls but writes DEL and the C1 controls
// (U+0080-U+009F; U+009B is a terminal's CSI) as they are: controlEscaper
// writes those as \u escapes too, so the bytes carry no control character
// and decode to the same strings.
func WriteJSON(w io.Writer, r *report.Report) error {
	cw := &controlEscaper{w: w}
	if err := writeJSON(cw, r); err != nil {
		return err
	}
	return cw.flush()
}

func writeJSON(w io.Writer, r *report.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if r.Only() == "" {
		return enc.Encode(r)
	}
	// analyze quota, retries and timeline: the accounting and their
	// section (the timeline's with the incidents).
	part := struct {
		Tool       string              `json:"tool"`
		Version    string              `json:"version"`
		Input      report.Input        `json:"input"`
		Filter     report.FilterInfo   `json:"filter"`
		Time       report.TimeRange    `json:"time"`
		Thresholds []report.Threshold  `json:"thresholds,omitempty"`
		Quota      *report.QuotaReport `json:"quota,omitempty"`
		Retry      *report.RetryReport `json:"retry,omitempty"`
		Incidents  []report.Incident   `json:"incidents,omitzero"`
		Timeline   *report.Timeline    `json:"timeline,omitempty"`
	}{Tool: r.Tool, Version: r.Version, Input: r.Input, Filter: r.Filter, Time: r.Time, Thresholds: r.Thresholds}
	switch r.Only() {
	case "quota":
		part.Quota = r.Quota
	case "retry":
		part.Retry = r.Retry
	case "timeline":
		part.Incidents, part.Timeline = r.Incidents, r.Timeline
	}
	return enc.Encode(part)
}
