package analysis

import (
	"cmp"
	"math"
	"slices"

	"github.com/DataDog/sketches-go/ddsketch"

	"analyze/classify"
)

// Classes counts analysed records by class (a JSON object of the report,
// embedded in its rows).
type Classes struct {
	Success     int64 `json:"success"`
	Redirect    int64 `json:"redirect"`
	ClientError int64 `json:"client_error"`
	ServerError int64 `json:"server_error"`
	Other       int64 `json:"other"`
}

// ClassesOf names counts indexed by classify.Class.
func ClassesOf(c [classify.NumClasses]int64) Classes {
	return Classes{c[classify.Success], c[classify.Redirect], c[classify.ClientError], c[classify.ServerError], c[classify.Other]}
}

// Round rounds x to digits decimal places; 0 for NaN and infinities, which
// JSON cannot hold.
func Round(x float64, digits int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// Percentiles returns a sketch's p50, p95 and p99, rounded to 0.1; nils
// when the sketch is nil or empty.
func Percentiles(sk *ddsketch.DDSketch) (p50, p95, p99 *float64) {
	if sk == nil || sk.IsEmpty() {
		return nil, nil, nil
	}
	q, err := sk.GetValuesAtQuantiles([]float64{0.5, 0.95, 0.99})
	if err != nil {
		return nil, nil, nil
	}
	a, b, c := Round(q[0], 1), Round(q[1], 1), Round(q[2], 1)
	return &a, &b, &c
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
