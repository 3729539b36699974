package tables

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"math"
	"math/bits"
	"slices"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/cespare/xxhash/v2"

	"analyze/report/analysis"
)

// Counts are the per-key tallies of a Table.
type Counts struct {
	Requests    int64
	Class       [5]int64 // by classify.Class
	RateLimited int64    // 429 responses
	// Bytes is the sum of the response sizes logged, Sized the number of
	// requests that logged one: a format that logs no size leaves both 0.
	Bytes, Sized int64
	// Latency holds the logged durations in ms (endpoints only; nil when
	// none): a DDSketch, 1 % relative error.
	Latency *ddsketch.DDSketch
}

// Errors returns the client and server errors together.
func (c *Counts) Errors() int64 { return c.Class[2] + c.Class[3] }

func (c *Counts) add(o *Counts) {
	c.Requests += o.Requests
	for i := range c.Class {
		c.Class[i] += o.Class[i]
	}
	c.RateLimited += o.RateLimited
	c.Bytes = addBytes(c.Bytes, o.Bytes)
	c.Sized += o.Sized
	if o.Latency != nil {
		if c.Latency == nil {
			c.Latency = o.Latency.Copy()
		} else {
			c.Latency.MergeWith(o.Latency)
		}
	}
}

// addBytes adds two byte counts, saturating: a logged size may be up to
// 10^18, and ten such lines must not make a total negative.
func addBytes(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxInt64
}

// Table counts by a key from an unbounded domain (endpoints, clients,
// methods) in bounded memory. Below its limit it is exact. When a new key
// would pass the limit, the half of the keys with the fewest requests is
// folded into Other, so heavy keys stay exact unless they were once among
// the lightest half; Folded says how many keys were folded, and the report
// states it. Merging two exact tables gives an exact table.
//
// It is a hash table of its own rather than a Go map: a client table of a
// public API takes in hundreds of thousands of one-request addresses and
// folds them again and again, and here a new key costs no allocation (its
// bytes go to an arena, its counts to a slice) and a fold is one pass.
type Table struct {
	slots []slot   // in the order added; a fold keeps the survivors' order
	keys  []byte   // the arena of the slots' keys
	index []tagged // open addressing by hash, linear probing; 0 empty
	limit int
	// keyBytes bounds the arena: tableKeyBytes, or less for a table of
	// many long keys (NewPairTable).
	keyBytes int
	Other    Counts
	// Folded is how many keys were folded into Other.
	Folded int64

	// Recently used slots by a quick hash of their key, direct-mapped:
	// the few heavy keys (methods, the integrations making most requests)
	// are found with one comparison instead of hashing and probing.
	// Cleared when a fold moves slots.
	hot [1 << hotBits]tagged
}

const hotBits = 8 // 256 hot slots

// tagged is a position of the index or the hot slots: a slot (slot+1 in
// the low half; 0, empty) and 32 bits of its key's hash in the high half.
// A look-up compares the tag before it loads the slot and its key: a key
// not in the table (each of a public API's one-request addresses) is then
// mostly turned away without touching the slots, a cache miss each.
type tagged uint64

func tag(h uint64, slot int32) tagged { return tagged(h>>32<<32) | tagged(slot+1) }

// slot returns the slot; -1 for an empty position.
func (e tagged) slot() int32 { return int32(uint32(e)) - 1 }

// matches reports whether e is a slot whose hash has h's tag.
func (e tagged) matches(h uint64) bool { return uint64(e)>>32 == h>>32 && e != 0 }

// tableKeyBytes bounds a table's key bytes as its limit bounds its keys:
// keys are logged values (user names, addresses, templated paths), a few
// dozen bytes each on a real log, but a line may be megabytes long. Past
// it the table folds as when it is full.
const tableKeyBytes = 16 << 20

// slot holds a key's counts, its hash and where its bytes are in the arena
// (an int offset: 20,000 keys of a long logged user name pass 2 GiB).
type slot struct {
	Counts
	hash uint64
	off  int
	len  int
}

// NewTable returns a table that keeps at most limit keys (and about
// tableKeyBytes of them).
func NewTable(limit int) *Table {
	return &Table{limit: max(limit, 2), keyBytes: tableKeyBytes, index: make([]tagged, 16)}
}

// tableHash is the hash a Table files its keys by; analysis.HashClient is the same,
// so GetHashed takes a client's hash as it is.
func tableHash(k []byte) uint64 { return xxhash.Sum64(k) }

func (t *Table) key(sl *slot) []byte { return t.keys[sl.off : sl.off+sl.len] }

// Get returns the counts for key, adding it if needed. The pointer is good
// until the next Get or GetHashed on the table. Looking up a present key
// does not allocate.
func (t *Table) Get(key []byte) *Counts { return t.get(key, fingerprint(key), 0, false) }

// GetHashed is Get for a caller that has tableHash(key) already.
func (t *Table) GetHashed(key []byte, h uint64) *Counts { return t.get(key, h, h, true) }

func (t *Table) get(key []byte, quick, h uint64, hashed bool) *Counts {
	hot := &t.hot[quick>>(64-hotBits)]
	if e := *hot; e.matches(quick) {
		if sl := &t.slots[e.slot()]; string(t.key(sl)) == string(key) {
			return &sl.Counts
		}
	}
	if !hashed {
		h = tableHash(key)
	}
	pos := t.find(key, h)
	e := t.index[pos]
	if e == 0 {
		if len(t.slots) >= t.limit || len(t.keys)+len(key) > t.keyBytes && len(t.slots) > 1 {
			t.fold()
			pos = t.find(key, h)
		} else if 2*(len(t.slots)+1) > len(t.index) {
			t.rehash(2 * len(t.index))
			pos = t.find(key, h)
		}
		t.slots = append(t.slots, slot{hash: h, off: len(t.keys), len: len(key)})
		t.keys = append(t.keys, key...)
		e = tag(h, int32(len(t.slots)-1))
		t.index[pos] = e
	}
	i := e.slot()
	*hot = tag(quick, i)
	return &t.slots[i].Counts
}

// find returns the index position of key: where it is, or the empty
// position where it would go.
func (t *Table) find(key []byte, h uint64) int {
	mask := len(t.index) - 1
	for pos := analysis.Home(h, len(t.index)); ; pos = (pos + 1) & mask {
		e := t.index[pos]
		if e == 0 {
			return pos
		}
		if e.matches(h) {
			if sl := &t.slots[e.slot()]; sl.hash == h && string(t.key(sl)) == string(key) {
				return pos
			}
		}
	}
}

// rehash refiles every slot in an index of size positions (a power of two).
func (t *Table) rehash(size int) {
	if cap(t.index) >= size {
		t.index = t.index[:size]
		clear(t.index)
	} else {
		t.index = make([]tagged, size)
	}
	mask := size - 1
	for i := range t.slots {
		pos := analysis.Home(t.slots[i].hash, size)
		for t.index[pos] != 0 {
			pos = (pos + 1) & mask
		}
		t.index[pos] = tag(t.slots[i].hash, int32(i))
	}
}

// fingerprint is a quick hash of a key from its length and its first and
// last bytes: enough to spread a table's heavy keys (methods, endpoint
// templates) over the hot slots, at a fraction of a full hash's cost.
func fingerprint(k []byte) uint64 {
	n := len(k)
	var x uint64
	switch {
	case n >= 8:
		x = binary.LittleEndian.Uint64(k) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(k[n-8:]), 31)
	case n >= 4:
		x = uint64(binary.LittleEndian.Uint32(k)) | uint64(binary.LittleEndian.Uint32(k[n-4:]))<<32
	case n > 0:
		x = uint64(k[0]) | uint64(k[n/2])<<8 | uint64(k[n-1])<<16
	}
	return (x ^ uint64(n)) * 0x9e3779b97f4a7c15
}

// fold moves the lighter half of the keys into Other: every key with at
// most T requests, T the smallest count that takes in half the keys. It
// runs in linear time (a histogram of the small counts finds T), and which
// keys go depends on their counts only, never on the order they came in.
// The survivors keep their order, their keys are compacted in the arena,
// and the index is rebuilt.
func (t *Table) fold() {
	clear(t.hot[:])
	const small = 256
	var hist [small + 1]int
	for i := range t.slots {
		hist[min(t.slots[i].Requests, small)]++
	}
	n := len(t.slots)
	threshold, seen := int64(small), 0
	for v, c := range hist {
		if seen += c; seen >= n/2 {
			threshold = int64(v)
			break
		}
	}
	if threshold == small {
		// Heavy tables: find the median exactly.
		counts := make([]int64, 0, n)
		for i := range t.slots {
			counts = append(counts, t.slots[i].Requests)
		}
		slices.Sort(counts)
		threshold = counts[n/2-1]
	}
	kept, off := 0, 0
	for i := range t.slots {
		sl := &t.slots[i]
		if sl.Requests <= threshold {
			t.Other.add(&sl.Counts)
			t.Folded++
			continue
		}
		// Survivors only move down, in the slots and in the arena.
		copy(t.keys[off:], t.key(sl))
		sl.off = off
		off += sl.len
		t.slots[kept] = *sl
		kept++
	}
	clear(t.slots[kept:]) // drop the folded sketches
	t.slots, t.keys = t.slots[:kept], t.keys[:off]
	t.rehash(len(t.index))
}

// ref is a key of a Table with a pointer to its counts.
type ref struct {
	k string
	c *Counts
}

// sorted returns the table's keys ordered by order, a cmp-style function,
// with the key as the final tie-break so the order is deterministic.
func (t *Table) sorted(order func(a, b *Counts) int) []ref {
	all := make([]ref, 0, len(t.slots))
	for i := range t.slots {
		sl := &t.slots[i]
		all = append(all, ref{string(t.key(sl)), &sl.Counts})
	}
	slices.SortFunc(all, func(a, b ref) int {
		return cmp.Or(order(a.c, b.c), cmp.Compare(a.k, b.k))
	})
	return all
}

// Merge adds o's counts into t.
func (t *Table) Merge(o *Table) {
	order := make([]int, len(o.slots))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { // a deterministic fold order
		return bytes.Compare(o.key(&o.slots[a]), o.key(&o.slots[b]))
	})
	for _, i := range order {
		sl := &o.slots[i]
		t.GetHashed(o.key(sl), sl.hash).add(&sl.Counts)
	}
	t.Other.add(&o.Other)
	t.Folded += o.Folded
}

// Len returns the number of keys kept.
func (t *Table) Len() int { return len(t.slots) }

// KeyBytes is the size of the table's arena of keys.
func (t *Table) KeyBytes() int { return len(t.keys) }

// Entry is one key of a Table with its counts.
type Entry struct {
	Key string
	Counts
}

// Top returns up to n entries (all when n < 0) in the order of sorted.
// A few of many are picked by bounded insertion, without sorting them all.
func (t *Table) Top(n int, order func(a, b *Counts) int) []Entry {
	var top []ref
	switch {
	case n == 0:
	case n < 0 || n*8 >= len(t.slots):
		top = t.sorted(order)
		if n >= 0 && len(top) > n {
			top = top[:n]
		}
	default:
		cmpRef := func(a, b ref) int { return cmp.Or(order(a.c, b.c), cmp.Compare(a.k, b.k)) }
		top = make([]ref, 0, n+1)
		for i := range t.slots {
			sl := &t.slots[i]
			if len(top) == n && order(&sl.Counts, top[n-1].c) > 0 {
				continue // cannot enter: no need of its key as a string
			}
			r := ref{string(t.key(sl)), &sl.Counts}
			if len(top) == n && cmpRef(r, top[n-1]) >= 0 {
				continue
			}
			i, _ := slices.BinarySearchFunc(top, r, cmpRef)
			top = slices.Insert(top, i, r)
			if len(top) > n {
				top = top[:n]
			}
		}
	}
	out := make([]Entry, len(top))
	for i, r := range top {
		out[i] = Entry{r.k, *r.c}
	}
	return out
}

// ByErrors orders by errors, then requests, both descending.
func ByErrors(a, b *Counts) int {
	return cmp.Or(cmp.Compare(b.Errors(), a.Errors()), cmp.Compare(b.Requests, a.Requests))
}

// ByRequests orders by requests, descending.
func ByRequests(a, b *Counts) int { return cmp.Compare(b.Requests, a.Requests) }
