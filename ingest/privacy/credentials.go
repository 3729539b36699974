package privacy

import (
	"bytes"
	"strings"
)

// MaskCredentials overwrites in place what looks like a credential in a
// line no parser could read, whose fields are unknown: the value after a
// member or header named like a secret (`"authorization": "..."`,
// `Cookie: ...`, `"api_key":"..."`), its scheme kept, and the token after
// an authorization scheme anywhere (`Bearer eyJ...`, `Basic dXNlcjpw...`).
// Query parameters are MaskLine's. A rejected line's snippet and show's
// print of it carry the mask.
func MaskCredentials(line []byte) {
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
		if len(name) == 0 || !SecretField(string(name)) && !secretName(name) {
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
		MaskValue(line[v:end])
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

// SecretField reports whether a field's name (a header, an nginx
// variable, a JSON member) says its value is a secret.
func SecretField(name string) bool {
	lower := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// MaskValue overwrites a secret value with '*', in place, keeping an
// authorization scheme ("Bearer ", "Basic ") so the kind of credential
// still shows; it returns v.
func MaskValue(v []byte) []byte {
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
