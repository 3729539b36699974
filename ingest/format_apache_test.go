package ingest

import (
	"testing"
	"time"
)

func init() {
	lineCases = append(lineCases, apacheCases...)
}

const apacheRich = `apache:%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D \"%{Retry-After}o\" %{X-Request-Id}i %{X-RateLimit-Remaining}o %{X-Api-Key}i %v`

// apacheCases are lines of formats given as an Apache LogFormat string,
// and what each becomes.
var apacheCases = []lineCase{
	{"apache rich", apacheRich,
		`203.0.113.10 - erp-sync [12/Mar/2025:10:15:32 +0100] "PUT /api/documents/7 HTTP/1.1" 200 17 "-" "erp-sync/4.2" 31245 "-" req-1 118 key-abc api.example.com`,
		OK, wantRecord{time: "2025-03-12T09:15:32Z", offset: 3600, client: "203.0.113.10", user: "erp-sync", method: "PUT", path: "/api/documents/7", protocol: "HTTP/1.1", agent: "erp-sync/4.2", status: 200, bytes: 17, duration: 31245 * time.Microsecond,
			ext: &wantExt{upstream: -1, retryAfter: -1, backendStatus: -1, rateLimit: -1, rateRemaining: 118, rateReset: -1, requestID: "req-1", credential: "key-abc", host: "api.example.com"}}},
	{"apache %U%q and %T", `apache:%a [%{%Y-%m-%dT%H:%M:%S}t] %m %U%q %H %s %B %{ms}T`,
		`10.0.0.1 [2025-03-12T10:15:32] GET /api/locales?lang=fr HTTP/1.1 200 512 12`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", method: "GET", path: "/api/locales", query: "lang=fr", protocol: "HTTP/1.1", status: 200, bytes: 512, duration: 12 * time.Millisecond}},
	{"apache rich, cut after the status", apacheRich, `203.0.113.10 - erp-sync [12/Mar/2025:10:15:32 +0100] "PUT /api/documents/7 HTTP/1.1" 200`, Truncated, wantRecord{}},
	{"apache rich, status a word", apacheRich, `203.0.113.10 - erp-sync [12/Mar/2025:10:15:32 +0100] "PUT /api/documents/7 HTTP/1.1" OK 17 "-" "erp-sync/4.2" 31245 "-" req-1 118 key-abc api.example.com`, BadStatus, wantRecord{}},
	{"apache rich, 31 April", apacheRich, `203.0.113.10 - erp-sync [31/Apr/2025:10:15:32 +0100] "PUT /api/documents/7 HTTP/1.1" 200 17 "-" "erp-sync/4.2" 31245 "-" req-1 118 key-abc api.example.com`, BadTimestamp, wantRecord{}},
	{"apache %U%q and %T, size a word", `apache:%a [%{%Y-%m-%dT%H:%M:%S}t] %m %U%q %H %s %B %{ms}T`, `10.0.0.1 [2025-03-12T10:15:32] GET /api/locales?lang=fr HTTP/1.1 200 many 12`, BadSize, wantRecord{}},
	{"apache error log as a LogFormat", apacheRich, `[Wed Mar 12 10:15:32.123456 2025] [proxy:error] [pid 4803:tid 3814] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 failed`, Truncated, wantRecord{}},
}

// TestApache parses the Apache LogFormat cases.
func TestApache(t *testing.T) { testLineCases(t, apacheCases) }
