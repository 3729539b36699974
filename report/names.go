package report

import "analyze/report/analysis"

// clientNames maps client hashes back to the names of the clients table;
// the per-client figures of quota and retries are kept by hash.
func clientNames(s *Summary) map[uint64]string {
	t := s.Clients
	names := make(map[uint64]string, len(t.slots))
	for i := range t.slots {
		sl := &t.slots[i]
		names[sl.hash] = string(t.key(sl)) // the table's hash is analysis.HashClient
	}
	return names
}

// nameOf returns the name of a client hash in names (analysis.NameOf).
func nameOf(names map[uint64]string) func(uint64) string { return analysis.NameOf(names) }

// topNames returns the names of the n keys with the highest counts
// (analysis.TopNames).
func topNames[K comparable](counts map[K]int64, name func(K) string, n int) []string {
	return analysis.TopNames(counts, name, n)
}

// hashClient hashes a client key (analysis.HashClient).
func hashClient(k []byte) uint64 { return analysis.HashClient(k) }
