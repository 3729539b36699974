package ingest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// iisFields is IIS's default #Fields directive.
const iisFields = "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"

// TestW3C parses lines of IIS's default fields, and of a log that states
// its date once (#Date) and its zone (#GMT-Offset), after their
// directives: a record, a directive (no rejection: counted as blank), or a
// rejection with its reason.
func TestW3C(t *testing.T) {
	for _, tc := range []struct {
		name, directives, line string
		reason                 Reason
		want                   wantRecord
	}{
		{"IIS default", iisFields,
			"2026-01-01 00:00:00 10.0.0.4 GET /api/documents/42 lang=fr 443 erp-sync 203.0.113.7 QuableSDK/2.3+(php) - 429 0 0 15",
			OK, wantRecord{time: "2026-01-01T00:00:00Z", client: "203.0.113.7", user: "erp-sync", method: "GET", path: "/api/documents/42", query: "lang=fr", agent: "QuableSDK/2.3 (php)", status: 429, bytes: -1, duration: 15 * time.Millisecond}},
		{"IIS, dashes", iisFields,
			"2026-01-01 00:00:01 10.0.0.4 POST /api/imports - 443 - 203.0.113.8 - - 201 0 0 120",
			OK, wantRecord{time: "2026-01-01T00:00:01Z", client: "203.0.113.8", method: "POST", path: "/api/imports", status: 201, bytes: -1, duration: 120 * time.Millisecond}},
		{"date from #Date, zone from #GMT-Offset", "#Date: 2026-01-01 00:00:00\n#GMT-Offset: +0100\n#Fields: time c-ip cs-method cs-uri-stem sc-status sc-bytes",
			"10:15:32 10.0.0.5 DELETE /api/assets/9 204 0",
			OK, wantRecord{time: "2026-01-01T09:15:32Z", offset: 3600, client: "10.0.0.5", method: "DELETE", path: "/api/assets/9", status: 204, bytes: 0, duration: -1}},

		{"a directive", iisFields, "#Software: Microsoft Internet Information Services 10.0", skipLine, wantRecord{}},
		{"a field short", iisFields, "2026-01-01 00:00:00 10.0.0.4 GET /api/documents/42 lang=fr 443 erp-sync 203.0.113.7 QuableSDK/2.3 - 429 0 0", FieldCount, wantRecord{}},
		{"a field over", iisFields, "2026-01-01 00:00:00 10.0.0.4 GET /api/documents/42 lang=fr 443 erp-sync 203.0.113.7 QuableSDK/2.3 - 429 0 0 15 16", FieldCount, wantRecord{}},
		{"status a word", iisFields, "2026-01-01 00:00:00 10.0.0.4 GET /api/documents/42 - 443 - 203.0.113.7 - - OK 0 0 15", BadStatus, wantRecord{}},
		{"month 13", iisFields, "2026-13-01 00:00:00 10.0.0.4 GET /api/documents/42 - 443 - 203.0.113.7 - - 200 0 0 15", BadTimestamp, wantRecord{}},
		{"no #Fields yet", "", "2026-01-01 00:00:00 10.0.0.4 GET /api/documents/42 - 443 - 203.0.113.7 - - 200 0 0 15", NotALogLine, wantRecord{}},
	} {
		p := w3cFormat.New(ParseOptions{}).(*w3cParser)
		p.Begin([]byte(tc.directives))
		var rec Record
		rec.reset()
		if got := p.Parse([]byte(tc.line), &rec); got != tc.reason {
			t.Errorf("%s: Parse = %s, want %s", tc.name, got, tc.reason)
			continue
		}
		if tc.reason != OK {
			continue
		}
		if diff := compareRecord(&rec, tc.want); diff != "" {
			t.Errorf("%s: %s", tc.name, diff)
		}
	}
}

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

// TestW3CFieldsChangeMidFile checks that a #Fields directive in the middle
// of a file applies from there on, whatever block the lines fall in.
func TestW3CFieldsChangeMidFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("#Software: Microsoft Internet Information Services 10.0\n#Fields: date time c-ip cs-method cs-uri-stem sc-status time-taken\n")
	for i := range 3000 {
		fmt.Fprintf(&b, "2025-03-12 10:%02d:%02d 10.0.0.1 GET /api/documents/%d 200 15\n", i/60%60, i%60, i)
	}
	b.WriteString("#Fields: date time cs-method cs-uri-stem sc-status c-ip cs(User-Agent)\n")
	for i := range 3000 {
		fmt.Fprintf(&b, "2025-03-12 11:%02d:%02d PUT /api/documents/%d 503 10.0.0.2 erp-sync/4.2\n", i/60%60, i%60, i)
	}
	dir := t.TempDir()
	p := writeFile(t, dir, "u_ex250312.log", []byte(b.String()))
	for _, workers := range []int{1, 3} {
		files, _ := Expand([]string{p}, false)
		statuses := make([]map[int]int, workers)
		clients := make([]map[string]int, workers)
		for i := range statuses {
			statuses[i], clients[i] = map[int]int{}, map[string]int{}
		}
		scanners := make([]*Scanner, workers)
		for i := range scanners {
			scanners[i] = NewScanner(ParseOptions{})
		}
		Run(t.Context(), files, Options{Workers: workers, MaxLine: 64 << 10}, func(w int, blk *Block) {
			sc := scanners[w]
			sc.Reset(blk)
			for sc.Next() {
				if sc.Kind() == KindRecord {
					statuses[w][sc.Record().Status]++
					clients[w][string(sc.Record().Client)]++
				} else if sc.Kind() == KindRejected {
					t.Errorf("line %d rejected: %s %q", sc.Rejection().Line, sc.Rejection().Reason, sc.Rejection().Snippet)
				}
			}
		})
		total := map[int]int{}
		addrs := map[string]int{}
		for i := range statuses {
			for k, v := range statuses[i] {
				total[k] += v
			}
			for k, v := range clients[i] {
				addrs[k] += v
			}
		}
		if total[200] != 3000 || total[503] != 3000 || addrs["10.0.0.1"] != 3000 || addrs["10.0.0.2"] != 3000 {
			t.Errorf("workers=%d: statuses %v clients %v", workers, total, addrs)
		}
	}
}

// TestCloudFront reads the example of AWS's CloudFront documentation.
func TestCloudFront(t *testing.T) {
	log := "#Version: 1.0\n" +
		"#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n" +
		"2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36\t-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\td111111abcdef8.cloudfront.net\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-\n"
	d := Detect([]byte(log))
	if d.Format == nil || d.Format.Name != "cloudfront" || d.Sampled != 1 {
		t.Fatalf("Detect = %+v", d)
	}
	p := cloudfrontFormat.New(ParseOptions{}).(*w3cParser)
	p.Begin(nil)
	var rec Record
	var got Reason
	for line := range strings.SplitSeq(strings.TrimSpace(log), "\n") {
		rec.reset()
		got = p.Parse([]byte(line), &rec)
	}
	if got != OK || rec.Time.Format(time.RFC3339) != "2019-12-04T21:02:31Z" || string(rec.Client) != "192.0.2.100" || rec.Status != 200 ||
		rec.Bytes != 392 || rec.Duration != time.Millisecond || string(rec.Protocol) != "HTTP/2.0" || string(rec.Host) != "d111111abcdef8.cloudfront.net" ||
		!strings.HasPrefix(string(rec.UserAgent), "Mozilla/5.0 (Windows NT 10.0;") || string(rec.RequestID) != "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==" {
		t.Errorf("%s %+v", got, rec)
	}
}
