package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnrecognizedFiles runs a log folder that holds a README: its lines
// are unrecognized, shown apart in every output that states the
// accounting, and do not trip a rejected_rate threshold; --exclude (flag
// or config key) leaves it out; a file named is read.
func TestUnrecognizedFiles(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.Mkdir(logs, 0o755)
	os.WriteFile(filepath.Join(logs, "access.log"), []byte(strings.Repeat(line+"\n", 1000)), 0o644)
	readme := filepath.Join(logs, "README.md")
	os.WriteFile(readme, []byte(strings.Repeat("Nightly logs of the API, kept 30 days.\n", 10)), 0o644)
	conf := filepath.Join(dir, "analyze.toml")
	os.WriteFile(conf, []byte("exclude = [\"README*\"]\n"), 0o644)

	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // substrings
	}{
		{"json", []string{"report", "-o", "json", logs}, 0, []string{`"rejected": 0,`, `"unrecognized": 10,`, `"reconciled": true`}},
		{"text", []string{"report", logs}, 0, []string{"1,010 lines in 2 inputs: 1,000 records, 0 rejected, 10 unrecognized, 0 blank", "unrecognized"}},
		{"prometheus", []string{"report", "-o", "prometheus", logs}, 0, []string{"analyze_input_unrecognized_lines 10\n", "analyze_input_rejected_lines 0\n"}},
		{"rejected_rate passes", []string{"report", "--fail-on", "rejected_rate>0.1%", logs}, 0, nil},
		{"unrecognized fails", []string{"report", "--fail-on", "unrecognized>0", logs}, 1, nil},
		{"unrecognized_rate fails", []string{"report", "--fail-on", "unrecognized_rate>0.5%", logs}, 1, nil},
		{"exclude", []string{"report", "-o", "json", "--exclude", "README*", logs}, 0, []string{`"unrecognized": 0,`, `"lines": 1000,`}},
		{"exclude in config", []string{"report", "-o", "json", "--config", conf, logs}, 0, []string{`"unrecognized": 0,`, `"lines": 1000,`}},
		{"exclude, file named", []string{"report", "-o", "json", "--exclude", "README*", readme}, 0, []string{`"unrecognized": 10,`}},
		{"export", []string{"export", "--to", "csv", "--out", filepath.Join(dir, "out"), logs}, 0, []string{"1010 lines read: 1000 records, 0 rejected, 10 unrecognized, 0 blank"}},
		{"bad exclude", []string{"report", "--exclude", "[", logs}, 2, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := analyze(t, "", tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", r.code, tc.code, r.stderr)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
				}
			}
		})
	}
	b, err := os.ReadFile(filepath.Join(dir, "out", "_analyze.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Lines, Records, Rejected, Unrecognized, Blank int64 }
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Unrecognized != 10 || m.Lines != m.Records+m.Rejected+m.Unrecognized+m.Blank {
		t.Errorf("_analyze.json: %+v, want 10 unrecognized and lines = records + rejected + unrecognized + blank", m)
	}
}
