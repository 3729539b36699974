package timeline

import (
	"math/rand/v2"
	"testing"
)

// TestRollingBaseline pushes rates one by one, with ties, zeros and
// windows of every length, and checks after each push that the rolling
// figures are medianSpread's over the same window, exactly.
func TestRollingBaseline(t *testing.T) {
	for _, tc := range []struct {
		name string
		gen  func(r *rand.Rand) float64
	}{
		{"spread", func(r *rand.Rand) float64 { return r.Float64() }},
		{"ties", func(r *rand.Rand) float64 { return float64(r.IntN(4)) / 7 }},
		{"mostly zero", func(r *rand.Rand) float64 {
			if r.IntN(10) > 0 {
				return 0
			}
			return float64(r.IntN(50)) / float64(10+r.IntN(90))
		}},
		{"rising", func() func(*rand.Rand) float64 {
			x := 0.0
			return func(*rand.Rand) float64 { x += 0.013; return x }
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 9))
			var b rollingBaseline
			var all []float64
			for i := range 200 {
				x := tc.gen(rng)
				all = append(all, x)
				b.push(x)
				gotMed, gotSpread := b.get()
				wantMed, wantSpread := medianSpread(all[max(0, len(all)-incidentHistory):])
				if gotMed != wantMed || gotSpread != wantSpread {
					t.Fatalf("after %d pushes: got %v, %v, want %v, %v", i+1, gotMed, gotSpread, wantMed, wantSpread)
				}
				if again, _ := b.get(); again != gotMed {
					t.Fatalf("after %d pushes: a second get gave median %v, want %v", i+1, again, gotMed)
				}
			}
			if got, want := b.len(), 200; got != want {
				t.Errorf("len() = %d, want %d", got, want)
			}
		})
	}
}

// BenchmarkFlagMinutes applies the incident rule to a month of minutes
// (43,200, a few hundred requests each, some failing), as findIncidents
// does for each kind.
//
//	go test -run '^$' -bench FlagMinutes -count 10 ./report > new.txt; benchstat old.txt new.txt
func BenchmarkFlagMinutes(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 5))
	rows := make([]minuteRow, 30*24*60)
	for i := range rows {
		req := 100 + rng.Int64N(400)
		fails := rng.Int64N(req / 50)
		if i%997 < 5 { // an outage now and then
			fails = req / 2
		}
		rows[i] = minuteRow{win: int64(i), requests: req, fails: fails}
	}
	b.ReportAllocs()
	for b.Loop() {
		flagMinutes(rows)
	}
}
