package report

import (
	"os"
	"path/filepath"

	"analyze/outfile"
)

// WriteFileAtomic writes the file at path through write, by outfile's
// rules: a regular file (or none) is replaced atomically, a link is
// followed, a device, FIFO or socket is written directly, a directory is
// refused. A new file gets mode 0640.
func WriteFileAtomic(path string, write func(*os.File) error) error {
	return outfile.Write(path, write)
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
