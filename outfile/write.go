// Package outfile writes the files analyze leaves behind (reports, the
// --state file and its runs, dataset parts, report tables) without
// replacing what it did not create.
//
// What is at the target path decides how it is written:
//
//   - nothing, or a regular file: a temporary file beside it, renamed over
//     it once complete, so a reader (or a killed cron run) never sees half
//     a file; an existing file keeps its mode (and, for root, its owner);
//   - a symbolic link: followed, and its target written by these rules; the
//     link stays a link;
//   - a character device, a FIFO or a socket: written directly, with no
//     rename and no chmod (analyze report --out /dev/null, a named pipe);
//   - a directory or a block device: refused (ErrNotWritable).
//
// Temporary files carry the writing process's id (".NAME.tmp-PID-RANDOM");
// Sweep removes those whose process is gone, which a run killed mid-write
// leaves behind.
package outfile

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

// ErrNotWritable is the cause of an error for a target analyze refuses to
// write: a directory or a block device.
var ErrNotWritable = errors.New("not a file analyze writes")

// maxLinks is how many symbolic links a target may go through, as Linux's
// own limit (ELOOP past 40).
const maxLinks = 40

// Write writes the file at path through write, by the rules of the package
// doc. A new file gets mode 0640.
func Write(path string, write func(*os.File) error) error {
	p, err := Create(path)
	if err != nil {
		return err
	}
	if err := write(p.File()); err != nil {
		p.Abort()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return p.Commit()
}

// Pending is a file being written: Commit puts it in place, Abort drops it.
// Its methods are for one goroutine.
type Pending struct {
	path   string // as given
	target string // where the bytes go: path with links resolved
	f      *os.File
	tmp    string // the temporary name; "" when written directly
	mode   fs.FileMode
	owner  *syscall.Stat_t // of the file replaced, to keep for root
	closed bool
}

// Create starts writing the file at path by the rules of the package doc.
func Create(path string) (*Pending, error) {
	target, info, err := Resolve(path)
	if err != nil {
		return nil, err
	}
	p := &Pending{path: path, target: target, mode: 0o640}
	if info != nil && !info.Mode().IsRegular() {
		if p.f, err = openDirect(target, info); err != nil {
			return nil, fmt.Errorf("cannot write %s: %w", path, err)
		}
		return p, nil
	}
	if info != nil {
		p.mode = info.Mode().Perm()
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			p.owner = st
		}
	}
	SweepBeside(target)
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	if p.f, err = createTemp(dir, tempPattern(base)); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w", path, err)
	}
	p.tmp = p.f.Name()
	if err := p.f.Chmod(p.mode); err != nil {
		p.Abort()
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	return p, nil
}

// File is where the bytes go: the temporary file, or the device, FIFO or
// socket itself. It is valid until Commit or Abort.
func (p *Pending) File() *os.File { return p.f }

// Target is the path the bytes end up at, links resolved.
func (p *Pending) Target() string { return p.target }

// Close syncs and closes the file (a device, FIFO or socket is only
// closed), where Commit would: a caller that finishes files on other
// goroutines closes there, and renames later. A second call does nothing.
func (p *Pending) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	if p.tmp == "" {
		if err := p.f.Close(); err != nil {
			return fmt.Errorf("cannot write %s: %w", p.path, err)
		}
		return nil
	}
	if p.owner != nil && os.Geteuid() == 0 {
		// Root replacing another user's file gives it back to that user.
		if err := p.f.Chown(int(p.owner.Uid), int(p.owner.Gid)); err != nil {
			p.f.Close()
			return fmt.Errorf("cannot write %s: %w", p.path, err)
		}
	}
	if err := p.f.Sync(); err != nil {
		p.f.Close()
		return fmt.Errorf("cannot write %s: %w", p.path, err)
	}
	if err := p.f.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", p.path, err)
	}
	return nil
}

// Commit closes the file (Close) and renames it over its target; on error
// the temporary file is removed.
func (p *Pending) Commit() error {
	if err := p.Close(); err != nil {
		p.Abort()
		return err
	}
	if p.tmp == "" {
		return nil
	}
	if err := os.Rename(p.tmp, p.target); err != nil {
		p.Abort()
		return fmt.Errorf("cannot write %s: %w", p.path, err)
	}
	p.tmp = ""
	return nil
}

// Abort drops a file not yet committed: the temporary file is removed (a
// device, FIFO or socket is only closed). It may be called after Commit,
// to no effect.
func (p *Pending) Abort() {
	if !p.closed {
		p.closed = true
		p.f.Close()
	}
	if p.tmp != "" {
		os.Remove(p.tmp)
		p.tmp = ""
	}
}

// Resolve follows path's symbolic links to the path the bytes should go to,
// and returns what is there now (nil info: nothing). A directory or a block
// device is an error wrapping ErrNotWritable; so is a loop of links.
func Resolve(path string) (string, fs.FileInfo, error) {
	p := path
	for range maxLinks {
		info, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, nil, nil
		}
		if err != nil {
			return "", nil, fmt.Errorf("cannot write %s: %w", path, err)
		}
		m := info.Mode()
		switch {
		case m&fs.ModeSymlink != 0:
			dest, err := os.Readlink(p)
			if err != nil {
				return "", nil, fmt.Errorf("cannot write %s: %w", path, err)
			}
			if !filepath.IsAbs(dest) {
				dest = filepath.Join(filepath.Dir(p), dest)
			}
			p = dest
			continue
		case m.IsDir():
			return "", nil, fmt.Errorf("cannot write %s: it is a directory: %w", path, ErrNotWritable)
		case m&fs.ModeDevice != 0 && m&fs.ModeCharDevice == 0:
			return "", nil, fmt.Errorf("cannot write %s: it is a block device: %w", path, ErrNotWritable)
		}
		return p, info, nil
	}
	return "", nil, fmt.Errorf("cannot write %s: more than %d symbolic links: %w", path, maxLinks, ErrNotWritable)
}

// openDirect opens a character device, FIFO or socket for writing, as a
// shell's > would (a socket is connected to, as a stream, else a datagram
// socket).
func openDirect(path string, info fs.FileInfo) (*os.File, error) {
	if info.Mode()&fs.ModeSocket == 0 {
		return os.OpenFile(path, os.O_WRONLY, 0)
	}
	for _, network := range []string{"unix", "unixgram"} {
		c, err := net.Dial(network, path)
		if err != nil {
			continue
		}
		f, err := c.(interface{ File() (*os.File, error) }).File()
		c.Close()
		return f, err
	}
	return nil, fmt.Errorf("cannot connect to the socket")
}
