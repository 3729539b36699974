package report

import (
	"analyze/report/analysis"
	"context"
	"runtime"
	"sync"
	"time"

	"analyze/ingest"
	"analyze/report/quota"
	"analyze/report/retry"
)

// Aggregate reads files through the ingest pipeline, classifies every
// record, and returns the merged Summary. Each worker fills its own Summary;
// they are merged in worker order at the end. Alongside, each worker hands
// the events of every block to the sequencer, which feeds the
// order-sensitive analyses in time order.
func Aggregate(ctx context.Context, files []*ingest.File, opts ingest.Options, cfg Config) (*Summary, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	sums := make([]*Summary, opts.Workers)
	scanners := make([]*ingest.Scanner, opts.Workers)
	for i := range sums {
		sums[i] = NewSummary(cfg)
		scanners[i] = ingest.NewScanner(opts.Parse)
	}
	tracker := quota.NewBehaviour(cfg.Quota)
	rc := cfg.Retry
	if rc.StormWin == 0 {
		rc.StormWin = time.Duration(quota.New(cfg.Quota).Win())
	}
	retries := retry.NewTracker(rc)
	if c := cfg.Carry; c != nil {
		tracker.Resume(c.waits)
		retries.Resume(c.chains, c.noFails)
	}
	order := ingest.SortByTime(files, opts)
	seq := newSequencer(order, int64(reorderLateness), ingest.BlocksInFlight(opts.Workers), func(e *analysis.Event) {
		tracker.ConsumeEvent(e)
		retries.ConsumeEvent(e)
	})
	err := ingest.Run(ctx, order, opts, func(w int, b *ingest.Block) {
		s, sc := sums[w], scanners[w]
		evs := seq.getEvents(b.Lines)
		s.startBlock(b)
		sc.Reset(b)
		for sc.Next() {
			switch sc.Kind() {
			case ingest.KindRecord:
				evs = evs[:len(evs)+1] // within b.Lines; Add fills the event whole
				if !s.Add(sc.Record(), &evs[len(evs)-1]) {
					evs = evs[:len(evs)-1]
				}
			case ingest.KindRejected:
				s.Reject(sc.Rejection())
			case ingest.KindBlank:
				s.Blank(b.File)
			}
		}
		s.endBlock()
		seq.add(b, evs)
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

// reorderLateness is how far out of time order an event may arrive and
// still be put in its place for the order-sensitive analyses.
const reorderLateness = 10 * time.Minute

// Latest returns the time of the latest record in files, for filters given
// as a analysis.Duration before it. It reads the inputs once; the caller reads them
// again for the report, so standard input must be spooled first
// (ingest.SpoolStdin).
func Latest(ctx context.Context, files []*ingest.File, opts ingest.Options) (time.Time, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	latest := make([]time.Time, opts.Workers)
	scanners := make([]*ingest.Scanner, opts.Workers)
	for i := range scanners {
		scanners[i] = ingest.NewScanner(opts.Parse)
	}
	err := ingest.Run(ctx, files, opts, func(w int, b *ingest.Block) {
		sc := scanners[w]
		sc.Reset(b)
		for sc.Next() {
			if sc.Kind() == ingest.KindRecord && sc.Record().Time.After(latest[w]) {
				latest[w] = sc.Record().Time
			}
		}
	})
	var t time.Time
	for _, l := range latest {
		if l.After(t) {
			t = l
		}
	}
	return t, err
}
