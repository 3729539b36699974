package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"analyze/report"
)

// codesColumns are the columns of the status catalogue as the SQL's codes
// view has them.
const codesColumns = "status, class, diagnosis, title, meaning, cause, action, retry, retry_non_idempotent, documented"

// codesValues is the status catalogue as a VALUES list, which the SQL of
// every dialect makes its codes view of: the catalogue travels with the
// SQL, and the dataset's folder holds only rows, so that any glob over it
// (DIR/**/*.parquet) reads the requests and nothing else.
func codesValues() string {
	var b strings.Builder
	b.WriteString("VALUES ")
	for i, c := range report.Codes() {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, %s, %s, %s, %s, %s, %s, %s, %s, %t)", c.Status, sqlString(c.Class), sqlString(c.Diagnosis),
			sqlString(c.Title), sqlString(c.Meaning), sqlString(c.Cause), sqlString(c.Action), sqlString(c.Retry),
			sqlString(c.RetryUnsafe), c.Documented)
	}
	return b.String()
}

// sqlString is s as a SQL string literal.
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// legacyCodes is where exports before the catalogue moved into the SQL
// wrote it, inside the dataset; a glob over the dataset read it as rows.
const legacyCodes = "_codes/codes.parquet"

// removeLegacyCodes removes the catalogue an earlier export wrote into the
// dataset at dir, and its folder when that is left empty.
func removeLegacyCodes(dir string) error {
	p := filepath.Join(dir, legacyCodes)
	if info, err := os.Lstat(p); err != nil || !info.Mode().IsRegular() {
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove %s: %w", p, err)
	}
	os.Remove(filepath.Dir(p)) // only when empty
	return nil
}
