package write

import (
	"encoding/csv"
	"io"
	"strconv"

	"analyze/report"
)

// WriteUnrecoveredCSV writes the unrecovered list as CSV with a header
// row, RFC 4180 quoting, control characters escaped and cells a
// spreadsheet would run as a formula neutralised (see csvText).
func WriteUnrecoveredCSV(w io.Writer, r *report.Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"time", "client", "method", "path", "status", "outcome", "attempts", "last_attempt", "unsafe", "action", "file", "line"})
	if r.Retry != nil {
		for _, u := range r.Retry.UnrecoveredAll() {
			cw.Write([]string{u.Time, csvText(u.Client), csvText(u.Method), csvText(u.Path), strconv.Itoa(u.Status), u.Outcome,
				strconv.FormatInt(u.Attempts, 10), u.LastAttempt, strconv.FormatBool(u.Unsafe), u.Action, csvText(u.File), strconv.FormatInt(u.Line, 10)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvText makes a log-derived string safe in a CSV cell: control and
// format characters shown as Term shows them (\x1B: the CSV is read on
// terminals and in editors too), then report.CSVSafe.
func csvText(s string) string { return report.CSVSafe(report.Term(s)) }

// WriteTimelineCSV writes the timeline as CSV, one row per window: its
// start, the requests by class, 429s, the top statuses ("503:12 429:4")
// and the latency percentiles (empty when none is logged).
func WriteTimelineCSV(w io.Writer, r *report.Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"start", "window_seconds", "requests", "success", "redirect", "client_error", "server_error", "other",
		"rate_limited", "top_statuses", "p50_ms", "p95_ms", "p99_ms"})
	if t := r.Timeline; t != nil {
		opt := func(v *float64) string {
			if v == nil {
				return ""
			}
			return strconv.FormatFloat(*v, 'f', -1, 64)
		}
		for _, win := range t.Windows {
			var top []byte
			for i, s := range win.TopStatuses {
				if i > 0 {
					top = append(top, ' ')
				}
				top = strconv.AppendInt(append(strconv.AppendInt(top, int64(s.Status), 10), ':'), s.Count, 10)
			}
			i := func(n int64) string { return strconv.FormatInt(n, 10) }
			cw.Write([]string{win.Start, strconv.FormatFloat(t.WindowSeconds, 'f', -1, 64), i(win.Requests), i(win.Success), i(win.Redirect),
				i(win.ClientError), i(win.ServerError), i(win.Other), i(win.RateLimited), string(top), opt(win.P50), opt(win.P95), opt(win.P99)})
		}
	}
	cw.Flush()
	return cw.Error()
}
