package ingest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
)

// A template is a compiled format string: literals and fields in turn. It
// is what nginx log_format and Apache LogFormat strings, and the
// load-balancer presets, compile into. Parsing walks the line once: each
// field ends where the next literal begins (found with bytes.Index, or an
// escape-aware quote search for quoted fields), so no regular expression
// runs per line.
type template struct {
	lits   [][]byte // lits[i] comes before fields[i]; lits[len(fields)] after the last
	fields []tmplField
	// dashed[i], when not nil, is what follows field i when field i+1,
	// quoted in the format, was logged as a bare "-" (Traefik and others
	// leave an empty referer unquoted): lits[i+1] with its quote turned
	// into '-', then lits[i+2] without its quote.
	dashed    [][]byte
	hasDashed bool
	// required is how many leading fields a line must have; a line may end
	// cleanly after them (formats that grew fields over the years, as ALB).
	required int
}

type tmplField struct {
	kind   fieldKind
	name   string // the format's name for the field, for Extra and messages
	quoted bool   // between '"' literals: the value may hold escaped quotes
}

// newTemplate checks and finishes a template built by a format compiler.
func newTemplate(lits [][]byte, fields []tmplField) (*template, error) {
	if len(lits) != len(fields)+1 {
		return nil, fmt.Errorf("internal: %d literals for %d fields", len(lits), len(fields))
	}
	if len(fields) == 0 {
		return nil, fmt.Errorf("the format has no fields")
	}
	hasStatus, hasTime := false, false
	for i := range fields {
		if i+1 < len(fields) && len(lits[i+1]) == 0 && !(fields[i].kind == kPath && fields[i+1].kind == kQueryQ) {
			return nil, fmt.Errorf("fields %s and %s touch: nothing separates them", fields[i].name, fields[i+1].name)
		}
		prev, next := lits[i], lits[i+1]
		fields[i].quoted = len(prev) > 0 && prev[len(prev)-1] == '"' && len(next) > 0 && next[0] == '"'
		switch fields[i].kind {
		case kStatus:
			hasStatus = true
		case kTimeCLF, kTimeISO, kTimeEpoch, kTimeAny, kDate:
			hasTime = true
		}
	}
	if !hasStatus {
		return nil, fmt.Errorf("the format logs no status")
	}
	if !hasTime {
		return nil, fmt.Errorf("the format logs no time")
	}
	dashed := make([][]byte, len(fields))
	for i := 0; i+1 < len(fields); i++ {
		next, after := lits[i+1], lits[i+2]
		if fields[i+1].quoted && len(after) > 0 {
			dashed[i] = append(append(bytes.Clone(next[:len(next)-1]), '-'), after[1:]...)
		}
	}
	hasDashed := slices.ContainsFunc(dashed, func(d []byte) bool { return d != nil })
	return &template{lits: lits, fields: fields, dashed: dashed, hasDashed: hasDashed, required: len(fields)}, nil
}

// templateParser parses lines with a template.
type templateParser struct {
	_        cacheLinePad
	t        *template
	st       fieldState
	trailing bool // the last line had bytes after the format's end
	_        cacheLinePad
}

func newTemplateParser(t *template, o ParseOptions) *templateParser {
	return &templateParser{t: t, st: fieldState{tz: tzone{o.TZ}}}
}

func (p *templateParser) Parse(line []byte, rec *Record) Reason {
	r := p.parse(line, rec, false)
	if r != OK && r != NotALogLine && p.t.hasDashed {
		// Perhaps a quoted field was logged as a bare "-": try again with
		// that allowed. Lines that parse never pay for the second search.
		n := rec.Line
		rec.reset()
		rec.Line = n
		r = p.parse(line, rec, true)
	}
	return r
}

func (p *templateParser) parse(line []byte, rec *Record, dashes bool) Reason {
	t := p.t
	p.trailing = false
	p.st.begin()
	if !bytes.HasPrefix(line, t.lits[0]) {
		return NotALogLine
	}
	rest := line[len(t.lits[0]):]
	lits, fields := t.lits, t.fields
	for i := 0; i < len(fields); i++ {
		f := &fields[i]
		next := lits[i+1]
		if len(rest) == 0 && i >= t.required {
			break
		}
		end, skip := -1, len(next)
		switch {
		case len(next) == 0 && i+1 < len(fields):
			// A path touching its query (Apache %U%q): cut at '?' within
			// what runs up to the literal after the query.
			end = len(rest)
			if after := lits[i+2]; len(after) > 0 {
				if end = fieldEnd(rest, after, kQueryQ); end < 0 {
					end = len(rest)
				}
			}
			if q := bytes.IndexByte(rest[:end], '?'); q >= 0 {
				end = q
			}
			skip = 0
		case len(next) == 0: // the last field: the rest of the line
			end = len(rest)
		case f.quoted:
			if e, ok := quotedEnd(rest, next); ok {
				end = e
			}
		default:
			end = fieldEnd(rest, next, f.kind)
		}
		if !dashes {
			// Fast path: no bare dashes for quoted fields.
		} else if d := t.dashedAt(i, rest, end); d >= 0 && (end < 0 || d < end) {
			// The next field, quoted in the format, was logged as a bare "-".
			if r := p.st.setField(f.kind, f.name, rest[:d], rec); r != OK {
				return r
			}
			rest = rest[min(d+len(t.dashed[i]), len(rest)):]
			i++
			continue
		}
		var v []byte
		switch {
		case end >= 0:
			v, rest = rest[:end], rest[end+skip:]
		case i == len(fields)-1 && (f.quoted && len(next) == 1 || !f.quoted && isSpaces(next)):
			v, rest = rest, nil // unterminated at the end of the line
		default:
			return Truncated
		}
		if r := p.st.setField(f.kind, f.name, v, rec); r != OK {
			return r
		}
	}
	p.trailing = len(rest) > 0
	return p.st.finish(rec)
}

// dashedAt returns where field i's value ends when field i+1, quoted in
// the format, was logged as a bare "-"; -1 when it was not. end is where
// the value ends otherwise (-1: nowhere): a dashed end must come before it,
// so the search stops there.
func (t *template) dashedAt(i int, rest []byte, end int) int {
	alt := t.dashed[i]
	if alt == nil {
		return -1
	}
	window := rest
	if end >= 0 {
		window = rest[:min(len(rest), end+len(alt))]
	}
	var j int
	if t.fields[i].quoted {
		e, ok := quotedEnd(window, alt)
		if !ok {
			return -1
		}
		j = e
	} else if j = fieldEnd(window, alt, t.fields[i].kind); j < 0 {
		return -1
	}
	// When the dashed field ends the format, the line must end there (or
	// go on with trailing fields after a space).
	if e := j + len(alt); i+2 == len(t.fields) && e < len(rest) && rest[e] != ' ' {
		return -1
	}
	return j
}

// quotedEnd finds where a quoted field's value ends: at an unescaped '"'
// that starts the next literal.
func quotedEnd(b, next []byte) (int, bool) {
	i := 0
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return 0, false
		}
		j += i
		k := j - 1
		for k >= 0 && b[k] == '\\' {
			k--
		}
		if (j-1-k)%2 == 0 && prefixAt(b, j, next) {
			return j, true
		}
		i = j + 1
	}
}

// prefixAt reports whether b[j:] starts with p, whose first byte the
// caller has already matched. A byte loop: the literals are short, and a
// call to bytes.HasPrefix costs more than comparing them.
func prefixAt(b []byte, j int, p []byte) bool {
	if len(b)-j < len(p) {
		return false
	}
	for k := 1; k < len(p); k++ {
		if b[j+k] != p[k] {
			return false
		}
	}
	return true
}

// fieldEnd finds where an unquoted field ends: at the next literal. Lists
// ("a, b" or nginx's "a : b") and CLF times ("10/Oct/2000:13:55:36 -0700")
// hold spaces, so a space-led literal does not end them there.
func fieldEnd(b, next []byte, k fieldKind) int {
	from := 0
	if k == kTimeCLF && len(b) > 21 && b[20] == ' ' && (b[21] == '+' || b[21] == '-') {
		from = 21
	}
	c := next[0]
	for {
		j := indexByteShort(b[from:], c)
		if j < 0 {
			return -1
		}
		j += from
		if !prefixAt(b, j, next) {
			from = j + 1
			continue
		}
		if c == ' ' && j > 0 && (b[j-1] == ',' || j+2 < len(b) && b[j+1] == ':' && b[j+2] == ' ' || j >= 2 && b[j-1] == ':' && b[j-2] == ' ') {
			from = j + 1
			continue
		}
		return j
	}
}

// indexByteShort is bytes.IndexByte for values that are mostly short
// (statuses, sizes, times): a byte loop over the first 16 bytes costs less
// than the call, and long values still get the vectorised search.
func indexByteShort(b []byte, c byte) int {
	// Eight bytes at a time while there are eight: XOR makes the bytes
	// equal to c zero, and the classic zero-byte test marks them; the
	// lowest mark is exact (a borrow only marks bytes after a zero).
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	pattern := ones * uint64(c)
	i := 0
	for ; i+8 <= len(b) && i < 16; i += 8 {
		x := binary.LittleEndian.Uint64(b[i:]) ^ pattern
		if m := (x - ones) &^ x & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	if i < 16 {
		for ; i < len(b); i++ {
			if b[i] == c {
				return i
			}
		}
		return -1
	}
	if j := bytes.IndexByte(b[i:], c); j >= 0 {
		return i + j
	}
	return -1
}

// extraNames returns the names of the fields kept as extras.
func extraNames(fields []tmplField) []string {
	var out []string
	for _, f := range fields {
		if f.kind == kExtra {
			out = append(out, f.name)
		}
	}
	return out
}

func isSpaces(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return len(b) > 0
}

// templateFormat makes a Format of a compiled template.
func templateFormat(name, desc string, t *template) *Format {
	return &Format{
		Name:        name,
		Description: desc,
		Extras:      extraNames(t.fields),
		New:         func(o ParseOptions) Parser { return newTemplateParser(t, o) },
		typical:     func(p Parser, _ []byte) bool { return !p.(*templateParser).trailing },
	}
}
