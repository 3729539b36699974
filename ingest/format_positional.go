package ingest

// Positional formats: fields separated by single spaces, each a bare token
// or a quoted string, meaning fixed by position. AWS load balancers log this
// way, and their later fields come and go (ALB logs two trailing target
// fields quoted or bare, and gains fields over the years), which a
// literal-by-literal template cannot follow.

type positional struct {
	fields   []tmplField
	required int // fields a line must have
}

type positionalParser struct {
	_        cacheLinePad
	f        *positional
	st       fieldState
	trailing bool
	_        cacheLinePad
}

func (p *positionalParser) Parse(line []byte, rec *Record) Reason {
	p.st.begin()
	p.trailing = false
	rest := line
	i := 0
	for ; i < len(p.f.fields) && len(rest) > 0; i++ {
		var v []byte
		if rest[0] == '"' {
			var closed bool
			v, rest, closed = quoted(rest)
			if !closed && i < p.f.required-1 {
				return Truncated
			}
		} else {
			var ok bool
			if v, rest, ok = token(rest); !ok {
				return NotALogLine // two spaces in a row
			}
		}
		f := &p.f.fields[i]
		if r := p.st.setField(f.kind, f.name, v, rec); r != OK {
			return r
		}
		if len(rest) > 0 {
			if rest[0] != ' ' {
				return NotALogLine
			}
			rest = rest[1:]
		}
	}
	if i < p.f.required {
		return Truncated
	}
	p.trailing = len(rest) > 0
	return p.st.finish(rec)
}

// positionalFormat makes a Format of space-separated field names, kinds
// taken from kinds (unknown names are extras).
func positionalFormat(name, desc, names string, kinds map[string]fieldKind, required int) *Format {
	f := &positional{required: required}
	for _, n := range splitFields(names) {
		k, ok := kinds[n]
		if !ok {
			k = kExtra
		}
		f.fields = append(f.fields, tmplField{kind: k, name: n})
	}
	return &Format{
		Name:        name,
		Description: desc + ": " + names,
		Extras:      extraNames(f.fields),
		New:         func(o ParseOptions) Parser { return &positionalParser{f: f, st: fieldState{tz: tzone{o.TZ}}} },
		typical:     func(p Parser, _ []byte) bool { return true },
	}
}

func splitFields(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != ' ' {
			i++
		}
		if i > 0 {
			out = append(out, s[:i])
		}
		if i == len(s) {
			break
		}
		s = s[i+1:]
	}
	return out
}
