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
	sp := bytes.IndexByte(req, ' ')
	if sp <= 0 || sp > 32 || !isMethod(req[:sp]) {
		return
	}
	rec.Method = req[:sp]
	target := req[sp+1:]
	if last := bytes.LastIndexByte(target, ' '); last >= 0 && bytes.HasPrefix(target[last+1:], []byte("HTTP/")) {
		rec.Protocol = target[last+1:]
		target = target[:last]
	}
	splitTarget(target, rec)
}

// splitTarget cuts a request target at its first '?' into Path and Query.
func splitTarget(target []byte, rec *Record) {
	if q := bytes.IndexByte(target, '?'); q >= 0 {
		rec.Path, rec.Query = target[:q], target[q+1:]
		return
	}
	rec.Path = target
}

// isMethod reports whether b is an HTTP method token (RFC 9110 tchar, letters
// and the punctuation real methods use).
func isMethod(b []byte) bool {
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
