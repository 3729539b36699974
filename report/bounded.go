package report

import "analyze/report/analysis"

// countBounded is analysis.CountBounded, for the quota's cells.
func countBounded[K comparable, N int32 | int64](m map[K]N, k K, limit int) bool {
	return analysis.CountBounded(m, k, limit)
}
