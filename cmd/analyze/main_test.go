package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"analyze/export"
	"analyze/ingest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// binary is the analyze binary built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	// The text output fits $COLUMNS (a shell may export it): the goldens
	// are at the default width, whatever terminal runs the tests. (The
	// binary's stdout is a pipe here, never the terminal.)
	os.Unsetenv("COLUMNS")
	dir, err := os.MkdirTemp("", "analyze-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "analyze")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	build := exec.Command("go", "build", "-o", binary, ".")
	if out, err := build.CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// analyze runs the built binary from the repository root.
func analyze(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	r, err := runBinary(stdin, nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// runBinary runs the built binary from the repository root, with stdin
// and env added to the environment; it calls no testing.T method, so any
// goroutine may call it. The error is one of starting it.
func runBinary(stdin string, env []string, args ...string) (result, error) {
	cmd := exec.Command(binary, args...)
	cmd.Dir = "../.."
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		return result{}, err
	}
	return result{out.String(), errb.String(), code}, nil
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/analyze -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (review with: go test ./cmd/analyze -update && git diff)\n got:\n%s", name, got)
	}
}

func TestGoldenReports(t *testing.T) {
	for _, tc := range []struct{ output, file string }{
		{"text", "samples.txt"}, {"markdown", "samples.md"}, {"json", "samples.json"}, {"prometheus", "samples.prom"},
	} {
		t.Run(tc.output, func(t *testing.T) {
			r := analyze(t, "", "report", "-o", tc.output, "samples/")
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			golden(t, tc.file, r.stdout)
		})
	}
}

// TestGoldenQuota pins the quota report on the samples' bursts.
func TestGoldenQuota(t *testing.T) {
	for _, tc := range []struct{ output, file string }{{"text", "quota.txt"}, {"json", "quota.json"}} {
		r := analyze(t, "", "quota", "--limit", "40/1m", "-o", tc.output, "samples/")
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
		golden(t, tc.file, r.stdout)
	}
}

// TestGoldenRetries pins the retry report on the samples, whose clients
// retry well, hammer, and never retry.
func TestGoldenRetries(t *testing.T) {
	for _, tc := range []struct {
		args []string
		file string
	}{
		{[]string{"retries", "samples/"}, "retries.txt"},
		{[]string{"retries", "-o", "json", "--unrecovered", "samples/"}, "retries.json"},
		{[]string{"retries", "-o", "csv", "--unrecovered", "samples/"}, "unrecovered.csv"},
	} {
		r := analyze(t, "", tc.args...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("%v: exit %d, stderr %q", tc.args, r.code, r.stderr)
		}
		golden(t, tc.file, r.stdout)
	}
}

// TestGoldenTimeline pins analyze timeline's text and Markdown on the
// samples: the incidents, then the windows with their bars.
func TestGoldenTimeline(t *testing.T) {
	for _, tc := range []struct{ output, file string }{{"text", "timeline.txt"}, {"markdown", "timeline.md"}} {
		r := analyze(t, "", "timeline", "-o", tc.output, "samples/")
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("%s: exit %d, stderr %q", tc.output, r.code, r.stderr)
		}
		golden(t, tc.file, r.stdout)
	}
}

func TestGoldenCodes(t *testing.T) {
	r := analyze(t, "", "codes")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	golden(t, "codes.txt", r.stdout)
}

// TestJSONContract pins the JSON keys other teams' scripts read.
func TestJSONContract(t *testing.T) {
	r := analyze(t, "", "-o", "json", "samples/") // no subcommand means report
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"input.lines", "input.records", "input.rejected", "input.unrecognized", "input.blank", "input.rejected_reasons", "input.files",
		"time.first", "time.last",
		"classes.success", "classes.redirect", "classes.client_error", "classes.server_error", "classes.other",
		"statuses", "methods", "endpoints",
		"quota.client_key", "quota.window_seconds", "quota.limit_per_window", "quota.overall.peak", "quota.overall.peak_start",
		"quota.overall.p50", "quota.overall.p95", "quota.overall.p99", "quota.overall.windows", "quota.overall.windows_over_limit",
		"quota.overall.longest_over_limit_run", "quota.rate_limited", "quota.bursts", "quota.bursts_total", "quota.clients",
		"retry.window_seconds", "retry.retryable_failures", "retry.recovered", "retry.exhausted", "retry.abandoned",
		"retry.attempts", "retry.unsafe_retries", "retry.retry_after_violations", "retry.non_retryable_repeats",
		"retry.by_status", "retry.clients", "retry.storms", "retry.storms_total", "retry.unrecovered",
		"incidents", "timeline.window_seconds", "timeline.windows", "timeline.failures_dropped",
		"timeline.detection_seconds", "timeline.gaps", "timeline.gaps_total",
		"bounds.endpoints_folded", "bounds.clients_folded", "bounds.methods_folded", "bounds.quota_cells_dropped",
		"bounds.error_paths_folded", "bounds.user_agents_folded",
		"bounds.timeline_failures_dropped", "bounds.timeline_details_folded", "bounds.retry_chains_untracked", "bounds.retry_repeats_untracked",
		"bounds.retry_clients_dropped", "bounds.after_429_clients_dropped",
		"bounds.quota_bursts_unlisted", "bounds.retry_storms_unlisted", "bounds.retry_unrecovered_dropped",
	} {
		if _, ok := lookup(doc, path); !ok {
			t.Errorf("JSON report lacks %s", path)
		}
	}
	files, _ := lookup(doc, "input.files")
	for _, f := range files.([]any) {
		for _, k := range []string{"path", "format", "compression", "lines", "records", "rejected", "unrecognized", "complete"} {
			if _, ok := f.(map[string]any)[k]; !ok {
				t.Errorf("input.files[] lacks %s", k)
			}
		}
	}
	endpoints, _ := lookup(doc, "endpoints")
	for _, e := range endpoints.([]any) {
		for _, k := range []string{"endpoint", "requests", "success", "client_error", "server_error", "rate_limited", "p50_ms", "p95_ms", "p99_ms",
			"bytes", "top_error_paths"} {
			if _, ok := e.(map[string]any)[k]; !ok {
				t.Errorf("endpoints[] lacks %s", k)
			}
		}
	}
	// Who and what behind the top endpoints and clients: lists of pairs,
	// bytes a number (the samples log sizes).
	for _, list := range []struct{ rows, sub, key string }{{"endpoints", "top_error_paths", "path"}, {"clients", "user_agents", "user_agent"}} {
		rows, _ := lookup(doc, list.rows)
		if len(rows.([]any)) == 0 {
			t.Fatalf("%s is empty", list.rows)
		}
		listed := 0
		for _, row := range rows.([]any) {
			m := row.(map[string]any)
			if _, ok := m["bytes"].(float64); !ok {
				t.Errorf("%s[].bytes is %v, want a number", list.rows, m["bytes"])
			}
			sub, ok := m[list.sub].([]any)
			if !ok || len(sub) > 5 {
				t.Errorf("%s[].%s is %v, want a list of at most 5", list.rows, list.sub, m[list.sub])
			}
			listed += len(sub)
			for _, e := range sub {
				for _, k := range []string{list.key, "count", "client_error", "server_error", "rate_limited"} {
					if _, ok := e.(map[string]any)[k]; !ok {
						t.Errorf("%s[].%s[] lacks %s", list.rows, list.sub, k)
					}
				}
			}
		}
		if listed == 0 {
			t.Errorf("no %s[].%s listed on the samples", list.rows, list.sub)
		}
	}
	// The report reads a combined line's user agent.
	var one struct {
		Clients []struct {
			UserAgents []struct {
				UserAgent string `json:"user_agent"`
			} `json:"user_agents"`
		} `json:"clients"`
	}
	ua := analyze(t, line, "-o", "json", "-")
	if err := json.Unmarshal([]byte(ua.stdout), &one); err != nil || len(one.Clients) != 1 || len(one.Clients[0].UserAgents) != 1 ||
		one.Clients[0].UserAgents[0].UserAgent != "x" {
		t.Errorf("the combined line's user agent \"x\" is not in clients[].user_agents (%v):\n%s", err, ua.stdout)
	}
	topClients, _ := lookup(doc, "clients")
	for _, c := range topClients.([]any) {
		for _, k := range []string{"client", "requests", "client_error", "server_error", "rate_limited", "bytes", "user_agents"} {
			if _, ok := c.(map[string]any)[k]; !ok {
				t.Errorf("clients[] lacks %s", k)
			}
		}
	}
	statuses, _ := lookup(doc, "statuses")
	prev := -1.0
	for _, s := range statuses.([]any) {
		row := s.(map[string]any)
		for _, k := range []string{"status", "count", "class", "diagnosis", "title", "retry"} {
			if _, ok := row[k]; !ok {
				t.Errorf("statuses[] lacks %s", k)
			}
		}
		if row["status"].(float64) <= prev {
			t.Errorf("statuses not sorted by status")
		}
		prev = row["status"].(float64)
		if row["status"].(float64) == 429 && (row["diagnosis"] != "rate_limited" || row["retry"] != "after_wait") {
			t.Errorf("429 row: %v", row)
		}
	}
	clients, _ := lookup(doc, "quota.clients")
	if len(clients.([]any)) < 20 {
		t.Errorf("quota.clients lists %d clients, want at least 20", len(clients.([]any)))
	}
	for _, c := range clients.([]any) {
		for _, k := range []string{"client", "requests", "peak", "p99", "limit_per_window", "rate_limited", "windows_over_limit", "after_429_requests", "retry_after_violations"} {
			if _, ok := c.(map[string]any)[k]; !ok {
				t.Errorf("quota.clients[] lacks %s", k)
			}
		}
	}
	lines, _ := lookup(doc, "input.lines")
	records, _ := lookup(doc, "input.records")
	rejected, _ := lookup(doc, "input.rejected")
	unrecognized, _ := lookup(doc, "input.unrecognized")
	blank, _ := lookup(doc, "input.blank")
	if lines.(float64) != records.(float64)+rejected.(float64)+unrecognized.(float64)+blank.(float64) {
		t.Errorf("lines %v != records %v + rejected %v + unrecognized %v + blank %v", lines, records, rejected, unrecognized, blank)
	}
}

func lookup(doc map[string]any, path string) (any, bool) {
	var cur any = doc
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

const line = `10.0.0.1 - bob [12/Mar/2025:10:15:32 +0000] "GET /api/documents/12 HTTP/1.1" 200 10 "-" "x"`

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.log")
	os.WriteFile(good, []byte(line+"\n"), 0o644)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	for range 2000 {
		zw.Write([]byte(line + "\n"))
	}
	zw.Close()
	truncated := filepath.Join(dir, "cut.log.gz")
	os.WriteFile(truncated, gz.Bytes()[:gz.Len()/2], 0o644)
	missing := filepath.Join(dir, "missing.log")

	tests := []struct {
		name       string
		args       []string
		stdin      string
		code       int
		stderr     string // substring; "" means stderr must be empty
		stdoutHas  string
		stdoutNone bool
	}{
		{"ok", []string{"report", good}, "", 0, "", "1 record,", false},
		{"stdin", []string{"report", "-o", "json", "-"}, line + "\n", 0, "", `"records": 1`, false},
		{"flags after paths", []string{good, "-o", "json"}, "", 0, "", `"records": 1`, false},
		{"no args", nil, "", 2, "Run 'analyze --help' for usage.", "", true},
		{"no paths", []string{"report"}, "", 2, "no input", "", true},
		{"unknown flag", []string{"report", "--bogus", good}, "", 2, "unknown flag: --bogus", "", true},
		{"unknown output", []string{"report", "-o", "yaml", good}, "", 2, `unknown output "yaml"`, "", true},
		{"unknown format", []string{"report", "--format", "w3c-ish", good}, "", 2, `unknown format "w3c-ish"`, "", true},
		{"bad since", []string{"report", "--since", "yesterday", good}, "", 2, `cannot parse time "yesterday"`, "", true},
		{"only missing", []string{"report", missing}, "", 2, "cannot open " + missing + ": no such file or directory", "", true},
		{"missing and good", []string{"report", missing, good}, "", 3, "cannot open " + missing, "1 record,", false},
		{"truncated gzip", []string{"report", truncated, good}, "", 3, "cannot read " + truncated + ": gzip: unexpected EOF", "NO", false},
		{"glob matching nothing", []string{"report", filepath.Join(dir, "*.nope"), good}, "", 3, "no file matches", "", false},
		{"codes json", []string{"codes", "-o", "json"}, "", 0, "", `"diagnosis": "rate_limited"`, false},
		{"version", []string{"version"}, "", 0, "", "analyze ", false},
		{"quota limit", []string{"quota", "--limit", "600/1m", "--window", "10s", "-o", "json", good}, "", 0, "", `"limit_per_window": 100`, false},
		{"bad limit", []string{"quota", "--limit", "lots", good}, "", 2, "cannot read --limit", "", true},
		{"tiny limit", []string{"quota", "--limit", "1/1h", "--window", "1s", good}, "", 2, "less than one request", "", true},
		{"bad client key", []string{"quota", "--client-key", "ip", good}, "", 2, "cannot read --client-key", "", true},
		{"client limit", []string{"quota", "--client-limit", "nobody-here=120/1m", "-o", "json", good}, "", 0, "", `"limit_per_window": 120,`, false},
		{"bad client limit", []string{"quota", "--client-limit", "erp-sync", good}, "", 2, "want CLIENT=N/PERIOD", "", true},
		{"bad client limit's limit", []string{"quota", "--client-limit", "erp-sync=lots/1m", good}, "", 2, "--client-limit erp-sync: cannot read --limit", "", true},
		{"client limit twice", []string{"quota", "--client-limit", "a=1/s", "--client-limit", "a=2/s", good}, "", 2, "names a twice", "", true},
		{"client key and --client key", []string{"quota", "--client", "addr", "--client-key", "user", good}, "", 2, "--client-key gives it already", "", true},
		{"bad status filter", []string{"report", "--status", "5x", good}, "", 2, "--status", "", true},
		{"bad class filter", []string{"report", "--class", "errors", good}, "", 2, "--class", "", true},
		{"around with since", []string{"report", "--around", "2025-03-12T10:00:00Z", "--since", "1h", good}, "", 2, "--around", "", true},
		{"filters and state", []string{"report", "--state", filepath.Join(dir, "st.json"), "--status", "503", good}, "", 2, "--state stores whole runs", "", true},
		{"anonymize and state", []string{"report", "--state", filepath.Join(dir, "st.json"), "--anonymize", good}, "", 2, "--anonymize with --state: the pseudonyms would change every run", "", true},
		{"csv needs retries", []string{"report", "-o", "csv", good}, "", 2, "use it with analyze retries", "", true},
		{"bad storm share", []string{"retries", "--storm-share", "2", good}, "", 2, "--storm-share", "", true},
		{"retries csv header", []string{"retries", "-o", "csv", good}, "", 0, "", "time,client,method,path,status,outcome", false},
		{"threshold passes", []string{"report", "--fail-on", "server_error_rate>1%", good}, "", 0, "", "pass", false},
		{"threshold fails", []string{"report", "--fail-on", "requests>0", good}, "", 1, "threshold failed: requests>0", "FAIL", false},
		{"threshold not measured", []string{"report", "--fail-on", "p99_ms>500", good}, "", 0, "threshold not checked: p99_ms>500 (no input logs what it measures)", "not checked", false},
		{"threshold wins over incomplete", []string{"report", "--fail-on", "requests>0", missing, good}, "", 1, "cannot open", "FAIL", false},
		{"limit on an empty input", []string{"quota", "--limit", "10/1m", os.DevNull}, "", 0, "", "limit", false},
		{"threshold typo", []string{"report", "--fail-on", "reqests>0", good}, "", 2, `unknown metric "reqests"`, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := analyze(t, tc.stdin, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", r.code, tc.code, r.stderr)
			}
			if tc.stderr == "" && r.stderr != "" {
				t.Errorf("stderr %q, want empty", r.stderr)
			}
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr %q, want it to contain %q", r.stderr, tc.stderr)
			}
			if tc.stdoutNone && r.stdout != "" {
				t.Errorf("stdout %q, want empty", r.stdout)
			}
			if !strings.Contains(r.stdout, tc.stdoutHas) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdoutHas, r.stdout)
			}
		})
	}
}

func TestSinceUntil(t *testing.T) {
	var b strings.Builder
	for _, ts := range []string{"12/Mar/2025:08:00:00", "12/Mar/2025:09:30:00", "12/Mar/2025:10:00:00", "12/Mar/2025:10:15:32"} {
		b.WriteString(strings.Replace(line, "12/Mar/2025:10:15:32", ts, 1) + "\n")
	}
	for _, tc := range []struct {
		args               []string
		analyzed, filtered float64
	}{
		{[]string{"--since", "1h"}, 3, 1},                           // relative to the latest record, 10:15:32
		{[]string{"--since", "2025-03-12T09:30:00Z"}, 3, 1},         // inclusive
		{[]string{"--until", "2025-03-12T10:00:00Z"}, 2, 2},         // exclusive
		{[]string{"--since", "2025-03-12", "--until", "30m"}, 2, 2}, // date and relative mixed
		{[]string{"--since", "2025-03-13T00:00:00+01:00"}, 0, 4},    // all filtered out
	} {
		args := append([]string{"report", "-o", "json"}, tc.args...)
		r := analyze(t, b.String(), append(args, "-")...)
		var doc struct {
			Input struct{ Records, Analyzed, Filtered, Rejected float64 }
			Time  struct{ First *string }
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("%v: %v (stderr %s)", tc.args, err, r.stderr)
		}
		if doc.Input.Records != 4 || doc.Input.Analyzed != tc.analyzed || doc.Input.Filtered != tc.filtered || doc.Input.Rejected != 0 {
			t.Errorf("%v: %+v; want 4 records, %v analysed, %v filtered", tc.args, doc.Input, tc.analyzed, tc.filtered)
		}
		if tc.analyzed == 0 && doc.Time.First != nil {
			t.Errorf("%v: time.first %v with nothing analysed", tc.args, *doc.Time.First)
		}
	}
}

// TestHostileFieldsAreEscaped checks that ANSI escapes and pipes from a log
// cannot reach the terminal raw or break a Markdown table.
func TestHostileFieldsAreEscaped(t *testing.T) {
	hostile := `10.0.0.1 - evil\x1b[31m [12/Mar/2025:10:15:32 +0000] "GET /api/a|b/` + "\x1b[2J\x07\u202e" + ` HTTP/1.1" 500 1 "-" "x"` + "\n"
	text := analyze(t, hostile, "report", "-")
	if strings.ContainsAny(text.stdout, "\x1b\x07\u202e") {
		t.Errorf("terminal output carries raw control characters:\n%q", text.stdout)
	}
	if !strings.Contains(text.stdout, `\x1B[2J\x07\u{202E}`) {
		t.Errorf("terminal output does not show the escapes visibly:\n%s", text.stdout)
	}
	md := analyze(t, hostile, "report", "-o", "markdown", "-")
	if !strings.Contains(md.stdout, `/api/a\|b/`) {
		t.Errorf("Markdown output does not escape the pipe:\n%s", md.stdout)
	}
}

// TestJSONLogEscapesReachNoOutput is issue 21's reproduction: a JSON log
// (nginx escape=json) carrying \u001b sequences and BEL in remote_addr,
// read by retries -o csv --unrecovered and -o prometheus, must come out
// with the escapes visible (\x1B, as the terminal report shows them),
// never raw.
func TestJSONLogEscapesReachNoOutput(t *testing.T) {
	line := `{"time":"2025-03-12T09:00:00Z","remote_addr":"\u001b]0;PWNED\u0007\u001b[2J","request":"GET /x HTTP/1.1","status":503}` + "\n"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"retries", "-o", "csv", "--unrecovered", "-"}, `\x1B]0;PWNED\x07\x1B[2J,GET,/x,503,abandoned`},
		{[]string{"-o", "prometheus", "-"}, `analyze_client_requests{client="\\x1B]0;PWNED\\x07\\x1B[2J"} 1`},
	} {
		r := analyze(t, line, tc.args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, r.code, r.stderr)
		}
		if strings.ContainsAny(r.stdout, "\x1b\x07") {
			t.Errorf("%v: raw control characters in the output:\n%q", tc.args, r.stdout)
		}
		if !strings.Contains(r.stdout, tc.want) {
			t.Errorf("%v: output lacks %s:\n%s", tc.args, tc.want, r.stdout)
		}
	}
}

func TestFormatFlags(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	os.WriteFile(conf, []byte(`log_format pim '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent rt=$request_time ra="$sent_http_retry_after"';`), 0o644)
	pimLine := `10.0.0.1 - erp [12/Mar/2025:10:15:32 +0100] "GET /api/documents/1 HTTP/1.1" 429 12 rt=0.004 ra="30"` + "\n"
	isoLine := `10.0.0.1 [2025-03-12 10:15:32] "GET /api/documents/1 HTTP/1.1" 200` + "\n"
	for _, tc := range []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string
		stderr string
	}{
		{"nginx string", []string{"-o", "json", "--format", `nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent rt=$request_time ra="$sent_http_retry_after"`, "-"}, pimLine, 0, `"format": "nginx"`, ""},
		{"format file", []string{"-o", "json", "--format-file", conf, "--format", "nginx:pim", "-"}, pimLine, 0, `"format": "nginx:pim"`, ""},
		{"unknown name", []string{"--format-file", conf, "--format", "nginx:main", "-"}, pimLine, 2, "", `no log_format named "main"`},
		{"bad apache", []string{"--format", "apache:%h %Z", "-"}, pimLine, 2, "", "unknown directive"},
		{"tz", []string{"-o", "json", "--tz", "Europe/Paris", "--format", `apache:%a [%{%Y-%m-%d %H:%M:%S}t] "%r" %s`, "-"}, isoLine, 0, `"first": "2025-03-12T09:15:32Z"`, ""},
		{"bad tz", []string{"--tz", "Mars/Olympus", "-"}, pimLine, 2, "", `unknown zone "Mars/Olympus"`},
		{"formats", []string{"formats"}, "", 0, "aws-alb", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := analyze(t, tc.stdin, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout, tc.stdout) || !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("exit %d (want %d)\nstdout %s\nstderr %s\nwant stdout with %q, stderr with %q", r.code, tc.code, r.stdout, r.stderr, tc.stdout, tc.stderr)
			}
		})
	}
}

func TestFieldFlag(t *testing.T) {
	line := `{"meta":{"when":"2025-03-12T10:15:32Z"},"response":{"code":"503"},"call":{"verb":"GET","route":"/api/x"}}` + "\n"
	r := analyze(t, line, "-o", "json", "--field", "status=response.code", "--field", "time=meta.when", "--field", "method=call.verb", "--field", "path=call.route", "-")
	if r.code != 0 || !strings.Contains(r.stdout, `"endpoint": "/api/x"`) || !strings.Contains(r.stdout, `"server_error": 1`) {
		t.Errorf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = analyze(t, line, "--field", "colour=x", "-")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown field "colour"`) {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
	r = analyze(t, line, "--format", "combined", "--field", "status=x", "-")
	if r.code != 2 || !strings.Contains(r.stderr, "does not go with --format combined") {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
}

func TestUnknownFormat(t *testing.T) {
	prose := "hello world\nthis is no log\n" + line + "\nstill prose\n"
	r := analyze(t, prose, "-o", "json", "-")
	if r.code != 0 || !strings.Contains(r.stderr, "no known format fits") || !strings.Contains(r.stderr, "closest: combined parsed 1 of 4 sampled lines") ||
		!strings.Contains(r.stderr, `line: "hello world"`) || !strings.Contains(r.stdout, `"unrecognized": 4,`) || strings.Contains(r.stdout, `"no_format"`) || !strings.Contains(r.stdout, `"format_candidates"`) {
		t.Errorf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
}

func TestOutFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "nightly.json")
	r := analyze(t, "", "report", "--out", out, "samples/")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil || !json.Valid(b) {
		t.Fatalf("the extension did not choose JSON: %v %.80s", err, b)
	}
	if info, _ := os.Stat(out); info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", info.Mode().Perm())
	}
	md := filepath.Join(dir, "r.md")
	if r := analyze(t, "", "report", "--out", md, "-o", "text", "samples/"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if b, _ := os.ReadFile(md); !strings.HasPrefix(string(b), "analyze ") {
		t.Errorf("-o text lost to the .md extension: %.40s", b)
	}
	// A missing folder is refused before any reading, as a directory is:
	// no state touched, and the message names the folder, not the
	// temporary file it could not create (after the whole analysis).
	statePath := filepath.Join(dir, "state.json")
	r = analyze(t, "", "report", "--state", statePath, "--out", filepath.Join(dir, "missing", "r.json"), "samples/")
	if r.code != 2 || !strings.Contains(r.stderr, "folder "+filepath.Join(dir, "missing")+" does not exist") || strings.Contains(r.stderr, ".tmp-") {
		t.Errorf("missing folder: exit %d %q; want 2 naming the folder", r.code, r.stderr)
	}
	if _, err := os.Stat(statePath + ".lock"); err == nil {
		t.Errorf("missing folder: the run went as far as locking the state")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// TestDeterministic: the same input gives byte-identical reports, whatever
// the number of workers, so nightly diffs mean something.
func TestDeterministic(t *testing.T) {
	for _, o := range []string{"json", "text"} {
		a := analyze(t, "", "report", "-o", o, "--workers", "1", "samples/")
		b := analyze(t, "", "report", "-o", o, "--workers", "2", "--max-line", "65536", "samples/")
		c := analyze(t, "", "report", "-o", o, "samples/")
		if a.stdout != b.stdout || a.stdout != c.stdout {
			t.Errorf("-o %s differs between runs", o)
		}
	}
}

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "analyze.toml")
	os.WriteFile(conf, []byte("output = \"json\"\ntop = 2\nfail_on = [\"requests>0\"]\n"), 0o644)
	r := analyze(t, "", "report", "--config", conf, "samples/")
	var doc struct {
		Endpoints  []any
		Thresholds []struct{ Failed bool }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 1 || len(doc.Endpoints) != 2 || len(doc.Thresholds) != 1 {
		t.Errorf("config: exit %d, %v, %+v", r.code, err, doc)
	}
	// A flag overrides the config.
	if r := analyze(t, "", "report", "--config", conf, "-o", "markdown", "samples/"); !strings.HasPrefix(r.stdout, "# analyze report") {
		t.Errorf("-o markdown did not override: %.30s", r.stdout)
	}
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("colour = \"red\"\n"), 0o644)
	if r := analyze(t, "", "report", "--config", bad, "samples/"); r.code != 2 || !strings.Contains(r.stderr, `unknown key "colour"`) {
		t.Errorf("unknown key: exit %d %q", r.code, r.stderr)
	}
	// Two config files: which wins is not obvious, so neither does.
	for _, args := range [][]string{{"--config", conf, "--config", bad}, {"--config=" + conf, "--config", conf}} {
		if r := analyze(t, "", append(append([]string{"report"}, args...), "samples/")...); r.code != 2 || !strings.Contains(r.stderr, "--config is given twice") {
			t.Errorf("%q: exit %d %q, want exit 2, --config is given twice", args, r.code, r.stderr)
		}
	}
	cmd := exec.Command(binary, "report", "samples/")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "ANALYZE_CONFIG="+conf)
	out, _ := cmd.Output()
	if !json.Valid(out) {
		t.Errorf("ANALYZE_CONFIG was not read: %.40s", out)
	}
}

func TestLogLevel(t *testing.T) {
	if r := analyze(t, "", "report", "--log-level", "info", "samples/pim-api-common.log"); r.code != 0 ||
		!strings.Contains(r.stderr, "analyze: info: samples/pim-api-common.log: format common (detected on 64 of 64 sampled lines), compression none, 400 lines") {
		t.Errorf("info: %q", r.stderr)
	}
	if r := analyze(t, "", "report", "samples/pim-api-common.log"); r.stderr != "" {
		t.Errorf("default level wrote %q", r.stderr)
	}
	if r := analyze(t, "", "report", "--log-level", "loud", "samples/"); r.code != 2 || !strings.Contains(r.stderr, "--log-level") {
		t.Errorf("bad level: %d %q", r.code, r.stderr)
	}
}

// TestHostilePaths: names with spaces, newlines and escape sequences are
// read, and shown escaped on stderr and in the report.
func TestHostilePaths(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "access log\n\x1b[31mred.log")
	if err := os.WriteFile(name, []byte(line+"\n"), 0o644); err != nil {
		t.Skipf("skipping: this file system refuses the name: %v", err)
	}
	missing := filepath.Join(dir, "gone\n\x1b[2J.log")
	r := analyze(t, "", "report", name, missing)
	if r.code != 3 || !strings.Contains(r.stdout, "1 record,") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stderr, "\x1b") || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, `gone\x0A\x1B[2J.log`) {
		t.Errorf("stderr not escaped: %q", r.stderr)
	}
	if strings.Contains(r.stdout, "\x1b") {
		t.Errorf("report carries an escape: %q", r.stdout)
	}
}

// TestStateFlag runs the nightly sequence end to end: a run with --state,
// appended lines, a rotation, and a corrupt state refused with exit 2.
func TestStateFlag(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.Mkdir(logs, 0o755)
	access := filepath.Join(logs, "access.log")
	statePath := filepath.Join(dir, "state.json")
	appendLines := func(n int) { appendTo(t, access, strings.Repeat(line+"\n", n)) }
	records := func(r result) string {
		var doc map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("code %d, %v:\n%s", r.code, err, r.stderr)
		}
		v, _ := lookup(doc, "input.records")
		return strings.TrimSpace(string(must(json.Marshal(v))))
	}
	appendLines(5)
	// A file in the folder that is no log: its lines are rejected once.
	os.WriteFile(filepath.Join(logs, "notes.txt"), []byte("not a log\nat all\n"), 0o644)
	if r := analyze(t, "", "report", "-o", "json", "--state", statePath, logs); records(r) != "5" || !strings.Contains(r.stderr, "notes.txt: no known format") {
		t.Fatalf("first run: %s records, want 5, and a word on notes.txt:\n%s", records(r), r.stderr)
	}
	appendLines(3)
	os.Rename(access, access+".1")
	appendLines(2)
	if got := records(analyze(t, "", "report", "-o", "json", "--state", statePath, logs)); got != "5" {
		t.Fatalf("after 3 appended, a rotation and 2 new: %s records, want 5", got)
	}
	r := analyze(t, "", "report", "-o", "json", "--state", statePath, logs)
	if got := records(r); got != "0" {
		t.Fatalf("nothing new: %s records, want 0", got)
	}
	if strings.Contains(r.stderr, "no known format") {
		t.Errorf("nothing new, yet a word on a format:\n%s", r.stderr)
	}
	// A state kept in the log folder is not read as a log.
	inside := filepath.Join(logs, "state.json")
	analyze(t, "", "report", "-o", "json", "--state", inside, logs)
	if r := analyze(t, "", "report", "-o", "json", "--state", inside, logs); strings.Contains(r.stdout, `state.json"`) || strings.Contains(r.stderr, "state.json") {
		t.Errorf("the state file was read as an input:\n%s\n%s", r.stderr, r.stdout)
	}
	for _, want := range []string{`"resumed_after_line": 2`, `"resumed_after_line": 8`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the report lacks %s:\n%s", want, r.stdout)
		}
	}
	os.WriteFile(statePath, []byte("{"), 0o644)
	r = analyze(t, "", "report", "--state", statePath, logs)
	if r.code != 2 || !strings.Contains(r.stderr, "move it aside") {
		t.Fatalf("corrupt state: code %d, stderr %q; want 2 and advice", r.code, r.stderr)
	}
}

// TestStateHoldsUnfinishedLine runs four nights over a log whose last line
// is still being written: each night reads the lines that were whole and
// leaves the unfinished one to the next, which reads it whole once it is;
// a line left unfinished and not grown by the next night is read as it is.
// Every line is counted once over the nights.
func TestStateHoldsUnfinishedLine(t *testing.T) {
	dir := t.TempDir()
	access := filepath.Join(dir, "access.log")
	statePath := filepath.Join(dir, "state.json")
	write := func(s string) { appendTo(t, access, s) }
	type counts struct{ Lines, Records, Rejected, HeldBackBytes int64 }
	night := func() counts {
		r := analyze(t, "", "report", "-o", "json", "--state", statePath, access)
		var doc struct {
			Input struct {
				Files []struct {
					Lines, Records, Rejected int64
					HeldBackBytes            int64 `json:"held_back_bytes"`
				}
			}
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Input.Files) != 1 {
			t.Fatalf("code %d, %v:\n%s", r.code, err, r.stderr)
		}
		f := doc.Input.Files[0]
		return counts{f.Lines, f.Records, f.Rejected, f.HeldBackBytes}
	}
	cut := len(line) / 2
	write(line + "\n" + line + "\n" + line[:cut])
	if got, want := night(), (counts{2, 2, 0, int64(cut)}); got != want {
		t.Errorf("night 1: %+v, want %+v", got, want)
	}
	if raw, _ := os.ReadFile(statePath); !strings.Contains(string(raw), fmt.Sprintf(`"held": %d`, cut)) {
		t.Errorf("the state file does not say what was held:\n%s", raw)
	}
	write(line[cut:] + "\n" + line + "\n" + line[:10])
	if got, want := night(), (counts{2, 2, 0, 10}); got != want {
		t.Errorf("night 2, the held line finished: %+v, want %+v", got, want)
	}
	if got, want := night(), (counts{1, 0, 1, 0}); got != want {
		t.Errorf("night 3, nothing written: %+v, want %+v (the cut line read as it is)", got, want)
	}
	if got, want := night(), (counts{}); got != want {
		t.Errorf("night 4: %+v, want nothing", got)
	}
}

// TestOwnReportsLeftOut writes every kind of report with --out into the
// folder it reads, as a nightly job might: the next run over the folder
// leaves them out (saying so at --log-level info) and reads the log alone;
// a report named on the command line is read as given.
func TestOwnReportsLeftOut(t *testing.T) {
	dir := t.TempDir()
	logs, err := os.ReadFile("../../samples/pim-api-common.log")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "access.log"), logs, 0o644)
	// A JSON log named .json is a log, not a report.
	os.WriteFile(filepath.Join(dir, "api.json"), []byte(`{"time":"2025-03-12T10:00:01Z","remote_addr":"10.0.0.9","request":"GET /a HTTP/1.1","status":200}`+"\n"), 0o644)
	outs := []struct {
		name string
		args []string
	}{
		{"r.json", []string{"report"}}, {"r.md", []string{"report"}}, {"r.html", []string{"report"}}, {"r.txt", []string{"report"}},
		{"q.txt", []string{"quota"}}, {"u.csv", []string{"retries", "--unrecovered"}}, {"t.csv", []string{"timeline"}},
		{"r2.json", []string{"report", "--since", "1h"}}, {"r.prom", []string{"report"}},
		// The other extensions --out takes: read back as logs, every night.
		{"r.markdown", []string{"report"}}, {"r.htm", []string{"report"}},
	}
	for _, o := range outs {
		args := append(slices.Clone(o.args), "--out", filepath.Join(dir, o.name), dir)
		if r := analyze(t, "", args...); r.code != 0 {
			t.Fatalf("%v: code %d: %s", args, r.code, r.stderr)
		}
	}
	r := analyze(t, "", "report", "-o", "json", "--log-level", "info", dir)
	var doc struct {
		Input struct {
			Rejected int64
			Files    []struct{ Path string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
		t.Fatalf("code %d, %v: %s", r.code, err, r.stderr)
	}
	var names []string
	for _, f := range doc.Input.Files {
		names = append(names, filepath.Base(f.Path))
	}
	if strings.Join(names, " ") != "access.log api.json" || doc.Input.Rejected != 0 {
		t.Errorf("inputs %v, %d rejected; want access.log api.json and none", names, doc.Input.Rejected)
	}
	for _, o := range outs {
		if !strings.Contains(r.stderr, o.name+" is a report analyze wrote") {
			t.Errorf("stderr does not say %s was left out:\n%s", o.name, r.stderr)
		}
	}
	if r := analyze(t, "", "report", "-o", "json", filepath.Join(dir, "r.json")); !strings.Contains(r.stdout, `"format": "unknown"`) {
		t.Errorf("a report named on the command line was not read as given: %s", r.stderr)
	}
}

// appendTo appends s to the file at path, creating it if needed.
func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestStateSplitsLikeOneRun checks that two --state runs over a log that
// grew in between count what one run over the whole log counts, for a
// format whose lines need the header above them (W3C #Fields) too.
func TestStateSplitsLikeOneRun(t *testing.T) {
	for _, sample := range []string{"samples/pim-api-w3c.log", "samples/pim-api-access.log", "samples/pim-api-alb.log"} {
		t.Run(filepath.Base(sample), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("../..", sample))
			if err != nil {
				t.Fatal(err)
			}
			lines := bytes.SplitAfter(raw, []byte("\n"))
			dir := t.TempDir()
			log := filepath.Join(dir, "access.log")
			statePath := filepath.Join(dir, "state.json")
			count := func(r result) (records, rejected float64) {
				var doc map[string]any
				if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
					t.Fatalf("code %d, %v:\n%s", r.code, err, r.stderr)
				}
				rec, _ := lookup(doc, "input.records")
				rej, _ := lookup(doc, "input.rejected")
				return rec.(float64), rej.(float64)
			}
			os.WriteFile(log, bytes.Join(lines[:len(lines)/3], nil), 0o644)
			rec1, rej1 := count(analyze(t, "", "-o", "json", "--state", statePath, log))
			os.WriteFile(log, raw, 0o644)
			rec2, rej2 := count(analyze(t, "", "-o", "json", "--state", statePath, log))
			all, allRej := count(analyze(t, "", "-o", "json", log))
			if rec1+rec2 != all || rej1+rej2 != allRej || rec2 == 0 {
				t.Fatalf("two runs: %v+%v records, %v+%v rejected; one run: %v records, %v rejected", rec1, rec2, rej1, rej2, all, allRej)
			}
		})
	}
}

// TestStateCumulative runs nightly over a log that logrotate rotates and
// compresses, then asks the state for the whole period: every count of the
// report must be what one run over the whole log gives, though the old
// logs are not read again. Retry chains and 429s still open at a run's end
// are carried to the next run, so the retry section and the after-429
// figures are one run's too.
func TestStateCumulative(t *testing.T) {
	raw, err := os.ReadFile("../../samples/pim-api-access.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(raw, []byte("\n"))
	third := len(lines) / 3
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.Mkdir(logs, 0o755)
	statePath := filepath.Join(dir, "state.json")
	path := func(name string) string { return filepath.Join(logs, name) }
	doc := func(r result) map[string]any {
		t.Helper()
		var d map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || r.code != 0 {
			t.Fatalf("code %d, %v:\n%s", r.code, err, r.stderr)
		}
		return d
	}
	num := func(d map[string]any, key string) float64 {
		v, ok := lookup(d, key)
		if !ok {
			t.Fatalf("no %s", key)
		}
		return v.(float64)
	}

	// Night 1 reads the first third; by night 2 the log was rotated to
	// access.log.1 and a new access.log holds the second third; by night 3
	// access.log.1 is compressed to access.log.2.gz, access.log rotated to
	// access.log.1, and the last third is new.
	os.WriteFile(path("access.log"), bytes.Join(lines[:third], nil), 0o644)
	n1 := doc(analyze(t, "", "-o", "json", "--state", statePath, logs))
	os.Rename(path("access.log"), path("access.log.1"))
	os.WriteFile(path("access.log"), bytes.Join(lines[third:2*third], nil), 0o644)
	n2 := doc(analyze(t, "", "-o", "json", "--state", statePath, logs))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	old, _ := os.ReadFile(path("access.log.1"))
	zw.Write(old)
	zw.Close()
	os.WriteFile(path("access.log.2.gz"), gz.Bytes(), 0o644)
	os.Remove(path("access.log.1"))
	os.Rename(path("access.log"), path("access.log.1"))
	os.WriteFile(path("access.log"), bytes.Join(lines[2*third:], nil), 0o644)
	n3 := doc(analyze(t, "", "-o", "json", "--state", statePath, logs))

	one := filepath.Join(dir, "whole.log")
	os.WriteFile(one, raw, 0o644)
	whole := doc(analyze(t, "", "-o", "json", one))
	for _, key := range []string{"input.lines", "input.records", "input.rejected"} {
		if sum := num(n1, key) + num(n2, key) + num(n3, key); sum != num(whole, key) {
			t.Errorf("%s: nights %v + %v + %v = %v, one run %v", key, num(n1, key), num(n2, key), num(n3, key), sum, num(whole, key))
		}
	}

	// The period: a fourth run with nothing new reports the three nights.
	cum := doc(analyze(t, "", "-o", "json", "--state", statePath, "--since", "3650d", logs))
	if got := num(cum, "input.stored.runs"); got != 3 {
		t.Errorf("input.stored.runs = %v, want 3", got)
	}
	for _, key := range []string{"input.lines", "input.records", "input.rejected", "input.blank", "input.analyzed"} {
		if num(cum, key) != num(whole, key) {
			t.Errorf("%s: the period from the state gives %v, one run %v", key, num(cum, key), num(whole, key))
		}
	}
	// No path at all: the stored runs alone.
	only := doc(analyze(t, "", "-o", "json", "--state", statePath, "--since", "3650d"))
	for _, key := range []string{"input.lines", "input.records", "input.rejected"} {
		if num(only, key) != num(whole, key) {
			t.Errorf("%s: the stored runs alone give %v, one run %v", key, num(only, key), num(whole, key))
		}
	}
	if r := analyze(t, "", "--state", statePath); r.code != 2 || !strings.Contains(r.stderr, "a period") {
		t.Errorf("--state without paths or a period: code %d, %s", r.code, r.stderr)
	}
	if r := analyze(t, "", "-o", "json", "--state", statePath, "--since", "3650d", "--window", "10s", logs); r.code != 2 || !strings.Contains(r.stderr, "--window 1m0s") {
		t.Errorf("stored runs of 1m windows, a report of 10s ones: code %d, %s; want 2 and the window to give", r.code, r.stderr)
	}
	if cum["input"].(map[string]any)["reconciled"] != true {
		t.Error("the period's input does not reconcile")
	}
	for _, key := range []string{"time", "classes", "statuses", "methods", "endpoints", "clients", "hosts", "latency", "bounds",
		"input.rejected_reasons", "quota.overall", "quota.bursts", "quota.rate_limited", "timeline", "incidents"} {
		a, _ := lookup(cum, key)
		b, _ := lookup(whole, key)
		if !reflect.DeepEqual(a, b) {
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			t.Errorf("%s differs:\nstate: %s\none run: %s", key, ja, jb)
		}
	}
	for _, key := range []string{"retry", "quota.clients"} {
		a, _ := lookup(cum, key)
		b, _ := lookup(whole, key)
		if !reflect.DeepEqual(a, b) {
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			t.Errorf("%s differs:\nstate: %s\none run: %s", key, ja, jb)
		}
	}
}

// TestInterrupt stops a run with SIGINT while it waits on its input: it
// must exit 2 with a message and leave no report file, finished or not.
func TestInterrupt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT on Windows")
	}
	dir := t.TempDir()
	cmd := exec.Command(binary, "report", "--out", filepath.Join(dir, "report.json"), "-")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(stdin, line) // some input, and the pipe stays open
	time.Sleep(time.Second)   // the signal handler is set up in the first milliseconds
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("analyze did not stop on SIGINT")
	}
	stdin.Close()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 || !strings.Contains(errb.String(), "interrupted") {
		t.Errorf("after SIGINT: %v, stderr %q; want exit 2 and a message", err, errb.String())
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("files left behind: %v", left)
	}
}

// TestDrillDown checks the drill-down filters against the unfiltered
// report of the same sample: the kept records are exactly those counted
// under the criteria there, the others are filtered, and the report states
// the criteria.
func TestDrillDown(t *testing.T) {
	sample := "samples/pim-api-access.log"
	doc := func(args ...string) map[string]any {
		t.Helper()
		r := analyze(t, "", append(append([]string{"-o", "json", "--top", "1000"}, args...), sample)...)
		var d map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || r.code != 0 {
			t.Fatalf("%v: code %d, %v: %s", args, r.code, err, r.stderr)
		}
		return d
	}
	num := func(d map[string]any, key string) float64 {
		v, _ := lookup(d, key)
		f, _ := v.(float64)
		return f
	}
	all := doc()
	statusCount := func(d map[string]any, status float64) float64 {
		for _, s := range d["statuses"].([]any) {
			if m := s.(map[string]any); m["status"] == status {
				return m["count"].(float64)
			}
		}
		return 0
	}
	n503, n429 := statusCount(all, 503), statusCount(all, 429)
	if n503 == 0 || n429 == 0 {
		t.Fatal("the sample has no 503 or no 429")
	}
	s := doc("--status", "429,503")
	if got := num(s, "input.analyzed"); got != n503+n429 {
		t.Errorf("--status 429,503 analysed %v records, want %v", got, n503+n429)
	}
	if num(s, "input.filtered") != num(all, "input.analyzed")-n503-n429 || num(s, "input.records") != num(all, "input.records") {
		t.Error("--status: the other records are not counted as filtered")
	}
	if f, _ := lookup(s, "filter.status"); f != "429,503" {
		t.Errorf("filter.status = %v", f)
	}

	// A client's row in the unfiltered clients table is what --client gives.
	var row map[string]any
	for _, c := range all["clients"].([]any) {
		if m := c.(map[string]any); m["client"] == "shop-connector" {
			row = m
		}
	}
	if row == nil {
		t.Fatal("no shop-connector in the sample")
	}
	c := doc("--client", "shop-*")
	if num(c, "input.analyzed") != row["requests"].(float64) || num(c, "classes.client_error") != row["client_error"].(float64) {
		t.Errorf("--client shop-*: %v records, %v 4xx; its row says %v, %v", num(c, "input.analyzed"), num(c, "classes.client_error"), row["requests"], row["client_error"])
	}

	// An endpoint pattern keeps the endpoints it matches, and only them.
	e := doc("--endpoint", "/api/exports/*", "--method", "GET,POST")
	for _, r := range e["endpoints"].([]any) {
		if ep := r.(map[string]any)["endpoint"].(string); !strings.HasPrefix(ep, "/api/exports/") {
			t.Errorf("--endpoint /api/exports/* kept %s", ep)
		}
	}
	if num(e, "input.analyzed") == 0 {
		t.Error("--endpoint /api/exports/* kept nothing")
	}

	// --around: the records within --span of a time.
	a := doc("--around", "2025-03-12T08:20:00Z", "--span", "5m")
	since, _ := lookup(a, "filter.since")
	until, _ := lookup(a, "filter.until")
	if since != "2025-03-12T08:15:00Z" || until != "2025-03-12T08:25:00Z" {
		t.Errorf("--around 08:20 --span 5m: filter %v .. %v", since, until)
	}
	first, _ := lookup(a, "time.first")
	last, _ := lookup(a, "time.last")
	if first == nil || first.(string) < "2025-03-12T08:15:00Z" || last.(string) >= "2025-03-12T08:25:00Z" {
		t.Errorf("--around kept records from %v to %v", first, last)
	}

	// --host: the ALB sample logs api.quable.example:443, the Envoy sample
	// api.quable.example, the vhost_combined sample its tenants with :443,
	// others their tenants or no host ("-"); show agrees.
	hosts := func(args ...string) (float64, string, map[string]any) {
		t.Helper()
		r := analyze(t, "", append([]string{"-o", "json"}, append(args, "samples/")...)...)
		var d map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || r.code != 0 {
			t.Fatalf("%v: code %d, %v: %s", args, r.code, err, r.stderr)
		}
		f, _ := lookup(d, "filter.host")
		return num(d, "input.analyzed"), fmt.Sprint(f), d
	}
	total, _, whole := hosts()
	logged := map[string]float64{}
	for _, h := range whole["hosts"].([]any) {
		row := h.(map[string]any)
		logged[row["host"].(string)] = row["requests"].(float64)
	}
	if n, f, _ := hosts("--host", "API.quable.example"); n != 800 || f != "api.quable.example" || logged["api.quable.example"] != 800 {
		t.Errorf("--host API.quable.example: %v records, filter.host %s, hosts row %v; want 800 (the ALB's with a port, the Envoy's without)", n, f, logged["api.quable.example"])
	}
	if n, _, _ := hosts("--host", "api.*:443"); n != 400 {
		t.Errorf("--host api.*:443: %v records, want the ALB sample's 400", n)
	}
	if n, _, _ := hosts("--host", "acme.quable.example,GLOBEX.quable.example"); n != logged["acme.quable.example"]+logged["globex.quable.example"] || n == 0 {
		t.Errorf("--host acme,globex: %v records, hosts rows %v", n, logged)
	}
	var withHost float64
	for _, n := range logged {
		withHost += n
	}
	if n, _, _ := hosts("--host", "-"); n != total-withHost || len(logged) != 4 {
		t.Errorf("--host -: %v records, want the %v that log no host (hosts %v)", n, total-withHost, logged)
	}
	// The text and Markdown reports say, under the headline, what they cover.
	for _, o := range []string{"text", "markdown"} {
		r := analyze(t, "", "report", "-o", o, "--host", "*:443", "--class", "server_error", "samples/")
		if want := "Filtered (class server"; r.code != 0 || !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, " records analysed, ") {
			t.Errorf("-o %s with filters: code %d, no %q in\n%.400s", o, r.code, want, r.stdout)
		}
	}
	if r := analyze(t, "", "report", "samples/pim-api-common.log"); strings.Contains(r.stdout, "Filtered") {
		t.Errorf("no filter, yet: %.300s", r.stdout)
	}
	r := analyze(t, "", "show", "--host", "api.quable.example:443", "--status", "503", "samples/")
	if lines := strings.Count(r.stdout, "\n"); r.code != 0 || lines == 0 || strings.Count(r.stdout, "samples/pim-api-alb.log:") != lines {
		t.Errorf("show --host api.quable.example:443 --status 503: code %d, %d lines:\n%s", r.code, lines, r.stdout)
	}
}

// TestTimelineContract pins the incidents and timeline keys, in analyze
// timeline and analyze report alike, and checks the sample's incidents:
// the 429 bursts of shop-connector and the 503s on imports and exports.
func TestTimelineContract(t *testing.T) {
	for _, cmd := range []string{"timeline", "report"} {
		r := analyze(t, "", cmd, "-o", "json", "samples/pim-api-access.log")
		var doc map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
			t.Fatalf("%s: code %d, %v: %s", cmd, r.code, err, r.stderr)
		}
		incs, _ := lookup(doc, "incidents")
		var kinds []string
		for _, i := range incs.([]any) {
			inc := i.(map[string]any)
			for _, k := range []string{"start", "end", "peak", "status", "diagnosis", "endpoints", "clients", "hosts", "paths", "user_agents", "recovered", "kind", "peak_rate", "baseline_rate"} {
				if _, ok := inc[k]; !ok {
					t.Errorf("%s: incidents[] lacks %s", cmd, k)
				}
			}
			// The raw paths and user agents of the failures, most first.
			paths, agents := inc["paths"].([]any), inc["user_agents"].([]any)
			if len(paths) == 0 || len(paths) > 10 || len(agents) == 0 || len(agents) > 10 {
				t.Errorf("%s: incident at %v: %d paths and %d user agents, want 1 to 10 each", cmd, inc["start"], len(paths), len(agents))
			}
			for _, l := range []struct {
				list []any
				key  string
			}{{paths, "path"}, {agents, "user_agent"}} {
				last := -1.0
				for _, e := range l.list {
					m := e.(map[string]any)
					n, _ := m["count"].(float64)
					if _, ok := m[l.key].(string); !ok || n < 1 || last >= 0 && n > last {
						t.Errorf("%s: incidents[].%ss: %v, want {%s, count} most first", cmd, l.key, l.list, l.key)
					}
					last = n
				}
			}
			kinds = append(kinds, fmt.Sprint(inc["kind"], " ", inc["status"], " ", inc["diagnosis"], " ", inc["clients"].([]any)[0], " ", inc["recovered"]))
		}
		want := []string{"rate_limited 429 rate_limited shop-connector true", "rate_limited 429 rate_limited shop-connector true", "server_error 503 unavailable shop-connector true"}
		if !slices.Equal(kinds, want) {
			t.Errorf("%s: incidents %q, want %q", cmd, kinds, want)
		}
		ws, _ := lookup(doc, "timeline.windows")
		if sec, _ := lookup(doc, "timeline.window_seconds"); sec != 60.0 || len(ws.([]any)) != 35 {
			t.Errorf("%s: timeline of %v windows of %v s, want 35 of 60", cmd, len(ws.([]any)), sec)
		}
		var sum float64
		for _, w := range ws.([]any) {
			row := w.(map[string]any)
			for _, k := range []string{"start", "requests", "success", "redirect", "client_error", "server_error", "other", "rate_limited", "top_statuses", "p50_ms", "p95_ms", "p99_ms"} {
				if _, ok := row[k]; !ok {
					t.Errorf("%s: timeline.windows[] lacks %s", cmd, k)
				}
			}
			sum += row["requests"].(float64)
		}
		if analyzed, _ := lookup(doc, "input.analyzed"); sum != analyzed {
			t.Errorf("%s: the timeline counts %v requests, the input %v", cmd, sum, analyzed)
		}
	}
	// CSV, and a window given.
	r := analyze(t, "", "timeline", "-o", "csv", "--window", "5m", "samples/pim-api-access.log")
	rows := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(rows) != 8 || !strings.HasPrefix(rows[0], "start,window_seconds,requests,") || !strings.HasPrefix(rows[1], "2025-03-12T08:00:00Z,300,") {
		t.Errorf("timeline -o csv --window 5m: code %d, %d rows:\n%s", r.code, len(rows), r.stdout)
	}
}

// TestShow checks analyze show against the report: the same filters keep
// the same records, printed in file and line order, escaped; --rejected
// prints the rejections; --max stops early.
func TestShow(t *testing.T) {
	report := func(args ...string) map[string]any {
		r := analyze(t, "", append([]string{"-o", "json"}, args...)...)
		var d map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return d
	}
	for _, filters := range [][]string{
		{"--status", "5xx"},
		{"--client", "shop-connector", "--status", "429"},
		{"--endpoint", "/api/imports*", "--method", "POST"},
		{"--since", "2025-03-12T08:20:00Z", "--until", "2025-03-12T08:21:00Z"},
	} {
		args := append(slices.Clone(filters), "samples/")
		r := analyze(t, "", append([]string{"show"}, args...)...)
		if r.code != 0 {
			t.Fatalf("show %v: code %d: %s", filters, r.code, r.stderr)
		}
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		analyzed, _ := lookup(report(args...), "input.analyzed")
		if float64(len(lines)) != analyzed.(float64) || len(lines) == 0 {
			t.Errorf("show %v: %d lines, the report analysed %v", filters, len(lines), analyzed)
		}
		prevFile, prevLine := "", 0
		for _, l := range lines {
			file, rest, _ := strings.Cut(l, ":")
			n, _, _ := strings.Cut(rest, ":")
			line, err := strconv.Atoi(n)
			if err != nil {
				t.Fatalf("show %v: line %q is not FILE:LINE: TEXT", filters, l)
			}
			if file == prevFile && line <= prevLine {
				t.Errorf("show %v: %s:%d after line %d", filters, file, line, prevLine)
			}
			prevFile, prevLine = file, line
		}
	}
	r := analyze(t, "", "show", "--rejected", "samples/pim-api-access.log")
	rejected, _ := lookup(report("samples/pim-api-access.log"), "input.rejected")
	if n := strings.Count(r.stdout, "\n"); float64(n) != rejected.(float64) || !strings.Contains(r.stdout, `: [not_a_log_line]: \x00\x00`) {
		t.Errorf("show --rejected: %d lines (want %v), NUL bytes escaped:\n%s", n, rejected, r.stdout)
	}
	r = analyze(t, "", "show", "--max", "7", "samples/")
	if n := strings.Count(r.stdout, "\n"); n != 7 || r.code != 0 || !strings.HasPrefix(r.stdout, "samples/pim-api-access.log.1.gz:1: ") {
		t.Errorf("show --max 7: %d lines, code %d:\n%s", n, r.code, r.stdout)
	}
}

// TestHTMLEscapes writes the HTML report of lines whose client, path and
// user agent carry markup and script: it must come out as text, and the
// page must load nothing from elsewhere.
func TestHTMLEscapes(t *testing.T) {
	var log strings.Builder
	for i := range 30 {
		fmt.Fprintf(&log, `10.0.0.%d - <script>alert(1)</script> [12/Mar/2025:10:%02d:00 +0000] "GET /api/x/"><img src=x onerror=alert(2)> HTTP/1.1" 500 1 "javascript:alert(3)" "</style><script src=https://evil.example/x.js></script>"`+"\n", i, i)
	}
	r := analyze(t, log.String(), "report", "-o", "html", "-")
	if r.code != 0 {
		t.Fatalf("code %d: %s", r.code, r.stderr)
	}
	page := r.stdout
	for _, bad := range []string{"<script>alert", "<img", "onerror=alert(2)>", "evil.example/x.js></script>", "</style><script"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page carries %q unescaped", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the hostile client is not shown as text")
	}
	if strings.Count(page, "<script") != 1 || strings.Count(page, "<style") != 1 {
		t.Errorf("want exactly one inline script and one style: %d, %d", strings.Count(page, "<script"), strings.Count(page, "<style"))
	}
	if !strings.Contains(page, `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`) {
		t.Error("no Content-Security-Policy meta tag forbidding remote loads")
	}
	for _, remote := range []string{`src="http`, `href="http`, `@import`, `url(http`} {
		if strings.Contains(page, remote) {
			t.Errorf("the page loads %s", remote)
		}
	}
	// --out picks HTML by extension.
	out := filepath.Join(t.TempDir(), "report.html")
	if r := analyze(t, log.String(), "report", "--out", out, "-"); r.code != 0 {
		t.Fatalf("--out report.html: code %d: %s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(out); !strings.HasPrefix(string(b), "<!DOCTYPE html>") {
		t.Error("--out report.html did not write HTML")
	}
}

// TestPrivacy runs every output over a log with identities and a token in
// its query strings: the token is masked by default (kept with
// --keep-secrets); with --anonymize no address, user or API key is left
// anywhere, and --anonymize-key gives the same pseudonyms on every run.
func TestPrivacy(t *testing.T) {
	var log strings.Builder
	for i := range 60 {
		status := 200
		if i%3 == 0 {
			status = 503
		}
		fmt.Fprintf(&log, `203.0.113.%d - alice.martin@example.com [12/Mar/2025:10:%02d:%02d +0000] "GET /api/exports/%d?token=S3CRETTOKEN&page=2 HTTP/1.1" %d 5 "https://app.example/cb?api_key=REFKEY123" "ua 198.51.100.77"`+"\n",
			i%4, i/60, i%60, i%5, status)
	}
	// The same requests as JSON lines: an escaped user, forwarded
	// addresses, an API-key header, and members the format does not map
	// but whose names say who asked (a consumer, a numeric user id).
	var jlog strings.Builder
	for i := range 60 {
		status := 200
		if i%3 == 0 {
			status = 503
		}
		fmt.Fprintf(&jlog, `{"time":"2025-03-12T10:%02d:%02d+00:00","remote_addr":"203.0.113.%d","remote_user":"jos\u00e9.garcia","request":"GET /api/exports/%d HTTP/1.1","status":%d,"body_bytes_sent":5,"http_x_forwarded_for":"198.51.100.7, 192.0.2.55","http_x_api_key":"KEYSECRET42","consumer":"acme-corp","user_id":987654321,"http_user_agent":"ua"}`+"\n",
			i/60, i%60, i%4, i%5, status)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	os.WriteFile(path, []byte(log.String()), 0o644)
	jsonPath := filepath.Join(dir, "access.json")
	os.WriteFile(jsonPath, []byte(jlog.String()), 0o644)
	outputs := func(extra ...string) string {
		var all strings.Builder
		for _, args := range [][]string{
			{"report"}, {"report", "-o", "json"}, {"report", "-o", "html"}, {"report", "-o", "markdown"},
			{"retries", "--unrecovered", "-o", "csv"}, {"retries", "--unrecovered", "-o", "json"},
			{"quota", "-o", "json"}, {"timeline", "-o", "json"}, {"show"},
		} {
			r := analyze(t, "", append(append(args, extra...), path)...)
			if r.code != 0 {
				t.Fatalf("%v %v: code %d: %s", args, extra, r.code, r.stderr)
			}
			all.WriteString(r.stdout)
		}
		out := filepath.Join(t.TempDir(), "ds")
		if r := analyze(t, "", append(append([]string{"export", "--to", "csv", "--out", out}, extra...), path)...); r.code != 0 {
			t.Fatalf("export %v: %s", extra, r.stderr)
		}
		filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && d.Name() != export.ManifestName { // it names the run's time
				b, _ := os.ReadFile(p)
				all.Write(b)
			}
			return nil
		})
		return all.String()
	}
	plain := outputs()
	if strings.Contains(plain, "S3CRETTOKEN") || strings.Contains(plain, "REFKEY123") || !strings.Contains(plain, "token=***********") {
		t.Error("by default the query's token or the referer's key is not masked")
	}
	if !strings.Contains(plain, "203.0.113.1") || !strings.Contains(plain, "alice.martin@example.com") {
		t.Error("without --anonymize the identities should be there")
	}
	if kept := outputs("--keep-secrets"); !strings.Contains(kept, "S3CRETTOKEN") {
		t.Error("--keep-secrets masked the token anyway")
	}
	anon := outputs("--anonymize")
	for _, secret := range []string{"203.0.113.", "alice.martin", "S3CRETTOKEN", "REFKEY123"} {
		if i := strings.Index(anon, secret); i >= 0 {
			t.Errorf("--anonymize leaves %q: ...%s...", secret, anon[max(0, i-80):min(len(anon), i+40)])
		}
	}
	path = jsonPath
	// An API key is a secret: by default every output shows its label.
	label := ingest.KeyLabel([]byte("KEYSECRET42"))
	if plain := outputs(); !strings.Contains(plain, "acme-corp") || strings.Contains(plain, "KEYSECRET42") || !strings.Contains(plain, label) {
		t.Errorf("by default the JSON log's identities should be there (show), its API key only as %s", label)
	}
	if kept := outputs("--keep-secrets"); !strings.Contains(kept, "KEYSECRET42") {
		t.Error("--keep-secrets: the API key is not shown as logged")
	}
	janon := outputs("--anonymize")
	for _, secret := range []string{"203.0.113.", "jos", "198.51.100.7", "192.0.2.55", "KEYSECRET42", "acme-corp", "987654321"} {
		if i := strings.Index(janon, secret); i >= 0 {
			t.Errorf("--anonymize leaves %q of a JSON log: ...%s...", secret, janon[max(0, i-80):min(len(janon), i+40)])
		}
	}
	path = filepath.Join(dir, "access.log")
	if !strings.Contains(anon, "anon-") {
		t.Error("--anonymize shows no pseudonym")
	}
	key := filepath.Join(dir, "key")
	os.WriteFile(key, []byte("0123456789abcdef0123456789abcdef\n"), 0o600)
	a, b := outputs("--anonymize-key", "@"+key), outputs("--anonymize-key", "@"+key)
	if a != b || strings.Contains(a, "alice") {
		t.Error("--anonymize-key: two runs differ, or an identity is left")
	}
	if r := analyze(t, "", "report", "--anonymize-key", "short", path); r.code != 2 || !strings.Contains(r.stderr, "at least 16 bytes") {
		t.Errorf("a short key: code %d, %s", r.code, r.stderr)
	}
}

// TestSampleFormats checks that auto-detection reads each bundled sample as
// the format it was written in, every sampled line parsed: a sample per
// supported format, so a parser or detection change that loses one shows.
func TestSampleFormats(t *testing.T) {
	r := analyze(t, "", "report", "-o", "json", "samples/")
	var doc struct {
		Input struct {
			Files []struct {
				Path, Format     string
				FormatConfidence float64 `json:"format_confidence"`
				Records          int64
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
		t.Fatalf("code %d, %v: %s", r.code, err, r.stderr)
	}
	want := map[string]string{
		"pim-api-access.log": "combined", "pim-api-access.log.1.gz": "combined", "pim-api-common.log": "common",
		"pim-api-json.log": "json", "pim-api-nginx.log": "combined", "pim-api-alb.log": "aws-alb", "pim-api-w3c.log": "w3c",
		"pim-api-envoy.log": "envoy", "pim-api-vhost.log": "vhost_combined", "pim-api-nginx-main.log": "nginx_main",
		"pim-api-ingress.log": "ingress-nginx", "pim-api-traefik.log": "traefik", "pim-api-istio.log": "istio",
		"pim-api-elb.log": "aws-elb", "pim-api-haproxy.log": "haproxy-http", "pim-api-cloudfront.log": "cloudfront",
		"pim-api-caddy.log": "json",
	}
	seen := map[string]bool{}
	for _, f := range doc.Input.Files {
		name := filepath.Base(f.Path)
		seen[name] = true
		if f.Format != want[name] || f.FormatConfidence != 1 || f.Records == 0 {
			t.Errorf("%s: read as %s (%.2f of sampled lines), %d records; want %s", name, f.Format, f.FormatConfidence, f.Records, want[name])
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("no samples/%s", name)
		}
	}
	// Every preset but caddy (read by the json parser) has its sample.
	formats := analyze(t, "", "formats")
	covered := map[string]bool{}
	for _, f := range want {
		covered[f] = true
	}
	for line := range strings.SplitSeq(strings.TrimSpace(formats.stdout), "\n") {
		if strings.HasPrefix(line, " ") {
			continue // a description's next line
		}
		if name, _, _ := strings.Cut(line, " "); name != "caddy" && !covered[name] {
			t.Errorf("the %s preset has no sample", name)
		}
	}
}

// TestPrometheusOutput checks -o prometheus against the text exposition
// format (every sample line well formed, each family's HELP and TYPE
// before its samples, a family in one block) and its figures against the
// JSON report's; --out NAME.prom chooses it.
func TestPrometheusOutput(t *testing.T) {
	args := []string{"--fail-on", "server_error_rate>1%", "--limit", "40/1m", "samples/"}
	out := filepath.Join(t.TempDir(), "analyze.prom")
	r := analyze(t, "", append([]string{"report", "--out", out}, args...)...)
	b, err := os.ReadFile(out)
	if r.code != 1 || err != nil {
		t.Fatalf("exit %d (want 1: the threshold fails), %v: %s", r.code, err, r.stderr)
	}
	j := analyze(t, "", append([]string{"report", "-o", "json"}, args...)...)
	var doc map[string]any
	if err := json.Unmarshal([]byte(j.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	sampleLine := regexp.MustCompile(`^([a-z_][a-z0-9_]*)(\{[a-z_]+="(?:[^"\\\n]|\\["\\n])*"(?:,[a-z_]+="(?:[^"\\\n]|\\["\\n])*")*\})? (-?[0-9.]+)$`)
	values := map[string]float64{}
	typed, done := map[string]bool{}, map[string]bool{}
	current := ""
	for line := range strings.SplitSeq(strings.TrimSuffix(string(b), "\n"), "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, kind, _ := strings.Cut(name, " ")
			if kind != "gauge" || typed[name] {
				t.Errorf("TYPE %s %s: twice, or not a gauge", name, kind)
			}
			typed[name] = true
			if current != "" {
				done[current] = true
			}
			current = name
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("not a sample line: %q", line)
			continue
		}
		if m[1] != current || done[m[1]] {
			t.Errorf("%s: a sample outside its family's block (after TYPE %s)", line, current)
		}
		v, _ := strconv.ParseFloat(m[3], 64)
		values[m[1]+m[2]] = v
	}
	num := func(key string) float64 {
		v, _ := lookup(doc, key)
		f, _ := v.(float64)
		return f
	}
	for metric, key := range map[string]string{
		"analyze_input_lines": "input.lines", "analyze_input_records": "input.records", "analyze_input_rejected_lines": "input.rejected",
		`analyze_requests{class="server_error"}`: "classes.server_error", `analyze_retry_chains{outcome="abandoned"}`: "retry.abandoned",
		"analyze_unrecovered_failures": "retry.unrecovered", "analyze_rate_limited_responses": "quota.rate_limited",
		"analyze_quota_windows_over_limit": "quota.overall.windows_over_limit", "analyze_quota_peak_requests": "quota.overall.peak",
		`analyze_rejected_lines{reason="truncated"}`: "input.rejected_reasons.truncated",
	} {
		got, ok := values[metric]
		if want := num(key); !ok || got != want || want == 0 {
			t.Errorf("%s = %v (present %v), JSON %s = %v", metric, got, ok, key, want)
		}
	}
	host := doc["hosts"].([]any)[0].(map[string]any)
	if got := values[`analyze_host_requests{host="`+host["host"].(string)+`"}`]; got != host["requests"].(float64) {
		t.Errorf("the first host's requests: %v, JSON %v", got, host)
	}
	if values[`analyze_threshold_failed{threshold="server_error_rate>1%"}`] != 1 || values["analyze_incidents"] != float64(len(doc["incidents"].([]any))) {
		t.Errorf("threshold or incidents: %v", values)
	}
}

// TestShowReaderGone runs analyze show into a pipe whose reader has gone,
// as `analyze show ... | head -1` leaves it: show stops and exits 0, as
// docs/usage.md says, not killed by SIGPIPE (exit 141 under pipefail).
func TestShowReaderGone(t *testing.T) {
	for _, args := range [][]string{{"show", "samples/"}, {"show", "--by-file", "samples/"}, {"show", "samples/pim-api-access.log"}} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		cmd := exec.Command(binary, args...)
		cmd.Dir = "../.."
		var errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = w, &errb
		err = cmd.Run()
		w.Close()
		if err != nil {
			t.Errorf("%v into a closed pipe: %v, want exit 0; stderr: %s", args, err, errb.String())
		}
	}
}
