package report

import (
	"analyze/report/analysis"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Thresholds for cron: --fail-on EXPR, repeatable, such as
// server_error_rate>1%, rate_limited>0, status:503>100, p99_ms>2000. Each is
// checked against the report; the report lists every one with its
// measured value, and a failed one makes the run exit 1.

// Threshold is one --fail-on expression, parsed.
type Threshold struct {
	Expr   string  `json:"expr"`
	Metric string  `json:"metric"`
	Op     string  `json:"op"`
	Limit  float64 `json:"limit"`
	// Measured is the metric's value (rates as fractions of 1), null when
	// the logs do not carry what it needs (p99_ms without durations).
	Measured *float64 `json:"measured"`
	Failed   bool     `json:"failed"`
	percent  bool
}

// metrics are the names --fail-on knows; rate metrics are fractions.
var metrics = map[string]struct {
	rate bool
	help string
	get  func(r *Report) (float64, bool)
}{
	"requests":          {false, "analysed records", func(r *Report) (float64, bool) { return float64(r.Input.Analyzed), true }},
	"server_error_rate": {true, "5xx share of analysed records", func(r *Report) (float64, bool) { return share(r.Classes.ServerError, r.Input.Analyzed), true }},
	"client_error_rate": {true, "4xx share", func(r *Report) (float64, bool) { return share(r.Classes.ClientError, r.Input.Analyzed), true }},
	"error_rate": {true, "4xx and 5xx share", func(r *Report) (float64, bool) {
		return share(r.Classes.ClientError+r.Classes.ServerError, r.Input.Analyzed), true
	}},
	"server_errors":     {false, "5xx responses", func(r *Report) (float64, bool) { return float64(r.Classes.ServerError), true }},
	"rate_limited":      {false, "429 responses", func(r *Report) (float64, bool) { return float64(quotaOf(r).RateLimited), true }},
	"rate_limited_rate": {true, "429 share", func(r *Report) (float64, bool) { return quotaOf(r).RateLimitedShare, true }},
	"rejected":          {false, "rejected lines", func(r *Report) (float64, bool) { return float64(r.Input.Rejected), true }},
	"rejected_rate": {true, "rejected share of the lines of recognised logs (unrecognized lines left out)", func(r *Report) (float64, bool) {
		return share(r.Input.Rejected, r.Input.Lines-r.Input.Unrecognized), true
	}},
	"unrecognized":           {false, "lines of files no format fits", func(r *Report) (float64, bool) { return float64(r.Input.Unrecognized), true }},
	"unrecognized_rate":      {true, "unrecognized share of lines", func(r *Report) (float64, bool) { return share(r.Input.Unrecognized, r.Input.Lines), true }},
	"unrecovered":            {false, "abandoned and exhausted retry chains", func(r *Report) (float64, bool) { return float64(retryOf(r).Unrecovered), true }},
	"unsafe_retries":         {false, "writes retried after a 5xx", func(r *Report) (float64, bool) { return float64(retryOf(r).UnsafeRetries), true }},
	"retry_after_violations": {false, "retries before Retry-After", func(r *Report) (float64, bool) { return float64(retryOf(r).RetryAfterViolations), true }},
	"windows_over_limit":     {false, "quota windows over --limit (0 without one)", func(r *Report) (float64, bool) { return float64(quotaOf(r).Overall.WindowsOverLimit), true }},
	"clients_over_limit":     {false, "listed clients with a window over their limit, --client-limit or --limit", func(r *Report) (float64, bool) { return float64(overLimit(r)), true }},
	"incidents":              {false, "incidents (5xx or 429 well above their baseline)", func(r *Report) (float64, bool) { return float64(len(r.Incidents)), true }},
	"ongoing_incidents":      {false, "incidents not over at the end of the input", func(r *Report) (float64, bool) { return float64(r.Ongoing()), true }},
	"p50_ms":                 {false, "median request duration", func(r *Report) (float64, bool) { return latency(r, 0) }},
	"p95_ms":                 {false, "95th percentile duration", func(r *Report) (float64, bool) { return latency(r, 1) }},
	"p99_ms":                 {false, "99th percentile duration", func(r *Report) (float64, bool) { return latency(r, 2) }},
}

func share(n, of int64) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

func quotaOf(r *Report) *QuotaReport {
	if r.Quota == nil {
		return &QuotaReport{}
	}
	return r.Quota
}

func retryOf(r *Report) *RetryReport {
	if r.Retry == nil {
		return &RetryReport{}
	}
	return r.Retry
}

// overLimit counts the clients the quota section lists (every client with
// a --client-limit among them) that had a window over their limit.
func overLimit(r *Report) int {
	n := 0
	for _, c := range quotaOf(r).Clients {
		if c.WindowsOverLimit > 0 {
			n++
		}
	}
	return n
}

func latency(r *Report, i int) (float64, bool) {
	if r.Latency == nil {
		return 0, false
	}
	return []float64{r.Latency.P50, r.Latency.P95, r.Latency.P99}[i], true
}

// ParseThreshold parses a --fail-on expression: METRIC OP VALUE, where OP
// is >, >=, <, <=, == or !=, VALUE a number (a rate may end in %), and
// METRIC one of the names above or status:NNN (responses with that status).
func ParseThreshold(expr string) (Threshold, error) {
	t := Threshold{Expr: expr}
	s := strings.ReplaceAll(expr, " ", "")
	i := strings.IndexAny(s, "<>=!")
	if i <= 0 {
		return t, fmt.Errorf("cannot read --fail-on %q: want METRIC OP VALUE, as in server_error_rate>1%%", expr)
	}
	t.Metric = s[:i]
	rest := s[i:]
	for _, op := range []string{">=", "<=", "==", "!=", ">", "<"} {
		if strings.HasPrefix(rest, op) {
			t.Op, rest = op, rest[len(op):]
			break
		}
	}
	if t.Op == "" {
		return t, fmt.Errorf("cannot read --fail-on %q: the operator must be >, >=, <, <=, == or !=", expr)
	}
	num, pct := strings.CutSuffix(rest, "%")
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || rest == "" {
		return t, fmt.Errorf("cannot read --fail-on %q: %q is not a number", expr, rest)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return t, fmt.Errorf("cannot read --fail-on %q: %q is out of range, want a finite number", expr, rest)
	}
	if v < 0 {
		// Every metric is a count, a rate or a time, never negative: such
		// a threshold would always fail one way and never the other.
		return t, fmt.Errorf("cannot read --fail-on %q: %q is negative; want a limit of 0 or more", expr, rest)
	}
	t.Limit, t.percent = v, pct
	if code, ok := strings.CutPrefix(t.Metric, "status:"); ok {
		if n, err := strconv.Atoi(code); err != nil || n < 100 || n > 599 || len(code) != 3 {
			return t, fmt.Errorf("cannot read --fail-on %q: %q is not a status code", expr, code)
		}
		if pct {
			return t, fmt.Errorf("cannot read --fail-on %q: status:NNN counts responses; a percentage does not apply", expr)
		}
		return t, nil
	}
	m, ok := metrics[t.Metric]
	if !ok {
		names := make([]string, 0, len(metrics))
		for n := range metrics {
			names = append(names, n)
		}
		sort.Strings(names)
		return t, fmt.Errorf("cannot read --fail-on %q: unknown metric %q (known: %s, status:NNN)", expr, t.Metric, strings.Join(names, ", "))
	}
	if pct && !m.rate {
		return t, fmt.Errorf("cannot read --fail-on %q: %s is a count, not a rate; drop the %%", expr, t.Metric)
	}
	if m.rate && !pct && v != 0 {
		// 1 would be a share of 1, a hundred percent: never what was meant
		// by server_error_rate>1, and never silently taken for it.
		return t, fmt.Errorf("cannot read --fail-on %q: %s is a rate, written with %%: %s%s%s%% for %s percent, or %s%s%s%% for a share of %s",
			expr, t.Metric, t.Metric, t.Op, num, num, t.Metric, t.Op, strconv.FormatFloat(v*100, 'f', -1, 64), num)
	}
	if pct && v > 100 {
		return t, fmt.Errorf("cannot read --fail-on %q: %s is at most 100%%; want a limit from 0%% to 100%%", expr, t.Metric)
	}
	if pct {
		t.Limit = v / 100
	}
	return t, nil
}

// Check measures each threshold on the report, sets Thresholds, and
// reports whether any failed.
func (r *Report) Check(ts []Threshold) bool {
	failed := false
	r.Thresholds = []Threshold{}
	for _, t := range ts {
		var v float64
		var ok bool
		if code, isStatus := strings.CutPrefix(t.Metric, "status:"); isStatus {
			n, _ := strconv.Atoi(code)
			ok = true
			for _, s := range r.Statuses {
				if s.Status == n {
					v = float64(s.Count)
				}
			}
		} else {
			v, ok = metrics[t.Metric].get(r)
		}
		if ok {
			t.Measured = &v
			switch t.Op {
			case ">":
				t.Failed = v > t.Limit
			case ">=":
				t.Failed = v >= t.Limit
			case "<":
				t.Failed = v < t.Limit
			case "<=":
				t.Failed = v <= t.Limit
			case "==":
				t.Failed = v == t.Limit
			case "!=":
				t.Failed = v != t.Limit
			}
		}
		failed = failed || t.Failed
		r.Thresholds = append(r.Thresholds, t)
	}
	return failed
}

// Format shows a threshold's value as its expression writes it.
func (t Threshold) Format(v float64) string {
	if t.percent {
		return strconv.FormatFloat(analysis.Round(v*100, 3), 'f', -1, 64) + "%"
	}
	return strconv.FormatFloat(analysis.Round(v, 3), 'f', -1, 64)
}
