package write

import (
	"fmt"
	"slices"
	"strconv"

	"analyze/report"
)

// quotaSections lays out the quota section for the text and Markdown
// writers.
func quotaSections(q *report.QuotaReport, e escaper, spark bool) []section {
	if q == nil {
		return nil
	}
	esc := e.cell
	limit := "none given (--limit)"
	if q.LimitPerWindow != nil {
		limit = strconv.FormatInt(*q.LimitPerWindow, 10) + " per window"
	}
	if q.OwnLimits() > 0 {
		limit += fmt.Sprintf("; %d client(s) with their own (--client-limit)", q.OwnLimits())
	}
	o := q.Overall
	head := section{
		title:  fmt.Sprintf("Quota: requests per %s window", windowName(q.WindowSeconds)),
		header: []string{"figure", "value"},
		align:  []bool{false, true},
	}
	peak := "-"
	if o.PeakStart != nil {
		peak = Thousands(o.Peak) + " at " + *o.PeakStart
	}
	head.rows = [][]string{
		{"client key", esc(q.ClientKey)},
		{"limit", limit},
		{"windows (first to last record)", Thousands(o.Windows)},
		{"peak", peak},
		{"p50 / p95 / p99", fmt.Sprintf("%s / %s / %s", Thousands(o.P50), Thousands(o.P95), Thousands(o.P99))},
		{"429 Too Many Requests", fmt.Sprintf("%s (%s of requests)", Thousands(q.RateLimited), Percent(q.RateLimited, o.Requests))},
	}
	if q.LimitPerWindow != nil {
		headroom := "-" // no records, no windows
		if o.Headroom != nil {
			headroom = strconv.FormatInt(*o.Headroom, 10)
		}
		head.rows = append(head.rows,
			[]string{"headroom (limit - p99)", headroom},
			[]string{"windows over the limit (longest run)", fmt.Sprintf("%s (%s)", Thousands(o.WindowsOverLimit), Thousands(o.LongestOverLimitRun))},
			[]string{"windows at ≥80% / ≥90% / ≥100% of it", fmt.Sprintf("%s / %s / %s", Thousands(o.WindowsAt80), Thousands(o.WindowsAt90), Thousands(o.WindowsAt100))},
		)
	}
	if spark && len(q.OverallSeries()) > 1 {
		head.notes = append(head.notes, "requests per minute, overall:  "+sparkline(q.OverallSeries(), 72))
		if len(q.BusiestSeries()) > 1 {
			head.notes = append(head.notes, fmt.Sprintf("busiest client (%s): %s", esc(q.Busiest()), sparkline(q.BusiestSeries(), 72)))
		}
	}
	if q.LateEvents > 0 {
		head.notes = append(head.notes, fmt.Sprintf("%s records came more than 10 minutes out of time order; the after-429 figures treat them in arrival order.", Thousands(q.LateEvents)))
	}
	if q.CellsDropped > 0 {
		head.notes = append(head.notes, fmt.Sprintf("Approximate per-client windows: %s requests fell past the per-client window bound.", Thousands(q.CellsDropped)))
	}

	clients := section{
		title:  "Quota by client (the hammering first)",
		header: []string{"client", "requests", "peak", "p99", "429", "over limit", "after 429", "too early", "compliance"},
		align:  []bool{false, true, true, true, true, true, true, true, true},
		drop:   []string{"p99", "after 429", "peak", "too early"},
	}
	if q.OwnLimits() > 0 { // the limit each client is measured against
		clients.header = slices.Insert(clients.header, 5, "limit")
		clients.align = slices.Insert(clients.align, 5, true)
	}
	for _, c := range q.Clients {
		comp := "-"
		if c.Compliance != nil {
			comp = strconv.FormatFloat(*c.Compliance*100, 'f', 1, 64) + "%"
		}
		row := []string{esc(c.Client), Thousands(c.Requests), Thousands(c.Peak), Thousands(c.P99),
			Thousands(c.RateLimited), Thousands(c.WindowsOverLimit), Thousands(c.After429Requests), Thousands(c.RetryAfterViolations), comp}
		if q.OwnLimits() > 0 {
			limit := "-"
			if c.LimitPerWindow != nil {
				limit = Thousands(*c.LimitPerWindow)
			}
			row = slices.Insert(row, 5, limit)
		}
		clients.rows = append(clients.rows, row)
	}
	clients.notes = append(clients.notes, fmt.Sprintf("after 429: requests that followed a 429; too early: of them, sent before its Retry-After (logged, else %gs).", q.RetryAfterDefault))
	for _, c := range q.Clients {
		if c.RateLimitHeader != nil || c.MinRemaining != nil {
			lim, rem := "-", "-"
			if c.RateLimitHeader != nil {
				lim = Thousands(*c.RateLimitHeader)
			}
			if c.MinRemaining != nil {
				rem = Thousands(*c.MinRemaining)
			}
			clients.notes = append(clients.notes, fmt.Sprintf("%s: logged rate-limit headers say limit %s, lowest remaining %s.", esc(c.Client), lim, rem))
		}
	}

	bursts := section{
		title:  "429 bursts (consecutive windows with 429s)",
		header: []string{"start", "end", "windows", "429", "requests", "rate before", "clients"},
		align:  []bool{false, false, true, true, true, true, false},
		drop:   []string{"rate before", "requests", "windows"},
	}
	for _, b := range q.Bursts {
		cl := ""
		for i, c := range b.Clients {
			if i > 0 {
				cl += ", "
			}
			cl += esc(c)
		}
		bursts.rows = append(bursts.rows, []string{b.Start, b.End, Thousands(b.Windows), Thousands(b.RateLimited), Thousands(b.Requests), Thousands(b.RateBefore), cl})
	}
	if n := int64(len(q.Bursts)); q.BurstsTotal > n {
		bursts.notes = append(bursts.notes, fmt.Sprintf("%s bursts in all; the %s with the most 429s are listed, in time order.", Thousands(q.BurstsTotal), Thousands(n)))
	}
	return []section{head, clients, bursts}
}

func windowName(seconds float64) string {
	switch {
	case seconds >= 3600 && int64(seconds)%3600 == 0:
		return strconv.FormatInt(int64(seconds)/3600, 10) + "h"
	case seconds >= 60 && int64(seconds)%60 == 0:
		return strconv.FormatInt(int64(seconds)/60, 10) + "m"
	}
	return strconv.FormatFloat(seconds, 'f', -1, 64) + "s"
}

// sparkline draws values as a line of block characters, at most width
// wide (each character the maximum of the values it covers).
func sparkline(values []int64, width int) string {
	if len(values) == 0 {
		return ""
	}
	per := (len(values) + width - 1) / width
	var cols []int64
	var peak int64
	for i := 0; i < len(values); i += per {
		var m int64
		for _, v := range values[i:min(i+per, len(values))] {
			m = max(m, v)
		}
		cols = append(cols, m)
		peak = max(peak, m)
	}
	blocks := []rune(" ▁▂▃▄▅▆▇█")
	out := make([]rune, len(cols))
	for i, v := range cols {
		idx := 0
		if peak > 0 && v > 0 {
			idx = 1 + int(v*int64(len(blocks)-2)/peak)
		}
		out[i] = blocks[idx]
	}
	return string(out)
}
