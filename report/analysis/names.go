package analysis

import (
	"cmp"
	"math"
	"slices"

	"github.com/cespare/xxhash/v2"
)

// HashClient hashes a client key: the same in every worker and in every
// run (xxhash), so the per-client figures of stored runs (--state) meet
// this run's.
func HashClient(k []byte) uint64 { return xxhash.Sum64(k) }

// NameOf returns the name of a client hash in names: the key, or
// "(folded)" for a client the clients table no longer holds.
func NameOf(names map[uint64]string) func(uint64) string {
	return func(h uint64) string { return OrFolded(names[h]) }
}

// OrFolded is name, or "(folded)" when it is empty.
func OrFolded(name string) string {
	if name == "" {
		return "(folded)"
	}
	return name
}

// TopNames returns the names of the n keys (clients, endpoints, hosts)
// with the highest counts, ties by name.
func TopNames[K comparable](counts map[K]int64, name func(K) string, n int) []string {
	type kv struct {
		name string
		n    int64
	}
	all := make([]kv, 0, len(counts))
	for h, c := range counts {
		all = append(all, kv{name(h), c})
	}
	slices.SortFunc(all, func(a, b kv) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.name, b.name)) })
	out := []string{}
	for _, c := range all[:min(n, len(all))] {
		out = append(out, c.name)
	}
	return out
}

// Round rounds x to digits decimals; 0 for NaN and infinities.
func Round(x float64, digits int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}
