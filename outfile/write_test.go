package outfile

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func writeString(s string) func(*os.File) error {
	return func(f *os.File) error {
		_, err := io.WriteString(f, s)
		return err
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// noTemps fails t if dir holds a temporary file.
func noTemps(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if IsTemp(e.Name()) {
			t.Errorf("temporary file %s left in %s", e.Name(), dir)
		}
	}
}

func TestWriteRegular(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "report.json")
	if err := Write(p, writeString("one")); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); got != "one" {
		t.Errorf("new file holds %q, want %q", got, "one")
	}
	if info, _ := os.Stat(p); info.Mode().Perm() != 0o640 {
		t.Errorf("new file mode %v, want 0640", info.Mode().Perm())
	}
	// An existing file is replaced (a new inode: readers of the old one
	// keep it whole) and keeps its mode.
	if err := os.Chmod(p, 0o604); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(p)
	if err := Write(p, writeString("two")); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(p)
	if got := readFile(t, p); got != "two" {
		t.Errorf("replaced file holds %q, want %q", got, "two")
	}
	if os.SameFile(before, after) {
		t.Error("the file was rewritten in place, not replaced by a rename")
	}
	if after.Mode().Perm() != 0o604 {
		t.Errorf("replaced file mode %v, want its own 0604", after.Mode().Perm())
	}
	// A failed write leaves the old file whole and no temporary file.
	err := Write(p, func(f *os.File) error {
		f.WriteString("half")
		return errors.New("disk full")
	})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("failed write: err %v, want the cause", err)
	}
	if got := readFile(t, p); got != "two" {
		t.Errorf("after a failed write the file holds %q, want %q", got, "two")
	}
	noTemps(t, dir)
}

func TestWriteFollowsLinks(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real", "report.json")
	os.Mkdir(filepath.Dir(real), 0o755)
	os.WriteFile(real, []byte("old"), 0o644)
	cases := []struct {
		name, link, dest string
	}{
		{"absolute", filepath.Join(dir, "abs.json"), real},
		{"relative", filepath.Join(dir, "rel.json"), "real/report.json"},
		{"chain", filepath.Join(dir, "chain.json"), "abs.json"},
		{"dangling", filepath.Join(dir, "dangling.json"), "real/new.json"},
	}
	for _, c := range cases {
		if err := os.Symlink(c.dest, c.link); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := Write(c.link, writeString(c.name)); err != nil {
				t.Fatal(err)
			}
			info, err := os.Lstat(c.link)
			if err != nil || info.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("%s is no longer a link (%v, %v)", c.link, info.Mode(), err)
			}
			if got := readFile(t, c.link); got != c.name {
				t.Errorf("the link's target holds %q, want %q", got, c.name)
			}
			noTemps(t, dir)
			noTemps(t, filepath.Dir(real))
		})
	}
	if got := readFile(t, filepath.Join(dir, "real", "new.json")); got != "dangling" {
		t.Errorf("a dangling link's target was not created: %q", got)
	}

	loop := filepath.Join(dir, "loop.json")
	os.Symlink("loop.json", loop)
	if err := Write(loop, writeString("x")); !errors.Is(err, ErrNotWritable) {
		t.Errorf("a loop of links: err %v, want ErrNotWritable", err)
	}
}

func TestWriteRefuses(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, writeString("x")); !errors.Is(err, ErrNotWritable) {
		t.Errorf("a directory: err %v, want ErrNotWritable", err)
	}
	link := filepath.Join(dir, "to-dir")
	os.Symlink(dir, link)
	if err := Write(link, writeString("x")); !errors.Is(err, ErrNotWritable) {
		t.Errorf("a link to a directory: err %v, want ErrNotWritable", err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link to a directory was replaced")
	}
}

// TestWriteDevice writes to a character device the test makes (the
// null device's numbers, 1:3) and to a block device, as root would:
// the character device stays one, the block device is refused.
func TestWriteDevice(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skipf("making device nodes (mknod) needs root")
	}
	dir := t.TempDir()
	null := filepath.Join(dir, "null")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, int(mkdev(1, 3))); err != nil {
		t.Skipf("cannot make a device node here: %v", err)
	}
	made, _ := os.Lstat(null)
	for range 2 {
		if err := Write(null, writeString("report")); err != nil {
			t.Fatal(err)
		}
	}
	info, err := os.Lstat(null)
	if err != nil || info.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("the character device is now %v (%v)", info.Mode(), err)
	}
	if info.Mode() != made.Mode() {
		t.Errorf("the device's mode changed from %v to %v", made.Mode(), info.Mode())
	}
	noTemps(t, dir)

	block := filepath.Join(dir, "loop")
	if err := syscall.Mknod(block, syscall.S_IFBLK|0o600, int(mkdev(7, 200))); err != nil {
		t.Skipf("cannot make a block device node here: %v", err)
	}
	if err := Write(block, writeString("x")); !errors.Is(err, ErrNotWritable) {
		t.Errorf("a block device: err %v, want ErrNotWritable", err)
	}
}

func mkdev(major, minor uint32) uint64 {
	return uint64(major)<<8 | uint64(minor)
}

func TestWriteFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a FIFO: %v", err)
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
	if err := Write(fifo, writeString("through the pipe")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through the pipe" {
		t.Errorf("the reader got %q", s)
	}
	if info, _ := os.Lstat(fifo); info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO is now %v", info.Mode())
	}
	noTemps(t, dir)
}

func TestWriteSocket(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "report.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("cannot listen on a unix socket: %v", err)
	}
	defer l.Close()
	got := make(chan string)
	go func() {
		c, err := l.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(c)
		c.Close()
		got <- string(b)
	}()
	if err := Write(sock, writeString("to the socket")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "to the socket" {
		t.Errorf("the listener got %q", s)
	}
	if info, _ := os.Lstat(sock); info.Mode()&os.ModeSocket == 0 {
		t.Errorf("the socket is now %v", info.Mode())
	}
}

// deadPID returns the id of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run true: %v", err)
	}
	return cmd.Process.Pid
}

func TestSweep(t *testing.T) {
	dir := t.TempDir()
	dead := deadPID(t)
	sub := filepath.Join(dir, "date=2025-03-12")
	os.Mkdir(sub, 0o755)
	names := map[string]bool{ // name → left by a killed run
		filepath.Join(dir, fmt.Sprintf(".report.json.tmp-%d-123", dead)):        true,
		filepath.Join(dir, fmt.Sprintf(".report.json.tmp-%d", dead)):            true, // an earlier analyze's name
		filepath.Join(sub, fmt.Sprintf(".part-a-00000.parquet.tmp-%d-9", dead)): true,
		filepath.Join(dir, fmt.Sprintf(".report.json.tmp-%d-1", os.Getpid())):   false, // this process
		filepath.Join(dir, fmt.Sprintf(".report.json.tmp-%d-2", os.Getppid())):  false, // a live process
		filepath.Join(dir, "report.json"):                                       false,
		filepath.Join(dir, fmt.Sprintf("report.json.tmp-%d", dead)):             false, // not hidden: not ours
		filepath.Join(dir, fmt.Sprintf(".other.tmp-%d-locked", dead)):           false, // locked: its writer lives elsewhere
	}
	for p := range names {
		os.WriteFile(p, nil, 0o600)
	}
	locked, err := os.Open(filepath.Join(dir, fmt.Sprintf(".other.tmp-%d-locked", dead)))
	if err != nil {
		t.Fatal(err)
	}
	defer locked.Close()
	if err := syscall.Flock(int(locked.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}

	removed := map[string]bool{}
	for _, p := range Sweep(dir, true) {
		removed[p] = true
	}
	for p, stale := range names {
		_, err := os.Stat(p)
		if stale && (err == nil || !removed[p]) {
			t.Errorf("%s: left by a killed run, not removed", filepath.Base(p))
		}
		if !stale && err != nil {
			t.Errorf("%s: removed, want kept", filepath.Base(p))
		}
	}

	// SweepBeside looks only at the temporary files of one name.
	os.WriteFile(filepath.Join(dir, fmt.Sprintf(".a.json.tmp-%d-1", dead)), nil, 0o600)
	os.WriteFile(filepath.Join(dir, fmt.Sprintf(".b.json.tmp-%d-1", dead)), nil, 0o600)
	if got := SweepBeside(filepath.Join(dir, "a.json")); len(got) != 1 || !strings.Contains(got[0], ".a.json") {
		t.Errorf("SweepBeside(a.json) removed %v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf(".b.json.tmp-%d-1", dead))); err != nil {
		t.Error("SweepBeside(a.json) removed b.json's temporary file")
	}
}

// TestWriteSweeps: writing a file removes what a killed writer of the same
// name left.
func TestWriteSweeps(t *testing.T) {
	dir := t.TempDir()
	left := filepath.Join(dir, fmt.Sprintf(".state.json.tmp-%d-77", deadPID(t)))
	os.WriteFile(left, []byte("half"), 0o600)
	if err := Write(filepath.Join(dir, "state.json"), writeString("{}")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); err == nil {
		t.Error("a killed run's temporary file is still there after the next write")
	}
}
