package watch

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"analyze/ingest"
	"analyze/report"
	"analyze/report/analysis"
)

// Config says what an Engine analyses.
type Config struct {
	// Report is what the batch report would be given (quota window and
	// limits, retry options); its Filter and Carry are the Engine's.
	Report report.Config
	// Options shape the report of each window (Top, TZ, Version).
	Options report.Options
	// Horizon is how far back minutes are kept: the incidents are found
	// on them and the baseline is their window. Less than 15m is 15m.
	Horizon time.Duration
	// Start: records before it are counted, not analysed (the part of an
	// existing log older than the horizon). Zero: every record.
	Start time.Time
	// Grace is how long after a minute's end its lines may still come
	// (from another file, or a writer's buffer) and be counted in it; 0
	// means 10 s. A line later still is counted with the oldest minute
	// still open.
	Grace time.Duration
	// Parse configures the parsers.
	Parse ingest.ParseOptions
}

// ahead is how far past the log's clock, and the machine's, a record may
// be stamped and still move the log's clock (report.AheadOfClock): beyond,
// one file whose clock runs ahead (or a mangled stamp) would put every
// later line in a minute still to come. A log read as it is written is
// stamped about now; one replayed is in the past; one whose every stamp
// is ahead (a server's clock set wrong) moves its clock line by line,
// within it.
const ahead = report.AheadOfClock

// windowMinutes are the windows shown, in minutes; the baseline (the
// horizon) follows them.
var windowMinutes = []int64{1, 5, 15}

// Engine turns the lines of the followed files into Frames. It is not safe
// for concurrent use: the caller serialises Add and Frame.
type Engine struct {
	cfg     Config
	horizon int64 // minutes
	grace   int64 // ns
	start   int64 // ns; records before it are not analysed
	sc      *ingest.Scanner
	files   []*ingest.File // the followed inputs, by Index as the follower numbers them
	dirs    [][]byte       // by input: the directive lines in effect (W3C's #Fields)
	filter  string
	match   *report.Match

	// The log's clock: the latest record's time, and the wall-clock time
	// it was read at.
	latest int64
	readAt time.Time
	seen   bool

	pre   *bucket       // the lines before the first record, until it comes
	open  []*bucket     // the minutes still open, oldest first
	done  []*stored     // the minutes closed within the horizon, oldest first
	carry *report.Carry // what the last closed minute left open

	in Input // every line read
}

// bucket is an open minute: the lines of its records, per followed input,
// as read, and its run as they stand (refreshOpen).
type bucket struct {
	minute int64
	data   []pieces      // by followed input
	dirs   [][]byte      // by followed input: the directives in effect at its first line
	ran    bool          // snap, counts and carry are of the lines as they stand
	snap   []byte        // the run's snapshot, under the filter when there is one
	counts minuteCounts  // and its counts
	carry  *report.Carry // what it leaves open, for the next open minute
}

// stored is a closed minute: its run's snapshot (report.Summary.Snapshot)
// and its counts for the sparklines.
type stored struct {
	minute int64
	snap   []byte
	counts minuteCounts
	// raw is the minute's lines per followed input, compressed: run
	// again under a filter (SetFilter).
	raw  []pieces
	dirs [][]byte
	// Under the filter: the run's snapshot and what it left open (nil
	// until run).
	fsnap   []byte
	fcarry  *report.Carry
	fcounts minuteCounts
}

type minuteCounts struct{ success, clientError, serverError, rateLimited int64 }

// NewEngine returns an Engine with nothing read.
func NewEngine(cfg Config) *Engine {
	h := int64(cfg.Horizon / time.Minute)
	if cfg.Horizon%time.Minute != 0 {
		h++
	}
	h = max(h, windowMinutes[len(windowMinutes)-1])
	grace := cfg.Grace
	if grace <= 0 {
		grace = 10 * time.Second
	}
	e := &Engine{cfg: cfg, horizon: h, grace: int64(grace), sc: ingest.NewScanner(cfg.Parse)}
	if !cfg.Start.IsZero() {
		e.start = cfg.Start.UnixNano()
	}
	return e
}

// Horizon is the minutes kept.
func (e *Engine) Horizon() time.Duration { return time.Duration(e.horizon) * time.Minute }

// SetFilter keeps, in every window from now on, only the records sel
// selects: the drill-down flags' words, as client=NAME endpoint=GLOB
// status=LIST method=LIST class=LIST host=GLOB, space-separated ("" for
// none). The minutes closed before are counted again under it.
func (e *Engine) SetFilter(sel string) error {
	m, err := ParseSelector(sel)
	if err != nil {
		return err
	}
	e.filter, e.match = sel, m
	for _, st := range e.done {
		st.fsnap, st.fcarry = nil, nil
	}
	for _, b := range e.open {
		b.ran = false
	}
	return nil
}

// filtered runs the stored minutes not yet run under the filter, oldest
// first, each taking up what the one before left open (the oldest, what
// it would have carried is gone with the minute before it).
func (e *Engine) filtered(ctx context.Context) error {
	var carry *report.Carry
	for _, st := range e.done {
		if st.fsnap != nil {
			carry = st.fcarry
			continue
		}
		b, err := decompress(st.raw)
		if err != nil {
			return err
		}
		sum, files, err := e.run(ctx, &bucket{minute: st.minute, data: b, dirs: st.dirs}, carry, e.match)
		if err != nil {
			return err
		}
		c, err := sum.Carry()
		if err != nil {
			return err
		}
		if st.fsnap, err = sum.Snapshot(files); err != nil {
			return err
		}
		if st.fcarry, err = report.DecodeCarry(c); err != nil {
			return err
		}
		st.fcounts = countsOf(sum)
		carry = st.fcarry
	}
	return nil
}

// Add counts whole lines of f (each ending in a newline), read at
// wall-clock time now. Tick then closes the minutes they complete.
func (e *Engine) Add(f *ingest.File, data []byte, now time.Time) {
	for len(e.files) <= f.Index {
		e.files = append(e.files, nil)
		e.dirs = append(e.dirs, nil)
	}
	e.files[f.Index] = f
	lines := bytes.Count(data, []byte{'\n'})
	if len(data) > 0 && data[len(data)-1] != '\n' {
		lines++
	}
	e.sc.Reset(&ingest.Block{File: f, Data: data, Lines: lines, Line: 1, Format: f.Format, Directives: e.dirs[f.Index]})
	rest := data
	for e.sc.Next() {
		var line []byte
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i+1], rest[i+1:]
		} else {
			line, rest = append(rest[:len(rest):len(rest)], '\n'), nil
		}
		e.in.Lines++
		var b *bucket
		switch e.sc.Kind() {
		case ingest.KindRecord:
			e.in.Records++
			t := e.sc.Record().Time.UnixNano()
			if e.seen && t > e.clock(now)+int64(ahead) && t > now.UnixNano()+int64(ahead) {
				// Far past both the log's clock (moved on by the time
				// since its latest record was read, so that a quiet
				// spell does not count) and the machine's: a clock gone
				// wrong, or a mangled stamp that parses. Counted with
				// the newest minute, it moves no clock. (A log whose
				// every stamp is ahead, a server's clock set wrong,
				// keeps its own clock.)
				e.in.Ahead++
				b = e.newest()
				break
			}
			first := !e.seen
			if first || t > e.latest {
				e.latest, e.readAt, e.seen = t, now, true
			}
			pre := e.pre
			e.pre = nil
			if t < e.start {
				e.in.Before++ // and the lines before it, counted, are not analysed either
				continue
			}
			b = e.bucketFor(floorMinute(t))
			if first && pre != nil && len(b.data) == 0 {
				// The lines before the first record (a W3C header, a
				// line that did not parse) go with its minute.
				b.data, b.dirs = pre.data, pre.dirs
			}
		case ingest.KindRejected:
			if e.sc.Rejection().Reason == ingest.NoFormat {
				e.in.Unrecognized++
			} else {
				e.in.Rejected++
			}
			b = e.newest()
		default:
			e.in.Blank++
			b = e.newest()
		}
		for len(b.data) <= f.Index {
			b.data = append(b.data, nil)
			b.dirs = append(b.dirs, nil)
		}
		if len(b.data[f.Index]) == 0 {
			b.dirs[f.Index] = e.dirs[f.Index]
		}
		b.data[f.Index].add(line)
		b.ran = false
		if len(line) > 0 && line[0] == '#' && f.Format != nil && f.Format.Directives() {
			e.dirs[f.Index] = ingest.NextDirectives(e.dirs[f.Index], line)
		}
	}
}

// bucketFor returns the open minute m, opening it (and no other) when
// needed; a line for a minute closed already goes to the oldest open one.
func (e *Engine) bucketFor(m int64) *bucket {
	if len(e.done) > 0 && m <= e.done[len(e.done)-1].minute {
		if len(e.open) > 0 {
			return e.open[0]
		}
		m = e.done[len(e.done)-1].minute + 1
	}
	i, found := slices.BinarySearchFunc(e.open, m, func(b *bucket, m int64) int { return cmpInt(b.minute, m) })
	if !found {
		e.open = slices.Insert(e.open, i, &bucket{minute: m})
	}
	return e.open[i]
}

// newest returns the open minute of the log's clock, for lines without a
// time (rejected, blank).
func (e *Engine) newest() *bucket {
	if !e.seen {
		// No clock yet: held until the first record gives one.
		if e.pre == nil {
			e.pre = &bucket{}
		}
		return e.pre
	}
	if len(e.open) > 0 {
		return e.open[len(e.open)-1]
	}
	return e.bucketFor(floorMinute(e.latest))
}

// clock is the log's clock at wall-clock time now.
func (e *Engine) clock(now time.Time) int64 {
	if !e.seen {
		return now.UnixNano()
	}
	return e.latest + max(0, int64(now.Sub(e.readAt)))
}

// Tick runs each open minute whose end, plus the grace, the log's clock
// has passed at wall-clock time now, in time order, and keeps it as a
// stored run; then forgets the stored minutes past the horizon.
func (e *Engine) Tick(ctx context.Context, now time.Time) error {
	clock := e.clock(now)
	for len(e.open) > 0 && (e.open[0].minute+1)*int64(time.Minute)+e.grace <= clock {
		b := e.open[0]
		st := &stored{minute: b.minute, raw: compress(b.data), dirs: b.dirs}
		if b.ran && e.match == nil {
			// Its run as it stands is the one to keep.
			st.snap, st.counts, e.carry = b.snap, b.counts, b.carry
		} else {
			snap, counts, carry, err := e.runMinute(ctx, b, e.carry, nil)
			if err != nil {
				return err
			}
			st.snap, st.counts, e.carry = snap, counts, carry
			if len(e.open) > 1 {
				e.open[1].ran = false // it took up what the old run left open
			}
		}
		e.done = append(e.done, st)
		e.open = e.open[1:]
		if e.match != nil {
			if err := e.filtered(ctx); err != nil {
				return err
			}
		}
	}
	first := e.firstMinute(clock, e.horizon)
	for len(e.done) > 0 && e.done[0].minute < first {
		e.done = e.done[1:]
	}
	return nil
}

// refreshOpen runs each open minute whose lines changed since its run, or
// whose minute before it did (it takes up what that one leaves open).
func (e *Engine) refreshOpen(ctx context.Context) error {
	carry := e.carry
	if e.match != nil {
		carry = nil
		if len(e.done) > 0 {
			carry = e.done[len(e.done)-1].fcarry
		}
	}
	stale := false
	for _, b := range e.open {
		if !b.ran || stale {
			snap, counts, c, err := e.runMinute(ctx, b, carry, e.match)
			if err != nil {
				return err
			}
			b.snap, b.counts, b.carry, b.ran = snap, counts, c, true
			stale = true
		}
		carry = b.carry
	}
	return nil
}

// runMinute runs one minute, taking up carry, and returns its snapshot,
// counts and what it leaves open.
func (e *Engine) runMinute(ctx context.Context, b *bucket, carry *report.Carry, match *report.Match) ([]byte, minuteCounts, *report.Carry, error) {
	sum, files, err := e.run(ctx, b, carry, match)
	if err != nil {
		return nil, minuteCounts{}, nil, err
	}
	c, err := sum.Carry()
	if err != nil {
		return nil, minuteCounts{}, nil, err
	}
	snap, err := sum.Snapshot(files)
	if err != nil {
		return nil, minuteCounts{}, nil, err
	}
	left, err := report.DecodeCarry(c)
	if err != nil {
		return nil, minuteCounts{}, nil, err
	}
	return snap, countsOf(sum), left, nil
}

// run aggregates the lines of one minute as a run, taking up carry; with
// b nil, none (an empty run, the base windows are merged into).
func (e *Engine) run(ctx context.Context, b *bucket, carry *report.Carry, match *report.Match) (*report.Summary, []*ingest.File, error) {
	var files []*ingest.File
	for i, f := range e.files {
		if b == nil || i >= len(b.data) || len(b.data[i]) == 0 {
			continue
		}
		data := [][]byte(b.data[i])
		files = append(files, &ingest.File{Index: len(files), Path: f.Path, Data: data, Directives: b.dirs[i], Format: f.Format,
			Detection: f.Detection, Compression: f.Compression})
	}
	cfg := e.cfg.Report
	cfg.Carry = carry
	cfg.Filter = report.Filter{Match: match}
	sum, err := report.Aggregate(ctx, files, ingest.Options{Workers: 1, Parse: e.cfg.Parse}, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot analyse the minute: %w", err)
	}
	return sum, files, nil
}

func countsOf(s *report.Summary) minuteCounts {
	c := analysis.ClassesOf(s.Classes)
	return minuteCounts{success: c.Success + c.Redirect, clientError: c.ClientError, serverError: c.ServerError, rateLimited: s.Statuses[429]}
}

// firstMinute is the first minute of a window of k minutes at clock: the
// minute k minutes before it, so that a window covers at least its k
// minutes, and at most one more.
func (e *Engine) firstMinute(clock, k int64) int64 {
	return floorMinute(clock - k*int64(time.Minute))
}

func floorMinute(ns int64) int64 {
	m := ns / int64(time.Minute)
	if ns < 0 && ns%int64(time.Minute) != 0 {
		m--
	}
	return m
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
