package ingest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// InputError says why an input could not be opened or read to its end.
// Its message reads "cannot open x.log: permission denied" or
// "cannot read x.log.gz: gzip: unexpected EOF (after line 1234)"; Unwrap
// gives the cause for errors.Is (fs.ErrNotExist, io.ErrUnexpectedEOF...).
type InputError struct {
	Op          string // "open" or "read"
	Path        string
	Compression string // the stream's compression; "none" for plain text
	Lines       int64  // lines read before the failure
	Err         error
}

func (e *InputError) Error() string {
	if e.Op == "open" {
		return fmt.Sprintf("cannot open %s: %v", e.Path, e.Err)
	}
	prefix := e.Compression + ": "
	if e.Compression == "" || e.Compression == "none" || strings.HasPrefix(e.Err.Error(), e.Compression) {
		prefix = "" // some decoders already name themselves
	}
	return fmt.Sprintf("cannot read %s: %s%v (after line %d)", e.Path, prefix, e.Err, e.Lines)
}

func (e *InputError) Unwrap() error { return e.Err }

// ErrShrunk is the cause of an InputError for a file that held fewer bytes
// at the end of its reading than at its start, or than were read from it:
// it was truncated (or rewritten in place) while being read, and the lines
// past the cut were never read.
var ErrShrunk = errors.New("the file shrank while being read (truncated in place)")

// shrinkError tells how far a file shrank; errors.Is(err, ErrShrunk).
type shrinkError struct{ from, to int64 }

func (e *shrinkError) Error() string {
	return fmt.Sprintf("%v, from %d to %d bytes", ErrShrunk, e.from, e.to)
}

func (e *shrinkError) Unwrap() error { return ErrShrunk }

// shrank checks, once a regular file has been read to its end, that it was
// not cut while being read: it must hold at least the size it had when
// opened (sizeAtOpen; negative when it is no regular file) and at least the
// bytes read from it. It returns a *shrinkError when it was cut.
func shrank(fh *os.File, sizeAtOpen int64) error {
	if sizeAtOpen < 0 {
		return nil
	}
	info, err := fh.Stat()
	if err != nil {
		return nil
	}
	read, err := fh.Seek(0, io.SeekCurrent)
	if err != nil {
		read = 0
	}
	if now := info.Size(); now < sizeAtOpen || now < read {
		return &shrinkError{from: max(sizeAtOpen, read), to: now}
	}
	return nil
}
