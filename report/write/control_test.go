package write

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"analyze/ingest"
	"analyze/report"
)

// controlAt returns where the first byte sequence lies that no output may
// carry, and its length: a C0 control but tab and line feed, DEL, or a C1
// control in UTF-8 (C2 80-9F, U+009B being a terminal's CSI); -1 if none.
func controlAt(b []byte) (int, int) {
	for i, c := range b {
		switch {
		case c < 0x20 && c != '\t' && c != '\n', c == 0x7f:
			return i, 1
		case c == 0xc2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9f:
			return i, 2
		}
	}
	return -1, 0
}

// TestNoControlCharacters runs every writer over a report whose clients,
// users, paths, hosts and file name carry terminal escapes, BEL, C1
// controls (as nginx's escape=json writes them, \u001b, and as raw bytes):
// none may reach the output raw.
func TestNoControlCharacters(t *testing.T) {
	dir := t.TempDir()
	evilName := filepath.Join(dir, "e\x1b[2J\u009b.log")
	var b strings.Builder
	at := time.Date(2025, 3, 12, 9, 0, 0, 0, time.UTC)
	for i := range 40 {
		status := []int{503, 429, 200, 503}[i%4]
		fmt.Fprintf(&b, `{"time":"%s","remote_addr":"\u001b]0;PWNED\u0007\u001b[2J","remote_user":"u\u009b31m\u007f","host":"h\u001b[1m.example","request":"GET /x\u001b[31m\u009b\u0085 HTTP/1.1","status":%d,"retry_after":"1"}`+"\n",
			at.Add(time.Duration(i)*10*time.Second).Format(time.RFC3339), status)
	}
	if err := os.WriteFile(evilName, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// Raw bytes in a combined log: ESC, BEL, a lone 0x9B, and C2 9B.
	raw := filepath.Join(dir, "raw.log")
	var rb strings.Builder
	for i := range 20 {
		fmt.Fprintf(&rb, "10.0.0.%d - ev\x1b[31m\x07il [12/Mar/2025:09:%02d:00 +0000] \"POST /r\x1b]8;;\x9b/\xc2\x9b HTTP/1.1\" %d 1 \"-\" \"a\x1b[2J\"\n",
			i%3, i, []int{500, 429}[i%2])
	}
	if err := os.WriteFile(raw, []byte(rb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	files, errs := ingest.Expand([]string{evilName, raw}, false)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	sum, err := report.Aggregate(context.Background(), files, ingest.Options{Workers: 2}, report.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files[0].Records == 0 || sum.Files[1].Records == 0 {
		t.Fatalf("the hostile logs did not parse: %+v", sum.Files)
	}
	type writer struct {
		name  string
		write Writer
	}
	var writers []writer
	for _, f := range Formats {
		if f.Write != nil {
			writers = append(writers, writer{f.Name, fixedWidth(f, DefaultWidth)})
		}
		for sub, w := range f.Sections {
			writers = append(writers, writer{f.Name + " " + sub, w})
		}
	}
	for _, only := range []string{"", "quota", "retry", "timeline"} {
		r := report.Build(sum, files, report.Filter{}, report.Options{Top: 10, Only: only, Unrecovered: true, TimelineWindow: time.Minute})
		if only == "retry" && r.Retry.Unrecovered == 0 {
			t.Fatal("no unrecovered chain: the CSV would be empty")
		}
		for _, w := range writers {
			t.Run(fmt.Sprintf("%s/only=%q", w.name, only), func(t *testing.T) {
				var out bytes.Buffer
				if err := w.write(&out, r); err != nil {
					t.Fatal(err)
				}
				if i, n := controlAt(out.Bytes()); i >= 0 {
					t.Errorf("raw control character %q at byte %d: …%q…", out.Bytes()[i:i+n], i,
						out.Bytes()[max(0, i-40):min(out.Len(), i+n+10)])
				}
			})
		}
	}
}

// TestControlEscaper: DEL and the C1 controls become \u escapes, also
// when a write ends between a C2 and its second byte; the rest passes.
func TestControlEscaper(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes []string
		want   string
	}{
		{"plain", []string{`{"a":"b"}`}, `{"a":"b"}`},
		{"DEL", []string{"\"a\x7fb\""}, `"a\u007fb"`},
		{"CSI", []string{"\"\xc2\x9b[2J\""}, `"\u009b[2J"`},
		{"C1 bounds", []string{"\"\xc2\x80\xc2\x9f\xc2\xa0\""}, "\"\\u0080\\u009f\xc2\xa0\""},
		{"split C1", []string{"\"a\xc2", "\x85b\""}, `"a\u0085b"`},
		{"split printable", []string{"\"\xc2", "\xa9\""}, "\"\xc2\xa9\""},
		{"C2 last", []string{"\"\xc2"}, "\"\xc2"},
		{"empty write between", []string{"\xc2", "", "\x9b"}, `\u009b`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			c := &controlEscaper{w: &out}
			for _, w := range tc.writes {
				if n, err := c.Write([]byte(w)); err != nil || n != len(w) {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			if err := c.flush(); err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
