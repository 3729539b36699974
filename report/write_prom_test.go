package report

import (
	"strings"
	"testing"
	"unicode/utf8"
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
	r := &Report{Version: "test", Clients: []ClientRow{{Client: "evil\"} 1\nanalyze_fake 2\\\xff", ErrorCounts: ErrorCounts{Requests: 3}}},
		Endpoints: []EndpointRow{{Endpoint: "/a\nb", Requests: 1}}}
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
