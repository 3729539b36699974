package report

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes a file through write under a hidden temporary name
// beside it and renames it into place only when write succeeded: a reader
// (or a killed cron run) never sees a half report. The file gets mode 0640.
func WriteFileAtomic(path string, write func(*os.File) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot create %s: %w", path, err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o640); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := write(tmp); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	ok = true
	return nil
}

// OutputFor returns the output format a file name implies: .json, .md,
// .markdown, .csv (the unrecovered list), .txt; "" when it implies none.
func OutputFor(path string) string {
	switch filepath.Ext(path) {
	case ".json":
		return "json"
	case ".md", ".markdown":
		return "markdown"
	case ".csv":
		return "csv"
	case ".txt":
		return "text"
	case ".html", ".htm":
		return "html"
	case ".prom":
		return "prometheus"
	}
	return ""
}
