package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"analyze/ingest"
	"analyze/outfile"
	"analyze/report"
	"analyze/report/write"
	"analyze/state"
)

// reportMode is one of the subcommands that run the report's analysis:
// report writes it whole, quota, retries and timeline their own section.
type reportMode struct {
	name, short, long, example string
	only                       string   // the section it writes (report.Options.Only); "" for all
	window                     string   // --window's help: the quota window, or the timeline's
	hidden                     []string // flags the mode takes, for the command lines that give them, but does not use
}

var reportModes = []reportMode{
	{
		name:  "report",
		short: "report on access logs: statuses, diagnoses, endpoints, clients, quota, retries, incidents",
		long: `Report on access logs: every status classified and diagnosed, the endpoints, clients and
hosts behind the errors, quota pressure, retries, the timeline's incidents, and every line
accounted for (records, rejected, unrecognized, blank).

PATH is a file (plain, gzip, zstd, bzip2 or xz), a folder, a glob pattern, or - for stdin.
Flags may come before or after the paths; -- ends them.`,
		example: `  analyze report access.log access.log.1 access.log.2.gz
  analyze report -o json /var/log/nginx/
  analyze report -r -o markdown /var/log/nginx/
  analyze report '/var/log/nginx/access.log*'
  zcat old.log.gz | analyze report -
  analyze report --since 2h access.log
  analyze report --config /etc/analyze.toml --state /var/lib/analyze/state.json --out /var/reports/api.json '/var/log/nginx/access.log*'`,
		window: "quota window: 1s, 10s, 1m, 1h... (default: the --limit period, else 1m)",
		hidden: []string{"unrecovered"},
	},
	{
		name:  "quota",
		only:  "quota",
		short: "the quota pressure report alone (--limit, --window, --client-key)",
		long: `The quota pressure report alone: requests per client and window against the contract's
--limit (or a client's own --client-limit), the windows over it, the 429s and what followed.
Clients are named as --client-key says.`,
		example: `  analyze quota --limit 600/1m /var/log/nginx/
  analyze quota --limit 10/s --window 10s --client-key header:X-Api-Key access.log
  analyze quota --limit 600/1m --client-limit erp-sync=1200/1m -o json access.log`,
		window: "quota window: 1s, 10s, 1m, 1h... (default: the --limit period, else 1m)",
		hidden: []string{"retry-window", "storm-share", "unrecovered"},
	},
	{
		name:  "retries",
		only:  "retry",
		short: "failures worth retrying, retry storms, the unrecovered list (-o csv)",
		long: `Failures worth retrying: which failures were retried and recovered, retry storms, unsafe
retries, and with --unrecovered every failure that was never recovered (-o csv writes that list
as CSV).`,
		example: `  analyze retries /var/log/nginx/
  analyze retries --retry-window 2m --unrecovered -o csv access.log > unrecovered.csv`,
		window: "the retry storms' window: 1s, 10s, 1m, 1h... (default: the --limit period, else 1m)",
		hidden: []string{"limit", "client-limit"},
	},
	{
		name:  "timeline",
		only:  "timeline",
		short: "requests per window by class and status, and the incidents (-o csv too)",
		long: `Requests per window by class and status, and the incidents: the windows where errors rose
above the baseline, when they began and ended, and what they were made of.`,
		example: `  analyze timeline access.log
  analyze timeline --window 5m -o csv access.log > timeline.csv`,
		window: "timeline window: 1s, 10s, 1m, 1h... (default: sized to the inputs' span)",
		hidden: []string{"limit", "client-limit", "retry-window", "storm-share", "unrecovered"},
	},
}

// reportFlags are the flags of analyze report, quota, retries and timeline.
type reportFlags struct {
	in                                           inputFlags
	drill                                        drillFlags
	output                                       string
	window, retryAfter, retryWindow, lockTimeout time.Duration
	limit                                        string
	stormShare                                   float64
	unrecovered                                  bool
	failOn, clientLimits                         listFlag
	outFile, statePath, configFile               string
	top, width                                   int
}

// register defines the flags, in the order help lists them.
func (f *reportFlags) register(fs *pflag.FlagSet, m reportMode) {
	fs.StringVarP(&f.output, "output", "o", "text", "output: "+write.Usage())
	f.in.register(fs)
	f.drill.register(fs)
	fs.IntVar(&f.top, "top", 10, "rows in the endpoint, client and host tables")
	fs.IntVar(&f.width, "width", 0, widthUsage)
	fs.DurationVar(&f.window, "window", 0, m.window)
	fs.StringVar(&f.limit, "limit", "", "the contract's rate limit, N/PERIOD: 600/1m, 10/s")
	fs.Var(&f.clientLimits, "client-limit", "a client's own contract, `CLIENT=N/PERIOD` (repeatable): the client, named as the report names it (--client-key), is measured against it instead of --limit, and always listed")
	fs.DurationVar(&f.retryAfter, "retry-after", time.Second, "the wait a 429 asks for when no Retry-After is logged")
	fs.StringVar(&f.outFile, "out", "", "write the report to this file instead of stdout (a regular file is replaced atomically, a link followed, a device or FIFO written directly); its extension ("+write.UsualExts()+") sets -o unless -o is given")
	fs.Var(&f.failOn, "fail-on", "exit 1 when a `THRESHOLD` fails (repeatable): server_error_rate>1%, rate_limited>0, status:503>100, p99_ms>2000...")
	fs.DurationVar(&f.retryWindow, "retry-window", 10*time.Minute, "how long after a failure the same request counts as a retry")
	fs.Float64Var(&f.stormShare, "storm-share", 0.2, "a retry storm: a window where retries are more than this share of the traffic")
	fs.BoolVar(&f.unrecovered, "unrecovered", false, "list every unrecovered failure (with -o csv, as CSV)")
	fs.StringVar(&f.statePath, "state", "", "remember in this file how far each input was read, and read only what is new since (rotation is followed by content, not name); with --since/--until, report on the stored runs of that period too")
	fs.DurationVar(&f.lockTimeout, "lock-timeout", defaultLockTimeout, "with --state, how long to wait for another run that holds the state file; then exit 4")
	fs.StringVar(&f.configFile, "config", "", configUsage)
	for _, name := range m.hidden {
		if err := fs.MarkHidden(name); err != nil {
			panic(err) // a name in reportModes that register does not define
		}
	}
}

// newReportCmd is analyze report, quota, retries or timeline.
func newReportCmd(m reportMode, stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:     m.name + " [flags] PATH...",
		Short:   m.short,
		Long:    m.long,
		Example: m.example,
		RunE: func(cmd *cobra.Command, paths []string) error {
			return exitWith(runReport(cmd.Context(), m, &f, paths, func(name string) (bool, bool) { return givenBy(cmd.Flags(), name) }, stdin, stdout, stderr))
		},
	}
	f.register(cmd.Flags(), m)
	completeValues(cmd, "output", write.Names(func(write.Format) bool { return true })...)
	return cmd
}

// runReport runs analyze report, quota, retries or timeline (m): the
// same analysis, written whole or as the mode's section only, over the
// inputs paths with the flags f; given reports whether a flag was given on
// the command line, and whether there or in the config file.
func runReport(ctx context.Context, m reportMode, f *reportFlags, paths []string, given func(name string) (cli, any bool), stdin io.Reader, stdout, stderr io.Writer) int {
	limitMemory(softMemoryLimit, reportGCPercent)
	mode := m.name
	in, drill := &f.in, &f.drill
	window, retryAfter, retryWindow := f.window, f.retryAfter, f.retryWindow
	limit, stormShare, unrecovered := f.limit, f.stormShare, f.unrecovered
	failOn, clientLimits, outFile, statePath := f.failOn, f.clientLimits, f.outFile, f.statePath
	top := f.top
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "analyze: "+format+"\n", a...)
		return exitUsage
	}
	writeReport, err := chooseWriter(f, mode, given, stdout)
	if err != nil {
		return fail("%v", err)
	}
	if err := checkReportBounds(top, window, retryAfter, retryWindow, stormShare); err != nil {
		return fail("%v", err)
	}
	if err := checkWidth(f.width); err != nil {
		return fail("%v", err)
	}
	opts, loc, err := in.options(stdin)
	if err != nil {
		return fail("%v", err)
	}
	// The user agent is read: the incidents and the clients list it. The
	// referer no report uses, but it is the field before the agent in a
	// combined line, so the parser cannot skip one and read the other.
	opts.Parse.SkipRefererAgent = false
	var thresholds []report.Threshold
	for _, e := range failOn {
		t, err := report.ParseThreshold(e)
		if err != nil {
			return fail("%v", err)
		}
		thresholds = append(thresholds, t)
	}
	sinceB, untilB, match, clientKey, err := drill.resolve()
	if err != nil {
		return fail("%v", err)
	}
	quota, err := report.ParseQuota(report.QuotaOptions{Window: window, RetryAfter: retryAfter, Client: clientKey}, limit, clientLimits)
	if err != nil {
		return fail("%v", err)
	}
	// With --state and a period, no path is needed: the report is then of
	// the stored runs alone.
	stateOnly := len(paths) == 0 && statePath != "" && !(sinceB.IsZero() && untilB.IsZero())
	if stateOnly {
		// A report of the stored runs alone needs them: a mistyped path
		// would report nothing, exit 0, and leave a new state behind.
		if _, err := os.Stat(statePath); err != nil {
			return fail("--state: %s (a report without a path is of the runs a state file stored; give the logs to read)", safe(err))
		}
	}
	files, expandFailed, err := in.inputs(paths, stderr, stateOnly)
	if err != nil {
		if len(paths) == 0 && statePath != "" {
			return fail("%v (or, with --state, a period: --since 7d)", err)
		}
		return fail("%v", err)
	}
	if statePath != "" {
		files = state.Omit(files, statePath)
	}
	var st *state.State
	var carry *report.Carry // what the last --state run left open
	if statePath != "" {
		var unlock func()
		var code int
		if st, carry, unlock, code = openReportState(ctx, f, files, match, stderr); st == nil {
			return code
		}
		defer unlock()
	}

	// With --state, --since and --until choose the stored runs a report
	// takes in (whole runs), and this run's new input is read whole: what
	// it stores must be all of it.
	cumulative := st != nil && !(sinceB.IsZero() && untilB.IsZero())
	var filter report.Filter // with --state, no record filter
	if st == nil {
		f, cleanup, err := timeFilter(ctx, files, opts, stdin, sinceB, untilB, &match)
		defer cleanup()
		if err != nil {
			return fail("%v", err)
		}
		filter = f
	}

	retry := report.RetryOptions{Window: retryWindow, RetryAfter: retryAfter, StormShare: stormShare}
	opts.Progress = &ingest.Progress{}
	stopBar := progressBar(stderr, in.quiet, files, opts.Progress)
	start := time.Now()
	var timelineWindow time.Duration // auto-sized
	if mode == "timeline" && window > 0 {
		timelineWindow = window
	}
	sum, err := report.Aggregate(ctx, files, opts, report.Config{Filter: filter, Quota: quota, Retry: retry, Timeline: timelineWindow, Carry: carry})
	stopBar()
	in.logf(stderr, "debug", "read and aggregated %d bytes in %v", opts.Progress.Bytes.Load(), time.Since(start).Round(time.Millisecond))
	if err != nil {
		fmt.Fprintf(stderr, "analyze: interrupted: %v\n", err)
		return exitUsage
	}
	in.logInputs(stderr, files)
	if readable := explainInputs(stderr, files); readable == 0 && !stateOnly {
		return fail("no readable input")
	}
	var run *state.PendingRun
	if st != nil {
		// Before Build, which closes the retry chains still open.
		if run, err = state.TakeRun(files, sum); err != nil {
			return fail("--state: %v", err)
		}
		if cumulative {
			if filter, err = st.MergeRuns(sum, sinceB, untilB); err != nil {
				return fail("%s", safe(err))
			}
		}
	}
	rep := report.Build(sum, files, filter, report.Options{Top: top, Version: version, TZ: loc.String(), Quota: quota,
		Retry: retry, Unrecovered: unrecovered && mode == "retries", Only: m.only, TimelineWindow: timelineWindow})
	thresholdFailed := rep.Check(thresholds)
	in.logf(stderr, "debug", "built the report in %v", time.Since(start).Round(time.Millisecond))
	if outFile != "" {
		err = outfile.Write(outFile, func(f *os.File) error { return writeReport(f, rep) })
	} else {
		err = writeReport(stdout, rep)
	}
	if err != nil {
		fmt.Fprintf(stderr, "analyze: cannot write the report: %s\n", safe(err))
		return exitUsage
	}
	if st != nil {
		// Only once the report is out: a run that failed before reads the
		// same bytes again next time.
		st.Commit(files, run, time.Now())
		if err := st.Save(); err != nil {
			fmt.Fprintf(stderr, "analyze: cannot save --state: %s (the next run reads these bytes again)\n", safe(err))
			return exitUsage
		}
	}
	for _, t := range rep.Thresholds {
		switch {
		case t.Failed:
			fmt.Fprintf(stderr, "analyze: threshold failed: %s\n", t.Expr)
		case t.Measured == nil:
			// p99_ms of logs without durations: neither passed nor failed.
			fmt.Fprintf(stderr, "analyze: threshold not checked: %s (no input logs what it measures)\n", t.Expr)
		}
	}
	switch {
	case thresholdFailed:
		return exitThreshold // wins over exitIncomplete: the report is complete for what was read
	case expandFailed || rep.Incomplete():
		return exitIncomplete
	}
	return exitOK
}

// chooseWriter picks the report's writer: -o, else --out's extension; the
// mode's own writer where the format has one (csv); the text fitted to
// the terminal's width. A --out that cannot be written is refused here,
// before any input is read: a directory, a block device, a missing folder.
func chooseWriter(f *reportFlags, mode string, given func(name string) (cli, any bool), stdout io.Writer) (func(io.Writer, *report.Report) error, error) {
	output, outFile := f.output, f.outFile
	if outFile != "" {
		target, _, err := outfile.Resolve(outFile)
		if err != nil {
			return nil, fmt.Errorf("--out: %s", safe(err))
		}
		if dir := filepath.Dir(target); !isDir(dir) {
			return nil, fmt.Errorf("--out: cannot write %s: folder %s does not exist", safe(outFile), safe(dir))
		}
	}
	// --out's extension sets the output unless -o says otherwise: on the
	// command line, or in the config file when --out is there too (an
	// --out on the command line is more particular than the file's -o).
	outputCLI, outputAny := given("output")
	outCLI, _ := given("out")
	if outFile != "" && !outputCLI && !(outputAny && !outCLI) {
		if o := write.OutputFor(outFile); o != "" {
			output = o
		}
	}
	format, ok := write.Lookup(output)
	if !ok {
		return nil, fmt.Errorf("unknown output %q (want %s)", output, write.Or(write.Names(func(f write.Format) bool { return f.Write != nil })))
	}
	section, ok := format.Sections[mode]
	if !ok && format.Write == nil {
		return nil, errors.New("-o csv writes the unrecovered list or the timeline: use it with analyze retries or analyze timeline")
	}
	if section != nil {
		return section, nil
	}
	var term io.Writer = stdout // the terminal, if any, the text goes to
	if outFile != "" {
		term = nil
	}
	_, widthGiven := given("width")
	width := textWidth(f.width, widthGiven, term, os.Getenv)
	return func(w io.Writer, r *report.Report) error { return format.Write(w, r, width) }, nil
}

// openReportState checks that the flags f go with --state, locks and
// loads the state for a report run over files, and decodes what the last
// run left open. It returns the state, the carry and the function that
// releases the lock, or a nil state and the exit code, having said why on
// stderr.
func openReportState(ctx context.Context, f *reportFlags, files []*ingest.File, match report.Match, stderr io.Writer) (*state.State, *report.Carry, func(), int) {
	fail := func(format string, a ...any) (*state.State, *report.Carry, func(), int) {
		fmt.Fprintf(stderr, "analyze: "+format+"\n", a...)
		return nil, nil, nil, exitUsage
	}
	if f.in.anonymize && f.in.anonymizeKey == "" {
		return fail("--anonymize with --state: the pseudonyms would change every run; give --anonymize-key")
	}
	if !match.IsZero() {
		return fail("--state stores whole runs; --client, --endpoint, --status, --method, --class and --host go without it")
	}
	st, unlock, code := openState(ctx, f.statePath, "report", f.lockTimeout, files, stderr)
	if st == nil {
		return nil, nil, nil, code
	}
	carry, err := st.OpenCarry()
	if err != nil {
		unlock()
		return fail("%s; remove \"open_file\" from the state file to go on without them (the retry chains and 429s open at the last run's end are then cut)", safe(err))
	}
	return st, carry, unlock, exitOK
}

// isDir reports whether path is a folder (links followed).
func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}
