package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestRunShrunk cuts or grows a file while Run reads it (as copytruncate
// does to a log being read): a file that ends shorter than it was, or than
// what was read of it, is incomplete with ErrShrunk; one that only grew
// is complete.
func TestRunShrunk(t *testing.T) {
	line := `10.0.0.1 - - [12/Mar/2025:10:00:00 +0000] "GET /api/products/1 HTTP/1.1" 200 512 "-" "curl/8"` + "\n"
	const lines = 40000 // ~3.8 MB: many 64 KiB blocks, far more than Run holds in flight
	cases := []struct {
		name       string
		change     func(path string) error // done while the first block is consumed
		wantShrunk bool
	}{
		{"untouched", func(string) error { return nil }, false},
		{"truncated to nothing", func(p string) error { return os.Truncate(p, 0) }, true},
		{"truncated to a few lines", func(p string) error { return os.Truncate(p, int64(10*len(line))) }, true},
		{"truncated and written again", func(p string) error {
			if err := os.Truncate(p, 0); err != nil {
				return err
			}
			return appendTo(p, bytes.Repeat([]byte(line), 5))
		}, true},
		{"grown", func(p string) error { return appendTo(p, bytes.Repeat([]byte(line), 5)) }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "access.log", bytes.Repeat([]byte(line), lines))
			files := []*File{{Path: path, Compression: "none"}}
			var once sync.Once
			var changeErr error
			err := Run(context.Background(), files, Options{Workers: 1, MaxLine: 1024}, func(_ int, b *Block) {
				once.Do(func() { changeErr = c.change(path) })
			})
			if err != nil || changeErr != nil {
				t.Fatal(err, changeErr)
			}
			f := files[0]
			if got := errors.Is(f.Err, ErrShrunk); got != c.wantShrunk {
				t.Fatalf("errors.Is(Err, ErrShrunk) = %v, want %v (Err: %v)", got, c.wantShrunk, f.Err)
			}
			if got := f.Complete(); got == c.wantShrunk {
				t.Errorf("Complete() = %v, want %v", got, !c.wantShrunk)
			}
			if c.wantShrunk {
				if f.Lines >= lines {
					t.Errorf("Lines = %d: the cut file was read whole?", f.Lines)
				}
				want := fmt.Sprintf("cannot read %s: the file shrank while being read", path)
				if got := f.Err.Error(); !bytes.HasPrefix([]byte(got), []byte(want)) {
					t.Errorf("Err = %q, want it to begin %q", got, want)
				}
			} else if f.Lines < lines {
				t.Errorf("Lines = %d, want at least %d", f.Lines, lines)
			}
		})
	}
}

func appendTo(path string, data []byte) error {
	fh, err := os.OpenFile(filepath.Clean(path), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = fh.Write(data)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	return err
}
