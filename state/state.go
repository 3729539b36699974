// Package state remembers, between runs, how far each input was read, so a
// nightly run over rotated logs reads each byte once.
//
// An input is known by a fingerprint of its first bytes (decompressed), not
// by its name: when logrotate renames access.log to access.log.1 and later
// compresses it to access.log.2.gz, all three carry the same first bytes,
// and the run reads only what was appended after the offset an earlier run
// reached. A file truncated in place (copytruncate) starts with new bytes
// and is read from its start; one that holds fewer bytes than the offset
// under the same first bytes was rewritten and is read whole again.
package state

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
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
)

// Version is the version of the state file's layout; a file of another
// version is refused, never silently reset. Versions 1 (inputs only) and 2
// (no open_file) are read too, and written back as version 3.
const Version = 3

// headBytes is how many first bytes make a fingerprint: enough to hold the
// first line or lines, timestamps included, of any access log.
const headBytes = 1024

// forget is how long an input that no run saw any more stays remembered: a
// log that was unreadable for a night is not read again from its start.
const forget = 14 * 24 * time.Hour

// keepRuns is how long the aggregates of a run are kept for reports over a
// period (--since with --state).
const keepRuns = 35 * 24 * time.Hour

// Entry is what the state remembers of one input. These keys are the state
// file's contract (see docs/cron.md, "Incremental runs").
type Entry struct {
	Path        string    `json:"path"`        // where it was last seen
	Fingerprint string    `json:"fingerprint"` // SHA-256 of its first head_bytes bytes, decompressed
	HeadBytes   int       `json:"head_bytes"`  // up to 1024; fewer for a shorter file
	Offset      int64     `json:"offset"`      // decompressed bytes read, across runs
	Lines       int64     `json:"lines"`       // lines read, across runs
	Seen        time.Time `json:"seen"`        // the last run that saw it
	// Held is the length of an unterminated last line left unread at
	// Offset (ingest.File.HoldTail); omitted when none was.
	Held int64 `json:"held,omitempty"`
}

// Run is what the state keeps of one run: the span of its records and its
// aggregates (report.Summary.Snapshot), so a later run can report on a
// period without reading old logs again.
type Run struct {
	At      time.Time  `json:"at"`    // when it ran
	First   *time.Time `json:"first"` // its first record; null when it had none
	Last    *time.Time `json:"last"`  // its last record
	Lines   int64      `json:"lines"`
	Records int64      `json:"records"`
	// File names the run's encoded summary (gob, zstd), in the folder
	// beside the state file (RunsDir); it is read only when a report over
	// a period needs the run, so the state file itself stays small.
	File string `json:"aggregates_file"`

	aggregates []byte // a new run's, until Save writes it
}

// State is the set of remembered inputs and runs, loaded from and saved to
// one file.
type State struct {
	Version int `json:"version"`
	// Kind is what keeps the state: "report" (analyze report and its
	// kin) or "export"; each reads its inputs on its own, so one state
	// serves one of them (absent in files of earlier versions: report's).
	Kind  string  `json:"kind,omitempty"`
	Files []Entry `json:"files"`
	Runs  []Run   `json:"runs"`
	// OpenFile names, in the runs folder, what the last run that read a
	// record left open: the retry chains and 429s a later run takes up
	// (report.Summary.Carry). Empty when no run stored one.
	OpenFile string `json:"open_file,omitempty"`
	// Pending is an export run that may have put parts into its dataset
	// before the state said how far it read: the next run removes them,
	// since it reads those lines again.
	Pending *PendingExport `json:"pending_export,omitempty"`

	open  []byte // a new run's carry, until Save writes it
	path  string
	heads map[*ingest.File][]byte
}

// PendingExport names an export run's parts: part-RUN-*.
type PendingExport struct {
	Run     string `json:"run"`
	Dataset string `json:"dataset"` // the dataset's folder
}

// Load reads the state file at path; a missing file is an empty state (the
// first run). A file that does not decode, or of another version, is an
// error: resetting it would read every log again and count it twice.
func Load(path string) (*State, error) {
	s := &State{Version: Version, Files: []Entry{}, Runs: []Run{}, path: path, heads: map[*ingest.File][]byte{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("--state: %w", err)
	}
	var v struct {
		Version *int           `json:"version"`
		Kind    string         `json:"kind"`
		Files   []Entry        `json:"files"`
		Runs    []Run          `json:"runs"`
		Open    string         `json:"open_file"`
		Pending *PendingExport `json:"pending_export"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("--state %s: not a state file (%v); move it aside to start over, which reads every input again", path, err)
	}
	if v.Version == nil || *v.Version < 1 || *v.Version > Version {
		got := "none"
		if v.Version != nil {
			got = fmt.Sprint(*v.Version)
		}
		return nil, fmt.Errorf("--state %s: version %s, this analyze reads version %d; move it aside to start over, which reads every input again", path, got, Version)
	}
	s.Kind, s.Pending = v.Kind, v.Pending
	if v.Files != nil {
		s.Files = v.Files
	}
	if v.Runs != nil {
		s.Runs = v.Runs
	}
	s.OpenFile = v.Open
	return s, nil
}

// For checks that the state is one kind's, "report" or "export", and
// marks it so when it is new: a state that the other kind keeps would make
// each skip the lines the other read.
func (s *State) For(kind string) error {
	got := s.Kind
	if got == "" && (len(s.Runs) > 0 || len(s.Files) > 0) {
		got = "report" // written before states said whose they are
	}
	if got != "" && got != kind {
		return fmt.Errorf("--state %s is analyze %s's: give analyze %s a state file of its own", s.path, got, kind)
	}
	s.Kind = kind
	return nil
}

// Carry returns what the last run left open (SetCarry), as it was stored;
// nil when no run stored any.
func (s *State) Carry() ([]byte, error) {
	if s.open != nil {
		return s.open, nil
	}
	if s.OpenFile == "" {
		return nil, nil
	}
	if filepath.Base(s.OpenFile) != s.OpenFile {
		return nil, fmt.Errorf("--state %s: cannot read the open retry chains: %q is not a file name", s.path, s.OpenFile)
	}
	b, err := os.ReadFile(filepath.Join(s.RunsDir(), s.OpenFile))
	if err != nil {
		return nil, fmt.Errorf("--state %s: cannot read the open retry chains: %w", s.path, err)
	}
	return b, nil
}

// SetCarry keeps what this run leaves open for the next (written by Save,
// in the runs folder, in place of the last one).
func (s *State) SetCarry(b []byte, now time.Time) {
	if b == nil {
		b = []byte{}
	}
	s.open = b
	var tag [4]byte
	rand.Read(tag[:])
	s.OpenFile = fmt.Sprintf("open-%d-%x.bin", now.UnixNano(), tag)
}

// AddRun keeps a run and its aggregates (written by Save); runs older
// than five weeks are forgotten.
func (s *State) AddRun(r Run, aggregates []byte, now time.Time) {
	kept := s.Runs[:0]
	for _, o := range s.Runs {
		if now.Sub(o.At) < keepRuns {
			kept = append(kept, o)
		}
	}
	r.aggregates = aggregates
	var tag [4]byte
	rand.Read(tag[:])
	r.File = fmt.Sprintf("run-%d-%x.agg", r.At.UnixNano(), tag)
	s.Runs = append(kept, r)
}

// RunsDir is the folder of the runs' aggregates: the path of the state
// file, its links followed, with ".runs" added, so that a link and its
// target name one folder (as they name one lock, FILE.lock).
func (s *State) RunsDir() string { return runsDir(s.path) }

func runsDir(path string) string {
	if target, _, err := outfile.Resolve(path); err == nil {
		path = target
	}
	return path + ".runs"
}

// Aggregates reads a stored run's encoded summary.
func (s *State) Aggregates(r Run) ([]byte, error) {
	if r.aggregates != nil {
		return r.aggregates, nil
	}
	if r.File == "" || filepath.Base(r.File) != r.File {
		return nil, fmt.Errorf("--state %s: a run names no aggregates file", s.path)
	}
	b, err := os.ReadFile(filepath.Join(s.RunsDir(), r.File))
	if err != nil {
		return nil, fmt.Errorf("--state %s: the aggregates of the run of %s: %w", s.path, r.At.Format(time.RFC3339), err)
	}
	return b, nil
}

// Between returns the kept runs whose records overlap [since, until); zero
// bounds are open. Runs without records are left out.
func (s *State) Between(since, until time.Time) []Run {
	var out []Run
	for _, r := range s.Runs {
		if r.First == nil || r.Last == nil {
			continue
		}
		if (since.IsZero() || !r.Last.Before(since)) && (until.IsZero() || r.First.Before(until)) {
			out = append(out, r)
		}
	}
	return out
}

// Resume sets, for each input an earlier run read, where this run starts
// (File.Skip, File.SkipLines). Standard input is always read whole. An
// input whose first bytes cannot be read is read whole too; its error
// shows again when the reader meets it.
func (s *State) Resume(files []*ingest.File) {
	heads := ingest.Heads(files, headBytes)
	idx := s.index()
	for i, f := range files {
		if f.Path == "-" {
			continue
		}
		s.heads[f] = heads[i]
		f.HoldTail = true
		if e := idx.match(heads[i]); e != nil {
			f.Skip, f.SkipLines = e.Offset, e.Lines
			// Left unread last time, and the input has not grown since:
			// no more is coming, so the unterminated line is read as it is.
			if e.Held > 0 {
				if info, err := os.Stat(f.Path); err == nil && info.Size() == e.Offset+e.Held {
					f.HoldTail = false
				}
			}
		}
	}
}

// entryIndex finds entries by fingerprint: by the length of the head a
// fingerprint covers (longest first; most are headBytes, a file shorter
// than that has its own), then by fingerprint. Matching an input costs a
// hash per distinct length, not a pass over every entry.
type entryIndex struct {
	lengths []int // distinct HeadBytes, longest first
	by      map[int]map[string]*Entry
}

func (s *State) index() entryIndex {
	x := entryIndex{by: map[int]map[string]*Entry{}}
	for i := range s.Files {
		e := &s.Files[i]
		if e.HeadBytes == 0 {
			continue
		}
		m := x.by[e.HeadBytes]
		if m == nil {
			m = map[string]*Entry{}
			x.by[e.HeadBytes] = m
			x.lengths = append(x.lengths, e.HeadBytes)
		}
		if m[e.Fingerprint] == nil { // the first of equal entries, as a pass in order finds
			m[e.Fingerprint] = e
		}
	}
	slices.SortFunc(x.lengths, func(a, b int) int { return b - a })
	return x
}

// match returns the entry whose fingerprint head starts with, preferring
// the longest fingerprint; nil when none does.
func (x entryIndex) match(head []byte) *Entry {
	for _, n := range x.lengths {
		if n > len(head) {
			continue
		}
		if e := x.by[n][fingerprint(head[:n])]; e != nil {
			return e
		}
	}
	return nil
}

// Update records how far this run read each input; inputs no run has seen
// for two weeks are forgotten.
func (s *State) Update(files []*ingest.File, now time.Time) {
	var fresh []Entry
	at := map[string]int{} // fingerprint and length → index in fresh
	for _, f := range files {
		head, ok := s.heads[f]
		if !ok {
			continue
		}
		if len(head) < headBytes {
			// It grew while being read, or was empty: fingerprint what is
			// there now (its first bytes do not change as it grows).
			if h, _ := ingest.Head(f, headBytes); len(h) > len(head) {
				head = h
			}
		}
		// An input that failed while skipping (a damaged gzip member)
		// stopped short of where an earlier run got: keep that mark.
		offset := max(f.Offset, f.Skip)
		head = head[:min(len(head), int(offset))]
		if len(head) == 0 {
			continue
		}
		e := Entry{Path: f.Path, Fingerprint: fingerprint(head), HeadBytes: len(head),
			Offset: offset, Lines: f.SkipLines + f.Lines, Seen: now.UTC(), Held: f.Held}
		key := fmt.Sprint(e.Fingerprint, e.HeadBytes)
		if i, ok := at[key]; !ok {
			at[key] = len(fresh)
			fresh = append(fresh, e)
		} else if fresh[i].Offset < e.Offset {
			fresh[i] = e
		}
	}
	for _, e := range s.Files {
		if _, ok := at[fmt.Sprint(e.Fingerprint, e.HeadBytes)]; !ok && now.Sub(e.Seen) < forget {
			fresh = append(fresh, e)
		}
	}
	s.Files = fresh
}

// Save writes the new runs' aggregates and what the run left open, then
// the state file, each atomically, then removes the aggregates no run
// names any more and the open file the state no longer names: a run that
// dies at any point leaves a state file whose runs, and open file, all
// have theirs.
func (s *State) Save() error {
	if s.open != nil {
		if err := os.MkdirAll(s.RunsDir(), 0o750); err != nil {
			return err
		}
		err := outfile.Write(filepath.Join(s.RunsDir(), s.OpenFile), func(f *os.File) error {
			_, err := f.Write(s.open)
			return err
		})
		if err != nil {
			return err
		}
		s.open = nil
	}
	for i := range s.Runs {
		r := &s.Runs[i]
		if r.aggregates == nil {
			continue
		}
		if err := os.MkdirAll(s.RunsDir(), 0o750); err != nil {
			return err
		}
		err := outfile.Write(filepath.Join(s.RunsDir(), r.File), func(f *os.File) error {
			_, err := f.Write(r.aggregates)
			return err
		})
		if err != nil {
			return err
		}
		r.aggregates = nil
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	err = outfile.Write(s.path, func(f *os.File) error {
		_, err := f.Write(append(b, '\n'))
		return err
	})
	if err != nil {
		return err
	}
	named := map[string]bool{}
	for _, r := range s.Runs {
		named[r.File] = true
	}
	entries, _ := os.ReadDir(s.RunsDir())
	for _, e := range entries {
		stale := strings.HasPrefix(e.Name(), "run-") && strings.HasSuffix(e.Name(), ".agg") && !named[e.Name()] ||
			strings.HasPrefix(e.Name(), "open-") && strings.HasSuffix(e.Name(), ".bin") && e.Name() != s.OpenFile
		if stale {
			os.Remove(filepath.Join(s.RunsDir(), e.Name()))
		}
	}
	return nil
}

func fingerprint(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Omit returns files without the state file at path and what its runs
// folder holds, which a folder or pattern given as input can take in (a
// state kept beside the logs): a run would read its own state as a log.
// The files left are numbered again (File.Index), in order.
func Omit(files []*ingest.File, path string) []*ingest.File {
	self, err := os.Stat(path)
	runs, aerr := filepath.Abs(runsDir(path))
	kept := files[:0:0]
	for _, f := range files {
		if f.Path != "-" {
			if fi, err2 := os.Stat(f.Path); err == nil && err2 == nil && os.SameFile(fi, self) {
				continue
			}
			if p, err := filepath.Abs(f.Path); aerr == nil && err == nil && strings.HasPrefix(p, runs+string(filepath.Separator)) {
				continue
			}
		}
		f.Index = len(kept)
		kept = append(kept, f)
	}
	return kept
}
