// Package show prints the raw lines of an access log that a filter keeps
// (analyze show): in come the inputs (ingest.File), the reading options and
// the drill-down filter (report.Filter, report.ClientSelector); out go the
// lines as "file:line: text", safe for a terminal, the inputs merged by
// time or one after another, or the rejected lines with their reason.
package show

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"strconv"
	"sync"

	"analyze/ingest"
	"analyze/report"
)

// Options say which lines Lines prints.
type Options struct {
	Filter   report.Filter
	Client   report.ClientSelector // the client key --client matches
	Rejected bool                  // the rejected lines (with their reason) instead of the records
	Max      int64                 // stop after this many lines; 0 means all
	// ByFile prints each input's lines in turn (inputs in time order of
	// their first record) instead of merging them by time.
	ByFile bool
}

// Lines writes the raw lines of the records the filter keeps (or of the
// rejected lines), each as "file:line: text", every log-derived byte made
// safe for a terminal (report.Term). The records of several inputs are
// merged by time, ties in the inputs' order (showByTime); with ByFile, and
// for the rejected lines (which may have no time), inputs come one after
// another in time order of their first record, lines in file order. It
// returns how many lines it wrote.
func Lines(ctx context.Context, files []*ingest.File, opts ingest.Options, so Options, w io.Writer) (int64, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	order := ingest.SortByTime(files, opts)
	if len(order) > 1 && !so.ByFile && !so.Rejected {
		return showByTime(ctx, order, opts, so, w)
	}
	pos := make(map[*ingest.File]int, len(order))
	for i, f := range order {
		pos[f] = i
	}
	type key struct{ file, seq int }
	var (
		mu      sync.Mutex
		pending = map[key][]byte{} // blocks done out of order
		last    = map[int]int{}    // a file's Last marker's Seq
		cur     int                // the file being written
		next    int                // its next block
		written int64
		werr    error
	)
	// flush writes the pending blocks that are next in order.
	flush := func() {
		for cur < len(order) {
			if n, ok := last[cur]; ok && next >= n {
				cur, next = cur+1, 0
				continue
			}
			out, ok := pending[key{cur, next}]
			if !ok {
				return
			}
			delete(pending, key{cur, next})
			next++
			if so.Max > 0 {
				if written >= so.Max {
					continue
				}
				out = firstLines(out, so.Max-written)
			}
			if werr == nil && len(out) > 0 {
				written += int64(bytes.Count(out, []byte{'\n'}))
				_, werr = w.Write(out)
				if werr != nil || so.Max > 0 && written >= so.Max {
					cancel() // enough, or nowhere to write
				}
			}
		}
	}
	scanners := make([]*ingest.Scanner, opts.Workers)
	sels := make([]*report.Selector, opts.Workers)
	for i := range scanners {
		scanners[i] = ingest.NewScanner(opts.Parse)
		sels[i] = report.NewSelector(so.Filter, so.Client)
	}
	err := ingest.Run(ctx, order, opts, func(wk int, b *ingest.Block) {
		p := pos[b.File]
		if b.Last && b.Lines == 0 && len(b.Data) == 0 {
			mu.Lock()
			last[p] = b.Seq
			flush()
			mu.Unlock()
			return
		}
		sc, sel := scanners[wk], sels[wk]
		var out []byte
		prefix := report.Term(b.File.Path) + ":"
		sc.Reset(b)
		for sc.Next() {
			switch {
			case sc.Kind() == ingest.KindRecord && !so.Rejected:
				r := sc.Record()
				if !sel.Keep(r) {
					continue
				}
				out = strconv.AppendInt(append(out, prefix...), r.Line, 10)
			case sc.Kind() == ingest.KindRejected && so.Rejected:
				rej := sc.Rejection()
				out = strconv.AppendInt(append(out, prefix...), rej.Line, 10)
				out = append(append(append(out, ": ["...), rej.Reason.String()...), ']')
			default:
				continue
			}
			line := string(sc.ShowLine())
			if sc.Anonymized() && sc.Kind() == ingest.KindRejected {
				line = "(withheld under --anonymize)"
			}
			out = append(append(append(out, ": "...), report.Term(line)...), '\n')
		}
		mu.Lock()
		defer mu.Unlock()
		pending[key{p, b.Seq}] = out
		flush()
	})
	mu.Lock()
	defer mu.Unlock()
	if werr != nil {
		return written, werr
	}
	if err != nil && !(errors.Is(err, context.Canceled) && so.Max > 0 && written >= so.Max) {
		return written, err // interrupted
	}
	return written, nil
}

// firstLines returns the first n lines of b.
func firstLines(b []byte, n int64) []byte {
	if n <= 0 {
		return nil
	}
	for i, c := range b {
		if c == '\n' {
			if n--; n == 0 {
				return b[:i+1]
			}
		}
	}
	return b
}
