package write

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/olekukonko/tablewriter/renderer"

	"analyze/report"
)

// WriteCodes writes the catalogue in the named format: text (fitted to
// width cells, 0 for no limit), markdown or json.
func WriteCodes(w io.Writer, format string, width int) error {
	rows := report.Codes()
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	s := section{
		header: []string{"status", "title", "class", "diagnosis", "retry", "retry POST/PATCH", "API doc", "what to do"},
		align:  []bool{true, false, false, false, false, false, false, false},
		drop:   []string{"API doc", "retry POST/PATCH", "class"},
	}
	for _, r := range rows {
		doc := "no"
		if r.Documented {
			doc = "yes"
		}
		s.rows = append(s.rows, []string{fmt.Sprintf("%03d", r.Status), r.Title, r.Class, r.Diagnosis, r.Retry, r.RetryUnsafe, doc, r.Action})
	}
	ew := &errWriter{w: w}
	if format == "markdown" {
		fmt.Fprintf(ew, "# Status catalogue\n\n")
		if err := renderTable(ew, s, renderer.NewMarkdown()); err != nil {
			return err
		}
		fmt.Fprintf(ew, "\n## Meanings\n\n")
		for _, r := range rows {
			fmt.Fprintf(ew, "- **%s %s** (`%s`): %s Likely cause: %s\n", strconv.Itoa(r.Status), r.Title, r.Diagnosis, r.Meaning, r.Cause)
		}
		return ew.err
	}
	if err := writeFitted(ew, s, width); err != nil {
		return err
	}
	fmt.Fprintln(ew, wrapText("Retry policies: no (fix the request), after_wait (honour Retry-After), backoff (exponential backoff), "+
		"unsafe (a write may have happened: retry only with an idempotency key), after_fix (fix the cause, then retry once).", width, "", ""))
	fmt.Fprintln(ew, wrapText("Unlisted codes get their class's generic diagnosis. `analyze codes -o json` adds meaning and likely cause.", width, "", ""))
	return ew.err
}
