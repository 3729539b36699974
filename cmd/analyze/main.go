// Command analyze reads HTTP access logs of REST APIs and reports what the
// responses say: every status classified and diagnosed, the endpoints and
// clients behind the errors, and every line accounted for.
//
// The flow, end to end:
//
//	ingest.Expand(args)        paths, folders, globs, "-"  →  []*ingest.File
//	report.Aggregate(files)    ingest.Drive cuts each file into newline-aligned
//	                           blocks; a worker per core walks a block with an
//	                           ingest.Scanner (parse → Record or Rejection) and
//	                           feeds its Sink, its own report.Summary, which classifies
//	                           each record (classify.Classify) and counts it;
//	                           the Summaries merge at the end
//	report.Build(summary)      →  *report.Report, the data behind every output
//	write.Lookup(-o).Write     text tables, Markdown, JSON, HTML or Prometheus on stdout
//
// This package only parses flags, wires those stages and maps the outcome to
// an exit code. The command line is a github.com/spf13/cobra tree built in
// root.go; each subcommand's file (report.go for report, quota, retries and
// timeline; show.go, export.go, sql.go, codes.go, man.go) holds its flags,
// registered in one place, its help and examples, and its run function,
// which returns the exit code: 0 done; 1 a --fail-on threshold failed; 2 usage error or no
// readable input; 3 some inputs were unreadable or incomplete but the rest
// was analysed and reported; 4 another run held the --state file (or the
// export's dataset) for longer than --lock-timeout.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"syscall"
	"time"
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

// softMemoryLimit and reportGCPercent shape the Go collector for the
// reports, unless GOMEMLIMIT or GOGC say otherwise. The collector runs
// when the heap has grown by half since the last collection, so a small
// log's peak stays near what its aggregates hold (about 100 MB live on the
// generated 330 MB log, 180 MB peak RSS, docs/performance.md). Every aggregate is
// bounded, and a log that fills every bound (the 3.3 GB one) holds about
// 190 MB live: the limit lies above that ceiling, for under it the runtime
// collects back to back (a 128 MiB limit spent half the CPU of the 3.3 GB
// log's report collecting). Past the limit the runtime caps the collector
// at half the CPU: slower, never failing.
const (
	softMemoryLimit = 224 << 20
	reportGCPercent = 50
)

// exportMemoryLimit is the same for analyze export, whose Arrow buffers
// and Parquet encoders need more room.
const exportMemoryLimit = 256 << 20

// limitMemory sets the Go heap's soft limit unless GOMEMLIMIT does, and,
// when gcPercent is above 0, the collector's growth target unless GOGC
// does.
func limitMemory(bytes int64, gcPercent int) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(bytes)
	}
	if gcPercent > 0 && os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}
