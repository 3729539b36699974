package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"analyze/ingest"
	"analyze/outfile"
	"analyze/report"
)

// ManifestName is the manifest's file name in a dataset's folder. Engines
// pass over names that start with '_'.
const ManifestName = "_analyze.json"

// Manifest is _analyze.json: which runs wrote the dataset, each with its
// accounting and its parts, and the dataset's totals over them. Each run
// rewrites it last, adding itself (and dropping the entry of the run of the
// same name it replaced).
type Manifest struct {
	Version string `json:"version"` // of the analyze that wrote it last
	Format  string `json:"format"`
	Accounting
	// Filter is the runs' time range and drill-down filters when every run
	// had the same ones; absent when none had any, or they differ (each
	// run's is in Runs).
	Filter *report.FilterInfo `json:"filter,omitempty"`
	Inputs []ManifestInput    `json:"inputs"`
	Files  map[string]int64   `json:"files"` // path relative to the dataset → rows
	Runs   []ManifestRun      `json:"runs"`
}

// ManifestRun is one run's part of the dataset.
type ManifestRun struct {
	ID      string    `json:"id"` // its parts are part-ID-NNNNN, requests-ID-NNNNN
	At      time.Time `json:"at"`
	Version string    `json:"version"`
	State   bool      `json:"state"` // it read only what was new since the last run (--state)
	Accounting
	Filter *report.FilterInfo `json:"filter,omitempty"`
	Inputs []ManifestInput    `json:"inputs"`
	Files  map[string]int64   `json:"files"`
}

// ManifestInput is one input of a run.
type ManifestInput struct {
	Path     string `json:"path"`
	Format   string `json:"format"`
	Lines    int64  `json:"lines"`
	Complete bool   `json:"complete"`
	// Skipped is how many lines of it earlier runs had read (--state).
	Skipped int64 `json:"skipped_lines,omitempty"`
}

// readManifest reads the manifest of the dataset at dir; a dataset with
// none (a new one) has an empty manifest. One written before manifests
// listed runs becomes one run, "earlier".
func readManifest(dir string) (*Manifest, error) {
	m := &Manifest{}
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err == nil {
		err = json.Unmarshal(b, m)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w (move it aside to start the manifest over)", filepath.Join(dir, ManifestName), err)
	}
	if m.Runs == nil && len(m.Files) > 0 {
		m.Runs = []ManifestRun{{ID: "earlier", Version: m.Version, Accounting: m.Accounting, Filter: m.Filter, Inputs: m.Inputs, Files: m.Files}}
	}
	return m, nil
}

// removeRun drops the entry of run.
func (m *Manifest) removeRun(run string) {
	m.Runs = slices.DeleteFunc(m.Runs, func(r ManifestRun) bool { return r.ID == run })
}

func newManifestRun(dir string, opts Options, r *Result, files []*ingest.File) ManifestRun {
	mr := ManifestRun{ID: opts.Run, At: time.Now().UTC(), Version: opts.Metadata["analyze.version"], State: opts.State != nil,
		Accounting: r.Accounting, Inputs: []ManifestInput{}, Files: map[string]int64{}}
	if !opts.Filter.IsZero() {
		f := opts.Filter
		mr.Filter = &f
	}
	for _, f := range files {
		mr.Inputs = append(mr.Inputs, ManifestInput{Path: f.Path, Format: f.FormatName(), Lines: f.Lines, Complete: f.Complete(), Skipped: f.SkipLines})
	}
	for p, n := range r.Files {
		rel, _ := filepath.Rel(dir, p)
		mr.Files[filepath.ToSlash(rel)] = n
	}
	return mr
}

// write sums the runs into the dataset's totals and writes the manifest.
func (m *Manifest) write(dir string) error {
	m.Accounting = Accounting{}
	m.Inputs, m.Files, m.Filter = []ManifestInput{}, map[string]int64{}, nil
	if m.Runs == nil {
		m.Runs = []ManifestRun{}
	}
	same := true
	for i, r := range m.Runs {
		m.Version = r.Version
		m.add(r.Accounting)
		m.Inputs = append(m.Inputs, r.Inputs...)
		for p, n := range r.Files {
			m.Files[p] = n
		}
		if i > 0 && !sameFilter(r.Filter, m.Runs[0].Filter) {
			same = false
		}
	}
	if same && len(m.Runs) > 0 {
		m.Filter = m.Runs[0].Filter
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return outfile.Write(filepath.Join(dir, ManifestName), func(f *os.File) error {
		_, err := f.Write(append(b, '\n'))
		return err
	})
}

func sameFilter(a, b *report.FilterInfo) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// CheckDataset says whether path is a Parquet dataset analyze export wrote,
// for the SQL over it: a folder whose manifest says so. A URL (s3://...,
// abfss://..., hdfs://...) is taken as given: the engine reads it, not
// analyze.
func CheckDataset(path string) error {
	if strings.Contains(path, "://") {
		return nil
	}
	m, err := readManifest(path)
	if err != nil {
		return err
	}
	switch {
	case len(m.Runs) == 0:
		return fmt.Errorf("%s is not a dataset analyze export wrote: it has no %s (give the --out folder of analyze export --to parquet, or a URL the engine reads)", path, ManifestName)
	case m.Format != "parquet":
		return fmt.Errorf("%s holds a %s dataset; the SQL reads Parquet (analyze export --to parquet)", path, m.Format)
	}
	return nil
}

// IsTemp reports whether a file name is one of a dataset's temporary files
// (a run killed mid-write leaves them; the next run removes them).
func IsTemp(name string) bool { return outfile.IsTemp(name) }
