package ingest

import "testing"

func init() {
	lineCases = append(lineCases, clfCases...)
}

// clfCases are lines of the combined and common formats (nginx's and
// Apache's defaults), and what each becomes: a record, or a rejection
// with its reason.
var clfCases = []lineCase{
	{"combined", "combined",
		`203.0.113.7 - erp-sync [12/Mar/2025:10:15:32 +0100] "GET /api/documents/12345?lang=fr HTTP/1.1" 200 5123 "-" "QuableSDK/2.3 (php)"`,
		OK, wantRecord{time: "2025-03-12T09:15:32Z", offset: 3600, client: "203.0.113.7", user: "erp-sync", method: "GET", path: "/api/documents/12345", query: "lang=fr", protocol: "HTTP/1.1", agent: "QuableSDK/2.3 (php)", status: 200, bytes: 5123, duration: -1}},
	{"common", "common",
		`127.0.0.1 bob frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
		OK, wantRecord{time: "2000-10-10T20:55:36Z", offset: -25200, client: "127.0.0.1", user: "frank", method: "GET", path: "/apache_pb.gif", protocol: "HTTP/1.0", status: 200, bytes: 2326, duration: -1}},
	{"ipv6 client", "combined",
		`2001:db8::1 - - [12/Mar/2025:10:15:32 +0000] "POST /api/imports HTTP/2.0" 201 87 "-" "curl/8.5.0"`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "2001:db8::1", method: "POST", path: "/api/imports", protocol: "HTTP/2.0", agent: "curl/8.5.0", status: 201, bytes: 87, duration: -1}},
	{"dash size and fields", "combined",
		`10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "HEAD /health HTTP/1.1" 304 - - -`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", method: "HEAD", path: "/health", protocol: "HTTP/1.1", status: 304, bytes: -1, duration: -1}},
	{"escaped quotes in agent", "combined",
		`10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "Mozilla/5.0 \"quoted\" (x)"`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", method: "GET", path: "/", protocol: "HTTP/1.1", agent: `Mozilla/5.0 \"quoted\" (x)`, status: 200, bytes: 1, duration: -1}},
	{"stray quote in agent", "combined",
		`10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "Mozilla "odd"agent"`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", method: "GET", path: "/", protocol: "HTTP/1.1", agent: `Mozilla "odd"agent`, status: 200, bytes: 1, duration: -1}},
	{"dash request", "combined",
		`10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "-" 400 0 "-" "-"`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", status: 400, bytes: 0, duration: -1}},
	{"empty request 408", "combined",
		`10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "" 408 0 "" ""`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", status: 408, bytes: 0, duration: -1}},
	{"tls handshake as request", "combined",
		`10.0.0.1 - - [04/Oct/2022:03:07:27 +0000] "\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03" 400 150 "-" "-"`,
		OK, wantRecord{time: "2022-10-04T03:07:27Z", client: "10.0.0.1", status: 400, bytes: 150, duration: -1}},
	{"request without protocol", "combined",
		`10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET /api/assets" 200 10 "-" "-"`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", method: "GET", path: "/api/assets", status: 200, bytes: 10, duration: -1}},
	{"invalid utf-8 in path", "combined",
		"10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] \"GET /api/documents/caf\xe9\xff HTTP/1.1\" 404 10 \"-\" \"-\"",
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", method: "GET", path: "/api/documents/caf\xe9\xff", protocol: "HTTP/1.1", status: 404, bytes: 10, duration: -1}},
	{"status 499", "combined",
		`10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET /api/exports HTTP/1.1" 499 0 "-" "-"`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", method: "GET", path: "/api/exports", protocol: "HTTP/1.1", status: 499, bytes: 0, duration: -1}},
	{"status 000", "combined",
		`10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET /api/exports HTTP/1.1" 000 0 "-" "-"`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", method: "GET", path: "/api/exports", protocol: "HTTP/1.1", status: 0, bytes: 0, duration: -1}},
	{"unterminated agent at end of line", "combined",
		`66.249.73.135 - - [20/May/2015:21:05:11 +0000] "GET /blog/tags/xsendevent HTTP/1.1" 200 10659 "-" "Mozilla/5.0 (compatible; Googlebot/2.1`,
		OK, wantRecord{time: "2015-05-20T21:05:11Z", client: "66.249.73.135", method: "GET", path: "/blog/tags/xsendevent", protocol: "HTTP/1.1", agent: "Mozilla/5.0 (compatible; Googlebot/2.1", status: 200, bytes: 10659, duration: -1}},
	{"apache hex escapes kept", "combined",
		`10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "http://example.com/\xd0\x9a" "-"`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", method: "GET", path: "/", protocol: "HTTP/1.1", referer: `http://example.com/\xd0\x9a`, status: 200, bytes: 1, duration: -1}},
	{"trailing x-forwarded-for", "combined",
		`172.24.0.3 - - [31/Dec/2024:17:32:06 +0000] "GET / HTTP/1.1" 200 615 "-" "curl/8.11.1" "1.2.3.4, 10.10.1.1"`,
		OK, wantRecord{time: "2024-12-31T17:32:06Z", client: "172.24.0.3", method: "GET", path: "/", protocol: "HTTP/1.1", agent: "curl/8.11.1", status: 200, bytes: 615, duration: -1}},
	{"unix socket client", "combined",
		`unix: - - [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "unix:", method: "GET", path: "/", protocol: "HTTP/1.1", status: 200, bytes: 1, duration: -1}},
	{"fractional seconds", "combined",
		`10.0.0.1 - - [12/Mar/2025:10:15:32.250 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`,
		OK, wantRecord{time: "2025-03-12T10:15:32.25Z", client: "10.0.0.1", method: "GET", path: "/", protocol: "HTTP/1.1", status: 200, bytes: 1, duration: -1}},
	{"leap day", "common",
		`10.0.0.1 - - [29/Feb/2024:23:59:59 -0000] "GET / HTTP/1.1" 200 1`,
		OK, wantRecord{time: "2024-02-29T23:59:59Z", client: "10.0.0.1", method: "GET", path: "/", protocol: "HTTP/1.1", status: 200, bytes: 1, duration: -1}},

	{"x-forwarded-for list before the client", "combined",
		`10.0.0.2, 10.0.0.1, 85.181.35.98 - - [07/Dec/2016:11:05:07 +0100] "GET /ocelot HTTP/1.1" 200 571 "-" "Firefox"`,
		OK, wantRecord{time: "2016-12-07T10:05:07Z", offset: 3600, client: "85.181.35.98", method: "GET", path: "/ocelot", protocol: "HTTP/1.1", agent: "Firefox", status: 200, bytes: 571, duration: -1}},
	{"private x-forwarded-for list", "combined",
		`10.0.0.2, 10.0.0.1, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] "GET /ocelot HTTP/1.1" 200 571 "-" "Firefox"`,
		OK, wantRecord{time: "2016-12-07T10:05:07Z", offset: 3600, client: "10.0.0.2", method: "GET", path: "/ocelot", protocol: "HTTP/1.1", agent: "Firefox", status: 200, bytes: 571, duration: -1}},
	{"quoted x-forwarded-for before the remote address", "combined",
		`"10.5.102.222, 199.96.1.1, 204.246.1.1" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] "GET /assets/xxxx?q=100 HTTP/1.1" 200 25507 "-" "Amazon CloudFront"`,
		OK, wantRecord{time: "2016-01-22T13:18:29Z", client: "199.96.1.1", method: "GET", path: "/assets/xxxx", query: "q=100", protocol: "HTTP/1.1", agent: "Amazon CloudFront", status: 200, bytes: 25507, duration: -1}},
	{"user with a trailing space", "combined", // nginx writes a basic-auth user raw
		`175.11.68.5 - tz  [26/Jul/2022:11:13:26 +0800] "GET / HTTP/1.1" 401 581 "-" "Mozilla/5.0"`,
		OK, wantRecord{time: "2022-07-26T03:13:26Z", offset: 28800, client: "175.11.68.5", user: "tz ", method: "GET", path: "/", protocol: "HTTP/1.1", agent: "Mozilla/5.0", status: 401, bytes: 581, duration: -1}},
	{"user with spaces", "common",
		`10.0.0.1 - John Q Smith [12/Mar/2025:10:15:32 +0000] "GET /api/me HTTP/1.1" 200 12`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", user: "John Q Smith", method: "GET", path: "/api/me", protocol: "HTTP/1.1", status: 200, bytes: 12, duration: -1}},
	{"user with a bracket", "combined",
		`10.0.0.1 - ops [eu] [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", user: "ops [eu]", method: "GET", path: "/", protocol: "HTTP/1.1", status: 200, bytes: 1, duration: -1}},

	{"missing size", "combined", `10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200`, Truncated, wantRecord{}},
	{"cut in timestamp", "combined", `10.0.0.1 - - [12/Mar/2025:10:15`, Truncated, wantRecord{}},
	{"cut in request", "combined", `10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET /api/docu`, Truncated, wantRecord{}},
	{"bad month", "combined", `10.0.0.1 - - [12/Mrz/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`, BadTimestamp, wantRecord{}},
	{"31 February", "combined", `10.0.0.1 - - [31/Feb/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`, BadTimestamp, wantRecord{}},
	{"dash timestamp", "common", `- - - [-] "-" - -`, BadTimestamp, wantRecord{}},
	{"status dash", "combined", `10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" - 1 "-" "-"`, BadStatus, wantRecord{}},
	{"status 4 digits", "combined", `10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 2000 1 "-" "-"`, BadStatus, wantRecord{}},
	{"size word", "combined", `10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 big "-" "-"`, BadSize, wantRecord{}},
	{"unquoted request", "combined", `10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] GET / HTTP/1.1 200 1`, BadRequestLine, wantRecord{}},
	{"nginx error log", "combined", `2021/04/01 13:02:31 [error] 31#31: *1 open() "/usr/share/nginx/html/not-found" failed (2: No such file or directory), client: 172.17.0.1`, NotALogLine, wantRecord{}},
	{"apache error log", "combined", `[01/Mar/2021:12:00:19 +0000] [ab:alert] [pid 4803:tid 3814] [client 147.159.108.175:24259] boom`, NotALogLine, wantRecord{}},
	{"prose", "common", `not a common log line`, NotALogLine, wantRecord{}},
	{"vhost line as combined", "combined", `www.example.com:443 10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`, NotALogLine, wantRecord{}},
	{"syslog haproxy line as combined", "combined", `Dec 25 01:55:20 localhost haproxy[42949]: 202.55.2.227:36072 [25/Dec/2014:01:55:20.408] fe be/s 0/0/0/1/1 200 10 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"`, NotALogLine, wantRecord{}},
	{"spaced user before no time", "common", `10.0.0.1 - tz  [yesterday] "GET / HTTP/1.1" 200 1`, NotALogLine, wantRecord{}},
}

// TestCLF parses the combined and common cases.
func TestCLF(t *testing.T) { testLineCases(t, clfCases) }

// TestSpacedUser: nginx ($remote_user) and Apache (%u) write a basic-auth
// user raw, spaces included. The combined and common presets read such a
// line as the same format given as an nginx or Apache format string does.
// (TestFixtures checks that detection still says combined for a file of
// them, not vhost_combined, whose template reads "tz  [" as a client "tz"
// and an empty user.)
func TestSpacedUser(t *testing.T) {
	const (
		nginxCombined  = `nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`
		apacheCombined = `apache:%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`
	)
	for _, tc := range []struct {
		name, line, user string
	}{
		{"trailing space", `175.11.68.5 - tz  [26/Jul/2022:11:13:26 +0800] "GET / HTTP/1.1" 401 581 "-" "Mozilla/5.0"`, "tz "},
		{"leading space", `10.0.0.1 -  tz [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`, " tz"},
		{"words", `10.0.0.1 - John Q Smith [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`, "John Q Smith"},
		{"empty user", `10.0.0.1 -  [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`, ""},
		{"plain user", `10.0.0.1 - tz [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`, "tz"},
	} {
		for _, spec := range []string{"combined", "common", nginxCombined, apacheCombined} {
			f, err := ResolveFormat(spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			p := f.New(ParseOptions{})
			var rec Record
			rec.reset()
			if got := p.Parse([]byte(tc.line), &rec); got != OK {
				t.Errorf("%s, %.10s: Parse = %s, want ok", tc.name, spec, got)
				continue
			}
			if got := string(rec.User); got != tc.user {
				t.Errorf("%s, %.10s: user %q, want %q", tc.name, spec, got, tc.user)
			}
		}
	}
}
