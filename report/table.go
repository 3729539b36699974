package report

import (
	"cmp"
	"encoding/binary"
	"math/bits"
	"slices"

	"github.com/DataDog/sketches-go/ddsketch"
)

// Counts are the per-key tallies of a Table.
type Counts struct {
	Requests    int64
	Class       [5]int64 // by classify.Class
	RateLimited int64    // 429 responses
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
	if o.Latency != nil {
		if c.Latency == nil {
			c.Latency = o.Latency.Copy()
		} else {
			c.Latency.MergeWith(o.Latency)
		}
	}
}

// Table counts by a key from an unbounded domain (endpoints, clients,
// methods) in bounded memory. Below its limit it is exact. When a new key
// would pass the limit, the half of the keys with the fewest requests is
// folded into Other, so heavy keys stay exact unless they were once among
// the lightest half; Folded says how many keys were folded, and the report
// states it. Merging two exact tables gives an exact table.
type Table struct {
	m      map[string]*slot
	limit  int
	Other  Counts
	Folded int64

	// Recently used slots by their key's hash, direct-mapped: the few
	// heavy keys (methods, the integrations making most requests) are
	// found with one comparison instead of the map's hashing and probing.
	// Cleared when a fold removes slots.
	hot *[hotSlots]*slot
}

const hotSlots = 256

// slot holds a key's counts, and the key, so a hot slot can be checked
// without the map.
type slot struct {
	Counts
	key string
}

// NewTable returns a table that keeps at most limit keys.
func NewTable(limit int) *Table {
	return &Table{m: make(map[string]*slot), limit: max(limit, 2), hot: new([hotSlots]*slot)}
}

// Get returns the counts for key, adding it if needed. Looking up a present
// key does not allocate.
func (t *Table) Get(key []byte) *Counts { return t.GetHashed(key, fingerprint(key)) }

// GetHashed is Get for a caller that has a hash of the key already (any
// hash: it only picks the hot slot to try).
func (t *Table) GetHashed(key []byte, h uint64) *Counts {
	hot := &t.hot[h%hotSlots]
	if sl := *hot; sl != nil && sl.key == string(key) {
		return &sl.Counts
	}
	sl, ok := t.m[string(key)]
	if !ok {
		if len(t.m) >= t.limit {
			t.fold()
		}
		k := string(key)
		sl = &slot{key: k}
		t.m[k] = sl
	}
	*hot = sl
	return &sl.Counts
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
	return (x ^ uint64(n)) * 0x9e3779b97f4a7c15 >> 32
}

// fold moves the lighter half of the keys into Other: every key with at
// most T requests, T the smallest count that takes in half the keys. It
// runs in linear time (a histogram of the small counts finds T), and which
// keys go depends on their counts only, never on map order.
func (t *Table) fold() {
	clear(t.hot[:])
	const small = 256
	var hist [small + 1]int
	for _, c := range t.m {
		hist[min(c.Requests, small)]++
	}
	threshold, seen := int64(small), 0
	for v, n := range hist {
		if seen += n; seen >= len(t.m)/2 {
			threshold = int64(v)
			break
		}
	}
	if threshold == small {
		// Heavy tables: find the median exactly.
		counts := make([]int64, 0, len(t.m))
		for _, c := range t.m {
			counts = append(counts, c.Requests)
		}
		slices.Sort(counts)
		threshold = counts[len(counts)/2-1]
	}
	for k, c := range t.m {
		if c.Requests <= threshold {
			t.Other.add(&c.Counts)
			t.Folded++
			delete(t.m, k)
		}
	}
}

// ref is a key of a Table with a pointer to its counts.
type ref struct {
	k string
	c *Counts
}

// sorted returns the table's keys ordered by order, a cmp-style function,
// with the key as the final tie-break so the order is deterministic.
func (t *Table) sorted(order func(a, b *Counts) int) []ref {
	all := make([]ref, 0, len(t.m))
	for k, c := range t.m {
		all = append(all, ref{k, &c.Counts})
	}
	slices.SortFunc(all, func(a, b ref) int {
		return cmp.Or(order(a.c, b.c), cmp.Compare(a.k, b.k))
	})
	return all
}

// Merge adds o's counts into t.
func (t *Table) Merge(o *Table) {
	keys := make([]string, 0, len(o.m))
	for k := range o.m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // a deterministic fold order
	for _, k := range keys {
		t.Get([]byte(k)).add(&o.m[k].Counts)
	}
	t.Other.add(&o.Other)
	t.Folded += o.Folded
}

// Len returns the number of keys kept.
func (t *Table) Len() int { return len(t.m) }

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
	case n < 0 || n*8 >= len(t.m):
		top = t.sorted(order)
		if n >= 0 && len(top) > n {
			top = top[:n]
		}
	default:
		cmpRef := func(a, b ref) int { return cmp.Or(order(a.c, b.c), cmp.Compare(a.k, b.k)) }
		top = make([]ref, 0, n+1)
		for k, c := range t.m {
			r := ref{k, &c.Counts}
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
