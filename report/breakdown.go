package report

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"slices"
)

// Who and what behind the endpoint and client tables: the raw paths of
// an endpoint's error responses (a template such as /files/{id} hides
// which file 404s) and the user agents of a client's requests (which SDK
// version gets the 429s). Each is a Table keyed by pairs, the endpoint or
// client and then the path or agent, so it is bounded, folded, merged
// across workers and stored for --state as the other tables are: 20,000
// pairs and pairKeyBytes of key bytes; past them the lightest half of the
// pairs folds into Other (bounds.error_paths_folded,
// bounds.user_agents_folded). Of the heavy endpoints and clients, the
// heavy paths and agents the report lists stay exact.

const (
	pairLimit = 20000
	// pairKeyBytes bounds a pair table's arena: a pair is two logged
	// values of up to maxKeyBytes each, a few hundred bytes in practice.
	pairKeyBytes = 8 << 20
	// ListedPerKey is how many paths or agents the report lists under
	// each endpoint or client.
	ListedPerKey = 5
)

// newPairTable returns an empty table of pairs.
func newPairTable() *Table {
	t := NewTable(pairLimit)
	t.keyBytes = pairKeyBytes
	return t
}

// pairKey appends to dst the key of value under parent: parent's length as
// a uvarint, parent, then value cut at maxKeyBytes (and marked "…"), so no
// byte of either can be taken for the boundary. An empty value is "-".
func pairKey(dst, parent, value []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(parent)))
	dst = append(dst, parent...)
	switch {
	case len(value) == 0:
		return append(dst, '-')
	case len(value) > maxKeyBytes:
		return append(append(dst, value[:maxKeyBytes]...), "…"...)
	}
	return append(dst, value...)
}

// splitPair splits a key made by pairKey; ok is false for a key it did not
// make.
func splitPair(k []byte) (parent, value []byte, ok bool) {
	var n uint64
	for i := 0; i < len(k) && i < binary.MaxVarintLen64; i++ {
		c := k[i]
		n |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			rest := k[i+1:]
			if n > uint64(len(rest)) {
				return nil, nil, false
			}
			return rest[:n], rest[n:], true
		}
	}
	return nil, nil, false
}

// PairCount is one path or user agent under an endpoint or client.
type PairCount struct {
	Value string
	Counts
}

// byParent returns, for each of parents that has pairs in t, its first n
// pairs in the order of order (then by value): one pass over the table,
// and a string made for the pairs returned only.
func (t *Table) byParent(parents []string, n int, order func(a, b *Counts) int) map[string][]PairCount {
	type pairRef struct {
		value []byte // in the arena
		c     *Counts
	}
	want := make(map[string][]pairRef, len(parents))
	for _, p := range parents {
		want[p] = nil
	}
	for i := range t.slots {
		sl := &t.slots[i]
		parent, value, ok := splitPair(t.key(sl))
		if !ok {
			continue
		}
		if refs, ok := want[string(parent)]; ok { // no copy of the parent to look it up
			want[string(parent)] = append(refs, pairRef{value, &sl.Counts})
		}
	}
	out := make(map[string][]PairCount, len(want))
	for p, refs := range want {
		if len(refs) == 0 {
			continue
		}
		slices.SortFunc(refs, func(a, b pairRef) int {
			return cmp.Or(order(a.c, b.c), bytes.Compare(a.value, b.value))
		})
		list := make([]PairCount, min(n, len(refs)))
		for i := range list {
			list[i] = PairCount{string(refs[i].value), *refs[i].c}
		}
		out[p] = list
	}
	return out
}
