package ingest

import "bytes"

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
// may also be a bare "-". Fields after the user agent (nginx's
// "$http_x_forwarded_for", a request time...) are ignored here; custom
// formats that name them come with format strings.

var combinedFormat = &Format{
	Name:        "combined",
	Description: `Apache/nginx combined: %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i" (trailing fields ignored)`,
	New:         func() Parser { return &clfParser{combined: true} },
	typical:     func(p Parser, _ []byte) bool { return p.(*clfParser).sawAgent },
}

var commonFormat = &Format{
	Name:        "common",
	Description: `Common Log Format: %h %l %u %t "%r" %>s %b`,
	New:         func() Parser { return &clfParser{} },
	typical:     func(p Parser, _ []byte) bool { return !p.(*clfParser).trailing },
}

type clfParser struct {
	combined bool
	days     dayCache
	sawAgent bool // the last line had referer and user agent fields
	trailing bool // the last line had bytes after the size field
}

func (p *clfParser) Parse(line []byte, rec *Record) Reason {
	p.sawAgent, p.trailing = false, false
	client, rest, ok := token(line)
	if !ok || client[0] == '[' || client[0] == '"' {
		return NotALogLine
	}
	if !isDash(client) {
		rec.Client = client
	}
	if _, rest, ok = token(skipSpace(rest)); !ok { // %l, identd: "-" in practice
		return NotALogLine
	}
	user, rest, ok := token(skipSpace(rest))
	if !ok {
		return NotALogLine
	}
	rest = skipSpace(rest)
	if !isDash(user) {
		rec.User = user
	}
	if len(rest) == 0 || rest[0] != '[' {
		return NotALogLine
	}
	end := bytes.IndexByte(rest, ']')
	if end < 0 {
		return Truncated
	}
	t, off, ok := parseCLFTime(rest[1:end], &p.days)
	if !ok {
		return BadTimestamp
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
	if !p.combined {
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
	agent, _, ok := field(rest[1:])
	if !ok {
		return OK
	}
	if !isDash(agent) {
		rec.UserAgent = agent
	}
	p.sawAgent = true
	return OK
}

// token returns the bytes up to the next space (or the line's end) and the
// rest starting at that space. It fails on an empty token.
func token(b []byte) (tok, rest []byte, ok bool) {
	i := bytes.IndexByte(b, ' ')
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
