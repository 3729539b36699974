package ingest

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func init() {
	lineCases = append(lineCases, jsonCases...)
	lineCases = append(lineCases, jsonDialectCases...)
}

// jsonCases are JSON lines (nginx's escape=json, numbers or strings,
// epochs) and broken ones with their rejection reason.
var jsonCases = []lineCase{
	{"json nginx", "json",
		`{"time_iso8601":"2025-03-12T10:15:32+01:00","remote_addr":"203.0.113.7","remote_user":"erp-sync","request":"PUT /api/documents/42?x=1 HTTP/1.1","status":"200","body_bytes_sent":"17","request_time":"0.125","http_referer":"","http_user_agent":"QuableSDK/2.3"}`,
		OK, wantRecord{time: "2025-03-12T09:15:32Z", offset: 3600, client: "203.0.113.7", user: "erp-sync", method: "PUT", path: "/api/documents/42", query: "x=1", protocol: "HTTP/1.1", agent: "QuableSDK/2.3", status: 200, bytes: 17, duration: 125 * time.Millisecond}},
	{"json numbers and method+uri", "json",
		`{"time_local":"12/Mar/2025:10:15:32 +0000","remote_addr":"::1","method":"DELETE","uri":"/api/assets/9","args":"force=1","status":204,"bytes":0,"request_time":0.002}`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "::1", method: "DELETE", path: "/api/assets/9", query: "force=1", status: 204, bytes: 0, duration: 2 * time.Millisecond}},
	{"json escapes and epoch", "json",
		`{"msec":"1741774532.500","remote_addr":"10.0.0.1","request":"GET /a HTTP/1.1","status":"404","http_user_agent":"say \"hi\" \u00e9\ud83d\ude00 \x22x\x22","extra":{"nested":[1,2,{"k":null}]},"ok":true}`,
		OK, wantRecord{time: "2025-03-12T10:15:32.5Z", client: "10.0.0.1", method: "GET", path: "/a", protocol: "HTTP/1.1", agent: "say \"hi\" é😀 \"x\"", status: 404, bytes: -1, duration: -1}},
	{"json @timestamp Z", "json",
		`{"@timestamp":"2025-03-12T10:15:32.123456Z","client_ip":"10.0.0.2","request":"-","status":"000"}`,
		OK, wantRecord{time: "2025-03-12T10:15:32.123456Z", client: "10.0.0.2", status: 0, bytes: -1, duration: -1}},
	{"json broken", "json", `{"status":"200","remote_addr":"10.0.0.1"`, BadJSON, wantRecord{}},
	{"json trailing garbage", "json", `{"status":"200"} x`, BadJSON, wantRecord{}},
	{"json bad escape", "json", `{"status":"200","a":"\q"}`, BadJSON, wantRecord{}},
	{"json no status", "json", `{"time":"2025-03-12T10:15:32Z","remote_addr":"10.0.0.1"}`, MissingField, wantRecord{}},
	{"json no time", "json", `{"status":200}`, MissingField, wantRecord{}},
	{"json bad status", "json", `{"time":"2025-03-12T10:15:32Z","status":"OK"}`, BadStatus, wantRecord{}},
	{"json bad time", "json", `{"time":"yesterday","status":200}`, BadTimestamp, wantRecord{}},
	{"json array", "json", `[1,2,3]`, NotALogLine, wantRecord{}},
	{"json on text", "json", `10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1`, BadJSON, wantRecord{}},
}

// TestJSON parses the JSON cases and those of the dialects (Caddy,
// Traefik, Envoy, Kong, API Gateway).
func TestJSON(t *testing.T) {
	testLineCases(t, jsonCases)
	testLineCases(t, jsonDialectCases)
}

var noExt = wantExt{upstream: -1, retryAfter: -1, backendStatus: -1, rateLimit: -1, rateRemaining: -1, rateReset: -1}

func ext(f func(*wantExt)) *wantExt { e := noExt; f(&e); return &e }

var jsonDialectCases = []lineCase{
	{"caddy", "caddy",
		`{"level":"info","ts":1741774532.5241024,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"203.0.113.7","remote_port":"41342","client_ip":"203.0.113.7","proto":"HTTP/2.0","method":"GET","host":"api.example.com","uri":"/api/documents/42?lang=fr","headers":{"User-Agent":["QuableSDK/2.3"],"X-Request-Id":["r-1"]}},"bytes_read":0,"user_id":"","duration":0.000929675,"size":10900,"status":429,"resp_headers":{"Retry-After":["30"],"Content-Type":["application/json"]}}`,
		OK, wantRecord{time: "2025-03-12T10:15:32.5241024Z", client: "203.0.113.7", method: "GET", path: "/api/documents/42", query: "lang=fr", protocol: "HTTP/2.0", agent: "QuableSDK/2.3", status: 429, bytes: 10900, duration: 929675 * time.Nanosecond,
			ext: ext(func(e *wantExt) { e.retryAfter = 30 * time.Second; e.requestID = "r-1"; e.host = "api.example.com" })}},
	{"traefik json", "json",
		`{"ClientAddr":"10.0.0.1:5678","ClientHost":"10.0.0.1","ClientUsername":"-","DownstreamContentSize":123,"DownstreamStatus":503,"Duration":1234567,"OriginDuration":1000000,"OriginStatus":503,"RequestHost":"api.example.com","RequestMethod":"POST","RequestPath":"/api/imports?dry=1","RequestProtocol":"HTTP/1.1","StartUTC":"2025-03-12T10:15:32.123456789Z","request_User-Agent":"dam-importer/2.0","downstream_Retry-After":"120","level":"info","msg":"","time":"2025-03-12T10:15:32Z"}`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.1", method: "POST", path: "/api/imports", query: "dry=1", protocol: "HTTP/1.1", agent: "dam-importer/2.0", status: 503, bytes: 123, duration: 1234567 * time.Nanosecond,
			ext: ext(func(e *wantExt) {
				e.upstream = time.Millisecond
				e.backendStatus = 503
				e.retryAfter = 120 * time.Second
				e.host = "api.example.com"
			})}},
	{"envoy", "json",
		`{"start_time":"2025-03-12T10:15:32.000Z","method":"PUT","path":"/api/documents/7","protocol":"HTTP/1.1","response_code":200,"response_flags":"-","bytes_received":10,"bytes_sent":17,"duration":12,"upstream_service_time":"10","x_forwarded_for":"198.51.100.1","user_agent":"erp-sync/4.2","request_id":"8b4c","authority":"api.example.com","upstream_host":"10.1.0.4:8080","downstream_remote_address":"10.0.0.9:40000"}`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "10.0.0.9", method: "PUT", path: "/api/documents/7", protocol: "HTTP/1.1", agent: "erp-sync/4.2", status: 200, bytes: 17, duration: 12 * time.Millisecond,
			ext: ext(func(e *wantExt) {
				e.upstream = 10 * time.Millisecond
				e.requestID = "8b4c"
				e.host = "api.example.com"
				e.forwardedFor = "198.51.100.1"
			})}},
	{"kong", "json",
		`{"request":{"method":"GET","uri":"/api/assets?page=2","url":"http://api.example.com:8000/api/assets?page=2","size":86,"headers":{"user-agent":"bi-export/0.9","x-request-id":"k-9"}},"response":{"status":200,"size":934,"headers":{"x-ratelimit-remaining-minute":"58","retry-after":"5"}},"latencies":{"request":515,"kong":58,"proxy":457},"client_ip":"127.0.0.1","started_at":1741774532000,"consumer":{"username":"bi-export"}}`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "127.0.0.1", method: "GET", path: "/api/assets", query: "page=2", agent: "bi-export/0.9", status: 200, bytes: 934, duration: 515 * time.Millisecond,
			ext: ext(func(e *wantExt) {
				e.upstream = 457 * time.Millisecond
				e.requestID = "k-9"
				e.credential = "bi-export"
				e.retryAfter = 5 * time.Second
			})}},
	{"api gateway", "json",
		`{"requestId":"c6af9ac6","ip":"203.0.113.7","caller":"-","user":"-","requestTime":"12/Mar/2025:10:15:32 +0000","httpMethod":"DELETE","resourcePath":"/documents/{id}","path":"/api/documents/9","status":"204","protocol":"HTTP/1.1","responseLength":"0","integrationLatency":"31","responseLatency":"35"}`,
		OK, wantRecord{time: "2025-03-12T10:15:32Z", client: "203.0.113.7", method: "DELETE", path: "/api/documents/9", protocol: "HTTP/1.1", status: 204, bytes: 0, duration: 35 * time.Millisecond,
			ext: ext(func(e *wantExt) { e.upstream = 31 * time.Millisecond; e.requestID = "c6af9ac6" })}},
	{"json bad status with bad json later", "json", `{"status":"OK","a":}`, BadJSON, wantRecord{}},
}

func TestJSONFieldMappings(t *testing.T) {
	f, err := JSONFields([]string{"status=response.code", "time=meta.when", "client=peer.addr", "path=call.route", "method=call.verb", "duration_ms=meta.took"})
	if err != nil {
		t.Fatal(err)
	}
	var rec Record
	rec.reset()
	line := `{"meta":{"when":"2025-03-12T10:15:32Z","took":42},"peer":{"addr":"10.0.0.1"},"call":{"verb":"GET","route":"/api/x"},"response":{"code":"503"}}`
	if r := f.New(ParseOptions{}).Parse([]byte(line), &rec); r != OK {
		t.Fatalf("Parse: %s", r)
	}
	if rec.Status != 503 || string(rec.Client) != "10.0.0.1" || string(rec.Path) != "/api/x" || string(rec.Method) != "GET" || rec.Duration != 42*time.Millisecond {
		t.Errorf("record %+v", rec)
	}
	for _, bad := range []string{"status", "status=", "colour=x.y"} {
		if _, err := JSONFields([]string{bad}); err == nil || !strings.Contains(err.Error(), "cannot read --field") {
			t.Errorf("JSONFields(%q) = %v", bad, err)
		}
	}
}

func TestDetectLowConfidence(t *testing.T) {
	head := "hello world\nnot a log\n" + `10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "x"` + "\nmore prose\n"
	d := Detect([]byte(head))
	if d.Format != nil {
		t.Fatalf("chose %s on 1 of 4 lines", d.Format.Name)
	}
	if len(d.Candidates) == 0 || d.Candidates[0].Format != "combined" || d.Candidates[0].Matched != 1 || d.Candidates[0].Sampled != 4 {
		t.Errorf("candidates %+v", d.Candidates)
	}
	if len(d.Examples) != 2 || d.Examples[0] != "hello world" {
		t.Errorf("examples %q", d.Examples)
	}
	// Half the lines is enough.
	line := `10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "x"`
	if d := Detect([]byte("prose\n" + line + "\n" + line + "\nprose\n")); d.Format == nil || d.Format.Name != "combined" {
		t.Errorf("2 of 4 lines: %+v", d)
	}
}

// strByLoop is the JSON string reader as it was: byte by byte.
func strByLoop(s *jsonScanner, p *jsonParser) ([]byte, bool) {
	start := s.i + 1
	for i := start; i < len(s.b); i++ {
		switch c := s.b[i]; {
		case c == '"':
			s.i = i + 1
			return s.b[start:i], true
		case c == '\\':
			return s.unescape(p, start)
		case c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// TestJSONStrAgainstLoop reads random strings, rich in quotes, backslashes,
// control characters and high bytes, with str and with the byte loop: the
// same content, verdict and position every time.
func TestJSONStrAgainstLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	alphabet := []byte("ab\"\\\\x0u/n\x01\x1f \x7f\xc3\xa9\x80\xff")
	for range 200000 {
		b := make([]byte, 1+rng.IntN(40))
		b[0] = '"'
		for i := 1; i < len(b); i++ {
			b[i] = alphabet[rng.IntN(len(alphabet))]
			if rng.IntN(3) > 0 {
				b[i] = 'a' + byte(rng.IntN(26))
			}
		}
		s1, s2 := &jsonScanner{b: b}, &jsonScanner{b: b}
		p1, p2 := &jsonParser{}, &jsonParser{}
		got, ok := s1.str(p1)
		want, wantOK := strByLoop(s2, p2)
		if ok != wantOK || string(got) != string(want) || ok && s1.i != s2.i {
			t.Fatalf("str(%q) = %q %v at %d, the loop %q %v at %d", b, got, ok, s1.i, want, wantOK, s2.i)
		}
	}
}

// TestParseSecondsBounds: a duration a time.Duration cannot hold (past
// ~292 years) is not logged, rather than wrapped to a wrong value.
func TestParseSecondsBounds(t *testing.T) {
	for _, tc := range []struct {
		in   string
		unit time.Duration
		want time.Duration
		ok   bool
	}{
		{"0.027", time.Second, 27 * time.Millisecond, true},
		{"9000000000", time.Second, 9000000000 * time.Second, true},
		{"9999999999999", time.Second, 0, false},      // 317,000 years
		{"9999999999999", time.Millisecond, 0, false}, // 317 years
		{"9000000000000", time.Millisecond, 9000000000000 * time.Millisecond, true},
		{"12.5", time.Millisecond, 12500 * time.Microsecond, true},
		{"", time.Second, 0, false},
	} {
		got, ok := parseSeconds([]byte(tc.in), tc.unit)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("parseSeconds(%q, %v) = %v %v, want %v %v", tc.in, tc.unit, got, ok, tc.want, tc.ok)
		}
	}
}
