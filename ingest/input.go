package ingest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"analyze/outfile"
)

// File is one input: a file, or "-" for standard input. The reader fills in
// what it learns while reading; read those fields only after Run returns.
type File struct {
	Index       int    // position in the input list
	Path        string // as given or expanded; "-" is standard input
	Found       bool   // reached through a folder or a glob pattern, not named
	Compression string // "none", "gzip", "zstd", "bzip2" or "xz", by magic bytes
	Format      *Format
	Detection   Detection // how Format was chosen; zero when it was forced
	Lines       int64     // lines read, counted by the reader
	Err         error     // why the input could not be read to its end; nil when it was
	First       time.Time // the time of its first record, when SortByTime found one

	// Resuming where an earlier run stopped (see package state): the
	// reader skips Skip decompressed bytes, SkipLines lines, and numbers
	// the lines after them from SkipLines+1. Lines counts only the lines
	// read in this run.
	Skip, SkipLines int64
	// Offset is how many decompressed bytes the input holds up to where
	// the reader stopped, the skipped ones included. Shrunk tells that it
	// held fewer than Skip, so it was read again from its start.
	Offset int64
	Shrunk bool
	// HoldTail leaves an unterminated last line of an uncompressed input
	// unread, for the next run to read whole: it may be a line the server
	// is still writing. Held is how many bytes were left so (Offset stops
	// before them); the line is not counted. An input whose only line is
	// unterminated is read whole.
	HoldTail bool
	Held     int64

	// Data, when not nil, is the input's content, in pieces read one
	// after the other, instead of Path (analyze watch hands each minute's
	// lines over so); Format, when set, is taken as detected.
	Data [][]byte
	// Directives are the directive lines in effect at the start of Data
	// (NextDirectives), for a format that has them (W3C's #Fields).
	Directives []byte

	spool string // a temporary copy of standard input, see SpoolStdin
	// detected: Detection was made by SortByTime from a head that holds
	// the whole sample, and the reader keeps it.
	detected bool
}

// SpoolStdin copies standard input, when it is among files, to a temporary
// file so that it can be read more than once; the File keeps the name "-".
// The returned function removes the copy; the copies of runs that were
// killed are removed by the next run's (outfile.Spool). A File spooled by
// an earlier call stays as it is.
func SpoolStdin(files []*File, stdin io.Reader) (cleanup func(), err error) {
	cleanup = func() {}
	for _, f := range files {
		if f.Path != "-" || f.spool != "" { // spooled already: standard input is spent
			continue
		}
		tmp, err := outfile.Spool()
		if err != nil {
			return cleanup, fmt.Errorf("cannot spool standard input: %w", err)
		}
		cleanup = func() { os.Remove(tmp.Name()) }
		_, err = io.Copy(tmp, stdin)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return cleanup, fmt.Errorf("cannot spool standard input: %w", err)
		}
		f.spool = tmp.Name()
	}
	return cleanup, nil
}

// Complete reports whether the input was read to its end.
func (f *File) Complete() bool { return f.Err == nil }

// FormatName returns the file's format name, or "unknown" when none fitted.
func (f *File) FormatName() string {
	if f.Format == nil {
		return "unknown"
	}
	return f.Format.Name
}

// Expand turns command-line arguments into inputs: "-" is standard input,
// a folder stands for its files (sorted by name; hidden files skipped; its
// subfolders too when recursive), and an argument that names no file but
// holds glob characters is expanded as a pattern. Each argument that names
// nothing readable gives an error; the others still expand. A path reached
// twice is read once.
func Expand(args []string, recursive bool) ([]*File, []error) {
	files, _, errs := ExpandExclude(args, recursive, nil)
	return files, errs
}

// ExpandExclude is Expand leaving out the files and subfolders a folder
// walk or a glob pattern finds that exclude matches (see Exclude); it
// also returns the paths it left out.
func ExpandExclude(args []string, recursive bool, exclude Exclude) ([]*File, []string, []error) {
	var (
		excluded []string
		paths    []string
		errs     []error
		seen     = map[string]bool{}
		ids      = map[[2]uint64]bool{}
	)
	found := map[string]bool{}
	add := func(p string, walked bool) {
		key := p
		if p != "-" {
			key = filepath.Clean(p)
		}
		if seen[key] {
			return
		}
		seen[key] = true
		// One file under two names (a link beside its target, "current"
		// beside the dated log, a file named twice) is read once.
		if p != "-" {
			if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
				if id, ok := fileID(info); ok {
					if ids[id] {
						return
					}
					ids[id] = true
				}
			}
		}
		paths = append(paths, p)
		found[p] = walked
	}
	for _, arg := range args {
		if arg == "-" {
			add(arg, false)
			continue
		}
		info, err := os.Stat(arg)
		if err != nil && strings.ContainsAny(arg, "*?[") {
			matches, gerr := filepath.Glob(arg)
			if gerr != nil {
				errs = append(errs, fmt.Errorf("cannot expand %s: %w", arg, gerr))
				continue
			}
			if len(matches) == 0 {
				errs = append(errs, fmt.Errorf("cannot expand %s: no file matches the pattern", arg))
				continue
			}
			kept := 0
			for _, m := range matches {
				if exclude.Excludes(m) {
					excluded = append(excluded, m)
					continue
				}
				kept++
				if mi, err := os.Stat(m); err == nil && mi.IsDir() {
					errs = append(errs, walkDir(m, recursive, exclude, add, &excluded)...)
				} else {
					add(m, true)
				}
			}
			if kept == 0 {
				errs = append(errs, fmt.Errorf("cannot expand %s: --exclude leaves out every file the pattern matches", arg))
			}
			continue
		}
		if err != nil {
			errs = append(errs, &InputError{Op: "open", Path: arg, Err: openError(arg, err)})
			continue
		}
		if info.IsDir() {
			errs = append(errs, walkDir(arg, recursive, exclude, add, &excluded)...)
			continue
		}
		add(arg, false)
	}
	files := make([]*File, len(paths))
	for i, p := range paths {
		files[i] = &File{Index: i, Path: p, Compression: "none", Found: found[p]}
	}
	return files, excluded, errs
}

// OmitReports leaves out of files those found in a folder or by a pattern
// that are reports analyze wrote (--out into the folder it reads: the
// next night would read last night's report as a log, every line
// rejected). It knows them by their first bytes (own.Is), looking only at
// names ending as --out names them (own.Exts). A report named on the
// command line is read as given. It returns the inputs kept, renumbered,
// and the paths left out.
func OmitReports(files []*File, own Own) (kept []*File, omitted []string) {
	kept = files[:0:0]
	for _, f := range files {
		if f.Found && own.isReport(f.Path) {
			omitted = append(omitted, f.Path)
			continue
		}
		f.Index = len(kept)
		kept = append(kept, f)
	}
	return kept, omitted
}

// Own tells analyze's own outputs from logs, for OmitReports: the output
// formats' table (report/write) says what they are.
type Own struct {
	// Exts are the extensions, lower case with their dot, of the names
	// --out gives the outputs.
	Exts []string
	// Is reports whether a file whose first bytes (up to 512) are head is
	// an output.
	Is func(head []byte) bool
}

// isReport reports whether the file at path is an output of analyze.
func (own Own) isReport(path string) bool {
	if own.Is == nil || !slices.Contains(own.Exts, strings.ToLower(filepath.Ext(path))) {
		return false
	}
	fh, err := os.Open(path)
	if err != nil {
		return false
	}
	defer fh.Close()
	var buf [512]byte
	n, _ := io.ReadFull(fh, buf[:])
	return own.Is(buf[:n])
}

// walkDir adds the regular files of dir, sorted, and those of its
// subfolders when recursive, but for those exclude leaves out (appended
// to excluded). Symbolic links to files are followed; links to
// folders are not, so a link loop cannot trap the walk. A link to nothing
// is added too: it is an input that cannot be opened, not one to pass
// over in silence.
func walkDir(dir string, recursive bool, exclude Exclude, add func(string, bool), excluded *[]string) []error {
	var errs []error
	var found []string
	left := 0 // files and folders exclude left out
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, fmt.Errorf("cannot read %s: %w", p, unwrapPathError(err)))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p == dir {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() && !recursive {
			return fs.SkipDir
		}
		if len(exclude) > 0 {
			if rel, err := filepath.Rel(dir, p); err == nil && exclude.Excludes(rel) {
				*excluded = append(*excluded, p)
				left++
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			// A link that leads nowhere (its log deleted, a loop) is
			// kept: opening it fails, and the run says so.
			if info, err := os.Stat(p); err == nil && info.IsDir() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		found = append(found, p)
		return nil
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("cannot read %s: %w", dir, unwrapPathError(err)))
	}
	sort.Strings(found)
	for _, p := range found {
		add(p, true)
	}
	switch {
	case len(found) > 0 || len(errs) > 0:
	case left > 0:
		errs = append(errs, fmt.Errorf("cannot read %s: --exclude leaves out all of its files", dir))
	default:
		errs = append(errs, fmt.Errorf("cannot read %s: the folder holds no log files", dir))
	}
	return errs
}

// openError is why path could not be opened, for an InputError: a missing
// file that is a symbolic link is told as one, naming where it leads
// ("no such file or directory" for a name ls lists would puzzle).
func openError(path string, err error) error {
	err = unwrapPathError(err)
	if errors.Is(err, fs.ErrNotExist) {
		if target, lerr := os.Readlink(path); lerr == nil {
			return &danglingLink{target: target, err: err}
		}
	}
	return err
}

// danglingLink is a symbolic link whose target does not exist.
type danglingLink struct {
	target string
	err    error
}

func (e *danglingLink) Error() string {
	return fmt.Sprintf("a symbolic link to %s, which does not exist", e.target)
}

func (e *danglingLink) Unwrap() error { return e.err }

// unwrapPathError drops the *fs.PathError wrapper, whose text repeats the
// path that our own message already names.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Head returns the first n decompressed bytes of an input, fewer when it
// holds fewer or fails sooner (with the error): what SortByTime peeks at
// and package state fingerprints an input by. Standard input must have
// been spooled (see SpoolStdin).
func Head(f *File, n int) ([]byte, error) {
	name := f.Path
	if f.spool != "" {
		name = f.spool
	}
	fh, err := os.Open(name)
	if err != nil {
		return nil, &InputError{Op: "open", Path: f.Path, Err: openError(name, err)}
	}
	defer fh.Close()
	r, comp, closeFn, err := decompressHead(fh, n)
	if err != nil {
		return nil, &InputError{Op: "read", Path: f.Path, Compression: comp, Err: err}
	}
	defer closeFn()
	b := make([]byte, n)
	m, err := readFull(r, b)
	if err != nil && err != io.EOF {
		return b[:m], &InputError{Op: "read", Path: f.Path, Compression: comp, Err: err}
	}
	return b[:m], nil
}
