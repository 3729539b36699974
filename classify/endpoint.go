package classify

// Template appends to dst the endpoint template of a request path: segments
// that identify one resource become "{id}", so /api/documents/12345 and
// /api/documents/678 are one endpoint, /api/documents/{id}. The query string
// must already be cut off. Template allocates nothing when dst has room.
//
// A segment is an id when it is
//   - all digits (12345), or digits with one extension (12345.json keeps .json),
//   - a UUID (8-4-4-4-12 hex digits),
//   - 16 or more hex digits (a hash or object id),
//   - 8 or more characters of letters, digits, '-', '_', '.', '~' or '%'
//     with at least one digit (sku-00042, 2024-05-01, a base64 token),
//   - longer than 64 bytes, whatever it holds.
//
// Short mixed segments such as v1, v2 or oauth2 stay as they are.
// An empty path templates to "/"; a path in absolute form
// (http://host/path, as proxies log it) is templated from its path.
func Template(dst, path []byte) []byte {
	if len(path) == 0 {
		return append(dst, '/')
	}
	if i := schemeEnd(path); i > 0 {
		path = path[i:]
		if len(path) == 0 {
			return append(dst, '/')
		}
	}
	// The template is the path with each id's bytes replaced: the bytes
	// between ids are copied in one run each.
	copied := 0 // path[:copied] is in dst, or replaced
	for start := 0; start <= len(path); {
		// One pass finds the segment's end and counts its kinds of byte.
		end := start
		var packed uint64
		for end < len(path) && path[end] != '/' {
			packed += byteKinds[path[end]]
			end++
		}
		seg := path[start:end]
		if n := unpack(packed, len(seg)).idLen(seg); n > 0 {
			dst = append(dst, path[copied:start]...)
			dst = append(dst, "{id}"...)
			copied = start + n
		}
		start = end + 1
	}
	return append(dst, path[copied:]...)
}

// schemeEnd returns the index of the path in an absolute-form target such as
// "http://host:8080/path", or 0 when the target is not in absolute form.
func schemeEnd(p []byte) int {
	if len(p) == 0 || p[0] == '/' {
		return 0
	}
	i := 0
	for i < len(p) && i < 16 && (p[i] >= 'a' && p[i] <= 'z' || p[i] >= 'A' && p[i] <= 'Z') {
		i++
	}
	if i == 0 || i+3 > len(p) || p[i] != ':' || p[i+1] != '/' || p[i+2] != '/' {
		return 0
	}
	for j := i + 3; j < len(p); j++ {
		if p[j] == '/' {
			return j
		}
	}
	return len(p)
}

// byteKinds gives each byte's kinds as counts packed in one word, 21 bits
// each (a segment is far shorter than 2^21 bytes): digits (0-9), hex digits
// (0-9, a-f, A-F) and token bytes (letters, digits, '-', '_', '.', '~',
// '%'). Adding a segment's words counts all three kinds in one addition per
// byte.
var byteKinds = func() (t [256]uint64) {
	const digit, hex, token = 1, 1 << 21, 1 << 42
	for c := range 256 {
		switch {
		case c >= '0' && c <= '9':
			t[c] = digit | hex | token
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			t[c] = hex | token
		case c >= 'g' && c <= 'z' || c >= 'G' && c <= 'Z' || c == '-' || c == '_' || c == '.' || c == '~' || c == '%':
			t[c] = token
		}
	}
	return t
}()

// unpack returns the counts added up from byteKinds over a segment of n
// bytes. A segment of 2^21 bytes or more would overflow its fields: it is
// longer than 64 bytes, an id whatever it holds, so its counts do not
// matter.
func unpack(packed uint64, n int) kinds {
	if n >= 1<<21 {
		return kinds{}
	}
	const mask = 1<<21 - 1
	return kinds{digits: int(packed & mask), hex: int(packed >> 21 & mask), token: int(packed >> 42 & mask)}
}

// kinds counts the kinds of byte of a segment.
type kinds struct{ digits, hex, token int }

// idLen returns how many leading bytes of the path segment s, whose bytes
// k counted, form an id: all of them, the stem before a short extension, or
// 0 when the segment is no id.
func (k kinds) idLen(s []byte) int {
	n := len(s)
	if n == 0 {
		return 0
	}
	if n > 64 {
		return n
	}
	if k.digits == n || k.hex == n && n >= 16 || k.uuid(s) {
		return n
	}
	if k.digits > 0 {
		if stem := digitStem(s); stem > 0 {
			return stem
		}
		if k.token == n && n >= 8 {
			return n
		}
	}
	return 0
}

// digitStem returns the length of an all-digit stem followed by a short
// extension (12345.json), or 0.
func digitStem(s []byte) int {
	dot := lastDot(s)
	if dot <= 0 || dot == len(s)-1 || len(s)-dot > 6 {
		return 0
	}
	for _, c := range s[:dot] {
		if c < '0' || c > '9' {
			return 0
		}
	}
	return dot
}

func lastDot(s []byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

// uuid reports whether the segment s, whose bytes k counted, is a UUID:
// 36 bytes, '-' at 8, 13, 18 and 23, and 32 hex digits, which can then only
// be the other 32 bytes.
func (k kinds) uuid(s []byte) bool {
	return len(s) == 36 && k.hex == 32 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-'
}
