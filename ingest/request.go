package ingest

import "bytes"

// splitRequest splits an HTTP request line, "METHOD target PROTOCOL", into
// rec's Method, Path, Query and Protocol. The protocol may be missing
// (HTTP/0.9 style "GET /"). A request line that is "-", empty, or does not
// start with a method token (TLS handshake bytes, scanner noise) leaves all
// four empty: the record is kept with no method, since the server did answer it.
func splitRequest(req []byte, rec *Record) {
	if len(req) == 0 || len(req) == 1 && req[0] == '-' {
		return
	}
	sp := indexByteShort(req, ' ')
	if sp <= 0 || sp > 32 || !isMethod(req[:sp]) {
		return
	}
	rec.Method = req[:sp]
	target := req[sp+1:]
	if n := len(target) - len(" HTTP/1.1"); n >= 0 && target[n] == ' ' && string(target[n+1:n+6]) == "HTTP/" &&
		target[n+6] != ' ' && target[n+7] != ' ' && target[n+8] != ' ' {
		rec.Protocol, target = target[n+1:], target[:n] // HTTP/1.1, 1.0, 2.0: no search
	} else if last := bytes.LastIndexByte(target, ' '); last >= 0 && bytes.HasPrefix(target[last+1:], []byte("HTTP/")) {
		rec.Protocol = target[last+1:]
		target = target[:last]
	}
	splitTarget(target, rec)
}

// splitTarget cuts a request target at its first '?' into Path and Query.
// A target in absolute form (http://host:port/path, as proxies and load
// balancers log it) gives its host to Host, when none was logged, and its
// path to Path.
func splitTarget(target []byte, rec *Record) {
	if len(target) > 0 && target[0] == '/' {
		// origin form, by far the most common: no scheme to look for
	} else if i := bytes.Index(target, []byte("://")); i > 0 && i <= 5 && isMethod(target[:i]) {
		authority := target[i+3:]
		end := bytes.IndexAny(authority, "/?")
		if end < 0 {
			end = len(authority)
		}
		if len(rec.Host) == 0 {
			rec.Host = authority[:end]
		}
		target = authority[end:]
		if len(target) == 0 || target[0] == '?' {
			rec.Path = slash
			if len(target) > 0 {
				rec.Query = target[1:]
			}
			return
		}
	}
	if q := bytes.IndexByte(target, '?'); q >= 0 {
		rec.Path, rec.Query = target[:q], target[q+1:]
		return
	}
	rec.Path = target
}

var slash = []byte("/")

// isMethod reports whether b is an HTTP method token (RFC 9110 tchar, letters
// and the punctuation real methods use).
func isMethod(b []byte) bool {
	if len(b) == 0 || !(b[0] >= 'A' && b[0] <= 'Z' || b[0] >= 'a' && b[0] <= 'z') {
		return false
	}
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
