package main

// Tests of what a run leaves on the machine, as a nightly cron run as root
// would meet it: what --out, --state, export and --tables write to, two runs
// at once, runs killed mid-write.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// skipVisibly skips t, saying why on stderr too: go test prints a skip's
// reason only with -v, and whoever runs the tests must learn what went
// untested.
func skipVisibly(t *testing.T, format string, a ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, a...)
	fmt.Fprintf(os.Stderr, "--- SKIP: %s: %s\n", t.Name(), msg)
	t.Skip(msg)
}

// TestOutDevice: --out /dev/null, as root, leaves /dev/null a character
// device with its mode (it used to become a regular 0640 file). The test
// makes its own node with the null device's numbers.
func TestOutDevice(t *testing.T) {
	if os.Geteuid() != 0 {
		skipVisibly(t, "making a device node (mknod) needs root")
	}
	null := filepath.Join(t.TempDir(), "null")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		skipVisibly(t, "cannot make a device node here: %v", err)
	}
	made, _ := os.Lstat(null)
	for _, args := range [][]string{
		{"report", "--out", null, "samples/pim-api-access.log"},
		{"report", "-o", "json", "--out", null, "samples/pim-api-access.log"},
		{"retries", "-o", "csv", "--out", null, "samples/pim-api-access.log"},
	} {
		if r := analyze(t, "", args...); r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		info, err := os.Lstat(null)
		if err != nil || info.Mode() != made.Mode() {
			t.Fatalf("%v: the device is now %v (%v), want %v", args, info.Mode(), err, made.Mode())
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(null))
	if len(entries) != 1 {
		t.Errorf("the folder holds %d entries, want the device alone", len(entries))
	}
}

// TestOutTargets: --out follows a link (the link stays), writes a FIFO
// directly, refuses a directory as a usage error, and replaces a regular
// file.
func TestOutTargets(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "reports", "today.json")
	os.Mkdir(filepath.Dir(real), 0o755)
	os.WriteFile(real, []byte("yesterday"), 0o644)
	link := filepath.Join(dir, "latest.json")
	if err := os.Symlink("reports/today.json", link); err != nil {
		t.Fatal(err)
	}
	r := analyze(t, "", "report", "--out", link, "samples/pim-api-access.log")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("--out link.json: the link was replaced by %v (%v)", info.Mode(), err)
	}
	if b, _ := os.ReadFile(real); !strings.HasPrefix(string(b), "{") {
		t.Errorf("--out link.json: the link's target holds %.40q, want the JSON report", b)
	}
	if info, _ := os.Stat(real); info.Mode().Perm() != 0o644 {
		t.Errorf("the replaced file's mode is %v, want its own 0644", info.Mode().Perm())
	}

	r = analyze(t, "", "report", "--out", dir, "samples/pim-api-access.log")
	if r.code != exitUsage || !strings.Contains(r.stderr, "directory") {
		t.Errorf("--out DIR: exit %d, stderr %q; want a usage error naming the directory", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("--out DIR: the report went to stdout")
	}

	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		skipVisibly(t, "cannot make a FIFO: %v", err)
	}
	got := make(chan string)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	r = analyze(t, "", "report", "-o", "json", "--out", fifo, "samples/pim-api-access.log")
	if r.code != 0 {
		t.Fatalf("--out FIFO: exit %d: %s", r.code, r.stderr)
	}
	if s := <-got; !strings.HasPrefix(s, "{") {
		t.Errorf("--out FIFO: the reader got %.40q, want the JSON report", s)
	}
	if info, _ := os.Lstat(fifo); info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("--out FIFO: the FIFO is now %v", info.Mode())
	}
}
