package report

import (
	"strings"
	"testing"
)

func TestParseThreshold(t *testing.T) {
	for _, tc := range []struct {
		expr, metric, op string
		limit            float64
	}{
		{"server_error_rate>1%", "server_error_rate", ">", 0.01},
		{"rate_limited > 0", "rate_limited", ">", 0},
		{"rejected_rate>=0.1%", "rejected_rate", ">=", 0.001},
		{"status:503>100", "status:503", ">", 100},
		{"p99_ms>2000", "p99_ms", ">", 2000},
		{"requests<1", "requests", "<", 1},
		{"unrecovered!=0", "unrecovered", "!=", 0},
		{"rejected_rate>0", "rejected_rate", ">", 0}, // 0 is 0 in either spelling
	} {
		th, err := ParseThreshold(tc.expr)
		if err != nil || th.Metric != tc.metric || th.Op != tc.op || th.Limit != tc.limit {
			t.Errorf("ParseThreshold(%q) = %+v, %v", tc.expr, th, err)
		}
	}
	for expr, want := range map[string]string{
		"sever_error_rate>1%": "unknown metric",
		"rate_limited>1%":     "a count, not a rate",
		"status:5xx>1":        "not a status code",
		"status:503>1%":       "percentage does not apply",
		"rate_limited>lots":   "not a number",
		"rate_limited":        "want METRIC OP VALUE",
		"rate_limited=>1":     "operator",
		// A rate without % used to be a share: 1 meant 100 %.
		"server_error_rate>1": "server_error_rate>1% for 1 percent, or server_error_rate>100% for a share of 1",
		"rejected_rate>=0.5":  "rejected_rate>=0.5% for 0.5 percent, or rejected_rate>=50% for a share of 0.5",
	} {
		if _, err := ParseThreshold(expr); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseThreshold(%q) = %v, want an error with %q", expr, err, want)
		}
	}
}

func TestCheckThresholds(t *testing.T) {
	r := &Report{
		Input:    Input{Lines: 1000, Analyzed: 990, Rejected: 10},
		Classes:  Classes{Success: 900, ClientError: 60, ServerError: 30},
		Statuses: []StatusRow{{Status: 503, Count: 25}},
		Quota:    &QuotaReport{RateLimited: 40},
		Retry:    &RetryReport{Unrecovered: 3},
	}
	var ts []Threshold
	for _, e := range []string{"server_error_rate>3%", "server_error_rate>3.1%", "rate_limited>=40", "status:503>25", "status:404>0", "rejected_rate>=1%", "unrecovered<=3", "p99_ms>1"} {
		th, err := ParseThreshold(e)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, th)
	}
	if !r.Check(ts) {
		t.Fatal("no threshold failed")
	}
	var got []string
	for _, th := range r.Thresholds {
		m := "null"
		if th.Measured != nil {
			m = th.Format(*th.Measured)
		}
		res := "pass"
		if th.Failed {
			res = "FAIL"
		}
		got = append(got, th.Expr+"="+m+":"+res)
	}
	want := "server_error_rate>3%=3.03%:FAIL server_error_rate>3.1%=3.03%:pass rate_limited>=40=40:FAIL status:503>25=25:pass status:404>0=0:pass rejected_rate>=1%=1%:FAIL unrecovered<=3=3:FAIL p99_ms>1=null:pass"
	if strings.Join(got, " ") != want {
		t.Errorf("\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

// TestEveryMetric measures each metric --fail-on knows on one report; a
// metric added without a case here fails the test.
func TestEveryMetric(t *testing.T) {
	r := &Report{
		Input:    Input{Lines: 1200, Analyzed: 990, Rejected: 10, Unrecognized: 200},
		Classes:  Classes{Success: 900, ClientError: 60, ServerError: 30},
		Statuses: []StatusRow{{Status: 503, Count: 25}, {Status: 429, Count: 40}, {Status: 404, Count: 20}},
		Latency:  &Latency{Count: 990, P50: 12.5, P95: 180, P99: 2400},
		Quota: &QuotaReport{RateLimited: 40, RateLimitedShare: 0.0404, Overall: QuotaWindows{WindowsOverLimit: 6},
			Clients: []QuotaClient{{Client: "a", WindowsOverLimit: 5}, {Client: "b"}, {Client: "c", WindowsOverLimit: 1}}},
		Retry: &RetryReport{Unrecovered: 3, UnsafeRetries: 2, RetryAfterViolations: 7},
		Incidents: []Incident{{Kind: "server_error", Recovered: true}, {Kind: "rate_limited"}, {Kind: "server_error"},
			{Kind: "server_error", Recovered: true}},
	}
	want := map[string]string{
		"incidents": "4", "ongoing_incidents": "2", "windows_over_limit": "6", "clients_over_limit": "2",
		"requests": "990", "server_error_rate": "3.03%", "client_error_rate": "6.061%", "error_rate": "9.091%",
		"server_errors": "30", "rate_limited": "40", "rate_limited_rate": "4.04%", "rejected": "10",
		"rejected_rate": "1%", "unrecognized": "200", "unrecognized_rate": "16.667%", "unrecovered": "3", "unsafe_retries": "2", "retry_after_violations": "7",
		"p50_ms": "12.5", "p95_ms": "180", "p99_ms": "2400", "status:503": "25", "status:404": "20",
	}
	for name := range metrics {
		if _, ok := want[name]; !ok {
			t.Errorf("metric %q has no case in TestEveryMetric", name)
		}
	}
	for name, w := range want {
		expr := name + ">0"
		if strings.HasSuffix(w, "%") {
			expr += "%"
		}
		th, err := ParseThreshold(expr)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		r.Check([]Threshold{th})
		got := r.Thresholds[0]
		if got.Measured == nil || got.Format(*got.Measured) != w || !got.Failed {
			m := "null"
			if got.Measured != nil {
				m = got.Format(*got.Measured)
			}
			t.Errorf("%s: measured %s (failed %v), want %s and a failure", expr, m, got.Failed, w)
		}
	}
}
