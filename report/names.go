package report

import "analyze/report/analysis"

// clientNames maps client hashes back to the names of the clients table;
// the per-client figures of quota and retries are kept by hash.
func clientNames(s *Summary) map[uint64]string { return s.Tables.ClientNames() }

// nameOf returns the name of a client hash in names (analysis.NameOf).
func nameOf(names map[uint64]string) func(uint64) string { return analysis.NameOf(names) }

// hashClient hashes a client key (analysis.HashClient).
func hashClient(k []byte) uint64 { return analysis.HashClient(k) }
