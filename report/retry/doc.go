// Package retry is the retry analysis: the chains of retryable failures
// and their outcome (recovered, exhausted, abandoned), retries sent before
// Retry-After, unsafe retries of writes, non-retryable failures repeated
// unchanged, retry storms and the unrecovered list (definitions in
// tracker.go and docs/retries.md).
//
// In: the Tracker reads every analysed record's analysis.Event in time
// order, a batch at a time from the engine's sequencer (Consume,
// analysis.Ordered); Prune closes what the last
// event has put out of the window. Out: the retry section (Build,
// Report, whose JSON keys are documented in docs/retries.md), given
// the clients' names and, for the storms, the traffic of a window (the
// quota's, passed by the engine); the tracker's part of a stored run
// (Snap, MergeSnap) and the chains and "no" failures still open when a run
// ends (Open, Resume), which package report stores under its own types.
package retry
