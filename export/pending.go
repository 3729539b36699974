package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// pendingPrefix names the marker a run leaves in its dataset while it puts
// its parts in place and rewrites the manifest (".analyze-pending-RUN"):
// a run that dies in between leaves the marker, and the next run into the
// dataset, which holds the dataset's lock, takes that run's parts and
// manifest entry out again. The dataset is then as if the run that died
// had not run: no part on disk that the manifest does not list, and no row
// of a half-replaced run next to its new parts.
const pendingPrefix = ".analyze-pending-"

// markPending leaves the marker of run in dir.
func markPending(dir, run string) error {
	p := filepath.Join(dir, pendingPrefix+run)
	if err := os.WriteFile(p, fmt.Appendf(nil, "%d\n", os.Getpid()), 0o640); err != nil {
		return fmt.Errorf("cannot write %s: %w", p, err)
	}
	return nil
}

// clearPending removes the marker of run from dir.
func clearPending(dir, run string) error {
	p := filepath.Join(dir, pendingPrefix+run)
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove %s: %w", p, err)
	}
	return nil
}

// rollBackPending takes out of the dataset at dir, and of its manifest m,
// every run whose marker is there: runs that died while putting their
// parts in place. It reports whether there was any.
func rollBackPending(dir string, m *Manifest) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("cannot read %s: %w", dir, err)
	}
	any := false
	for _, e := range entries {
		run, ok := strings.CutPrefix(e.Name(), pendingPrefix)
		if !ok || !validRun(run) {
			continue
		}
		if err := RemoveRun(dir, run); err != nil {
			return any, err
		}
		m.removeRun(run)
		any = true
	}
	return any, nil
}

// clearAllPending removes every marker from dir, once their runs are
// rolled back and the manifest says so.
func clearAllPending(dir string) error {
	matches, _ := filepath.Glob(filepath.Join(dir, pendingPrefix+"*"))
	for _, p := range matches {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot remove %s: %w", p, err)
		}
	}
	return nil
}
