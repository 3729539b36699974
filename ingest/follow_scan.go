package ingest

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// What a poll of the followed paths finds: files first seen, files that
// left their listing (renamed away, deleted), and copies of files that
// were cut in place.

// fileKey names a followed file: by identity where the system gives one,
// by its cleaned path elsewhere.
type fileKey struct {
	id   [2]uint64
	path string
}

func keyOf(path string, info os.FileInfo) fileKey {
	if id, ok := fileID(info); ok {
		return fileKey{id: id}
	}
	return fileKey{path: filepath.Clean(path)}
}

// candidate is a file that appeared after the start, not yet followed: it
// is looked at once it holds headBytes or has not grown for a poll, so
// that its first bytes tell a copy of a followed file (copytruncate) and a
// compressed rotation from a new log.
type candidate struct {
	arg, path string
	found     bool
	size      int64 // at the last poll; -1 before
	copyOf    *follow
	polls     int // polls waited for copyOf to be cut
	fh        *os.File
}

func (c *candidate) close() {
	if c.fh != nil {
		c.fh.Close()
		c.fh = nil
	}
}

// listed is a regular file a path lists now.
type listed struct {
	path  string
	found bool // through a folder or a pattern
	info  os.FileInfo
}

// list returns the regular files arg names or lists now, as the batch
// reader expands it (Expand: a folder's files sorted, hidden ones
// skipped); nothing when it names nothing yet.
func list(arg string) []listed {
	files, _, _ := ExpandExclude([]string{arg}, false, nil)
	out := make([]listed, 0, len(files))
	for _, fi := range files {
		info, err := os.Stat(fi.Path)
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		out = append(out, listed{fi.Path, fi.Found, info})
	}
	return out
}

// scan lists every path: files first seen are followed (or wait to be
// looked at, see candidate), files renamed within a listing are marked
// rotated, and files that left every listing are read to their end.
func (f *Follower) scan() {
	paths := map[fileKey][]string{}
	for _, arg := range f.args {
		f.scanArg(arg, false, paths)
	}
	for k, c := range f.pending {
		if paths[k] == nil {
			f.adopt(c, k)
		}
	}
	for _, fl := range f.files {
		if fl.stdin || fl.fh == nil || fl.done || fl.draining {
			continue
		}
		names, ok := paths[fl.key]
		switch {
		case !ok:
			fl.draining, fl.idle = true, 0
			fl.state.State = "rotated"
			if info, err := fl.fh.Stat(); err == nil {
				if n, ok := linkCount(info); ok && n == 0 {
					fl.state.State = "gone"
				}
			}
			if fl.state.State == "rotated" {
				fl.state.Rotations++
			}
		case !slices.Contains(names, fl.path):
			// Renamed within a followed folder or pattern: the same file,
			// still listed, read on.
			fl.path = names[0]
			fl.file.Path, fl.state.Path = fl.path, fl.path
			fl.state.State = "rotated"
			fl.state.Rotations++
		}
	}
}

// scanArg lists one path; start: the files are those there at the start,
// read from their beginning. paths collects the names each file is
// listed under.
func (f *Follower) scanArg(arg string, start bool, paths map[fileKey][]string) {
	found := list(arg)
	if len(found) == 0 {
		if f.waiting[arg] == nil {
			fl := &follow{state: FollowedFile{Path: arg, State: "waiting"}}
			f.waiting[arg] = fl
			f.files = append(f.files, fl)
		}
		return
	}
	waits := false // a file of arg waits to be looked at
	for _, e := range found {
		k := keyOf(e.path, e.info)
		paths[k] = append(paths[k], e.path)
		if f.byKey[k] != nil || f.ignored[k] {
			continue
		}
		if e.found && f.opts.Own.isReport(e.path) {
			f.ignored[k] = true
			continue
		}
		if start {
			f.openStart(arg, e, k)
			continue
		}
		c := f.pending[k]
		if c == nil {
			c = &candidate{arg: arg, found: e.found, size: -1}
			f.pending[k] = c
		}
		c.path = e.path
		if !f.consider(c, k, e.info) {
			waits = true
		}
	}
	if w := f.waiting[arg]; w != nil && !waits {
		// The path lists only files followed already (through another
		// path): nothing of its own to wait for.
		delete(f.waiting, arg)
		f.files = slices.DeleteFunc(f.files, func(fl *follow) bool { return fl == w })
	}
}

// entry returns the entry a file first seen through arg takes in the
// list: arg's "waiting" entry, or a new one at the end.
func (f *Follower) entry(arg string) *follow {
	if fl := f.waiting[arg]; fl != nil {
		delete(f.waiting, arg)
		return fl
	}
	fl := &follow{}
	f.files = append(f.files, fl)
	return fl
}

// openStart follows a file there at the start: from its beginning,
// through decompress when it is compressed.
func (f *Follower) openStart(arg string, e listed, k fileKey) {
	fl := f.entry(arg)
	f.open(fl, e.path)
	fl.key, fl.file.Found = k, e.found
	f.byKey[k] = fl
	fh, err := os.Open(e.path)
	if err != nil {
		f.fail(fl, &InputError{Op: "open", Path: e.path, Err: openError(e.path, err)})
		return
	}
	if info, err := fh.Stat(); err == nil {
		fl.key = keyOf(e.path, info) // the file opened, if it was replaced since listed
		delete(f.byKey, k)
		f.byKey[fl.key] = fl
	}
	var magic [6]byte
	n, _ := fh.ReadAt(magic[:], 0)
	if compressionOf(magic[:n]) == "none" {
		fl.fh = fh
		return
	}
	r, comp, closeFn, err := decompress(fh)
	fl.file.Compression = comp
	if err != nil {
		fh.Close()
		f.fail(fl, &InputError{Op: "read", Path: e.path, Compression: comp, Err: err})
		return
	}
	fl.fh, fl.zr, fl.zclose = fh, r, closeFn
}

// open makes fl the followed input at path.
func (f *Follower) open(fl *follow, path string) {
	fl.file = File{Index: f.next, Path: path, Compression: "none"}
	f.next++
	fl.path = path
	fl.state = FollowedFile{Path: path, State: "following"}
	fl.fresh = true
}

// consider looks at a file that appeared after the start, once it can
// (see candidate), and decides how it is read: a compressed one is a
// rotation, not read; a copy of a file cut in place is read from where
// the reading of the original stopped; a copy of a file not cut is read
// from its end once the original has not been cut for settlePolls; any
// other is followed from its start. It reports whether c was decided.
func (f *Follower) consider(c *candidate, k fileKey, info os.FileInfo) bool {
	if c.fh == nil {
		// Opened at once: renamed away before it was looked at, it is
		// still read (see adopt).
		fh, err := os.Open(c.path)
		if errors.Is(err, fs.ErrNotExist) { // renamed since listed: the next poll lists it
			return false
		}
		if err != nil {
			delete(f.pending, k)
			fl := f.entry(c.arg)
			f.open(fl, c.path)
			fl.key = k
			f.byKey[k] = fl
			f.fail(fl, &InputError{Op: "open", Path: c.path, Err: openError(c.path, err)})
			return true
		}
		if !sameFile(fh, c.path, k) { // renamed and replaced since listed
			fh.Close()
			return false
		}
		c.fh = fh
	}
	size := info.Size()
	switch {
	case size == 0, size < headBytes && size != c.size:
		c.size = size
		return false
	}
	c.size = size
	var buf [headBytes]byte
	n, _ := c.fh.ReadAt(buf[:], 0)
	head := buf[:n]
	take := func() *follow {
		delete(f.pending, k)
		fl := f.entry(c.arg)
		f.open(fl, c.path)
		fl.key, fl.file.Found = k, c.found
		f.byKey[k] = fl
		fl.fh, c.fh = c.fh, nil
		fl.head = append(make([]byte, 0, headBytes), head...)
		return fl
	}
	if comp := compressionOf(head); comp != "none" {
		fl := take()
		fl.file.Compression = comp
		fl.close()
		fl.done = true
		fl.state.State = "not read: compressed rotation"
		return true
	}
	if _, ct := f.cutOf(head); ct != nil {
		fl := take()
		fl.off, fl.reached = ct.off, false
		ct.used = true
		switch {
		case ct.skip || ct.flushed && len(ct.partial) > 0:
			fl.skip = true // the line's start went already
		default:
			fl.tail = append(make([]byte, 0, len(ct.partial)), ct.partial...)
		}
		return true
	}
	if c.copyOf = f.copyOf(head); c.copyOf != nil {
		if c.polls++; c.polls < settlePolls {
			return false
		}
		fl := take()
		fl.off, fl.reached = size, true // all of it is in the original
		return true
	}
	take()
	return true
}

// adopt follows a file that left its listing before it was looked at
// (renamed away soon after it appeared): read from its start through the
// descriptor opened when it was first seen, until it settles, unless it
// is compressed or a copy of a followed file.
func (f *Follower) adopt(c *candidate, k fileKey) {
	delete(f.pending, k)
	var buf [headBytes]byte
	n := 0
	if c.fh != nil {
		n, _ = c.fh.ReadAt(buf[:], 0)
	}
	if c.fh == nil || c.copyOf != nil || compressionOf(buf[:n]) != "none" {
		c.close()
		return
	}
	fl := &follow{}
	f.files = append(f.files, fl)
	f.open(fl, c.path)
	fl.key, fl.file.Found = k, c.found
	f.byKey[k] = fl
	fl.fh, c.fh = c.fh, nil
	fl.draining = true
	fl.state.State, fl.state.Rotations = "rotated", 1
	if info, err := fl.fh.Stat(); err == nil {
		if links, ok := linkCount(info); ok && links == 0 {
			fl.state.State, fl.state.Rotations = "gone", 0
		}
	}
}

// sameFile reports whether fh, opened at path, is the file k names.
func sameFile(fh *os.File, path string, k fileKey) bool {
	info, err := fh.Stat()
	return err == nil && keyOf(path, info) == k
}

// cutOf returns the followed file and its unused cut whose first bytes
// head starts with, if any.
func (f *Follower) cutOf(head []byte) (*follow, *cut) {
	for _, fl := range f.files {
		for i := len(fl.cuts) - 1; i >= 0; i-- {
			ct := &fl.cuts[i]
			if !ct.used && len(ct.head) > 0 && bytes.HasPrefix(head, ct.head) {
				return fl, ct
			}
		}
	}
	return nil, nil
}

// copyOf returns the followed file, not cut, whose first bytes head
// starts with, if any.
func (f *Follower) copyOf(head []byte) *follow {
	for _, fl := range f.files {
		if !fl.stdin && fl.zr == nil && len(fl.head) > 0 && bytes.HasPrefix(head, fl.head) {
			return fl
		}
	}
	return nil
}
