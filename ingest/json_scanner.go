package ingest

import (
	"encoding/binary"
	"math"
	"math/bits"
	"time"
	"unicode/utf8"
)

// parseSeconds parses a non-negative decimal number of units, as in
// "0.123" seconds; "-" and empty are not logged.
func parseSeconds(b []byte, unit time.Duration) (time.Duration, bool) {
	var whole int64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if i > 12 {
			return 0, false
		}
		whole = whole*10 + int64(b[i]-'0')
	}
	if i == 0 || whole >= math.MaxInt64/int64(unit) {
		return 0, false // none, or past the 292 years a Duration holds
	}
	d := time.Duration(whole) * unit
	if i < len(b) && b[i] == '.' {
		scale := unit / 10
		for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			d += time.Duration(b[i]-'0') * scale
			scale /= 10
		}
	}
	return d, i == len(b)
}

// jsonScanner walks one JSON text.
type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// str reads a string at s.i (which holds '"') and returns its content,
// unescaped into p.scratch when it holds escapes.
//
// Eight bytes at a time it looks for the first quote, backslash or control
// character (below 0x20): the classic zero-byte test on the bytes XORed
// with '"' and with '\\', and its less-than variant for 0x20. The lowest
// mark of any of the three is exact (a borrow only marks bytes after a
// true one), and most strings of a log hold neither escapes nor controls.
func (s *jsonScanner) str(p *jsonParser) ([]byte, bool) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	b, start := s.b, s.i+1
	i := start
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		qt, bs := x^(ones*'"'), x^(ones*'\\')
		if m := ((qt-ones)&^qt | (bs-ones)&^bs | (x-ones*0x20)&^x) & highs; m != 0 {
			i += bits.TrailingZeros64(m) / 8
			break
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			break
		}
	}
	switch {
	case i >= len(b):
		return nil, false
	case b[i] == '"':
		s.i = i + 1
		return b[start:i], true
	case b[i] == '\\':
		return s.unescape(p, start)
	}
	return nil, false // a raw control character
}

// unescape decodes the string starting at start into p.scratch. Besides JSON's
// escapes it accepts nginx's \xHH (escape=default) as the byte HH.
func (s *jsonScanner) unescape(p *jsonParser, start int) ([]byte, bool) {
	from := len(p.scratch)
	for i := start; i < len(s.b); i++ {
		c := s.b[i]
		switch {
		case c == '"':
			s.i = i + 1
			return p.scratch[from:], true
		case c < 0x20:
			return nil, false
		case c != '\\':
			p.scratch = append(p.scratch, c)
			continue
		}
		i++
		if i >= len(s.b) {
			return nil, false
		}
		switch s.b[i] {
		case '"', '\\', '/':
			p.scratch = append(p.scratch, s.b[i])
		case 'b':
			p.scratch = append(p.scratch, '\b')
		case 'f':
			p.scratch = append(p.scratch, '\f')
		case 'n':
			p.scratch = append(p.scratch, '\n')
		case 'r':
			p.scratch = append(p.scratch, '\r')
		case 't':
			p.scratch = append(p.scratch, '\t')
		case 'x':
			if i+2 >= len(s.b) {
				return nil, false
			}
			h, ok := hex2(s.b[i+1], s.b[i+2])
			if !ok {
				return nil, false
			}
			p.scratch = append(p.scratch, h)
			i += 2
		case 'u':
			r, n, ok := s.codepoint(i + 1)
			if !ok {
				return nil, false
			}
			p.scratch = utf8.AppendRune(p.scratch, r)
			i += n
		default:
			return nil, false
		}
	}
	return nil, false
}

// codepoint decodes the XXXX of \uXXXX at i, and a following low surrogate.
// It returns the rune and how many bytes after the 'u' it consumed.
func (s *jsonScanner) codepoint(i int) (rune, int, bool) {
	r, ok := hex4(s.b, i)
	if !ok {
		return 0, 0, false
	}
	if r >= 0xD800 && r < 0xDC00 {
		if i+10 <= len(s.b) && s.b[i+4] == '\\' && s.b[i+5] == 'u' {
			if lo, ok := hex4(s.b, i+6); ok && lo >= 0xDC00 && lo < 0xE000 {
				return (r-0xD800)<<10 + (lo - 0xDC00) + 0x10000, 10, true
			}
		}
		return utf8.RuneError, 4, true
	}
	return r, 4, true
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	hi, ok1 := hex2(b[i], b[i+1])
	lo, ok2 := hex2(b[i+2], b[i+3])
	return rune(hi)<<8 | rune(lo), ok1 && ok2
}

func hex2(a, b byte) (byte, bool) {
	x, ok1 := unhex(a)
	y, ok2 := unhex(b)
	return x<<4 | y, ok1 && ok2
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// value skips one JSON value (string, number, literal, object or array)
// at s.i, validating it; nesting is bounded by jsonMaxDepth.
func (s *jsonScanner) value(p *jsonParser) bool { return s.valueDepth(p, 0) }

const jsonMaxDepth = 64

func (s *jsonScanner) valueDepth(p *jsonParser, depth int) bool {
	if s.i >= len(s.b) || depth > jsonMaxDepth {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		mark := len(p.scratch)
		_, ok := s.str(p)
		p.scratch = p.scratch[:mark]
		return ok
	case c == '{' || c == '[':
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		s.i++
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == closer {
			s.i++
			return true
		}
		for {
			s.ws()
			if c == '{' {
				if s.i >= len(s.b) || s.b[s.i] != '"' {
					return false
				}
				mark := len(p.scratch)
				if _, ok := s.str(p); !ok {
					return false
				}
				p.scratch = p.scratch[:mark]
				s.ws()
				if s.i >= len(s.b) || s.b[s.i] != ':' {
					return false
				}
				s.i++
				s.ws()
			}
			if !s.valueDepth(p, depth+1) {
				return false
			}
			if more, ok := s.afterValue(closer); !ok {
				return false
			} else if more {
				continue
			}
			return true
		}
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	}
	return false
}

func (s *jsonScanner) literal(lit string) bool {
	if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
		s.i += len(lit)
		return true
	}
	return false
}

// number skips a JSON number: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
func (s *jsonScanner) number() bool {
	if s.b[s.i] == '-' {
		s.i++
	}
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.i < len(s.b) && s.b[s.i] == '0' {
		s.i++
	} else if digits() == 0 {
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}

// afterValue moves past what follows a member or an element: a ',' (more
// follow) or the closing '}' or ']'. ok is false when neither does.
func (s *jsonScanner) afterValue(closer byte) (more, ok bool) {
	s.ws()
	if s.i >= len(s.b) {
		return false, false
	}
	switch s.b[s.i] {
	case ',':
		s.i++
		return true, true
	case closer:
		s.i++
		return false, true
	}
	return false, false
}
