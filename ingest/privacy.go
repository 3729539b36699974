package ingest

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// Privacy: what the Scanner does to a record before anyone sees it.
//
// Secrets in query strings are masked by default: the value of a query
// parameter whose name says it holds a credential (token, key, password,
// secret, signature, session, auth...) is overwritten with '*' in the line
// itself, before parsing, so the target, the referer, every output and
// analyze show carry the mask. The length stays, the secret does not.
//
// With a key, identities are replaced by keyed pseudonyms: the client
// address, the forwarded-for list, the remote user and the credential
// become "anon-" and 16 hex digits of HMAC-SHA256(key, value), the same
// for the same value and key, so counts per client stay right and two
// runs with one key (--anonymize-key) agree.

// secretNames are the query parameter names (lower case) whose values are
// masked; a name also matches when it ends with one of them after '_' or
// '-' (x_api_key, client-secret).
var secretNames = []string{"token", "access_token", "refresh_token", "id_token", "key", "apikey", "api_key",
	"password", "passwd", "pwd", "pass", "secret", "client_secret", "signature", "sig", "x-amz-signature",
	"x-amz-credential", "x-amz-security-token", "auth", "authorization", "session", "sessionid", "session_id",
	"jwt", "code", "credential", "credentials", "private_key"}

// maskLine overwrites in place the values of credential-like parameters
// anywhere in a line: "name=value" where name follows '?', '&', ';', a
// space, a tab or a quote and names a credential, the value running to the
// next '&', ';', space, quote, '#', ',', '<', '>' or backslash. It runs
// before the parser, so every field (the target, the referer, a JSON
// string, a W3C query field) and the line itself carry the mask.
func maskLine(line []byte) {
	i := 0
	for i < len(line) {
		j := bytes.IndexByte(line[i:], '=')
		if j < 0 {
			return
		}
		eq := i + j
		k := eq
		for k > 0 && nameByte(line[k-1]) {
			k--
		}
		i = eq + 1
		if k == eq || k > 0 && !nameStart(line[k-1]) || !secretName(line[k:eq]) {
			continue
		}
		for i < len(line) && !valueEnd(line[i]) {
			line[i] = '*'
			i++
		}
	}
}

func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '[' || c == ']'
}

func nameStart(c byte) bool {
	return c == '?' || c == '&' || c == ';' || c == ' ' || c == '\t' || c == '"' || c == '\''
}

func valueEnd(c byte) bool {
	switch c {
	case '&', ';', ' ', '\t', '"', '\'', '#', ',', '<', '>', '\\':
		return true
	}
	return false
}

// secretName reports whether a parameter name (percent-encoding left as
// is) names a credential.
func secretName(name []byte) bool {
	if len(name) < minSecretName || len(name) > 64 || !secretEndings.has(name) {
		return false
	}
	var buf [64]byte
	lower := buf[:len(name)]
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	if _, ok := secretSet[string(lower)]; ok {
		return true
	}
	for i, c := range lower {
		if c == '_' || c == '-' || c == '.' {
			if _, ok := secretSet[string(lower[i+1:])]; ok {
				return true
			}
		}
	}
	return false
}

// endingSet holds, folded into 10 bits, the last two bytes of some names
// (case-insensitive): a name whose ending is not in it is none of them,
// found without lowering it or looking it up (most parameters: page,
// lang, limit, fields).
type endingSet [1 << 10 / 64]uint64

func endingOf(name []byte) uint {
	return uint(name[len(name)-2]|0x20)&31<<5 | uint(name[len(name)-1]|0x20)&31
}

func (s *endingSet) has(name []byte) bool {
	e := endingOf(name)
	return s[e/64]&(1<<(e%64)) != 0
}

var secretEndings = func() *endingSet {
	var s endingSet
	for _, n := range secretNames {
		e := endingOf([]byte(n))
		s[e/64] |= 1 << (e % 64)
	}
	return &s
}()

// minSecretName is the length of the shortest secret name.
var minSecretName = func() int {
	m := 64
	for _, n := range secretNames {
		m = min(m, len(n))
	}
	return m
}()

var secretSet = func() map[string]struct{} {
	m := make(map[string]struct{}, len(secretNames))
	for _, n := range secretNames {
		m[n] = struct{}{}
	}
	return m
}()

// pseudonymPair is a value a record's line holds and what replaced it.
type pseudonymPair struct {
	Value     []byte // aliases the line: valid until the Scanner's Next
	Pseudonym string
}

// NewAnonymizeKey returns a random key, for pseudonyms stable within one
// run only.
func NewAnonymizeKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

// anonymizer makes the pseudonyms of one Scanner; it caches them, since
// clients repeat.
type anonymizer struct {
	key      []byte
	cache    map[string]string
	identity map[string]bool // extra field names: whether each names an identity
	buf      []byte          // the current record's pseudonyms
	pairs    []pseudonymPair // the current record's
}

const anonCacheSize = 1 << 16

func newAnonymizer(key []byte) *anonymizer {
	return &anonymizer{key: key, cache: make(map[string]string, 1024), identity: map[string]bool{}}
}

// pseudonym returns the pseudonym of v.
func (a *anonymizer) pseudonym(v []byte) string {
	if p, ok := a.cache[string(v)]; ok {
		a.pairs = append(a.pairs, pseudonymPair{v, p})
		return p
	}
	m := hmac.New(sha256.New, a.key)
	m.Write(v)
	var sum [sha256.Size]byte
	p := "anon-" + hex.EncodeToString(m.Sum(sum[:0])[:8])
	if len(a.cache) >= anonCacheSize {
		clear(a.cache)
	}
	a.cache[string(v)] = p
	a.pairs = append(a.pairs, pseudonymPair{v, p})
	return p
}

// apply replaces the record's identities by their pseudonyms; the new
// values live in the anonymizer's buffer until the next apply. A "-" or
// empty value (not logged) stays.
func (a *anonymizer) apply(r *Record) {
	a.buf, a.pairs = a.buf[:0], a.pairs[:0]
	fields := []*[]byte{&r.Client, &r.User, &r.Credential}
	var spans [3][2]int
	for i, f := range fields {
		v := *f
		start := len(a.buf)
		if len(v) == 0 || len(v) == 1 && v[0] == '-' {
			spans[i] = [2]int{-1, -1}
			continue
		}
		a.buf = append(a.buf, a.pseudonym(v)...)
		spans[i] = [2]int{start, len(a.buf)}
	}
	// X-Forwarded-For: each address of the list.
	xffStart := len(a.buf)
	if len(r.ForwardedFor) > 0 && !(len(r.ForwardedFor) == 1 && r.ForwardedFor[0] == '-') {
		a.buf = a.appendForwarded(a.buf, r.ForwardedFor)
	}
	xffEnd := len(a.buf)
	// Extra fields that name an identity (an API-key header, a consumer,
	// a cookie...): each whole value.
	var extraSpans [][3]int // index, start, end
	for i, f := range r.Extra {
		if len(f.Value) == 0 || len(f.Value) == 1 && f.Value[0] == '-' {
			continue
		}
		isID, ok := a.identity[f.Name]
		if !ok {
			isID = identityName(f.Name)
			a.identity[f.Name] = isID
		}
		if !isID {
			continue
		}
		start := len(a.buf)
		a.buf = append(a.buf, a.pseudonym(f.Value)...)
		extraSpans = append(extraSpans, [3]int{i, start, len(a.buf)})
	}
	// Only now take the slices: appending may have moved the buffer.
	for i, f := range fields {
		if spans[i][0] >= 0 {
			*f = a.buf[spans[i][0]:spans[i][1]:spans[i][1]]
		}
	}
	if xffEnd > xffStart {
		r.ForwardedFor = a.buf[xffStart:xffEnd:xffEnd]
	}
	for _, sp := range extraSpans {
		r.Extra[sp[0]].Value = a.buf[sp[1]:sp[2]:sp[2]]
	}
}

// appendForwarded appends an X-Forwarded-For list with each address
// replaced by its pseudonym, joined by ", ".
func (a *anonymizer) appendForwarded(dst, list []byte) []byte {
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
			dst = append(dst, a.pseudonym(item)...)
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

func identityName(name string) bool {
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

// scrubJSON returns a JSON line as show prints it under --anonymize (see
// walkJSON for how it is walked): each value of an identity field by the
// format's mapping (kind: client, user, credential, X-Forwarded-For; an API
// key by its label when labelKeys), and each string or number value of an
// unmapped member whose name reads as an identity (identityName:
// "consumer", "user_id", "x-api-key"...), becomes its pseudonym; in the
// other strings the record's replaced values are replaced too. ok is false
// for a line that is not valid JSON.
func (a *anonymizer) scrubJSON(line []byte, kind func(path []byte) fieldKind, labelKeys bool) (out []byte, ok bool) {
	return walkJSON(line, func(path, name, v []byte, str bool) []byte {
		switch k := kind(path); {
		case len(v) == 0 || string(v) == "-":
		case k == kForwardedFor && str:
			return a.appendForwarded(nil, v)
		case k == kAPIKey && labelKeys:
			return []byte(a.pseudonym(appendKeyLabel(nil, v)))
		case (k == kIgnore || k == kExtra) && str && labelKeys && secretField(string(name)):
			return maskValue(bytes.Clone(v))
		case k == kClient || k == kUser || k == kCredential || k == kAPIKey,
			(k == kIgnore || k == kExtra) && identityName(string(name)):
			return []byte(a.pseudonym(v))
		case str:
			var nv []byte
			for _, pair := range a.pairs {
				if len(pair.Value) > 0 && bytes.Contains(v, pair.Value) {
					if nv == nil {
						nv = bytes.Clone(v)
					}
					nv = bytes.ReplaceAll(nv, pair.Value, []byte(pair.Pseudonym))
				}
			}
			return nv
		}
		return nil
	})
}

// maskJSONSecrets returns a JSON line as show prints it by default: the
// string values of members named like a secret (secretField:
// "authorization", "password", "x-auth-token"...) masked, an API key shown
// as its label. ok is false for a line that is not valid JSON.
func maskJSONSecrets(line []byte, kind func(path []byte) fieldKind) (out []byte, ok bool) {
	return walkJSON(line, func(path, name, v []byte, str bool) []byte {
		switch k := kind(path); {
		case !str || len(v) == 0 || string(v) == "-":
		case k == kAPIKey:
			return appendKeyLabel(nil, v)
		case (k == kIgnore || k == kExtra) && secretField(string(name)):
			return maskValue(bytes.Clone(v))
		}
		return nil
	})
}

// walkJSON returns a JSON line with some scalar values replaced, walked
// token by token so that escaped values are caught and the rest of the
// line is kept byte for byte. For each string or number value, replace
// gets the value's dotted path (as the JSON parser builds it; an array's
// elements have the array's), the last name of that path, the value
// (unescaped) and whether it is a string; it returns the new value, a
// string, or nil to keep the token as it is. ok is false for a line that
// is not valid JSON.
func walkJSON(line []byte, replace func(path, name, v []byte, str bool) []byte) (out []byte, ok bool) {
	type frame struct {
		object, wantKey bool
		base            int // len(path) when the container began
	}
	var (
		stack []frame
		path  []byte
		key   []byte // the last segment of path
	)
	out = make([]byte, 0, len(line)+len(line)/4)
	// value is what becomes of the scalar token tok (a string, quoted, or
	// a number) at the current path.
	value := func(tok []byte, str bool) []byte {
		v := tok
		if str {
			var sv string
			if json.Unmarshal(tok, &sv) != nil {
				return nil
			}
			v = []byte(sv)
		}
		p, name := path, key
		if len(stack) > 0 && !stack[len(stack)-1].object { // an element: the array's member counts
			p = path[:stack[len(stack)-1].base]
			name = lastSegment(p)
		}
		nv := replace(p, name, v, str)
		if nv == nil {
			return tok
		}
		q, _ := json.Marshal(string(nv))
		return q
	}
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == '{' || c == '[':
			stack = append(stack, frame{object: c == '{', wantKey: c == '{', base: len(path)})
			out = append(out, c)
			i++
		case c == '}' || c == ']':
			if len(stack) == 0 {
				return nil, false
			}
			path = path[:stack[len(stack)-1].base]
			stack = stack[:len(stack)-1]
			out = append(out, c)
			i++
		case c == ':' || c == ',':
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].wantKey = c == ','
			}
			out = append(out, c)
			i++
		case c == '"':
			end := i + 1
			for end < len(line) && line[end] != '"' {
				if line[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(line) {
				return nil, false
			}
			end++
			tok := line[i:end]
			if len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].wantKey {
				var k string
				if json.Unmarshal(tok, &k) != nil {
					return nil, false
				}
				base := stack[len(stack)-1].base
				path = path[:base]
				if base > 0 {
					path = append(path, '.')
				}
				path = append(path, k...)
				key = path[len(path)-len(k):]
				out = append(out, tok...)
			} else {
				nv := value(tok, true)
				if nv == nil {
					return nil, false
				}
				out = append(out, nv...)
			}
			i = end
		case c == '-' || c >= '0' && c <= '9':
			end := i
			for end < len(line) && strings.IndexByte("+-.eE0123456789", line[end]) >= 0 {
				end++
			}
			out = append(out, value(line[i:end], false)...)
			i = end
		default: // whitespace, true, false, null
			out = append(out, c)
			i++
		}
	}
	return out, len(stack) == 0
}

// maskCredentials overwrites in place what looks like a credential in a
// line no parser could read, whose fields are unknown: the value after a
// member or header named like a secret (`"authorization": "..."`,
// `Cookie: ...`, `"api_key":"..."`), its scheme kept, and the token after
// an authorization scheme anywhere (`Bearer eyJ...`, `Basic dXNlcjpw...`).
// Query parameters are maskLine's. A rejected line's snippet and show's
// print of it carry the mask.
func maskCredentials(line []byte) {
	for c := 0; c < len(line); c++ {
		if line[c] != ':' {
			continue
		}
		var name []byte
		member := false
		if e := trimSpaceBack(line, c); e > 1 && line[e-1] == '"' {
			if q := bytes.LastIndexByte(line[:e-1], '"'); q >= 0 {
				name, member = line[q+1:e-1], true // a JSON member's name
			}
		} else {
			k := c
			for k > 0 && nameByte(line[k-1]) {
				k--
			}
			name = line[k:c] // a header's name
		}
		if len(name) == 0 || !secretField(string(name)) && !secretName(name) {
			continue
		}
		v := c + 1
		for v < len(line) && (line[v] == ' ' || line[v] == '\t') {
			v++
		}
		if v == len(line) || v == c+1 && !member {
			continue // "auth:x" is no header: a time, a host:port
		}
		end := v
		if line[v] == '"' {
			v++
			for end = v; end < len(line) && line[end] != '"'; end++ {
				if line[end] == '\\' {
					end++
				}
			}
		} else {
			for end < len(line) && line[end] != '"' && line[end] != ',' && line[end] != '}' && line[end] != '|' {
				end++
			}
		}
		end = min(end, len(line))
		maskValue(line[v:end])
		c = end
	}
	for _, scheme := range []string{"bearer ", "basic "} {
		for i := 0; ; {
			j := indexFold(line[i:], scheme)
			if j < 0 {
				break
			}
			v := i + j + len(scheme)
			end := v
			for end < len(line) && token68(line[end]) {
				end++
			}
			if end-v >= 8 {
				for k := v; k < end; k++ {
					line[k] = '*'
				}
			}
			i = max(end, v)
		}
	}
}

// trimSpaceBack returns where the spaces and tabs before line[i] begin.
func trimSpaceBack(line []byte, i int) int {
	for i > 0 && (line[i-1] == ' ' || line[i-1] == '\t') {
		i--
	}
	return i
}

// token68 reports whether c may be in an authorization scheme's token
// (RFC 9110's token68).
func token68(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '='
}

// indexFold is bytes.Index for a lower-case ASCII sep, ignoring case: one
// pass, at most len(sep) comparisons a byte (a rejected line may be
// megabytes of the separator's first letter).
func indexFold(b []byte, sep string) int {
	for i := 0; i+len(sep) <= len(b); i++ {
		match := true
		for n := 0; n < len(sep) && match; n++ {
			c := b[i+n]
			if sep[n] >= 'a' && sep[n] <= 'z' {
				c |= 0x20
			}
			match = c == sep[n]
		}
		if match {
			return i
		}
	}
	return -1
}

// secretWords mark the names of fields whose values are secrets: an
// Authorization or Cookie header, a token, a password.
var secretWords = []string{"auth", "cookie", "token", "secret", "passw", "session", "signature", "credential"}

// secretField reports whether a field's name (a header, an nginx
// variable, a JSON member) says its value is a secret.
func secretField(name string) bool {
	lower := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// maskValue overwrites a secret value with '*', in place, keeping an
// authorization scheme ("Bearer ", "Basic ") so the kind of credential
// still shows; it returns v.
func maskValue(v []byte) []byte {
	from := 0
	if sp := bytes.IndexByte(v, ' '); sp > 0 && sp <= 16 && sp < len(v)-1 {
		scheme := true
		for _, c := range v[:sp] {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				scheme = false
			}
		}
		if scheme {
			from = sp + 1
		}
	}
	for i := from; i < len(v); i++ {
		v[i] = '*'
	}
	return v
}

// KeyLabel is how an API key logged as one (X-Api-Key, AWS API Gateway's
// identity.apiKey...) shows in every output unless --keep-secrets: "key-"
// and the first 12 hex digits of its SHA-256, the same on every run, so a
// client keyed by its credential is still one client, and the key itself
// is in no report. printf %s "$KEY" | sha256sum gives a key's label.
func KeyLabel(key []byte) string { return string(appendKeyLabel(nil, key)) }

func appendKeyLabel(dst, key []byte) []byte {
	sum := sha256.Sum256(key)
	dst = append(dst, "key-"...)
	return hex.AppendEncode(dst, sum[:6])
}

// lastSegment returns a dotted path's last name.
func lastSegment(path []byte) []byte {
	return path[bytes.LastIndexByte(path, '.')+1:]
}
