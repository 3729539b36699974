package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"analyze/export"
	"analyze/samples/synth"
)

func TestExportCLI(t *testing.T) {
	out := t.TempDir()
	r := analyze(t, "", "export", "--to", "parquet", "--out", out, "samples/")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "wrote 7770 rows to 2 file(s)") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	for _, day := range []string{"2025-03-11", "2025-03-12"} {
		if parts, _ := filepath.Glob(filepath.Join(out, "date="+day, "part-*-00000.parquet")); len(parts) != 1 {
			t.Errorf("date=%s holds %v, want one part", day, parts)
		}
	}
	csvOut := t.TempDir()
	r = analyze(t, "", "export", "--to", "csv", "--out", csvOut, "samples/pim-api-common.log")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "wrote 400 rows to 1 file(s)") {
		t.Fatalf("csv: exit %d %s %s", r.code, r.stdout, r.stderr)
	}

	// Filters choose the rows as they choose a report's records, and the
	// manifest says which and how many were left out.
	filtered := t.TempDir()
	args := []string{"--client", "shop-*", "--status", "429", "--since", "2h", "--host", "-"}
	r = analyze(t, "", append([]string{"export", "--to", "csv", "--out", filtered}, append(args, "samples/")...)...)
	rep := analyze(t, "", append([]string{"report", "-o", "json"}, append(args, "samples/")...)...)
	var doc struct {
		Input struct{ Analyzed, Filtered int64 }
	}
	if err := json.Unmarshal([]byte(rep.stdout), &doc); err != nil || doc.Input.Analyzed == 0 {
		t.Fatalf("the filtered report: %v %s", err, rep.stderr)
	}
	want := fmt.Sprintf("wrote %d rows to 1 file(s)", doc.Input.Analyzed)
	if r.code != 0 || !strings.HasPrefix(r.stdout, want) || !strings.Contains(r.stdout, fmt.Sprintf("; %d records left out by the filters", doc.Input.Filtered)) {
		t.Errorf("filtered export: exit %d, %s; want %q", r.code, r.stdout, want)
	}
	var m export.Manifest
	b, _ := os.ReadFile(filepath.Join(filtered, "_analyze.json"))
	if err := json.Unmarshal(b, &m); err != nil || m.Rows != doc.Input.Analyzed || m.Filtered != doc.Input.Filtered ||
		m.Filter == nil || m.Filter.Client != "shop-*" || m.Filter.Status != "429" || m.Filter.Host != "-" || m.Filter.Since == nil {
		t.Errorf("the filtered export's manifest: %v %s", err, b)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "_analyze.json")); !strings.Contains(string(b), `"filtered": 0`) || strings.Contains(string(b), `"filter"`) {
		t.Errorf("an unfiltered export's manifest: %s", b)
	}

	// Standard input with --tables: read once for the tables, once for the rows.
	sample, _ := os.ReadFile("../../samples/pim-api-common.log")
	r = analyze(t, string(sample), "export", "--to", "csv", "--tables", t.TempDir(), "--out", t.TempDir(), "-")
	if r.code != 0 || !strings.Contains(r.stdout, "wrote 400 rows to 1 file(s)") {
		t.Errorf("stdin with --tables: exit %d %s %s", r.code, r.stdout, r.stderr)
	}

	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"export", "--to", "xlsx", "--out", out, "samples/"}, `--to "xlsx"`},
		{[]string{"export", "samples/"}, "--out"},
		{[]string{"export", "--out", out, "--partition", "hour", "samples/"}, "cannot partition by"},
		{[]string{"export", "--out", out, "--compression", "lz4", "samples/"}, "unknown compression"},
	} {
		if r := analyze(t, "", tc.args...); r.code != 2 || !strings.Contains(r.stderr, tc.err) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, r.code, r.stderr)
		}
	}
}

// TestExportKilled kills an export mid-way: no file an engine would read
// may be left, only hidden temporary files.
func TestExportKilled(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "big.log")
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	cfg := synth.Default()
	cfg.Lines = 400000
	if err := synth.Write(f, cfg); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out := filepath.Join(dir, "out")
	cmd := exec.Command(binary, "export", "--to", "csv", "--out", out, in)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once the export has started writing.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if names, _ := filepath.Glob(filepath.Join(out, ".*.tmp-*")); len(names) > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	var temps int
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		switch {
		case err != nil || d.IsDir() || d.Name() == ".analyze.lock":
		case export.IsTemp(p):
			temps++
		default:
			t.Errorf("a visible file after a kill: %s", p)
		}
		return nil
	})
	if temps == 0 {
		t.Fatal("the killed export left no temporary file: the test killed it too late to test anything")
	}
	// The next run removes what the killed one left (they used to stay
	// for good), and writes the whole dataset.
	small := filepath.Join(dir, "small.log")
	os.WriteFile(small, []byte(strings.Repeat(`10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET /a HTTP/1.1" 200 1 "-" "-"`+"\n", 10)), 0o644)
	if r := analyze(t, "", "export", "--to", "csv", "--out", out, small); r.code != 0 {
		t.Fatalf("the next run: exit %d: %s", r.code, r.stderr)
	}
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && export.IsTemp(p) {
			t.Errorf("the next run left the killed run's %s", p)
		}
		return nil
	})
}

func TestSQLCLI(t *testing.T) {
	ds := t.TempDir()
	if r := analyze(t, "", "export", "--out", ds, "samples/pim-api-access.log"); r.code != 0 {
		t.Fatalf("export: %s", r.stderr)
	}
	for _, d := range []string{"duckdb", "spark", "trino"} {
		for _, path := range []string{ds, "s3://bucket/access"} {
			r := analyze(t, "", "sql", "--dialect", d, path)
			if r.code != 0 || !strings.Contains(r.stdout, "-- bursts") || !strings.Contains(r.stdout, path) || !strings.Contains(r.stdout, "'rate_limited'") {
				t.Errorf("%s %s: exit %d\n%s%s", d, path, r.code, r.stdout, r.stderr)
			}
		}
	}
	if r := analyze(t, "", "sql", "--dialect", "oracle", ds); r.code != 2 || !strings.Contains(r.stderr, "unknown dialect") {
		t.Errorf("oracle: exit %d %s", r.code, r.stderr)
	}
	// A folder that is no dataset, or a CSV one, is an error, not SQL.
	csvDS := t.TempDir()
	analyze(t, "", "export", "--to", "csv", "--out", csvDS, "samples/pim-api-access.log")
	for path, want := range map[string]string{"/nonexistent": "not a dataset", t.TempDir(): "not a dataset", csvDS: "holds a csv dataset"} {
		if r := analyze(t, "", "sql", path); r.code != 2 || !strings.Contains(r.stderr, want) || r.stdout != "" {
			t.Errorf("sql %s: exit %d, stderr %q, %d bytes of SQL; want exit 2 and %q", path, r.code, r.stderr, len(r.stdout), want)
		}
	}
	golden(t, "sql-duckdb.sql", analyze(t, "", "sql", "--dialect", "duckdb", "s3://bucket/DATASET").stdout)
}
