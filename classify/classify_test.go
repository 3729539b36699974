package classify

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		method  string
		class   Class
		id      string
		retry   Policy
		defined bool
	}{
		{"ok", 200, "GET", Success, "ok", No, true},
		{"created", 201, "POST", Success, "created", No, true},
		{"rate limited GET", 429, "GET", ClientError, "rate_limited", AfterWait, true},
		{"rate limited POST", 429, "POST", ClientError, "rate_limited", AfterWait, true},
		{"unavailable POST", 503, "POST", ServerError, "unavailable", AfterWait, true},
		{"internal GET", 500, "GET", ServerError, "internal_error", Backoff, true},
		{"internal PUT", 500, "PUT", ServerError, "internal_error", Backoff, true},
		{"internal POST", 500, "POST", ServerError, "internal_error", Unsafe, true},
		{"internal PATCH", 500, "PATCH", ServerError, "internal_error", Unsafe, true},
		{"gateway timeout DELETE", 504, "DELETE", ServerError, "gateway_timeout", Backoff, true},
		{"bad gateway POST", 502, "POST", ServerError, "bad_gateway", Unsafe, false},
		{"unauthenticated", 401, "GET", ClientError, "unauthenticated", AfterFix, true},
		{"conflict", 409, "PUT", ClientError, "conflict", AfterFix, true},
		{"unprocessable", 422, "POST", ClientError, "unprocessable", No, true},
		{"http version", 505, "GET", ServerError, "http_version_unsupported", No, true},
		{"client closed", 499, "GET", ClientError, "client_closed", Backoff, false},
		{"no response", 0, "GET", Other, "no_response", Backoff, false},
		{"no request line", 500, "", ServerError, "internal_error", Unsafe, true},
		{"request timeout HEAD", 408, "HEAD", ClientError, "request_timeout", Backoff, false},
		{"undocumented 418", 418, "GET", ClientError, "client_error_other", No, false},
		{"undocumented 599", 599, "GET", ServerError, "server_error_other", Backoff, false},
		{"1xx", 103, "GET", Other, "nonstandard", No, false},
		{"not modified", 304, "GET", Redirect, "not_modified", No, false},
		{"900", 900, "GET", Other, "nonstandard", No, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Classify(tt.status, []byte(tt.method))
			if v.Class != tt.class || v.Entry.ID != tt.id || v.Retry != tt.retry || v.Entry.Documented != tt.defined {
				t.Errorf("Classify(%d, %q) = class %s, id %s, retry %s, documented %v; want %s, %s, %s, %v",
					tt.status, tt.method, v.Class, v.Entry.ID, v.Retry, v.Entry.Documented, tt.class, tt.id, tt.retry, tt.defined)
			}
		})
	}
}

func TestCatalogueIsWhole(t *testing.T) {
	ids := map[string]int{}
	prev := -1
	for _, e := range Entries() {
		if e.Status <= prev {
			t.Errorf("Entries not sorted or duplicate at %d", e.Status)
		}
		prev = e.Status
		if e.ID == "" || e.Title == "" || e.Meaning == "" || e.Cause == "" || e.Action == "" {
			t.Errorf("%d: empty text field: %+v", e.Status, e)
		}
		if e.Class != ClassOf(e.Status) {
			t.Errorf("%d: class %s, want %s", e.Status, e.Class, ClassOf(e.Status))
		}
		if other, dup := ids[e.ID]; dup {
			t.Errorf("diagnosis id %q used by %d and %d", e.ID, other, e.Status)
		}
		ids[e.ID] = e.Status
	}
}

// TestCatalogueCoversReference checks that every code in the API's reference
// is in the catalogue, marked documented, and that nothing else is.
func TestCatalogueCoversReference(t *testing.T) {
	b, err := os.ReadFile("../../shared/seed/http-status-codes.md")
	if err != nil {
		t.Skipf("skipping: the API reference ../shared/seed/http-status-codes.md, beside the repository, is absent (%v)", err)
	}
	ref := map[int]bool{}
	for _, m := range regexp.MustCompile(`\*\*(\d{3}) `).FindAllSubmatch(b, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		ref[n] = true
	}
	if len(ref) != 15 {
		t.Fatalf("found %d codes in the reference, want 15", len(ref))
	}
	for _, e := range Entries() {
		if e.Documented != ref[e.Status] {
			t.Errorf("%d: documented=%v, reference lists it: %v", e.Status, e.Documented, ref[e.Status])
		}
		delete(ref, e.Status)
	}
	for code := range ref {
		t.Errorf("reference code %d missing from the catalogue", code)
	}
}

func TestTemplate(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/api/documents/12345", "/api/documents/{id}"},
		{"/api/documents/678", "/api/documents/{id}"},
		{"/api/documents/12345/assets", "/api/documents/{id}/assets"},
		{"/api/assets/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "/api/assets/{id}"},
		{"/api/assets/5f1d7c2ab9e4f00012ab34cd", "/api/assets/{id}"},
		{"/api/documents/sku-00042", "/api/documents/{id}"},
		{"/api/v1/documents", "/api/v1/documents"},
		{"/oauth2/token", "/oauth2/token"},
		{"/api/exports/12345.csv", "/api/exports/{id}.csv"},
		{"/api/documents/", "/api/documents/"},
		{"/", "/"},
		{"", "/"},
		{"*", "*"},
		{"http://api.example.com/api/documents/42", "/api/documents/{id}"},
		{"http://api.example.com", "/"},
		{"/api/classifications/product-family", "/api/classifications/product-family"},
		{"//double//slash", "//double//slash"},
	}
	for _, tt := range tests {
		if got := string(Template(nil, []byte(tt.path))); got != tt.want {
			t.Errorf("Template(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

// templateByHand is Template written plainly from its documented rules,
// one predicate at a time: the reference for the packed counts and the
// shortcuts of the real one.
func templateByHand(path string) string {
	if i := schemeEnd([]byte(path)); i > 0 {
		path = path[i:]
	}
	if path == "" {
		return "/"
	}
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if n := idLenByHand(seg); n > 0 {
			segs[i] = "{id}" + seg[n:]
		}
	}
	return strings.Join(segs, "/")
}

func idLenByHand(seg string) int {
	all := func(s string, f func(c byte) bool) bool {
		for _, c := range []byte(s) {
			if !f(c) {
				return false
			}
		}
		return true
	}
	digit := func(c byte) bool { return c >= '0' && c <= '9' }
	hex := func(c byte) bool { return digit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
	token := func(c byte) bool {
		return hex(c) || c >= 'g' && c <= 'z' || c >= 'G' && c <= 'Z' || strings.IndexByte("-_.~%", c) >= 0
	}
	uuid := len(seg) == 36
	for i := range len(seg) {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			uuid = uuid && seg[i] == '-'
		} else {
			uuid = uuid && hex(seg[i])
		}
	}
	n := len(seg)
	switch {
	case n == 0:
		return 0
	case n > 64, all(seg, digit), n >= 16 && all(seg, hex), uuid:
		return n
	case !strings.ContainsAny(seg, "0123456789"):
		return 0
	}
	if dot := strings.LastIndexByte(seg, '.'); dot > 0 && dot < n-1 && n-dot <= 6 && all(seg[:dot], digit) {
		return dot
	}
	if n >= 8 && all(seg, token) {
		return n
	}
	return 0
}

func FuzzTemplate(f *testing.F) {
	for _, p := range []string{"/api/documents/12345", "/api/assets/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "/a/sku-00042.json", "http://h/x/1", "/%41%42/~x_y.z",
		"/x/3f2504e0-4f89-11d3-9a0c+0305e82c3301/y", "/x/3F2504E0-4F89-11D3-9A0C-0305E82C3301.json", "/x/3f2504e0-4f89-11d3-9a0c-0305e82c330g"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, path string) {
		if got, want := string(Template(nil, []byte(path))), templateByHand(path); got != want {
			t.Errorf("Template(%q) = %q, by hand %q", path, got, want)
		}
	})
}

// TestTemplateLongSegment templates a segment longer than the packed
// counts can hold: it is an id, like any segment over 64 bytes.
func TestTemplateLongSegment(t *testing.T) {
	path := "/api/blobs/" + strings.Repeat("7", 3<<20) + "/x"
	if got := string(Template(nil, []byte(path))); got != "/api/blobs/{id}/x" {
		t.Errorf("Template of a 3 MiB segment = %.40q...", got)
	}
}

func TestTemplateAllocs(t *testing.T) {
	buf := make([]byte, 0, 256)
	path := []byte("/api/documents/12345/assets/3f2504e0-4f89-11d3-9a0c-0305e82c3301")
	if n := testing.AllocsPerRun(100, func() { buf = Template(buf[:0], path) }); n != 0 {
		t.Errorf("Template allocates %v times per call, want 0", n)
	}
}

func BenchmarkTemplate(b *testing.B) {
	path := []byte("/api/documents/12345/assets/3f2504e0-4f89-11d3-9a0c-0305e82c3301")
	buf := make([]byte, 0, 256)
	b.SetBytes(int64(len(path)))
	b.ReportAllocs()
	for b.Loop() {
		buf = Template(buf[:0], path)
	}
}

func BenchmarkClassify(b *testing.B) {
	methods := [][]byte{[]byte("GET"), []byte("POST"), []byte("PUT")}
	statuses := []int{200, 201, 429, 503, 404, 500}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = Classify(statuses[i%len(statuses)], methods[i%len(methods)])
		i++
	}
}
