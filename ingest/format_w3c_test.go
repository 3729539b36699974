package ingest

import (
	"slices"
	"strings"
	"testing"
)

// TestW3CCustomFields: a #Fields name that is no W3C identifier (IIS 10's
// custom fields) is read as the request header it names when we know it,
// else kept by name in Record.Extra; W3C identifiers we do not map, and
// CloudFront's fields, stay unread.
func TestW3CCustomFields(t *testing.T) {
	for _, tc := range []struct {
		name, fields, line                   string
		forwardedFor, requestID, host, extra string
	}{
		{"IIS 10 X-Forwarded-For",
			"date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken X-Forwarded-For",
			"2026-01-01 00:00:00 199.215.134.60 GET /portal/sharing/rest/generateToken - 443 - 199.214.102.76 - - 200 0 0 3 142.229.83.32",
			"142.229.83.32", "", "", ""},
		{"custom fields",
			"date time c-ip cs-method cs-uri-stem sc-status time-taken OriginalIP x-request-id crypt-protocol X-ARR-LOG-ID",
			"2026-01-01 00:00:00 10.0.0.5 GET /api/a 200 12 203.0.113.9 r-77 400 5f1a",
			"", "r-77", "", "OriginalIP=203.0.113.9 crypt-protocol=400 X-ARR-LOG-ID=5f1a"},
		{"W3C identifiers stay unread",
			"date time s-sitename s-computername c-ip cs-method cs-uri-stem sc-status cs(Cookie) sc-win32-status cs-bytes",
			"2026-01-01 00:00:00 W3SVC1 WEB01 10.0.0.5 GET /api/a 200 session=s3cr3t 0 512",
			"", "", "", ""},
		{"cloudfront",
			"date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher",
			"2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\tcurl\t-\t-\tHit\tSOX4x\td111111abcdef8.cloudfront.net\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256",
			"", "SOX4x", "d111111abcdef8.cloudfront.net", ""},
	} {
		f := w3cFormat
		if strings.Contains(tc.fields, "x-edge-location") {
			f = cloudfrontFormat
		}
		p := f.New(ParseOptions{}).(*w3cParser)
		p.Begin([]byte("#Fields: " + tc.fields))
		var rec Record
		rec.reset()
		if r := p.Parse([]byte(tc.line), &rec); r != OK {
			t.Errorf("%s: Parse = %s, want ok", tc.name, r)
			continue
		}
		var extra []string
		for _, e := range rec.Extra {
			extra = append(extra, e.Name+"="+string(e.Value))
		}
		got := [4]string{string(rec.ForwardedFor), string(rec.RequestID), string(rec.Host), strings.Join(extra, " ")}
		if want := [4]string{tc.forwardedFor, tc.requestID, tc.host, tc.extra}; got != want {
			t.Errorf("%s: forwarded-for, request id, host, extras = %q, want %q", tc.name, got, want)
		}
	}
}

// TestW3CFieldExtras: detection names a W3C file's custom fields in its
// format's Extras, which export makes columns of.
func TestW3CFieldExtras(t *testing.T) {
	for _, tc := range []struct {
		name, head string
		extras     []string
	}{
		{"custom fields, declared twice",
			"#Fields: date time c-ip cs-method cs-uri-stem sc-status OriginalIP X-Forwarded-For\n2026-01-01 00:00:00 10.0.0.5 GET /a 200 203.0.113.9 198.51.100.7\n" +
				"#Fields: date time c-ip cs-method cs-uri-stem sc-status OriginalIP crypt-protocol\n2026-01-01 00:00:01 10.0.0.5 GET /a 200 203.0.113.9 400\n",
			[]string{"OriginalIP", "crypt-protocol"}},
		{"none", "#Fields: date time c-ip cs-method cs-uri-stem sc-status X-Forwarded-For\n2026-01-01 00:00:00 10.0.0.5 GET /a 200 198.51.100.7\n", nil},
	} {
		d := Detect([]byte(tc.head))
		if d.Format == nil {
			t.Errorf("%s: Detect = nil, want w3c", tc.name)
		} else if d.Format.Name != "w3c" || !slices.Equal(d.Format.Extras, tc.extras) {
			t.Errorf("%s: Detect = %s, extras %q; want w3c, %q", tc.name, d.Format.Name, d.Format.Extras, tc.extras)
		}
	}
	if len(w3cFormat.Extras) != 0 {
		t.Errorf("w3c's own Extras became %q: detection must copy the format", w3cFormat.Extras)
	}
}
