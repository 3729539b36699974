package ingest

import (
	"bytes"
	"time"
)

// fieldKind is what a field of a format means for a Record. The format
// compilers (nginx, Apache, the load-balancer presets, W3C) and the JSON
// mapper all reduce their fields to these kinds, and setField stores them.
type fieldKind uint8

const (
	kIgnore         fieldKind = iota
	kExtra                    // kept by name in Record.Extra
	kClient                   // an address, or an X-Forwarded-For style list
	kClientPort               // "addr:port" (load balancers): the address
	kUser                     // remote user
	kTimeCLF                  // 10/Oct/2000:13:55:36 -0700
	kTimeISO                  // RFC 3339 and relatives
	kTimeEpoch                // seconds since the epoch, or milliseconds from 1e11
	kTimeAny                  // ISO, CLF or epoch, whichever fits
	kDate                     // W3C date: 2006-01-02 (joined with kClock)
	kClock                    // W3C time: 15:04:05
	kRequest                  // "METHOD target PROTOCOL"
	kMethod                   //
	kURI                      // path with query
	kPath                     //
	kQuery                    // without '?'
	kQueryQ                   // Apache %q: "?query" or empty
	kProtocol                 //
	kStatus                   //
	kBackendStatus            // the target's status behind a load balancer
	kBytes                    //
	kDurSec                   // request time in seconds
	kDurMS                    // in milliseconds
	kDurUS                    // in microseconds
	kDurNS                    // in nanoseconds
	kDurAuto                  // seconds with a fraction ("0.0123", Caddy), else milliseconds (Envoy)
	kDurLB                    // load balancer processing time in seconds; -1 marks an LB error
	kDurLBTarget              // the target's processing time behind a load balancer, in seconds
	kUpstreamSec              // upstream time in seconds; a list takes its last item
	kUpstreamMS               //
	kUpstreamNS               //
	kReferer                  //
	kAgent                    //
	kForwardedFor             //
	kHost                     //
	kRequestID                //
	kIdempotencyKey           //
	kCredential               // a consumer's name or id
	kAPIKey                   // an API key: a secret, shown as its label (KeyLabel) unless KeepSecrets
	kRetryAfter               // seconds or an HTTP-date
	kRateLimit                //
	kRateRemaining            //
	kRateReset                //
)

// headerKind maps a header name, normalised to lower case with '_' for
// '-', to a kind: request headers (in) and response headers (out).
func headerKind(name string, out bool) fieldKind {
	if out {
		switch name {
		case "retry_after":
			return kRetryAfter
		case "x_ratelimit_limit", "ratelimit_limit", "x_rate_limit_limit":
			return kRateLimit
		case "x_ratelimit_remaining", "ratelimit_remaining", "x_rate_limit_remaining":
			return kRateRemaining
		case "x_ratelimit_reset", "ratelimit_reset", "x_rate_limit_reset":
			return kRateReset
		case "x_request_id":
			return kRequestID
		}
		return kExtra
	}
	switch name {
	case "referer", "referrer":
		return kReferer
	case "user_agent":
		return kAgent
	case "x_forwarded_for":
		return kForwardedFor
	case "host":
		return kHost
	case "x_request_id", "x_correlation_id", "request_id":
		return kRequestID
	case "idempotency_key", "x_idempotency_key":
		return kIdempotencyKey
	case "x_api_key", "api_key", "apikey", "x_apikey":
		return kAPIKey
	case "x_consumer_username", "x_consumer_id":
		return kCredential
	}
	return kExtra
}

// normaliseHeader lowers a header name and turns '-' into '_'.
func normaliseHeader(h string) string {
	b := []byte(h)
	for i, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			b[i] = c + 'a' - 'A'
		case c == '-':
			b[i] = '_'
		}
	}
	return string(b)
}

// setField stores one field's value in rec. name is the field's name for
// Extra. It returns OK, or the reason the value makes the line unusable.
// Values "-" and empty mean "not logged" everywhere.
func (p *fieldState) setField(k fieldKind, name string, v []byte, rec *Record) Reason {
	if k == kIgnore {
		return OK
	}
	if len(v) == 0 || isDash(v) {
		switch k {
		case kStatus:
			return BadStatus
		case kTimeCLF, kTimeISO, kTimeEpoch, kTimeAny, kDate, kClock:
			return BadTimestamp
		case kRequest:
			p.haveRequest = true
		case kBackendStatus:
			p.noBackend = true
		}
		return OK
	}
	// The fields every access log has first, in a small function; the
	// rest in setOther, so the common path stays cheap.
	switch k {
	case kClient:
		if bytes.IndexByte(v, ',') < 0 && v[0] != '"' {
			rec.Client = v
		} else if c, _, ok := clientField(v); ok {
			rec.Client = c
		} else {
			rec.Client = v
		}
	case kUser:
		rec.User = v
	case kTimeCLF:
		t, off, ok := p.tz.apply(parseCLFTime(v, &p.days))
		if !ok {
			return BadTimestamp
		}
		rec.Time, rec.Offset, p.haveTime = t, off, true
	case kRequest:
		splitRequest(v, rec)
		p.haveRequest = true
	case kStatus:
		st, ok := parseStatus(v)
		if !ok {
			return BadStatus
		}
		rec.Status, p.haveStatus = st, true
	case kBytes:
		n, ok := parseSize(v)
		if !ok {
			return BadSize
		}
		rec.Bytes = n
	case kReferer:
		rec.Referer = v
	case kAgent:
		rec.UserAgent = v
	default:
		return p.setOther(k, name, v, rec)
	}
	return OK
}

// setOther stores the fields that only some formats log.
func (p *fieldState) setOther(k fieldKind, name string, v []byte, rec *Record) Reason {
	switch k {
	case kExtra:
		p.extra = append(p.extra, Field{Name: name, Value: v})
	case kClientPort:
		rec.Client = stripPort(v)
	case kTimeISO, kTimeEpoch, kTimeAny:
		t, off, ok := p.parseTime(k, v)
		if !ok {
			return BadTimestamp
		}
		rec.Time, rec.Offset, p.haveTime = t, off, true
	case kDate:
		p.date = v
	case kClock:
		p.clock = v
	case kMethod:
		if isMethod(v) {
			p.method = v
		}
	case kURI:
		p.uri = v
	case kPath:
		p.path = v
	case kQuery:
		p.query = v
	case kQueryQ:
		p.query = bytes.TrimPrefix(v, []byte("?"))
	case kProtocol:
		p.protocol = v
	case kBackendStatus:
		if st, ok := parseStatus(lastListItem(v)); ok {
			rec.BackendStatus = st
		} else {
			p.noBackend = true
		}
	case kDurSec, kDurMS, kDurUS, kDurNS, kDurAuto:
		if d, ok := parseSeconds(v, unitOf(k, v)); ok {
			rec.Duration = d
		}
	case kDurLB, kDurLBTarget:
		if string(v) == "-1" {
			p.lbError = true
			break
		}
		if d, ok := parseSeconds(v, time.Second); ok {
			p.lbSum += d
			p.lbParts++
			if k == kDurLBTarget {
				rec.Upstream = d
			}
		}
	case kUpstreamSec, kUpstreamMS, kUpstreamNS:
		if d, ok := parseSeconds(lastListItem(v), unitOf(k, v)); ok {
			rec.Upstream = d
		}
		if string(v) == "-1" {
			p.lbError = true
		}
	case kForwardedFor:
		rec.ForwardedFor = v
	case kHost:
		rec.Host = v
	case kRequestID:
		rec.RequestID = v
	case kIdempotencyKey:
		rec.IdempotencyKey = v
	case kCredential:
		rec.Credential = v
	case kAPIKey:
		rec.Credential, rec.CredentialIsKey = v, true
	case kRetryAfter:
		p.retryAfter = v
	case kRateLimit:
		rec.RateLimit = parseCount(v)
	case kRateRemaining:
		rec.RateRemaining = parseCount(v)
	case kRateReset:
		rec.RateReset = parseCount(v)
	}
	return OK
}

// unitOf returns the unit of a duration field's value.
func unitOf(k fieldKind, v []byte) time.Duration {
	switch k {
	case kDurMS, kUpstreamMS:
		return time.Millisecond
	case kDurUS:
		return time.Microsecond
	case kDurNS, kUpstreamNS:
		return time.Nanosecond
	case kDurAuto:
		if bytes.IndexByte(v, '.') < 0 {
			return time.Millisecond
		}
	}
	return time.Second
}

// fieldState collects, for one line, the fields that are combined after all
// of them are read (method + path + query, date + time, Retry-After as a date
// against the record's time).
type fieldState struct {
	days                               dayCache
	iso                                minuteCache
	tz                                 tzone
	haveTime, haveStatus, haveRequest  bool
	noBackend, lbError                 bool
	lbSum                              time.Duration
	lbParts                            int
	method, uri, path, query, protocol []byte
	date, clock, retryAfter            []byte
	extra                              []Field
}

func (p *fieldState) begin() {
	p.haveTime, p.haveStatus, p.haveRequest, p.noBackend, p.lbError = false, false, false, false, false
	p.lbSum, p.lbParts = 0, 0
	p.method, p.uri, p.path, p.query, p.protocol = nil, nil, nil, nil, nil
	p.date, p.clock, p.retryAfter = nil, nil, nil
	p.extra = p.extra[:0]
}

// finish combines the collected fields into rec and checks that the line
// had what every record needs.
func (p *fieldState) finish(rec *Record) Reason {
	if !p.haveRequest {
		if p.method != nil {
			rec.Method = p.method
		}
		switch {
		case p.uri != nil:
			splitTarget(p.uri, rec)
			if len(rec.Query) == 0 {
				rec.Query = p.query
			}
		case p.path != nil:
			rec.Path, rec.Query = p.path, p.query
		}
		if p.protocol != nil {
			rec.Protocol = p.protocol
		}
	}
	if p.date != nil && p.clock != nil && !p.haveTime {
		t, off, ok := p.parseDateClock()
		if !ok {
			return BadTimestamp
		}
		rec.Time, rec.Offset, p.haveTime = t, off, true
	}
	if p.retryAfter != nil {
		rec.RetryAfter = parseRetryAfter(p.retryAfter, rec.Time)
	}
	if p.noBackend && p.lbError {
		rec.LBError = true
	}
	if p.lbParts > 0 && !p.lbError && rec.Duration < 0 {
		rec.Duration = p.lbSum
	}
	if len(p.extra) > 0 {
		rec.Extra = p.extra
	}
	if rec.Client == nil && len(rec.ForwardedFor) > 0 {
		// No address logged (Envoy's default format): the first
		// X-Forwarded-For address is the client the proxy was told of.
		first, _, _ := bytes.Cut(rec.ForwardedFor, []byte{','})
		if first = bytes.TrimSpace(first); len(first) > 0 && !isDash(first) {
			rec.Client = first
		}
	}
	switch {
	case !p.haveStatus:
		return MissingField
	case !p.haveTime:
		return MissingField
	}
	return OK
}

// parseTime parses a time field; times without a zone are in p.tz.
func (p *fieldState) parseTime(k fieldKind, v []byte) (time.Time, int32, bool) {
	switch k {
	case kTimeCLF:
		return p.zoned(parseCLFTime(v, &p.days))
	case kTimeISO:
		return p.zoned(parseISOTimeCached(v, &p.iso))
	case kTimeEpoch:
		t, ok := parseEpochTime(v)
		return t, 0, ok
	}
	if t, off, ok := p.zoned(parseISOTimeCached(v, &p.iso)); ok {
		return t, off, ok
	}
	if t, off, ok := p.zoned(parseCLFTime(v, &p.days)); ok {
		return t, off, ok
	}
	t, ok := parseEpochTime(v)
	return t, 0, ok
}

// zoned resolves a time logged without a zone in p.tz.
func (p *fieldState) zoned(t time.Time, off int32, ok bool) (time.Time, int32, bool) {
	return p.tz.apply(t, off, ok)
}

func (p *fieldState) parseDateClock() (time.Time, int32, bool) {
	var buf [40]byte
	b := append(buf[:0], p.date...)
	b = append(b, 'T')
	b = append(b, p.clock...)
	return p.zoned(parseISOTime(b))
}

// lastListItem returns the last number of a list such as nginx's
// "0.004, 0.010 : 0.002".
func lastListItem(v []byte) []byte {
	if i := bytes.LastIndexAny(v, ",:"); i >= 0 {
		return bytes.TrimSpace(v[i+1:])
	}
	return v
}

// stripPort drops a ":port" from "addr:port" and "[v6]:port"; a bare IPv6
// address (several colons, no brackets) stays whole.
func stripPort(v []byte) []byte {
	if len(v) > 0 && v[0] == '[' {
		if i := bytes.IndexByte(v, ']'); i > 0 {
			return v[1:i]
		}
		return v
	}
	i := bytes.LastIndexByte(v, ':')
	if i < 0 {
		return v
	}
	if bytes.IndexByte(v[:i], ':') >= 0 {
		// IPv6 with a port and no brackets, as ALB logs it: the port is
		// the last group only when it is decimal and the rest still has
		// enough groups; ALB always appends one, so strip it.
		return v[:i]
	}
	return v[:i]
}

// parseHTTPDate parses an IMF-fixdate, "Wed, 21 Oct 2015 07:28:00 GMT".
func parseHTTPDate(b []byte) (time.Time, bool) {
	if len(b) != 29 || b[3] != ',' || b[4] != ' ' || b[7] != ' ' || b[11] != ' ' || b[16] != ' ' || string(b[25:]) != " GMT" {
		return time.Time{}, false
	}
	d, ok1 := num2(b[5:7])
	m := monthIndex(b[8:11])
	y, ok2 := num4(b[12:16])
	sec, ok3 := clock(b[17:25])
	if !ok1 || !ok2 || !ok3 || m == 0 || d < 1 || d > daysIn(m, y) {
		return time.Time{}, false
	}
	return time.Unix(daysFromCivil(y, m, d)*86400+sec, 0).UTC(), true
}

// parseCount parses a non-negative integer, or returns -1.
func parseCount(v []byte) int64 {
	n, ok := parseSize(v)
	if !ok {
		return -1
	}
	return n
}

// parseRetryAfter parses a Retry-After value: delay seconds, or an
// HTTP-date (RFC 9110 IMF-fixdate, "Wed, 21 Oct 2015 07:28:00 GMT")
// relative to the response time at. It returns -1 when unparseable.
func parseRetryAfter(v []byte, at time.Time) time.Duration {
	if n, ok := parseSize(v); ok && n >= 0 {
		return time.Duration(n) * time.Second
	}
	t, ok := parseHTTPDate(v)
	if !ok || at.IsZero() {
		return -1
	}
	d := t.Sub(at)
	if d < 0 {
		d = 0
	}
	return d.Truncate(time.Second)
}
