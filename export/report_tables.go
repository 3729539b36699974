package export

import (
	"context"
	"fmt"
	"time"

	"analyze/ingest"
	"analyze/report"
)

// ReportTables reads files as analyze report does with its defaults (a
// one-minute quota window, a Retry-After of a second when none is logged),
// keeping the records filter and client select, and writes every table of
// the report, up to 1,000 rows each, to dir (WriteTables), the report
// stamped with version. It returns the files written and whether the
// report is incomplete (an input could not be read to its end).
func ReportTables(ctx context.Context, files []*ingest.File, opts ingest.Options, filter report.Filter, client report.ClientSelector, dir string, csvSafe bool, version string) ([]string, bool, error) {
	q := report.QuotaOptions{Window: time.Minute, RetryAfter: time.Second, Client: client}
	rt := report.RetryOptions{RetryAfter: time.Second}
	sum, err := report.Aggregate(ctx, files, opts, report.Config{Filter: filter, Quota: q, Retry: rt})
	if err != nil {
		return nil, false, fmt.Errorf("interrupted: %w", err)
	}
	rep := report.Build(sum, files, filter, report.Options{Top: 1000, Version: version, Quota: q, Retry: rt})
	written, err := WriteTables(dir, rep, csvSafe)
	if err != nil {
		return nil, false, err
	}
	return written, rep.Incomplete(), nil
}
