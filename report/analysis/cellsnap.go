package analysis

// CellSnap is a (client, window) count in a stored run.
type CellSnap struct {
	Client uint64
	Win    int64
	N      int64
}

// CellSnaps returns the cells of a map as stored, in no order.
func CellSnaps[N int32 | int64](cells map[Cell]N) []CellSnap {
	out := make([]CellSnap, 0, len(cells))
	for c, n := range cells {
		out = append(out, CellSnap{c.Client, c.Win, int64(n)})
	}
	return out
}
