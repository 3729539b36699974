//go:build unix

package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFIFO reads a named pipe: sorting the inputs by time must not peek
// at it (the peeked bytes would be lost), and the run must end.
func TestFIFO(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pipe.log")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("skipping: cannot make a FIFO: %v", err)
	}
	go func() {
		w, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		w.Write([]byte(strings.Repeat(goodLine+"\n", 100)))
		w.Close()
	}()
	files, errs := Expand([]string{p}, false)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	files = SortByTime(files, Options{})
	done := make(chan map[string]*tally)
	go func() { done <- runAll(t, files, Options{}) }()
	select {
	case got := <-done:
		if got[p].records != 100 {
			t.Errorf("records %d, want 100", got[p].records)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("reading a FIFO hangs")
	}
}
