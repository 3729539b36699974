package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"analyze/ingest"
	"analyze/report"
	"analyze/report/write"
	"analyze/watch"
)

// maxWatchSince bounds --since: each refresh merges the minutes kept, and
// each keeps its lines compressed (bash bench/watch-feed.sh: a 6h look
// back took twice the CPU of 15m at 100 lines a second).
const maxWatchSince = 2 * time.Hour

// watchFlags are analyze watch's flags.
type watchFlags struct {
	since, every       time.Duration
	serve, output      string
	filter             string
	limit              string
	window, retryAfter time.Duration
	top                int
}

func (f *watchFlags) register(fs *pflag.FlagSet) {
	fs.DurationVar(&f.since, "since", 15*time.Minute, "start from this much of what the logs hold, and keep it: the incidents are found on it, the baseline is its window (15m at least, 2h at most)")
	fs.DurationVar(&f.every, "every", 2*time.Second, "refresh the view this often")
	fs.StringVarP(&f.output, "output", "o", "auto", "auto (the terminal view on a terminal, JSON lines otherwise), terminal, or json (one JSON line per refresh)")
	fs.StringVar(&f.serve, "serve", "", "also serve the view as a live page at `[HOST:]PORT` (a port alone is on 127.0.0.1; 0.0.0.0:PORT listens on every interface)")
	fs.StringVar(&f.filter, "filter", "", "count only what this selector keeps, as / does in the view: client=NAME endpoint=GLOB status=LIST method=LIST class=LIST host=GLOB")
	fs.StringVar(&f.limit, "limit", "", "the contract's rate limit, N/PERIOD: 600/1m, 10/s")
	fs.DurationVar(&f.window, "window", 0, "the quota window (default: the --limit's period, else 1m)")
	fs.DurationVar(&f.retryAfter, "retry-after", time.Second, "the wait a 429 asks for when no Retry-After is logged")
	fs.IntVar(&f.top, "top", 10, "rows in the failing endpoints and clients")
}

func newWatchCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var f watchFlags
	cmd := &cobra.Command{
		Use:   "watch [flags] PATH...",
		Short: "the incident view, live, as the logs grow (tail -F, rotation followed)",
		Long: `Follows the given files, folders and glob patterns as tail -F does (appended lines,
rotation by rename or copytruncate, files that appear later, a file cut in place; - is
standard input), starting from the last --since of what they hold, and shows, refreshed
every --every: the incidents and whether each is over, request rate, 5xx, 429 and latency
over the last 1, 5 and 15 minutes against the baseline, the endpoints and clients failing
now, the clients ignoring Retry-After, and every line accounted for. The figures of a
window are analyze report's over the same lines (docs/watch.md).

On a terminal: a full-screen view; q quits, p pauses, / filters (client=, endpoint=,
status=, method=, class=, host=), tab cycles the panels. Otherwise (a pipe, cron): one
JSON line per refresh. --serve adds a live page.`,
		Example: `  analyze watch /var/log/nginx/access.log
  analyze watch --since 1h /var/log/nginx/
  analyze watch /var/log/nginx/access.log | jq -c '.windows[0]'
  analyze watch --serve 127.0.0.1:8080 /var/log/nginx/access.log`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return exitWith(runWatch(cmd.Context(), f, args, stdin, stdout, stderr))
		},
	}
	f.register(cmd.Flags())
	return cmd
}

func runWatch(ctx context.Context, f watchFlags, paths []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "analyze watch: %s\n", safe(fmt.Sprintf(format, a...)))
		return exitUsage
	}
	if err := durationIn("since", f.since, time.Minute, maxWatchSince, "1m to 2h (a longer look back: analyze report --since)"); err != nil {
		return fail("%v", err)
	}
	if err := durationIn("every", f.every, 100*time.Millisecond, time.Hour, "100ms to 1h"); err != nil {
		return fail("%v", err)
	}
	if err := intIn("top", int64(f.top), 1, maxTop, fmt.Sprintf("1 to %d rows", maxTop)); err != nil {
		return fail("%v", err)
	}
	if f.window != 0 {
		if err := durationIn("window", f.window, minWindow, maxWindow, "1s to 744h (31 days), or 0 for the default"); err != nil {
			return fail("%v", err)
		}
	}
	if err := durationIn("retry-after", f.retryAfter, 0, maxRetryAfter, "0s to 24h"); err != nil {
		return fail("%v", err)
	}
	out, isFile := stdout.(*os.File)
	term := f.output == "terminal" || f.output == "auto" && isFile && isTerminal(out)
	if f.output != "auto" && f.output != "terminal" && f.output != "json" {
		return fail("-o %q: want auto, terminal or json", f.output)
	}
	if f.serve != "" {
		f.serve = watch.ServeAddr(f.serve)
		if err := watch.CheckServeAddr(f.serve); err != nil {
			return fail("--serve: %v", err)
		}
	}
	quota, err := report.ParseQuota(report.QuotaOptions{Window: f.window, RetryAfter: f.retryAfter}, f.limit, nil)
	if err != nil {
		return fail("%v", err)
	}
	cfg := watch.Config{
		Report: report.Config{Quota: quota,
			Retry: report.RetryOptions{Window: 10 * time.Minute, RetryAfter: f.retryAfter, StormShare: 0.2}},
		Options: report.Options{Top: f.top, Version: version, TZ: "UTC", Quota: quota},
		Horizon: f.since,
	}
	start, err := watch.HorizonStart(ctx, paths, watch.NewEngine(cfg).Horizon(), time.Now())
	if err != nil {
		return fail("%v", err)
	}
	cfg.Start = start
	eng := watch.NewEngine(cfg)
	if err := eng.SetFilter(f.filter); err != nil {
		return fail("--filter: %v", err)
	}
	fol, err := ingest.NewFollower(paths, ingest.FollowOptions{Poll: min(f.every/4, 250*time.Millisecond), Stdin: stdin,
		Own: ingest.Own{Exts: write.Exts(), Is: write.IsOutput}})
	if err != nil {
		return fail("%v", err)
	}
	defer fol.Close()
	live := watch.NewLive(eng, fol, f.every)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	errs := make(chan error, 1) // the first error; the others follow from it
	fault := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	if f.serve != "" {
		srv := watch.NewServer()
		live.OnFrame(srv.Publish)
		ready := make(chan struct{})
		wg.Go(func() {
			err := srv.Serve(ctx, f.serve, func(a net.Addr) {
				fmt.Fprintf(stderr, "analyze watch: the live page is at http://%s/\n", a)
				close(ready)
			})
			if err != nil {
				fault(fmt.Errorf("--serve %s: %w", f.serve, err))
				cancel()
			}
		})
		select {
		case <-ready:
		case err := <-errs:
			return fail("%v", err)
		}
	}
	if !term {
		enc := json.NewEncoder(stdout)
		live.OnFrame(func(fr watch.Frame) {
			if err := enc.Encode(fr); err != nil {
				fault(fmt.Errorf("cannot write a frame: %w", err))
				cancel() // the reader of the lines is gone
			}
		})
	} else {
		in := stdin
		if slices.Contains(paths, "-") {
			in = nil // standard input is a log: the keys come from the terminal
		}
		wg.Go(func() {
			if err := watch.RunTerminal(ctx, live, in, stdout); err != nil {
				fault(err)
			}
			cancel() // q
		})
	}
	if err := live.Run(ctx); err != nil {
		cancel()
		wg.Wait()
		fmt.Fprintf(stderr, "analyze watch: %s\n", safe(err.Error()))
		return exitIncomplete
	}
	if !term {
		cancel()
	} // else the view stays, saying the input ended, until q or a signal
	wg.Wait()
	select {
	case err := <-errs:
		if !errors.Is(err, syscall.EPIPE) { // the reader of the lines went away: done
			fmt.Fprintf(stderr, "analyze watch: %s\n", safe(err.Error()))
			return exitIncomplete
		}
	default:
	}
	return exitOK
}
