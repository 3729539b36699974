package write

import (
	"fmt"
	"strconv"

	"analyze/report"
)

// retrySections lays out the retry section for the text and Markdown
// writers; the unrecovered list shows its first `list` rows (all when
// list < 0).
func retrySections(q *report.RetryReport, e escaper, list int) []section {
	if q == nil {
		return nil
	}
	esc := e.cell
	secs := func(p *float64) string { // three significant digits: the sketch's 1 % shows no more
		if p == nil {
			return "-"
		}
		digits := 2
		switch v := *p; {
		case v >= 100:
			digits = 0
		case v >= 10:
			digits = 1
		case v < 1:
			digits = 3
		}
		return strconv.FormatFloat(*p, 'f', digits, 64) + " s"
	}
	head := section{
		title:  fmt.Sprintf("Retries: failures worth retrying (retry window %s)", windowName(q.WindowSeconds)),
		header: []string{"figure", "value"},
		align:  []bool{false, true},
		rows: [][]string{
			{"retryable failures (chains)", Thousands(q.RetryableFailures)},
			{"recovered / exhausted / abandoned", fmt.Sprintf("%s / %s / %s", Thousands(q.Recovered), Thousands(q.Exhausted), Thousands(q.Abandoned))},
			{"attempts (mean, max per chain)", fmt.Sprintf("%s (%.2f, %d)", Thousands(q.Attempts), q.MeanAttempts, q.MaxAttempts)},
			{"time to recovery p50 / p95", secs(q.RecoveryP50) + " / " + secs(q.RecoveryP95)},
			{"unsafe retries (writes after 5xx)", Thousands(q.UnsafeRetries)},
			{"Retry-After violations", Thousands(q.RetryAfterViolations)},
			{"non-retryable repeats", Thousands(q.NonRetryableRepeats)},
			{"unrecovered", Thousands(q.Unrecovered)},
		},
	}
	head.notes = append(head.notes, "A chain opens at a retryable failure (429, 503, 5xx...) and collects the same client's same request within the window; see docs/retries.md.")

	rows := section{
		title:  "Retryable failures by status and endpoint",
		header: []string{"status", "endpoint", "chains", "recovered", "exhausted", "abandoned", "attempts", "recovery p50", "unsafe"},
		align:  []bool{true, false, true, true, true, true, true, true, true},
		drop:   []string{"abandoned", "unsafe", "recovery p50", "exhausted"},
	}
	for _, r := range q.ByStatus {
		rows.rows = append(rows.rows, []string{fmt.Sprintf("%03d", r.Status), esc(r.Endpoint), Thousands(r.RetryableFailures),
			Thousands(r.Recovered), Thousands(r.Exhausted), Thousands(r.Abandoned), fmt.Sprintf("%.2f (max %d)", r.MeanAttempts, r.MaxAttempts),
			secs(r.RecoveryP50), Thousands(r.UnsafeRetries)})
	}

	clients := section{
		title:  "Retry behaviour by client",
		header: []string{"client", "chains", "recovered", "attempts", "too early", "repeats", "unsafe", "diagnosis"},
		align:  []bool{false, true, true, true, true, true, true, false},
		drop:   []string{"repeats", "too early", "unsafe"},
	}
	for _, c := range q.Clients {
		clients.rows = append(clients.rows, []string{esc(c.Client), Thousands(c.Failures), Percent(c.Recovered, c.Failures),
			Thousands(c.Attempts), Thousands(c.RetryAfterViolations), Thousands(c.NonRetryableRepeats), Thousands(c.UnsafeRetries), c.Diagnosis})
	}

	storms := section{
		title:  fmt.Sprintf("Retry storms (attempts above %.0f%% of a window's traffic)", q.StormShare*100),
		header: []string{"start", "end", "requests", "attempts", "share", "clients"},
		align:  []bool{false, false, true, true, true, false},
		drop:   []string{"share", "requests"},
	}
	for _, s := range q.Storms {
		cl := ""
		for i, c := range s.Clients {
			if i > 0 {
				cl += ", "
			}
			cl += esc(c)
		}
		storms.rows = append(storms.rows, []string{s.Start, s.End, Thousands(s.Requests), Thousands(s.Attempts), Percent(s.Attempts, s.Requests), cl})
	}

	if n := int64(len(q.Storms)); q.StormsTotal > n {
		storms.notes = append(storms.notes, fmt.Sprintf("%s storms in all; the %s with the most attempts are listed, in time order.", Thousands(q.StormsTotal), Thousands(n)))
	}

	un := section{
		title:  "Unrecovered failures (oldest first)",
		header: []string{"time", "client", "method", "path", "status", "outcome", "attempts", "what to do"},
		align:  []bool{false, false, false, false, true, false, true, false},
		drop:   []string{"attempts", "outcome"},
	}
	listed := q.UnrecoveredRows(list)
	n := len(listed)
	for _, u := range listed {
		un.rows = append(un.rows, []string{u.Time, esc(u.Client), esc(u.Method), esc(u.Path), fmt.Sprintf("%03d", u.Status), u.Outcome, Thousands(u.Attempts), u.Action})
	}
	if int64(n) < q.Unrecovered {
		un.notes = append(un.notes, fmt.Sprintf("%s more: analyze retries --unrecovered lists them all, -o csv as CSV for a replay job.", Thousands(q.Unrecovered-int64(n))))
	}
	return []section{head, rows, clients, storms, un}
}
