package watch

import (
	"context"
	"time"

	"analyze/ingest"
	"analyze/report"
)

// HorizonStart is the time from which the existing lines are analysed:
// since before the latest record the files hold now (report.Latest: a
// stamp far past the machine's clock, now, counts only when every one
// is); zero, every record, for standard input alone or nothing readable
// yet. Otherwise one mangled stamp (2099) would put every line of the
// log, and every line appended after, before the horizon: a view empty
// for good.
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
	latest, err := report.Latest(ctx, files, ingest.Options{}, now)
	if err != nil || latest.IsZero() {
		return time.Time{}, err
	}
	return latest.Add(-since), nil
}
