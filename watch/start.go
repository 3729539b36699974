package watch

import (
	"context"
	"time"

	"analyze/ingest"
	"analyze/report"
)

// HorizonStart is the time from which the existing lines are analysed:
// --since before the latest record the files hold now (none: every record).
func HorizonStart(ctx context.Context, paths []string, since time.Duration) (time.Time, error) {
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
	latest, err := report.Latest(ctx, files, ingest.Options{})
	if err != nil || latest.IsZero() {
		return time.Time{}, err
	}
	return latest.Add(-since), nil
}
