package synth

import (
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// format appends r as one line of the configured format.
func (g *generator) format(b []byte, r *request) []byte {
	user := r.c.user
	if user == "" {
		user = "-"
	}
	switch g.cfg.Format {
	case "nginx", "alb", "w3c", "envoy":
		return g.formatRich(b, r)
	case "vhost", "nginx_main", "ingress", "traefik", "istio", "elb", "haproxy", "cloudfront", "caddy":
		return g.formatProxy(b, r)
	}
	if g.cfg.Format == "json" {
		b = append(b, `{"time_iso8601":"`...)
		b = r.at.AppendFormat(b, time.RFC3339)
		b = append(b, `","remote_addr":"`...)
		b = append(b, r.addr...)
		b = append(b, `","remote_user":"`...)
		b = append(b, user...)
		b = append(b, `","request":"`...)
		b = append(b, r.method...)
		b = append(b, ' ')
		b = append(b, r.target...)
		b = append(b, ` HTTP/1.1","status":"`...)
		b = strconv.AppendInt(b, int64(r.status), 10)
		b = append(b, `","body_bytes_sent":"`...)
		b = strconv.AppendInt(b, int64(r.bytes), 10)
		b = append(b, `","request_time":"`...)
		b = strconv.AppendFloat(b, r.dur.Seconds(), 'f', 3, 64)
		b = append(b, `","http_referer":"","http_user_agent":"`...)
		b = append(b, r.c.agent...)
		return append(b, `"}`...)
	}
	b = append(b, r.addr...)
	b = append(b, " - "...)
	b = append(b, user...)
	b = append(b, " ["...)
	b = r.at.AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
	b = append(b, `] "`...)
	b = append(b, r.method...)
	b = append(b, ' ')
	b = append(b, r.target...)
	b = append(b, ` HTTP/1.1" `...)
	b = strconv.AppendInt(b, int64(r.status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(r.bytes), 10)
	if g.cfg.Format == "common" {
		return b
	}
	b = append(b, ` "-" "`...)
	b = append(b, r.c.agent...)
	return append(b, '"')
}

// malformed appends one of the broken lines real logs carry, in turn.
func (g *generator) malformed(b []byte, i int) []byte {
	ts := g.now.Format("02/Jan/2006:15:04:05 -0700")
	kind := (i / max(g.cfg.Malformed, 1)) % 6
	if g.cfg.Format == "json" {
		switch kind % 3 {
		case 0: // cut mid-write
			return fmt.Appendf(b, `{"time_iso8601":"%s","remote_addr":"203.0.113.10","request":"GET /api/docu`, g.now.Format(time.RFC3339))
		case 1: // not JSON: a stray text line from the same file
			return fmt.Appendf(b, `%s [warn] upstream response buffered to a temporary file`, g.now.Format("2006/01/02 15:04:05"))
		default: // no status
			return fmt.Appendf(b, `{"time_iso8601":"%s","remote_addr":"198.51.100.23","request":"GET /api/locales HTTP/1.1"}`, g.now.Format(time.RFC3339))
		}
	}
	switch kind {
	case 0: // TLS handshake sent to the plain-HTTP port: a real 400 record
		return fmt.Appendf(b, `45.148.10.%d - - [%s] "\x16\x03\x01\x00\xF7\x01\x00\x00\xF3\x03\x03\xB5\x8C" 400 157 "-" "-"`, 1+i%250, ts)
	case 1: // line cut short by a crash
		return fmt.Appendf(b, `203.0.113.10 - erp-sync [%s] "GET /api/documents/4`, ts)
	case 2: // an error-log line in the access log
		return fmt.Appendf(b, `%s [error] 1234#1234: *98765 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 192.0.2.44, server: api.quable.example, request: "POST /api/imports HTTP/1.1"`, g.now.Format("2006/01/02 15:04:05"))
	case 3: // a mangled timestamp
		return fmt.Appendf(b, `198.51.100.23 - shop-connector [%s] "GET /api/documents/12 HTTP/1.1" 200 512 "-" "-"`, "12/Mar/2025:25:61:00 +0100")
	case 4: // scanner noise: binary junk
		return append(b, "\x00\x00\x00\x00\x13\x07junk"...)
	default: // status lost in a proxy
		return fmt.Appendf(b, `192.0.2.44 - dam-importer [%s] "POST /api/assets HTTP/1.1" - 0 "-" "-"`, ts)
	}
}

// NginxFormat is the nginx log_format of the "nginx" output: combined plus
// request time, upstream times, Retry-After and the request id. It is what
// samples/conf/nginx.conf defines as "pim".
const NginxFormat = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" urt="$upstream_response_time" ra="$sent_http_retry_after" rid=$request_id`

// W3CFields is the #Fields directive of the "w3c" output (IIS defaults).
const W3CFields = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"

// retryAfter is the Retry-After the API sends with 429 and 503, or "-".
func retryAfter(status int) string {
	if status == 429 || status == 503 {
		return "30"
	}
	return "-"
}

// formatRich appends r in the nginx, alb, w3c or envoy output.
func (g *generator) formatRich(b []byte, r *request) []byte {
	user := r.c.user
	if user == "" {
		user = "-"
	}
	path, query, _ := cut(r.target, '?')
	switch g.cfg.Format {
	case "nginx":
		up := r.dur - time.Duration(2+g.rng.IntN(3))*time.Millisecond
		return fmt.Appendf(b, `%s - %s [%s] "%s %s HTTP/1.1" %d %d "-" "%s" rt=%.3f uct="0.001" urt="%.3f" ra="%s" rid=%016x`,
			r.addr, user, r.at.Format("02/Jan/2006:15:04:05 -0700"), r.method, r.target, r.status, r.bytes, r.c.agent,
			r.dur.Seconds(), max(up, 0).Seconds(), retryAfter(r.status), g.rng.Uint64())
	case "alb":
		target, tstatus, t1, t2, t3 := "10.0.1.17:8080", strconv.Itoa(r.status), "0.000", fmt.Sprintf("%.3f", r.dur.Seconds()), "0.000"
		if r.status == 503 && g.inIncident(r.at) && g.rng.IntN(3) == 0 {
			// No healthy target: the balancer answers itself.
			target, tstatus, t1, t2, t3 = "-", "-", "-1", "-1", "-1"
		}
		return fmt.Appendf(b, `https %s app/pim-api-prod/50dc6c495c0c9188 %s:%d %s %s %s %s %d %s %d %d "%s https://api.quable.example:443%s HTTP/1.1" "%s" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-3:123456789012:targetgroup/pim-api/73e2d6bc24d8a067 "Root=1-%08x-%024x" "api.quable.example" "arn:aws:acm:eu-west-3:123456789012:certificate/d8450a8a-b4f6-4714-8535-17c625c36899" 0 %s "forward" "-" "-" "%s" "%s" "-" "-"`,
			r.at.UTC().Format("2006-01-02T15:04:05.000000Z"), r.addr, 30000+g.rng.IntN(30000), target, t1, t2, t3, r.status, tstatus,
			200+g.rng.IntN(400), r.bytes, r.method, r.target, r.c.agent, r.at.Unix(), g.rng.Uint64()>>32,
			r.at.Add(-r.dur).UTC().Format("2006-01-02T15:04:05.000000Z"), target, tstatus)
	case "envoy":
		// Envoy's default format, at the edge: no client address, the
		// caller in X-Forwarded-For; no healthy upstream during the
		// incident (flag UH, no upstream time).
		flags, up, upstream := "-", strconv.FormatInt(max(r.dur-3*time.Millisecond, 0).Milliseconds(), 10), "10.0.1.17:8080"
		if r.status == 503 && g.inIncident(r.at) && g.rng.IntN(3) == 0 {
			flags, up, upstream = "UH", "-", "-"
		}
		return fmt.Appendf(b, `[%s] "%s %s HTTP/1.1" %d %s %d %d %d %s "%s" "%s" "%08x-%04x-%04x-%04x-%012x" "api.quable.example" "%s"`,
			r.at.UTC().Format("2006-01-02T15:04:05.000Z"), r.method, r.target, r.status, flags, 200+g.rng.IntN(400), r.bytes,
			r.dur.Milliseconds(), up, r.addr, r.c.agent, g.rng.Uint32(), g.rng.IntN(1<<16), g.rng.IntN(1<<16), g.rng.IntN(1<<16), g.rng.Uint64()>>16, upstream)
	case "w3c":
		if query == "" {
			query = "-"
		}
		agent := []byte(r.c.agent)
		for i, c := range agent {
			if c == ' ' {
				agent[i] = '+'
			}
		}
		return fmt.Appendf(b, "%s 10.0.1.17 %s %s %s 443 %s %s %s - %d 0 0 %d",
			r.at.UTC().Format("2006-01-02 15:04:05"), r.method, path, query, user, r.addr, agent, r.status, r.dur.Milliseconds())
	}
	return b
}

// w3cHeader appends the directives IIS writes when it opens a log file.
func (g *generator) w3cHeader(b []byte) []byte {
	return fmt.Appendf(b, "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: %s\n#Fields: %s",
		g.now.UTC().Format("2006-01-02 15:04:05"), W3CFields)
}

func cut(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// CloudFrontFields is the #Fields directive of the "cloudfront" output
// (CloudFront's standard log fields).
const CloudFrontFields = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"

// tenant is the API host a request went to: each customer of the PIM has
// its own (acme, globex, initech), the integrations each work for one, and
// anonymous callers spread over all three.
func tenant(r *request) string {
	switch r.c.user {
	case "erp-sync", "shop-connector":
		return "acme.quable.example"
	case "dam-importer", "bi-export":
		return "globex.quable.example"
	case "legacy-pim-sync":
		return "initech.quable.example"
	}
	return [...]string{"acme.quable.example", "globex.quable.example", "initech.quable.example"}[len(r.addr)%3]
}

// noUpstream reports whether r is one of the incident's 503s that the
// proxy answered itself, finding no healthy back end (a third of them).
func (g *generator) noUpstream(r *request) bool {
	return r.status == 503 && g.inIncident(r.at) && g.rng.IntN(3) == 0
}

// formatProxy appends r as the proxies and servers in front of the API log
// it: Apache's vhost_combined, nginx's main, ingress-nginx, Traefik, Istio,
// the classic ELB, HAProxy, CloudFront and Caddy.
func (g *generator) formatProxy(b []byte, r *request) []byte {
	user := r.c.user
	if user == "" {
		user = "-"
	}
	clf := func(b []byte) []byte { // combined, the start of several
		return fmt.Appendf(b, `%s - %s [%s] "%s %s HTTP/1.1" %d %d "-" "%s"`,
			r.addr, user, r.at.Format("02/Jan/2006:15:04:05 -0700"), r.method, r.target, r.status, r.bytes, r.c.agent)
	}
	port := 30000 + g.rng.IntN(30000)
	upTime := max(r.dur-3*time.Millisecond, 0)
	switch g.cfg.Format {
	case "vhost":
		return clf(fmt.Appendf(b, "%s:443 ", tenant(r)))
	case "nginx_main":
		return append(clf(b), ` "-"`...)
	case "ingress":
		up, upLen, upSecs, upStatus := "10.0.1.17:8080", strconv.Itoa(r.bytes), fmt.Sprintf("%.3f", upTime.Seconds()), strconv.Itoa(r.status)
		if g.noUpstream(r) {
			up, upLen, upSecs, upStatus = "-", "-", "-", "-"
		}
		return fmt.Appendf(clf(b), ` %d %.3f [pim-pim-api-80] [] %s %s %s %s %016x%016x`,
			200+g.rng.IntN(400), r.dur.Seconds(), up, upLen, upSecs, upStatus, g.rng.Uint64(), g.rng.Uint64())
	case "traefik":
		return fmt.Appendf(clf(b), ` %d "pim-api@kubernetes" "http://10.0.1.17:8080" %dms`, 1+g.rng.IntN(1<<20), r.dur.Milliseconds())
	case "istio":
		flags, details, up, upHost, cluster := "-", "via_upstream", strconv.FormatInt(upTime.Milliseconds(), 10), "10.44.1.27:8080", "outbound|8080||pim-api.pim.svc.cluster.local"
		if g.noUpstream(r) {
			flags, details, up, upHost = "UH", "no_healthy_upstream", "-", "-"
		}
		return fmt.Appendf(b, `[%s] "%s %s HTTP/1.1" %d %s %s - "-" %d %d %d %s "-" "%s" "%08x-%04x-%04x-%04x-%012x" "%s" "%s" %s 10.44.1.23:37652 10.44.1.23:8080 %s:%d %s default`,
			r.at.UTC().Format("2006-01-02T15:04:05.000Z"), r.method, r.target, r.status, flags, details, 200+g.rng.IntN(400), r.bytes,
			r.dur.Milliseconds(), up, r.c.agent, g.rng.Uint32(), g.rng.IntN(1<<16), g.rng.IntN(1<<16), g.rng.IntN(1<<16), g.rng.Uint64()>>16,
			tenant(r), upHost, cluster, r.addr, port, tenant(r))
	case "elb":
		backend, bstatus, t1, t2, t3 := "10.0.1.17:8080", strconv.Itoa(r.status), "0.000041", fmt.Sprintf("%.6f", r.dur.Seconds()), "0.000021"
		if g.noUpstream(r) {
			backend, bstatus, t1, t2, t3 = "-", "-", "-1", "-1", "-1"
		}
		return fmt.Appendf(b, `%s pim-api-prod %s:%d %s %s %s %s %d %s %d %d "%s https://%s:443%s HTTP/1.1" "%s" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2`,
			r.at.UTC().Format("2006-01-02T15:04:05.000000Z"), r.addr, port, backend, t1, t2, t3, r.status, bstatus, 200+g.rng.IntN(400), r.bytes,
			r.method, tenant(r), r.target, r.c.agent)
	case "haproxy": // its times have no zone: the balancer runs in UTC
		server, timers, term := "pim-api/web1", fmt.Sprintf("0/0/1/%d/%d", upTime.Milliseconds(), r.dur.Milliseconds()), "----"
		if g.noUpstream(r) {
			server, timers, term = "pim-api/<NOSRV>", fmt.Sprintf("0/-1/-1/-1/%d", r.dur.Milliseconds()), "SC--"
		}
		return fmt.Appendf(b, `%s lb1 haproxy[14389]: %s:%d [%s] https-in~ %s %s %d %d - - %s %d/%d/3/1/0 0/0 "%s %s HTTP/1.1"`,
			r.at.UTC().Format(time.Stamp), r.addr, port, r.at.UTC().Format("02/Jan/2006:15:04:05.000"), server, timers, r.status, r.bytes, term,
			20+g.rng.IntN(40), 10+g.rng.IntN(20), r.method, r.target)
	case "cloudfront":
		path, query, _ := cut(r.target, '?')
		if query == "" {
			query = "-"
		}
		result := "Miss"
		if r.status >= 500 {
			result = "Error"
		}
		return fmt.Appendf(b, "%s\t%s\tCDG50-C1\t%d\t%s\t%s\td1quable3xmpl.cloudfront.net\t%s\t%d\t-\t%s\t%s\t-\t%s\t%016x%016x\t%s\thttps\t%d\t%.3f\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\t%s\tHTTP/1.1\t-\t-\t%d\t%.3f\t%s\tapplication/json\t%d\t-\t-",
			r.at.UTC().Format("2006-01-02"), r.at.UTC().Format("15:04:05"), r.bytes+400, r.addr, r.method, path, r.status,
			url.PathEscape(r.c.agent), query, result, g.rng.Uint64(), g.rng.Uint64(), tenant(r), 200+g.rng.IntN(400), r.dur.Seconds(),
			result, port, r.dur.Seconds(), result, r.bytes)
	case "caddy":
		ra := ""
		if r.status == 429 || r.status == 503 {
			ra = `,"Retry-After":["30"]`
		}
		return fmt.Appendf(b, `{"level":"info","ts":%.6f,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"%s","remote_port":"%d","client_ip":"%s","proto":"HTTP/1.1","method":"%s","host":"%s","uri":"%s","headers":{"User-Agent":[%q],"Accept":["application/json"]}},"bytes_read":0,"user_id":"%s","duration":%.6f,"size":%d,"status":%d,"resp_headers":{"Content-Type":["application/json"]%s}}`,
			float64(r.at.UnixMicro())/1e6, r.addr, port, r.addr, r.method, tenant(r), r.target, r.c.agent, r.c.user, r.dur.Seconds(), r.bytes, r.status, ra)
	}
	return b
}
