package export

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Options configure a Dataset.
type Options struct {
	Format      string // "parquet" or "csv"
	Partition   string // "date" (Hive-style date=YYYY-MM-DD/) or "none"
	Compression string // Parquet: "zstd", "snappy" or "none"
	CSVSafe     bool   // neutralise CSV cells a spreadsheet would execute
	Metadata    map[string]string
}

// partWriter writes one file of a dataset.
type partWriter interface {
	Write(rec arrow.RecordBatch) error
	// Close finishes the file with the final key-value metadata (Parquet).
	Close(meta map[string]string) error
	Abort()
}

// Dataset writes batches to the files of an output folder. Every file is
// written under a hidden temporary name (tempName) and renamed into place by
// Commit, so an
// interrupted run leaves no half file under a name an engine would read;
// Abort removes the temporary files. Re-running over the same input writes
// the same names, and the renames replace the earlier files. A Dataset is
// for one goroutine.
type Dataset struct {
	dir    string
	opts   Options
	schema *arrow.Schema
	parts  map[string]partWriter // by final path
	tmp    map[string]string     // final path → temporary path
	rows   map[string]int64
}

// NewDataset prepares writing rows of schema to dir, which it creates
// (mode 0750) when missing.
func NewDataset(dir string, schema *arrow.Schema, opts Options) (*Dataset, error) {
	if opts.Format != "parquet" && opts.Format != "csv" {
		return nil, fmt.Errorf("cannot export to %q: want parquet or csv", opts.Format)
	}
	if opts.Partition != "date" && opts.Partition != "none" {
		return nil, fmt.Errorf("cannot partition by %q: want date or none", opts.Partition)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w", dir, err)
	}
	return &Dataset{dir: dir, opts: opts, schema: schema, parts: map[string]partWriter{}, tmp: map[string]string{}, rows: map[string]int64{}}, nil
}

// path returns the final path of a day's file.
func (d *Dataset) path(day string) string {
	name := "requests." + d.opts.Format
	if d.opts.Partition == "date" {
		return filepath.Join(d.dir, "date="+day, "part-00000."+d.opts.Format)
	}
	return filepath.Join(d.dir, name)
}

// Write adds a batch, which it releases.
func (d *Dataset) Write(b Batch) error {
	defer b.Record.Release()
	p := d.path(b.Day)
	w := d.parts[p]
	if w == nil {
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			return fmt.Errorf("cannot create %s: %w", filepath.Dir(p), err)
		}
		tmp := tempName(p)
		f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
		if err != nil {
			return fmt.Errorf("cannot create %s: %w", tmp, err)
		}
		if d.opts.Format == "parquet" {
			w, err = newParquetWriter(f, d.schema, d.opts.Compression)
		} else {
			w, err = newCSVWriter(f, d.schema, d.opts.CSVSafe)
		}
		if err != nil {
			f.Close()
			os.Remove(tmp)
			return err
		}
		d.parts[p], d.tmp[p] = w, tmp
	}
	d.rows[p] += b.Record.NumRows()
	if err := w.Write(b.Record); err != nil {
		return fmt.Errorf("cannot write %s: %w", d.tmp[p], err)
	}
	return nil
}

// Commit finishes every file and renames it into place; it returns the
// final paths with their row counts.
func (d *Dataset) Commit() (map[string]int64, error) {
	paths := make([]string, 0, len(d.parts))
	for p := range d.parts {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		meta := map[string]string{}
		for k, v := range d.opts.Metadata {
			meta[k] = v
		}
		meta["analyze.rows"] = fmt.Sprint(d.rows[p])
		if err := d.parts[p].Close(meta); err != nil {
			d.Abort()
			return nil, fmt.Errorf("cannot finish %s: %w", d.tmp[p], err)
		}
	}
	for _, p := range paths {
		if err := os.Rename(d.tmp[p], p); err != nil {
			d.Abort()
			return nil, fmt.Errorf("cannot rename %s: %w", d.tmp[p], err)
		}
		delete(d.tmp, p)
	}
	return d.rows, nil
}

// Abort removes the temporary files; nothing half-written stays.
func (d *Dataset) Abort() {
	for p, w := range d.parts {
		if tmp, ok := d.tmp[p]; ok {
			w.Abort()
			os.Remove(tmp)
		}
	}
}

// tempName is where a file is written before it is renamed to path: a
// hidden name (".part-00000.parquet.tmp-PID") that Hive-style readers, and
// globs such as *.parquet, pass over.
func tempName(path string) string {
	return filepath.Join(filepath.Dir(path), fmt.Sprintf(".%s.tmp-%d", filepath.Base(path), os.Getpid()))
}

// IsTemp reports whether a file name is one of a Dataset's temporary files.
func IsTemp(name string) bool {
	base := filepath.Base(name)
	return strings.HasPrefix(base, ".") && strings.Contains(base, ".tmp-")
}
