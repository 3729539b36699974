package export

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"analyze/ingest"
	"analyze/report"
)

var update = flag.Bool("update", false, "rewrite testdata/schema.txt")

// TestSchemaGolden pins the exported columns and types (with the extras of
// the samples' custom nginx format).
func TestSchemaGolden(t *testing.T) {
	f, err := ingest.ResolveFormat(`nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" urt="$upstream_response_time" ra="$sent_http_retry_after" rid=$request_id`, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, fl := range Schema(f.Extras).Fields() {
		null := ""
		if fl.Nullable {
			null = " (nullable)"
		}
		b.WriteString(fl.Name + " " + fl.Type.String() + null + "\n")
	}
	path := filepath.Join("testdata", "schema.txt")
	if *update {
		os.WriteFile(path, []byte(b.String()), 0o644)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./export -update writes it)", err)
	}
	if b.String() != string(want) {
		t.Errorf("schema changed (review with go test ./export -update && git diff):\n%s", b.String())
	}
}

// FuzzCSVRoundTrip writes a record whose fields hold arbitrary bytes to
// CSV and reads it back: every cell must come back as written (invalid
// UTF-8 as U+FFFD; with csv-safe, formula cells with their apostrophe).
func FuzzCSVRoundTrip(f *testing.F) {
	for _, s := range []string{"plain", `with "quotes", commas`, "new\nline\r\n", "=SUM(A1)", "-", "@x", "\xff\xfe", "", "\t+1"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, safe bool) {
		if strings.ContainsRune(s, '\r') {
			// encoding/csv turns \r\n inside a quoted field into \n on read.
			s = strings.ReplaceAll(s, "\r", "")
		}
		var rec ingest.Record
		p, _ := ingest.ResolveFormat("combined", nil)
		p.New(ingest.ParseOptions{}).Parse([]byte(lineOK), &rec)
		rec.File = &ingest.File{Path: "x.log"}
		rec.UserAgent, rec.Referer = []byte(s), []byte(s)
		b := NewBatcher(Schema(nil), nil)
		b.Add(&rec)
		var buf bytes.Buffer
		w := &csvWriter{cw: csv.NewWriter(&buf), safe: safe}
		w.row = make([]string, len(Schema(nil).Fields()))
		for _, bt := range b.Flush() {
			if err := w.Write(bt.Record); err != nil {
				t.Fatal(err)
			}
			bt.Record.Release()
		}
		w.cw.Flush()
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(rows) != 1 {
			t.Fatalf("read back: %v %q", err, rows)
		}
		want := s
		if !utf8.ValidString(want) {
			want = strings.ToValidUTF8(want, "\uFFFD")
		}
		if safe {
			want = report.CSVSafe(want)
		}
		if got := rows[0][colAgent]; got != want {
			t.Errorf("user agent %q came back as %q", want, got)
		}
	})
}
