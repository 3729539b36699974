package timeline

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkMinuteAggAdd measures the incidents' per-record cost, where the
// failure detail is counted: a day of minutes, 100 records each, 1 in 10 a
// 5xx or a 429 on one of 20 endpoints, with a path of its own among 5,000
// ids, one of 50 clients and one of 5 user agents.
//
//	go test -run '^$' -bench MinuteAggAdd -count 10 ./report > new.txt; benchstat old.txt new.txt
func BenchmarkMinuteAggAdd(b *testing.B) {
	const perDay = 24 * 60 * 100
	t0 := time.Date(2025, 3, 12, 0, 0, 0, 0, time.UTC).UnixNano()
	fails := make([]failure, 1000)
	for i := range fails {
		e := i % 20
		fails[i] = failure{endpoint: fmt.Appendf(nil, "/api/r%d/{id}", e), path: fmt.Appendf(nil, "/api/r%d/%d", e, i*7919%5000),
			agent: fmt.Appendf(nil, "sdk/%d", i%5), client: uint64(i % 50)}
	}
	b.ReportAllocs()
	for b.Loop() {
		a := NewMinuteAgg()
		for i := range perDay {
			status := 200
			switch i % 20 {
			case 3:
				status = 503
			case 11:
				status = 429
			}
			a.add(t0+int64(i)*int64(time.Minute)/100, status, &fails[i%len(fails)])
		}
	}
}
