package report

import "testing"

func TestSparkline(t *testing.T) {
	if got := sparkline([]int64{0, 1, 2, 4, 8}, 10); got != " ▁▂▄█" {
		t.Errorf("sparkline = %q", got)
	}
	if got := []rune(sparkline(make([]int64, 1000), 72)); len(got) > 72 {
		t.Errorf("sparkline is %d wide", len(got))
	}
}
