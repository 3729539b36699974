package ingest

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestScannerPrivacy checks the Scanner's masking (on by default, off with
// KeepSecrets) and pseudonyms (stable for a key, different across keys).
func TestScannerPrivacy(t *testing.T) {
	line := `203.0.113.7 - alice [12/Mar/2025:10:00:00 +0000] "GET /api/x?token=s3cr3t HTTP/1.1" 200 5 "-" "ua"` + "\n"
	scan := func(opts ParseOptions) (*Record, string) {
		f := &File{Path: "x", Format: combinedFormat}
		sc := NewScanner(opts)
		sc.Reset(&Block{File: f, Data: []byte(line), Lines: 1, Line: 1, Format: f.Format})
		if !sc.Next() || sc.Kind() != KindRecord {
			t.Fatalf("no record: %+v", sc.Rejection())
		}
		return sc.Record(), string(sc.ShowLine())
	}
	r, raw := scan(ParseOptions{})
	if string(r.Query) != "token=******" || !strings.Contains(raw, "token=******") || string(r.Client) != "203.0.113.7" {
		t.Errorf("default: query %q, line %q, client %q", r.Query, raw, r.Client)
	}
	if r, _ := scan(ParseOptions{KeepSecrets: true}); string(r.Query) != "token=s3cr3t" {
		t.Errorf("KeepSecrets: query %q", r.Query)
	}
	key := []byte("0123456789abcdef")
	a, _ := scan(ParseOptions{AnonymizeKey: key})
	client, user := string(a.Client), string(a.User)
	b, _ := scan(ParseOptions{AnonymizeKey: key})
	c, _ := scan(ParseOptions{AnonymizeKey: []byte("fedcba9876543210")})
	if !strings.HasPrefix(client, "anon-") || len(client) != 21 || client == user || string(b.Client) != client || string(b.User) != user || string(c.Client) == client {
		t.Errorf("pseudonyms: %s %s, again %s %s, other key %s", client, user, b.Client, b.User, c.Client)
	}
}

// scanRecord returns a Scanner on line, read in format, as a record.
func scanRecord(t *testing.T, format *Format, line string, opts ParseOptions) *Scanner {
	t.Helper()
	sc := NewScanner(opts)
	sc.Reset(&Block{File: &File{Path: "x"}, Line: 1, Lines: 1, Data: []byte(line + "\n"), Format: format})
	if !sc.Next() || sc.Kind() != KindRecord {
		t.Fatalf("%.60s: not a record", line)
	}
	return sc
}

// TestShowLineJSON checks what show prints of a JSON line under
// --anonymize: every identity, escaped or nested or a number, becomes the
// pseudonym the reports use, and the rest stays byte for byte.
func TestShowLineJSON(t *testing.T) {
	key := []byte("0123456789abcdef")
	ref := newAnonymizer(key)
	ps := func(v string) string { return ref.Of([]byte(v)) }
	apiKey := func(v string) string { return ps(KeyLabel([]byte(v))) } // an API key: its label's pseudonym
	cases := []struct{ line, want string }{
		{ // nginx escape=json: an escaped user, a list of forwarded addresses, an API-key header,
			// unmapped members named like identities (a string and a number), the client's
			// address in the path; the agent and the spacing stay.
			`{"time": "2025-03-12T10:00:01+00:00", "remote_addr": "203.0.113.9", "remote_user": "jos\u00e9", "request": "GET /api/clients/203.0.113.9 HTTP/1.1", "status": 200, "body_bytes_sent": 5, "http_x_forwarded_for": "198.51.100.7, 192.0.2.55", "http_x_api_key": "K42", "consumer": "acme", "user_id": 1234, "http_user_agent": "ua/1.0 (203.0.113.9)"}`,
			`{"time": "2025-03-12T10:00:01+00:00", "remote_addr": "` + ps("203.0.113.9") + `", "remote_user": "` + ps("josé") + `", "request": "GET /api/clients/` + ps("203.0.113.9") + ` HTTP/1.1", "status": 200, "body_bytes_sent": 5, "http_x_forwarded_for": "` + ps("198.51.100.7") + `, ` + ps("192.0.2.55") + `", "http_x_api_key": "` + apiKey("K42") + `", "consumer": "` + ps("acme") + `", "user_id": "` + ps("1234") + `", "http_user_agent": "ua/1.0 (` + ps("203.0.113.9") + `)"}`,
		},
		{ // Caddy: nested members, a header as an array; "-" and empty values stay.
			`{"ts":1741774532.5,"request":{"remote_ip":"10.1.2.3","method":"GET","uri":"/a","headers":{"X-Api-Key":["K\"1"],"Cookie":[""]}},"user_id":"-","status":200,"size":3}`,
			`{"ts":1741774532.5,"request":{"remote_ip":"` + ps("10.1.2.3") + `","method":"GET","uri":"/a","headers":{"X-Api-Key":["` + apiKey(`K"1`) + `"],"Cookie":[""]}},"user_id":"-","status":200,"size":3}`,
		},
	}
	for _, c := range cases {
		sc := scanRecord(t, jsonFormat, c.line, ParseOptions{AnonymizeKey: key})
		if got := string(sc.ShowLine()); got != c.want {
			t.Errorf("ShowLine\n got %s\nwant %s", got, c.want)
		}
	}
}

// FuzzShowLineJSON runs arbitrary lines through the JSON parser under
// --anonymize: ShowLine must not panic, and a valid JSON line stays valid.
func FuzzShowLineJSON(f *testing.F) {
	f.Add(`{"remote_addr":"203.0.113.9","remote_user":"jos\u00e9","request":"GET /a HTTP/1.1","status":200,"time":"2025-03-12T10:00:01Z","consumer":"acme","user_id":12}`)
	f.Add(`{"ts":1741774532.5,"request":{"remote_ip":"10.1.2.3","method":"GET","uri":"/a","headers":{"X-Api-Key":["K\"1"],"Cookie":[""]}},"status":200}`)
	f.Add(`{"time":"2025-03-12T10:00:01Z","status":200,"request":"GET / HTTP/1.1","http_x_forwarded_for":"1.2.3.4,, 5.6.7.8 ","a":[{"client":"x"},[1,-2.5e3]]}`)
	f.Fuzz(func(t *testing.T, line string) {
		if strings.ContainsAny(line, "\n") {
			return
		}
		b := &Block{File: &File{Path: "x"}, Line: 1, Lines: 1, Data: []byte(line + "\n"), Format: jsonFormat}
		sc := NewScanner(ParseOptions{AnonymizeKey: []byte("0123456789abcdef")})
		sc.Reset(b)
		for sc.Next() {
			if sc.Kind() != KindRecord {
				continue
			}
			out := sc.ShowLine()
			if json.Valid([]byte(line)) && !json.Valid(out) {
				t.Fatalf("valid line, invalid show line:\n%s\n%s", line, out)
			}
		}
	})
}

// TestAPIKeyLabel checks that an API key logged as one shows as its label
// in the record (the client key) and in the line show prints, unless
// KeepSecrets; a consumer's name is shown as logged.
func TestAPIKeyLabel(t *testing.T) {
	const secret = "sk_live_ABCDEF123456"
	nginx, err := ResolveFormat(`nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_x_api_key"`, nil)
	if err != nil {
		t.Fatal(err)
	}
	apache, err := ResolveFormat(`apache:%h %l %u %t "%r" %>s %b "%{X-Consumer-Username}i"`, nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		format *Format
		line   string
		isKey  bool
	}{
		{nginx, `10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET /a HTTP/1.1" 200 5 "` + secret + `"`, true},
		{jsonFormat, `{"time":"2025-03-12T10:15:32Z","remote_addr":"10.0.0.1","request":"GET /a HTTP/1.1","status":200,"http_x_api_key":"` + secret + `"}`, true},
		{jsonFormat, `{"time":"2025-03-12T10:15:32Z","client_ip":"10.0.0.1","request":"GET /a HTTP/1.1","status":200,"identity":{"apiKey":"` + secret + `"}}`, true},
		{jsonFormat, `{"time":"2025-03-12T10:15:32Z","remote_addr":"10.0.0.1","request":"GET /a HTTP/1.1","status":200,"consumer":{"username":"` + secret + `"}}`, false},
		{apache, `10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET /a HTTP/1.1" 200 5 "` + secret + `"`, false},
	}
	label := KeyLabel([]byte(secret))
	if len(label) != len("key-")+12 || label == KeyLabel([]byte(secret+"x")) {
		t.Fatalf("label %q", label)
	}
	for _, c := range cases {
		for _, keep := range []bool{false, true} {
			sc := scanRecord(t, c.format, c.line, ParseOptions{KeepSecrets: keep})
			want := secret
			if c.isKey && !keep {
				want = label
			}
			if got := string(sc.Record().Credential); got != want {
				t.Errorf("%.50s (keep %v): credential %q, want %q", c.line, keep, got, want)
			}
			if show := string(sc.ShowLine()); !strings.Contains(show, want) || want != secret && strings.Contains(show, secret) {
				t.Errorf("%.50s (keep %v): show prints %s", c.line, keep, show)
			}
		}
	}
}

// TestSecretFields checks that fields named like a secret (an Authorization
// header, a token, a password) are masked by default in the record, the
// line and show, an authorization scheme kept; KeepSecrets keeps them.
func TestSecretFields(t *testing.T) {
	nginx, err := ResolveFormat(`nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_authorization" "$http_x_auth_token" "$http_x_trace"`, nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		format        *Format
		line          string
		masked, shown []string // by default: what must be gone, what must be there
	}{
		{nginx, `10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET /a HTTP/1.1" 200 5 "Bearer eyJ.S3CRET" "T0KEN" "trace-1"`,
			[]string{"eyJ.S3CRET", "T0KEN"}, []string{`"Bearer **********"`, `"*****"`, "trace-1"}},
		{jsonFormat, `{"time":"2025-03-12T10:15:32Z","remote_addr":"10.0.0.1","request":"GET /a HTTP/1.1","status":200,"http_authorization":"Basic dXNlcjpwYXNz","password":"hunter2","note":"hunter2 fine"}`,
			[]string{"dXNlcjpwYXNz", `"hunter2"`}, []string{`"Basic ************"`, `"password":"*******"`, `"note":"hunter2 fine"`}},
	}
	for _, c := range cases {
		for _, keep := range []bool{false, true} {
			sc := scanRecord(t, c.format, c.line, ParseOptions{KeepSecrets: keep})
			show := string(sc.ShowLine())
			var extras []string
			for _, f := range sc.Record().Extra {
				extras = append(extras, string(f.Value))
			}
			all := show + " " + strings.Join(extras, " ")
			for _, m := range c.masked {
				if strings.Contains(all, m) != keep {
					t.Errorf("%.40s (keep %v): %q shown %v: %s", c.line, keep, m, !keep, all)
				}
			}
			if !keep {
				for _, w := range c.shown {
					if !strings.Contains(show, w) {
						t.Errorf("%.40s: show lacks %s: %s", c.line, w, show)
					}
				}
			}
		}
	}
}

// TestRejectedSecrets checks that a line no parser could read, whose fields
// are unknown, keeps no credential in its rejection's snippet nor in what
// show prints of it, nor in the examples quoted for a file no format fits;
// --keep-secrets keeps them.
func TestRejectedSecrets(t *testing.T) {
	cases := []struct {
		format        *Format // nil: no format fits the file
		line          string
		masked, shown []string
	}{
		{jsonFormat, `{"time":"2025-03-12T10:15:32Z","remote_addr":"10.0.0.1","request":"GET /a HTTP/1.1","authorization":"Bearer eyJhbGci.S3CRET","x_api_key":"K3YK3YK3Y","session_id":8812345,"note":"keep me"}`, // no status
			[]string{"eyJhbGci.S3CRET", "K3YK3YK3Y", "8812345"}, []string{`"authorization":"Bearer ***************"`, `"x_api_key":"*********"`, `"note":"keep me"`, `"time":"2025-03-12T10:15:32Z"`}},
		{combinedFormat, `10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET /a?token=T0K3N HTTP/1.1" "Authorization: Basic dXNlcjpwYXNzd29yZA==" "Cookie: sid=C00KIEVAL; theme=dark"`,
			[]string{"T0K3N", "dXNlcjpwYXNzd29yZA==", "C00KIEVAL"}, []string{"[12/Mar/2025:10:15:32 +0000]", `"Authorization: Basic ********************"`, "token=*****"}},
		{nil, `2025/03/12 10:15:32 [error] 7#7: upstream failed, request: "GET /a?api_key=S3CR3TKEY HTTP/1.1", header: "X-Auth-Token: abc123xyz", bearer eyJ0eXAiOiJKV1Q`,
			[]string{"S3CR3TKEY", "abc123xyz", "eyJ0eXAiOiJKV1Q"}, []string{"2025/03/12 10:15:32 [error] 7#7:", `"X-Auth-Token: *********"`, "bearer ***"}},
	}
	for _, c := range cases {
		for _, keep := range []bool{false, true} {
			sc := NewScanner(ParseOptions{KeepSecrets: keep})
			sc.Reset(&Block{File: &File{Path: "x"}, Line: 1, Lines: 1, Data: []byte(c.line + "\n"), Format: c.format})
			if !sc.Next() || sc.Kind() != KindRejected {
				t.Fatalf("%.40s: not rejected", c.line)
			}
			snippet, show := string(sc.Rejection().Snippet), string(sc.ShowLine())
			for _, m := range c.masked {
				if strings.Contains(snippet, m) != keep || strings.Contains(show, m) != keep {
					t.Errorf("%.40s (keep %v): %q in the snippet %v: %s", c.line, keep, m, !keep, snippet)
				}
			}
			if !keep {
				for _, w := range c.shown {
					if !strings.Contains(show, w) {
						t.Errorf("%.40s: show lacks %s: %s", c.line, w, show)
					}
				}
			}
		}
		if c.format == nil {
			d := Detect([]byte(c.line + "\n"))
			if d.Format != nil || len(d.Examples) != 1 || strings.Contains(d.Examples[0], c.masked[0]) || strings.Contains(d.Examples[0], c.masked[1]) {
				t.Errorf("the examples of a file no format fits: %q", d.Examples)
			}
		}
	}
}
