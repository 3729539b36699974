package ingest

import (
	"testing"
	"time"
)

func init() {
	lineCases = append(lineCases, presetCases...)
}

// presetCases are lines of the named formats compiled from an nginx or
// Apache format string (format_presets.go), each from its project's
// documentation, and what each becomes.
var presetCases = []lineCase{
	{"nginx_main", "nginx_main",
		`172.24.0.2 - alice [03/Jan/2025:16:42:58 +0000] "GET / HTTP/1.1" 200 615 "http://domain.tld/path" "curl/8.11.1" "1.2.3.4, 10.10.1.1"`,
		OK, wantRecord{time: "2025-01-03T16:42:58Z", client: "172.24.0.2", user: "alice", method: "GET", path: "/", protocol: "HTTP/1.1", referer: "http://domain.tld/path", agent: "curl/8.11.1", status: 200, bytes: 615, duration: -1,
			ext: &wantExt{upstream: -1, retryAfter: -1, backendStatus: -1, rateLimit: -1, rateRemaining: -1, rateReset: -1, forwardedFor: "1.2.3.4, 10.10.1.1"}}},
	{"ingress-nginx", "ingress-nginx",
		`0.0.0.0 - bob [18/Mar/2023:15:00:00 +0000] "GET /some/path HTTP/2.0" 200 12312 "https://10.0.0.1/some/referer" "Mozilla/5.0" 462 0.050 [some-upstream-service-9000] [] 10.0.50.80:9000, 10.0.50.81:9000 19437, 19437 0.049, 0.001 502, 200 752178adb17130b291aefd8c386279e7`,
		OK, wantRecord{time: "2023-03-18T15:00:00Z", client: "0.0.0.0", user: "bob", method: "GET", path: "/some/path", protocol: "HTTP/2.0", referer: "https://10.0.0.1/some/referer", agent: "Mozilla/5.0", status: 200, bytes: 12312, duration: 50 * time.Millisecond,
			ext: &wantExt{upstream: time.Millisecond, retryAfter: -1, backendStatus: 200, rateLimit: -1, rateRemaining: -1, rateReset: -1, requestID: "752178adb17130b291aefd8c386279e7",
				extra: "request_length=462 proxy_upstream_name=some-upstream-service-9000 upstream_addr=10.0.50.80:9000, 10.0.50.81:9000 upstream_response_length=19437, 19437"}}},
	{"traefik", "traefik",
		`192.168.33.1 - - [02/Oct/2017:20:22:07 +0000] "GET /ui/favicons/favicon-16x16.png HTTP/1.1" 304 0 "http://example.com/login" "Mozilla/5.0" 262 "Host-host-1" "http://172.19.0.3:5601" 2ms`,
		OK, wantRecord{time: "2017-10-02T20:22:07Z", client: "192.168.33.1", method: "GET", path: "/ui/favicons/favicon-16x16.png", protocol: "HTTP/1.1", referer: "http://example.com/login", agent: "Mozilla/5.0", status: 304, bytes: 0, duration: 2 * time.Millisecond}},
	{"envoy", "envoy", // Envoy's documentation's example; no client address: the first forwarded one stands
		`[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28, 10.0.0.1" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "tcp://10.0.2.1:80"`,
		OK, wantRecord{time: "2016-04-15T20:17:00.31Z", client: "10.0.35.28", method: "POST", path: "/api/v1/locations", protocol: "HTTP/2", agent: "nsq2http", status: 204, bytes: 0, duration: 226 * time.Millisecond,
			ext: &wantExt{upstream: 100 * time.Millisecond, retryAfter: -1, backendStatus: -1, rateLimit: -1, rateRemaining: -1, rateReset: -1, requestID: "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2", host: "locations", forwardedFor: "10.0.35.28, 10.0.0.1",
				extra: "request_length=154 upstream_host=tcp://10.0.2.1:80"}}},
	{"istio", "istio", // Istio's documentation's example
		`[2020-11-25T21:26:18.409Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 135 4 4 "-" "curl/7.73.0-DEV" "84961386-6d84-929d-98bd-c5aee93b5c88" "httpbin:8000" "127.0.0.1:80" inbound|8000|| 127.0.0.1:41854 10.44.1.27:80 10.44.1.23:37652 outbound_.8000_._.httpbin.default.svc.cluster.local default`,
		OK, wantRecord{time: "2020-11-25T21:26:18.409Z", client: "10.44.1.23", method: "GET", path: "/status/418", protocol: "HTTP/1.1", agent: "curl/7.73.0-DEV", status: 418, bytes: 135, duration: 4 * time.Millisecond,
			ext: &wantExt{upstream: 4 * time.Millisecond, retryAfter: -1, backendStatus: -1, rateLimit: -1, rateRemaining: -1, rateReset: -1, requestID: "84961386-6d84-929d-98bd-c5aee93b5c88", host: "httpbin:8000",
				extra: "response_code_details=via_upstream request_length=0 upstream_host=127.0.0.1:80 upstream_cluster=inbound|8000|| upstream_local_address=127.0.0.1:41854 downstream_local_address=10.44.1.27:80 requested_server_name=outbound_.8000_._.httpbin.default.svc.cluster.local route_name=default"}}},
	{"vhost_combined", "vhost_combined",
		`vhost1.domaine.fr 123.123.123.123 - - [04/Jul/2019:09:20:46 +0200] "GET / HTTP/1.1" 200 32953 "-" "Mozilla/5.0"`,
		OK, wantRecord{time: "2019-07-04T07:20:46Z", offset: 7200, client: "123.123.123.123", method: "GET", path: "/", protocol: "HTTP/1.1", agent: "Mozilla/5.0", status: 200, bytes: 32953, duration: -1,
			ext: &wantExt{upstream: -1, retryAfter: -1, backendStatus: -1, rateLimit: -1, rateRemaining: -1, rateReset: -1, host: "vhost1.domaine.fr"}}},
	{"nginx_main, without the forwarded-for field", "nginx_main", `172.24.0.2 - alice [03/Jan/2025:16:42:58 +0000] "GET / HTTP/1.1" 200 615 "http://domain.tld/path" "curl/8.11.1"`, Truncated, wantRecord{}},
	{"ingress-nginx, status a word", "ingress-nginx", `0.0.0.0 - bob [18/Mar/2023:15:00:00 +0000] "GET /some/path HTTP/2.0" OK 12312 "-" "Mozilla/5.0" 462 0.050 [svc-9000] [] 10.0.50.80:9000 19437 0.049 200 7521`, BadStatus, wantRecord{}},
	{"envoy, bad time", "envoy", `[2016-13-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21" "locations" "tcp://10.0.2.1:80"`, BadTimestamp, wantRecord{}},
	// The host reads the client, the client the "-": the line ends one field early.
	{"vhost_combined, a combined line", "vhost_combined", `123.123.123.123 - - [04/Jul/2019:09:20:46 +0200] "GET / HTTP/1.1" 200 32953 "-" "Mozilla/5.0"`, Truncated, wantRecord{}},
}

// TestPresets parses the preset cases.
func TestPresets(t *testing.T) { testLineCases(t, presetCases) }
