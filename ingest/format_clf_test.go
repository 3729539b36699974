package ingest

import "testing"

// TestSpacedUser: nginx ($remote_user) and Apache (%u) write a basic-auth
// user raw, spaces included. The combined and common presets read such a
// line as the same format given as an nginx or Apache format string does.
// (TestFixtures checks that detection still says combined for a file of
// them, not vhost_combined, whose template reads "tz  [" as a client "tz"
// and an empty user.)
func TestSpacedUser(t *testing.T) {
	const (
		nginxCombined  = `nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`
		apacheCombined = `apache:%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`
	)
	for _, tc := range []struct {
		name, line, user string
	}{
		{"trailing space", `175.11.68.5 - tz  [26/Jul/2022:11:13:26 +0800] "GET / HTTP/1.1" 401 581 "-" "Mozilla/5.0"`, "tz "},
		{"leading space", `10.0.0.1 -  tz [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`, " tz"},
		{"words", `10.0.0.1 - John Q Smith [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`, "John Q Smith"},
		{"empty user", `10.0.0.1 -  [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`, ""},
		{"plain user", `10.0.0.1 - tz [12/Mar/2025:10:15:32 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`, "tz"},
	} {
		for _, spec := range []string{"combined", "common", nginxCombined, apacheCombined} {
			f, err := ResolveFormat(spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			p := f.New(ParseOptions{})
			var rec Record
			rec.reset()
			if got := p.Parse([]byte(tc.line), &rec); got != OK {
				t.Errorf("%s, %.10s: Parse = %s, want ok", tc.name, spec, got)
				continue
			}
			if got := string(rec.User); got != tc.user {
				t.Errorf("%s, %.10s: user %q, want %q", tc.name, spec, got, tc.user)
			}
		}
	}
}
