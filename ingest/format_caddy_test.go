package ingest

import (
	"strings"
	"testing"
	"time"
)

func init() {
	lineCases = append(lineCases, caddyConsoleCases...)
}

// caddyConsoleObject is the fields of a Caddy access entry as the console
// encoder writes them (zap's spaced JSON, no "ts": the time is in front).
const caddyConsoleObject = `{"request": {"remote_ip": "203.0.113.7", "remote_port": "41342", "client_ip": "203.0.113.7", "proto": "HTTP/2.0", "method": "GET", "host": "api.example.com", "uri": "/api/documents/42?lang=fr", "headers": {"User-Agent": ["QuableSDK/2.3"], "X-Request-Id": ["r-1"]}}, "bytes_read": 0, "user_id": "", "duration": 0.000929675, "size": 10900, "status": 429, "resp_headers": {"Retry-After": ["30"], "Content-Type": ["application/json"]}}`

var caddyConsoleRecord = wantRecord{time: "2025-03-12T10:15:32.524Z", client: "203.0.113.7", method: "GET", path: "/api/documents/42", query: "lang=fr", protocol: "HTTP/2.0", agent: "QuableSDK/2.3", status: 429, bytes: 10900, duration: 929675 * time.Nanosecond,
	ext: ext(func(e *wantExt) { e.retryAfter = 30 * time.Second; e.requestID = "r-1"; e.host = "api.example.com" })}

func withTime(w wantRecord, t string) wantRecord { w.time = t; return w }

var caddyConsoleCases = []lineCase{
	{"caddy console", "caddy",
		"2025/03/12 10:15:32.524\tinfo\thttp.log.access.log0\thandled request\t" + caddyConsoleObject,
		OK, caddyConsoleRecord},
	{"caddy console, unnamed access log, coloured level", "caddy",
		"2025/03/12 10:15:32.524\t\x1b[34mINFO\x1b[0m\thttp.log.access\thandled request\t" + caddyConsoleObject,
		OK, caddyConsoleRecord},
	{"caddy console, epoch time (format console's default)", "caddy",
		"1741774532.5241024\tinfo\thttp.log.access.log0\thandled request\t" + caddyConsoleObject,
		OK, withTime(caddyConsoleRecord, "2025-03-12T10:15:32.5241024Z")},
	{"caddy console, time in the object wins", "caddy",
		"2025/03/12 10:15:32.524\tinfo\thttp.log.access.log0\thandled request\t" + strings.Replace(caddyConsoleObject, "{", `{"ts": 1741774500, `, 1),
		OK, withTime(caddyConsoleRecord, "2025-03-12T10:15:00Z")},
	{"caddy console, another logger", "caddy",
		"2025/03/12 10:15:32.524\terror\thttp.log.error.log0\tdial tcp 10.0.0.9:8080: connect: connection refused\t" + `{"request": {"method": "GET", "uri": "/"}, "status": 502}`,
		NotALogLine, wantRecord{}},
	{"caddy console, a logger named like access", "caddy",
		"2025/03/12 10:15:32.524\tinfo\thttp.log.accessory\thandled request\t" + caddyConsoleObject,
		NotALogLine, wantRecord{}},
	{"caddy console, startup entry", "caddy",
		"2025/03/12 10:15:30.001\tinfo\tusing adjacent Caddyfile\t" + `{"adapter": "caddyfile"}`,
		NotALogLine, wantRecord{}},
	{"caddy console, bad time", "caddy",
		"yesterday\tinfo\thttp.log.access.log0\thandled request\t" + caddyConsoleObject,
		BadTimestamp, wantRecord{}},
	{"caddy console, 30 February", "caddy",
		"2025/02/30 10:15:32.524\tinfo\thttp.log.access.log0\thandled request\t" + caddyConsoleObject,
		BadTimestamp, wantRecord{}},
	{"caddy console, cut object", "caddy",
		"2025/03/12 10:15:32.524\tinfo\thttp.log.access.log0\thandled request\t" + caddyConsoleObject[:100],
		BadJSON, wantRecord{}},
	{"caddy console, no status", "caddy",
		"2025/03/12 10:15:32.524\tinfo\thttp.log.access.log0\thandled request\t" + `{"request": {"method": "GET", "uri": "/"}}`,
		MissingField, wantRecord{}},
}

// TestCaddyConsoleDetect: a console log is detected as json, the parser
// of Caddy's logs, and Caddy's own entries in it do not stop that.
// TestCaddyConsole parses the lines of Caddy's console encoder.
func TestCaddyConsole(t *testing.T) { testLineCases(t, caddyConsoleCases) }

func TestCaddyConsoleDetect(t *testing.T) {
	for _, tc := range []struct {
		name, head, want string
	}{
		{"console", strings.Repeat("2025/03/12 10:15:32.524\tinfo\thttp.log.access.log0\thandled request\t"+caddyConsoleObject+"\n", 3), "json"},
		{"console among other loggers", "2025/03/12 10:15:30.001\tinfo\tusing adjacent Caddyfile\t{\"adapter\": \"caddyfile\"}\n" +
			strings.Repeat("2025/03/12 10:15:32.524\tinfo\thttp.log.access.log0\thandled request\t"+caddyConsoleObject+"\n", 3), "json"},
		{"json", `{"level":"info","ts":1741774532.5,"logger":"http.log.access.log0","msg":"handled request","status":200,"request":{"method":"GET","uri":"/"}}` + "\n", "json"},
	} {
		d := Detect([]byte(tc.head))
		if d.Format == nil || d.Format.Name != tc.want {
			t.Errorf("%s: Detect = %v, want %s", tc.name, d.Format, tc.want)
		}
	}
}
