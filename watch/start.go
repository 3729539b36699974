package watch

import (
	"context"
	"time"

	"analyze/ingest"
)

// HorizonStart is the time from which the existing lines are analysed:
// --since before the latest record the files hold now (none: every
// record). As for the view's clock, one stamp far ahead does not count: a
// record more than five minutes (ahead) past the machine's clock (now) is the latest
// only when every record is (a log whose server clock is set wrong).
// Otherwise one mangled stamp (2099) would put every line of the log, and
// every line appended after, before the horizon: a view empty for good.
func HorizonStart(ctx context.Context, paths []string, since time.Duration, now time.Time) (time.Time, error) {
	var named []string
	for _, p := range paths {
		if p != "-" {
			named = append(named, p)
		}
	}
	if len(named) == 0 {
		return time.Time{}, nil
	}
	files, _ := ingest.Expand(named, false) // what cannot be read yet is waited for
	if len(files) == 0 {
		return time.Time{}, nil
	}
	limit := now.Add(ahead)
	var sinks []*latestSink
	err := ingest.Drive(ctx, files, ingest.Options{}, func(int, *ingest.Scanner) ingest.Sink {
		s := &latestSink{limit: limit}
		sinks = append(sinks, s)
		return s
	})
	if err != nil {
		return time.Time{}, err
	}
	var within, any time.Time
	for _, s := range sinks {
		if s.within.After(within) {
			within = s.within
		}
		if s.any.After(any) {
			any = s.any
		}
	}
	latest := within
	if latest.IsZero() {
		latest = any
	}
	if latest.IsZero() {
		return time.Time{}, nil
	}
	return latest.Add(-since), nil
}

// latestSink is one worker's part of HorizonStart: the latest record's
// time up to limit, and the latest of all.
type latestSink struct {
	_           [64]byte
	limit       time.Time
	within, any time.Time
	_           [64]byte
}

func (l *latestSink) Record(r *ingest.Record) {
	if r.Time.After(l.any) {
		l.any = r.Time
	}
	if r.Time.After(l.within) && !r.Time.After(l.limit) {
		l.within = r.Time
	}
}

func (l *latestSink) Reject(*ingest.Rejection) {}
func (l *latestSink) Blank(*ingest.File)       {}
