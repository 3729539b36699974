package analysis

import (
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
