package ingest

import (
	"fmt"
	"sort"
	"strings"
)

// JSON lines, one object per line: nginx `log_format ... escape=json`,
// Caddy, Traefik, Envoy, Kong, AWS API Gateway and generic structured
// loggers. The parser walks the object, nested objects included, building
// each value's dotted path ("request.headers.User-Agent"), and maps the
// path to a field kind: first the user's --field mappings, then the
// built-in names (jsonKind). Values may be strings, numbers, or (for
// Caddy's headers) arrays whose first element counts. The scanner is
// hand-written: it validates what it walks, allocates nothing, and
// unescapes a string only when it holds an escape.

var jsonFormat = &Format{
	Name:        "json",
	Description: "JSON lines: nginx escape=json, Caddy, Traefik, Envoy, Kong, AWS API Gateway and generic field names (see docs/formats.md); --field maps others",
	New:         func(o ParseOptions) Parser { return newJSONParser(o, nil) },
}

// caddyFormat is the json parser under the name users look for.
var caddyFormat = &Format{
	Name:        "caddy",
	Description: "Caddy's access log, from its json or console encoder (the json parser: request.remote_ip, request.method, request.uri, status, size, duration, ts)",
	New:         func(o ParseOptions) Parser { return newJSONParser(o, nil) },
}

type jsonParser struct {
	_        cacheLinePad
	st       fieldState
	override map[string]fieldKind
	scratch  []byte // unescaped strings; sized to the line so it never moves
	path     []byte // the dotted path of the value being read
	hdr      []byte // a normalised header name
	_        cacheLinePad
}

func newJSONParser(o ParseOptions, override map[string]fieldKind) *jsonParser {
	return &jsonParser{st: fieldState{tz: tzone{o.TZ}}, override: override}
}

// JSONFields turns --field mappings ("status=response.code") into a JSON
// format. The names on the left are the record fields of FieldNames.
func JSONFields(mappings []string) (*Format, error) {
	over := map[string]fieldKind{}
	for _, m := range mappings {
		name, path, ok := strings.Cut(m, "=")
		if !ok || name == "" || path == "" {
			return nil, fmt.Errorf("cannot read --field %q: want NAME=PATH, as in status=response.code", m)
		}
		k, ok := fieldNames[name]
		if !ok {
			return nil, fmt.Errorf("cannot read --field %q: unknown field %q (known: %s)", m, name, strings.Join(FieldNames(), ", "))
		}
		over[path] = k
	}
	return &Format{
		Name:        "json",
		Description: "JSON lines with --field " + strings.Join(mappings, " --field "),
		New:         func(o ParseOptions) Parser { return newJSONParser(o, over) },
	}, nil
}

// fieldNames are the names --field maps to.
var fieldNames = map[string]fieldKind{
	"time": kTimeAny, "client": kClient, "user": kUser, "request": kRequest, "method": kMethod,
	"uri": kURI, "path": kPath, "query": kQuery, "protocol": kProtocol, "status": kStatus,
	"backend_status": kBackendStatus, "bytes": kBytes, "duration_s": kDurSec, "duration_ms": kDurMS,
	"duration_us": kDurUS, "duration_ns": kDurNS, "upstream_s": kUpstreamSec, "upstream_ms": kUpstreamMS,
	"referer": kReferer, "user_agent": kAgent, "forwarded_for": kForwardedFor, "host": kHost,
	"request_id": kRequestID, "idempotency_key": kIdempotencyKey, "credential": kCredential, "api_key": kAPIKey,
	"retry_after": kRetryAfter, "ratelimit_limit": kRateLimit, "ratelimit_remaining": kRateRemaining,
	"ratelimit_reset": kRateReset, "ignore": kIgnore,
}

// FieldNames returns the names --field accepts, sorted.
func FieldNames() []string {
	out := make([]string, 0, len(fieldNames))
	for n := range fieldNames {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// jsonKind maps a dotted JSON path to a field kind: the names of nginx
// escape=json formats, Caddy, Traefik, Envoy, Kong, AWS API Gateway and
// generic structured loggers.
func (p *jsonParser) jsonKind(path []byte) fieldKind {
	if p.override != nil {
		if k, ok := p.override[string(path)]; ok {
			return k
		}
	}
	switch string(path) {
	case "time_local", "requestTime":
		return kTimeCLF
	case "time_iso8601", "time", "@timestamp", "timestamp", "ts", "start_time", "StartUTC", "startTime":
		return kTimeAny
	case "msec", "epoch", "started_at", "requestTimeEpoch":
		return kTimeEpoch
	case "remote_addr", "client", "client_ip", "remote_ip", "ip", "sourceIp", "ClientHost",
		"request.remote_ip", "request.client_ip", "httpRequest.remoteIp":
		return kClient
	case "downstream_remote_address", "ClientAddr":
		return kClientPort
	case "remote_user", "user", "user_id", "ClientUsername", "caller":
		return kUser
	case "request":
		return kRequest
	case "method", "request_method", "request.method", "RequestMethod", "httpMethod", "httpRequest.requestMethod":
		return kMethod
	case "request_uri", "uri", "path", "request.uri", "RequestPath", "httpRequest.requestUrl", "url":
		return kURI
	case "args", "query_string", "query":
		return kQuery
	case "server_protocol", "protocol", "request.proto", "RequestProtocol", "httpRequest.protocol":
		return kProtocol
	case "status", "status_code", "response.status", "response_code", "DownstreamStatus", "httpRequest.status", "statusCode":
		return kStatus
	case "OriginStatus", "upstream_status":
		return kBackendStatus
	case "body_bytes_sent", "bytes", "bytes_sent", "size", "response.size", "DownstreamContentSize", "responseLength", "httpRequest.responseSize":
		return kBytes
	case "request_time":
		return kDurSec
	case "duration_ms", "latencies.request", "responseLatency":
		return kDurMS
	case "duration":
		return kDurAuto
	case "Duration":
		return kDurNS
	case "upstream_response_time":
		return kUpstreamSec
	case "upstream_service_time", "latencies.proxy", "integrationLatency":
		return kUpstreamMS
	case "OriginDuration":
		return kUpstreamNS
	case "http_referer", "http_referrer", "referer", "referrer", "httpRequest.referer":
		return kReferer
	case "http_user_agent", "user_agent", "agent", "userAgent", "httpRequest.userAgent":
		return kAgent
	case "http_x_forwarded_for", "x_forwarded_for":
		return kForwardedFor
	case "host", "request.host", "authority", "RequestHost", "domainName", "http_host":
		return kHost
	case "request_id", "requestId", "req_id", "x_request_id":
		return kRequestID
	case "consumer.username", "consumer.id", "apiKeyId":
		return kCredential
	case "identity.apiKey", "api_key":
		return kAPIKey
	}
	// Headers: Caddy request.headers.X / resp_headers.X, Kong
	// request.headers.x / response.headers.x, Traefik request_X /
	// downstream_X, nginx-style http_x / sent_http_x.
	for _, h := range [...]struct {
		prefix string
		out    bool
	}{
		{"request.headers.", false}, {"resp_headers.", true}, {"response.headers.", true},
		{"request_", false}, {"downstream_", true}, {"http_", false}, {"sent_http_", true},
	} {
		if len(path) > len(h.prefix) && string(path[:len(h.prefix)]) == h.prefix {
			p.hdr = append(p.hdr[:0], path[len(h.prefix):]...)
			for i, c := range p.hdr {
				switch {
				case c >= 'A' && c <= 'Z':
					p.hdr[i] = c + 'a' - 'A'
				case c == '-':
					p.hdr[i] = '_'
				}
			}
			if k := headerKind(string(p.hdr), h.out); k != kExtra {
				return k
			}
			return kIgnore
		}
	}
	return kIgnore
}

func (p *jsonParser) Parse(line []byte, rec *Record) Reason {
	if len(line) > 0 && line[0] != '{' {
		if r, ok := p.console(line, rec); ok {
			return r
		}
	}
	if r := p.parseObject(line, rec); r != OK {
		return r
	}
	return p.st.finish(rec)
}

// parseObject reads the line's object into p.st and rec, short of the
// checks of finish: a format that wraps the object (caddy-console) adds
// what its prefix says first.
func (p *jsonParser) parseObject(line []byte, rec *Record) Reason {
	if cap(p.scratch) < len(line) {
		p.scratch = make([]byte, 0, len(line)+len(line)/2)
	}
	p.scratch = p.scratch[:0]
	p.path = p.path[:0]
	p.st.begin()
	s := jsonScanner{b: line}
	s.ws()
	if s.i >= len(s.b) {
		return NotALogLine
	}
	if s.b[s.i] != '{' {
		if !s.value(p) {
			return BadJSON
		}
		if s.ws(); s.i != len(s.b) {
			return BadJSON
		}
		return NotALogLine // valid JSON, but not an object
	}
	reason := OK
	if !p.object(&s, rec, 0, &reason) {
		return BadJSON
	}
	if s.ws(); s.i != len(s.b) {
		return BadJSON
	}
	return reason
}

// object reads the object at s.i, mapping each member by its dotted path.
// A field error (a bad status, say) is kept in reason while the walk goes
// on, so that bad JSON later in the line still reads as bad_json.
func (p *jsonParser) object(s *jsonScanner, rec *Record, depth int, reason *Reason) bool {
	if depth > jsonMaxDepth {
		return false
	}
	s.i++ // '{'
	base := len(p.path)
	for first := true; ; first = false {
		s.ws()
		if s.i >= len(s.b) {
			return false
		}
		if s.b[s.i] == '}' && first {
			s.i++
			return true
		}
		if s.b[s.i] != '"' {
			return false
		}
		key, ok := s.str(p)
		if !ok {
			return false
		}
		p.path = p.path[:base]
		if base > 0 {
			p.path = append(p.path, '.')
		}
		p.path = append(p.path, key...)
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		s.ws()
		if s.i >= len(s.b) {
			return false
		}
		k := p.jsonKind(p.path)
		switch c := s.b[s.i]; {
		case c == '{':
			if !p.object(s, rec, depth+1, reason) {
				return false
			}
		case k == kIgnore:
			if !s.valueDepth(p, depth+1) {
				return false
			}
		case c == '[':
			// A header as an array of values (Caddy): the first counts.
			start := s.i
			if !s.valueDepth(p, depth+1) {
				return false
			}
			inner := jsonScanner{b: s.b[:s.i], i: start + 1}
			inner.ws()
			if inner.i < len(inner.b) && inner.b[inner.i] == '"' {
				if v, ok := inner.str(p); ok && *reason == OK {
					*reason = p.st.setField(k, "", v, rec)
				}
			}
		case c == '"':
			v, ok := s.str(p)
			if !ok {
				return false
			}
			if *reason == OK {
				*reason = p.st.setField(k, "", v, rec)
			}
		default:
			start := s.i
			if !s.valueDepth(p, depth+1) {
				return false
			}
			v := s.b[start:s.i]
			if string(v) == "null" {
				v = nil
			}
			if *reason == OK {
				*reason = p.st.setField(k, "", v, rec)
			}
		}
		if more, ok := s.afterValue('}'); !ok {
			return false
		} else if more {
			continue
		}
		p.path = p.path[:base]
		return true
	}
}
