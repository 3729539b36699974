package privacy

import (
	"bytes"
	"encoding/json"
	"strings"
)

// WalkJSON returns a JSON line with some scalar values replaced, walked
// token by token so that escaped values are caught and the rest of the
// line is kept byte for byte. For each string or number value, replace
// gets the value's dotted path (as the JSON parser builds it; an array's
// elements have the array's), the last name of that path, the value
// (unescaped) and whether it is a string; it returns the new value, a
// string, or nil to keep the token as it is. ok is false for a line that
// is not valid JSON.
func WalkJSON(line []byte, replace func(path, name, v []byte, str bool) []byte) (out []byte, ok bool) {
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

// lastSegment returns a dotted path's last name.
func lastSegment(path []byte) []byte {
	return path[bytes.LastIndexByte(path, '.')+1:]
}
