package analysis

import (
	"bytes"
	"fmt"
	"strings"

	"analyze/ingest"
)

// ClientSelector says which field of a record identifies its client
// (--client): the default (remote user, else API credential, else
// address), "user", "addr", "host", "header:NAME" or "field:NAME".
type ClientSelector struct {
	kind  string
	name  string   // the header or field asked for
	names []string // the extra-field names that may hold it
}

// ParseClientSelector parses a --client-key value; "" is the default.
func ParseClientSelector(s string) (ClientSelector, error) {
	switch {
	case s == "" || s == "default":
		return ClientSelector{kind: "default"}, nil
	case s == "user" || s == "addr" || s == "host":
		return ClientSelector{kind: s}, nil
	case strings.HasPrefix(s, "header:") && len(s) > len("header:"):
		h := s[len("header:"):]
		norm := strings.ToLower(strings.ReplaceAll(h, "-", "_"))
		return ClientSelector{kind: "header", name: h, names: []string{
			"http_" + norm, "sent_http_" + norm, "%{" + h + "}i", "request.headers." + h,
		}}, nil
	case strings.HasPrefix(s, "field:") && len(s) > len("field:"):
		return ClientSelector{kind: "field", name: s[len("field:"):]}, nil
	}
	return ClientSelector{}, fmt.Errorf("cannot read --client-key %q: want user, addr, host, header:NAME or field:NAME", s)
}

// String describes the selector for the report.
func (c ClientSelector) String() string {
	switch c.kind {
	case "user":
		return "user"
	case "addr":
		return "addr"
	case "host":
		return "host"
	case "header":
		return "header:" + c.name
	case "field":
		return "field:" + c.name
	}
	return "user, else credential, else addr"
}

// Key returns the record's client; "-" when the chosen field is empty.
func (c *ClientSelector) Key(r *ingest.Record) []byte {
	if c.kind == "default" { // the common case first: one comparison per record
		return ClientKey(r)
	}
	var k []byte
	switch c.kind {
	case "user":
		k = r.User
	case "addr":
		k = r.Client
	case "host":
		// A tenant's own API host: its quota is its contract's. As
		// logged, without a port (no copy here: hosts are logged in
		// lower case, the hosts table folds case).
		k = WithoutPort(r.Host)
	case "header":
		if strings.EqualFold(c.name, "x-api-key") {
			k = r.Credential
			break
		}
		for _, f := range r.Extra {
			for _, n := range c.names {
				if strings.EqualFold(f.Name, n) {
					k = f.Value
				}
			}
		}
	case "field":
		for _, f := range r.Extra {
			if f.Name == c.name {
				k = f.Value
			}
		}
	default:
		k = ClientKey(r)
	}
	if len(k) == 0 {
		return dash
	}
	return k
}

// ClientKey returns the identity a record is counted under: the remote user
// or API credential when one is logged, else the client address.
func ClientKey(r *ingest.Record) []byte {
	if len(r.User) > 0 {
		return r.User
	}
	if len(r.Credential) > 0 {
		return r.Credential
	}
	if len(r.Client) > 0 {
		return r.Client
	}
	return dash
}

var dash = []byte("-")

// WithoutPort returns host without a trailing ":port" (digits); an IPv6
// address keeps its colons unless it is bracketed ("[2001:db8::1]:443").
func WithoutPort(host []byte) []byte {
	i := len(host)
	for i > 0 && host[i-1] >= '0' && host[i-1] <= '9' {
		i--
	}
	if i == len(host) || i < 2 || host[i-1] != ':' {
		return host
	}
	h := host[:i-1]
	if bytes.IndexByte(h, ':') >= 0 && !(h[0] == '[' && h[len(h)-1] == ']') {
		return host // a bare IPv6 address: its last group is no port
	}
	return h
}
