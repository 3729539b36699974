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
	"strconv"
	"sync"

	"analyze/ingest"
	"analyze/report"
)

// Options say which lines Show prints.
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

// Show writes the raw lines of the records the filter keeps (or of the
// rejected lines), each as "file:line: text", every log-derived byte made
// safe for a terminal (report.Term). The records of several inputs are merged by
// time, ties in the inputs' order (showByTime); with ByFile, and for the
// rejected lines (which may have no time), inputs come one after another
// in time order of their first record, lines in file order. It returns how
// many lines it wrote.
func Lines(ctx context.Context, files []*ingest.File, opts ingest.Options, so Options, w io.Writer) (int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	order := ingest.SortByTime(files, opts)
	if len(order) > 1 && !so.ByFile && !so.Rejected {
		return showByTime(ctx, order, opts, so, w)
	}
	var (
		mu      sync.Mutex
		blocks  = ingest.NewSerialReorder[[]byte](order) // inputs one after another
		written int64
		werr    error
	)
	// write writes a block's lines, in order.
	write := func(_ int, out []byte, _ bool) {
		if so.Max > 0 {
			if written >= so.Max {
				return
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
	err := ingest.Drive(ctx, order, opts, func(_ int, sc *ingest.Scanner) ingest.Sink {
		return &showSink{so: so, sc: sc, sel: report.NewSelector(so.Filter, so.Client), put: func(k ingest.BlockKey, out []byte) {
			mu.Lock()
			defer mu.Unlock()
			blocks.Put(k, out, write)
		}}
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

// showSink is one worker's part of Lines: the lines of a block it keeps,
// as Lines prints them.
type showSink struct {
	so     Options
	sc     *ingest.Scanner
	sel    *report.Selector
	put    func(ingest.BlockKey, []byte) // hands on a block's output
	prefix string                        // "file:"
	out    []byte
}

func (s *showSink) StartBlock(b *ingest.Block) {
	s.out, s.prefix = nil, report.Term(b.File.Path)+":"
}

func (s *showSink) Record(r *ingest.Record) {
	if s.so.Rejected || !s.sel.Keep(r) {
		return
	}
	s.out = strconv.AppendInt(append(s.out, s.prefix...), r.Line, 10)
	s.line()
}

func (s *showSink) Reject(rej *ingest.Rejection) {
	if !s.so.Rejected {
		return
	}
	s.out = strconv.AppendInt(append(s.out, s.prefix...), rej.Line, 10)
	s.out = append(append(append(s.out, ": ["...), rej.Reason.String()...), ']')
	s.line()
}

// line appends the current line's text.
func (s *showSink) line() {
	line := string(s.sc.ShowLine())
	if s.sc.Anonymized() && s.sc.Kind() == ingest.KindRejected {
		line = "(withheld under --anonymize)"
	}
	s.out = append(append(append(s.out, ": "...), report.Term(line)...), '\n')
}

func (s *showSink) Blank(*ingest.File) {}

func (s *showSink) EndBlock(b *ingest.Block) { s.put(b.Key(), s.out) }

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
