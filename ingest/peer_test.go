package ingest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Tests against other projects' parsers: their test inputs with the
// outputs they expect (../shared/peer-vectors, see its README). Where we
// disagree on purpose, the case says why.

const peerDir = "../../shared/peer-vectors"

// needShared skips the test when path, shared material beside the
// repository, is absent, and returns path. The skip is printed on stderr
// too: t.Skip shows only with -v, and a corpus test that silently does not
// run looks like one that passes.
func needShared(t *testing.T, path string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("skipping: %s is absent (the shared material lives beside the repository)", path)
		fmt.Fprintf(os.Stderr, "--- SKIP: %s: %s\n", t.Name(), msg)
		t.Skip(msg)
	}
	return path
}

// vrlCase is one line of vrl/vectors.jsonl.
type vrlCase struct {
	SourceFile string          `json:"source_file"`
	Case       string          `json:"case"`
	Input      json.RawMessage `json:"input"`
	Args       struct {
		Format string `json:"format"`
	} `json:"args"`
	WantOK  map[string]any `json:"want_ok"`
	WantErr *string        `json:"want_err"`
}

// vrlDisagreements are the cases where we reject what VRL accepts, and why.
var vrlDisagreements = map[string]string{
	"- - - - - - -":                        "no timestamp and no status: nothing to count or classify",
	`- - - [-] "-" - -`:                    "no timestamp and no status: nothing to count or classify",
	`- - - [2000-10-10T20:55:36Z] "-" - -`: "no status: a response we cannot classify (bad_status)",
}

func TestVRLVectors(t *testing.T) {
	path := filepath.Join(peerDir, "vrl/vectors.jsonl")
	needShared(t, path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	checked := 0
	for sc.Scan() {
		var c vrlCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		var input string
		if json.Unmarshal(c.Input, &input) != nil {
			continue // an input built by Rust code, not a literal line
		}
		var format string
		switch {
		case c.SourceFile == "parse_aws_alb_log.rs":
			format = "aws-alb"
		case c.Args.Format == "main":
			format = "nginx_main"
		case c.Args.Format == "ingress_upstreaminfo":
			format = "ingress-nginx"
		case c.Args.Format == "error":
			format = "combined" // error-log lines: an access-log parser must reject them
			c.WantOK = nil
		case c.SourceFile == "parse_nginx_log.rs", c.Args.Format == "combined":
			format = "combined"
		default:
			format = "common"
		}
		fm, _ := LookupFormat(format)
		var rec Record
		rec.reset()
		reason := fm.New(ParseOptions{}).Parse([]byte(input), &rec)
		name := c.SourceFile + "/" + c.Case + ": " + input
		if why, ok := vrlDisagreements[input]; ok {
			if reason == OK {
				t.Errorf("%s: accepted, but we reject it on purpose (%s)", name, why)
			}
			checked++
			continue
		}
		if c.WantOK == nil {
			if reason == OK {
				t.Errorf("%s: accepted, VRL rejects it (%v)", name, strPtr(c.WantErr))
			}
			checked++
			continue
		}
		if reason != OK {
			t.Errorf("%s: rejected as %s, VRL accepts it", name, reason)
			continue
		}
		w := c.WantOK
		expect := func(field string, got string, keys ...string) {
			for _, k := range keys {
				if v, ok := w[k]; ok {
					want, _ := v.(string)
					if want == "-" {
						want = "" // we store "not logged" as empty
					}
					if got != want {
						t.Errorf("%s: %s = %q, VRL says %q", name, field, got, want)
					}
					return
				}
			}
		}
		expect("client", string(rec.Client), "client", "host", "remote_addr")
		if ch, ok := w["client_host"].(string); ok {
			expect("client", string(rec.Client)+ch[len(stripPort([]byte(ch))):], "client_host")
		}
		expect("method", string(rec.Method), "request_method")
		expect("protocol", string(rec.Protocol), "request_protocol")
		if st, ok := w["elb_status_code"].(string); ok && itoa(rec.Status) != st {
			t.Errorf("%s: status %d, VRL says %s", name, rec.Status, st)
		}
		if st, ok := w["target_status_code"].(string); ok && itoa(rec.BackendStatus) != st {
			t.Errorf("%s: backend status %d, VRL says %s", name, rec.BackendStatus, st)
		} else if !ok && c.SourceFile == "parse_aws_alb_log.rs" && (rec.BackendStatus != -1 || !rec.LBError && w["request_processing_time"] == -1.0) {
			t.Errorf("%s: backend status %d lbError %v, VRL logs none", name, rec.BackendStatus, rec.LBError)
		}
		if u, ok := w["request_url"].(string); ok && len(rec.Method) > 0 {
			target := string(rec.Path)
			if len(rec.Query) > 0 {
				target += "?" + string(rec.Query)
			}
			if !strings.HasSuffix(u, target) || !strings.Contains(u, string(rec.Host)) {
				t.Errorf("%s: host %q target %q, VRL says %s", name, rec.Host, target, u)
			}
		}
		expect("user", string(rec.User), "user", "remote_user")
		expect("referer", string(rec.Referer), "referer", "referrer", "http_referer")
		expect("agent", string(rec.UserAgent), "agent", "http_user_agent")
		expect("method", string(rec.Method), "method")
		expect("path", string(rec.Path), "path")
		expect("protocol", string(rec.Protocol), "protocol")
		if req, ok := w["request"].(string); ok && len(rec.Method) > 0 {
			got := string(rec.Method) + " " + string(rec.Path)
			if len(rec.Query) > 0 {
				got += "?" + string(rec.Query)
			}
			if len(rec.Protocol) > 0 {
				got += " " + string(rec.Protocol)
			}
			if got != req {
				t.Errorf("%s: request = %q, VRL says %q", name, got, req)
			}
		}
		if st, ok := w["status"].(float64); ok && int(st) != rec.Status {
			t.Errorf("%s: status %d, VRL says %v", name, rec.Status, st)
		}
		for _, k := range []string{"size", "body_bytes_size"} {
			if sz, ok := w[k].(float64); ok && int64(sz) != rec.Bytes {
				t.Errorf("%s: bytes %d, VRL says %v", name, rec.Bytes, sz)
			}
		}
		if ts, ok := w["timestamp"].(string); ok {
			if got := rec.Time.Format(time.RFC3339Nano); got != strings.Replace(ts, ".000000Z", "Z", 1) && rec.Time.Format("2006-01-02T15:04:05.000000Z") != ts {
				t.Errorf("%s: time %s, VRL says %v", name, got, ts)
			}
		}
		if ts, ok := w["timestamp"].(map[string]any); ok {
			if got := rec.Time.Format(time.RFC3339); got != ts["$timestamp"] {
				t.Errorf("%s: time %s, VRL says %v", name, got, ts["$timestamp"])
			}
		}
		checked++
	}
	if checked < 30 {
		t.Errorf("checked only %d VRL cases", checked)
	}
}

func strPtr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestFilebeatVectors parses filebeat's nginx and apache test logs and
// compares with its expected documents, one per line.
func TestFilebeatVectors(t *testing.T) {
	needShared(t, filepath.Join(peerDir, "filebeat-2019"))
	for _, tc := range []struct{ log, format string }{
		{"filebeat-2019/nginx-access/test.log", "combined"},
		{"filebeat-2019/apache-access/test.log", "combined"},
	} {
		raw, err := os.ReadFile(filepath.Join(peerDir, tc.log))
		if err != nil {
			t.Fatal(err)
		}
		var docs []map[string]any
		exp, err := os.ReadFile(filepath.Join(peerDir, tc.log+"-expected.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(exp, &docs); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
		if len(lines) != len(docs) {
			t.Fatalf("%s: %d lines, %d expected documents", tc.log, len(lines), len(docs))
		}
		fm, _ := LookupFormat(tc.format)
		p := fm.New(ParseOptions{})
		for i, line := range lines {
			var rec Record
			rec.reset()
			if r := p.Parse([]byte(line), &rec); r != OK {
				t.Errorf("%s:%d rejected as %s: %s", tc.log, i+1, r, line)
				continue
			}
			d := docs[i]
			where := tc.log + ":" + itoa(i+1)
			if want := d["source.address"]; want != string(rec.Client) {
				t.Errorf("%s: client %q, filebeat says %v", where, rec.Client, want)
			}
			if want, ok := d["http.request.method"]; ok && want != string(rec.Method) {
				t.Errorf("%s: method %q, filebeat says %v", where, rec.Method, want)
			}
			if want, ok := d["url.original"]; ok {
				got := string(rec.Path)
				if len(rec.Query) > 0 {
					got += "?" + string(rec.Query)
				}
				if want != got {
					t.Errorf("%s: target %q, filebeat says %v", where, got, want)
				}
			}
			if want, ok := d["http.version"]; ok && "HTTP/"+want.(string) != string(rec.Protocol) {
				t.Errorf("%s: protocol %q, filebeat says %v", where, rec.Protocol, want)
			}
			if want := d["http.response.status_code"].(float64); int(want) != rec.Status {
				t.Errorf("%s: status %d, filebeat says %v", where, rec.Status, want)
			}
			if want, ok := d["http.response.body.bytes"].(float64); ok && int64(want) != rec.Bytes {
				t.Errorf("%s: bytes %d, filebeat says %v", where, rec.Bytes, want)
			} else if !ok && rec.Bytes != -1 {
				t.Errorf("%s: bytes %d, filebeat logs none", where, rec.Bytes)
			}
			want, _ := time.Parse(time.RFC3339, d["@timestamp"].(string))
			if !want.Equal(rec.Time) {
				t.Errorf("%s: time %v, filebeat says %v", where, rec.Time, want)
			}
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// readFilebeat reads one of Filebeat's test logs and the documents its
// "-expected.json" beside it says the log's lines become.
func readFilebeat(t *testing.T, path string) (raw []byte, docs []map[string]any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := os.ReadFile(path + "-expected.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(exp, &docs); err != nil {
		t.Fatal(err)
	}
	return raw, docs
}

func TestFilebeatHAProxy(t *testing.T) {
	needShared(t, filepath.Join(peerDir, "filebeat-2019/haproxy-log"))
	for _, name := range []string{"haproxy.log", "httplog-no-headers.log"} {
		raw, docs := readFilebeat(t, filepath.Join(peerDir, "filebeat-2019/haproxy-log", name))
		lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
		p := haproxyFormat.New(ParseOptions{})
		for i, line := range lines {
			var rec Record
			rec.reset()
			if r := p.Parse([]byte(line), &rec); r != OK {
				t.Errorf("%s:%d rejected as %s", name, i+1, r)
				continue
			}
			d := docs[i]
			req := string(rec.Method) + " " + string(rec.Path)
			if len(rec.Query) > 0 {
				req += "?" + string(rec.Query)
			}
			req += " " + string(rec.Protocol)
			if d["source.address"] != string(rec.Client) || int(d["http.response.status_code"].(float64)) != rec.Status ||
				int64(d["http.response.bytes"].(float64)) != rec.Bytes || d["haproxy.http.request.raw_request_line"] != req ||
				time.Duration(d["event.duration"].(float64)) != rec.Duration {
				t.Errorf("%s:%d: client %s status %d bytes %d request %q duration %v; filebeat: %v %v %v %v %v", name, i+1,
					rec.Client, rec.Status, rec.Bytes, req, rec.Duration, d["source.address"], d["http.response.status_code"],
					d["http.response.bytes"], d["haproxy.http.request.raw_request_line"], d["event.duration"])
			}
		}
	}
	// The default (TCP) log and HAProxy's own messages are not HTTP access lines.
	raw, _ := os.ReadFile(filepath.Join(peerDir, "filebeat-2019/haproxy-log/default.log"))
	p := haproxyFormat.New(ParseOptions{})
	for line := range strings.SplitSeq(strings.TrimSpace(string(raw)), "\n") {
		var rec Record
		rec.reset()
		if r := p.Parse([]byte(line), &rec); r == OK {
			t.Errorf("accepted a non-HTTP line: %s", line)
		}
	}
}

func TestLnavFormatSamples(t *testing.T) {
	path := filepath.Join(peerDir, "lnav/format_samples.jsonl")
	needShared(t, path)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// lnav's format → ours; lnav formats we do not read are skipped, and
	// some sample lines are of an lnav variant of the format (say why).
	ours := map[string]string{"alb_log": "aws-alb", "elb_log": "aws-elb", "haproxy_log": "haproxy-http", "caddy_log": "caddy"}
	checked := 0
	for line := range strings.SplitSeq(strings.TrimSpace(string(raw)), "\n") {
		var c struct{ Format, Line string }
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatal(err)
		}
		name, ok := ours[c.Format]
		if !ok {
			continue
		}
		f, _ := LookupFormat(name)
		var rec Record
		rec.reset()
		r := f.New(ParseOptions{}).Parse([]byte(c.Line), &rec)
		if name == "haproxy-http" && !strings.Contains(c.Line, `"`) {
			// lnav's haproxy format also matches TCP and startup lines,
			// which carry no HTTP request.
			if r == OK {
				t.Errorf("%s: accepted a line without a request: %s", c.Format, c.Line)
			}
			continue
		}
		if name == "aws-elb" && strings.Contains(c.Line, `"- - - "`) {
			// A TCP listener's line: no HTTP request, no status. We reject
			// it (bad_status); lnav only matches it.
			if r != BadStatus {
				t.Errorf("%s: %s, want bad_status for a TCP line: %s", c.Format, r, c.Line)
			}
			continue
		}
		if r != OK {
			t.Errorf("%s as %s: %s: %s", c.Format, name, r, c.Line)
		}
		checked++
	}
	t.Logf("checked %d lnav samples", checked)
}

// filebeatDisagreements are lines where we differ from filebeat on
// purpose, and why.
var filebeatDisagreements = map[string]string{
	"iis-access/test.log:16":        "filebeat tries fixed layouts whatever #Fields says; the #Fields in force declares 20 fields and the line has 15: field_count",
	"iis-access/test.log:17":        "the same",
	"iis-access/test-iis-7.5.log:5": "the input holds Markdown links as addresses ([10.100.118.31](http://...)); we keep what is logged, filebeat's expected output was cleaned",
	"traefik-access/test.log:7":     "a Common Log Format line in a Traefik file: as traefik it is truncated (auto-detection reads such files as common)",
}

// TestFilebeatFormats compares our W3C and Traefik parsers with filebeat's
// expected documents, one per data line.
func TestFilebeatFormats(t *testing.T) {
	needShared(t, filepath.Join(peerDir, "filebeat-2019"))
	for _, tc := range []struct{ log, format string }{
		{"iis-access/test.log", "w3c"},
		{"iis-access/test-iis-7.5.log", "w3c"},
		{"iis-access/test-ipv6zone.log", "w3c"},
		{"traefik-access/test.log", "traefik"},
	} {
		raw, docs := readFilebeat(t, filepath.Join(peerDir, "filebeat-2019", tc.log))
		f, _ := LookupFormat(tc.format)
		p := f.New(ParseOptions{})
		if dp, ok := p.(directiveParser); ok {
			dp.Begin(nil)
		}
		i := 0
		for n, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
			var rec Record
			rec.reset()
			r := p.Parse([]byte(strings.TrimRight(line, "\r")), &rec)
			if r == skipLine || strings.TrimSpace(line) == "" {
				continue
			}
			where := tc.log + ":" + itoa(n+1)
			if i >= len(docs) {
				t.Errorf("%s: more data lines than filebeat documents", where)
				break
			}
			d := docs[i]
			i++
			if why, ok := filebeatDisagreements[where]; ok {
				if r == OK && string(rec.Client) == d["source.address"] {
					t.Errorf("%s: agrees with filebeat, but is listed as a disagreement (%s)", where, why)
				}
				continue
			}
			if _, failed := d["error.message"]; failed {
				if r == OK {
					t.Errorf("%s: accepted, filebeat failed it: %v", where, d["error.message"])
				}
				continue
			}
			if r != OK {
				t.Errorf("%s: rejected as %s: %s", where, r, line)
				continue
			}
			want := func(key string, got any) {
				if v, ok := d[key]; ok {
					if fv, isNum := v.(float64); isNum {
						v = int64(fv)
					}
					if v == "-" {
						v = ""
					}
					if v != got {
						t.Errorf("%s: %s = %v, filebeat says %v", where, key, got, v)
					}
				}
			}
			want("source.address", string(rec.Client))
			want("http.request.method", string(rec.Method))
			want("url.path", string(rec.Path))
			want("url.query", string(rec.Query))
			want("http.response.status_code", int64(rec.Status))
			want("http.response.body.bytes", rec.Bytes)
			want("event.duration", int64(rec.Duration))
			want("user_agent.original", string(rec.UserAgent))
			ts, _ := time.Parse(time.RFC3339, d["@timestamp"].(string))
			if !ts.Equal(rec.Time) {
				t.Errorf("%s: time %v, filebeat says %v", where, rec.Time, ts)
			}
		}
		if i != len(docs) {
			t.Errorf("%s: %d data lines, %d filebeat documents", tc.log, i, len(docs))
		}
	}
}
