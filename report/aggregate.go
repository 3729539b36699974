package report

import (
	"context"
	"runtime"
	"time"

	"analyze/ingest"
)

// Aggregate reads files through the ingest pipeline, classifies every
// record, and returns the merged Summary. Each worker fills its own Summary;
// they are merged in worker order at the end.
func Aggregate(ctx context.Context, files []*ingest.File, opts ingest.Options, filter Filter) (*Summary, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	sums := make([]*Summary, opts.Workers)
	scanners := make([]*ingest.Scanner, opts.Workers)
	for i := range sums {
		sums[i] = NewSummary(filter)
		scanners[i] = ingest.NewScanner(opts.Parse)
	}
	err := ingest.Run(ctx, files, opts, func(w int, b *ingest.Block) {
		s, sc := sums[w], scanners[w]
		sc.Reset(b)
		for sc.Next() {
			switch sc.Kind() {
			case ingest.KindRecord:
				s.Add(sc.Record())
			case ingest.KindRejected:
				s.Reject(sc.Rejection())
			case ingest.KindBlank:
				s.Blank(b.File)
			}
		}
	})
	total := sums[0]
	for _, s := range sums[1:] {
		total.Merge(s)
	}
	for len(total.Files) < len(files) {
		total.Files = append(total.Files, FileCounts{})
	}
	return total, err
}

// Latest returns the time of the latest record in files, for filters given
// as a duration before it. It reads the inputs once; the caller reads them
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
