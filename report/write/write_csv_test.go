package write

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"analyze/ingest"
	"analyze/report"
)

// TestUnrecoveredCSV: a client named like a spreadsheet formula comes out
// neutralised, in a row of the unrecovered list under its header.
func TestUnrecoveredCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.log")
	line := `{"time":"2025-03-12T10:00:00Z","remote_addr":"10.0.0.1","remote_user":"=cmd|' /C calc'!A0","request":"GET /api/x HTTP/1.1","status":503}` + "\n"
	if err := os.WriteFile(path, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	r, _ := aggregate(t, []string{path}, ingest.Options{}, report.Filter{})
	var b bytes.Buffer
	if err := WriteUnrecoveredCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][0] != "time" || rows[1][1] != "'=cmd|' /C calc'!A0" || rows[1][4] != "503" || rows[1][5] != "abandoned" {
		t.Errorf("csv rows %q", rows)
	}
}
