package write

import (
	"strings"
	"testing"
	"unicode/utf8"

	"analyze/report"
)

// TestPrometheusLabels writes clients and endpoints named with the bytes
// the exposition format escapes (backslash, double quote, line feed) and
// invalid UTF-8: every sample stays one well-formed line.
func TestPrometheusLabels(t *testing.T) {
	for in, want := range map[string]string{
		`plain`: `plain`, `a"b`: `a\"b`, `a\b`: `a\\b`, "a\nb": `a\nb`, "\xff": "\uFFFD", `\"` + "\n": `\\\"\n`,
	} {
		if got := promLabelValue(in); got != want {
			t.Errorf("promLabelValue(%q) = %q, want %q", in, got, want)
		}
	}
	r := &report.Report{Version: "test", Clients: []report.ClientRow{{Client: "evil\"} 1\nanalyze_fake 2\\\xff", ErrorCounts: report.ErrorCounts{Requests: 3}}},
		Endpoints: []report.EndpointRow{{Endpoint: "/a\nb", Requests: 1}}}
	var b strings.Builder
	if err := WritePrometheus(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !utf8.ValidString(out) || strings.Contains(out, "analyze_fake") && !strings.Contains(out, `\nanalyze_fake`) {
		t.Errorf("a label broke out of its line:\n%s", out)
	}
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(line, "# ") && !strings.HasPrefix(line, "analyze_") {
			t.Errorf("not a sample or comment line: %q", line)
		}
	}
	if want := `analyze_client_requests{client="evil\"} 1\nanalyze_fake 2\\` + "\uFFFD" + `"} 3`; !strings.Contains(out, want+"\n") {
		t.Errorf("no line %s in\n%s", want, out)
	}
}

// TestPrometheusClientLimits writes each listed client measured against a
// limit as a sample of its windows over it, and no family when no client
// has a limit.
func TestPrometheusClientLimits(t *testing.T) {
	own, global := int64(200), int64(300)
	r := &report.Report{Version: "test", Quota: &report.QuotaReport{LimitPerWindow: &global, Clients: []report.QuotaClient{
		{Client: "acme", LimitPerWindow: &own, WindowsOverLimit: 2}, {Client: "globex", LimitPerWindow: &global}}}}
	var b strings.Builder
	if err := WritePrometheus(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`analyze_quota_client_windows_over_limit{client="acme"} 2`, `analyze_quota_client_windows_over_limit{client="globex"} 0`} {
		if !strings.Contains(b.String(), want+"\n") {
			t.Errorf("no line %s in\n%s", want, b.String())
		}
	}
	if n := strings.Count(b.String(), "# TYPE analyze_quota_client_windows_over_limit gauge"); n != 1 {
		t.Errorf("the family is declared %d times", n)
	}
	r.Quota = &report.QuotaReport{Clients: []report.QuotaClient{{Client: "acme"}}}
	b.Reset()
	if err := WritePrometheus(&b, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "client_windows_over_limit") {
		t.Errorf("a family without a limit:\n%s", b.String())
	}
}

// TestPrometheusBytes writes the bytes of the top endpoints and clients
// that logged a size, and no sample for one that logged none.
func TestPrometheusBytes(t *testing.T) {
	n, m := int64(1234), int64(0)
	r := &report.Report{Version: "test", Endpoints: []report.EndpointRow{{Endpoint: "/a", Bytes: &n}, {Endpoint: "/unsized"}},
		Clients: []report.ClientRow{{Client: "acme", Bytes: &m}}}
	var b strings.Builder
	if err := WritePrometheus(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`analyze_endpoint_bytes{endpoint="/a"} 1234`, `analyze_client_bytes{client="acme"} 0`, "# TYPE analyze_endpoint_bytes gauge"} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("no line %s in\n%s", want, out)
		}
	}
	if strings.Contains(out, `analyze_endpoint_bytes{endpoint="/unsized"}`) {
		t.Errorf("a sample for an endpoint that logs no size:\n%s", out)
	}
}

// TestPrometheusTotals: the bursts and storms gauges are the totals, not
// the lengths of the lists the report keeps.
func TestPrometheusTotals(t *testing.T) {
	r := &report.Report{Version: "test",
		Quota: &report.QuotaReport{Bursts: []report.Burst{{}}, BurstsTotal: 7},
		Retry: &report.RetryReport{Storms: []report.Storm{{}}, StormsTotal: 9}}
	var b strings.Builder
	if err := WritePrometheus(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"analyze_quota_bursts 7\n", "analyze_retry_storms 9\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in:\n%s", want, b.String())
		}
	}
}
