// Package privacy is what analyze does to a log line's secrets and
// identities before anyone sees them: bytes in, the same bytes masked (or a
// pseudonym) out. It knows nothing of records or formats; the ingest
// Scanner applies it to each line and record.
//
// Secrets in query strings are masked by default: the value of a query
// parameter whose name says it holds a credential (token, key, password,
// secret, signature, session, auth...) is overwritten with '*' in the line
// itself, before parsing, so the target, the referer, every output and
// analyze show carry the mask (MaskLine). The length stays, the secret
// does not. A line no parser could read has what looks like a credential
// masked too (MaskCredentials); a field named like a secret is masked
// (SecretField, MaskValue); an API key shows as its label (KeyLabel).
//
// With a key, identities are replaced by keyed pseudonyms (Pseudonyms): the
// client address, the forwarded-for list, the remote user and the
// credential become "anon-" and 16 hex digits of HMAC-SHA256(key, value),
// the same for the same value and key, so counts per client stay right and
// two runs with one key (--anonymize-key) agree.
package privacy

import "bytes"

// secretNames are the query parameter names (lower case) whose values are
// masked; a name also matches when it ends with one of them after '_' or
// '-' (x_api_key, client-secret).
var secretNames = []string{"token", "access_token", "refresh_token", "id_token", "key", "apikey", "api_key",
	"password", "passwd", "pwd", "pass", "secret", "client_secret", "signature", "sig", "x-amz-signature",
	"x-amz-credential", "x-amz-security-token", "auth", "authorization", "session", "sessionid", "session_id",
	"jwt", "code", "credential", "credentials", "private_key"}

// MaskLine overwrites in place the values of credential-like parameters
// anywhere in a line: "name=value" where name follows '?', '&', ';', a
// space, a tab or a quote and names a credential, the value running to the
// next '&', ';', space, quote, '#', ',', '<', '>' or backslash. It runs
// before the parser, so every field (the target, the referer, a JSON
// string, a W3C query field) and the line itself carry the mask.
func MaskLine(line []byte) {
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
