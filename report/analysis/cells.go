package analysis

import (
	"cmp"
	"slices"
)

// Cell is a (client, window) pair: the key of the per-client counts by
// window of the quota and of the retry storms.
type Cell struct {
	Client uint64 // the client's hash (Row.ClientID)
	Win    int64  // the window's index
}

// CellCount is a cell with its count.
type CellCount struct {
	C Cell
	N int64
}

// ByWindow returns the cells sorted by window, for range look-ups.
func ByWindow[N int32 | int64](cells map[Cell]N) []CellCount {
	out := make([]CellCount, 0, len(cells))
	for c, n := range cells {
		out = append(out, CellCount{c, int64(n)})
	}
	slices.SortFunc(out, func(a, b CellCount) int { return cmp.Compare(a.C.Win, b.C.Win) })
	return out
}

// InWindows returns the cells of windows from..to (inclusive) of a slice
// sorted by window.
func InWindows(sorted []CellCount, from, to int64) []CellCount {
	i, _ := slices.BinarySearchFunc(sorted, from, func(c CellCount, w int64) int { return cmp.Compare(c.C.Win, w) })
	j, _ := slices.BinarySearchFunc(sorted, to+1, func(c CellCount, w int64) int { return cmp.Compare(c.C.Win, w) })
	return sorted[i:j]
}

// CountBounded adds one to m[k] and reports true, unless k is new and m
// holds limit keys already. Below the limit it is one map update, not a
// look-up and an update.
func CountBounded[K comparable, N int32 | int64](m map[K]N, k K, limit int) bool {
	if len(m) < limit {
		m[k]++
		return true
	}
	if n, ok := m[k]; ok {
		m[k] = n + 1
		return true
	}
	return false
}
