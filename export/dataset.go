package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"analyze/ingest"
	"analyze/outfile"
	"analyze/report"
	"analyze/state"
)

// Options configure a Dataset.
type Options struct {
	Format      string // "parquet" or "csv"
	Partition   string // "date" (Hive-style date=YYYY-MM-DD/) or "none"
	Compression string // Parquet: "zstd", "snappy" or "none"
	CSVSafe     bool   // neutralise CSV cells a spreadsheet would execute
	Metadata    map[string]string
	// Select makes, once per worker, the test a record must pass to
	// become a row (a time range, a drill-down filter); nil keeps every
	// record. Filter states it for the manifest.
	Select func() func(*ingest.Record) bool
	Filter report.FilterInfo
	// Run names this run's parts (part-RUN-00000.parquet): a run replaces
	// only parts of its own name, never another run's rows. Run derives
	// it from the inputs when empty (RunID).
	Run string
	// State, when set (export --state), is where the run remembers how far
	// it read each input, so each line becomes a row once across nightly
	// runs; Run then leaves it updated and saved.
	State *state.State
}

// partWriter writes one file of a dataset.
type partWriter interface {
	Write(rec arrow.RecordBatch) error
	// Close finishes the file with the final key-value metadata (Parquet).
	Close(meta map[string]string) error
	Abort()
}

// Dataset writes batches to the files of an output folder. Every file is
// written under a hidden temporary name (outfile.Create) and renamed into
// place by Commit, so an interrupted run leaves no half file under a name an
// engine would read; Abort removes the temporary files. Every file is named
// for the run (Options.Run): a run that writes the same name again (the
// same inputs re-run) replaces its own earlier parts, and leaves every
// other run's alone.
//
// Memory: at most maxOpen files are open at once. A date-partitioned export
// of a long log would otherwise keep a Parquet writer open per day; when a
// new day comes, the file least recently written is finished (a log is in
// time order, so a past day rarely gets more rows; if it does, they go to
// its next part file, part-00001...).
//
// A finished file is closed on a goroutine of its own (a Parquet file's
// last row group is encoded and compressed then, a fifth of an export's
// writing), at most maxClosing at once, while the next day's rows are
// written: the writing is otherwise one goroutine's. A Dataset's methods
// are for one goroutine.
type Dataset struct {
	dir     string
	opts    Options
	schema  *arrow.Schema
	open    map[string]*part // by day ("" without partitions)
	done    []*part          // finished or finishing, waiting for Commit's rename
	parts   map[string]int   // how many parts each day has
	clock   int64
	closing sync.WaitGroup
	slots   chan struct{} // one per file being closed
}

type part struct {
	path string
	out  *outfile.Pending
	w    partWriter
	rows int64
	used int64 // the clock of its last write
	err  error // of its closing; read after Dataset.closing.Wait
}

const (
	maxOpen    = 4
	maxClosing = 2
)

// NewDataset prepares writing rows of schema to dir, which it creates
// (mode 0750) when missing.
func NewDataset(dir string, schema *arrow.Schema, opts Options) (*Dataset, error) {
	if opts.Format != "parquet" && opts.Format != "csv" {
		return nil, fmt.Errorf("cannot export to %q: want parquet or csv", opts.Format)
	}
	if opts.Partition != "date" && opts.Partition != "none" {
		return nil, fmt.Errorf("cannot partition by %q: want date or none", opts.Partition)
	}
	if !validRun(opts.Run) {
		return nil, fmt.Errorf("cannot export: run name %q is not [0-9a-z]{1,32}", opts.Run)
	}
	if opts.Format == "parquet" {
		if _, err := codec(opts.Compression); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w", dir, err)
	}
	return &Dataset{dir: dir, opts: opts, schema: schema, open: map[string]*part{}, parts: map[string]int{},
		slots: make(chan struct{}, maxClosing)}, nil
}

// path returns the final path of a day's n-th file.
func (d *Dataset) path(day string, n int) string {
	if d.opts.Partition == "date" {
		return filepath.Join(d.dir, "date="+day, fmt.Sprintf("part-%s-%05d.%s", d.opts.Run, n, d.opts.Format))
	}
	return filepath.Join(d.dir, fmt.Sprintf("requests-%s-%05d.%s", d.opts.Run, n, d.opts.Format))
}

// runParts returns the parts of run in the dataset at dir, of either
// format and layout.
func runParts(dir, run string) []string {
	var out []string
	for _, ext := range []string{"parquet", "csv"} {
		for _, pattern := range []string{
			filepath.Join(dir, "date=*", "part-"+run+"-*."+ext),
			filepath.Join(dir, "requests-"+run+"-*."+ext),
		} {
			m, _ := filepath.Glob(pattern)
			out = append(out, m...)
		}
	}
	return out
}

// RemoveRun removes the parts of run from the dataset at dir, and the
// partition folders it leaves empty.
func RemoveRun(dir, run string) error {
	if !validRun(run) {
		return fmt.Errorf("cannot remove run %q: not a run name", run)
	}
	for _, p := range runParts(dir, run) {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot remove %s: %w", p, err)
		}
		if sub := filepath.Dir(p); sub != dir {
			os.Remove(sub) // only when empty
		}
	}
	return nil
}

// validRun reports whether s can name a run: it goes into file names and
// glob patterns.
func validRun(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// Write adds a batch, which it releases.
func (d *Dataset) Write(b Batch) error {
	defer b.Record.Release()
	day := b.Day
	if d.opts.Partition != "date" {
		day = ""
	}
	pt := d.open[day]
	if pt == nil {
		if len(d.open) >= maxOpen {
			d.finishOldest()
		}
		var err error
		if pt, err = d.create(day); err != nil {
			return err
		}
		d.open[day] = pt
	}
	d.clock++
	pt.used = d.clock
	pt.rows += b.Record.NumRows()
	if err := pt.w.Write(b.Record); err != nil {
		return fmt.Errorf("cannot write %s: %w", pt.path, err)
	}
	return nil
}

func (d *Dataset) create(day string) (*part, error) {
	n := d.parts[day]
	d.parts[day]++
	p := d.path(day, n)
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w", filepath.Dir(p), err)
	}
	out, err := outfile.Create(p)
	if err != nil {
		return nil, err
	}
	var w partWriter
	if d.opts.Format == "parquet" {
		w, err = newParquetWriter(out.File(), d.schema, d.opts.Compression)
	} else {
		w, err = newCSVWriter(out.File(), d.schema, d.opts.CSVSafe)
	}
	if err != nil {
		out.Abort()
		return nil, err
	}
	return &part{path: p, out: out, w: w}, nil
}

// finishOldest finishes the open file least recently written.
func (d *Dataset) finishOldest() {
	var oldest string
	var used int64 = -1
	for day, pt := range d.open {
		if used < 0 || pt.used < used {
			oldest, used = day, pt.used
		}
	}
	pt := d.open[oldest]
	delete(d.open, oldest)
	d.finish(pt)
}

// finish closes a part's file on a goroutine, once one of the maxClosing
// slots is free; its error is read after closing.Wait.
func (d *Dataset) finish(pt *part) {
	meta := map[string]string{}
	for k, v := range d.opts.Metadata {
		meta[k] = v
	}
	meta["analyze.rows"] = fmt.Sprint(pt.rows)
	d.done = append(d.done, pt)
	d.slots <- struct{}{}
	d.closing.Go(func() {
		defer func() { <-d.slots }()
		if err := pt.w.Close(meta); err != nil {
			pt.err = fmt.Errorf("cannot finish %s: %w", pt.path, err)
			return
		}
		pt.w = nil
		pt.err = pt.out.Close()
	})
}

// Commit finishes every file and renames it into place; it returns the
// final paths with their row counts.
func (d *Dataset) Commit() (map[string]int64, error) {
	days := make([]string, 0, len(d.open))
	for day := range d.open {
		days = append(days, day)
	}
	slices.Sort(days)
	for _, day := range days {
		d.finish(d.open[day])
		delete(d.open, day)
	}
	d.closing.Wait()
	for _, pt := range d.done {
		if pt.err != nil {
			d.Abort()
			return nil, pt.err
		}
	}
	rows := map[string]int64{}
	for i, pt := range d.done {
		if err := pt.out.Commit(); err != nil {
			for _, rest := range d.done[i+1:] {
				rest.out.Abort()
			}
			return nil, err
		}
		rows[pt.path] = pt.rows
	}
	// This run's parts from an earlier time that this time did not write
	// (it split a day in more parts then) would count their rows twice.
	for _, p := range runParts(d.dir, d.opts.Run) {
		if _, ok := rows[p]; !ok {
			os.Remove(p)
		}
	}
	return rows, nil
}

// Abort removes the temporary files, and the partition folders left
// empty; nothing half-written stays.
func (d *Dataset) Abort() {
	defer func() {
		for day := range d.parts {
			if dir := filepath.Dir(d.path(day, 0)); dir != d.dir {
				os.Remove(dir) // only when empty: an earlier run's parts stay
			}
		}
	}()
	d.closing.Wait()
	for _, pt := range d.open {
		pt.w.Abort()
		pt.out.Abort()
	}
	for _, pt := range d.done {
		if pt.w != nil {
			pt.w.Abort()
		}
		pt.out.Abort()
	}
}
