package outfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// tempMark is what a temporary file's name holds between the name of the
// file it becomes and the writer's process id: ".report.json.tmp-4242-…".
const tempMark = ".tmp-"

// tempPattern is os.CreateTemp's pattern for a temporary file that becomes
// base: hidden, so that globs such as *.parquet and Hive-style readers
// pass over it, and naming this process.
func tempPattern(base string) string {
	return fmt.Sprintf(".%s%s%d-*", base, tempMark, os.Getpid())
}

// createTemp creates a temporary file in dir by pattern and takes a lock
// on it for as long as it stays open, which tells Sweep that its writer
// is alive.
func createTemp(dir, pattern string) (*os.File, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

// IsTemp reports whether a file name is one of the temporary files this
// package writes (or an earlier analyze wrote: ".NAME.tmp-PID").
func IsTemp(name string) bool {
	_, ok := tempPID(filepath.Base(name))
	return ok
}

// tempPID returns the process id a temporary file's name carries.
func tempPID(base string) (int, bool) {
	if !strings.HasPrefix(base, ".") {
		return 0, false
	}
	i := strings.LastIndex(base, tempMark)
	if i < 0 {
		return 0, false
	}
	digits := base[i+len(tempMark):]
	if j := strings.IndexByte(digits, '-'); j >= 0 {
		digits = digits[:j]
	}
	pid, err := strconv.Atoi(digits)
	return pid, err == nil && pid > 0
}

// Sweep removes, from dir and (with deep) the folders below it, the
// temporary files of runs that were killed: those whose process is gone and
// that no process holds locked. It returns the paths removed; what it
// cannot read or remove it leaves.
func Sweep(dir string, deep bool) []string {
	var removed []string
	visit := func(path string, d fs.DirEntry) {
		if d.Type().IsRegular() && stale(path, d.Name()) && os.Remove(path) == nil {
			removed = append(removed, path)
		}
	}
	if !deep {
		entries, _ := os.ReadDir(dir)
		for _, d := range entries {
			visit(filepath.Join(dir, d.Name()), d)
		}
		return removed
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			visit(path, d)
		}
		return nil
	})
	return removed
}

// SweepBeside removes the temporary files of killed runs that would have
// become path (".BASE.tmp-PID-…" in its folder), links resolved.
func SweepBeside(path string) []string {
	target, _, err := Resolve(path)
	if err != nil {
		return nil
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+tempMark+"*"))
	var removed []string
	for _, m := range matches {
		if info, err := os.Lstat(m); err == nil && info.Mode().IsRegular() && stale(m, filepath.Base(m)) && os.Remove(m) == nil {
			removed = append(removed, m)
		}
	}
	return removed
}

// stale reports whether the temporary file at path, named base, was left by
// a process that is gone: its id names no live process (one in another
// PID namespace may look gone), and no process holds the file locked.
func stale(path, base string) bool {
	pid, ok := tempPID(base)
	if !ok || alive(pid) {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}

// alive reports whether a process with this id exists (one of another user
// counts: the signal is refused, not unknown).
func alive(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// globEscape escapes the characters filepath.Match treats as special.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Spool creates a temporary file in the system's temporary folder for a
// copy of standard input (".analyze-stdin.tmp-PID-…"), first removing the
// spools of killed runs. The caller removes it when done.
func Spool() (*os.File, error) {
	SweepBeside(filepath.Join(os.TempDir(), spoolName))
	return createTemp(os.TempDir(), tempPattern(spoolName))
}

const spoolName = "analyze-stdin"
