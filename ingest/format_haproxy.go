package ingest

import (
	"bytes"
	"time"
)

// HAProxy's HTTP log (option httplog), with or without its syslog prefix:
//
//	Feb  6 12:14:14 lb1 haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"
//
// The accept date has no zone (--tz applies). Of the timers TR/Tw/Tc/Tr/Ta
// the total Ta is the duration and Tr the upstream time. A request HAProxy
// answered itself (server <NOSRV>) is marked as a load-balancer error; a
// status of -1 (no response) is counted as 000. Other HAProxy messages
// ("Proxy started", TCP logs) are not access-log lines.

var haproxyFormat = &Format{
	Name:        "haproxy-http",
	Description: "HAProxy HTTP log (option httplog), with or without the syslog prefix",
	Extras:      []string{"frontend", "backend"},
	New:         func(o ParseOptions) Parser { return &haproxyParser{st: fieldState{tz: tzone{o.TZ}}} },
}

type haproxyParser struct {
	_  cacheLinePad
	st fieldState
	_  cacheLinePad
}

func (p *haproxyParser) Parse(line []byte, rec *Record) Reason {
	p.st.begin()
	msg := line
	if i := bytes.Index(line, []byte("]: ")); i >= 0 && bytes.Contains(line[:i], []byte("[")) {
		msg = line[i+3:]
	}
	client, rest, ok := token(msg)
	if !ok || len(rest) < 2 || rest[1] != '[' {
		return NotALogLine
	}
	rec.Client = stripPort(client)
	end := bytes.IndexByte(rest, ']')
	if end < 0 {
		return Truncated
	}
	if r := p.st.setField(kTimeCLF, "", rest[2:end], rec); r != OK {
		return r
	}
	rest = rest[end+1:]
	var frontend, backend, timers, status, size []byte
	for _, dst := range []*[]byte{&frontend, &backend, &timers, &status, &size} {
		if *dst, rest, ok = token(skipSpace(rest)); !ok {
			return Truncated
		}
	}
	if bytes.Count(timers, []byte{'/'}) < 3 {
		return NotALogLine
	}
	if string(status) == "-1" {
		rec.Status, p.st.haveStatus = 0, true
	} else if r := p.st.setField(kStatus, "", status, rec); r != OK {
		return r
	}
	if r := p.st.setField(kBytes, "", size, rec); r != OK {
		return r
	}
	// The total time Ta is the last timer; Tr, the server's, the fourth.
	var timer [5][]byte
	n := 0
	for t := range bytes.SplitSeq(timers, []byte{'/'}) {
		if n < len(timer) {
			timer[n] = t
		}
		n++
	}
	if d, ok := parseSeconds(timer[min(n, 5)-1], time.Millisecond); ok {
		rec.Duration = d
	}
	if n >= 4 {
		if d, ok := parseSeconds(timer[3], time.Millisecond); ok {
			rec.Upstream = d
		}
	}
	if bytes.HasSuffix(backend, []byte("/<NOSRV>")) {
		rec.LBError = true
	}
	p.st.extra = append(p.st.extra, Field{Name: "frontend", Value: frontend}, Field{Name: "backend", Value: backend})
	// The request is the last field, quoted; captured headers in {} and
	// the counters before it are skipped.
	q := bytes.IndexByte(rest, '"')
	if q < 0 {
		return Truncated
	}
	req, _, _ := quoted(rest[q:])
	p.st.setField(kRequest, "", req, rec)
	return p.st.finish(rec)
}
