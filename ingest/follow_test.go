package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// testPoll is the tests' poll: short, so that they run fast; nothing in
// them depends on how long a poll takes, only on how many pass.
const testPoll = 10 * time.Millisecond

// followRun drives a Follower and keeps the lines it delivered.
type followRun struct {
	t     *testing.T
	f     *Follower
	lines []string
}

func startFollow(t *testing.T, paths []string, opts FollowOptions) *followRun {
	t.Helper()
	if opts.Poll == 0 {
		opts.Poll = testPoll
	}
	f, err := NewFollower(paths, opts)
	if err != nil {
		t.Fatalf("NewFollower(%q): %v", paths, err)
	}
	t.Cleanup(func() { f.Close() })
	return &followRun{t: t, f: f}
}

// read takes one Read's chunks, checking that each is whole lines.
func (r *followRun) read(ctx context.Context) error {
	chunks, err := r.f.Read(ctx)
	for _, c := range chunks {
		if len(c.Data) == 0 || c.Data[len(c.Data)-1] != '\n' {
			r.t.Fatalf("chunk of %s does not end with a newline: %q", c.File.Path, c.Data)
		}
		for line := range bytes.SplitSeq(c.Data[:len(c.Data)-1], []byte{'\n'}) {
			r.lines = append(r.lines, string(line))
		}
	}
	return err
}

// until reads until n lines were delivered in all, or fails after a
// generous deadline, saying what was read.
func (r *followRun) until(n int) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for len(r.lines) < n {
		if err := r.read(ctx); err != nil {
			r.t.Fatalf("after %d of %d lines: %v; read: %q", len(r.lines), n, err, r.lines)
		}
	}
}

// polls reads through n polls, for what must not come (a line twice) or
// what comes only once a file settled.
func (r *followRun) polls(n int) {
	r.t.Helper()
	start := r.f.pollCount()
	deadline := time.Now().Add(10 * time.Second)
	for r.f.pollCount() < start+n {
		if time.Now().After(deadline) {
			r.t.Fatalf("reading through %d polls: only %d came", n, r.f.pollCount()-start)
		}
		// Read returns at new lines or the context's end, a few polls on.
		ctx, cancel := context.WithTimeout(context.Background(), 3*testPoll)
		err := r.read(ctx)
		cancel()
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, context.DeadlineExceeded) {
			r.t.Fatalf("reading through %d polls: %v", n, err)
		}
	}
}

// check compares the lines delivered with want, and the Files accounting
// with them.
func (r *followRun) check(want ...string) {
	r.t.Helper()
	if !slices.Equal(r.lines, want) {
		r.t.Errorf("lines:\n got %q\nwant %q", r.lines, want)
	}
	var sum int64
	for _, ff := range r.f.Files() {
		sum += ff.Lines
	}
	if sum != int64(len(r.lines)) {
		r.t.Errorf("Files() counts %d lines, %d were delivered: %+v", sum, len(r.lines), r.f.Files())
	}
}

// file returns the state of the followed file at path (the last entry of
// that path).
func (r *followRun) file(path string) FollowedFile {
	r.t.Helper()
	files := r.f.Files()
	for i := len(files) - 1; i >= 0; i-- {
		if files[i].Path == path {
			return files[i]
		}
	}
	r.t.Fatalf("no followed file %s in %+v", path, files)
	return FollowedFile{}
}

func (r *followRun) wantState(path, state string, lines int64) {
	r.t.Helper()
	if got := r.file(path); got.State != state || got.Lines != lines {
		r.t.Errorf("%s: got state %q, %d lines; want %q, %d lines", path, got.State, got.Lines, state, lines)
	}
}

func putFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, path, data string) {
	t.Helper()
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if _, err := fh.WriteString(data); err != nil {
		t.Fatal(err)
	}
}

// copyFile copies as logrotate's copytruncate does, before the cut.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	putFile(t, to, string(b))
}

func gzipFile(t *testing.T, path, data string) {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(data))
	zw.Close()
	putFile(t, path, b.String())
}

// numbered returns lines "<prefix> 1" to "<prefix> n", and them joined
// with newlines.
func numbered(prefix string, from, to int) ([]string, string) {
	var lines []string
	var sb strings.Builder
	for i := from; i <= to; i++ {
		l := fmt.Sprintf("%s line %04d", prefix, i)
		lines = append(lines, l)
		sb.WriteString(l + "\n")
	}
	return lines, sb.String()
}

func TestFollowAppend(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.log")
	putFile(t, log, "a\nb\n")
	r := startFollow(t, []string{log}, FollowOptions{})
	r.until(2)
	appendFile(t, log, "c\nd\ne\n")
	r.until(5)
	r.polls(3)
	r.check("a", "b", "c", "d", "e")
	r.wantState(log, "following", 5)
	if got := r.file(log).Bytes; got != 10 {
		t.Errorf("Bytes: got %d, want 10", got)
	}
}

func TestFollowPartialLine(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.log")
	putFile(t, log, "\xEF\xBB\xBFa1\nb")
	r := startFollow(t, []string{log}, FollowOptions{})
	r.until(1)
	r.polls(3) // "b" is held: its end has not come
	appendFile(t, log, "2\nc3\n")
	r.until(3)
	r.polls(3)
	r.check("a1", "b2", "c3")
	r.wantState(log, "following", 3)
}

func TestFollowRename(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	putFile(t, log, "old 1\nold 2\n")
	r := startFollow(t, []string{log}, FollowOptions{})
	r.until(2)
	// logrotate renames; nginx writes on to the renamed file until it
	// reopens its log.
	old, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	old.WriteString("old 3\n")
	putFile(t, log, "new 1\n")
	r.until(4)
	old.WriteString("old 4\nold 5 unterminated")
	r.until(6) // the unterminated line comes once the old file settled
	appendFile(t, log, "new 2\n")
	r.until(7)
	r.polls(settlePolls + 2)
	slices.Sort(r.lines)
	r.check("new 1", "new 2", "old 1", "old 2", "old 3", "old 4", "old 5 unterminated")
	files := r.f.Files()
	if len(files) != 2 || files[0].State != "rotated" || files[0].Rotations != 1 || files[0].Lines != 5 ||
		files[1].State != "following" || files[1].Lines != 2 {
		t.Errorf("Files: got %+v, want the old log rotated with 5 lines, the new one following with 2", files)
	}
}

func TestFollowRenameInFolder(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	putFile(t, log, "old 1\n")
	r := startFollow(t, []string{dir}, FollowOptions{})
	r.until(1)
	old, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	os.Rename(log, log+".1")
	old.WriteString("old 2\n")
	putFile(t, log, "new 1\n")
	r.until(3)
	old.WriteString("old 3\n")
	r.until(4)
	r.polls(settlePolls + 2)
	slices.Sort(r.lines)
	r.check("new 1", "old 1", "old 2", "old 3")
	// The renamed file is the one followed from the start, still listed.
	if got := r.file(log + ".1"); got.State != "rotated" || got.Lines != 3 || got.Rotations != 1 {
		t.Errorf("the renamed log: got %+v, want rotated, 3 lines, 1 rotation", got)
	}
	if got := len(r.f.Files()); got != 2 {
		t.Errorf("got %d followed files, want 2: %+v", got, r.f.Files())
	}
}

func TestFollowCopytruncate(t *testing.T) {
	for _, tc := range []struct {
		name string
		poll bool // a poll sees the copy before the cut
	}{
		{"copy and cut between polls", false},
		{"a poll between copy and cut", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			log := filepath.Join(dir, "access.log")
			l1, d1 := numbered("first", 1, 3)
			putFile(t, log, d1)
			r := startFollow(t, []string{dir}, FollowOptions{})
			r.until(3)
			// Lines written after the last poll, and a line half written:
			// the copy holds them.
			l2, d2 := numbered("second", 1, 2)
			appendFile(t, log, d2+"half")
			copyFile(t, log, log+".1")
			if tc.poll {
				r.polls(2)
			}
			if err := os.Truncate(log, 0); err != nil {
				t.Fatal(err)
			}
			l3, d3 := numbered("third", 1, 2)
			appendFile(t, log, d3)
			r.until(7)
			r.polls(settlePolls + 2)
			want := slices.Concat(l1, l2, l3)
			slices.Sort(want)
			slices.Sort(r.lines)
			r.check(want...)
			// A poll between the copy and the cut read the second lines
			// from the log; else they come from the copy.
			inLog, inCopy := int64(5), int64(2)
			if tc.poll {
				inLog, inCopy = 7, 0
			}
			if got := r.file(log); got.Truncations != 1 || got.Lines != inLog {
				t.Errorf("%s: got %+v, want 1 truncation, %d lines", log, got, inLog)
			}
			// The copy's held "half" has no end: it waits (the copy is
			// followed, and may grow).
			r.wantState(log+".1", "following", inCopy)
		})
	}
}

func TestFollowTruncateRewrite(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.log")
	putFile(t, log, "a1\na2\npart")
	r := startFollow(t, []string{log}, FollowOptions{})
	r.until(2)
	// Cut in place and written past the old offset before the next poll.
	l, d := numbered("again", 1, 4)
	putFile(t, log, d)
	r.until(7) // the new lines, then "part" once no copy came: its end is gone
	r.polls(3)
	want := slices.Concat([]string{"a1", "a2"}, l, []string{"part"})
	slices.Sort(want)
	slices.Sort(r.lines)
	r.check(want...)
	if got := r.file(log); got.Truncations != 1 || got.State != "following" {
		t.Errorf("got %+v, want following, 1 truncation", got)
	}
}

func TestFollowLater(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "logs")
	os.Mkdir(sub, 0o755)
	putFile(t, filepath.Join(sub, "a.log"), "a 1\n")
	named := filepath.Join(dir, "later.log")
	pattern := filepath.Join(dir, "*.txt")
	r := startFollow(t, []string{sub, pattern, named}, FollowOptions{})
	r.until(1)
	r.wantState(pattern, "waiting", 0)
	r.wantState(named, "waiting", 0)
	putFile(t, filepath.Join(sub, "b.log"), "b 1\nb 2\n")
	putFile(t, filepath.Join(sub, ".hidden"), "hidden 1\n")
	putFile(t, filepath.Join(dir, "c.txt"), "c 1\n")
	putFile(t, named, "n 1\n")
	r.until(5)
	appendFile(t, filepath.Join(dir, "c.txt"), "c 2\n")
	r.until(6)
	r.polls(3)
	slices.Sort(r.lines)
	r.check("a 1", "b 1", "b 2", "c 1", "c 2", "n 1")
	var paths []string
	for _, ff := range r.f.Files() {
		if ff.State != "following" {
			t.Errorf("%s: state %q, want following", ff.Path, ff.State)
		}
		paths = append(paths, ff.Path)
	}
	if len(paths) != 4 {
		t.Errorf("followed %q, want a.log, c.txt, later.log, b.log", paths)
	}
}

func TestFollowCompressed(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	gzipFile(t, log+".1.gz", "z 1\nz 2\n")
	putFile(t, log, "a 1\n")
	r := startFollow(t, []string{dir}, FollowOptions{})
	r.until(3)
	r.wantState(log+".1.gz", "ended", 2)
	// logrotate compresses the log it rotated: its lines were read.
	os.Rename(log, log+".1")
	putFile(t, log, "b 1\n")
	gzipFile(t, log+".2.gz", "a 1\n")
	r.until(4)
	r.polls(settlePolls + 2)
	slices.Sort(r.lines)
	r.check("a 1", "b 1", "z 1", "z 2")
	r.wantState(log+".2.gz", "not read: compressed rotation", 0)
}

func TestFollowDeleted(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.log")
	putFile(t, log, "a 1\n")
	r := startFollow(t, []string{log}, FollowOptions{})
	r.until(1)
	w, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	os.Remove(log)
	w.WriteString("a 2\n")
	r.until(2)
	w.WriteString("a 3\n")
	r.until(3)
	r.polls(settlePolls + 2)
	r.check("a 1", "a 2", "a 3")
	files := r.f.Files()
	if len(files) != 2 || files[0].State != "gone" || files[0].Lines != 3 || files[1].State != "waiting" {
		t.Errorf("Files: got %+v, want the log gone with 3 lines, its path waiting", files)
	}
}

func TestFollowStdin(t *testing.T) {
	pr, pw := io.Pipe()
	r := startFollow(t, []string{"-"}, FollowOptions{Stdin: pr})
	pw.Write([]byte("s 1\ns 2\ns"))
	r.until(2)
	pw.Write([]byte(" 3\nlast"))
	r.until(3)
	pw.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	for err == nil {
		err = r.read(ctx)
	}
	if !errors.Is(err, io.EOF) {
		t.Fatalf("Read at the end of standard input: got %v, want io.EOF", err)
	}
	if err := r.read(ctx); !errors.Is(err, io.EOF) {
		t.Errorf("Read after the end: got %v, want io.EOF", err)
	}
	r.check("s 1", "s 2", "s 3", "last")
	r.wantState("-", "ended", 4)
}

func TestFollowMaxLine(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.log")
	long := strings.Repeat("x", 25)
	putFile(t, log, "short\n"+long+"\nshort 2\n"+long)
	r := startFollow(t, []string{log}, FollowOptions{MaxLine: 10})
	r.until(4) // the unterminated over-long line is cut and given now
	appendFile(t, log, long+"\nafter\n")
	r.until(5)
	r.polls(3)
	r.check("short", long[:10], "short 2", long[:10], "after")
}

func TestFollowBadPattern(t *testing.T) {
	if _, err := NewFollower([]string{filepath.Join(t.TempDir(), "[")}, FollowOptions{}); err == nil {
		t.Errorf("NewFollower of a malformed pattern: got no error")
	}
	if _, err := NewFollower(nil, FollowOptions{}); err == nil {
		t.Errorf("NewFollower of no path: got no error")
	}
}

func TestFollowContext(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.log")
	putFile(t, log, "")
	r := startFollow(t, []string{log}, FollowOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*testPoll)
	defer cancel()
	if _, err := r.f.Read(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Read with nothing new: got %v, want the context's error", err)
	}
}

// TestFollowBehind: Behind says whether the last Read left bytes of a file
// to read at once, as long as what the file held is being read, and no
// longer once it is.
func TestFollowBehind(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.log")
	lines, data := numbered("b", 1, 3*followReadBytes/12) // three reads' worth
	putFile(t, log, data)
	r := startFollow(t, []string{log}, FollowOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var behind []bool
	for len(r.lines) < len(lines) {
		if err := r.read(ctx); err != nil {
			t.Fatal(err)
		}
		behind = append(behind, r.f.Behind())
	}
	want := make([]bool, len(behind))
	for i := range len(behind) - 1 {
		want[i] = true
	}
	if len(behind) < 3 || !slices.Equal(behind, want) {
		t.Errorf("Behind after each Read: got %v, want true until the last, false then", behind)
	}
}
