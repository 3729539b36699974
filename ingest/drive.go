package ingest

import "context"

// Sink takes what a worker's Scanner finds on each line: a record, a
// rejection or a blank line. Every subcommand (the report, show, export,
// the latest time) is a Sink fed by Drive. The values passed alias the
// block and the Scanner: they stay valid until the call returns.
type Sink interface {
	Record(r *Record)
	Reject(rej *Rejection)
	Blank(f *File)
}

// BlockSink is a Sink that also works per block (the report's event arrays
// for the order-sensitive analyses, export's row batches, show's output):
// Drive calls StartBlock before a block's lines and EndBlock after them,
// for every block, a file's Last marker included. The block's data is
// recycled when EndBlock returns.
type BlockSink interface {
	Sink
	StartBlock(b *Block)
	EndBlock(b *Block)
}

// Drive reads files in the order given (SortByTime orders them by time)
// on opts.Workers goroutines (0: GOMAXPROCS), and feeds each line of each
// block to the Sink of the worker that parses it. newSink is called once
// per worker, in worker order, before any block is read, with the
// worker's Scanner (for ShowLine and Anonymized): a Sink is used by its
// worker's goroutine alone and needs no lock. Blocks reach the workers in
// no particular order: a BlockSink restores a file's order with Reorder.
// Drive returns what Run returns: only ctx's error, the inputs' errors
// being in their File.Err.
func Drive(ctx context.Context, files []*File, opts Options, newSink func(worker int, sc *Scanner) Sink) error {
	opts.Workers = opts.WorkerCount()
	type worker struct {
		sc     *Scanner
		sink   Sink
		blocks BlockSink // sink, when it works per block; else nil
	}
	ws := make([]worker, opts.Workers)
	for i := range ws {
		sc := NewScanner(opts.Parse)
		sink := newSink(i, sc)
		blocks, _ := sink.(BlockSink)
		ws[i] = worker{sc: sc, sink: sink, blocks: blocks}
	}
	return Run(ctx, files, opts, func(w int, b *Block) {
		wk := &ws[w]
		sc, sink := wk.sc, wk.sink
		if wk.blocks != nil {
			wk.blocks.StartBlock(b)
		}
		sc.Reset(b)
		for sc.Next() {
			switch sc.Kind() {
			case KindRecord:
				sink.Record(sc.Record())
			case KindRejected:
				sink.Reject(sc.Rejection())
			case KindBlank:
				sink.Blank(b.File)
			}
		}
		if wk.blocks != nil {
			wk.blocks.EndBlock(b)
		}
	})
}
