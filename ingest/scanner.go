package ingest

import (
	"bytes"

	"analyze/ingest/privacy"
)

// Kind is what a Scanner found on a line.
type Kind uint8

// The kinds of line.
const (
	KindRecord   Kind = iota // a parsed record: see Scanner.Record
	KindRejected             // a rejected line: see Scanner.Rejection
	KindBlank                // an empty or all-whitespace line
)

// Scanner is a pull iterator over the lines of blocks:
//
//	sc.Reset(block)
//	for sc.Next() {
//		switch sc.Kind() {
//		case ingest.KindRecord:    rec := sc.Record()
//		case ingest.KindRejected:  rej := sc.Rejection()
//		}
//	}
//
// Record and Rejection return values that alias the block and the scanner:
// they stay valid until the next call to Next. A Scanner keeps one Parser
// per format, so it is for one goroutine; give each worker its own.
type Scanner struct {
	_       cacheLinePad
	opts    ParseOptions
	parsers map[*Format]Parser
	parser  Parser
	fields  fieldResetter // the parser, when it is one; else nil
	b       *Block
	rest    []byte
	line    int64
	left    int // lines left in the block
	kind    Kind
	rec     Record
	rej     Rejection
	raw     []byte            // the current line
	docker  jsonParser        // the buffer of a Docker json-file record's line
	key     []byte            // the current record's API key as logged, when labelled
	label   []byte            // and its label (Record.Credential)
	labels  map[string]string // API keys' labels: a hash each, and keys repeat
	secret  map[string]bool   // whether each extra field's name says it is a secret
	anon    *anonymizer
	_       cacheLinePad
}

// cacheLinePad keeps apart, in memory, the per-line state of the workers'
// Scanners and parsers: they are allocated together, and objects of one
// size class sit side by side, so without it the fields one worker writes
// on every line can share a cache line with another worker's, and each
// write takes the line from the other core (false sharing). A struct
// written on every line starts and ends with one.
type cacheLinePad [64]byte

// NewScanner returns a Scanner with no block; its parsers use opts.
func NewScanner(opts ParseOptions) *Scanner {
	s := &Scanner{opts: opts, parsers: map[*Format]Parser{}}
	if len(opts.AnonymizeKey) > 0 {
		s.anon = newAnonymizer(opts.AnonymizeKey)
	}
	return s
}

// Reset points the scanner at the start of b.
func (s *Scanner) Reset(b *Block) {
	s.b, s.rest, s.line, s.left = b, b.Data, b.Line-1, b.Lines
	s.parser, s.fields = nil, nil
	if f := b.Format; f != nil {
		p, ok := s.parsers[f]
		if !ok {
			p = f.New(s.opts)
			s.parsers[f] = p
		}
		s.parser = p
		s.fields, _ = p.(fieldResetter)
		if dp, ok := p.(directiveParser); ok {
			dp.Begin(b.Directives)
		}
	}
	// Cleared whole once a block: a fieldResetter's lines then clear the
	// fields it writes, alone.
	s.rec.reset()
	s.rec.File = b.File
	s.rej.File = b.File
}

// Next advances to the next line and reports whether there was one.
func (s *Scanner) Next() bool {
	if s.left == 0 {
		return false
	}
	s.left--
	s.line++
	b := s.b
	switch {
	case b.TooLong:
		s.raw = b.Data // its first bytes only
		s.reject(b.Data, TooLong)
		return true
	case b.Partial:
		s.raw = b.Data
		s.reject(b.Data, Unreadable)
		return true
	}
	var line []byte
	if i := bytes.IndexByte(s.rest, '\n'); i >= 0 {
		line, s.rest = s.rest[:i], s.rest[i+1:]
	} else {
		line, s.rest = s.rest, nil
	}
	s.raw = trimCR(line) // as read: show prints it so
	line = trimLine(line)
	if len(line) > 0 && line[0] == '{' {
		if u, ok := unwrapDocker(line, &s.docker); ok {
			line, s.raw = u, u // show prints the access log line the record carries
		}
	}
	if isBlank(line) {
		s.kind = KindBlank
		return true
	}
	if s.parser == nil {
		s.reject(line, NoFormat)
		return true
	}
	if !s.opts.KeepSecrets {
		privacy.MaskLine(line)
	}
	if s.fields != nil {
		s.fields.resetFields(&s.rec)
	} else {
		s.rec.reset()
	}
	s.rec.Line = s.line
	r := s.parser.Parse(line, &s.rec)
	if !s.opts.KeepSecrets && len(s.rec.Extra) > 0 {
		s.maskSecretFields() // also when the line is rejected after its fields were read (a missing field)
	}
	if r != OK {
		if r == skipLine {
			s.kind = KindBlank
			return true
		}
		s.reject(line, r)
		return true
	}
	if sec := s.rec.Time.Unix(); sec < minTime || sec >= maxTime {
		s.reject(line, BadTimestamp)
		return true
	}
	s.key = nil
	if s.rec.CredentialIsKey && !s.opts.KeepSecrets {
		s.labelKey()
	}
	if s.anon != nil {
		s.anon.apply(&s.rec)
	}
	s.kind = KindRecord
	return true
}

// maskSecretFields masks the values of the extra fields named like a
// secret (an Authorization header); the values alias the line, which is
// masked with them.
func (s *Scanner) maskSecretFields() {
	for _, f := range s.rec.Extra {
		secret, ok := s.secret[f.Name]
		if !ok { // a format's few field names: decided once each
			if s.secret == nil {
				s.secret = map[string]bool{}
			}
			secret = privacy.SecretField(f.Name)
			s.secret[f.Name] = secret
		}
		if secret {
			privacy.MaskValue(f.Value)
		}
	}
}

// labelKey shows the record's API key as its label (KeyLabel), keeping the
// key as logged for ShowLine.
func (s *Scanner) labelKey() {
	s.key = s.rec.Credential
	l, ok := s.labels[string(s.key)]
	if !ok {
		if s.labels == nil || len(s.labels) >= 1<<12 {
			s.labels = map[string]string{}
		}
		l = KeyLabel(s.key)
		s.labels[string(s.key)] = l
	}
	s.label = append(s.label[:0], l...)
	s.rec.Credential = s.label
}

// The times a record may have: a timestamp outside is a BadTimestamp (the
// year 4025 is a valid CLF time). Every analysis counts in Unix
// nanoseconds, whose int64 spans 1678 to 2262; within these bounds a span
// between two times, plus the longest Retry-After, still fits.
const (
	minTime = 0          // 1970-01-01T00:00:00Z, in Unix seconds
	maxTime = 7258118400 // 2200-01-01T00:00:00Z
)

func (s *Scanner) reject(line []byte, r Reason) {
	s.kind = KindRejected
	s.rej.Line = s.line
	s.rej.Reason = r
	if !s.opts.KeepSecrets {
		// Its fields are unknown: mask what looks like a secret, query
		// parameters included (a line no format reads was not masked).
		privacy.MaskLine(line)
		privacy.MaskCredentials(line)
	}
	s.rej.Snippet = line[:min(len(line), SnippetBytes)]
	if s.anon != nil {
		// Who is in an unparsed line is unknown: show none of it.
		s.rej.Snippet = withheld
	}
}

var withheld = []byte("(withheld under --anonymize)")

// Anonymized reports whether the Scanner replaces identities by
// pseudonyms (ShowLine then replaces them in the line too).
func (s *Scanner) Anonymized() bool { return s.anon != nil }

// Kind returns what the current line is.
func (s *Scanner) Kind() Kind { return s.kind }

// Record returns the current line's record; valid until Next.
func (s *Scanner) Record() *Record { return &s.rec }

// ShowLine returns the current record's line as show prints it: the line
// as read, without its newline (for a line rejected as too long, its first
// bytes), or under --anonymize the line with its identities replaced by
// their pseudonyms (a JSON line value by value, see scrubJSON; another with
// each replaced value's occurrences replaced). Valid until Next.
func (s *Scanner) ShowLine() []byte {
	jp, isJSON := s.parser.(*jsonParser)
	isJSON = isJSON && s.kind == KindRecord
	if s.anon != nil && isJSON {
		if out, ok := s.anon.scrubJSON(s.raw, jp.jsonKind, !s.opts.KeepSecrets); ok {
			return out
		}
	}
	if s.anon == nil && isJSON && !s.opts.KeepSecrets {
		if out, ok := maskJSONSecrets(s.raw, jp.jsonKind); ok {
			return out
		}
	}
	out := s.raw
	if s.key != nil && s.kind == KindRecord && bytes.Contains(out, s.key) {
		out = bytes.ReplaceAll(out, s.key, s.label)
	}
	if s.anon == nil {
		return out
	}
	for _, p := range s.anon.Pairs() {
		if len(p.Value) > 0 && bytes.Contains(out, p.Value) {
			out = bytes.ReplaceAll(out, p.Value, []byte(p.Pseudonym))
		}
	}
	return out
}

// Rejection returns the current line's rejection; valid until Next.
func (s *Scanner) Rejection() *Rejection { return &s.rej }

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v' {
			return false
		}
	}
	return true
}
