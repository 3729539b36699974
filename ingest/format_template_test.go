package ingest

import (
	"strings"
	"testing"
	"time"
)

// The example nginx format, with request time, upstream connect
// time and the Retry-After the API sent.
const nginxPIM = `nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" ra="$sent_http_retry_after"`

const apacheRich = `apache:%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D \"%{Retry-After}o\" %{X-Request-Id}i %{X-RateLimit-Remaining}o %{X-Api-Key}i %v`

func init() {
	lineCases = append(lineCases, templateCases...)
}

var templateCases = []lineCase{
	{"nginx custom with request time and retry-after", nginxPIM,
		`198.51.100.23 - shop-connector [12/Mar/2025:10:15:32 +0100] "GET /api/documents/42 HTTP/1.1" 429 112 "-" "Shopify-Quable-Connector/1.8" rt=0.004 uct="0.001" ra="30"`,
		OK, wantRecord{time: "2025-03-12T09:15:32Z", offset: 3600, client: "198.51.100.23", user: "shop-connector", method: "GET", path: "/api/documents/42", protocol: "HTTP/1.1", agent: "Shopify-Quable-Connector/1.8", status: 429, bytes: 112, duration: 4 * time.Millisecond,
			ext: &wantExt{upstream: -1, retryAfter: 30 * time.Second, backendStatus: -1, rateLimit: -1, rateRemaining: -1, rateReset: -1, extra: "upstream_connect_time=0.001"}}},
	{"nginx custom, retry-after as a date and upstream list", `nginx:$time_iso8601 $remote_addr "$request" $status $bytes_sent $upstream_response_time "$sent_http_retry_after" $request_id "$http_idempotency_key"`,
		`2025-03-12T10:15:32+00:00 10.0.0.1 "POST /api/imports HTTP/1.1" 503 97 0.010, 0.250 : 0.002 "Wed, 12 Mar 2025 10:16:02 GMT" 7f3a9c "imp-2025-03-12-0042"`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", method: "POST", path: "/api/imports", protocol: "HTTP/1.1", status: 503, bytes: 97, duration: -1,
			ext: &wantExt{upstream: 2 * time.Millisecond, retryAfter: 30 * time.Second, backendStatus: -1, rateLimit: -1, rateRemaining: -1, rateReset: -1, requestID: "7f3a9c", idempotencyKey: "imp-2025-03-12-0042"}}},
	{"nginx method, uri and args apart", `nginx:[$time_local] $remote_addr $request_method $uri $args $server_protocol $status`,
		`[12/Mar/2025:10:15:32 +0000] 10.0.0.1 GET /api/assets page=2 HTTP/2.0 200`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", method: "GET", path: "/api/assets", query: "page=2", protocol: "HTTP/2.0", status: 200, bytes: -1, duration: -1}},
	{"apache rich", apacheRich,
		`203.0.113.10 - erp-sync [12/Mar/2025:10:15:32 +0100] "PUT /api/documents/7 HTTP/1.1" 200 17 "-" "erp-sync/4.2" 31245 "-" req-1 118 key-abc api.example.com`,
		OK, wantRecord{time: "2025-03-12T09:15:32Z", offset: 3600, client: "203.0.113.10", user: "erp-sync", method: "PUT", path: "/api/documents/7", protocol: "HTTP/1.1", agent: "erp-sync/4.2", status: 200, bytes: 17, duration: 31245 * time.Microsecond,
			ext: &wantExt{upstream: -1, retryAfter: -1, backendStatus: -1, rateLimit: -1, rateRemaining: 118, rateReset: -1, requestID: "req-1", credential: "key-abc", host: "api.example.com"}}},
	{"apache %U%q and %T", `apache:%a [%{%Y-%m-%dT%H:%M:%S}t] %m %U%q %H %s %B %{ms}T`,
		`10.0.0.1 [2025-03-12T10:15:32] GET /api/locales?lang=fr HTTP/1.1 200 512 12`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", method: "GET", path: "/api/locales", query: "lang=fr", protocol: "HTTP/1.1", status: 200, bytes: 512, duration: 12 * time.Millisecond}},
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
	{"aws-alb", "aws-alb",
		`http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/api/documents?x=1 HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" 10.0.0.1:80 200 "-" "-" TID_dc57cebed65b444ebc8177bb698fe166`,
		OK, wantRecord{time: "2018-07-02T22:23:00.186641Z", client: "192.168.131.39", method: "GET", path: "/api/documents", query: "x=1", protocol: "HTTP/1.1", agent: "curl/7.46.0", status: 200, bytes: 366, duration: time.Millisecond, ext: nil}},
	{"aws-alb error of the balancer itself", "aws-alb",
		`http 2021-03-17T18:54:14.216357Z app/awseb-AWSEB-1KGU6EBAG3FAD/7f0dc2b05788640f 113.241.19.90:15070 - -1 -1 -1 400 - 0 272 "- http://awseb-awseb-1kgu6fbag3fad-640112591.us-east-1.elb.amazonaws.com:80- -" "-" - - - "-" "-" "-" - 2021-03-17T18:54:13.967000Z "-" "-" "-" "-" "-" "-" "-"`,
		OK, wantRecord{time: "2021-03-17T18:54:14.216357Z", client: "113.241.19.90", status: 400, bytes: 272, duration: -1,
			ext: &wantExt{upstream: -1, retryAfter: -1, backendStatus: -1, lbError: true, rateLimit: -1, rateRemaining: -1, rateReset: -1,
				extra: "type=http elb=app/awseb-AWSEB-1KGU6EBAG3FAD/7f0dc2b05788640f received_bytes=0 request_creation_time=2021-03-17T18:54:13.967000Z"}}},
	{"aws-elb", "aws-elb",
		`2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 503 503 0 29 "GET http://www.example.com:80/api/assets HTTP/1.1" "curl/7.38.0" - -`,
		OK, wantRecord{time: "2015-05-13T23:39:43.945958Z", client: "192.168.131.39", method: "GET", path: "/api/assets", protocol: "HTTP/1.1", agent: "curl/7.38.0", status: 503, bytes: 29, duration: 1178 * time.Microsecond}},

	{"nginx custom on a line cut short", nginxPIM, `198.51.100.23 - shop-connector [12/Mar/2025:10:15:32 +0100] "GET /api/documents/42 HTTP/1.1" 429`, Truncated, wantRecord{}},
	{"nginx custom on another format", nginxPIM, `{"status":200}`, Truncated, wantRecord{}},
	{"aws-alb too short", "aws-alb", `http 2018-07-02T22:23:00.186641Z app/x 1.2.3.4:1 - 0 0 0 200`, Truncated, wantRecord{}},
}

func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"nginx:$remote_addr$remote_user [$time_local] $status", "touch"},
		{"nginx:$remote_addr [$time_local]", "no status"},
		{"nginx:$remote_addr $status", "no time"},
		{"nginx:${remote_addr [$time_local] $status", "unclosed"},
		{"apache:%h %t %>s %", "bare %"},
		{"apache:%h %t %>s %Z", "unknown directive"},
		{"apache:%h %t %>s %i", "needs a header name"},
		{"nginx:main", `no log_format named "main"`},
		{"nope", `unknown format "nope"`},
	} {
		_, err := ResolveFormat(tc.spec, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ResolveFormat(%q) = %v, want an error containing %q", tc.spec, err, tc.want)
		}
	}
}

func TestNginxConf(t *testing.T) {
	conf := `
http {
    # the API's format
    log_format pim '$remote_addr - $remote_user [$time_local] "$request" '
                   '$status $body_bytes_sent "$http_referer" '
                   '"$http_user_agent" rt=$request_time ra="$sent_http_retry_after"';
    log_format json_api escape=json '{"time":"$time_iso8601","status":"$status",'
        '"request":"$request","addr":"$remote_addr"}';
    access_log /var/log/nginx/api.log pim;
}`
	defs, err := parseNginxConf(conf)
	if err != nil {
		t.Fatal(err)
	}
	want := `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time ra="$sent_http_retry_after"`
	if defs["pim"] != want {
		t.Errorf("pim = %q\nwant %q", defs["pim"], want)
	}
	f, err := ResolveFormat("nginx:pim", defs)
	if err != nil {
		t.Fatal(err)
	}
	var rec Record
	rec.reset()
	line := `10.0.0.1 - erp [12/Mar/2025:10:15:32 +0000] "GET /api/x HTTP/1.1" 429 5 "-" "ua" rt=0.120 ra="7"`
	if r := f.New(ParseOptions{}).Parse([]byte(line), &rec); r != OK || rec.RetryAfter != 7*time.Second || rec.Duration != 120*time.Millisecond {
		t.Errorf("nginx:pim: %s, retry-after %v, duration %v", r, rec.RetryAfter, rec.Duration)
	}
	jf, err := ResolveFormat("nginx:json_api", defs)
	if err != nil {
		t.Fatal(err)
	}
	rec.reset()
	if r := jf.New(ParseOptions{}).Parse([]byte(`{"time":"2025-03-12T10:15:32+00:00","status":"503","request":"POST /api/imports HTTP/1.1","addr":"10.0.0.2"}`), &rec); r != OK || rec.Status != 503 || string(rec.Path) != "/api/imports" {
		t.Errorf("nginx:json_api: %s %+v", r, rec)
	}
}

func TestTimeZoneOption(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skipf("skipping: no zone database: %v", err)
	}
	f, _ := ResolveFormat(`apache:%a [%{%Y-%m-%d %H:%M:%S}t] "%r" %s`, nil)
	for _, tc := range []struct {
		tz   *time.Location
		want string
	}{{nil, "2025-07-01T10:00:00Z"}, {paris, "2025-07-01T08:00:00Z"}} {
		var rec Record
		rec.reset()
		r := f.New(ParseOptions{TZ: tc.tz}).Parse([]byte(`10.0.0.1 [2025-07-01 10:00:00] "GET / HTTP/1.1" 200`), &rec)
		if r != OK || rec.Time.Format(time.RFC3339) != tc.want {
			t.Errorf("tz %v: %s %v, want %s", tc.tz, r, rec.Time, tc.want)
		}
	}
	// A logged zone wins over --tz.
	var rec Record
	rec.reset()
	combinedFormat.New(ParseOptions{TZ: paris}).Parse([]byte(`10.0.0.1 - - [01/Jul/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 1`), &rec)
	if rec.Time.Format(time.RFC3339) != "2025-07-01T10:00:00Z" {
		t.Errorf("logged zone: %v", rec.Time)
	}
}
