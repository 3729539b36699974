package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"analyze/report/show"
)

// showFlags are the flags of analyze show.
type showFlags struct {
	in               inputFlags
	drill            drillFlags
	rejected, byFile bool
	maxLines         int64
	configFile       string
}

func (f *showFlags) register(fs *pflag.FlagSet) {
	f.in.register(fs)
	f.drill.register(fs)
	fs.BoolVar(&f.rejected, "rejected", false, "print the rejected lines, with their reason, instead of the records")
	fs.Int64Var(&f.maxLines, "max", 0, "stop after this many lines (0: all)")
	fs.BoolVar(&f.byFile, "by-file", false, "print each input's lines in turn, in file order, instead of merging the inputs by time")
	fs.StringVar(&f.configFile, "config", "", configUsage)
}

// newShowCmd is analyze show.
func newShowCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var f showFlags
	cmd := &cobra.Command{
		Use:   "show [flags] PATH...",
		Short: "the raw lines of the matching requests, as FILE:LINE: TEXT",
		Long: `Print the lines of the records the filters keep, as FILE:LINE: TEXT, control characters
escaped; the inputs merged by time (ties in the order given), unless --by-file. With
--rejected, the rejected lines instead, each with its reason. Exit 0, or 3 when an input could
not be read to its end.`,
		Example: `  analyze show --client dam-importer --status 5xx --around 2025-03-12T08:20:00Z --span 10m /var/log/nginx/
  analyze show --rejected --max 20 access.log`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			return exitWith(runShow(cmd.Context(), &f, paths, stdin, stdout, stderr))
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// runShow prints the raw lines of the records the filters keep: analyze
// show, for "show me the actual requests".
func runShow(ctx context.Context, f *showFlags, paths []string, stdin io.Reader, stdout, stderr io.Writer) int {
	in, drill := &f.in, &f.drill
	rejected, maxLines, byFile := f.rejected, f.maxLines, f.byFile
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "analyze: "+format+"\n", a...)
		return exitUsage
	}
	if err := intIn("max", maxLines, 0, math.MaxInt64, "0 (all) or more lines"); err != nil {
		return fail("%v", err)
	}
	opts, _, err := in.options(stdin)
	if err != nil {
		return fail("%v", err)
	}
	opts.Parse.SkipRefererAgent = true // show prints the lines as logged
	sinceB, untilB, match, clientKey, err := drill.resolve()
	if err != nil {
		return fail("%v", err)
	}
	files, expandFailed, err := in.inputs(paths, stderr, false)
	if err != nil {
		return fail("%v", err)
	}
	filter, cleanup, err := timeFilter(ctx, files, opts, stdin, sinceB, untilB, &match)
	defer cleanup()
	if err != nil {
		return fail("%v", err)
	}
	// A reader that had enough (head, less) closes the pipe: the write then
	// fails with EPIPE, which ends show with 0, instead of SIGPIPE killing
	// the process (Go's default for a write to stdout, exit 141).
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	defer signal.Stop(pipe)
	_, err = show.Lines(ctx, files, opts, show.Options{Filter: filter, Client: clientKey, Rejected: rejected, Max: maxLines, ByFile: byFile}, stdout)
	switch {
	case errors.Is(err, syscall.EPIPE):
		return exitOK // the reader (head, less) had enough
	case err != nil:
		return fail("%v", err)
	}
	incomplete := readErrors(stderr, files) || expandFailed
	if incomplete {
		return exitIncomplete
	}
	return exitOK
}
