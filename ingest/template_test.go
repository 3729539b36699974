package ingest

import (
	"strings"
	"testing"
	"time"
)

func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"nginx:$remote_addr$remote_user [$time_local] $status", "touch"},
		{"nginx:$remote_addr [$time_local]", "no status"},
		{"nginx:$remote_addr $status", "no time"},
		{"nginx:${remote_addr [$time_local] $status", "unclosed"},
		{"apache:%h %t %>s %", "bare %"},
		{"apache:%h %t %>s %Z", "unknown directive"},
		{"apache:%h %t %>s %i", "needs a header name"},
		{"nginx:main", `no log_format named "main"`},
		{"nope", `unknown format "nope"`},
	} {
		_, err := ResolveFormat(tc.spec, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ResolveFormat(%q) = %v, want an error containing %q", tc.spec, err, tc.want)
		}
	}
}

func TestTimeZoneOption(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skipf("skipping: no zone database: %v", err)
	}
	f, _ := ResolveFormat(`apache:%a [%{%Y-%m-%d %H:%M:%S}t] "%r" %s`, nil)
	for _, tc := range []struct {
		tz   *time.Location
		want string
	}{{nil, "2025-07-01T10:00:00Z"}, {paris, "2025-07-01T08:00:00Z"}} {
		var rec Record
		rec.reset()
		r := f.New(ParseOptions{TZ: tc.tz}).Parse([]byte(`10.0.0.1 [2025-07-01 10:00:00] "GET / HTTP/1.1" 200`), &rec)
		if r != OK || rec.Time.Format(time.RFC3339) != tc.want {
			t.Errorf("tz %v: %s %v, want %s", tc.tz, r, rec.Time, tc.want)
		}
	}
	// A logged zone wins over --tz.
	var rec Record
	rec.reset()
	combinedFormat.New(ParseOptions{TZ: paris}).Parse([]byte(`10.0.0.1 - - [01/Jul/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 1`), &rec)
	if rec.Time.Format(time.RFC3339) != "2025-07-01T10:00:00Z" {
		t.Errorf("logged zone: %v", rec.Time)
	}
}
