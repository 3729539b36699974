package export

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"analyze/ingest"
	"analyze/report"
)

// Result is what an export wrote and read.
type Result struct {
	Files           map[string]int64 // final path → rows
	Lines, Records  int64
	Rejected, Blank int64
	Unrecognized    int64 // lines of files no format fits: not rejected, not rows
	Filtered        int64 // records Options.Select left out
	Rows            int64
}

// Run reads files and writes one row per record to a dataset in dir.
// Workers turn each block into Arrow batches (one per day in it); a single
// writer goroutine takes the batches, one channel send per block and day,
// and writes them. On error or cancellation nothing is renamed into place.
func Run(ctx context.Context, files []*ingest.File, in ingest.Options, dir string, opts Options) (*Result, error) {
	if in.Workers <= 0 {
		in.Workers = runtime.GOMAXPROCS(0)
	}
	order := ingest.SortByTime(files, in)
	extras := extraColumns(order, in.Format)
	schema := Schema(extras)
	opts.Metadata = inputMetadata(opts.Metadata, order, in.Format)
	ds, err := NewDataset(dir, schema, opts)
	if err != nil {
		return nil, err
	}

	// The writer takes each file's blocks in order (Block.Seq), so the rows
	// of a file keep its line order; blocks that come early wait, at most
	// the few in flight.
	type blockBatches struct {
		file, seq int
		bs        []Batch
	}
	batches := make(chan blockBatches, in.Workers)
	var werr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		next := make([]int, len(files))
		pending := make([]map[int][]Batch, len(files))
		for i := range pending {
			pending[i] = map[int][]Batch{}
		}
		for bb := range batches {
			pending[bb.file][bb.seq] = bb.bs
			for {
				bs, ok := pending[bb.file][next[bb.file]]
				if !ok {
					break
				}
				delete(pending[bb.file], next[bb.file])
				next[bb.file]++
				for _, b := range bs {
					if werr == nil {
						werr = ds.Write(b)
					} else {
						b.Record.Release()
					}
				}
			}
		}
		for _, p := range pending {
			for _, bs := range p {
				for _, b := range bs {
					b.Record.Release()
				}
			}
		}
	}()

	type counts struct{ records, rejected, unrecognized, blank, filtered int64 }
	per := make([]counts, in.Workers)
	batchers := make([]*Batcher, in.Workers)
	scanners := make([]*ingest.Scanner, in.Workers)
	keep := make([]func(*ingest.Record) bool, in.Workers)
	for i := range batchers {
		batchers[i] = NewBatcher(schema, extras)
		scanners[i] = ingest.NewScanner(in.Parse)
		if opts.Select != nil {
			keep[i] = opts.Select()
		}
	}
	rerr := ingest.Run(ctx, order, in, func(w int, blk *ingest.Block) {
		sc, bt, c, keep := scanners[w], batchers[w], &per[w], keep[w]
		sc.Reset(blk)
		for sc.Next() {
			switch sc.Kind() {
			case ingest.KindRecord:
				c.records++
				if keep != nil && !keep(sc.Record()) {
					c.filtered++
					continue
				}
				bt.Add(sc.Record())
			case ingest.KindRejected:
				if sc.Rejection().Reason == ingest.NoFormat {
					c.unrecognized++
				} else {
					c.rejected++
				}
			case ingest.KindBlank:
				c.blank++
			}
		}
		batches <- blockBatches{blk.File.Index, blk.Seq, bt.Flush()}
	})
	close(batches)
	wg.Wait()
	res := &Result{}
	for _, c := range per {
		res.Records += c.records
		res.Rejected += c.rejected
		res.Unrecognized += c.unrecognized
		res.Blank += c.blank
		res.Filtered += c.filtered
	}
	switch {
	case rerr != nil:
		ds.Abort()
		return nil, fmt.Errorf("export interrupted: %w", rerr)
	case werr != nil:
		ds.Abort()
		return nil, werr
	}
	for _, f := range files {
		res.Lines += f.Lines
	}
	if res.Files, err = ds.Commit(); err != nil {
		return nil, err
	}
	if opts.Format == "parquet" {
		if err := writeCodes(dir); err != nil {
			return nil, err
		}
	}
	if err := writeManifest(dir, opts, res, files); err != nil {
		return nil, err
	}
	for _, n := range res.Files {
		res.Rows += n
	}
	return res, nil
}

// extraColumns is the union of the extra fields of the files' formats (as
// SortByTime detected them, or the forced format), in first-seen order.
func extraColumns(files []*ingest.File, forced *ingest.Format) []string {
	var out []string
	add := func(f *ingest.Format) {
		if f == nil {
			return
		}
		for _, e := range f.Extras {
			if !slices.Contains(out, e) {
				out = append(out, e)
			}
		}
	}
	add(forced)
	for _, f := range files {
		add(f.Format)
	}
	return out
}

// inputMetadata adds to meta what every file of the dataset records: the
// inputs and their formats (as detected from their heads, or forced).
func inputMetadata(meta map[string]string, files []*ingest.File, forced *ingest.Format) map[string]string {
	out := map[string]string{}
	for k, v := range meta {
		out[k] = v
	}
	var inputs, formats []string
	for _, f := range files {
		inputs = append(inputs, f.Path)
		name := f.FormatName()
		if forced != nil {
			name = forced.Name
		}
		formats = append(formats, f.Path+"\t"+name)
	}
	out["analyze.inputs"] = strings.Join(inputs, "\n")
	out["analyze.formats"] = strings.Join(formats, "\n")
	return out
}

// Manifest is _analyze.json, written last into an exported dataset: the
// run's accounting and the files it wrote. Engines pass over names that
// start with '_'.
type Manifest struct {
	Version  string `json:"version"`
	Format   string `json:"format"`
	Lines    int64  `json:"lines"`
	Records  int64  `json:"records"`
	Rejected int64  `json:"rejected"`
	// Unrecognized are the lines of inputs no format fits; lines =
	// records + rejected + unrecognized + blank.
	Unrecognized int64 `json:"unrecognized"`
	Blank        int64 `json:"blank"`
	Filtered     int64 `json:"filtered"`
	// Filter states the time range and drill-down filters the rows were
	// chosen by; absent when none was given.
	Filter *report.FilterInfo `json:"filter,omitempty"`
	Rows   int64              `json:"rows"`
	Inputs []ManifestInput    `json:"inputs"`
	Files  map[string]int64   `json:"files"` // path relative to the dataset → rows
}

// ManifestInput is one input of the run.
type ManifestInput struct {
	Path     string `json:"path"`
	Format   string `json:"format"`
	Lines    int64  `json:"lines"`
	Complete bool   `json:"complete"`
}

func writeManifest(dir string, opts Options, r *Result, files []*ingest.File) error {
	m := Manifest{Version: opts.Metadata["analyze.version"], Format: opts.Format, Lines: r.Lines, Records: r.Records,
		Rejected: r.Rejected, Unrecognized: r.Unrecognized, Blank: r.Blank, Filtered: r.Filtered, Files: map[string]int64{}}
	if !opts.Filter.IsZero() {
		m.Filter = &opts.Filter
	}
	for _, f := range files {
		m.Inputs = append(m.Inputs, ManifestInput{f.Path, f.FormatName(), f.Lines, f.Complete()})
	}
	for p, n := range r.Files {
		rel, _ := filepath.Rel(dir, p)
		m.Files[filepath.ToSlash(rel)] = n
		m.Rows += n
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	p := filepath.Join(dir, "_analyze.json")
	tmp := tempName(p)
	if err := os.WriteFile(tmp, append(b, '\n'), 0o640); err != nil {
		return fmt.Errorf("cannot write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot rename %s: %w", tmp, err)
	}
	return nil
}
