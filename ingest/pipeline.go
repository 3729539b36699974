package ingest

import (
	"context"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
)

// Options configure Run.
type Options struct {
	// Format forces one format on every input; nil detects it per file.
	Format *Format
	// Workers is the number of parsing goroutines; 0 means GOMAXPROCS.
	Workers int
	// MaxLine is the longest line accepted, in bytes; longer lines are
	// one TooLong rejection each. 0 means DefaultMaxLine.
	MaxLine int
	// Stdin is read for the input "-"; nil means os.Stdin.
	Stdin io.Reader
	// Parse configures the parsers; the caller's Scanners take it.
	Parse ParseOptions
	// Progress, when not nil, counts the bytes read from the inputs (as
	// stored, compressed or not) and the inputs finished, for a progress bar.
	Progress *Progress
}

// Progress counts what Run has read; safe to read while it runs.
type Progress struct {
	Bytes atomic.Int64 // bytes read from the inputs, as stored
	Files atomic.Int64 // inputs read to their end (or their error)
}

// countingReader adds what it reads to a Progress.
type countingReader struct {
	r io.Reader
	p *Progress
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.Bytes.Add(int64(n))
	return n, err
}

// WorkerCount is the number of parsing goroutines: Workers, or GOMAXPROCS
// when it is 0.
func (o Options) WorkerCount() int {
	if o.Workers <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return o.Workers
}

// DefaultMaxLine is the default line limit: 4 MiB.
const DefaultMaxLine = 4 << 20

// BlocksInFlight is how many blocks Run has read and not yet seen consumed
// at most, with the given number of workers (0: GOMAXPROCS): the number of
// its block buffers.
func BlocksInFlight(workers int) int {
	return 2*Options{Workers: workers}.WorkerCount() + 2
}

// Run reads files, several at once in the order given, cuts them into
// blocks, and calls consume for each block on one of opts.Workers
// goroutines. After a file's last block comes a Last marker block. worker is the
// goroutine's index in [0, Workers), so consume can keep per-worker state
// without locks. A block's data is recycled when consume returns. Blocks
// reach consume in no particular order; use Block.File, Seq and Line to
// restore it. Read errors of an input are recorded in its File.Err and the
// run goes on; Run returns only ctx's error. When ctx is cancelled Run
// returns promptly, even while an input blocks in a read (standard input
// from a pipe); the Files are then not to be used.
func Run(ctx context.Context, files []*File, opts Options, consume func(worker int, b *Block)) error {
	workers := opts.WorkerCount()
	size := opts.MaxLine
	if size <= 0 {
		size = DefaultMaxLine
	}
	size = max(size, 64<<10)
	stdin := opts.Stdin
	if stdin == nil {
		stdin = os.Stdin
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	blocks := make(chan *Block, workers)
	nbuf := BlocksInFlight(workers)
	// The buffers are made when first taken (getBuf): a run over a few
	// small inputs (a minute of analyze watch) makes one.
	pool := make(chan *[]byte, nbuf)
	for range nbuf {
		pool <- new([]byte)
	}
	br := &blockReader{pool: pool, size: size, out: blocks, stdin: stdin, force: opts.Format, progress: opts.Progress}

	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case b, ok := <-blocks:
					if !ok {
						return
					}
					consume(w, b)
					if b.buf != nil {
						pool <- b.buf
					}
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	// Readers: several files are read (and decompressed) at once, taken in
	// the order given. Each reader holds at most two buffers, so with
	// `workers` readers and 2*workers+2 buffers one always makes progress.
	queue := make(chan *File)
	var (
		rwg  sync.WaitGroup
		once sync.Once
		err  error
	)
	for range min(len(files), workers) {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			for f := range queue {
				if e := br.readFile(ctx, f); e != nil {
					once.Do(func() { err = e })
				}
			}
		}()
	}
	go func() {
		for _, f := range files {
			select {
			case queue <- f:
			case <-ctx.Done():
			}
		}
		close(queue)
		rwg.Wait()
		close(blocks)
	}()
	wg.Wait()
	if ctx.Err() != nil {
		// Interrupted: the workers stopped; a reader blocked in a read
		// that cannot be cancelled (a pipe, a terminal) is left to end
		// with the process, and touches nothing of the caller's but its
		// File once its read returns.
		return ctx.Err()
	}
	return err
}
