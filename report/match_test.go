package report

import (
	"testing"

	"analyze/classify"
	"analyze/ingest"
	"analyze/report/analysis"
)

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"/api/products/{id}", "/api/products/{id}", true},
		{"/api/products/*", "/api/products/{id}/media", true},
		{"/api/*/media", "/api/products/{id}/media", true},
		{"/api/*/media", "/api/products/{id}/media/1", false},
		{"10.0.*", "10.0.3.4", true},
		{"10.0.*", "110.0.3.4", false},
		{"erp-???c", "erp-sync", true},
		{"*", "", true},
		{"", "", true},
		{"", "x", false},
		{"a*b*c", "aXXbYYbZc", true},
		{"a*b*c", "aXXbYYbZ", false},
		{"**", "anything", true},
	} {
		if got := Glob(c.pattern, []byte(c.s)); got != c.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

func TestMatch(t *testing.T) {
	m, err := ParseMatch("erp-sync, shop-*", "/api/exports/*", "429,5xx", "get,post", "", "")
	if err != nil {
		t.Fatal(err)
	}
	keep := func(client, endpoint, path, method string, status int) bool {
		return m.keep([]byte(client), []byte(endpoint), []byte(path), []byte(method), nil, status, classify.ClassOf(status))
	}
	for _, c := range []struct {
		client, endpoint, path, method string
		status                         int
		want                           bool
	}{
		{"erp-sync", "/api/exports/{id}", "/api/exports/12", "GET", 503, true},
		{"shop-connector", "/api/exports/{id}", "/api/exports/12", "POST", 429, true},
		{"bi-export", "/api/exports/{id}", "/api/exports/12", "GET", 503, false},   // client
		{"erp-sync", "/api/products/{id}", "/api/products/12", "GET", 503, false},  // endpoint
		{"erp-sync", "/api/exports/{id}", "/api/exports/12", "DELETE", 503, false}, // method
		{"erp-sync", "/api/exports/{id}", "/api/exports/12", "GET", 404, false},    // status
		{"erp-sync", "/api/exports/{id}", "/api/exports/12", "GET", 599, true},     // 5xx
	} {
		if got := keep(c.client, c.endpoint, c.path, c.method, c.status); got != c.want {
			t.Errorf("%+v: keep = %v, want %v", c, got, c.want)
		}
	}
	// An API key given as logged finds the client keyed by its label.
	m, _ = ParseMatch("sk_live_ABC", "", "", "", "", "")
	if !m.keep([]byte(ingest.KeyLabel([]byte("sk_live_ABC"))), nil, nil, nil, nil, 200, classify.Success) ||
		m.keep([]byte(ingest.KeyLabel([]byte("sk_live_XYZ"))), nil, nil, nil, nil, 200, classify.Success) {
		t.Error("--client with an API key as logged does not find (only) its label")
	}
	// A raw path matches too.
	m, _ = ParseMatch("", "/api/products/12", "", "", "client_error,server_error", "")
	if !m.keep(nil, []byte("/api/products/{id}"), []byte("/api/products/12"), []byte("GET"), nil, 404, classify.ClientError) ||
		m.keep(nil, []byte("/api/products/{id}"), []byte("/api/products/12"), []byte("GET"), nil, 200, classify.Success) {
		t.Error("a path pattern with a class filter matches wrongly")
	}
	for _, bad := range [][5]string{
		{"", "", "5x", "", ""}, {"", "", "1000", "", ""}, {"", "", "", "", "errors"}, {"", "api/products", "", "", ""},
	} {
		if _, err := ParseMatch(bad[0], bad[1], bad[2], bad[3], bad[4], ""); err == nil {
			t.Errorf("ParseMatch(%q) gave no error", bad)
		}
	}
	if z, _ := ParseMatch("", "", "", "", "", ""); !z.IsZero() {
		t.Error("no criteria, yet not zero")
	}
	if h, _ := ParseMatch("", "", "", "", "", "acme.quable.com"); h.IsZero() {
		t.Error("--host alone, yet zero")
	}
	// Hosts: any case, with or without a port, a pattern with a port
	// wants that port, and "-" is a record that logs none.
	m, _ = ParseMatch("", "", "", "", "", "Acme.Quable.com, *.eu.quable.com, api.quable.com:8443, -")
	for host, want := range map[string]bool{
		"acme.quable.com": true, "ACME.quable.com": true, "acme.quable.com:443": true, "beta.quable.com": false,
		"x.eu.quable.com": true, "x.eu.quable.com:80": true, "eu.quable.com": false,
		"api.quable.com:8443": true, "api.quable.com": false, "api.quable.com:443": false,
		"": true, "acme.quable.com.evil": false, "2001:db8::1": false,
	} {
		if got := m.keep(nil, nil, nil, nil, []byte(host), 200, classify.Success); got != want {
			t.Errorf("--host: keep(%q) = %v, want %v", host, got, want)
		}
	}
	for in, want := range map[string]string{"a.b:443": "a.b", "a.b": "a.b", "[2001:db8::1]:443": "[2001:db8::1]", "2001:db8::1": "2001:db8::1", "a:": "a:", ":80": ":80", "10.0.0.1:8080": "10.0.0.1"} {
		if got := string(analysis.WithoutPort([]byte(in))); got != want {
			t.Errorf("analysis.WithoutPort(%q) = %q, want %q", in, got, want)
		}
	}
}
