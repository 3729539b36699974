package ingest

import (
	"testing"
	"time"
)

func init() {
	lineCases = append(lineCases, haproxyCases...)
}

// haproxyCases are HAProxy HTTP log lines (option httplog), as HAProxy's
// documentation shows them, with and without the syslog prefix, and what
// each becomes. The accept date has no zone: UTC unless --tz.
var haproxyCases = []lineCase{
	{"haproxy, syslog prefix", "haproxy-http",
		`Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"`,
		OK, wantRecord{time: "2009-02-06T12:14:14.655Z", client: "10.0.1.2", method: "GET", path: "/index.html", protocol: "HTTP/1.1", status: 200, bytes: 2750, duration: 109 * time.Millisecond,
			ext: ext(func(e *wantExt) { e.upstream = 69 * time.Millisecond; e.extra = "frontend=http-in backend=static/srv1" })}},
	{"haproxy, no prefix, query and captures", "haproxy-http",
		`192.0.2.44:51234 [12/Mar/2025:10:15:32.018] api~ api-be/app2 0/0/1/212/213 429 187 - - ---- 12/12/3/1/0 0/0 {api.example.com|curl/8.5.0} "POST /api/imports?dry=1 HTTP/1.1"`,
		OK, wantRecord{time: "2025-03-12T10:15:32.018Z", client: "192.0.2.44", method: "POST", path: "/api/imports", query: "dry=1", protocol: "HTTP/1.1", status: 429, bytes: 187, duration: 213 * time.Millisecond,
			ext: ext(func(e *wantExt) { e.upstream = 212 * time.Millisecond; e.extra = "frontend=api~ backend=api-be/app2" })}},
	{"haproxy answered itself", "haproxy-http",
		`192.0.2.44:51235 [12/Mar/2025:10:15:33.120] api~ api-be/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC-- 12/12/0/0/0 0/0 "GET /api/assets HTTP/1.1"`,
		OK, wantRecord{time: "2025-03-12T10:15:33.12Z", client: "192.0.2.44", method: "GET", path: "/api/assets", protocol: "HTTP/1.1", status: 503, bytes: 217, duration: 0,
			ext: ext(func(e *wantExt) { e.lbError = true; e.extra = "frontend=api~ backend=api-be/<NOSRV>" })}},
	{"haproxy, client aborted: status -1", "haproxy-http",
		`192.0.2.44:51236 [12/Mar/2025:10:15:34.001] api~ api-be/app1 5/0/0/-1/5012 -1 0 - - CH-- 3/3/0/0/0 0/0 "GET /api/exports/9 HTTP/1.1"`,
		OK, wantRecord{time: "2025-03-12T10:15:34.001Z", client: "192.0.2.44", method: "GET", path: "/api/exports/9", protocol: "HTTP/1.1", status: 0, bytes: 0, duration: 5012 * time.Millisecond,
			ext: ext(func(e *wantExt) { e.extra = "frontend=api~ backend=api-be/app1" })}},

	{"haproxy, a startup message", "haproxy-http", `Feb  6 12:14:14 localhost haproxy[14389]: Proxy http-in started.`, NotALogLine, wantRecord{}},
	{"haproxy, a TCP log", "haproxy-http", `Feb  6 12:12:51 localhost haproxy[14387]: 10.0.1.2:33313 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0`, NotALogLine, wantRecord{}},
	{"haproxy, cut after the timers", "haproxy-http", `10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109`, Truncated, wantRecord{}},
	{"haproxy, no request", "haproxy-http", `10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0`, Truncated, wantRecord{}},
	{"haproxy, status a word", "haproxy-http", `10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 OK 2750 - - ---- 1/1/1/1/0 0/0 "GET / HTTP/1.1"`, BadStatus, wantRecord{}},
	{"haproxy, 30 February", "haproxy-http", `10.0.1.2:33317 [30/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 "GET / HTTP/1.1"`, BadTimestamp, wantRecord{}},
	{"haproxy, a combined line", "haproxy-http", `10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`, NotALogLine, wantRecord{}},
}

// TestHAProxy parses the HAProxy cases.
func TestHAProxy(t *testing.T) { testLineCases(t, haproxyCases) }
