package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fileRow is what the tests read of input.files[].
type fileRow struct {
	Path                                          string
	Lines, Records, Rejected, Unrecognized, Blank int64
	Complete                                      bool
	Error                                         string
}

// hostileReport runs analyze report -o json and checks the accounting of
// every input: lines = records + rejected + unrecognized + blank, in total
// and per file.
func hostileReport(t *testing.T, args ...string) (result, map[string]fileRow) {
	t.Helper()
	r := analyze(t, "", append([]string{"report", "-o", "json"}, args...)...)
	var doc struct {
		Input struct {
			Lines, Records, Rejected, Unrecognized, Blank int64
			Reconciled                                    bool
			Files                                         []fileRow
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v: code %d, no JSON report (%v); stderr:\n%s", args, r.code, err, r.stderr)
	}
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
		t.Fatalf("%v: a panic:\n%s", args, r.stderr)
	}
	in := doc.Input
	if !in.Reconciled || in.Lines != in.Records+in.Rejected+in.Unrecognized+in.Blank {
		t.Errorf("%v: %d lines != %d records + %d rejected + %d unrecognized + %d blank", args, in.Lines, in.Records, in.Rejected, in.Unrecognized, in.Blank)
	}
	rows := map[string]fileRow{}
	for _, f := range in.Files {
		if f.Lines != f.Records+f.Rejected+f.Unrecognized+f.Blank {
			t.Errorf("%s: %d lines != %d + %d + %d + %d", f.Path, f.Lines, f.Records, f.Rejected, f.Unrecognized, f.Blank)
		}
		rows[filepath.Base(f.Path)] = f
	}
	return r, rows
}

// TestHostileInputs feeds one run a folder of broken and hostile inputs
// beside a good one: random bytes, NUL bytes, invalid UTF-8, a 100 MB
// line, a file of newlines only, a zstd frame with a bad checksum, a bzip2
// stream followed by garbage, an empty gzip file. No panic; every line is
// accounted for, per file; the good file is analysed whole; a damaged
// input names itself and the line it got to, and the run exits 3.
func TestHostileInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) { os.WriteFile(filepath.Join(dir, name), b, 0o644) }
	good := strings.Repeat(line+"\n", 100)
	write("good.log", []byte(good))
	rng := rand.New(rand.NewPCG(7, 7))
	random := make([]byte, 256<<10)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	write("random.bin", random)
	write("nul.log", []byte(strings.Repeat(line+"\n"+"10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] \"GET /\x00\x00 HTTP/1.1\" 200 1 \"-\" \"\x00\"\n\x00\x00\x00\n", 20)))
	write("utf8.log", []byte(strings.Repeat(line+"\n"+"10.0.0.1 - \xff\xfe [12/Mar/2025:10:15:32 +0000] \"GET /\xc3\x28/\xed\xa0\x80 HTTP/1.1\" 500 1 \"\xf8\" \"\xe2\x82\"\n", 20)))
	write("newlines.log", bytes.Repeat([]byte("\n"), 10000))
	huge := bytes.Repeat([]byte("A"), 100<<20)
	write("huge.log", append(append([]byte(line+"\n"), huge...), "\n"+line+"\n"...))
	write("empty.gz", nil)
	write("bad.zst", []byte{0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x05, 0x29, 0x00, 0x00, 'h', 'e', 'l', 'l', 'o', 0xde, 0xad, 0xbe, 0xef})
	bz := []byte("BZh91AY&SY\x00\x00garbage after a bzip2 header")
	write("bad.bz2", bz)

	r, rows := hostileReport(t, dir)
	if r.code != 3 {
		t.Errorf("exit %d, want 3 (some inputs damaged); stderr:\n%s", r.code, r.stderr)
	}
	if g := rows["good.log"]; g.Records != 100 || !g.Complete {
		t.Errorf("good.log: %+v, want its 100 records", g)
	}
	if h := rows["huge.log"]; h.Lines != 3 || h.Records != 2 || h.Rejected != 1 {
		t.Errorf("huge.log: %+v, want 2 records and the 100 MB line as one rejection", h)
	}
	if n := rows["newlines.log"]; n.Blank != 10000 || n.Records != 0 {
		t.Errorf("newlines.log: %+v", n)
	}
	for _, name := range []string{"nul.log", "utf8.log"} {
		if f := rows[name]; f.Records < 20 || f.Lines != 60 && f.Lines != 40 {
			t.Errorf("%s: %+v", name, f)
		}
	}
	for _, name := range []string{"bad.zst", "bad.bz2"} {
		if f := rows[name]; f.Complete || !strings.Contains(r.stderr, "cannot read "+filepath.Join(dir, name)) {
			t.Errorf("%s: %+v; stderr should name it:\n%s", name, f, r.stderr)
		}
	}
	if !strings.Contains(r.stderr, "(after line ") {
		t.Errorf("a damaged input's message does not say how far it got:\n%s", r.stderr)
	}
}

// TestTruncatedGzip cuts a gzip file at every 1 KiB boundary: each cut is
// read up to where it breaks, its last whole lines kept, the rest one
// unreadable line, and the run exits 3.
func TestTruncatedGzip(t *testing.T) {
	var plain strings.Builder
	for i := range 400 {
		fmt.Fprintf(&plain, "10.0.%d.%d - - [12/Mar/2025:10:%02d:%02d +0000] \"GET /api/products/%d HTTP/1.1\" 200 %d \"-\" \"agent %d\"\n",
			i%7, i%200, i/60%60, i%60, i*7919, i*31, i*17)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(plain.String()))
	zw.Close()
	full := gz.Bytes()
	if len(full) < 4<<10 {
		t.Fatalf("the gzip file is only %d bytes; want several KiB", len(full))
	}
	dir := t.TempDir()
	var args []string
	for cut := 1 << 10; cut < len(full); cut += 1 << 10 {
		p := filepath.Join(dir, fmt.Sprintf("cut-%05d.log.gz", cut))
		os.WriteFile(p, full[:cut], 0o644)
		args = append(args, p)
	}
	r, rows := hostileReport(t, args...)
	if r.code != 3 {
		t.Errorf("exit %d, want 3", r.code)
	}
	prev := int64(-1)
	for _, p := range args {
		f := rows[filepath.Base(p)]
		if f.Complete || !strings.Contains(f.Error, "unexpected EOF") || f.Records < prev {
			t.Errorf("%s: %+v (records should grow with the cut)", filepath.Base(p), f)
		}
		prev = f.Records
	}
}

// TestChangingInputs reads a file that grows while it is read, one cut
// short while it is read, and a FIFO; and follows a folder with a symlink
// loop. Nothing hangs or panics, and the accounting holds for what was
// read.
func TestChangingInputs(t *testing.T) {
	dir := t.TempDir()
	growing := filepath.Join(dir, "growing.log")
	shrinking := filepath.Join(dir, "shrinking.log")
	os.WriteFile(growing, []byte(strings.Repeat(line+"\n", 20000)), 0o644)
	os.WriteFile(shrinking, []byte(strings.Repeat(line+"\n", 200000)), 0o644)
	fifo := filepath.Join(t.TempDir(), "pipe.log") // named on the command line: folders skip FIFOs
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("skipping: no FIFO here: %v", err)
	}
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "in-sub.log"), []byte(line+"\n"), 0o644)
	os.Symlink(dir, filepath.Join(dir, "sub", "loop"))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { // append while the run reads
		defer wg.Done()
		f, _ := os.OpenFile(growing, os.O_APPEND|os.O_WRONLY, 0)
		defer f.Close()
		for {
			select {
			case <-stop:
				return
			default:
				f.WriteString(line + "\n")
			}
		}
	}()
	go func() { // cut the other short soon after the start
		defer wg.Done()
		time.Sleep(5 * time.Millisecond)
		os.Truncate(shrinking, 1000)
	}()
	go func() { // feed the FIFO
		defer wg.Done()
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		for range 500 {
			f.WriteString(line + "\n")
		}
	}()
	done := make(chan struct{})
	var r result
	var rows map[string]fileRow
	go func() {
		defer close(done)
		r, rows = hostileReport(t, "-r", dir, fifo)
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Error("analyze hung on changing inputs")
	}
	close(stop)
	// A writer still blocked opening the FIFO (no reader came) is let go.
	if f, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
		f.Close()
	}
	wg.Wait()
	if r.code != 0 && r.code != 3 {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if f := rows["pipe.log"]; f.Records != 500 {
		t.Errorf("FIFO: %+v, want 500 records", f)
	}
	if f := rows["growing.log"]; f.Records < 20000 {
		t.Errorf("growing file: %+v, want at least the 20,000 lines it started with", f)
	}
	if _, ok := rows["in-sub.log"]; !ok || len(rows) != 4 {
		t.Errorf("-r through a symlink loop: inputs %v", rows)
	}
}

// TestOutputPaths runs the commands that write files from an empty
// working folder, on a log whose fields name other paths: every file
// lands under the path given, folders are made 0750 and files 0640, and
// nothing else appears.
func TestOutputPaths(t *testing.T) {
	work := t.TempDir()
	in := filepath.Join(t.TempDir(), "access.log")
	os.WriteFile(in, []byte(strings.Repeat(`10.0.0.1 - ../../etc/passwd [12/Mar/2025:10:15:32 +0000] "GET /../../../tmp/x HTTP/1.1" 200 1 "/etc/shadow" "date=../../x"`+"\n", 10)), 0o644)
	run := func(args ...string) {
		cmd := exec.Command(binary, args...)
		cmd.Dir = work
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	run("export", "--to", "parquet", "--out", "ds", in)
	run("export", "--to", "csv", "--tables", "tables", in)
	run("report", "--out", "r.html", in)
	run("report", "--state", "state.json", "--out", "r.json", in)
	var got []string
	filepath.WalkDir(work, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == work {
			return err
		}
		rel, _ := filepath.Rel(work, p)
		info, _ := d.Info()
		want := os.FileMode(0o640)
		if d.IsDir() {
			want = 0o750
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", rel, info.Mode().Perm(), want)
		}
		got = append(got, strings.Split(rel, string(filepath.Separator))[0])
		return nil
	})
	for _, top := range got {
		switch top {
		case "ds", "tables", "r.html", "r.json", "state.json", "state.json.runs", "state.json.lock":
		default:
			t.Errorf("an output landed outside the paths given: %s", top)
		}
	}
}
