package ingest

// BlockKey is where a block sits among the inputs: its file (File.Index),
// its place in the file (Seq), and whether it is the file's Last marker.
// Unlike the Block, it stays valid once the block's data is recycled.
type BlockKey struct {
	File int
	Seq  int
	Last bool
}

// Key returns the block's BlockKey.
func (b *Block) Key() BlockKey { return BlockKey{File: b.File.Index, Seq: b.Seq, Last: b.Last} }

// Reorder puts back in order what is made of blocks that workers finish in
// any order (Drive, Run): each file's blocks in Block.Seq order, and with
// NewSerialReorder the files one after another. It holds what comes early:
// at most the blocks in flight (BlocksInFlight) per file read at once. It
// is not safe for concurrent use: the caller puts under its own lock, or
// from one goroutine.
type Reorder[T any] struct {
	files  []reorderFile[T] // by File.Index
	serial []int            // NewSerialReorder's order of the files' Index; nil for per-file order
	cur    int              // its place in serial of the file being handed on
}

type reorderFile[T any] struct {
	next    int       // the Seq of the next block to hand on
	last    int       // the Seq of the Last marker; -1 until seen
	done    bool      // the Last marker was handed on
	pending map[int]T // blocks that came early, by Seq
}

// NewReorder returns a Reorder that hands on each of n files' blocks in
// the file's order (files' Index in [0, n)); files progress independently.
func NewReorder[T any](n int) *Reorder[T] {
	r := &Reorder[T]{files: make([]reorderFile[T], n)}
	for i := range r.files {
		r.files[i] = reorderFile[T]{last: -1, pending: map[int]T{}}
	}
	return r
}

// NewSerialReorder returns a Reorder that hands on the blocks of files one
// file after another, in the order given, each in its file's order.
func NewSerialReorder[T any](files []*File) *Reorder[T] {
	r := NewReorder[T](len(files))
	r.serial = make([]int, len(files))
	for i, f := range files {
		r.serial[i] = f.Index
	}
	return r
}

// Put takes v, made of the block at k, and calls emit with every value
// now next in order, in order (v, and what came early and waited for it;
// or nothing, when v comes early): the block's Seq, and whether it is its
// file's Last marker.
func (r *Reorder[T]) Put(k BlockKey, v T, emit func(seq int, v T, last bool)) {
	f := &r.files[k.File]
	if k.Last {
		f.last = k.Seq
	}
	f.pending[k.Seq] = v
	if r.serial == nil {
		f.drain(emit)
		return
	}
	for r.cur < len(r.serial) && r.files[r.serial[r.cur]].drain(emit) {
		r.cur++
	}
}

// Pending calls f with each value held, waiting for an earlier block that
// never came (an interrupted run): for the caller to release them.
func (r *Reorder[T]) Pending(f func(v T)) {
	for i := range r.files {
		for _, v := range r.files[i].pending {
			f(v)
		}
	}
}

// drain hands on the file's blocks that are next in order, and reports
// whether the file is done: its Last marker handed on.
func (f *reorderFile[T]) drain(emit func(seq int, v T, last bool)) bool {
	for !f.done {
		v, ok := f.pending[f.next]
		if !ok {
			break
		}
		delete(f.pending, f.next)
		seq := f.next
		f.next++
		f.done = seq == f.last
		emit(seq, v, f.done)
	}
	return f.done
}
