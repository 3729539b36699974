package report

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"sync"

	"analyze/classify"
	"analyze/ingest"
)

// ShowOptions say which lines Show prints.
type ShowOptions struct {
	Filter   Filter
	Client   ClientSelector // the client key --client matches
	Rejected bool           // the rejected lines (with their reason) instead of the records
	Max      int64          // stop after this many lines; 0 means all
	// ByFile prints each input's lines in turn (inputs in time order of
	// their first record) instead of merging them by time.
	ByFile bool
}

// Show writes the raw lines of the records the filter keeps (or of the
// rejected lines), each as "file:line: text", every log-derived byte made
// safe for a terminal (Term). The records of several inputs are merged by
// time, ties in the inputs' order (showByTime); with ByFile, and for the
// rejected lines (which may have no time), inputs come one after another
// in time order of their first record, lines in file order. It returns how
// many lines it wrote.
func Show(ctx context.Context, files []*ingest.File, opts ingest.Options, so ShowOptions, w io.Writer) (int64, error) {
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
		return &showSink{so: so, sc: sc, sel: NewSelector(so.Filter, so.Client), put: func(k ingest.BlockKey, out []byte) {
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

// showSink is one worker's part of Show: the lines of a block it keeps,
// as Show prints them.
type showSink struct {
	so     ShowOptions
	sc     *ingest.Scanner
	sel    *Selector
	put    func(ingest.BlockKey, []byte) // hands on a block's output
	prefix string                        // "file:"
	out    []byte
}

func (s *showSink) StartBlock(b *ingest.Block) {
	s.out, s.prefix = nil, Term(b.File.Path)+":"
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
	s.out = append(append(append(s.out, ": "...), Term(line)...), '\n')
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

// Selector decides, as Summary.Add does, whether a record passes a filter
// (the time bounds and the drill-down match): for show, and for export's
// rows. One per goroutine.
type Selector struct {
	span    span
	match   *Match
	client  ClientSelector
	scratch []byte
}

// NewSelector returns a Selector for f, matching --client by client.
func NewSelector(f Filter, client ClientSelector) *Selector {
	s := &Selector{span: f.span(), client: client}
	if !f.Match.IsZero() {
		s.match = f.Match
	}
	return s
}

// Keep reports whether r passes the filter.
func (s *Selector) Keep(r *ingest.Record) bool {
	if !s.span.keep(r.Time.UnixNano()) {
		return false
	}
	if s.match == nil {
		return true
	}
	endpoint := dash
	if len(r.Method) > 0 {
		s.scratch = classify.Template(s.scratch[:0], r.Path)
		endpoint = s.scratch
	}
	return s.match.keep(s.client.Key(r), endpoint, r.Path, r.Method, r.Host, r.Status, classify.ClassOf(r.Status))
}
