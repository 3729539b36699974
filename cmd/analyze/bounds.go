package main

import (
	"fmt"
	"math"
	"runtime"
	"time"

	"analyze/ingest"
)

// The ranges of the numeric and duration flags. A value outside its range
// is a usage error (exit 2) that names the range, whether it came from
// the command line or a --config file: a value that would crash the
// runtime (--max-line 99999999999999), take gigabytes (--workers 100000)
// or cut a month into billions of windows (--window 1ns) never starts a
// run.
const (
	maxWorkers     = 256
	minMaxLine     = 64 << 10  // the block buffer is never smaller: a shorter limit would not hold
	maxMaxLine     = 256 << 20 // 256 MiB
	maxLineBuffers = 4 << 30   // (2×workers+2) block buffers of --max-line bytes each, at most 4 GiB
	maxTop         = 10000
	minWindow      = time.Second
	maxWindow      = 31 * 24 * time.Hour
	maxRetryWindow = 24 * time.Hour
	maxRetryAfter  = 24 * time.Hour
	minSpan        = time.Second
	maxSpan        = 366 * 24 * time.Hour
)

// rangeError is a flag value outside its range.
type rangeError struct {
	flag  string // without its dashes
	value string
	want  string // the range, as the message states it
}

func (e *rangeError) Error() string {
	return fmt.Sprintf("cannot use --%s %s: out of range, want %s", e.flag, e.value, e.want)
}

// intIn checks lo <= v <= hi.
func intIn(flag string, v, lo, hi int64, want string) error {
	if v < lo || v > hi {
		return &rangeError{flag, fmt.Sprint(v), want}
	}
	return nil
}

// durationIn checks lo <= v <= hi; want is the range in words.
func durationIn(flag string, v, lo, hi time.Duration, want string) error {
	if v < lo || v > hi {
		return &rangeError{flag, v.String(), want}
	}
	return nil
}

// checkInputBounds checks --workers and --max-line, each and together:
// the reader holds 2×workers+2 buffers of --max-line bytes.
func checkInputBounds(workers, maxLine int) error {
	if err := intIn("workers", int64(workers), 0, maxWorkers, fmt.Sprintf("0 (one per core) to %d", maxWorkers)); err != nil {
		return err
	}
	if maxLine != 0 {
		want := fmt.Sprintf("%d (64 KiB) to %d (256 MiB) bytes, or 0 for the default %d (4 MiB)", minMaxLine, maxMaxLine, ingest.DefaultMaxLine)
		if err := intIn("max-line", int64(maxLine), minMaxLine, maxMaxLine, want); err != nil {
			return err
		}
	}
	n := workers
	if n == 0 { // one per core; the default never fails here on a machine of up to 256 cores
		n = min(runtime.GOMAXPROCS(0), maxWorkers)
	}
	size := maxLine
	if size == 0 {
		size = ingest.DefaultMaxLine
	}
	if buffers := int64(ingest.BlocksInFlight(n)) * int64(size); buffers > maxLineBuffers {
		return fmt.Errorf("cannot use --max-line %d with %d workers: the reader would hold %d MiB of line buffers; (2×workers+2)×max-line must stay within %d MiB: lower --workers or --max-line",
			size, n, buffers>>20, maxLineBuffers>>20)
	}
	return nil
}

// checkReportBounds checks the report's own numeric flags.
func checkReportBounds(top int, window, retryAfter, retryWindow time.Duration, stormShare float64) error {
	if err := intIn("top", int64(top), 0, maxTop, fmt.Sprintf("0 to %d rows", maxTop)); err != nil {
		return err
	}
	if window != 0 { // 0: the --limit period, else 1m
		if err := durationIn("window", window, minWindow, maxWindow, "1s to 744h (31 days), or 0 for the default"); err != nil {
			return err
		}
	}
	if err := durationIn("retry-after", retryAfter, 0, maxRetryAfter, "0s to 24h"); err != nil {
		return err
	}
	if err := durationIn("retry-window", retryWindow, minWindow, maxRetryWindow, "1s to 24h"); err != nil {
		return err
	}
	if !(stormShare > 0 && stormShare <= 1) || math.IsNaN(stormShare) {
		return &rangeError{"storm-share", fmt.Sprint(stormShare), "a share in (0, 1]: more than 0, at most 1"}
	}
	return nil
}
