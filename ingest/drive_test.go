package ingest

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// driveSink is a BlockSink that notes, per block, the number and kind of
// each line in the order Drive hands them on, and puts its blocks back in
// file order with a shared Reorder.
type driveSink struct {
	t     *testing.T
	mu    *sync.Mutex
	order *Reorder[[]string]
	out   map[string][]string // per file: "line kind", in the order handed on
	lasts map[string]int      // per file: Last markers handed on
	block *Block              // between StartBlock and EndBlock
	lines []string
}

func (s *driveSink) StartBlock(b *Block) {
	if s.block != nil {
		s.t.Errorf("StartBlock(%s #%d) inside block #%d", b.File.Path, b.Seq, s.block.Seq)
	}
	s.block, s.lines = b, nil
}

func (s *driveSink) line(f *File, n int64, kind string) {
	if s.block == nil || f != s.block.File {
		s.t.Errorf("%s line %d handed on outside its block", f.Path, n)
	}
	s.lines = append(s.lines, fmt.Sprintf("%d %s", n, kind))
}

func (s *driveSink) Record(r *Record)      { s.line(r.File, r.Line, "record") }
func (s *driveSink) Reject(rej *Rejection) { s.line(rej.File, rej.Line, rej.Reason.String()) }
func (s *driveSink) Blank(f *File)         { s.line(f, 0, "blank") }

func (s *driveSink) EndBlock(b *Block) {
	if s.block != b {
		s.t.Errorf("EndBlock(%s #%d) does not end the block started", b.File.Path, b.Seq)
	}
	s.block = nil
	s.mu.Lock()
	defer s.mu.Unlock()
	s.order.Put(b.Key(), s.lines, func(_ int, lines []string, last bool) {
		s.out[b.File.Path] = append(s.out[b.File.Path], lines...)
		if last {
			s.lasts[b.File.Path]++
		}
	})
}

// TestDrive feeds two files of many blocks to BlockSinks on 1, 2 and 4
// workers: every line reaches a sink once, between its block's StartBlock
// and EndBlock, as a record, a rejection (with its reason) or a blank; the
// blocks, put back in order, give each file's lines in order; each file's
// Last marker reaches EndBlock once.
func TestDrive(t *testing.T) {
	dir := t.TempDir()
	var a, one bytes.Buffer
	var wantLines []string
	for i := 1; i <= 4000; i++ {
		switch {
		case i%100 == 7:
			a.WriteString("garbage line\n")
			wantLines = append(wantLines, fmt.Sprintf("%d not_a_log_line", i))
		case i%100 == 9:
			a.WriteString("  \n")
			wantLines = append(wantLines, "0 blank")
		default:
			a.WriteString(goodLine + "\n")
			wantLines = append(wantLines, fmt.Sprintf("%d record", i))
		}
	}
	one.WriteString(goodLine)
	pa := writeFile(t, dir, "a.log", a.Bytes())
	pb := writeFile(t, dir, "b.log", one.Bytes()) // one line, no newline
	for _, workers := range []int{1, 2, 4} {
		files, errs := Expand([]string{pa, pb}, false)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		var mu sync.Mutex
		order := NewReorder[[]string](len(files))
		out, lasts := map[string][]string{}, map[string]int{}
		made := 0
		err := Drive(context.Background(), files, Options{Workers: workers, MaxLine: 64 << 10}, func(w int, sc *Scanner) Sink {
			if w != made || sc == nil {
				t.Errorf("workers=%d: newSink(%d, %p) after %d sinks", workers, w, sc, made)
			}
			made++
			return &driveSink{t: t, mu: &mu, order: order, out: out, lasts: lasts}
		})
		if err != nil {
			t.Fatal(err)
		}
		if made != workers {
			t.Errorf("workers=%d: %d sinks made", workers, made)
		}
		for _, tc := range []struct {
			path string
			want []string
		}{{pa, wantLines}, {pb, []string{"1 record"}}} {
			got := out[tc.path]
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("workers=%d, %s: %d lines handed on, want %d; first differing: %s",
					workers, filepath.Base(tc.path), len(got), len(tc.want), firstDiff(got, tc.want))
			}
			if lasts[tc.path] != 1 {
				t.Errorf("workers=%d, %s: %d Last markers, want 1", workers, filepath.Base(tc.path), lasts[tc.path])
			}
		}
	}
}

func firstDiff(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("#%d %q, want %q", i, got[i], want[i])
		}
	}
	return "(one is a prefix of the other)"
}

// countSink counts what Drive hands on, per line kind.
type countSink struct {
	_                        cacheLinePad
	records, rejected, blank int64
	_                        cacheLinePad
}

func (c *countSink) Record(*Record)    { c.records++ }
func (c *countSink) Reject(*Rejection) { c.rejected++ }
func (c *countSink) Blank(*File)       { c.blank++ }
func driveCount(files []*File) *countSink {
	c := &countSink{}
	Drive(context.Background(), files, Options{Workers: 1}, func(int, *Scanner) Sink { return c })
	return c
}

// TestDriveAllocs: a line costs the driver no allocation: reading 100 times
// the lines allocates no more than one object per 1,000 lines more (the
// blocks are allocated per block, of 4 MiB at most).
func TestDriveAllocs(t *testing.T) {
	dir := t.TempDir()
	small := writeFile(t, dir, "small.log", bytes.Repeat([]byte(goodLine+"\n"), 500))
	big := writeFile(t, dir, "big.log", bytes.Repeat([]byte(goodLine+"\n"), 50000))
	allocs := func(p string) float64 {
		return testing.AllocsPerRun(5, func() {
			files, _ := Expand([]string{p}, false)
			if c := driveCount(files); c.records == 0 {
				t.Fatalf("%s: no records", p)
			}
		})
	}
	s, b := allocs(small), allocs(big)
	t.Logf("allocations: %.0f for 500 lines, %.0f for 50,000", s, b)
	if extra := b - s; extra > (50000-500)/1000 {
		t.Errorf("reading 49,500 more lines allocated %.0f more objects (%.0f, %.0f), want at most %d", extra, b, s, (50000-500)/1000)
	}
}

// BenchmarkDrive measures the driver and the scanner, with a sink that
// only counts, over a combined log.
//
//	go test -run '^$' -bench Drive -count 10 ./ingest > new.txt; benchstat old.txt new.txt
func BenchmarkDrive(b *testing.B) {
	p := writeFile(b, b.TempDir(), "bench.log", bytes.Repeat([]byte(goodLine+"\n"), 200000))
	b.SetBytes(int64(200000 * (len(goodLine) + 1)))
	b.ReportAllocs()
	for b.Loop() {
		files, _ := Expand([]string{p}, false)
		if c := driveCount(files); c.records != 200000 {
			b.Fatalf("%d records, want 200000", c.records)
		}
	}
}
