package privacy

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
)

// Pair is a value a record's line holds and what replaced it.
type Pair struct {
	Value     []byte // aliases the line: valid until the caller's next record
	Pseudonym string
}

// NewKey returns a random key, for pseudonyms stable within one run only.
func NewKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

// Pseudonyms makes the pseudonyms of one goroutine's records; it caches
// them, since clients repeat, and notes the pairs made since Reset (the
// values of one record), for replacing them in its line.
type Pseudonyms struct {
	key   []byte
	cache map[string]string
	pairs []Pair // since Reset
}

const cacheSize = 1 << 16

// NewPseudonyms returns the Pseudonyms of key.
func NewPseudonyms(key []byte) *Pseudonyms {
	return &Pseudonyms{key: key, cache: make(map[string]string, 1024)}
}

// Reset forgets the pairs of the last record.
func (p *Pseudonyms) Reset() { p.pairs = p.pairs[:0] }

// Pairs returns the pairs made since Reset; valid until the next Reset.
func (p *Pseudonyms) Pairs() []Pair { return p.pairs }

// Of returns the pseudonym of v, and notes the pair.
func (p *Pseudonyms) Of(v []byte) string {
	if ps, ok := p.cache[string(v)]; ok {
		p.pairs = append(p.pairs, Pair{v, ps})
		return ps
	}
	m := hmac.New(sha256.New, p.key)
	m.Write(v)
	var sum [sha256.Size]byte
	ps := "anon-" + hex.EncodeToString(m.Sum(sum[:0])[:8])
	if len(p.cache) >= cacheSize {
		clear(p.cache)
	}
	p.cache[string(v)] = ps
	p.pairs = append(p.pairs, Pair{v, ps})
	return ps
}

// AppendForwarded appends an X-Forwarded-For list with each address
// replaced by its pseudonym, joined by ", ".
func (p *Pseudonyms) AppendForwarded(dst, list []byte) []byte {
	start := len(dst)
	for rest := list; len(rest) > 0; {
		end := bytes.IndexByte(rest, ',')
		if end < 0 {
			end = len(rest)
		}
		item := trimSpaces(rest[:end])
		if len(dst) > start {
			dst = append(dst, ", "...)
		}
		if len(item) > 0 {
			dst = append(dst, p.Of(item)...)
		}
		if end == len(rest) {
			break
		}
		rest = rest[end+1:]
	}
	return dst
}

// identityWords mark the names of extra fields that hold who made a
// request.
var identityWords = []string{"key", "token", "auth", "user", "client", "consumer", "forwarded", "addr", "ip", "cookie", "session", "credential", "email", "login"}

// IdentityName reports whether a field's name (a header, a JSON member)
// says its value is who made the request: its value gets a pseudonym.
func IdentityName(name string) bool {
	lower := []byte(name)
	for i, c := range lower {
		if c >= 'A' && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	for _, w := range identityWords {
		if bytesContains(lower, w) {
			return true
		}
	}
	return false
}

func bytesContains(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return true
		}
	}
	return false
}

func trimSpaces(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
