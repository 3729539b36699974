package ingest

import (
	"bytes"
	"time"
)

// The Common Log Format family: Apache and nginx "common" and "combined".
//
//	common:   %h %l %u %t "%r" %>s %b
//	combined: %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"
//
// One scanner reads both. It walks the line with byte searches, no regular
// expression. Quoted fields honour backslash escapes (\" and \\); a quote
// closes a field only when a space or the line's end follows it, so a stray
// quote inside a user agent does not cut it short; a quoted field left
// unterminated at the end of the line runs to the end. Referer and user agent
// may also be a bare "-". The user is written raw by nginx and Apache, spaces
// included: when the field after it is not the time, the user runs to the
// " [" that opens a valid time (spacedUser). Fields after the user agent (nginx's
// "$http_x_forwarded_for", a request time...) are ignored here; custom
// formats that name them come with format strings.

var combinedFormat = &Format{
	Name:        "combined",
	Description: `Apache/nginx combined: %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i" (trailing fields ignored)`,
	New: func(o ParseOptions) Parser {
		return &clfParser{combined: true, tz: tzone{o.TZ}, skipRA: o.SkipRefererAgent}
	},
	typical: func(p Parser, _ []byte) bool { cp := p.(*clfParser); return cp.sawAgent && !cp.afterAgent },
}

var commonFormat = &Format{
	Name:        "common",
	Description: `Common Log Format: %h %l %u %t "%r" %>s %b`,
	New:         func(o ParseOptions) Parser { return &clfParser{tz: tzone{o.TZ}} },
	typical:     func(p Parser, _ []byte) bool { return !p.(*clfParser).trailing },
}

// clfTimeLayout is the usual length of a CLF time, for its closing bracket.
const clfTimeLayout = "02/Jan/2006:15:04:05 -0700"

type clfParser struct {
	_          cacheLinePad
	combined   bool
	tz         tzone
	days       dayCache
	sawAgent   bool // the last line had referer and user agent fields
	afterAgent bool // the last line had bytes after the user agent
	trailing   bool // the last line had bytes after the size field
	skipRA     bool // ParseOptions.SkipRefererAgent
	_          cacheLinePad
}

// resetFields clears what Parse may have written, and what the anonymizer
// rewrites after it (the client and the user; the credential and the
// forwarded-for list only when set, which Parse never does): the rest of a
// record stays as the Scanner's full reset left it (TestResetFields).
func (p *clfParser) resetFields(r *Record) {
	r.Time, r.Offset = time.Time{}, 0
	r.Client, r.User = nil, nil
	r.Method, r.Path, r.Query, r.Protocol, r.Host = nil, nil, nil, nil, nil
	r.Status, r.Bytes = 0, -1
	r.Referer, r.UserAgent = nil, nil
}

func (p *clfParser) Parse(line []byte, rec *Record) Reason {
	p.sawAgent, p.trailing, p.afterAgent = false, false, false
	client, rest, ok := clientField(line)
	if !ok {
		return NotALogLine
	}
	if !isDash(client) {
		rec.Client = client
	}
	if _, rest, ok = token(skipSpace(rest)); !ok { // %l, identd: "-" in practice
		return NotALogLine
	}
	u := skipSpace(rest)
	spaced := false
	user, rest, ok := token(u)
	rest = skipSpace(rest)
	if !ok || len(rest) == 0 || rest[0] != '[' {
		i := spacedUser(u, &p.days)
		if i < 0 {
			return NotALogLine
		}
		user, rest, spaced = u[:i], u[i+1:], true
	}
	end := len(clfTimeLayout) + 1 // "[" and the usual layout, else search
	if len(rest) <= end || rest[end] != ']' {
		end = bytes.IndexByte(rest, ']')
	}
	if end < 0 {
		return Truncated
	}
	t, off, ok := p.tz.apply(parseCLFTime(rest[1:end], &p.days))
	if !ok {
		// "ops [eu] [time]": a user of words, the second in brackets.
		i := -1
		if !spaced {
			i = spacedUser(u, &p.days)
		}
		if i < 0 {
			return BadTimestamp
		}
		user, rest = u[:i], u[i+1:]
		end = bytes.IndexByte(rest, ']')
		if t, off, ok = p.tz.apply(parseCLFTime(rest[1:end], &p.days)); !ok {
			return BadTimestamp
		}
	}
	if len(user) > 0 && !isDash(user) {
		rec.User = user
	}
	rec.Time, rec.Offset = t, off
	rest = rest[end+1:]
	if len(rest) == 0 {
		return Truncated
	}
	if rest[0] != ' ' {
		return NotALogLine
	}
	rest = rest[1:]
	if len(rest) == 0 {
		return Truncated
	}
	if rest[0] != '"' {
		return BadRequestLine
	}
	req, rest, closed := quoted(rest)
	if !closed {
		return Truncated
	}
	splitRequest(req, rec)

	if len(rest) == 0 {
		return Truncated
	}
	status, rest, ok := token(rest[1:])
	if !ok {
		return Truncated
	}
	if rec.Status, ok = parseStatus(status); !ok {
		return BadStatus
	}
	if len(rest) == 0 {
		return Truncated
	}
	size, rest, ok := token(rest[1:])
	if !ok {
		return Truncated
	}
	if rec.Bytes, ok = parseSize(size); !ok {
		return BadSize
	}
	if len(rest) == 0 {
		return OK
	}
	p.trailing = true
	if !p.combined || p.skipRA {
		return OK
	}
	referer, rest, ok := field(rest[1:])
	if !ok {
		return OK
	}
	if !isDash(referer) {
		rec.Referer = referer
	}
	if len(rest) == 0 {
		return OK
	}
	agent, rest, ok := field(rest[1:])
	if !ok {
		return OK
	}
	p.afterAgent = len(rest) > 0
	if !isDash(agent) {
		rec.UserAgent = agent
	}
	p.sawAgent = true
	return OK
}

// spacedUser returns the length of a user field that holds spaces, at the
// start of u (the line from the user on), or -1. nginx's $remote_user and
// Apache's %u are written raw: a basic-auth user "tz " gives "- tz  [". The
// user runs to the first " [" that opens a valid CLF time before the
// request's quote (a user never holds a raw quote: both servers escape it).
// It holds no ':', which a basic-auth user cannot (RFC 7617) and a syslog
// prefix or an address:port does, and its first word is not "-", which is
// an extra field in front (vhost_combined's %v shifts %l and %u along): such
// lines stay rejected. Only lines the fast path refused come here.
func spacedUser(u []byte, days *dayCache) int {
	if q := bytes.IndexByte(u, '"'); q >= 0 {
		u = u[:q]
	}
	if first, _, _ := bytes.Cut(u, []byte{' '}); isDash(first) {
		return -1
	}
	for i := 0; ; i++ {
		j := bytes.Index(u[i:], []byte(" ["))
		if j < 0 {
			return -1
		}
		if bytes.IndexByte(u[i:i+j], ':') >= 0 {
			return -1
		}
		i += j
		stamp := u[i+2 : min(len(u), i+2+40)] // a CLF time is 26 bytes, 30 with milliseconds
		if end := bytes.IndexByte(stamp, ']'); end > 0 {
			if _, _, ok := parseCLFTime(stamp[:end], days); ok {
				return i
			}
		}
	}
}

// clientField reads the client at the start of a line. Besides a single
// address it accepts the X-Forwarded-For forms that nginx and load balancers
// put there: an unquoted list "a, b, c" and a quoted list followed by the
// remote address ("a, b" c). From a list the client is the first public
// address, the caller beyond the proxies; when none is public, the first.
func clientField(line []byte) (client, rest []byte, ok bool) {
	var list []byte
	if len(line) > 0 && line[0] == '"' {
		var closed bool
		if list, rest, closed = quoted(line); !closed {
			return nil, nil, false
		}
		line = skipSpace(rest)
	}
	client, rest, ok = token(line)
	if !ok || client[0] == '[' || client[0] == '"' {
		return nil, nil, false
	}
	if client[len(client)-1] == ',' {
		// An unquoted list: extend while the items end with a comma.
		end := len(client)
		for end < len(line) && line[end-1] == ',' {
			next, _, ok := token(skipSpace(line[end:]))
			if !ok {
				return nil, nil, false
			}
			end += 1 + len(next)
		}
		list, client, rest = line[:end], nil, line[end:]
		// "a, b c - - [": the list may be followed by the remote address.
		if t1, r1, ok := token(skipSpace(rest)); ok {
			if _, r2, ok := token(skipSpace(r1)); ok {
				if _, r3, ok := token(skipSpace(r2)); ok && bytes.HasPrefix(r3, []byte(" [")) {
					client, rest = t1, r1
				}
			}
		}
	}
	if list != nil {
		client = pickClient(list, client)
	}
	return client, rest, true
}

// pickClient returns the first public address of a comma-separated list
// followed by remote (which may be nil), or the first item when none is
// public.
func pickClient(list, remote []byte) []byte {
	var first []byte
	for item := range bytes.SplitSeq(list, []byte{','}) {
		item = bytes.TrimSpace(item)
		if len(item) == 0 {
			continue
		}
		if first == nil {
			first = item
		}
		if isPublic(item) {
			return item
		}
	}
	if remote != nil && (first == nil || isPublic(remote)) {
		return remote
	}
	return first
}

// isPublic reports whether b is an IP address outside the private,
// loopback, link-local and unspecified ranges. It parses by hand, since
// netip.ParseAddr would cost an allocation per call on the per-line path.
func isPublic(b []byte) bool {
	if bytes.IndexByte(b, ':') >= 0 {
		first := b[:bytes.IndexByte(b, ':')]
		if len(first) == 0 || len(first) > 4 {
			return false // ::1, ::, ::ffff:a.b.c.d and junk
		}
		v := 0
		for _, c := range first {
			d, ok := unhex(c)
			if !ok {
				return false
			}
			v = v<<4 | int(d)
		}
		return !(v >= 0xfc00 && v <= 0xfdff || v >= 0xfe80 && v <= 0xfebf)
	}
	var o [4]int
	n := 0
	for i := range 4 {
		start := n
		for n < len(b) && b[n] >= '0' && b[n] <= '9' && n-start < 3 {
			o[i] = o[i]*10 + int(b[n]-'0')
			n++
		}
		if n == start || o[i] > 255 {
			return false
		}
		if i < 3 {
			if n >= len(b) || b[n] != '.' {
				return false
			}
			n++
		}
	}
	if n != len(b) {
		return false
	}
	switch {
	case o[0] == 10, o[0] == 127, o[0] == 0,
		o[0] == 172 && o[1] >= 16 && o[1] <= 31,
		o[0] == 192 && o[1] == 168,
		o[0] == 169 && o[1] == 254:
		return false
	}
	return true
}

// token returns the bytes up to the next space (or the line's end) and the
// rest starting at that space. It fails on an empty token.
func token(b []byte) (tok, rest []byte, ok bool) {
	i := indexByteShort(b, ' ')
	if i < 0 {
		i = len(b)
	}
	if i == 0 {
		return nil, b, false
	}
	return b[:i], b[i:], true
}

// field reads a quoted field or a bare token.
func field(b []byte) (f, rest []byte, ok bool) {
	if len(b) >= 3 && b[0] == '"' && b[1] == '-' && b[2] == '"' && (len(b) == 3 || b[3] == ' ') {
		return b[1:2], b[3:], true // "-", the usual referer
	}
	if len(b) > 0 && b[0] == '"' {
		f, rest, _ = quoted(b)
		return f, rest, true
	}
	return token(b)
}

// quoted reads a quoted field starting at b[0] == '"'. It returns the content
// (escapes left as logged), the rest after the closing quote, and whether a
// closing quote was found; an unterminated field runs to the end of b.
func quoted(b []byte) (f, rest []byte, closed bool) {
	i := 1
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return b[1:], nil, false
		}
		j += i
		k := j - 1
		for k >= 1 && b[k] == '\\' {
			k--
		}
		escaped := (j-1-k)%2 == 1
		if !escaped && (j+1 == len(b) || b[j+1] == ' ') {
			return b[1:j], b[j+1:], true
		}
		i = j + 1
	}
}

// skipSpace drops the one space that separates fields.
func skipSpace(b []byte) []byte {
	if len(b) > 0 && b[0] == ' ' {
		return b[1:]
	}
	return b
}

func isDash(b []byte) bool { return len(b) == 1 && b[0] == '-' }

// parseStatus parses a status of one to three digits ("000" included).
func parseStatus(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 3 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseSize parses a byte count; "-" is -1 (not logged).
func parseSize(b []byte) (int64, bool) {
	if isDash(b) {
		return -1, true
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
