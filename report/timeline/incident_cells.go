package timeline

// The cells of a group's string lists (endpoints, hosts, paths, user
// agents) are counted in a map keyed by one word: the group's window and
// kind, the list, and the value's id in the aggregate's idTable. Counting a
// failure then hashes the value's bytes once (its id) and updates maps of
// integers, not of structs holding a string.

// cellKey is a cell packed in a uint64: the window in the top cellWinBits
// bits, then the kind (1 bit), the list (3 bits) and the value's id (32
// bits).
type cellKey uint64

const (
	cellWinBits = 28
	// cellWinLimit bounds the windows a cell can hold: minutes since 1970
	// up to the year 2480 (the Scanner rejects times before 1970 and from
	// 2200 on); a wider window only lowers the numbers.
	cellWinLimit = 1 << cellWinBits
)

// packable reports whether window w fits in a cellKey.
func packable(w int64) bool { return w >= 0 && w < cellWinLimit }

func cellOf(g groupKey, field int8, id uint32) cellKey {
	return cellKey(uint64(g.win)<<36 | uint64(g.kind&1)<<35 | uint64(field&7)<<32 | uint64(id))
}

func (c cellKey) group() groupKey { return groupKey{int64(c >> 36), int8(c >> 35 & 1)} }
func (c cellKey) field() int8     { return int8(c >> 32 & 7) }
func (c cellKey) id() uint32      { return uint32(c) }

// withWin returns c in window w (packable).
func (c cellKey) withWin(w int64) cellKey { return c&(1<<36-1) | cellKey(uint64(w)<<36) }

// withID returns c with the value id.
func (c cellKey) withID(id uint32) cellKey { return c&^(1<<32-1) | cellKey(id) }

// idTable numbers the values of the cells: one string per distinct value,
// allocated once. Ids of values no cell holds any more are reclaimed by
// compact.
type idTable struct {
	ids  map[string]uint32
	strs []string // by id
}

func newIDTable() idTable { return idTable{ids: map[string]uint32{}} }

// id returns b's id, numbering it if new.
func (t *idTable) id(b []byte) uint32 {
	if id, ok := t.ids[string(b)]; ok {
		return id
	}
	return t.add(string(b))
}

// idOf returns s's id, numbering it if new.
func (t *idTable) idOf(s string) uint32 {
	if id, ok := t.ids[s]; ok {
		return id
	}
	return t.add(s)
}

func (t *idTable) add(s string) uint32 {
	id := uint32(len(t.strs))
	t.strs = append(t.strs, s)
	t.ids[s] = id
	return id
}

// str returns the value of c.
func (a *MinuteAgg) str(c cellKey) string { return a.ids.strs[c.id()] }

// compact renumbers the values when most ids are of values no cell holds
// (after lists were cut or groups pruned), so the table stays within a
// small multiple of the cells.
func (a *MinuteAgg) compact() {
	if len(a.ids.strs) <= 2*len(a.strs)+4096 {
		return
	}
	t := newIDTable()
	strs := make(map[cellKey]int64, len(a.strs))
	for c, n := range a.strs {
		strs[c.withID(t.idOf(a.str(c)))] = n
	}
	a.ids, a.strs = t, strs
}
