// Package watch is analyze watch: the incident view, live, as the logs
// grow. An Engine takes the lines a follower reads (ingest.Follower), cuts
// them into minutes of the log's clock, runs each minute through the batch
// report's engine as a --state run is (report.Aggregate, with what the
// minute before left open), and keeps each finished minute as a stored run
// (report.Summary.Snapshot). A window (the last 1, 5 or 15 minutes) is the
// stored minutes it covers merged with the minute still being written,
// built as the batch report is (report.Build): the figures are the
// report's. A Frame is what every view draws: the terminal view (bubbletea),
// the JSON lines printed without a terminal, and the live page (--serve).
package watch

import (
	"analyze/report"
)

// Frame is one refresh of the view. Its JSON (one line per refresh without
// a terminal, one Server-Sent Event per refresh with --serve) uses the keys
// of analyze report -o json for the sections it shows: a window's
// "classes", "latency", "endpoints", "clients", the frame's "incidents".
type Frame struct {
	// Time is the view's now, RFC 3339 UTC: the log's clock (the latest
	// record's time, advanced by the wall-clock time since it was read).
	Time string `json:"time"`
	// Horizon is how far back the view keeps minutes (--since, at least
	// 15m), in seconds: the incidents are found on them.
	HorizonSeconds float64 `json:"horizon_seconds"`
	// Paused is set while the terminal view is paused (p); the frames
	// printed without a terminal are never paused.
	Paused bool `json:"paused,omitempty"`
	// Filter is the selector typed after / (or given as flags), "" for
	// none: the windows count only what it keeps.
	Filter string `json:"filter,omitempty"`

	// Input is the accounting of every line read since watch started,
	// with the keys of the report's input section: lines = records +
	// rejected + unrecognized + blank.
	Input Input `json:"input"`
	// Files are the followed files, in the order first seen.
	Files []FileState `json:"files"`

	// Incidents are the incidents found on the minutes held (the report's
	// timeline.incidents keys), with Over: recovered, as the report says.
	Incidents []Incident `json:"incidents"`
	// Windows are the last 1, 5 and 15 minutes, then the baseline: the
	// whole horizon.
	Windows []Window `json:"windows"`
	// Sparklines are requests per minute of each class over the horizon,
	// oldest first, one value per minute (the current one last, partial).
	Sparklines Sparklines `json:"sparklines"`
}

// Input is the accounting line (report.Input's keys).
type Input struct {
	Lines        int64 `json:"lines"`
	Records      int64 `json:"records"`
	Rejected     int64 `json:"rejected"`
	Unrecognized int64 `json:"unrecognized"`
	Blank        int64 `json:"blank"`
	// Before is the part of Records older than the horizon when read
	// (the start of an existing log): counted, not analysed.
	Before int64 `json:"before_horizon"`
	// Ahead is the part of Records stamped more than five minutes past both
	// the view's clock and the machine's: counted with the newest
	// minute, they do not move the view's clock.
	Ahead      int64 `json:"ahead_of_clock"`
	Reconciled bool  `json:"reconciled"`
}

// FileState is one followed file as the follower sees it.
type FileState struct {
	Path  string `json:"path"`
	State string `json:"state"` // following, waiting, rotated, truncated, gone, ended, error: ...
	Lines int64  `json:"lines"`
	Bytes int64  `json:"bytes"` // read so far, after decompression
	// Rotations and Truncations count the renames and the cuts in place
	// (copytruncate) the follower went through.
	Rotations   int `json:"rotations"`
	Truncations int `json:"truncations"`
}

// Incident is an incident of the report (timeline.incidents[]) with Over.
type Incident struct {
	report.Incident
	// Over: a minute with traffic and no flag has followed the incident's
	// last flagged minute (the report's recovered); false: ongoing.
	Over bool `json:"over"`
}

// Window is what the report says of the lines of one window.
type Window struct {
	Name string `json:"window"` // 1m, 5m, 15m, baseline
	// Start is the window's first minute, RFC 3339 UTC: the minute k
	// minutes before End, so that it covers at least its k minutes.
	Start   string  `json:"start"`
	End     string  `json:"end"` // the view's now
	Seconds float64 `json:"seconds"`
	// Requests are the analysed records; RatePerSecond them over Seconds.
	Requests      int64           `json:"requests"`
	RatePerSecond float64         `json:"rate_per_second"`
	Classes       report.Classes  `json:"classes"`
	RateLimited   int64           `json:"rate_limited"` // 429s
	Latency       *report.Latency `json:"latency"`      // null when none is logged
	// Endpoints and Clients are those with failures (4xx or 5xx), the
	// most first, at most 10: the report's rows.
	Endpoints []report.EndpointRow `json:"endpoints"`
	Clients   []report.ClientRow   `json:"clients"`
	// IgnoringRetryAfter are the clients that sent requests before a
	// 429's Retry-After had passed (quota.clients[] with
	// retry_after_violations > 0), the most violations first, at most 10.
	IgnoringRetryAfter []report.QuotaClient `json:"ignoring_retry_after"`
}

// Sparklines are per-minute request counts by class: success counts 2xx
// and 3xx; client_error holds the 429s that rate_limited counts again.
type Sparklines struct {
	Start       string  `json:"start"` // the first minute's start
	Success     []int64 `json:"success"`
	ClientError []int64 `json:"client_error"`
	ServerError []int64 `json:"server_error"`
	RateLimited []int64 `json:"rate_limited"`
}
