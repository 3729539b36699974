package report

import (
	"context"
	"fmt"
	"sync"
	"time"

	"analyze/ingest"
	"analyze/report/analysis"
	"analyze/report/quota"
	"analyze/report/retry"
)

// Aggregate reads files through the ingest pipeline, classifies every
// record, and returns the merged Summary. Each worker fills its own Summary;
// they are merged in worker order at the end. Alongside, each worker hands
// the events of every block to the sequencer, which feeds the
// order-sensitive analyses in time order.
func Aggregate(ctx context.Context, files []*ingest.File, opts ingest.Options, cfg Config) (*Summary, error) {
	var sums []*Summary
	tracker := quota.NewBehaviour(cfg.Quota)
	rc := cfg.Retry
	if rc.StormWin == 0 {
		rc.StormWin = time.Duration(cfg.Quota.Win())
	}
	retries := retry.NewTracker(rc)
	if c := cfg.Carry; c != nil {
		tracker.Resume(c.waits)
		retries.Resume(c.chains, c.noFails)
	}
	order := ingest.SortByTime(files, opts)
	// The order-sensitive analyses: the behaviour after 429s, the retry
	// chains, and an instance of each registered one that is Ordered, of
	// its own: the sequencer calls Consume on whichever worker's goroutine
	// hands it a block, while the workers' instances take their rows.
	ordered := []analysis.Ordered{tracker, retries}
	own := orderedExtras(cfg)
	for i, a := range own {
		o, ok := a.(analysis.Ordered)
		if !ok {
			continue
		}
		ordered = append(ordered, o)
		if c, ok := a.(analysis.Carrier); ok && cfg.Carry != nil {
			if part, ok := cfg.Carry.parts[registered[i].name]; ok {
				if err := c.Resume(part); err != nil {
					return nil, fmt.Errorf("cannot take up what the last run of analysis %q left open: %w", registered[i].name, err)
				}
			}
		}
	}
	seq := newSequencer(order, int64(reorderLateness), ingest.BlocksInFlight(opts.Workers), func(evs []analysis.Event) {
		for _, o := range ordered {
			o.Consume(evs)
		}
	})
	err := ingest.Drive(ctx, order, opts, func(int, *ingest.Scanner) ingest.Sink {
		s := &aggregateSink{sum: NewSummary(cfg), seq: seq}
		sums = append(sums, s.sum)
		return s
	})
	if err != nil {
		return nil, err // interrupted: the inputs were not read to their end
	}
	seq.flush()
	if seq.released != 0 {
		// What the last record leaves open stays open (Build closes it,
		// Summary.Carry hands it on); what its window has passed by then
		// is decided.
		retries.Prune(seq.released)
	}
	settle(sums)
	total := sums[0]
	for _, s := range sums[1:] {
		total.Merge(s)
	}
	for i, a := range own {
		if a != nil {
			if st, ok := a.(analysis.Settler); ok {
				st.Settle()
			}
			total.extras[i].Merge(a)
		}
	}
	for len(total.Files) < len(files) {
		total.Files = append(total.Files, FileCounts{})
	}
	total.behaviour = tracker
	total.retries = retries
	total.lateEvents = seq.late
	return total, nil
}

// settle readies each worker's Summary for the merge, concurrently: what
// would otherwise be done once, serially, on the merged aggregate.
func settle(sums []*Summary) {
	var wg sync.WaitGroup
	for _, s := range sums {
		s.flush()
		for _, a := range s.analyses {
			if st, ok := a.(analysis.Settler); ok {
				wg.Go(st.Settle)
			}
		}
	}
	wg.Wait()
}

// orderedExtras returns, by the place of each registered analysis, an
// instance of its own for each that is Ordered; nil for the others.
func orderedExtras(cfg Config) []analysis.Analysis {
	own := make([]analysis.Analysis, len(registered))
	for i, r := range registered {
		if a := r.new(cfg); a != nil {
			if _, ok := a.(analysis.Ordered); ok {
				own[i] = a
			}
		}
	}
	return own
}

// reorderLateness is how far out of time order an event may arrive and
// still be put in its place for the order-sensitive analyses.
const reorderLateness = 10 * time.Minute

// AheadOfClock is how far past the machine's clock a record may be stamped
// and still be taken for the latest (Latest, and analyze watch's clock):
// beyond, it is a clock gone wrong or a mangled stamp that parses (2099),
// unless every record is (a server whose clock is set wrong).
const AheadOfClock = 5 * time.Minute

// Latest returns the time of the latest record in files, for filters given
// as a duration before it: of those stamped up to AheadOfClock past now,
// or of all when none is. It reads the inputs once; the caller reads them
// again for the report, so standard input must be spooled first
// (ingest.SpoolStdin).
func Latest(ctx context.Context, files []*ingest.File, opts ingest.Options, now time.Time) (time.Time, error) {
	limit := now.Add(AheadOfClock)
	var latest []*latestSink
	err := ingest.Drive(ctx, files, opts, func(int, *ingest.Scanner) ingest.Sink {
		l := &latestSink{limit: limit}
		latest = append(latest, l)
		return l
	})
	var within, all time.Time
	for _, l := range latest {
		if l.within.After(within) {
			within = l.within
		}
		if l.all.After(all) {
			all = l.all
		}
	}
	if within.IsZero() {
		return all, err
	}
	return within, err
}

// aggregateSink is one worker's part of Aggregate: its Summary, and the
// events of the block being read, for the sequencer.
type aggregateSink struct {
	_   [64]byte // apart from the other workers' (false sharing: evs is written per record)
	sum *Summary
	seq *sequencer
	evs []analysis.Event
	_   [64]byte
}

func (a *aggregateSink) StartBlock(b *ingest.Block) {
	a.evs = a.seq.getEvents(b.Lines)
	a.sum.startBlock(b)
}

func (a *aggregateSink) Record(r *ingest.Record) {
	evs := a.evs[:len(a.evs)+1] // within b.Lines; Add fills the event whole
	if a.sum.Add(r, &evs[len(evs)-1]) {
		a.evs = evs
	}
}

func (a *aggregateSink) Reject(rej *ingest.Rejection) { a.sum.Reject(rej) }
func (a *aggregateSink) Blank(f *ingest.File)         { a.sum.Blank(f) }

func (a *aggregateSink) EndBlock(b *ingest.Block) {
	a.sum.endBlock() // the analyses count the block's rows before its bytes go
	a.seq.add(b, a.evs)
	a.evs = nil
}

// latestSink is one worker's part of Latest: the latest record's time up
// to limit, and the latest of all.
type latestSink struct {
	_           [64]byte
	limit       time.Time
	within, all time.Time
	_           [64]byte
}

func (l *latestSink) Record(r *ingest.Record) {
	if r.Time.After(l.all) {
		l.all = r.Time
	}
	if r.Time.After(l.within) && !r.Time.After(l.limit) {
		l.within = r.Time
	}
}

func (l *latestSink) Reject(*ingest.Rejection) {}
func (l *latestSink) Blank(*ingest.File)       {}
