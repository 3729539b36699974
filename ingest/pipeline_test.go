package ingest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// tally is what a run saw, per file path.
type tally struct {
	lines, records, rejected, blank int64
	reasons                         map[Reason]int64
	lineNumbers                     map[int64]Kind
}

// runAll drives the pipeline over files with the given workers and
// tallies what the sinks saw.
func runAll(t *testing.T, files []*File, opts Options) map[string]*tally {
	t.Helper()
	var mu sync.Mutex
	out := map[string]*tally{}
	err := Drive(context.Background(), files, opts, func(int, *Scanner) Sink {
		return &tallySink{t: t, mu: &mu, out: out}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		tl := out[f.Path]
		if tl == nil {
			tl = &tally{reasons: map[Reason]int64{}}
			out[f.Path] = tl
		}
		tl.lines = f.Lines
		if tl.records+tl.rejected+tl.blank != tl.lines {
			t.Errorf("%s: records %d + rejected %d + blank %d != lines %d", f.Path, tl.records, tl.rejected, tl.blank, tl.lines)
		}
	}
	return out
}

// tallySink counts a worker's lines into runAll's tallies.
type tallySink struct {
	t   *testing.T
	mu  *sync.Mutex
	out map[string]*tally
}

func (s *tallySink) tally(f *File) *tally {
	tl := s.out[f.Path]
	if tl == nil {
		tl = &tally{reasons: map[Reason]int64{}, lineNumbers: map[int64]Kind{}}
		s.out[f.Path] = tl
	}
	return tl
}

func (s *tallySink) line(f *File, n int64, k Kind) {
	tl := s.tally(f)
	if _, dup := tl.lineNumbers[n]; dup {
		s.t.Errorf("%s: line %d seen twice", f.Path, n)
	}
	tl.lineNumbers[n] = k
}

func (s *tallySink) Record(r *Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tally(r.File).records++
	s.line(r.File, r.Line, KindRecord)
}

func (s *tallySink) Reject(rej *Rejection) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tl := s.tally(rej.File)
	tl.rejected++
	tl.reasons[rej.Reason]++
	s.line(rej.File, rej.Line, KindRejected)
}

func (s *tallySink) Blank(f *File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tally(f).blank++
}

const goodLine = `10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] "GET /api/documents/1 HTTP/1.1" 200 10 "-" "test"`

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunAccounting(t *testing.T) {
	dir := t.TempDir()
	var plain bytes.Buffer
	for i := range 5000 {
		switch {
		case i%100 == 7:
			plain.WriteString("garbage line\n")
		case i%100 == 9:
			plain.WriteString("   \n")
		case i%2 == 0:
			plain.WriteString(goodLine + "\r\n")
		default:
			plain.WriteString(goodLine + "\n")
		}
	}
	plain.WriteString(goodLine) // last line without newline
	p := writeFile(t, dir, "access.log", plain.Bytes())

	for _, workers := range []int{1, 4} {
		files, errs := Expand([]string{p}, false)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		// A small MaxLine makes many blocks.
		got := runAll(t, files, Options{Workers: workers, MaxLine: 64 << 10})[p]
		if got.lines != 5001 || got.records != 4901 || got.rejected != 50 || got.blank != 50 {
			t.Errorf("workers=%d: lines %d records %d rejected %d blank %d; want 5001 4901 50 50", workers, got.lines, got.records, got.rejected, got.blank)
		}
		if got.reasons[NotALogLine] != 50 {
			t.Errorf("workers=%d: reasons %v", workers, got.reasons)
		}
		if files[0].Format.Name != "combined" || !files[0].Complete() {
			t.Errorf("format %s complete %v", files[0].FormatName(), files[0].Complete())
		}
		for _, n := range []int64{8, 108, 4908} {
			if got.lineNumbers[n] != KindRejected {
				t.Errorf("line %d is %v, want rejected", n, got.lineNumbers[n])
			}
		}
	}
}

func TestRunLongLines(t *testing.T) {
	dir := t.TempDir()
	long := goodLine[:len(goodLine)-1] + strings.Repeat("x", 1<<20) + `"`
	var b bytes.Buffer
	b.WriteString(goodLine + "\n")
	b.WriteString(long + "\n") // 1 MiB: a record
	b.WriteString(goodLine + "\n")
	b.WriteString(strings.Repeat("y", 3<<20) + "\n") // over the limit: one rejection
	b.WriteString(goodLine + "\n")
	b.WriteString(strings.Repeat("z", 3<<20)) // over the limit, at the end without newline
	p := writeFile(t, dir, "long.log", b.Bytes())
	files, _ := Expand([]string{p}, false)
	got := runAll(t, files, Options{Workers: 2, MaxLine: 2 << 20})[p]
	if got.lines != 6 || got.records != 4 || got.reasons[TooLong] != 2 {
		t.Errorf("lines %d records %d reasons %v; want 6, 4, 2 too_long", got.lines, got.records, got.reasons)
	}
	if got.lineNumbers[4] != KindRejected || got.lineNumbers[5] != KindRecord || got.lineNumbers[6] != KindRejected {
		t.Errorf("line kinds %v", got.lineNumbers)
	}
}

func TestRunCompressed(t *testing.T) {
	dir := t.TempDir()
	var text bytes.Buffer
	for range 1000 {
		text.WriteString(goodLine + "\n")
	}
	// Multi-member gzip: two members back to back, as `cat a.gz b.gz` makes.
	var gz bytes.Buffer
	for range 2 {
		zw := gzip.NewWriter(&gz)
		zw.Write(text.Bytes())
		zw.Close()
	}
	var zs bytes.Buffer
	zw, _ := zstd.NewWriter(&zs)
	zw.Write(text.Bytes())
	zw.Close()

	gzPath := writeFile(t, dir, "a.log.1", gz.Bytes()) // no .gz suffix: magic decides
	zsPath := writeFile(t, dir, "b.log.zst", zs.Bytes())
	plainGz := writeFile(t, dir, "c.log.gz", text.Bytes()) // plain text despite the name
	truncated := writeFile(t, dir, "d.log.gz", gz.Bytes()[:gz.Len()/3])
	bz, err := os.ReadFile("testdata/two-lines.log.bz2")
	if err != nil {
		t.Fatal(err)
	}
	bzPath := writeFile(t, dir, "e.log.bz2", bz)
	// Multi-stream xz: two streams back to back, as `cat a.xz b.xz` makes.
	var xzs bytes.Buffer
	for range 2 {
		xw, err := xz.NewWriter(&xzs)
		if err != nil {
			t.Fatal(err)
		}
		xw.Write(text.Bytes())
		xw.Close()
	}
	xzPath := writeFile(t, dir, "f.log.xz", xzs.Bytes())

	files, errs := Expand([]string{gzPath, zsPath, plainGz, truncated, bzPath, xzPath}, false)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := runAll(t, files, Options{Workers: 2})
	want := map[string]struct {
		comp    string
		records int64
	}{
		gzPath: {"gzip", 2000}, zsPath: {"zstd", 1000}, plainGz: {"none", 1000}, bzPath: {"bzip2", 2}, xzPath: {"xz", 2000},
	}
	for _, f := range files {
		if f.Path == truncated {
			continue
		}
		w := want[f.Path]
		if f.Compression != w.comp || got[f.Path].records != w.records || !f.Complete() {
			t.Errorf("%s: compression %s records %d complete %v (%v); want %s %d true", f.Path, f.Compression, got[f.Path].records, f.Complete(), f.Err, w.comp, w.records)
		}
	}
	tf := files[3]
	if tf.Complete() || tf.Compression != "gzip" {
		t.Errorf("truncated gzip: complete %v compression %s", tf.Complete(), tf.Compression)
	}
	if tg := got[truncated]; tg.records == 0 || tg.records >= 2000 || tg.reasons[Unreadable] > 1 {
		t.Errorf("truncated gzip: %d records, reasons %v", tg.records, tg.reasons)
	}
	if !strings.Contains(tf.Err.Error(), "cannot read") || !strings.Contains(tf.Err.Error(), "after line") {
		t.Errorf("truncated gzip error: %v", tf.Err)
	}
}

func TestRunStdinAndErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.log", []byte(goodLine+"\n"))
	files, errs := Expand([]string{"-", good, filepath.Join(dir, "missing.log"), filepath.Join(dir, "*.nomatch")}, false)
	if len(errs) != 2 || len(files) != 2 {
		t.Fatalf("Expand: files %d errs %v", len(files), errs)
	}
	if !strings.Contains(errs[0].Error(), "cannot open") || !strings.Contains(errs[0].Error(), "no such file") {
		t.Errorf("missing file error: %v", errs[0])
	}
	got := runAll(t, files, Options{Stdin: strings.NewReader(goodLine + "\n" + goodLine + "\n")})
	if got["-"].records != 2 || got[good].records != 1 {
		t.Errorf("stdin %d, file %d records", got["-"].records, got[good].records)
	}
}

func TestRunUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		// root reads anything: make the file unreadable another way.
		dir := t.TempDir()
		p := filepath.Join(dir, "gone.log")
		files := []*File{{Path: p, Compression: "none"}}
		runAll(t, files, Options{})
		if files[0].Complete() || !strings.Contains(files[0].Err.Error(), "cannot open") {
			t.Errorf("err = %v", files[0].Err)
		}
		return
	}
	dir := t.TempDir()
	p := writeFile(t, dir, "secret.log", []byte(goodLine+"\n"))
	os.Chmod(p, 0)
	files, _ := Expand([]string{p}, false)
	runAll(t, files, Options{})
	if files[0].Complete() || !strings.Contains(files[0].Err.Error(), "permission denied") {
		t.Errorf("err = %v", files[0].Err)
	}
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "b.log", nil)
	writeFile(t, dir, "a.log", nil)
	writeFile(t, dir, ".hidden", nil)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	writeFile(t, filepath.Join(dir, "sub"), "c.log", nil)
	os.Symlink(dir, filepath.Join(dir, "sub", "loop")) // a folder loop

	names := func(files []*File) string {
		var s []string
		for _, f := range files {
			rel, _ := filepath.Rel(dir, f.Path)
			s = append(s, rel)
		}
		return strings.Join(s, " ")
	}
	files, errs := Expand([]string{dir}, false)
	if got := names(files); got != "a.log b.log" || len(errs) != 0 {
		t.Errorf("folder: %q %v", got, errs)
	}
	files, _ = Expand([]string{dir}, true)
	if got := names(files); got != "a.log b.log sub/c.log" {
		t.Errorf("recursive: %q", got)
	}
	files, _ = Expand([]string{filepath.Join(dir, "*.log"), filepath.Join(dir, "a.log")}, false)
	if got := names(files); got != "a.log b.log" {
		t.Errorf("glob with duplicate: %q", got)
	}

	// One file under several names is one input: a link beside its target
	// ("current"), a hard link, a path spelt otherwise.
	same := t.TempDir()
	writeFile(t, same, "access-20250312.log", []byte(goodLine+"\n"))
	writeFile(t, same, "other.log", []byte(goodLine+"\n"))
	if err := os.Symlink("access-20250312.log", filepath.Join(same, "current.log")); err != nil {
		t.Skipf("skipping the links: %v", err)
	}
	if err := os.Link(filepath.Join(same, "other.log"), filepath.Join(same, "other-hard.log")); err != nil {
		t.Skipf("skipping the links: %v", err)
	}
	base := func(files []*File) string {
		var s []string
		for _, f := range files {
			s = append(s, filepath.Base(f.Path))
		}
		return strings.Join(s, " ")
	}
	files, errs = Expand([]string{same}, false)
	if got := base(files); got != "access-20250312.log other-hard.log" || len(errs) != 0 { // the first name in order stands
		t.Errorf("a folder with links: %q %v", got, errs)
	}
	files, _ = Expand([]string{filepath.Join(same, "current.log"), same, filepath.Join(same, "..", filepath.Base(same), "other.log")}, false)
	if got := base(files); got != "current.log other-hard.log" {
		t.Errorf("a link named, then its folder: %q", got)
	}

	// A link to nothing (its log deleted) is an input that cannot be
	// opened, told as a link, not one passed over in silence.
	gone := t.TempDir()
	writeFile(t, gone, "a.log", []byte(goodLine+"\n"))
	os.Symlink("access-20250311.log", filepath.Join(gone, "current.log"))
	files, errs = Expand([]string{gone}, false)
	if got := base(files); got != "a.log current.log" || len(errs) != 0 {
		t.Fatalf("a folder with a dangling link: %q %v", got, errs)
	}
	got := runAll(t, files, Options{})
	const want = "a symbolic link to access-20250311.log, which does not exist"
	if err := files[1].Err; err == nil || !strings.Contains(err.Error(), "cannot open") || !strings.Contains(err.Error(), want) ||
		!errors.Is(err, fs.ErrNotExist) || got[files[0].Path].records != 1 {
		t.Errorf("dangling link: %v, %d records of a.log", err, got[files[0].Path].records)
	}
	if _, errs = Expand([]string{filepath.Join(gone, "current.log")}, false); len(errs) != 1 || !strings.Contains(errs[0].Error(), want) {
		t.Errorf("dangling link named: %v", errs)
	}
}

func TestRunBzip2CLI(t *testing.T) {
	// A multi-stream bzip2 file made by the bzip2 tool, when it is installed.
	if _, err := exec.LookPath("bzip2"); err != nil {
		t.Skip("skipping: bzip2 is not installed")
	}
	dir := t.TempDir()
	p := writeFile(t, dir, "x.log", []byte(strings.Repeat(goodLine+"\n", 300)))
	if out, err := exec.Command("bzip2", p).CombinedOutput(); err != nil {
		t.Fatalf("bzip2: %v %s", err, out)
	}
	files, _ := Expand([]string{p + ".bz2"}, false)
	got := runAll(t, files, Options{})
	if got[p+".bz2"].records != 300 || files[0].Compression != "bzip2" {
		t.Errorf("records %d compression %s", got[p+".bz2"].records, files[0].Compression)
	}
}

func TestInputErrorsUnwrap(t *testing.T) {
	dir := t.TempDir()
	files, errs := Expand([]string{filepath.Join(dir, "nope.log")}, false)
	if len(files) != 0 || len(errs) != 1 || !errors.Is(errs[0], fs.ErrNotExist) {
		t.Fatalf("files %v errs %v", files, errs)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat(goodLine+"\n", 500)))
	zw.Close()
	p := writeFile(t, dir, "cut.gz", gz.Bytes()[:gz.Len()-10])
	files, _ = Expand([]string{p}, false)
	runAll(t, files, Options{})
	var ie *InputError
	if !errors.As(files[0].Err, &ie) || ie.Op != "read" || ie.Compression != "gzip" || !errors.Is(files[0].Err, io.ErrUnexpectedEOF) {
		t.Fatalf("err %#v", files[0].Err)
	}
	if want := "cannot read " + p + ": gzip: unexpected EOF (after line"; !strings.HasPrefix(ie.Error(), want) {
		t.Errorf("message %q, want prefix %q", ie.Error(), want)
	}
}

// TestLongFirstLine: an over-long first line is one rejection, and the
// format is detected from the lines after it.
func TestLongFirstLine(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "long-first.log", []byte(strings.Repeat("x", 300<<10)+"\n"+strings.Repeat(goodLine+"\n", 50)))
	files, _ := Expand([]string{p}, false)
	got := runAll(t, files, Options{MaxLine: 64 << 10})[p]
	if got.records != 50 || got.reasons[TooLong] != 1 || files[0].FormatName() != "combined" {
		t.Errorf("records %d reasons %v format %s", got.records, got.reasons, files[0].FormatName())
	}
}

// TestCorruptStreams: a zstd frame with a bad checksum and a bzip2 stream
// followed by garbage are reported incomplete, with the lines read before.
func TestCorruptStreams(t *testing.T) {
	dir := t.TempDir()
	text := []byte(strings.Repeat(goodLine+"\n", 200))
	var zs bytes.Buffer
	zw, _ := zstd.NewWriter(&zs, zstd.WithEncoderCRC(true))
	zw.Write(text)
	zw.Close()
	bad := bytes.Clone(zs.Bytes())
	bad[len(bad)-1] ^= 0xff // the frame's checksum
	zpath := writeFile(t, dir, "bad.zst", bad)
	bz, err := os.ReadFile("testdata/two-lines.log.bz2")
	if err != nil {
		t.Fatal(err)
	}
	bpath := writeFile(t, dir, "garbage.bz2", append(bz, []byte("this is not bzip2 at all\n")...))
	var xzs bytes.Buffer
	xw, _ := xz.NewWriter(&xzs)
	xw.Write(text)
	xw.Close()
	badXZ := bytes.Clone(xzs.Bytes())
	badXZ[len(badXZ)/2] ^= 0xff // inside the compressed data
	xpath := writeFile(t, dir, "bad.xz", badXZ)
	cutXZ := writeFile(t, dir, "cut.xz", xzs.Bytes()[:xzs.Len()-20]) // the index and footer gone
	// A block header asking for a 4 GiB dictionary (code 40), which the
	// decoder would allocate whole.
	bomb := bytes.Clone(xzs.Bytes())
	at := 12 + bytes.Index(bomb[12:], []byte{0x21, 0x01}) + 2
	bomb[at] = 40
	bombXZ := writeFile(t, dir, "bomb.xz", bomb)
	files, _ := Expand([]string{zpath, bpath, xpath, cutXZ, bombXZ}, false)
	got := runAll(t, files, Options{})
	for _, f := range files {
		if f.Complete() {
			t.Errorf("%s: reported complete", f.Path)
		}
	}
	if got[bpath].records != 2 {
		t.Errorf("bzip2: %d records before the garbage, want 2 (%v)", got[bpath].records, files[1].Err)
	}
	if !strings.Contains(files[0].Err.Error(), "zstd") {
		t.Errorf("zstd error: %v", files[0].Err)
	}
	for _, f := range files[2:] {
		if f.Compression != "xz" || f.Err == nil || !strings.Contains(f.Err.Error(), "cannot read") {
			t.Errorf("%s: compression %s, error %v", f.Path, f.Compression, f.Err)
		}
	}
	if err := files[4].Err; err == nil || !strings.Contains(err.Error(), "4095 MiB dictionary") {
		t.Errorf("xz dictionary bomb: %v", err)
	}
}

// TestLastMarkerSeq checks that a file's Last marker carries the Seq after
// its last data block, whatever way the file ends: consumers that restore
// block order (the sequencer, analyze show) count on it to know a file is
// done.
func TestLastMarkerSeq(t *testing.T) {
	dir := t.TempDir()
	one := writeFile(t, dir, "one.log", []byte(goodLine+"\n"))
	open := writeFile(t, dir, "open.log", []byte(goodLine+"\n"+goodLine)) // no final newline
	empty := writeFile(t, dir, "empty.log", nil)
	var many bytes.Buffer
	for range 3000 {
		many.WriteString(goodLine + "\n")
	}
	big := writeFile(t, dir, "many.log", many.Bytes())
	files, _ := Expand([]string{one, open, empty, big}, false)
	var mu sync.Mutex
	data := map[string]int{}
	last := map[string]int{}
	err := Run(context.Background(), files, Options{Workers: 2, MaxLine: 64 << 10}, func(_ int, b *Block) {
		mu.Lock()
		defer mu.Unlock()
		if b.Last {
			last[b.File.Path] = b.Seq
		} else {
			data[b.File.Path]++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{one, open, empty, big} {
		if last[p] != data[p] {
			t.Errorf("%s: Last marker at Seq %d after %d data blocks", filepath.Base(p), last[p], data[p])
		}
	}
	if data[big] < 2 {
		t.Errorf("many.log came in %d blocks; the test wants several", data[big])
	}
}

// TestXZDictionary reads the dictionary size from xz streams written with
// several dictionaries, from block headers that carry sizes (as xz -T
// writes them) and from damaged or cut headers, which must give ok=false
// and never panic.
func TestXZDictionary(t *testing.T) {
	for _, dict := range []int{1 << 20, 3 << 20, 8 << 20, 64 << 20} {
		var b bytes.Buffer
		xw, err := xz.WriterConfig{DictCap: dict}.NewWriter(&b)
		if err != nil {
			t.Fatal(err)
		}
		xw.Write([]byte(goodLine + "\n"))
		xw.Close()
		if got, ok := xzDictionary(b.Bytes()); !ok || got != int64(dict) {
			t.Errorf("dictionary %d: got %d, %v", dict, got, ok)
		}
	}
	// A block header by hand: size byte, flags (one filter, both sizes
	// present), compressed and uncompressed sizes as multi-byte integers,
	// LZMA2 with dictionary code 22 (8 MiB), padding, CRC32 (unchecked here).
	stream := []byte{0xfd, '7', 'z', 'X', 'Z', 0, 0, 1, 0, 0, 0, 0}
	block := []byte{0, 0xc0, 0x80, 0x01, 0xff, 0xff, 0x03, 0x21, 0x01, 22}
	for (len(block)+4)%4 != 0 {
		block = append(block, 0)
	}
	block = append(block, 0, 0, 0, 0)
	block[0] = byte(len(block)/4 - 1)
	head := append(slices.Clone(stream), block...)
	if got, ok := xzDictionary(head); !ok || got != 8<<20 {
		t.Errorf("header with sizes: got %d, %v", got, ok)
	}
	// Code 40 is 4 GiB - 1; above it, invalid.
	head[12+9] = 40
	if got, ok := xzDictionary(head); !ok || got != 1<<32-1 {
		t.Errorf("code 40: got %d, %v", got, ok)
	}
	head[12+9] = 41
	if _, ok := xzDictionary(head); ok {
		t.Error("code 41 read as a dictionary")
	}
	// Every cut of the header, and random bytes after the stream header.
	for n := range len(head) {
		if _, ok := xzDictionary(head[:n]); ok {
			t.Errorf("header cut at %d read as whole", n)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		junk := slices.Clone(stream)
		for range rng.IntN(64) {
			junk = append(junk, byte(rng.IntN(256)))
		}
		xzDictionary(junk) // must not panic
	}
}
