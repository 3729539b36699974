package ingest

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// Exclude is a set of glob patterns (--exclude) that leave out of the
// inputs files a folder walk or a glob pattern found, the way rsync and
// ripgrep read them: a pattern without '/' matches the base name of a file
// or of a subfolder (which is then left out whole), anywhere in the walk;
// a pattern with '/' matches the path relative to the folder given (for a
// glob pattern's matches: the path as the pattern matched it), with '/' as
// the separator. '*' does not cross '/'. A file or folder named on the
// command line is never left out: naming it is asking for it.
type Exclude []string

// Check reports the first malformed pattern.
func (e Exclude) Check() error {
	for _, p := range e {
		if p == "" {
			return fmt.Errorf("cannot use --exclude \"\": want a glob pattern (*.go, README*, archive/*)")
		}
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("cannot use --exclude %q: %w", p, err)
		}
	}
	return nil
}

// Excludes reports whether a file or folder at rel (relative to the folder
// walked, or as a glob matched it) is left out.
func (e Exclude) Excludes(rel string) bool {
	rel = filepath.ToSlash(filepath.Clean(rel))
	base := path.Base(rel)
	for _, p := range e {
		subject := base
		if strings.Contains(p, "/") {
			subject = strings.TrimPrefix(rel, "./")
			p = strings.TrimPrefix(p, "./")
		}
		if ok, _ := path.Match(p, subject); ok {
			return true
		}
	}
	return false
}
