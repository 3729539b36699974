package ingest

import (
	"bytes"
	"testing"
)

// TestSplitRequest splits request lines, the usual and the odd, and checks
// the protocol found without a search against the last space's.
func TestSplitRequest(t *testing.T) {
	for _, req := range []string{
		"GET /api/documents/1?lang=fr HTTP/1.1", "POST /api/imports HTTP/2.0", "GET /a HTTP/2",
		"GET /a b HTTP/1.1", "GET /a HTTP/1 1", "GET HTTP/1.1", "GET  HTTP/1.1", "GET /a  HTTP/1.1",
		"GET /HTTP/1.1", "GET http://h/x?y=1 HTTP/1.0", "GET /a XTTP/1.1", "GET /a", "-", "",
	} {
		var got Record
		splitRequest([]byte(req), &got)
		var want Record
		if sp := bytes.IndexByte([]byte(req), ' '); sp > 0 && isMethod([]byte(req[:sp])) {
			want.Method = []byte(req[:sp])
			target := []byte(req[sp+1:])
			if last := bytes.LastIndexByte(target, ' '); last >= 0 && bytes.HasPrefix(target[last+1:], []byte("HTTP/")) {
				want.Protocol, target = target[last+1:], target[:last]
			}
			splitTarget(target, &want)
		}
		if string(got.Method) != string(want.Method) || string(got.Path) != string(want.Path) ||
			string(got.Query) != string(want.Query) || string(got.Protocol) != string(want.Protocol) || string(got.Host) != string(want.Host) {
			t.Errorf("splitRequest(%q): method %q path %q query %q protocol %q host %q; want %q %q %q %q %q", req,
				got.Method, got.Path, got.Query, got.Protocol, got.Host, want.Method, want.Path, want.Query, want.Protocol, want.Host)
		}
	}
}

// TestIndexByteShort compares the short search with bytes.IndexByte over
// every length to 40 and every position of the byte, among bytes that
// differ from it by one bit, high bytes and zeros.
func TestIndexByteShort(t *testing.T) {
	for _, c := range []byte{' ', '"', 0, 0xff, 0x80} {
		fill := []byte{c ^ 1, c ^ 0x80, 0, 0xff, 'a', c + 1, c - 1}
		for n := range 41 {
			for at := -1; at < n; at++ {
				b := make([]byte, n)
				for i := range b {
					b[i] = fill[(i*7+n)%len(fill)]
					if b[i] == c {
						b[i] = c ^ 2
					}
				}
				if at >= 0 {
					b[at] = c
					if at+3 < n {
						b[at+3] = c // a second one after it
					}
				}
				if got, want := indexByteShort(b, c), bytes.IndexByte(b, c); got != want {
					t.Fatalf("indexByteShort(%q, %q) = %d, want %d", b, c, got, want)
				}
			}
		}
	}
}
