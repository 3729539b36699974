package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"analyze/ingest"
	"analyze/report/analysis"
	"analyze/samples/synth"
)

// recorder is an analysis that keeps a copy of every batch it is handed.
type recorder struct{ batches []*analysis.Batch }

func (r *recorder) Add(b *analysis.Batch) {
	kept := &analysis.Batch{}
	for _, row := range b.Rows {
		for _, v := range []*analysis.Ref{&row.Client, &row.Endpoint, &row.Host, &row.Method, &row.Path, &row.UserAgent, &row.Protocol} {
			*v = kept.Copy(b.Get(*v))
		}
		kept.Rows = append(kept.Rows, row)
	}
	r.batches = append(r.batches, kept)
}

func (r *recorder) Merge(analysis.Analysis) {}

// BenchmarkAnalyses measures, analysis by analysis, the cost of counting
// the rows of a generated combined log (200,000 lines), each fed the same
// batches the engine hands it: the per-analysis CPU table of
// docs/performance.md. ns/op is per 200,000 rows.
//
//	go test -run '^$' -bench Analyses -count 6 ./report
func BenchmarkAnalyses(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.log")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	cfg := synth.Default()
	cfg.Lines = 200000
	if err := synth.Write(f, cfg); err != nil {
		b.Fatal(err)
	}
	f.Close()
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	size := st.Size() // every sub-benchmark counts the same log's rows
	files, errs := ingest.Expand([]string{path}, false)
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	rec := &recorder{}
	sum := NewSummary(Config{})
	sum.analyses = []analysis.Analysis{rec}
	opts := ingest.Options{Workers: 1}
	if err := ingest.Drive(b.Context(), files, opts, func(int, *ingest.Scanner) ingest.Sink { return &benchSink{sum} }); err != nil {
		b.Fatal(err)
	}
	sum.flush()
	// Reading and parsing alone, then with the engine's rows (classify,
	// keys, batches) handed to no analysis.
	b.Run("read+parse", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			if err := ingest.Drive(b.Context(), files, opts, func(int, *ingest.Scanner) ingest.Sink { return nopSink{} }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read+parse+rows", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			s := NewSummary(Config{})
			s.analyses = nil
			if err := ingest.Drive(b.Context(), files, opts, func(int, *ingest.Scanner) ingest.Sink { return &benchSink{s} }); err != nil {
				b.Fatal(err)
			}
		}
	})
	for i, a := range NewSummary(Config{}).analyses {
		name := strings.TrimPrefix(fmt.Sprintf("%T", a), "*")
		b.Run(name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				fresh := NewSummary(Config{}).analyses[i]
				for _, batch := range rec.batches {
					fresh.Add(batch)
				}
			}
		})
	}
}

// benchSink feeds a Summary, as Aggregate's sink does without the events.
type benchSink struct{ sum *Summary }

func (s *benchSink) StartBlock(b *ingest.Block)   { s.sum.startBlock(b) }
func (s *benchSink) EndBlock(*ingest.Block)       { s.sum.endBlock() }
func (s *benchSink) Record(r *ingest.Record)      { s.sum.Add(r, nil) }
func (s *benchSink) Reject(rej *ingest.Rejection) { s.sum.Reject(rej) }
func (s *benchSink) Blank(f *ingest.File)         { s.sum.Blank(f) }

type nopSink struct{}

func (nopSink) Record(*ingest.Record)    {}
func (nopSink) Reject(*ingest.Rejection) {}
func (nopSink) Blank(*ingest.File)       {}
