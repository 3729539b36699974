package ingest

import (
	"testing"
	"time"
)

func init() {
	lineCases = append(lineCases, nginxCases...)
}

// The example nginx format, with request time, upstream connect
// time and the Retry-After the API sent.
const nginxPIM = `nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" ra="$sent_http_retry_after"`

// nginxCases are lines of formats given as an nginx log_format string,
// and what each becomes.
var nginxCases = []lineCase{
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
	{"nginx custom on a line cut short", nginxPIM, `198.51.100.23 - shop-connector [12/Mar/2025:10:15:32 +0100] "GET /api/documents/42 HTTP/1.1" 429`, Truncated, wantRecord{}},
	{"nginx custom on another format", nginxPIM, `{"status":200}`, Truncated, wantRecord{}},
	{"nginx custom, status a word", nginxPIM, `198.51.100.23 - shop-connector [12/Mar/2025:10:15:32 +0100] "GET /api/documents/42 HTTP/1.1" OK 112 "-" "Shopify-Quable-Connector/1.8" rt=0.004 uct="0.001" ra="30"`, BadStatus, wantRecord{}},
	{"nginx custom, hour 25", nginxPIM, `198.51.100.23 - shop-connector [12/Mar/2025:25:15:32 +0100] "GET /api/documents/42 HTTP/1.1" 200 112 "-" "Shopify-Quable-Connector/1.8" rt=0.004 uct="0.001" ra="-"`, BadTimestamp, wantRecord{}},
	{"nginx custom, size a word", nginxPIM, `198.51.100.23 - shop-connector [12/Mar/2025:10:15:32 +0100] "GET /api/documents/42 HTTP/1.1" 200 lots "-" "Shopify-Quable-Connector/1.8" rt=0.004 uct="0.001" ra="-"`, BadSize, wantRecord{}},
	{"nginx custom, an error log line", nginxPIM, `2025/03/12 10:15:32 [error] 31#31: *1 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 198.51.100.23`, Truncated, wantRecord{}},
}

// TestNginx parses the nginx log_format cases.
func TestNginx(t *testing.T) { testLineCases(t, nginxCases) }

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
