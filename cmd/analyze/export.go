package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"analyze/export"
	"analyze/ingest"
	"analyze/outfile"
	"analyze/report"
	"analyze/state"
)

// exportFlags are the flags of analyze export.
type exportFlags struct {
	in                        inputFlags
	drill                     drillFlags
	to, out, partition, compr string
	tables, statePath         string
	csvSafe                   bool
	lockTimeout               time.Duration
	configFile                string
}

func (f *exportFlags) register(fs *pflag.FlagSet) {
	f.in.register(fs)
	f.drill.register(fs)
	fs.StringVar(&f.to, "to", "parquet", "parquet or csv")
	fs.StringVar(&f.out, "out", "", "output folder (created when missing)")
	fs.StringVar(&f.partition, "partition", "", "date (Hive-style date=YYYY-MM-DD/, the default for Parquet) or none (the default for CSV)")
	fs.StringVar(&f.compr, "compression", "zstd", "Parquet compression: zstd, snappy or none")
	fs.StringVar(&f.tables, "tables", "", "also write every report table (statuses, endpoints, clients, hosts, quota, retries, unrecovered, incidents, timeline) to this folder as CSV and Parquet")
	fs.BoolVar(&f.csvSafe, "csv-safe", true, "prefix CSV cells starting with = + - @ with an apostrophe, so spreadsheets do not run them")
	fs.StringVar(&f.statePath, "state", "", "remember in this file how far each input was read, and export only what is new since, as new parts of this run (each line becomes a row once across nightly runs and rotations); a file of its own, not a report's --state")
	fs.DurationVar(&f.lockTimeout, "lock-timeout", defaultLockTimeout, "how long to wait for another run that holds the dataset, the --tables folder or the --state file; then exit 4")
	fs.StringVar(&f.configFile, "config", "", configUsage)
}

// newExportCmd is analyze export.
func newExportCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var f exportFlags
	cmd := &cobra.Command{
		Use:   "export --to parquet|csv --out DIR [flags] PATH...",
		Short: "one row per request, typed, to Parquet or CSV, for DuckDB, Spark, Trino",
		Long: `Write one row per request, typed, to a Parquet dataset (Hive-style date=YYYY-MM-DD/
partitions by default) or CSV files in the --out folder, for DuckDB, Spark or Trino; with
--tables, every report table too. The drill-down filters and --since/--until choose the rows.
With --state, a nightly run exports only what is new since the last, as new parts.`,
		Example: `  analyze export --to parquet --out /data/access /var/log/nginx/
  analyze export --to csv --out /tmp/rows --status 5xx access.log
  analyze export --state /var/lib/analyze/export.json --out /data/access '/var/log/nginx/access.log*'`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			return exitWith(runExport(cmd.Context(), &f, paths, stdin, stdout, stderr))
		},
	}
	f.register(cmd.Flags())
	completeValues(cmd, "to", "parquet", "csv")
	completeValues(cmd, "partition", "date", "none")
	completeValues(cmd, "compression", "zstd", "snappy", "none")
	return cmd
}

// runExport runs analyze export: one row per record to CSV or Parquet.
func runExport(ctx context.Context, f *exportFlags, paths []string, stdin io.Reader, stdout, stderr io.Writer) int {
	limitMemory(exportMemoryLimit, 0) // the default growth target
	in, drill := &f.in, &f.drill
	to, out, partition, compr, tables := f.to, f.out, f.partition, f.compr, f.tables
	csvSafe, statePath, lockTimeout := f.csvSafe, f.statePath, f.lockTimeout
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "analyze: "+format+"\n", a...)
		return exitUsage
	}
	if !slices.Contains([]string{"parquet", "csv"}, to) {
		return fail("--to %q: want parquet or csv", to)
	}
	if out == "" && tables == "" {
		return fail("--out: give the folder to write to (or --tables)")
	}
	if statePath != "" && out == "" {
		// The state says how far the rows were exported: without rows it
		// would never be saved, and every run read the same lines again.
		return fail("--state goes with --out: it remembers the rows exported")
	}
	if partition == "" {
		partition = "none"
		if to == "parquet" {
			partition = "date"
		}
	}
	opts, _, err := in.options(stdin)
	if err != nil {
		return fail("%v", err)
	}
	since, until, match, clientKey, err := drill.resolve()
	if err != nil {
		return fail("%v", err)
	}
	if out != "" {
		if _, info, err := outfile.Resolve(out); err != nil && !errors.Is(err, outfile.ErrNotWritable) || info != nil && !info.IsDir() {
			return fail("--out %s: not a folder", safe(out))
		}
	}
	files, expandFailed, err := in.inputs(paths, stderr, false)
	if err != nil {
		return fail("%v", err)
	}
	var st *state.State
	if statePath != "" {
		files = state.Omit(files, statePath)
		var unlock func()
		var code int
		if st, unlock, code = openState(ctx, statePath, "export", lockTimeout, files, stderr); st == nil {
			return code
		}
		defer unlock()
	}
	if lockTimeout < 0 {
		return fail("--lock-timeout takes a duration of 0 or more")
	}
	if out != "" {
		if err := os.MkdirAll(out, 0o750); err != nil {
			return fail("cannot create %s: %s", safe(out), safe(err))
		}
		unlock, code := lock(ctx, filepath.Join(out, ".analyze.lock"), lockTimeout, "the dataset "+out, stderr)
		if unlock == nil {
			return code
		}
		defer unlock()
	}
	if tables != "" && !sameFolder(tables, out) {
		// Two runs renaming their tables into one folder at once would
		// leave a mix of both sets.
		unlock, code := lock(ctx, filepath.Join(tables, ".analyze.lock"), lockTimeout, "the tables folder "+tables, stderr)
		if unlock == nil {
			return code
		}
		defer unlock()
	}
	if tables != "" && out != "" {
		// The tables, then the rows: two readings. Standard input read
		// once gave the rows nothing.
		cleanup, err := ingest.SpoolStdin(files, stdin)
		defer cleanup()
		if err != nil {
			return fail("%v", err)
		}
	}
	filter, cleanup, err := timeFilter(ctx, files, opts, stdin, since, until, &match)
	defer cleanup()
	if err != nil {
		return fail("%v", err)
	}
	if tables != "" {
		written, incomplete, err := export.ReportTables(ctx, files, opts, filter, clientKey, tables, csvSafe, version)
		if err != nil {
			return fail("%v", err)
		}
		fmt.Fprintf(stdout, "wrote %d table files in %s\n", len(written), tables)
		if out == "" {
			return exitCode(expandFailed || incomplete)
		}
	}
	var sel func() func(*ingest.Record) bool
	if fi := filter.Info(); !fi.IsZero() {
		sel = func() func(*ingest.Record) bool { return report.NewSelector(filter, clientKey).Keep }
	}
	opts.Progress = &ingest.Progress{}
	stopBar := progressBar(stderr, in.quiet, files, opts.Progress)
	defer stopBar()
	res, err := export.Run(ctx, files, opts, out, export.Options{Format: to, Partition: partition, Compression: compr,
		CSVSafe: csvSafe, Metadata: map[string]string{"analyze.version": version}, Select: sel, Filter: filter.Info(), State: st})
	if err != nil {
		return fail("%v", err)
	}
	incomplete := readErrors(stderr, files) || expandFailed
	fmt.Fprintln(stdout, res.Summary(out, sel != nil))
	return exitCode(incomplete)
}

// sameFolder reports whether a and b name one existing folder (the lock
// of one is then the lock of both: a second flock of it would wait on the
// first).
func sameFolder(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	ia, err := os.Stat(a)
	if err != nil {
		return false
	}
	ib, err := os.Stat(b)
	return err == nil && os.SameFile(ia, ib)
}

func exitCode(incomplete bool) int {
	if incomplete {
		return exitIncomplete
	}
	return exitOK
}
