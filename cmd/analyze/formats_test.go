package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"analyze/report/write"
)

// TestFormatTable: the output formats' table (report/write.Formats) is the
// one source of -o, of --out's extension rule and of the folder reading
// that leaves analyze's own reports out. Every format is accepted by -o;
// every extension gives its format to --out; and every report so written
// into the folder analyze reads is left out the next time, not read as a
// log.
func TestFormatTable(t *testing.T) {
	dir := t.TempDir()
	logs, err := os.ReadFile("../../samples/pim-api-common.log")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "access.log"), logs, 0o644); err != nil {
		t.Fatal(err)
	}
	var written []string
	for _, f := range write.Formats {
		subs := []string{"report"} // the subcommands that write f
		if f.Write == nil {
			subs = nil
			for s := range f.Sections {
				subs = append(subs, s)
			}
			slices.Sort(subs)
		}
		for _, sub := range subs {
			args := []string{sub, "-o", f.Name, "samples/"}
			if r := analyze(t, "", args...); r.code != 0 || r.stdout == "" {
				t.Errorf("%v: exit %d, %d bytes out: %s", args, r.code, len(r.stdout), r.stderr)
			}
			for i, ext := range f.Exts {
				name := fmt.Sprintf("%s-%s-%d%s", f.Name, sub, i, ext)
				path := filepath.Join(dir, name)
				if r := analyze(t, "", sub, "--out", path, dir); r.code != 0 {
					t.Fatalf("%s --out %s: exit %d: %s", sub, name, r.code, r.stderr)
				}
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if head := b[:min(len(b), 512)]; !f.Head(head) {
					t.Errorf("--out %s did not write %s: %.80q", name, f.Name, head)
				}
				written = append(written, name)
			}
		}
	}
	r := analyze(t, "", "report", "-o", "json", "--log-level", "info", dir)
	var doc struct {
		Input struct{ Files []struct{ Path string } }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
		t.Fatalf("exit %d, %v: %s", r.code, err, r.stderr)
	}
	if len(doc.Input.Files) != 1 || filepath.Base(doc.Input.Files[0].Path) != "access.log" {
		t.Errorf("inputs read %+v, want access.log only", doc.Input.Files)
	}
	for _, name := range written {
		if !strings.Contains(r.stderr, name+" is a report analyze wrote") {
			t.Errorf("%s was not left out as a report:\n%s", name, r.stderr)
		}
	}
	for _, bad := range []string{"yaml", "TEXT"} {
		if r := analyze(t, "", "report", "-o", bad, "samples/"); r.code != 2 || !strings.Contains(r.stderr, "want "+write.Or(write.Names(func(f write.Format) bool { return f.Write != nil }))) {
			t.Errorf("-o %s: exit %d, %q; want 2 naming the formats", bad, r.code, r.stderr)
		}
	}
}
