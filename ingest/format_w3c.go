package ingest

import (
	"bytes"
	"slices"
	"strings"
	"time"
)

// W3C extended log files (IIS, CloudFront, Oracle Web Cache, Incapsula):
// directive lines starting with '#' say which fields the data lines carry
// (#Fields:), and may change mid-file. Blocks are parsed in parallel, so the
// reader hands each block the directives in effect at its start
// (Block.Directives, see block.go) and the parser follows the directives
// inside the block as it meets them. Directive lines count as blank lines:
// they carry no request.
//
// Fields are separated by tabs (CloudFront) or runs of spaces (IIS, Oracle);
// a field may be quoted, with "" for a quote. Times without a zone are UTC,
// or local with #GMT-Offset, or --tz for date-local/time-local.

var w3cFormat = &Format{
	Name:        "w3c",
	Description: "W3C extended log files (IIS, Oracle, Incapsula), fields from #Fields: directives; time-taken in milliseconds",
	New:         func(o ParseOptions) Parser { return &w3cParser{tz: tzone{o.TZ}} },
	directives:  true,
	typical:     func(p Parser, _ []byte) bool { return !p.(*w3cParser).cloudfront },
}

var cloudfrontFormat = &Format{
	Name:        "cloudfront",
	Description: "Amazon CloudFront standard logs (W3C, tab-separated); time-taken in seconds",
	New:         func(o ParseOptions) Parser { return &w3cParser{tz: tzone{o.TZ}} },
	directives:  true,
	typical:     func(p Parser, _ []byte) bool { return p.(*w3cParser).cloudfront },
}

// w3cKind maps a W3C field name to a field kind; CloudFront logs
// time-taken in seconds, IIS in milliseconds.
func w3cKind(name string, cloudfront bool) fieldKind {
	switch strings.ToLower(name) {
	case "date", "date-local":
		return kDate
	case "time", "time-local":
		return kClock
	case "c-ip":
		return kClient
	case "cs-username", "c-auth-id":
		return kUser
	case "cs-method":
		return kMethod
	case "cs-uri-stem":
		return kPath
	case "cs-uri-query":
		return kQuery
	case "cs-uri":
		return kURI
	case "cs-version", "cs-protocol-version":
		return kProtocol
	case "sc-status":
		return kStatus
	case "sc-bytes", "bytes":
		return kBytes
	case "time-taken":
		if cloudfront {
			return kDurSec
		}
		return kDurMS
	case "timetakenms":
		return kDurMS
	case "cs(user-agent)":
		return kAgent
	case "cs(referer)", "cs(referrer)":
		return kReferer
	case "cs(host)", "cs-host", "x-host-header":
		return kHost
	case "x-forwarded-for", "s-xff":
		return kForwardedFor
	case "x-edge-request-id":
		return kRequestID
	}
	if cloudfront || !w3cCustom(name) {
		return kIgnore
	}
	return headerKind(normaliseHeader(name), false)
}

// withFieldExtras returns f, a format with directives, with Extras naming
// the custom fields that the #Fields directives of head keep in
// Record.Extra, so that export makes them columns; f itself when there are
// none. Fields first declared past the head are kept in Record.Extra but
// have no column.
func withFieldExtras(f *Format, head []byte) *Format {
	var extras []string
	for line := range bytes.SplitSeq(head, []byte{'\n'}) {
		name, value, ok := bytes.Cut(trimCR(line), []byte{':'})
		if !ok || string(bytes.TrimSpace(name)) != "#Fields" {
			continue
		}
		cloudfront := bytes.Contains(value, []byte("x-edge-location"))
		for _, n := range strings.Fields(string(value)) {
			if w3cKind(n, cloudfront) == kExtra && !slices.Contains(extras, n) {
				extras = append(extras, n)
			}
		}
	}
	if len(extras) == 0 {
		return f
	}
	c := *f
	c.Extras = extras
	return &c
}

// w3cCustom reports whether a #Fields name is a custom field (IIS 10's
// custom logging, "X-Forwarded-For", "OriginalIP") rather than one of the
// W3C identifiers: prefix-name (c-ip, s-port, cs-bytes, sc-substatus...),
// prefix(header) and the few bare ones. A custom field is read as the
// request header it names when we know it (X-Forwarded-For,
// X-Request-Id...), else kept by name in Record.Extra. A W3C identifier
// we do not map stays unread, as a cs(header) does: a cs(Cookie) holds
// secrets.
func w3cCustom(name string) bool {
	n := strings.ToLower(name)
	if strings.ContainsRune(n, '(') {
		return false
	}
	for _, prefix := range [...]string{"c-", "s-", "r-", "cs-", "sc-", "sr-", "rs-"} {
		if strings.HasPrefix(n, prefix) {
			return false
		}
	}
	switch n {
	case "date", "time", "time-taken", "bytes", "cached", "comment", "count", "interval", "time-from", "time-to":
		return false
	}
	return true
}

type w3cParser struct {
	_          cacheLinePad
	st         fieldState
	tz         tzone
	fields     []tmplField
	header     string // the #Fields line fields was compiled from
	date       []byte // from #Date, for files whose lines carry only a time
	dateBuf    [10]byte
	offset     *time.Location // from #GMT-Offset
	cloudfront bool
	toks       [][]byte
	scratch    []byte // user agents with '+' for spaces, decoded
	_          cacheLinePad
}

// Begin takes the directives in effect at the start of a block.
func (p *w3cParser) Begin(directives []byte) {
	p.fields, p.header, p.date, p.offset, p.cloudfront = nil, "", nil, nil, false
	for line := range bytes.SplitSeq(directives, []byte{'\n'}) {
		p.directive(line)
	}
}

// directive applies one '#' line.
func (p *w3cParser) directive(line []byte) {
	name, value, _ := bytes.Cut(line, []byte{':'})
	value = bytes.TrimSpace(value)
	switch string(bytes.TrimSpace(name)) {
	case "#Fields":
		if string(value) == p.header && p.fields != nil {
			return
		}
		p.header = string(value)
		p.fields = p.fields[:0]
		p.cloudfront = strings.Contains(p.header, "x-edge-location")
		for _, f := range strings.Fields(p.header) {
			p.fields = append(p.fields, tmplField{kind: w3cKind(f, p.cloudfront), name: f})
		}
	case "#Date", "#Start-Date":
		if len(value) >= 10 {
			p.date = append(p.dateBuf[:0], value[:10]...)
		}
	case "#GMT-Offset":
		if off, ok := zone(value); ok {
			p.offset = time.FixedZone("", int(off))
		}
	}
}

func (p *w3cParser) Parse(line []byte, rec *Record) Reason {
	if len(line) > 0 && line[0] == '#' {
		p.directive(line)
		return skipLine
	}
	if p.fields == nil {
		return NotALogLine // data before any #Fields directive
	}
	p.toks = splitW3C(line, p.toks[:0])
	if len(p.toks) != len(p.fields) {
		return FieldCount
	}
	p.st.begin()
	p.st.tz = p.tz
	if cap(p.scratch) < len(line) {
		p.scratch = make([]byte, 0, len(line))
	}
	p.scratch = p.scratch[:0]
	if p.offset != nil {
		p.st.tz = tzone{p.offset}
	}
	hasDate := false
	for i, f := range p.fields {
		v := p.toks[i]
		if f.kind == kMethod && len(v) > 0 && !isDash(v) && !isMethod(v) {
			return NotALogLine // an FTP or other non-HTTP verb
		}
		if f.kind == kDate {
			hasDate = true
		}
		if f.kind == kAgent {
			v = p.decodeAgent(v)
		}
		if r := p.st.setField(f.kind, f.name, v, rec); r != OK {
			return r
		}
	}
	if !hasDate && p.date != nil {
		p.st.date = p.date
	}
	return p.st.finish(rec)
}

// decodeAgent undoes how W3C logs write a user agent: IIS turns its spaces
// into '+', CloudFront percent-encodes it.
func (p *w3cParser) decodeAgent(v []byte) []byte {
	if p.cloudfront {
		if bytes.IndexByte(v, '%') < 0 {
			return v
		}
	} else if bytes.IndexByte(v, '+') < 0 {
		return v
	}
	start := len(p.scratch)
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '+' && !p.cloudfront:
			c = ' '
		case c == '%' && p.cloudfront && i+2 < len(v):
			if h, ok := hex2(v[i+1], v[i+2]); ok {
				c = h
				i += 2
			}
		}
		p.scratch = append(p.scratch, c)
	}
	return p.scratch[start:]
}

// splitW3C splits a data line into fields: on tabs when it has any, else on
// runs of spaces; a field in double quotes keeps its spaces ("" is a quote,
// left as logged).
func splitW3C(line []byte, out [][]byte) [][]byte {
	if bytes.IndexByte(line, '\t') >= 0 {
		for f := range bytes.SplitSeq(line, []byte{'\t'}) {
			out = append(out, f)
		}
		return out
	}
	i := 0
	for i < len(line) {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i >= len(line) {
			break
		}
		if line[i] == '"' {
			j := i + 1
			for j < len(line) {
				if line[j] == '"' {
					if j+1 < len(line) && line[j+1] == '"' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			out = append(out, line[i+1:min(j, len(line))])
			i = j + 1
			continue
		}
		j := i
		for j < len(line) && line[j] != ' ' {
			j++
		}
		out = append(out, line[i:j])
		i = j
	}
	return out
}
