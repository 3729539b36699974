package export

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"

	"analyze/outfile"
	"analyze/report"
)

// CodesPath is where a Parquet dataset keeps the status catalogue, so that
// engines can join on status: a folder of its own whose name starts with
// '_', which Hive-style partition discovery (Spark, Trino) passes over.
const CodesPath = "_codes/codes.parquet"

// codesTable is the catalogue as a table.
func codesTable() table {
	t := table{name: "codes", cols: []arrow.Field{col("status", tInt32), col("class", tStr), col("diagnosis", tStr), col("title", tStr),
		col("meaning", tStr), col("cause", tStr), col("action", tStr), col("retry", tStr), col("retry_non_idempotent", tStr),
		col("documented", tBool)}}
	for _, c := range report.Codes() {
		t.rows = append(t.rows, []any{int32(c.Status), c.Class, c.Diagnosis, c.Title, c.Meaning, c.Cause, c.Action, c.Retry, c.RetryUnsafe, c.Documented})
	}
	return t
}

// writeCodes writes the catalogue to dir/CodesPath, atomically.
func writeCodes(dir string) error {
	p := filepath.Join(dir, CodesPath)
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("cannot create %s: %w", filepath.Dir(p), err)
	}
	return outfile.Write(p, func(f *os.File) error { return writeTableParquet(f, codesTable()) })
}
