package ingest

import (
	"fmt"
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
