// Package timeline is two analyses of the report: the timeline and the
// incidents.
//
// In: batches of analysis.Rows (package analysis), each worker's into its
// own Agg and MinuteAgg, merged exactly when the input is read. Agg counts
// the rows inside --since/--until per window of the timeline (by class and
// status, with their latency), widening its windows past a bound. MinuteAgg
// counts every row the drill-down keeps, inside the span or not, per
// minute, with the 5xx and 429s' endpoints, clients, hosts, paths and user
// agents, each list bounded (incident_minutes.go, incident_fold.go).
//
// Out: Build lays out the timeline section (JSON key "timeline") and finds
// the incidents on the minutes (incident_detect.go: a minute's failure
// rate well above its rolling baseline; docs/incidents.md states the
// rule), naming who and what failed. Snap and Restore give and take each
// aggregate's part of a stored run (--state), whose layout the report's
// snapshot holds. The package reads no other analysis: the engine hands it
// a client's name by its hash.
package timeline
