package ingest

import "bytes"

// A line as read, before its format's parser: the envelopes around it
// (a byte order mark, a CR ending, NUL gaps, syslog's and the container
// runtimes' headers, Docker's json-file records) come off here, for every
// format alike.

// trimBOM returns b without a leading UTF-8 byte order mark, which some
// Windows tools and IIS write at the start of a file.
func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return b[3:]
	}
	return b
}

// trimCR returns b without its CR ending, if any.
func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// trimLine drops a line's CR ending, the NUL bytes before its text, and a
// syslog header (syslogHeader): a file system can leave a zero-filled gap
// in a log a crash cut short, and the next line written follows the gap
// with no newline between (a line of NULs alone becomes empty, so blank);
// a log sent through syslog (nginx's access_log syslog:, rsyslog's files)
// has each line behind the syslog header.
func trimLine(b []byte) []byte {
	b = trimCR(b)
	if len(b) > 0 && b[0] == 0 {
		i := 1
		for i < len(b) && b[i] == 0 {
			i++
		}
		b = b[i:]
	}
	if n := syslogHeader(b); n > 0 {
		b = b[n:]
	} else if n := criHeader(b); n > 0 {
		b = b[n:]
	}
	return b
}

// unwrapDocker returns the log line a Docker json-file record carries
// ({"log":"...\n","stream":"stdout","time":"..."}: a container's output as
// /var/lib/docker/containers/*/*-json.log keeps it), unescaped into
// p.scratch, and true; else line and false. The value must end with the
// newline Docker keeps, so a JSON access log whose first member is "log"
// is read as itself.
func unwrapDocker(line []byte, p *jsonParser) ([]byte, bool) {
	const prefix = `{"log":`
	if len(line) < len(prefix)+4 || string(line[:len(prefix)]) != prefix || line[len(prefix)] != '"' {
		return line, false
	}
	if cap(p.scratch) < len(line) {
		p.scratch = make([]byte, 0, len(line))
	}
	p.scratch = p.scratch[:0]
	s := jsonScanner{b: line, i: len(prefix)}
	v, ok := s.str(p)
	if !ok || len(v) == 0 || v[len(v)-1] != '\n' {
		return line, false
	}
	return trimCR(v[:len(v)-1]), true
}

// criHeader returns the length of the header a container runtime (CRI:
// containerd, CRI-O; Kubernetes' /var/log/containers) writes before each
// line of a container's output, 0 when none: "2025-03-12T10:15:32.123456789Z
// stdout F ". A line the runtime split (P, over 16 KiB) keeps its header
// off too, and reads as the cut line it is.
func criHeader(b []byte) int {
	n := stampField(b)
	if n == 0 {
		return 0
	}
	rest := b[n:]
	for _, stream := range []string{"stdout ", "stderr "} {
		if len(rest) >= len(stream)+2 && string(rest[:len(stream)]) == stream &&
			(rest[len(stream)] == 'F' || rest[len(stream)] == 'P') && rest[len(stream)+1] == ' ' {
			return n + len(stream) + 2
		}
	}
	return 0
}

// syslogHeader returns the length of the syslog header b starts with, 0
// when none: an optional "<PRI>", a timestamp, RFC 3164's "Mar 12
// 10:15:32" or RFC 3339's "2025-03-12T10:15:32.123456+00:00" (rsyslog's
// file format), the host, and the tag ending with ": " ("nginx: ",
// "haproxy[14389]: "). No access log line starts so: its first field is an
// address, a host name, a bracket or a brace, a date with no 'T', or a
// word in lower case.
func syslogHeader(b []byte) int {
	if len(b) < 20 {
		return 0
	}
	i := 0
	if b[0] == '<' {
		j := bytes.IndexByte(b[:6], '>')
		if j < 2 || !allDigits(b[1:j]) {
			return 0
		}
		i = j + 1
	}
	ts := b[i:]
	switch c := ts[0]; {
	case c >= 'A' && c <= 'Z': // "Mar 12 10:15:32 ", the day padded with a space
		if len(ts) < 16 || monthIndex(ts[:3]) == 0 || ts[3] != ' ' || !(ts[4] == ' ' || isDigit(ts[4])) || !isDigit(ts[5]) ||
			ts[6] != ' ' || !isClock(ts[7:15]) || ts[15] != ' ' {
			return 0
		}
		i += 16
	case c >= '0' && c <= '9': // "2025-03-12T10:15:32.123456+00:00 "
		n := stampField(ts)
		if n == 0 {
			return 0
		}
		i += n
	default:
		return 0
	}
	host := bytes.IndexByte(b[i:], ' ')
	if host <= 0 {
		return 0
	}
	i += host + 1
	tag := b[i:min(len(b), i+64)]
	end := bytes.Index(tag, []byte(": "))
	if end <= 0 || bytes.IndexByte(tag[:end], ' ') >= 0 {
		return 0
	}
	return i + end + 2
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// stampField returns the length of the RFC 3339 timestamp b starts with
// and the space after it ("2025-03-12T10:15:32.123456789Z "), 0 when b
// does not start so: the first field of syslog's and the container
// runtimes' headers.
func stampField(b []byte) int {
	if len(b) < 20 || !isDigit(b[0]) || b[4] != '-' || b[7] != '-' || b[10] != 'T' || !isClock(b[11:19]) {
		return 0
	}
	sp := bytes.IndexByte(b[:min(len(b), 40)], ' ')
	if sp < 19 {
		return 0
	}
	return sp + 1
}

// isClock reports whether b is "hh:mm:ss".
func isClock(b []byte) bool {
	if len(b) != 8 || b[2] != ':' || b[5] != ':' {
		return false
	}
	_, h := num2(b[0:2])
	_, m := num2(b[3:5])
	_, sec := num2(b[6:8])
	return h && m && sec
}
