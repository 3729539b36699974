package analysis

import (
	"cmp"
	"slices"
	"testing"
)

func TestWorst(t *testing.T) {
	less := func(a, b int) int { return cmp.Compare(b, a) } // the larger, the worse
	for _, tc := range []struct {
		name   string
		n      int
		in     []int
		want   []int
		totals int64
	}{
		{"none", 3, nil, []int{}, 0},
		{"room for all", 5, []int{3, 1, 2}, []int{1, 2, 3}, 3},
		{"keeps the largest", 3, []int{5, 1, 9, 7, 3, 8, 2}, []int{7, 8, 9}, 7},
		{"ascending input", 2, []int{1, 2, 3, 4, 5}, []int{4, 5}, 5},
		{"descending input", 2, []int{5, 4, 3, 2, 1}, []int{4, 5}, 5},
		{"zero kept", 0, []int{1, 2}, []int{}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := NewWorst(tc.n, less)
			for _, x := range tc.in {
				w.Add(x)
			}
			got := append([]int{}, w.Sorted(cmp.Compare[int])...)
			if !slices.Equal(got, tc.want) || w.Total() != tc.totals || w.Dropped() != tc.totals-int64(len(tc.want)) {
				t.Errorf("got %v (total %d, dropped %d), want %v (total %d)", got, w.Total(), w.Dropped(), tc.want, tc.totals)
			}
		})
	}
}
