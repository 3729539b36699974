package analysis

import "slices"

// The lists of runs a log can hold any number of (429 bursts, retry
// storms) are bounded: a report lists the worst ListLimit of them, and
// says how many there were in all. The runs are found by one pass over the
// windows at report time; only the worst are kept while it goes, so
// neither the report nor its building grows with their number.

// ListLimit is the most runs a list of bursts or storms holds.
const ListLimit = 100

// Worst keeps the n worst of the items added to it, in a heap whose root
// is the least bad kept, and counts every item added.
type Worst[T any] struct {
	n     int
	worse func(a, b T) int // negative when a is worse than b; a total order
	heap  []T
	total int64
}

// NewWorst returns a Worst that keeps the n worst items by worse.
func NewWorst[T any](n int, worse func(a, b T) int) *Worst[T] {
	return &Worst[T]{n: n, worse: worse}
}

// Add offers x: kept if there is room, or if it is worse than the least
// bad kept, which it then replaces.
func (w *Worst[T]) Add(x T) {
	w.total++
	if len(w.heap) < w.n {
		w.heap = append(w.heap, x)
		for i := len(w.heap) - 1; i > 0; {
			p := (i - 1) / 2
			if w.worse(w.heap[p], w.heap[i]) >= 0 {
				break
			}
			w.heap[p], w.heap[i] = w.heap[i], w.heap[p]
			i = p
		}
		return
	}
	if w.n == 0 || w.worse(x, w.heap[0]) >= 0 {
		return
	}
	w.heap[0] = x
	for i := 0; ; {
		l, least := 2*i+1, i
		if l < len(w.heap) && w.worse(w.heap[l], w.heap[least]) > 0 {
			least = l
		}
		if r := l + 1; r < len(w.heap) && w.worse(w.heap[r], w.heap[least]) > 0 {
			least = r
		}
		if least == i {
			return
		}
		w.heap[i], w.heap[least] = w.heap[least], w.heap[i]
		i = least
	}
}

// Sorted returns the items kept, ordered by order; nothing may be added
// after it.
func (w *Worst[T]) Sorted(order func(a, b T) int) []T {
	slices.SortFunc(w.heap, order)
	return w.heap
}

// Dropped is how many items were added but not kept.
func (w *Worst[T]) Dropped() int64 { return w.total - int64(len(w.heap)) }

// Total is how many items were added.
func (w *Worst[T]) Total() int64 { return w.total }

// Len is how many items are kept.
func (w *Worst[T]) Len() int { return len(w.heap) }
