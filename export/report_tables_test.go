package export

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"
	"time"

	"analyze/ingest"
	"analyze/report"
)

// TestReportTables: analyze export --tables writes the report's tables of
// the records the filter keeps, and says when an input was not read whole.
func TestReportTables(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "access.log")
	if err := os.WriteFile(good, []byte(lineOK+"\n"+lineDash+"\n"+lineDash+"\n"+lineBad+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A gzip cut short: read up to where it ends, then an error.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	for range 2000 {
		zw.Write([]byte(lineOK + "\n"))
	}
	zw.Close()
	cut := filepath.Join(dir, "cut.log.gz")
	if err := os.WriteFile(cut, gz.Bytes()[:gz.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name       string
		paths      []string
		filter     report.Filter
		statuses   map[string]bool // the statuses table's status column
		incomplete bool
	}{
		{"every record", []string{good}, report.Filter{}, map[string]bool{"200": true, "503": true, "404": true}, false},
		{"until midnight", []string{good}, report.Filter{Until: time.Date(2025, 3, 13, 0, 0, 0, 0, time.UTC)}, map[string]bool{"200": true}, false},
		{"an input cut short", []string{good, cut}, report.Filter{}, map[string]bool{"200": true, "503": true, "404": true}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, _ := ingest.Expand(c.paths, false)
			tables := t.TempDir()
			written, incomplete, err := ReportTables(context.Background(), files, ingest.Options{}, c.filter, report.ClientSelector{}, tables, true, "test")
			if err != nil || len(written) != 22 || incomplete != c.incomplete {
				t.Fatalf("got %d files, incomplete %v, %v; want 22, %v", len(written), incomplete, err, c.incomplete)
			}
			f, err := os.Open(filepath.Join(tables, "statuses.csv"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := csv.NewReader(f).ReadAll()
			if err != nil || len(rows) < 1 {
				t.Fatalf("statuses.csv: %v, %v", rows, err)
			}
			got := map[string]bool{}
			for _, r := range rows[1:] {
				got[r[0]] = true
			}
			if len(got) != len(c.statuses) {
				t.Errorf("statuses %v, want %v", got, c.statuses)
			}
			for s := range c.statuses {
				if !got[s] {
					t.Errorf("statuses %v, want %v", got, c.statuses)
				}
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	files, _ := ingest.Expand([]string{good}, false)
	if _, _, err := ReportTables(ctx, files, ingest.Options{}, report.Filter{}, report.ClientSelector{}, t.TempDir(), true, "test"); err == nil {
		t.Error("an interrupted read gave no error")
	}
}
