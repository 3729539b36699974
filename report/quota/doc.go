// Package quota is the quota analysis: the request rate in fixed windows
// aligned to the epoch, overall and per client, against the contract's
// limit (--limit, --client-limit); the 429 bursts; the rate-limit headers
// clients were sent; and what each client did after a 429.
//
// In: the engine (package report) hands each worker's Agg the analysed rows
// a batch at a time (Agg.Add, analysis.Batch), settles and merges the
// workers' Aggs (Settle, Merge); the order-sensitive part, Behaviour, reads
// every analysed record's analysis.Event in time order, a batch at a time
// from the engine's sequencer (Consume, analysis.Ordered). Out: the quota
// section (Build, Report, whose JSON keys are documented in
// docs/quota.md), given the clients table's names by the engine; the
// quota's part of a stored run (Agg.Snap, Restore; Behaviour.Snap,
// MergeSnap) and the 429s still waiting for an answer when a run ends
// (Behaviour.Waits, Resume), which package report stores under its own
// types; and the traffic of a window (Agg.WindowRequests), which the engine
// passes to the retry storms.
package quota
