package report

import (
	"encoding/csv"
	"io"
	"strconv"
)

// WriteUnrecoveredCSV writes the unrecovered list as CSV with a header
// row, RFC 4180 quoting, and cells a spreadsheet would run as a formula
// neutralised (see CSVSafe).
func WriteUnrecoveredCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"time", "client", "method", "path", "status", "outcome", "attempts", "last_attempt", "unsafe", "action", "file", "line"})
	if r.Retry != nil {
		for _, u := range r.Retry.unrecoveredAll {
			cw.Write([]string{u.Time, CSVSafe(u.Client), CSVSafe(u.Method), CSVSafe(u.Path), strconv.Itoa(u.Status), u.Outcome,
				strconv.FormatInt(u.Attempts, 10), u.LastAttempt, strconv.FormatBool(u.Unsafe), u.Action, CSVSafe(u.File), strconv.FormatInt(u.Line, 10)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// CSVSafe neutralises a cell that a spreadsheet would execute: one that
// starts with '=', '+', '-', '@', a tab or a carriage return gets a leading
// apostrophe (the OWASP rule). A lone "-" (a field not logged) stays.
func CSVSafe(s string) string {
	if len(s) > 1 || s != "-" && len(s) == 1 {
		switch s[0] {
		case '=', '+', '-', '@', '\t', '\r':
			return "'" + s
		}
	}
	return s
}
