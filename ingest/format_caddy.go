package ingest

import (
	"bytes"
	"time"
)

// Caddy's console encoder: what Caddy writes to a terminal by default, and
// with `log { format console }`. zap's console layout puts the entry's
// time, level, logger name and message in front, tab-separated, and the
// fields, the object the json encoder writes, after them:
//
//	2024/01/23 23:27:57.060<TAB>info<TAB>http.log.access.log0<TAB>handled request<TAB>{"request": {...}, "status": 200, ...}
//
// The json parser (formats json and caddy) reads such a line: the object as
// any JSON line, and the time from the prefix when the object has none, as
// the console encoder leaves "ts" out. Caddy writes the time in UTC, as
// "2006/01/02 15:04:05.000" by default (time_format wall, wall_milli,
// wall_nano), else as an epoch, ISO 8601 or CLF time, read as a JSON time
// is. The level may be coloured. Only the access logger's entries
// (http.log.access, http.log.access.NAME) are requests: Caddy's other
// entries in the same stream (startup, the error logger) are rejected as
// not_a_log_line.

// console parses a console-encoded line into rec; ok is false when the
// line is no console line: neither a time and a tab in front, nor the
// access logger's name in the third field.
func (p *jsonParser) console(line []byte, rec *Record) (r Reason, ok bool) {
	stamp, rest, found := bytes.Cut(line, []byte{'\t'})
	if !found {
		return 0, false
	}
	p.st.begin()
	t, off, valid := p.consoleTime(stamp)
	_, rest, _ = bytes.Cut(rest, []byte{'\t'}) // the level
	logger, rest, found := bytes.Cut(rest, []byte{'\t'})
	access := found && isAccessLogger(logger)
	switch {
	case !valid && !access:
		return 0, false
	case !access:
		return NotALogLine, true // Caddy's other entries
	}
	_, obj, found := bytes.Cut(rest, []byte{'\t'}) // the message
	if !found || len(obj) == 0 || obj[0] != '{' {
		return NotALogLine, true
	}
	if r := p.parseObject(obj, rec); r != OK {
		return r, true
	}
	if !p.st.haveTime {
		if !valid {
			return BadTimestamp, true
		}
		rec.Time, rec.Offset, p.st.haveTime = t, off, true
	}
	return p.st.finish(rec), true
}

// isAccessLogger reports whether a zap logger name is Caddy's access
// logger: http.log.access, or http.log.access.NAME for a named log.
func isAccessLogger(name []byte) bool {
	const access = "http.log.access"
	return bytes.HasPrefix(name, []byte(access)) && (len(name) == len(access) || name[len(access)] == '.')
}

// consoleTime parses the prefix's time: "2006/01/02 15:04:05.000" (UTC, as
// Caddy writes it), else a time the json format reads.
func (p *jsonParser) consoleTime(b []byte) (t time.Time, off int32, ok bool) {
	if len(b) >= 19 && len(b) <= 40 && b[4] == '/' && b[7] == '/' {
		var buf [40]byte
		iso := append(buf[:0], b...)
		iso[4], iso[7] = '-', '-'
		t, off, ok = parseISOTime(iso)
		if off == noZone {
			off = 0
		}
		return t, off, ok
	}
	return p.st.parseTime(kTimeAny, b)
}
