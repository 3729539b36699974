package export

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"analyze/ingest"
	"analyze/outfile"
	"analyze/state"
)

// Result is what an export wrote and read.
type Result struct {
	Files map[string]int64 // final path → rows
	Accounting
}

// Accounting is what a run read and wrote: lines = records + rejected +
// unrecognized + blank, and rows = records - filtered. The manifest gives
// it for each run and, summed, for the dataset.
type Accounting struct {
	Lines    int64 `json:"lines"`
	Records  int64 `json:"records"`
	Rejected int64 `json:"rejected"`
	// Unrecognized are the lines of inputs no format fits: not rejected,
	// not rows.
	Unrecognized int64 `json:"unrecognized"`
	Blank        int64 `json:"blank"`
	Filtered     int64 `json:"filtered"` // records Options.Select left out
	Rows         int64 `json:"rows"`
}

// add adds b to a.
func (a *Accounting) add(b Accounting) {
	a.Lines += b.Lines
	a.Records += b.Records
	a.Rejected += b.Rejected
	a.Unrecognized += b.Unrecognized
	a.Blank += b.Blank
	a.Filtered += b.Filtered
	a.Rows += b.Rows
}

// Run reads files and writes one row per record to a dataset in dir.
// Workers turn each block into Arrow batches (one per day in it); a single
// writer goroutine takes the batches, one channel send per block and day,
// and writes them. On error or cancellation nothing is renamed into place.
func Run(ctx context.Context, files []*ingest.File, in ingest.Options, dir string, opts Options) (*Result, error) {
	switch {
	case opts.Run != "":
	case opts.State != nil:
		// Each night's run reads other lines of the same inputs: a name
		// of its own, or it would replace the last night's rows.
		opts.Run = randomRun()
	default:
		opts.Run = RunID(files, opts)
	}
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	if m.Format != "" && m.Format != opts.Format {
		return nil, fmt.Errorf("cannot export %s rows to %s: it holds a %s dataset (give another --out)", opts.Format, dir, m.Format)
	}
	if st := opts.State; st != nil && st.Pending != nil {
		// The last run put parts in place but died before its state said
		// how far it read: its lines are read again now, so its parts go.
		if err := RemoveRun(st.Pending.Dataset, st.Pending.Run); err != nil {
			return nil, err
		}
		if sameDir(st.Pending.Dataset, dir) {
			m.removeRun(st.Pending.Run)
			if err := m.write(dir); err != nil {
				return nil, err
			}
		}
		st.Pending = nil
	}
	rolled, err := rollBackPending(dir, m)
	if err != nil {
		return nil, err
	}
	if rolled {
		if err := m.write(dir); err != nil {
			return nil, err
		}
		if err := clearAllPending(dir); err != nil {
			return nil, err
		}
	}
	outfile.Sweep(dir, true)
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
		key ingest.BlockKey
		bs  []Batch
	}
	batches := make(chan blockBatches, in.WorkerCount())
	var werr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		blocks := ingest.NewReorder[[]Batch](len(files))
		write := func(_ int, bs []Batch, _ bool) {
			for _, b := range bs {
				if werr == nil {
					werr = ds.Write(b)
				} else {
					b.Record.Release()
				}
			}
		}
		for bb := range batches {
			blocks.Put(bb.key, bb.bs, write)
		}
		blocks.Pending(func(bs []Batch) {
			for _, b := range bs {
				b.Record.Release()
			}
		})
	}()

	var sinks []*exportSink
	rerr := ingest.Drive(ctx, order, in, func(int, *ingest.Scanner) ingest.Sink {
		s := &exportSink{bt: NewBatcher(schema, extras)}
		s.bt.whole = opts.Partition != "date"
		if opts.Select != nil {
			s.keep = opts.Select()
		}
		s.send = func(b *ingest.Block) { batches <- blockBatches{b.Key(), s.bt.Flush()} }
		sinks = append(sinks, s)
		return s
	})
	close(batches)
	wg.Wait()
	res := &Result{}
	for _, s := range sinks {
		c := s.counts
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
	st := opts.State
	if st != nil {
		// Said before the parts go in place: a run that dies from here on
		// leaves a state whose next run removes them (see above).
		st.Pending = &state.PendingExport{Run: opts.Run, Dataset: absDir(dir)}
		if err := st.Save(); err != nil {
			ds.Abort()
			return nil, fmt.Errorf("cannot save --state: %w", err)
		}
	}
	// The marker covers the renames and the manifest, for any run into
	// this dataset; the state's pending_export also covers the moment
	// after the marker goes and before the offsets are saved (the
	// manifest lists the run, the offsets do not), and a next run into
	// another dataset. Neither alone covers both.
	if err := markPending(dir, opts.Run); err != nil {
		ds.Abort()
		return nil, err
	}
	if res.Files, err = ds.Commit(); err != nil {
		return nil, err
	}
	for _, n := range res.Files {
		res.Rows += n
	}
	if err := removeLegacyCodes(dir); err != nil {
		return nil, err
	}
	m.Format = opts.Format
	m.removeRun(opts.Run)
	if res.Lines > 0 || len(res.Files) > 0 {
		m.Runs = append(m.Runs, newManifestRun(dir, opts, res, files))
	}
	if err := m.write(dir); err != nil {
		return nil, err
	}
	if err := clearPending(dir, opts.Run); err != nil {
		return nil, err
	}
	if st != nil {
		st.Update(files, time.Now())
		st.Pending = nil
		if err := st.Save(); err != nil {
			return nil, fmt.Errorf("cannot save --state: %w (the next run removes this run's rows and reads its lines again)", err)
		}
	}
	return res, nil
}

// RunID names an export run by what it reads: the first bytes of each
// input, the format and partitioning, and the filters. The same inputs
// exported again (a log that grew since, a re-run after a failure) get the
// same name, and their new parts replace the old; other inputs get
// another, and their rows are added. An input that cannot be read twice
// (standard input, a FIFO) makes the run's name random.
func RunID(files []*ingest.File, opts Options) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", opts.Format, opts.Partition)
	filter, _ := json.Marshal(opts.Filter)
	h.Write(filter)
	heads := ingest.Heads(files, 1024)
	sums := make([]string, 0, len(files))
	for i, f := range files {
		info, err := os.Stat(f.Path)
		if f.Path == "-" || err != nil || !info.Mode().IsRegular() || heads[i] == nil {
			return randomRun()
		}
		sum := sha256.Sum256(heads[i])
		sums = append(sums, hex.EncodeToString(sum[:]))
	}
	slices.Sort(sums)
	for _, s := range sums {
		fmt.Fprintf(h, "\x00%s", s)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// randomRun is a run name that no other run has.
func randomRun() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
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

// sameDir reports whether a and b name one folder, however spelled
// (relative, absolute, through links).
func sameDir(a, b string) bool {
	if absDir(a) == absDir(b) {
		return true
	}
	ia, err := os.Stat(a)
	if err != nil {
		return false
	}
	ib, err := os.Stat(b)
	return err == nil && os.SameFile(ia, ib)
}

// absDir is dir as an absolute path, as the state remembers a dataset.
func absDir(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// exportSink is one worker's part of Run: the rows of a block, as Arrow
// batches handed to the writer at its end, and the lines counted.
type exportSink struct {
	_      [64]byte // apart from the other workers' (false sharing: counts is written per line)
	bt     *Batcher
	keep   func(*ingest.Record) bool // nil: every record
	send   func(*ingest.Block)       // hands the block's batches to the writer
	counts struct{ records, rejected, unrecognized, blank, filtered int64 }
	_      [64]byte
}

func (s *exportSink) Record(r *ingest.Record) {
	s.counts.records++
	if s.keep != nil && !s.keep(r) {
		s.counts.filtered++
		return
	}
	s.bt.Add(r)
}

func (s *exportSink) Reject(rej *ingest.Rejection) {
	if rej.Reason == ingest.NoFormat {
		s.counts.unrecognized++
	} else {
		s.counts.rejected++
	}
}

func (s *exportSink) Blank(*ingest.File)       { s.counts.blank++ }
func (s *exportSink) StartBlock(*ingest.Block) {}
func (s *exportSink) EndBlock(b *ingest.Block) { s.send(b) }
