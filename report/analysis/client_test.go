package analysis

import (
	"analyze/ingest"
	"testing"
)

func TestClientSelector(t *testing.T) {
	rec := &ingest.Record{User: []byte("erp"), Client: []byte("10.0.0.1"), Credential: []byte("key-1"), Host: []byte("acme.quable.example:443"),
		Extra: []ingest.Field{{Name: "http_x_tenant", Value: []byte("acme")}, {Name: "tenant_id", Value: []byte("t-9")}}}
	for _, tc := range []struct{ sel, want string }{
		{"", "erp"}, {"user", "erp"}, {"addr", "10.0.0.1"}, {"header:X-Api-Key", "key-1"},
		{"header:X-Tenant", "acme"}, {"field:tenant_id", "t-9"}, {"field:nope", "-"}, {"host", "acme.quable.example"},
	} {
		c, err := ParseClientSelector(tc.sel)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(c.Key(rec)); got != tc.want {
			t.Errorf("--client %q: %q, want %q", tc.sel, got, tc.want)
		}
	}
	if _, err := ParseClientSelector("ip"); err == nil {
		t.Error("--client ip accepted")
	}
	if c, _ := ParseClientSelector("host"); string(c.Key(&ingest.Record{})) != "-" || c.String() != "host" {
		t.Errorf("--client-key host on a record without one: %q (%s)", c.Key(&ingest.Record{}), c.String())
	}
	anon := &ingest.Record{Client: []byte("10.0.0.2")}
	if got := string(ClientKey(anon)); got != "10.0.0.2" {
		t.Errorf("default on an anonymous record: %q", got)
	}
}
