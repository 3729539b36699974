package privacy

import (
	"bytes"
	"strings"
	"testing"
)

func TestMaskLine(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`"GET /a?token=abc123&page=2 HTTP/1.1"`, `"GET /a?token=******&page=2 HTTP/1.1"`},
		{`"GET /a?page=2&api_key=XYZ HTTP/1.1" 200 "https://x.example/cb?code=q1w2;state=s"`, `"GET /a?page=2&api_key=*** HTTP/1.1" 200 "https://x.example/cb?code=****;state=s"`},
		{`/login?Password=hunter2#frag`, `/login?Password=*******#frag`},
		{`/s3?X-Amz-Signature=deadbeef&X-Amz-Date=1`, `/s3?X-Amz-Signature=********&X-Amz-Date=1`},
		{`/a?client-secret=s3cr3t`, `/a?client-secret=******`},
		{`{"uri":"/a?access_token=t0k","status":200}`, `{"uri":"/a?access_token=***","status":200}`},
		{`2025-03-12 10:00:00 GET /a token=abc&x=1 443`, `2025-03-12 10:00:00 GET /a token=***&x=1 443`}, // W3C query field
		{`/a?monkey=banana&bypass=1&keyboard=2&sort_key=name`, `/a?monkey=banana&bypass=1&keyboard=2&sort_key=****`},
		{`/a?token=`, `/a?token=`},
		{`no query at all = here`, `no query at all = here`},
		{`/a?=x&&token`, `/a?=x&&token`},
	} {
		b := []byte(c.in)
		MaskLine(b)
		if string(b) != c.want {
			t.Errorf("MaskLine(%s)\n got %s\nwant %s", c.in, b, c.want)
		}
	}
}

// TestEverySecretName masks each secret name in lower and upper case, alone
// and as a suffix: the quick test on a name's ending lets none through.
func TestEverySecretName(t *testing.T) {
	for _, n := range secretNames {
		for _, name := range []string{n, strings.ToUpper(n), "x_" + n, "My-" + strings.ToUpper(n[:1]) + n[1:]} {
			b := []byte("/a?" + name + "=v4lue&page=1")
			MaskLine(b)
			if want := "/a?" + name + "=*****&page=1"; string(b) != want {
				t.Errorf("got %s, want %s", b, want)
			}
		}
	}
}

// TestMaskValue masks a secret value in place, an authorization scheme
// kept.
func TestMaskValue(t *testing.T) {
	for in, want := range map[string]string{"Bearer abc": "Bearer ***", "abc": "***", "Basic ": "******", "AWS4-HMAC-SHA256 Credential=x": "AWS4-HMAC-SHA256 ************", "a b c": "a ***"} {
		if got := string(MaskValue([]byte(in))); got != want {
			t.Errorf("MaskValue(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzMaskCredentials masks arbitrary lines as a rejected line is masked:
// it never panics, keeps the length, changes bytes only to '*', and a
// second pass changes nothing more.
func FuzzMaskCredentials(f *testing.F) {
	for _, s := range []string{
		`{"authorization":"Bearer eyJhbGci.S3CRET","x_api_key":"K3Y"}`,
		`"Authorization: Basic dXNlcjpwYXNz" "Cookie: sid=abc; theme=dark"`,
		`header: "X-Auth-Token: abc123xyz", bearer eyJ0eXAiOiJKV1Q`,
		`"token" : 12345, "passwd":"a\"b"`, `auth:`, `"":`, `:::`, `Bearer `, `basic`, `"key":"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		once := bytes.Clone(line)
		MaskLine(once)
		MaskCredentials(once)
		if len(once) != len(line) {
			t.Fatalf("length %d, want %d", len(once), len(line))
		}
		for i := range line {
			if once[i] != line[i] && once[i] != '*' {
				t.Fatalf("byte %d: %q became %q", i, line[i], once[i])
			}
		}
		twice := bytes.Clone(once)
		MaskLine(twice)
		MaskCredentials(twice)
		if !bytes.Equal(once, twice) {
			t.Fatalf("a second pass masked more:\n%q\n%q", once, twice)
		}
	})
}

// BenchmarkMaskCredentials masks rejected lines of 1 MiB built to be the
// worst case of each search: the first letter of a scheme again and again
// (indexFold was quadratic in it: 300,000 'b's took 1.7 s), members and
// headers named like secrets, and colons.
//
//	go test -run '^$' -bench MaskCredentials -count 10 ./ingest/privacy > new.txt; benchstat old.txt new.txt
func BenchmarkMaskCredentials(b *testing.B) {
	for name, unit := range map[string]string{"letters": "b", "members": `"token":"x",`, "headers": "Cookie: a ", "colons": ":"} {
		line := []byte(strings.Repeat(unit, (1<<20)/len(unit)))
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(line)))
			buf := make([]byte, len(line))
			for b.Loop() {
				copy(buf, line)
				MaskCredentials(buf)
			}
		})
	}
}
