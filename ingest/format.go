package ingest

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"analyze/ingest/privacy"
)

// Parser parses the lines of one log format. A Parser keeps scratch state
// (a day cache, an unescape buffer), so it is not safe for concurrent use:
// each worker gets its own from Format.New.
type Parser interface {
	// Parse parses one line, without its line end, into rec, which the
	// caller has reset. It returns OK or the reason the line is rejected.
	// rec's byte slices alias line or the parser's scratch space and stay
	// valid until the next call to Parse.
	Parse(line []byte, rec *Record) Reason
}

// ParseOptions configure the parsers of every format.
type ParseOptions struct {
	// TZ is the zone of timestamps logged without one; nil means UTC.
	TZ *time.Location
	// KeepSecrets leaves credential-like query parameters and API keys as
	// logged; by default the Scanner masks the parameters and shows each
	// key as its label, KeyLabel (package privacy).
	KeepSecrets bool
	// AnonymizeKey, when set, makes the Scanner replace client addresses,
	// users and credentials by keyed pseudonyms (package privacy).
	AnonymizeKey []byte
	// SkipRefererAgent leaves a combined line's referer and user agent
	// unread (Record.Referer and UserAgent stay empty), for a caller that
	// uses neither (analyze show). Whether a line is a record does not
	// depend on them.
	SkipRefererAgent bool
}

// Format is a log format the tool can read.
type Format struct {
	Name        string
	Description string
	New         func(ParseOptions) Parser
	// Extras names the fields the format logs that have no Record field of
	// their own (they come in Record.Extra), in format order.
	Extras []string
	// typical reports whether a line that parsed is typical of this format
	// rather than merely accepted by it (a common line parses as combined,
	// but is not typical of it); detection counts typical lines.
	typical func(p Parser, line []byte) bool
	// directives marks formats whose lines depend on directive lines
	// earlier in the file (W3C #Fields): the reader hands each block the
	// directives in effect at its start, and the parser gets them through
	// its Begin method.
	directives bool
}

// directiveParser is a Parser of a format with directives.
type directiveParser interface {
	Parser
	Begin(directives []byte)
}

// formats lists the known formats in detection order: on a tie, the first
// wins.
var formats = append(append([]*Format{combinedFormat, commonFormat}, presetFormats...), haproxyFormat, w3cFormat, cloudfrontFormat, jsonFormat, caddyFormat)

// Formats returns the known formats.
func Formats() []*Format { return formats }

// LookupFormat returns the format of that name, or nil and an error naming
// the known formats.
func LookupFormat(name string) (*Format, error) {
	for _, f := range formats {
		if f.Name == name {
			return f, nil
		}
	}
	names := make([]string, 0, len(formats)+1)
	names = append(names, "auto")
	for _, f := range formats {
		names = append(names, f.Name)
	}
	return nil, fmt.Errorf("unknown format %q (known: %s)", name, strings.Join(names, ", "))
}

// trimBOM returns b without a leading UTF-8 byte order mark, which some
// Windows tools and IIS write at the start of a file.
func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return b[3:]
	}
	return b
}

// detectLines is how many non-blank lines of a file's head detection reads.
const detectLines = 64

// MinConfidence is the share of sampled lines a format must parse to be
// chosen by detection. Below it the file is "unknown": all its lines are
// rejected as no_format rather than half-parsed, and the report names the
// closest candidates.
const MinConfidence = 0.5

// Detection is the outcome of format detection on a file's head.
type Detection struct {
	Format     *Format // nil when no format parses at least MinConfidence of the lines
	Sampled    int     // data lines sampled (blank and directive lines left out)
	Matched    int     // of them, lines the chosen format parsed
	Confidence float64 // Matched / Sampled
	// Candidates are the formats that parsed any sampled line, best
	// first, at most three; for a file no format fits, they say how close
	// each came. Once a format finds every sampled line typical, none
	// after it can win, and they are not tried: then Candidates holds
	// those tried.
	Candidates []Candidate
	// Examples are the first sampled lines (at most two, each cut at
	// SnippetBytes), for the message about a file no format fits.
	Examples []string
	// Encoding names a text encoding no format reads that the head starts
	// with ("UTF-16", by its byte order mark); empty otherwise.
	Encoding string

	// full: the sample holds detectLines whole lines (the last one ends
	// with its newline), so a longer head would give the same detection.
	full bool
}

// Candidate is how well one format fitted a file's head.
type Candidate struct {
	Format  string
	Matched int
	Sampled int
}

// Detect chooses a format from the head of a file: the format under which
// the most sampled lines are typical, on a tie the one that parses more,
// then the earlier in Formats. A format that parses less than MinConfidence
// of the sampled lines is never chosen.
func Detect(head []byte) Detection {
	utf16 := len(head) >= 2 && (head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF)
	head = trimBOM(head)
	whole := head
	var sample [][]byte
	ended := false // the last line sampled ends with a newline in head
	for len(head) > 0 && len(sample) < detectLines {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			i = len(head)
		}
		line := trimLine(head[:i])
		if u, ok := unwrapDocker(line, &jsonParser{}); ok {
			line = u // its own buffer: the sample keeps it
		}
		terminated := i < len(head)
		if terminated {
			head = head[i+1:]
		} else {
			head = nil
		}
		if len(bytes.TrimSpace(line)) > 0 {
			sample = append(sample, line)
			ended = terminated
		}
	}
	d := Detection{Sampled: len(sample), full: len(sample) == detectLines && ended}
	if utf16 {
		d.Encoding = "UTF-16"
	}
	for _, line := range sample[:min(len(sample), 2)] {
		ex := bytes.Clone(line[:min(len(line), SnippetBytes)])
		privacy.MaskLine(ex) // quoted on stderr: its secrets masked, as a rejected line's
		privacy.MaskCredentials(ex)
		d.Examples = append(d.Examples, string(ex))
	}
	bestTypical := -1
	var rec Record
	for _, f := range formats {
		p := f.New(ParseOptions{})
		typical, matched, data := 0, 0, 0
		if dp, ok := p.(directiveParser); ok {
			dp.Begin(nil)
		}
		for _, line := range sample {
			rec.reset()
			r := p.Parse(line, &rec)
			if r == skipLine {
				continue
			}
			data++
			if r != OK {
				continue
			}
			matched++
			if f.typical == nil || f.typical(p, line) {
				typical++
			}
		}
		if matched > 0 {
			d.Candidates = append(d.Candidates, Candidate{f.Name, matched, data})
		}
		if matched > 0 && float64(matched) >= MinConfidence*float64(data) &&
			(typical > bestTypical || typical == bestTypical && matched > d.Matched) {
			d.Format, d.Matched, d.Sampled, bestTypical = f, matched, data, typical
		}
		if typical == len(sample) {
			// Every line typical: a later format can at best tie, and a
			// tie goes to the earlier.
			break
		}
	}
	if d.Sampled > 0 {
		d.Confidence = float64(d.Matched) / float64(d.Sampled)
	}
	if d.Format != nil && d.Format.directives {
		d.Format = withFieldExtras(d.Format, whole)
	}
	slices.SortStableFunc(d.Candidates, func(a, b Candidate) int {
		return cmp.Compare(float64(b.Matched)/float64(max(b.Sampled, 1)), float64(a.Matched)/float64(max(a.Sampled, 1)))
	})
	if len(d.Candidates) > 3 {
		d.Candidates = d.Candidates[:3]
	}
	return d
}

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
