package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"syscall"

	"analyze/report"
)

// runShow prints the raw lines of the records the filters keep: analyze
// show, for "show me the actual requests".
func runShow(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("show", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		in       inputFlags
		drill    drillFlags
		rejected bool
		maxLines int64
	)
	in.register(fs)
	drill.register(fs)
	fs.BoolVar(&rejected, "rejected", false, "print the rejected lines, with their reason, instead of the records")
	fs.Int64Var(&maxLines, "max", 0, "stop after this many lines (0: all)")
	var byFile bool
	fs.BoolVar(&byFile, "by-file", false, "print each input's lines in turn, in file order, instead of merging the inputs by time")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: analyze show [flags] PATH...\n\nPrints the lines of the records the filters keep, as FILE:LINE: TEXT, control characters escaped; the inputs merged by time (ties in the order given), unless --by-file.\n\nflags:\n")
		fs.PrintDefaults()
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "analyze: "+format+"\n", a...)
		return exitUsage
	}
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
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
	_, err = report.Show(ctx, files, opts, report.ShowOptions{Filter: filter, Client: clientKey, Rejected: rejected, Max: maxLines, ByFile: byFile}, stdout)
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
