package synth

import (
	"fmt"
	"strconv"
	"time"
)

// format appends r as one line of the configured format.
func (g *generator) format(b []byte, r *request) []byte {
	user := r.c.user
	if user == "" {
		user = "-"
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
