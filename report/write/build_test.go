package write

import (
	"context"
	"io"
	"testing"

	"analyze/ingest"
	"analyze/report"
)

// aggregate reads the logs at paths through the engine and builds their
// report, as analyze report does, for the writers to write.
func aggregate(tb testing.TB, paths []string, opts ingest.Options, filter report.Filter) (*report.Report, []*ingest.File) {
	tb.Helper()
	files, errs := ingest.Expand(paths, false)
	if len(errs) > 0 {
		tb.Fatal(errs)
	}
	sum, err := report.Aggregate(context.Background(), files, opts, report.Config{Filter: filter})
	if err != nil {
		tb.Fatal(err)
	}
	return report.Build(sum, files, filter, report.Options{Top: 10, Version: "test"}), files
}

// fixedWidth is f's writer of whole reports at width cells.
func fixedWidth(f Format, width int) Writer {
	return func(w io.Writer, r *report.Report) error { return f.Write(w, r, width) }
}
