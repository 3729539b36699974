package show

import (
	"bufio"
	"container/heap"
	"context"
	"errors"
	"io"
	"strconv"

	"analyze/ingest"
	"analyze/report"
)

// showLine is one line Show prints, with its record's time.
type showLine struct {
	at   int64 // Unix nanoseconds
	text []byte
}

// showSource reads one input on a goroutine of its own, in line order, and
// hands on its kept lines a block at a time.
type showSource struct {
	f     *ingest.File
	order int // its place among the inputs: ties in time go by it
	batch chan []showLine
	lines []showLine // the batch being merged
	err   error      // ingest.Drive's, once batch is closed
	done  chan struct{}
}

// next loads the source's next line into lines[0]; false at its end.
func (s *showSource) next() bool {
	if len(s.lines) > 1 {
		s.lines = s.lines[1:]
		return true
	}
	for b := range s.batch {
		if len(b) > 0 {
			s.lines = b
			return true
		}
	}
	s.lines = nil
	return false
}

// showHeap orders the sources by their next line's time, then their order.
type showHeap []*showSource

func (h showHeap) Len() int { return len(h) }
func (h showHeap) Less(i, j int) bool {
	a, b := h[i].lines[0].at, h[j].lines[0].at
	return a < b || a == b && h[i].order < h[j].order
}
func (h showHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *showHeap) Push(x any)   { *h = append(*h, x.(*showSource)) }
func (h *showHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	*h = old[:len(old)-1]
	return s
}

// showByTime writes the kept records' lines of every input merged by time
// (ties in the inputs' order, then line order): an incident spans servers,
// and their logs interleave. An input is opened only when the merge reaches
// the time of its first record (ingest.File.First, as SortByTime found it;
// at once when that is unknown), so rotated logs of one server are read one
// after another, and only inputs that overlap in time are read at once:
// the memory held is that of one single-worker reader (ingest.Drive's block
// buffers) per overlapping input.
func showByTime(parent context.Context, order []*ingest.File, opts ingest.Options, so Options, w io.Writer) (int64, error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	opts.Workers = 1
	var started []*showSource
	start := func(f *ingest.File) *showSource {
		s := &showSource{f: f, order: f.Index, batch: make(chan []showLine, 1), done: make(chan struct{})}
		started = append(started, s)
		go func() {
			defer close(s.done)
			defer close(s.batch)
			sink := &showTimeSink{ctx: ctx, s: s, sel: report.NewSelector(so.Filter, so.Client), prefix: report.Term(f.Path) + ":"}
			s.err = ingest.Drive(ctx, []*ingest.File{f}, opts, func(_ int, sc *ingest.Scanner) ingest.Sink {
				sink.sc = sc
				return sink
			})
		}()
		return s
	}
	defer func() {
		cancel()
		for _, s := range started {
			for range s.batch { // let a reader blocked on a send end
			}
			<-s.done
		}
	}()

	// Inputs with no first time (standard input, no record in its head)
	// open at once; the others as the merge reaches their first record.
	var timed []*ingest.File
	h := &showHeap{}
	for _, f := range order {
		if f.First.IsZero() {
			if s := start(f); s.next() {
				heap.Push(h, s)
			}
			continue
		}
		timed = append(timed, f)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var written int64
	var werr error
	for {
		for len(timed) > 0 && (h.Len() == 0 || timed[0].First.UnixNano() <= (*h)[0].lines[0].at) {
			if s := start(timed[0]); s.next() {
				heap.Push(h, s)
			}
			timed = timed[1:]
		}
		if h.Len() == 0 {
			break
		}
		s := (*h)[0]
		if _, werr = bw.Write(s.lines[0].text); werr != nil {
			break
		}
		if written++; so.Max > 0 && written >= so.Max {
			break
		}
		if s.next() {
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	if err := bw.Flush(); werr == nil {
		werr = err
	}
	if werr != nil {
		return written, werr
	}
	if so.Max > 0 && written >= so.Max {
		return written, nil
	}
	if err := parent.Err(); err != nil {
		return written, err // interrupted
	}
	for _, s := range started {
		<-s.done
		if s.err != nil && !errors.Is(s.err, context.Canceled) {
			return written, s.err
		}
	}
	return written, nil
}

// showTimeSink reads one input for showByTime: the kept records' lines of
// a block, handed on as one batch. Its reader has one worker: the blocks
// come in order.
type showTimeSink struct {
	ctx    context.Context
	s      *showSource
	sc     *ingest.Scanner
	sel    *report.Selector
	prefix string // "file:"
	out    []byte
	lines  []showLine
}

func (t *showTimeSink) StartBlock(*ingest.Block) { t.out, t.lines = nil, nil }

func (t *showTimeSink) Record(r *ingest.Record) {
	if !t.sel.Keep(r) {
		return
	}
	from := len(t.out)
	t.out = strconv.AppendInt(append(t.out, t.prefix...), r.Line, 10)
	t.out = append(append(append(t.out, ": "...), report.Term(string(t.sc.ShowLine()))...), '\n')
	t.lines = append(t.lines, showLine{at: r.Time.UnixNano(), text: t.out[from:len(t.out):len(t.out)]})
}

func (t *showTimeSink) Reject(*ingest.Rejection) {}
func (t *showTimeSink) Blank(*ingest.File)       {}

func (t *showTimeSink) EndBlock(*ingest.Block) {
	if len(t.lines) == 0 {
		return
	}
	select {
	case t.s.batch <- t.lines:
	case <-t.ctx.Done():
	}
}
