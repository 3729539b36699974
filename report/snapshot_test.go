package report

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"analyze/ingest"
	"analyze/report/tables"
	"analyze/samples/synth"
)

// synthFiles writes a generated combined log of n lines to dir/name and
// returns it as the inputs of a run.
func synthFiles(t testing.TB, dir, name string, n int) []*ingest.File {
	cfg := synth.Default()
	cfg.Lines = n
	return synthLog(t, dir, name, cfg)
}

// synthLog writes the log cfg generates to dir/name and returns it as the
// inputs of a run.
func synthLog(t testing.TB, dir, name string, cfg synth.Config) []*ingest.File {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.Write(f, cfg); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	files, errs := ingest.Expand([]string{path}, false)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return files
}

// TestSnapshotLayouts merges a run stored in layout 1 (the quota's cells
// and windows as slices of structs) and the same run in layout 2 (as
// delta-coded columns): the reports must be the same, and differ from one
// without the stored run. A layout from a later analyze is refused.
func TestSnapshotLayouts(t *testing.T) {
	dir := t.TempDir()
	stored := synthFiles(t, dir, "stored.log", 30000)
	sum, err := Aggregate(context.Background(), stored, ingest.Options{}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	layout2, err := sum.Snapshot(stored)
	if err != nil {
		t.Fatal(err)
	}
	sn, err := decodeSnapshot(layout2)
	if err != nil {
		t.Fatal(err)
	}
	if len(sn.CellCols.N) < 1000 || len(sn.WindowCols.Requests) < 10 {
		t.Fatalf("the stored run has %d cells and %d windows: too few to test", len(sn.CellCols.N), len(sn.WindowCols.Requests))
	}
	// Layout 1, as an analyze before layout 2 wrote it.
	var c cellSnap
	for i, n := range sn.CellCols.N {
		c.Client += sn.CellCols.ClientDelta[i]
		c.Win += sn.CellCols.WinDelta[i]
		sn.Cells = append(sn.Cells, cellSnap{c.Client, c.Win, n})
	}
	win := int64(0)
	for i, d := range sn.WindowCols.WinDelta {
		win += d
		sn.QuotaWindows = append(sn.QuotaWindows, windowSnap{win, sn.WindowCols.Requests[i], sn.WindowCols.RateLimited[i]})
	}
	sn.CellCols, sn.WindowCols, sn.Version = cellCols{}, windowCols{}, 1
	layout1, err := sn.encode()
	if err != nil {
		t.Fatal(err)
	}
	sn.Version = snapshotVersion + 1
	later, err := sn.encode()
	if err != nil {
		t.Fatal(err)
	}

	current := synthFiles(t, dir, "current.log", 200)
	report := func(stored []byte) string {
		s, err := Aggregate(context.Background(), current, ingest.Options{}, Config{})
		if err != nil {
			t.Fatal(err)
		}
		if stored != nil {
			if err := s.MergeSnapshot(stored); err != nil {
				t.Fatal(err)
			}
		}
		return toJSON(t, Build(s, current, Filter{}, Options{Top: 10, Version: "test"}))
	}
	got1, got2 := report(layout1), report(layout2)
	if got1 != got2 {
		t.Errorf("layout 1 and layout 2 of the same run report differently:\n%s\n%s", got1, got2)
	}
	if got2 == report(nil) {
		t.Error("the stored run changed nothing in the report")
	}
	s := NewSummary(Config{})
	if err := s.MergeSnapshot(later); err == nil || !strings.Contains(err.Error(), "layout") {
		t.Errorf("a later layout: err = %v, want it refused", err)
	}
}

// BenchmarkSnapshot measures what --state adds to a run: encoding the
// run's aggregates (encode) and merging a stored run back (merge), for a
// generated log whose client tail fills the tables and the quota cells.
//
//	go test -run '^$' -bench Snapshot -count 10 ./report > new.txt; benchstat old.txt new.txt
func BenchmarkSnapshot(b *testing.B) {
	files := synthFiles(b, b.TempDir(), "bench.log", 2000000)
	sum, err := Aggregate(context.Background(), files, ingest.Options{}, Config{})
	if err != nil {
		b.Fatal(err)
	}
	enc, err := sum.Snapshot(files)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := sum.Snapshot(files); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(enc)), "bytes")
	})
	b.Run("merge", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s := NewSummary(Config{})
			if err := s.MergeSnapshot(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestSnapshotHosts stores a run of a log that logs its host (an ALB log)
// and merges it into the next run: the hosts table and the incidents'
// hosts must be those of a single run over both.
func TestSnapshotHosts(t *testing.T) {
	dir := t.TempDir()
	var parts [2][]*ingest.File
	for i, name := range []string{"a.log", "b.log"} {
		cfg := synth.Default()
		cfg.Lines, cfg.Format, cfg.Seed = 3000, "alb", uint64(i+1)
		cfg.Start = cfg.Start.Add(time.Duration(i) * 24 * time.Hour) // the next night: the stored run's incidents are its own
		parts[i] = synthLog(t, dir, name, cfg)
	}
	// The hosts table, and with incidents the incidents too.
	report := func(s *Summary, files []*ingest.File, incidents bool) string {
		r := Build(s, files, Filter{}, Options{Top: 10})
		v := []any{r.Hosts}
		if incidents {
			v = append(v, r.Incidents)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	hosts := func(s *Summary, files []*ingest.File) string { return report(s, files, true) }
	both, _ := ingest.Expand([]string{filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")}, false)
	whole, err := Aggregate(context.Background(), both, ingest.Options{}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	first, err := Aggregate(context.Background(), parts[0], ingest.Options{}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := first.Snapshot(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	next, err := Aggregate(context.Background(), parts[1], ingest.Options{}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	alone := hosts(next, parts[1])
	// A run stored before the hosts table existed merges as one without hosts.
	sn, err := decodeSnapshot(stored)
	if err != nil {
		t.Fatal(err)
	}
	sn.Hosts, sn.FailHosts = tables.Snap{}, nil
	older, err := sn.encode()
	if err != nil {
		t.Fatal(err)
	}
	again, err := Aggregate(context.Background(), parts[1], ingest.Options{}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := again.MergeSnapshot(older); err != nil || report(again, parts[1], false) != report(next, parts[1], false) {
		t.Errorf("a stored run without hosts: %v, hosts %s, want %s", err, report(again, parts[1], false), report(next, parts[1], false))
	}
	if err := next.MergeSnapshot(stored); err != nil {
		t.Fatal(err)
	}
	want := hosts(whole, both)
	if got := hosts(next, parts[1]); got != want || got == alone || !strings.Contains(want, `"host":"api.quable.example"`) || !strings.Contains(want, `"hosts":["api.quable.example"]`) {
		t.Errorf("hosts from a stored run and the next:\n%s\none run:\n%s", got, want)
	}
}
