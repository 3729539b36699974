// Command analyze reads HTTP access logs of REST APIs and reports what the
// responses say: every status classified and diagnosed, the endpoints and
// clients behind the errors, and every line accounted for.
//
// The flow, end to end:
//
//	ingest.Expand(args)        paths, folders, globs, "-"  →  []*ingest.File
//	report.Aggregate(files)    ingest.Run cuts each file into newline-aligned
//	                           blocks; a worker per core walks a block with an
//	                           ingest.Scanner (parse → Record or Rejection) and
//	                           feeds its own report.Summary, which classifies
//	                           each record (classify.Classify) and counts it;
//	                           the Summaries merge at the end
//	report.Build(summary)      →  *report.Report, the data behind every output
//	report.Writers[-o](report) text tables, Markdown or JSON on stdout
//
// This package only parses flags, wires those stages and maps the outcome to
// an exit code: 0 done; 1 a --fail-on threshold failed; 2 usage error or no
// readable input; 3 some inputs were unreadable or incomplete but the rest
// was analysed and reported; 4 another run held the --state file (or the
// export's dataset) for longer than --lock-timeout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"syscall"
	"time"

	"analyze/ingest"
	"analyze/outfile"
	"analyze/report"
	"analyze/state"
)

// version is the tool's version, set at release with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// Exit codes.
const (
	exitOK         = 0
	exitThreshold  = 1
	exitUsage      = 2
	exitIncomplete = 3
	exitLocked     = 4
)

// defaultLockTimeout is how long a run waits for another that holds its
// --state file or dataset: longer than a nightly run takes, shorter than
// the night.
const defaultLockTimeout = 10 * time.Minute

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile := startRecording("ANALYZE_CPUPROFILE", pprof.StartCPUProfile, pprof.StopCPUProfile, os.Stderr)
	stopTrace := startRecording("ANALYZE_TRACE", trace.Start, trace.Stop, os.Stderr)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stopTrace()
	stopProfile()
	writeHeapProfile(os.Getenv("ANALYZE_MEMPROFILE"), os.Stderr)
	stop()
	os.Exit(code)
}

// writeHeapProfile writes the heap profile at the end of the run (the
// aggregates are still live then) to path, for developers; an empty path
// writes nothing.
func writeHeapProfile(path string, stderr io.Writer) {
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("heap").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "analyze: ANALYZE_MEMPROFILE: %v\n", err)
	}
}

// startRecording starts, for developers, a recording of the run into the
// file named by the environment variable env (a CPU profile for go tool
// pprof, an execution trace for go tool trace); with the variable unset it
// records nothing. It returns the function that ends the recording.
func startRecording(env string, start func(io.Writer) error, stop func(), stderr io.Writer) func() {
	path := os.Getenv(env)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = start(f)
	}
	if err != nil {
		fmt.Fprintf(stderr, "analyze: %s: %v\n", env, err)
		return func() {}
	}
	return func() {
		stop()
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "analyze: %s: %v\n", env, err)
		}
	}
}

const usage = `usage: analyze [report] [flags] PATH...   report on access logs (files, folders, globs, - for stdin)
       analyze quota [flags] PATH...          the quota pressure report alone (--limit, --window, --client)
       analyze retries [flags] PATH...        failures worth retrying (--retry-window, --unrecovered, -o csv)
       analyze timeline [flags] PATH...       requests per window by class and status, and the incidents (-o csv too)
       analyze show [filters] PATH...         the raw lines of the matching requests, as FILE:LINE: TEXT
       analyze export --to parquet|csv --out DIR PATH...   one row per request, for DuckDB, Spark, Trino
       analyze sql --dialect duckdb|spark|trino DATASET     the report's SQL over an exported dataset
       analyze codes [-o text|markdown|json]  the status catalogue
       analyze formats                        the log formats analyze reads
       analyze version

Run 'analyze report -h' for the report's flags.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "report":
		return runReport(ctx, "report", args[1:], stdin, stdout, stderr)
	case "quota":
		return runReport(ctx, "quota", args[1:], stdin, stdout, stderr)
	case "retries":
		return runReport(ctx, "retries", args[1:], stdin, stdout, stderr)
	case "timeline":
		return runReport(ctx, "timeline", args[1:], stdin, stdout, stderr)
	case "show":
		return runShow(ctx, args[1:], stdin, stdout, stderr)
	case "export":
		return runExport(ctx, args[1:], stdin, stdout, stderr)
	case "sql":
		return runSQL(args[1:], stdout, stderr)
	case "codes":
		return runCodes(args[1:], stdout, stderr)
	case "formats":
		for _, f := range ingest.Formats() {
			fmt.Fprintf(stdout, "%-15s %s\n", f.Name, f.Description)
		}
		return exitOK
	case "version", "--version":
		fmt.Fprintf(stdout, "analyze %s\n", version)
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	return runReport(ctx, "report", args, stdin, stdout, stderr)
}

// flagSet reports whether one of the named flags was given.
func flagSet(fs *flag.FlagSet, names ...string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if slices.Contains(names, f.Name) {
			set = true
		}
	})
	return set
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments, as cron lines and shell habits write them; "--"
// ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos, tail []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, tail = args[:i], args[i+1:]
	}
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return append(pos, tail...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func runCodes(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("codes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var output string
	fs.StringVar(&output, "o", "text", "output: text, markdown or json")
	fs.StringVar(&output, "output", "text", "same as -o")
	if _, err := parseInterleaved(fs, args); err != nil {
		return exitUsage
	}
	if output != "text" && output != "markdown" && output != "json" {
		fmt.Fprintf(stderr, "analyze codes: unknown output %q (want text, markdown or json)\n", output)
		return exitUsage
	}
	if err := report.WriteCodes(stdout, output); err != nil {
		fmt.Fprintf(stderr, "analyze codes: cannot write: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// runReport runs analyze report, or analyze quota (mode "quota": the same
// analysis, written with the inputs and the quota section only).
// softMemoryLimit is the Go heap's soft limit for the reports, unless
// GOMEMLIMIT sets another: the runtime collects more often as the heap
// nears it, so peak memory stays flat as inputs grow, while the bounded
// aggregates stay far below it (README, "Performance": 40-80 MB live on
// the generated 330 MB and 3.3 GB logs). Past it, the runtime caps the
// collector at half the CPU: slower, never failing.
const softMemoryLimit = 128 << 20

// exportMemoryLimit is the same for analyze export, whose Arrow buffers
// and Parquet encoders need more room.
const exportMemoryLimit = 256 << 20

// limitMemory sets the Go heap's soft limit unless GOMEMLIMIT does.
func limitMemory(bytes int64) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(bytes)
	}
}

func runReport(ctx context.Context, mode string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	limitMemory(softMemoryLimit)
	fs := flag.NewFlagSet(mode, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		in                              inputFlags
		drill                           drillFlags
		output                          string
		window, retryAfter, retryWindow time.Duration
		limit                           string
		stormShare                      float64
		unrecovered                     bool
		failOn, clientLimits            listFlag
		outFile, statePath              string
		top                             int
	)
	fs.StringVar(&output, "o", "text", "output: text, markdown, json, html (a self-contained page) or prometheus (node_exporter's textfile format); csv with analyze retries and timeline")
	fs.StringVar(&output, "output", "text", "same as -o")
	in.register(fs)
	drill.register(fs)
	fs.IntVar(&top, "top", 10, "rows in the endpoint, client and host tables")
	fs.DurationVar(&window, "window", 0, "quota window: 1s, 10s, 1m, 1h... (default: the --limit period, else 1m)")
	fs.StringVar(&limit, "limit", "", "the contract's rate limit, N/PERIOD: 600/1m, 10/s")
	fs.Var(&clientLimits, "client-limit", "a client's own contract, CLIENT=N/PERIOD (repeatable): the client, named as the report names it (--client-key), is measured against it instead of --limit, and always listed")
	fs.DurationVar(&retryAfter, "retry-after", time.Second, "the wait a 429 asks for when no Retry-After is logged")
	fs.StringVar(&outFile, "out", "", "write the report to this file instead of stdout (a regular file is replaced atomically, a link followed, a device or FIFO written directly); its extension (.json, .md, .html, .prom, .csv, .txt) sets -o unless -o is given")
	fs.Var(&failOn, "fail-on", "exit 1 when a threshold fails (repeatable): server_error_rate>1%, rate_limited>0, status:503>100, p99_ms>2000...")
	fs.DurationVar(&retryWindow, "retry-window", 10*time.Minute, "how long after a failure the same request counts as a retry")
	fs.Float64Var(&stormShare, "storm-share", 0.2, "a retry storm: a window where retries are more than this share of the traffic")
	fs.BoolVar(&unrecovered, "unrecovered", false, "list every unrecovered failure (analyze retries; with -o csv, as CSV)")
	fs.StringVar(&statePath, "state", "", "remember in this file how far each input was read, and read only what is new since (rotation is followed by content, not name); with --since/--until, report on the stored runs of that period too")
	var lockTimeout time.Duration
	fs.DurationVar(&lockTimeout, "lock-timeout", defaultLockTimeout, "with --state, how long to wait for another run that holds the state file; then exit 4")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: analyze %s [flags] PATH...\n\nPATH is a file (plain, gzip, zstd, bzip2 or xz), a folder, a glob pattern, or - for stdin.\n\nflags:\n", mode)
		fs.PrintDefaults()
	}
	var configFile string
	fs.StringVar(&configFile, "config", "", "a TOML file of flag values (keys are flag names, fail_on = [...] for repeats); flags override it; default $ANALYZE_CONFIG")
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "analyze: "+format+"\n", a...)
		return exitUsage
	}
	if err := applyConfig(fs, args); err != nil {
		return fail("%v", err)
	}
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if outFile != "" {
		// Before reading: a directory or block device is refused now, not
		// after minutes of work.
		if _, _, err := outfile.Resolve(outFile); err != nil {
			return fail("--out: %s", safe(err))
		}
	}
	if outFile != "" && !flagSet(fs, "o", "output") {
		if o := report.OutputFor(outFile); o != "" {
			output = o
		}
	}
	write, ok := report.Writers[output]
	switch {
	case output == "csv" && mode == "retries":
		write, ok = report.WriteUnrecoveredCSV, true
	case output == "csv" && mode == "timeline":
		write, ok = report.WriteTimelineCSV, true
	}
	if !ok {
		if output == "csv" {
			return fail("-o csv writes the unrecovered list or the timeline: use it with analyze retries or analyze timeline")
		}
		return fail("unknown output %q (want text, markdown, json, html or prometheus)", output)
	}
	if err := checkReportBounds(top, window, retryAfter, retryWindow, stormShare); err != nil {
		return fail("%v", err)
	}
	opts, loc, err := in.options(stdin)
	if err != nil {
		return fail("%v", err)
	}
	// The user agent is read: the clients' user_agents list it. The
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
	quota := report.QuotaOptions{Window: window, RetryAfter: retryAfter, Client: clientKey}
	if limit != "" {
		n, period, err := report.ParseLimit(limit)
		if err != nil {
			return fail("%v", err)
		}
		if quota.Window == 0 {
			quota.Window = period
		}
		if quota.Limit = report.LimitPerWindow(n, period, quota.Window); quota.Limit < 1 {
			return fail("--limit %s is less than one request per %v window", limit, quota.Window)
		}
	}
	if quota.Window == 0 {
		quota.Window = time.Minute
	}
	ownLimits, err := report.ParseClientLimits(clientLimits, quota.Window)
	if err != nil {
		return fail("%v", err)
	}
	quota.ClientLimits = ownLimits
	// With --state and a period, no path is needed: the report is then of
	// the stored runs alone.
	stateOnly := len(paths) == 0 && statePath != "" && !(sinceB.IsZero() && untilB.IsZero())
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
	if statePath != "" && in.anonymize && in.anonymizeKey == "" {
		return fail("--anonymize with --state: the pseudonyms would change every run; give --anonymize-key")
	}
	if statePath != "" && !match.IsZero() {
		return fail("--state stores whole runs; --client, --endpoint, --status, --method, --class and --host go without it")
	}
	if statePath != "" {
		var unlock func()
		var code int
		if st, unlock, code = openState(ctx, statePath, "report", lockTimeout, files, stderr); st == nil {
			return code
		}
		defer unlock()
		b, err := st.Carry()
		if err == nil {
			if carry, err = report.DecodeCarry(b); err != nil {
				err = fmt.Errorf("--state %s: %w", statePath, err)
			}
		}
		if err != nil {
			return fail("%s; remove \"open_file\" from the state file to go on without them (the retry chains and 429s open at the last run's end are then cut)", safe(err))
		}
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
	readable := 0
	for _, f := range files {
		if f.Err != nil {
			fmt.Fprintf(stderr, "analyze: %s\n", safe(f.Err))
		}
		if f.Err == nil || f.Lines > 0 {
			readable++
		}
		if f.Format == nil && f.Detection.Sampled > 0 && f.Lines > 0 { // a resumed input with no new line has nothing rejected to explain
			fmt.Fprintf(stderr, "analyze: %s: no known format fits its first lines; its %d lines are counted as unrecognized, not rejected (try --format, analyze formats lists them; or --exclude the file)\n", safe(f.Path), f.Lines)
			if f.Detection.Encoding != "" {
				fmt.Fprintf(stderr, "  it is %s text: convert it to UTF-8 first (iconv -f %s -t UTF-8)\n", f.Detection.Encoding, f.Detection.Encoding)
			}
			for _, c := range f.Detection.Candidates {
				fmt.Fprintf(stderr, "  closest: %s parsed %d of %d sampled lines\n", c.Format, c.Matched, c.Sampled)
			}
			for _, ex := range f.Detection.Examples {
				fmt.Fprintf(stderr, "  line: %s\n", report.Snippet(ex))
			}
		}
	}
	if readable == 0 && !stateOnly {
		return fail("no readable input")
	}
	var run state.Run
	var snap, open []byte
	if st != nil {
		// Before Build, which closes the retry chains still open: the
		// snapshot counts what this run decided, the carry what it left open.
		if snap, err = sum.Snapshot(files); err != nil {
			return fail("--state: %v", err)
		}
		if open, err = sum.Carry(); err != nil {
			return fail("--state: %v", err)
		}
		run = newRun(files, sum)
		if cumulative {
			latest := sum.Last()
			for _, r := range st.Runs {
				if r.Last != nil && r.Last.After(latest) {
					latest = *r.Last
				}
			}
			filter = report.Filter{Since: sinceB.Resolve(latest), Until: untilB.Resolve(latest)}
			for _, r := range st.Between(filter.Since, filter.Until) {
				agg, err := st.Aggregates(r)
				if err != nil {
					return fail("%s", safe(err))
				}
				if err := sum.MergeSnapshot(agg); err != nil {
					return fail("--state %s: %s", safe(statePath), safe(err))
				}
			}
		}
	}
	only := ""
	switch mode {
	case "quota":
		only = "quota"
	case "retries":
		only = "retry"
	case "timeline":
		only = "timeline"
	}
	rep := report.Build(sum, files, filter, report.Options{Top: top, Version: version, TZ: loc.String(), Quota: quota,
		Retry: retry, Unrecovered: unrecovered && mode == "retries", Only: only, TimelineWindow: timelineWindow})
	thresholdFailed := rep.Check(thresholds)
	in.logf(stderr, "debug", "built the report in %v", time.Since(start).Round(time.Millisecond))
	if outFile != "" {
		err = outfile.Write(outFile, func(f *os.File) error { return write(f, rep) })
	} else {
		err = write(stdout, rep)
	}
	if err != nil {
		fmt.Fprintf(stderr, "analyze: cannot write the report: %s\n", safe(err))
		return exitUsage
	}
	if st != nil {
		// Only once the report is out: a run that failed before reads the
		// same bytes again next time.
		now := time.Now()
		st.Update(files, now)
		if run.Lines > 0 {
			run.At = now.UTC()
			st.AddRun(run, snap, now)
			st.SetCarry(open, now)
		}
		if err := st.Save(); err != nil {
			fmt.Fprintf(stderr, "analyze: cannot save --state: %s (the next run reads these bytes again)\n", safe(err))
			return exitUsage
		}
	}
	for _, t := range rep.Thresholds {
		if t.Failed {
			fmt.Fprintf(stderr, "analyze: threshold failed: %s\n", t.Expr)
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

// newRun is what the state keeps of this run: the span of its records
// and its accounting.
func newRun(files []*ingest.File, sum *report.Summary) state.Run {
	var r state.Run
	if first := sum.First(); !first.IsZero() {
		last := sum.Last()
		r.First, r.Last = &first, &last
	}
	for i, f := range files {
		r.Lines += f.Lines
		r.Records += sum.Files[i].Records
	}
	return r
}
