package state

import (
	"fmt"
	"time"

	"analyze/ingest"
	"analyze/report"
)

// A report run with --state (analyze report and its kin) goes through the
// state in four steps: OpenCarry before reading, for the retry chains and
// 429s the last run left open; TakeRun once its inputs are aggregated,
// before report.Build closes what is still open; MergeRuns, with a period,
// for the stored runs the report takes in; and Commit once the report is
// out, followed by Save.

// OpenCarry returns what the last run left open (Carry, decoded), for
// report.Config.Carry: empty when no run stored any.
func (s *State) OpenCarry() (*report.Carry, error) {
	b, err := s.Carry()
	if err != nil {
		return nil, err
	}
	c, err := report.DecodeCarry(b)
	if err != nil {
		return nil, fmt.Errorf("--state %s: %w", s.path, err)
	}
	return c, nil
}

// PendingRun is what the state keeps of a report run, taken from its
// Summary (TakeRun) and kept by Commit once the report is out.
type PendingRun struct {
	run  Run
	snap []byte // the run's aggregates (report.Summary.Snapshot)
	open []byte // what it left open (report.Summary.Carry)
}

// TakeRun takes what the state keeps of a report run over files: the span
// of its records, its accounting, its aggregates and what it leaves open.
// It is taken before report.Build, which closes the retry chains still
// open: the aggregates count what this run decided, the carry what it
// left open.
func TakeRun(files []*ingest.File, sum *report.Summary) (*PendingRun, error) {
	snap, err := sum.Snapshot(files)
	if err != nil {
		return nil, err
	}
	open, err := sum.Carry()
	if err != nil {
		return nil, err
	}
	return &PendingRun{run: newRun(files, sum), snap: snap, open: open}, nil
}

// newRun is what the state keeps of this run: the span of its records
// and its accounting.
func newRun(files []*ingest.File, sum *report.Summary) Run {
	var r Run
	if first := sum.First(); !first.IsZero() {
		last := sum.Last()
		r.First, r.Last = &first, &last
	}
	for i, f := range files {
		r.Lines += f.Lines
		r.Records += sum.Files[i].Records
	}
	return r
}

// MergeRuns merges into sum, this run's Summary, the stored runs whose
// records overlap the period since..until (whole runs: report.Summary's
// Stored counts them), and returns the period as the report's filter. A
// relative bound (7d) counts back from the latest record of this run and
// of the stored runs.
func (s *State) MergeRuns(sum *report.Summary, since, until report.Bound) (report.Filter, error) {
	latest := sum.Last()
	for _, r := range s.Runs {
		if r.Last != nil && r.Last.After(latest) {
			latest = *r.Last
		}
	}
	filter := report.Filter{Since: since.Resolve(latest), Until: until.Resolve(latest)}
	for _, r := range s.Between(filter.Since, filter.Until) {
		agg, err := s.Aggregates(r)
		if err != nil {
			return filter, err
		}
		if err := sum.MergeSnapshot(agg); err != nil {
			return filter, fmt.Errorf("--state %s: %w", s.path, err)
		}
	}
	return filter, nil
}

// Commit keeps, once the report is out, where each of files was left and,
// when the run read any line, the run p and what it left open; Save writes
// them. A run that failed before reads the same bytes again next time.
func (s *State) Commit(files []*ingest.File, p *PendingRun, now time.Time) {
	s.Update(files, now)
	if p.run.Lines > 0 {
		p.run.At = now.UTC()
		s.AddRun(p.run, p.snap, now)
		s.SetCarry(p.open, now)
	}
}
