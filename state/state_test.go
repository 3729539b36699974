package state

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"analyze/ingest"
)

// logDir is a log folder that a test writes to and rotates like logrotate
// does, remembering every line it ever wrote.
type logDir struct {
	t       *testing.T
	dir     string
	n       int
	written []string
}

// newLogDir returns an empty log folder and, outside it, where its state
// file goes.
func newLogDir(t *testing.T) (*logDir, string) {
	return &logDir{t: t, dir: t.TempDir()}, filepath.Join(t.TempDir(), "state.json")
}

func (d *logDir) path(name string) string { return filepath.Join(d.dir, name) }

// write appends n combined-format lines to the named file.
func (d *logDir) write(name string, n int) {
	f, err := os.OpenFile(d.path(name), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		d.t.Fatal(err)
	}
	defer f.Close()
	for range n {
		d.n++
		l := fmt.Sprintf(`10.0.0.%d - - [24/Nov/2026:10:%02d:%02d +0000] "GET /api/products/%d HTTP/1.1" 200 12 "-" "t"`, d.n%250, d.n/60%60, d.n%60, d.n)
		d.written = append(d.written, l)
		fmt.Fprintln(f, l)
	}
}

func (d *logDir) rename(from, to string) {
	if err := os.Rename(d.path(from), d.path(to)); err != nil {
		d.t.Fatal(err)
	}
}

// gzip compresses a file into name.gz and removes it, as logrotate's
// compress does.
func (d *logDir) gzip(name string) {
	raw, err := os.ReadFile(d.path(name))
	if err != nil {
		d.t.Fatal(err)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(raw)
	zw.Close()
	if err := os.WriteFile(d.path(name+".gz"), b.Bytes(), 0o644); err != nil {
		d.t.Fatal(err)
	}
	os.Remove(d.path(name))
}

// copytruncate copies a file to another name and empties it in place.
func (d *logDir) copytruncate(from, to string) {
	raw, err := os.ReadFile(d.path(from))
	if err != nil {
		d.t.Fatal(err)
	}
	if err := os.WriteFile(d.path(to), raw, 0o644); err != nil {
		d.t.Fatal(err)
	}
	if err := os.Truncate(d.path(from), 0); err != nil {
		d.t.Fatal(err)
	}
}

// run reads the folder the way a nightly run with --state does and
// returns the lines it read.
func (d *logDir) run(statePath string) []string {
	s, err := Load(statePath)
	if err != nil {
		d.t.Fatal(err)
	}
	files, errs := ingest.Expand([]string{d.dir}, false)
	if len(errs) > 0 {
		d.t.Fatal(errs)
	}
	s.Resume(files)
	var mu sync.Mutex
	var lines []string
	err = ingest.Run(context.Background(), files, ingest.Options{Workers: 2}, func(_ int, b *ingest.Block) {
		mu.Lock()
		defer mu.Unlock()
		for l := range strings.SplitSeq(strings.TrimSuffix(string(b.Data), "\n"), "\n") {
			if l != "" {
				lines = append(lines, l)
			}
		}
	})
	if err != nil {
		d.t.Fatal(err)
	}
	for _, f := range files {
		if f.Err != nil {
			d.t.Fatal(f.Err)
		}
	}
	s.Update(files, time.Now())
	if err := s.Save(); err != nil {
		d.t.Fatal(err)
	}
	return lines
}

// TestRotationSchemes checks that across runs every line is read exactly
// once under each way logrotate rotates.
func TestRotationSchemes(t *testing.T) {
	schemes := map[string]func(d *logDir){
		// create: rename, a new file takes the name.
		"create": func(d *logDir) {
			os.Remove(d.path("access.log.2"))
			if _, err := os.Stat(d.path("access.log.1")); err == nil {
				d.rename("access.log.1", "access.log.2")
			}
			d.rename("access.log", "access.log.1")
		},
		// compress: the rotated file is compressed at once.
		"compress": func(d *logDir) {
			os.Remove(d.path("access.log.2.gz"))
			if _, err := os.Stat(d.path("access.log.1.gz")); err == nil {
				d.rename("access.log.1.gz", "access.log.2.gz")
			}
			d.rename("access.log", "access.log.1")
			d.gzip("access.log.1")
		},
		// delaycompress: the rotated file is compressed one rotation later,
		// so a run sees it plain, then compressed under another name.
		"delaycompress": func(d *logDir) {
			os.Remove(d.path("access.log.3.gz"))
			if _, err := os.Stat(d.path("access.log.2.gz")); err == nil {
				d.rename("access.log.2.gz", "access.log.3.gz")
			}
			if _, err := os.Stat(d.path("access.log.1")); err == nil {
				d.rename("access.log.1", "access.log.2")
				d.gzip("access.log.2")
			}
			d.rename("access.log", "access.log.1")
		},
		// copytruncate: the log is copied and emptied in place.
		"copytruncate": func(d *logDir) {
			os.Remove(d.path("access.log.2"))
			if _, err := os.Stat(d.path("access.log.1")); err == nil {
				d.rename("access.log.1", "access.log.2")
			}
			d.copytruncate("access.log", "access.log.1")
		},
		// dateext with compress: rotated names carry a date.
		"dateext": func(d *logDir) {
			name := fmt.Sprintf("access.log-202611%02d", 10+d.n%20)
			d.rename("access.log", name)
			d.gzip(name)
		},
	}
	for name, rotate := range schemes {
		t.Run(name, func(t *testing.T) {
			d, statePath := newLogDir(t)
			var read []string
			d.write("access.log", 30)
			read = append(read, d.run(statePath)...)
			for night := range 4 {
				d.write("access.log", 7+night) // appended since the last run, before rotation
				rotate(d)
				d.write("access.log", 11)
				read = append(read, d.run(statePath)...)
				d.write("access.log", 5) // appended, no rotation
				read = append(read, d.run(statePath)...)
			}
			// Lines older than the oldest kept rotation are gone from disk
			// but were read before they went: every line written, once.
			slices.Sort(read)
			want := slices.Clone(d.written)
			slices.Sort(want)
			if !slices.Equal(read, want) {
				t.Fatalf("read %d lines, wrote %d; first difference: %s", len(read), len(want), firstDiff(read, want))
			}
		})
	}
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("read %q, wrote %q", a[i], b[i])
		}
	}
	return "one is a prefix of the other"
}

// TestShrunk checks that a file rewritten with the same first bytes but
// fewer of them is read again from its start.
func TestShrunk(t *testing.T) {
	d, statePath := newLogDir(t)
	d.write("access.log", 40)
	d.run(statePath)
	raw, _ := os.ReadFile(d.path("access.log"))
	lines := bytes.SplitAfter(raw, []byte("\n"))
	os.WriteFile(d.path("access.log"), bytes.Join(lines[:20], nil), 0o644)
	if got := d.run(statePath); len(got) != 20 {
		t.Fatalf("after shrinking to 20 lines, read %d; want 20", len(got))
	}
	if got := d.run(statePath); len(got) != 0 {
		t.Fatalf("a run with nothing new read %d lines", len(got))
	}
}

// TestLoadRefuses checks that a corrupt or foreign state is an error, not a
// silent reset, and that a missing one is a first run.
func TestLoadRefuses(t *testing.T) {
	dir := t.TempDir()
	if s, err := Load(filepath.Join(dir, "missing.json")); err != nil || len(s.Files) != 0 {
		t.Fatalf("missing state: %v, %d files; want an empty state", err, len(s.Files))
	}
	for name, body := range map[string]string{
		"corrupt":    `{"version": 1, "files": [`,
		"version":    `{"version": 99, "files": []}`,
		"no-version": `{"files": []}`,
		"not-json":   "access.log 1234\n",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "move it aside") {
			t.Errorf("%s: Load = %v; want an error telling what to do", name, err)
		}
	}
}

// TestStateKeys pins the state file's JSON keys, a documented contract.
func TestStateKeys(t *testing.T) {
	d, statePath := newLogDir(t)
	d.write("access.log", 3)
	d.run(statePath)
	raw, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"version": 3`, `"files"`, `"runs": []`, `"path"`, `"fingerprint"`, `"head_bytes"`, `"offset"`, `"lines": 3`, `"seen"`} {
		if !strings.Contains(string(raw), k) {
			t.Errorf("state file lacks %s:\n%s", k, raw)
		}
	}
}

// TestFailedSkipKeepsMark checks that an input that failed before reaching
// the remembered offset does not move the mark back (the next run would
// read those bytes twice).
func TestFailedSkipKeepsMark(t *testing.T) {
	d, statePath := newLogDir(t)
	d.write("access.log", 40)
	d.run(statePath)
	s, err := Load(statePath)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := ingest.Expand([]string{d.dir}, false)
	s.Resume(files)
	want := files[0].Skip
	if want == 0 {
		t.Fatal("the second run does not resume")
	}
	files[0].Offset = want / 2 // as if the read failed halfway through the skip
	s.Update(files, time.Now())
	if got := s.Files[0].Offset; got != want {
		t.Fatalf("offset after a failed skip = %d, want the earlier %d", got, want)
	}
}

// TestVersion1 checks that a state file of version 1 (inputs only) is read:
// it has no runs, and the inputs resume where they were.
func TestVersion1(t *testing.T) {
	d, statePath := newLogDir(t)
	d.write("access.log", 5)
	d.run(statePath)
	raw, _ := os.ReadFile(statePath)
	old := strings.Replace(strings.Replace(string(raw), `"version": 3`, `"version": 1`, 1), `"runs": []`, `"other": 0`, 1)
	os.WriteFile(statePath, []byte(old), 0o644)
	d.write("access.log", 2)
	if got := d.run(statePath); len(got) != 2 {
		t.Fatalf("after a version-1 state, read %d lines, want the 2 new ones", len(got))
	}
	s, err := Load(statePath)
	if err != nil || s.Version != Version || s.Runs == nil {
		t.Fatalf("Load = %+v, %v; want version %d with an empty run list", s, err, Version)
	}
}

// TestVersion2 checks that a state file of version 2 (runs, no open_file)
// is read, runs and all, and written back as version 3: the next run
// carries nothing in, as the run of version 2 closed what it left open.
func TestVersion2(t *testing.T) {
	d, statePath := newLogDir(t)
	d.write("access.log", 5)
	d.run(statePath)
	s, err := Load(statePath)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s.AddRun(Run{At: now, Lines: 5}, []byte("a run"), now)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(statePath)
	old := strings.Replace(string(raw), `"version": 3`, `"version": 2`, 1)
	if old == string(raw) || strings.Contains(old, "open_file") {
		t.Fatalf("not a version-2 file:\n%s", old)
	}
	os.WriteFile(statePath, []byte(old), 0o644)
	d.write("access.log", 2)
	if got := d.run(statePath); len(got) != 2 {
		t.Fatalf("after a version-2 state, read %d lines, want the 2 new ones", len(got))
	}
	s, err = Load(statePath)
	if err != nil || s.Version != Version || len(s.Runs) != 1 {
		t.Fatalf("Load = %+v, %v; want version %d with its run", s, err, Version)
	}
	if b, err := s.Aggregates(s.Runs[0]); err != nil || string(b) != "a run" {
		t.Errorf("the version-2 run's aggregates: %q, %v", b, err)
	}
	if b, err := s.Carry(); b != nil || err != nil {
		t.Errorf("Carry of a version-2 state = %q, %v; want nothing", b, err)
	}
	if raw, _ := os.ReadFile(statePath); !strings.Contains(string(raw), `"version": 3`) {
		t.Errorf("written back as:\n%s", raw)
	}
}

// TestCarryFile saves what a run left open beside the state file, named by
// open_file, reads it back, and keeps only the last run's; a carry file
// named but missing is an error, not an empty carry (the chains it held
// would be cut).
func TestCarryFile(t *testing.T) {
	_, path := newLogDir(t)
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for i, carry := range []string{"first", "second"} {
		s.SetCarry([]byte(carry), now.Add(time.Duration(i)*time.Hour))
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
		s, err = Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if b, err := s.Carry(); err != nil || string(b) != carry {
			t.Errorf("run %d: carry %q, %v; want %q", i, b, err, carry)
		}
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), `"open_file": "open-`) || strings.Contains(string(raw), "second") {
		t.Errorf("the state file should name the carry, not hold it:\n%s", raw)
	}
	if entries, _ := os.ReadDir(s.RunsDir()); len(entries) != 1 || entries[0].Name() != s.OpenFile {
		t.Errorf("the runs folder holds %v, want the last carry %s alone", entries, s.OpenFile)
	}
	for _, tc := range []struct{ name, file, want string }{
		{"missing", s.OpenFile, "no such file"},
		{"a path", "../elsewhere.bin", "not a file name"},
	} {
		os.Remove(filepath.Join(s.RunsDir(), s.OpenFile))
		s.OpenFile = tc.file
		if _, err := s.Carry(); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "cannot read the open retry chains") {
			t.Errorf("%s: Carry error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}

// TestRunsDirFollowsLink: a state file given through a symbolic link
// keeps its runs beside the file the link leads to, as its lock is: a run
// given the link and a run given the target read one carry and one set of
// aggregates (the carry was beside the link, and every run given the
// target then failed: "cannot read the open retry chains").
func TestRunsDirFollowsLink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real", "state.json")
	os.Mkdir(filepath.Dir(real), 0o750)
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink("real/state.json", link); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	s, err := Load(link)
	if err != nil {
		t.Fatal(err)
	}
	s.SetCarry([]byte("open"), now)
	s.AddRun(Run{At: now}, []byte("aggregates"), now)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if s.RunsDir() != real+".runs" {
		t.Errorf("runs folder %s, want %s", s.RunsDir(), real+".runs")
	}
	s, err = Load(real)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := s.Carry(); err != nil || string(b) != "open" {
		t.Errorf("the carry read through the target: %q, %v", b, err)
	}
	if b, err := s.Aggregates(s.Runs[0]); err != nil || string(b) != "aggregates" {
		t.Errorf("the aggregates read through the target: %q, %v", b, err)
	}
	files := []*ingest.File{{Path: filepath.Join(real+".runs", s.OpenFile)}, {Path: filepath.Join(dir, "access.log")}}
	if kept := Omit(files, link); len(kept) != 1 || kept[0].Path != files[1].Path {
		t.Errorf("Omit through the link kept %v; want the log alone", kept)
	}
}

// TestRuns checks which kept runs a period takes in, and that runs older
// than five weeks are forgotten.
func TestRuns(t *testing.T) {
	day := func(d int) *time.Time {
		t := time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC)
		return &t
	}
	s := &State{}
	now := *day(24)
	s.AddRun(Run{At: now.Add(-40 * 24 * time.Hour), First: day(1), Last: day(1)}, nil, now)
	for d := 20; d <= 23; d++ {
		end := day(d).Add(23 * time.Hour)
		s.AddRun(Run{At: now, First: day(d), Last: &end, Lines: 1}, nil, now)
	}
	s.AddRun(Run{At: now, Lines: 3}, nil, now) // rejections only: no span
	if len(s.Runs) != 5 {
		t.Fatalf("kept %d runs, want 5 (the 40-day-old one forgotten)", len(s.Runs))
	}
	for _, c := range []struct {
		since, until time.Time
		want         int
	}{
		{time.Time{}, time.Time{}, 4},
		{*day(22), time.Time{}, 2},
		{day(21).Add(12 * time.Hour), time.Time{}, 3}, // overlaps the 21st
		{*day(21), *day(22), 1},
		{*day(25), time.Time{}, 0},
	} {
		if got := len(s.Between(c.since, c.until)); got != c.want {
			t.Errorf("Between(%v, %v) = %d runs, want %d", c.since, c.until, got, c.want)
		}
	}
}

// TestRunAggregates saves runs' aggregates beside the state file, reads
// them back only when asked, and removes those of forgotten runs.
func TestRunAggregates(t *testing.T) {
	_, path := newLogDir(t)
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	s.AddRun(Run{At: now.Add(-30 * 24 * time.Hour), Lines: 1}, []byte("old run"), now.Add(-30*24*time.Hour))
	s.AddRun(Run{At: now, Lines: 2}, []byte("new run"), now)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), "run\"") || !strings.Contains(string(raw), `"aggregates_file": "run-`) {
		t.Errorf("the state file should name the aggregates, not hold them:\n%s", raw)
	}
	s, err = Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"old run", "new run"} {
		if b, err := s.Aggregates(s.Runs[i]); err != nil || string(b) != want {
			t.Errorf("run %d: %q, %v; want %q", i, b, err, want)
		}
	}
	oldFile := s.Runs[0].File
	// Ten days on, the old run is past five weeks: its file goes.
	later := now.Add(10 * 24 * time.Hour)
	s.AddRun(Run{At: later, Lines: 3}, []byte("later run"), later)
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.RunsDir(), oldFile)); !os.IsNotExist(err) {
		t.Errorf("the forgotten run's aggregates are still there (%v)", err)
	}
	if entries, _ := os.ReadDir(s.RunsDir()); len(entries) != 2 {
		t.Errorf("%d aggregates files, want 2", len(entries))
	}
	// A missing aggregates file is an error, not an empty run.
	os.Remove(filepath.Join(s.RunsDir(), s.Runs[0].File))
	if _, err := s.Aggregates(s.Runs[0]); err == nil {
		t.Error("a missing aggregates file gave no error")
	}
}

// TestOmit checks that a state kept in a log folder is not read as a log:
// the state file and its runs folder are left out of the inputs (a
// recursive walk reaches the runs), the logs kept, numbered again.
func TestOmit(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := write("a.log"), write("b.log")
	st := write("state.json")
	write("state.json.runs/2025-03-12T00-00-00Z.bin")
	files, errs := ingest.Expand([]string{"-", dir}, true)
	if len(errs) > 0 || len(files) != 5 {
		t.Fatalf("Expand: %d files, %v", len(files), errs)
	}
	kept := Omit(files, st)
	var got []string
	for i, f := range kept {
		if f.Index != i {
			t.Errorf("%s: index %d, want %d", f.Path, f.Index, i)
		}
		got = append(got, f.Path)
	}
	if want := []string{"-", a, b}; !slices.Equal(got, want) {
		t.Errorf("kept %q, want %q", got, want)
	}
	// A state file not written yet leaves every input.
	if kept := Omit(files[:3], filepath.Join(dir, "new.json")); len(kept) != 3 {
		t.Errorf("no state file yet: %d inputs kept, want 3", len(kept))
	}
}

// TestIndexMatchesLinear holds the fingerprint index to a pass over every
// entry in order, as Resume made before it: the longest fingerprint the
// head starts with, the first entry of equal ones.
func TestIndexMatchesLinear(t *testing.T) {
	linear := func(s *State, head []byte) *Entry {
		var best *Entry
		for i := range s.Files {
			e := &s.Files[i]
			if e.HeadBytes == 0 || e.HeadBytes > len(head) || best != nil && best.HeadBytes >= e.HeadBytes {
				continue
			}
			if fingerprint(head[:e.HeadBytes]) == e.Fingerprint {
				best = e
			}
		}
		return best
	}
	rng := rand.New(rand.NewPCG(3, 4))
	heads := []string{"abcdef", "abcxyz", "abc", "zzzzzz", "ab"}
	for range 500 {
		s := &State{}
		for range rng.IntN(8) {
			h := heads[rng.IntN(len(heads))]
			n := 1 + rng.IntN(len(h))
			s.Files = append(s.Files, Entry{HeadBytes: n, Fingerprint: fingerprint([]byte(h[:n])), Offset: int64(rng.IntN(100))})
		}
		idx := s.index()
		for _, h := range heads {
			if got, want := idx.match([]byte(h)), linear(s, []byte(h)); got != want {
				t.Fatalf("head %q in %+v: index %+v, linear %+v", h, s.Files, got, want)
			}
		}
	}
}
