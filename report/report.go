// Package report aggregates verdicts into a report.
//
// In: ingest blocks, walked by per-worker Summaries (summary.go) that
// classify each record and count it; the Summaries merge exactly. Out: a
// Report (this file), the plain data behind every output, which
// report/write writes in each output format. The Report's JSON keys are a
// documented contract (docs/json.md).
package report

import (
	"analyze/report/tables"
	"sync"
	"time"

	"analyze/classify"
	"analyze/ingest"
	"analyze/report/analysis"
	"analyze/report/quota"
	"analyze/report/retry"
	"analyze/report/timeline"
)

// Report is what a run found, ready to write.
type Report struct {
	Tool       string           `json:"tool"`
	Version    string           `json:"version"`
	Input      Input            `json:"input"`
	Filter     FilterInfo       `json:"filter"`
	Time       TimeRange        `json:"time"`
	Classes    Classes          `json:"classes"`
	Statuses   []StatusRow      `json:"statuses"`
	Methods    map[string]int64 `json:"methods"`
	Endpoints  []EndpointRow    `json:"endpoints"`
	Clients    []ClientRow      `json:"clients"`
	Hosts      []HostRow        `json:"hosts"`
	Latency    *Latency         `json:"latency"`
	Thresholds []Threshold      `json:"thresholds,omitempty"`
	Incidents  []Incident       `json:"incidents"`
	Timeline   *Timeline        `json:"timeline"`
	Quota      *QuotaReport     `json:"quota"`
	Retry      *RetryReport     `json:"retry"`
	// Analyses are the sections of the registered analyses
	// (report.Register), by name; none in a build that registers none.
	Analyses map[string]any `json:"analyses,omitempty"`

	only   string // "quota": the writers show the inputs and the quota section only
	Bounds Bounds `json:"bounds"`
}

// Input is the accounting: lines = records + rejected + unrecognized +
// blank, in total and per file. Rejected lines are log lines that did not
// parse, each with a reason; Unrecognized are the lines of files no format
// fits (a README, a source file in a log folder), not in RejectedReasons.
// Filtered records are records, counted again under Filtered; Analyzed =
// Records - Filtered.
type Input struct {
	Lines            int64                `json:"lines"`
	Records          int64                `json:"records"`
	Rejected         int64                `json:"rejected"`
	Unrecognized     int64                `json:"unrecognized"`
	Blank            int64                `json:"blank"`
	Filtered         int64                `json:"filtered"`
	Analyzed         int64                `json:"analyzed"`
	TimeZone         string               `json:"timezone"`
	Reconciled       bool                 `json:"reconciled"`
	RejectedReasons  map[string]int64     `json:"rejected_reasons"`
	RejectedExamples map[string][]Example `json:"rejected_examples"`
	Files            []FileRow            `json:"files"`
	// Stored, with --state and --since or --until, is the part of the
	// counts above that earlier runs read (their totals include it).
	Stored *Stored `json:"stored,omitempty"`
}

// FileRow is the accounting of one input.
type FileRow struct {
	Path             string  `json:"path"`
	Format           string  `json:"format"`
	FormatConfidence float64 `json:"format_confidence"`
	FormatDetected   bool    `json:"format_detected"`
	Compression      string  `json:"compression"`
	Lines            int64   `json:"lines"`
	Records          int64   `json:"records"`
	Rejected         int64   `json:"rejected"`
	Unrecognized     int64   `json:"unrecognized"`
	Blank            int64   `json:"blank"`
	Filtered         int64   `json:"filtered"`
	Complete         bool    `json:"complete"`
	// ResumedAfterLine is, with --state, the line an earlier run had read
	// the input up to; Lines counts the lines after it.
	ResumedAfterLine int64 `json:"resumed_after_line,omitempty"`
	// HeldBackBytes is, with --state, the length of an unterminated last
	// line left unread for the next run (it may still have been written).
	HeldBackBytes int64  `json:"held_back_bytes,omitempty"`
	Error         string `json:"error,omitempty"`
	// FormatCandidates, for a file no format fitted, say how close the
	// known formats came.
	FormatCandidates []Candidate `json:"format_candidates,omitempty"`
}

// Candidate is a format that parsed some of an unknown file's sampled lines.
type Candidate struct {
	Format  string `json:"format"`
	Matched int    `json:"matched"`
	Sampled int    `json:"sampled"`
}

// FilterInfo states the filters in force; null bounds are open, and the
// drill-down criteria are omitted when not given.
// Info states f as reports write it (JSON filter).
func (f Filter) Info() FilterInfo {
	var fi FilterInfo
	if !f.Since.IsZero() {
		fi.Since = stamp(f.Since)
	}
	if !f.Until.IsZero() {
		fi.Until = stamp(f.Until)
	}
	fi.MatchInfo = f.Match.describe()
	return fi
}

// IsZero reports whether fi states no filter.
func (fi FilterInfo) IsZero() bool { return fi == FilterInfo{} }

type FilterInfo struct {
	Since *string `json:"since"`
	Until *string `json:"until"`
	MatchInfo
}

// TimeRange is the span of the analysed records; null when there were none.
type TimeRange struct {
	First *string `json:"first"`
	Last  *string `json:"last"`
}

// Classes counts analysed records by class.
type Classes = analysis.Classes

// StatusRow is one status seen. Retry is the status's policy for an
// idempotent request; the per-method policy is in the catalogue.
type StatusRow struct {
	Status     int     `json:"status"`
	Count      int64   `json:"count"`
	Share      float64 `json:"share"`
	Class      string  `json:"class"`
	Diagnosis  string  `json:"diagnosis"`
	Title      string  `json:"title"`
	Retry      string  `json:"retry"`
	Documented bool    `json:"documented"`
}

// EndpointRow is one templated endpoint with its counts by class.
type EndpointRow struct {
	Endpoint    string `json:"endpoint"`
	Requests    int64  `json:"requests"`
	Classes            // success, redirect, client_error, server_error, other
	RateLimited int64  `json:"rate_limited"`
	// Latency of the endpoint's logged durations (DDSketch, 1 % relative
	// error); null when none is logged.
	P50 *float64 `json:"p50_ms"`
	P95 *float64 `json:"p95_ms"`
	P99 *float64 `json:"p99_ms"`
	// Bytes is the sum of the response sizes logged; null when none of
	// the endpoint's requests logged one.
	Bytes *int64 `json:"bytes"`
	// TopErrorPaths are the raw paths (without the query string) of the
	// endpoint's error responses, the most frequent first.
	TopErrorPaths []PathRow `json:"top_error_paths"`
}

// PathRow is a raw path behind an endpoint's errors: Count is its 4xx and
// 5xx responses, ClientError, ServerError and RateLimited their split.
type PathRow struct {
	Path        string `json:"path"`
	Count       int64  `json:"count"`
	ClientError int64  `json:"client_error"`
	ServerError int64  `json:"server_error"`
	RateLimited int64  `json:"rate_limited"`
}

// AgentRow is a user agent of a client: Count is the client's requests
// with it, ClientError, ServerError and RateLimited the ones that failed.
type AgentRow struct {
	UserAgent   string `json:"user_agent"`
	Count       int64  `json:"count"`
	ClientError int64  `json:"client_error"`
	ServerError int64  `json:"server_error"`
	RateLimited int64  `json:"rate_limited"`
}

// ClientRow is one client (remote user, else address) with its errors.
// ErrorCounts are a key's figures in the clients and hosts tables.
type ErrorCounts struct {
	Requests    int64 `json:"requests"`
	ClientError int64 `json:"client_error"`
	ServerError int64 `json:"server_error"`
	RateLimited int64 `json:"rate_limited"`
}

func errorCounts(c *tables.Counts) ErrorCounts {
	return ErrorCounts{Requests: c.Requests, ClientError: c.Class[classify.ClientError], ServerError: c.Class[classify.ServerError],
		RateLimited: c.RateLimited}
}

type ClientRow struct {
	Client string `json:"client"`
	ErrorCounts
	// Bytes is the sum of the response sizes logged; null when none of
	// the client's requests logged one.
	Bytes *int64 `json:"bytes"`
	// UserAgents are the client's user agents, the ones with the most
	// errors first, then the most requests ("-" when none is logged).
	UserAgents []AgentRow `json:"user_agents"`
}

// HostRow is a host's line in the hosts table: a virtual host or Host
// header, in lower case and without a port.
type HostRow struct {
	Host string `json:"host"`
	ErrorCounts
}

// Latency is the distribution of the logged request durations (null when
// none is logged): nearest percentiles from a DDSketch, 1 % relative error.
type Latency struct {
	Count float64 `json:"count"`
	P50   float64 `json:"p50_ms"`
	P95   float64 `json:"p95_ms"`
	P99   float64 `json:"p99_ms"`
}

// Bounds says whether a bounded table had to fold keys, which makes its
// counts approximate (see Table).
type Bounds struct {
	EndpointsFolded int64 `json:"endpoints_folded"`
	ClientsFolded   int64 `json:"clients_folded"`
	MethodsFolded   int64 `json:"methods_folded"`
	HostsFolded     int64 `json:"hosts_folded"`
	// Pairs folded in the tables behind endpoints[].top_error_paths and
	// clients[].user_agents.
	ErrorPathsFolded int64 `json:"error_paths_folded"`
	UserAgentsFolded int64 `json:"user_agents_folded"`
	// The other bounded structures: requests or failures each left out
	// (0 means the figures they feed are exact).
	QuotaCellsDropped       int64 `json:"quota_cells_dropped"`
	TimelineFailuresDropped int64 `json:"timeline_failures_dropped"`
	RetryChainsUntracked    int64 `json:"retry_chains_untracked"`
	RetryRepeatsUntracked   int64 `json:"retry_repeats_untracked"`
	RetryClientsDropped     int64 `json:"retry_clients_dropped"`
	After429ClientsDropped  int64 `json:"after_429_clients_dropped"`

	// Failures' values folded out of a (minute, kind) group's lists of
	// endpoints, clients, hosts, paths and user agents, counted per list.
	TimelineDetailsFolded int64 `json:"timeline_details_folded"`
	// The lists of runs (analysis.ListLimit each): the bursts and storms not
	// listed, and the unrecovered chains past the 25,000 the retry section
	// keeps (report/retry), not kept.
	QuotaBurstsUnlisted     int64 `json:"quota_bursts_unlisted"`
	RetryStormsUnlisted     int64 `json:"retry_storms_unlisted"`
	RetryUnrecoveredDropped int64 `json:"retry_unrecovered_dropped"`
}

// Hit reports whether some bound was reached.
func (b Bounds) Hit() bool { return b != Bounds{} }

// Options shape a Report.
type Options struct {
	Top     int // rows in the endpoint and client tables
	Version string
	TZ      string // the zone of timestamps logged without one
	Quota   QuotaOptions
	Retry   RetryOptions
	// Unrecovered puts the unrecovered list itself in the JSON report.
	Unrecovered bool
	// Only, when "quota", "retry" or "timeline", narrows the report to its
	// inputs and that section (analyze quota, retries, timeline).
	Only string
	// TimelineWindow is the timeline's window; 0 sizes it to the span.
	TimelineWindow time.Duration
}

// Build makes the Report of a Summary over files.
func Build(s *Summary, files []*ingest.File, filter Filter, opts Options) *Report {
	s.flush()
	r := &Report{Tool: "analyze", Version: opts.Version, only: opts.Only}
	in := &r.Input
	in.RejectedReasons = map[string]int64{}
	in.RejectedExamples = map[string][]Example{}
	in.Files = []FileRow{}
	for i, f := range files {
		fc := s.Files[i]
		row := FileRow{
			Path: f.Path, Format: f.FormatName(), Compression: f.Compression,
			FormatConfidence: analysis.Round(f.Detection.Confidence, 3), FormatDetected: f.Detection.Sampled > 0,
			Lines: f.Lines, Records: fc.Records, Rejected: fc.Rejected, Unrecognized: fc.Unrecognized, Blank: fc.Blank, Filtered: fc.Filtered,
			Complete: f.Complete(), ResumedAfterLine: f.SkipLines, HeldBackBytes: f.Held,
		}
		if !row.FormatDetected && f.Format != nil {
			row.FormatConfidence = 1
		}
		if f.Err != nil {
			row.Error = f.Err.Error()
		}
		if f.Format == nil {
			for _, c := range f.Detection.Candidates {
				row.FormatCandidates = append(row.FormatCandidates, Candidate(c))
			}
		}
		in.Files = append(in.Files, row)
		in.Lines += f.Lines
		in.Records += fc.Records
		in.Rejected += fc.Rejected
		in.Unrecognized += fc.Unrecognized
		in.Blank += fc.Blank
	}
	if s.Stored.Runs > 0 {
		st := s.Stored
		in.Stored = &st
		in.Lines += st.Lines
		in.Records += st.Records
		in.Rejected += st.Rejected
		in.Unrecognized += st.Unrecognized
		in.Blank += st.Blank
	}
	in.Filtered = s.Filtered
	in.TimeZone = opts.TZ
	if in.TimeZone == "" {
		in.TimeZone = "UTC"
	}
	in.Analyzed = in.Records - in.Filtered
	in.Reconciled = in.Lines == in.Records+in.Rejected+in.Unrecognized+in.Blank
	for reason, n := range s.Rejected {
		if n > 0 && ingest.Reason(reason) != ingest.NoFormat { // no_format lines are Unrecognized
			name := ingest.Reason(reason).String()
			in.RejectedReasons[name] = n
			in.RejectedExamples[name] = s.Examples[reason]
		}
	}
	r.Filter = filter.Info()
	if in.Analyzed > 0 {
		r.Time = TimeRange{First: stamp(s.First()), Last: stamp(s.Last())}
	}
	c := s.Classes
	r.Classes = analysis.ClassesOf(c)

	r.Statuses = []StatusRow{}
	for status, n := range s.Statuses {
		if n == 0 {
			continue
		}
		e := classify.Lookup(status)
		r.Statuses = append(r.Statuses, StatusRow{
			Status: status, Count: n, Share: analysis.Round(float64(n)/float64(in.Analyzed), 4),
			Class: classify.ClassOf(status).String(), Diagnosis: e.ID, Title: e.Title, Retry: e.Retry.String(),
			Documented: e.Documented,
		})
	}
	r.Methods = map[string]int64{}
	for _, e := range s.Methods.Top(-1, tables.ByRequests) {
		r.Methods[e.Key] = e.Requests
	}
	if s.Methods.Other.Requests > 0 {
		r.Methods["(other)"] = s.Methods.Other.Requests
	}
	r.Endpoints = []EndpointRow{}
	top := s.Endpoints.Top(opts.Top, tables.ByErrors)
	paths := s.ErrorPaths.ByParent(keysOf(top), tables.ListedPerKey, tables.ByErrors)
	for _, e := range top {
		row := EndpointRow{Endpoint: e.Key, Requests: e.Requests, Classes: analysis.ClassesOf(e.Class), RateLimited: e.RateLimited,
			Bytes: bytesOf(&e.Counts), TopErrorPaths: []PathRow{}}
		row.P50, row.P95, row.P99 = analysis.Percentiles(e.Latency)
		for _, p := range paths[e.Key] {
			row.TopErrorPaths = append(row.TopErrorPaths, PathRow{Path: p.Value, Count: p.Errors(),
				ClientError: p.Class[classify.ClientError], ServerError: p.Class[classify.ServerError], RateLimited: p.RateLimited})
		}
		r.Endpoints = append(r.Endpoints, row)
	}
	r.Clients = []ClientRow{}
	top = s.Clients.Top(opts.Top, tables.ByErrors)
	agents := s.Agents.ByParent(keysOf(top), tables.ListedPerKey, tables.ByErrors)
	for _, e := range top {
		row := ClientRow{Client: e.Key, ErrorCounts: errorCounts(&e.Counts), Bytes: bytesOf(&e.Counts), UserAgents: []AgentRow{}}
		for _, a := range agents[e.Key] {
			row.UserAgents = append(row.UserAgents, AgentRow{UserAgent: a.Value, Count: a.Requests,
				ClientError: a.Class[classify.ClientError], ServerError: a.Class[classify.ServerError], RateLimited: a.RateLimited})
		}
		r.Clients = append(r.Clients, row)
	}
	r.Hosts = []HostRow{}
	for _, e := range s.Hosts.Top(opts.Top, tables.ByErrors) {
		r.Hosts = append(r.Hosts, HostRow{Host: e.Key, ErrorCounts: errorCounts(&e.Counts)})
	}
	r.Bounds = Bounds{EndpointsFolded: s.Endpoints.Folded, ClientsFolded: s.Clients.Folded, MethodsFolded: s.Methods.Folded, HostsFolded: s.Hosts.Folded,
		ErrorPathsFolded: s.ErrorPaths.Folded, UserAgentsFolded: s.Agents.Folded,
		QuotaCellsDropped: s.quota.Dropped()}
	r.Bounds.TimelineFailuresDropped, r.Bounds.TimelineDetailsFolded = s.det.Bounds()
	if t := s.retries; t != nil {
		b := t.Bounds()
		r.Bounds.RetryChainsUntracked, r.Bounds.RetryRepeatsUntracked, r.Bounds.RetryClientsDropped = b.Untracked, b.NoFailsDropped, b.ClientsDropped
	}
	if b := s.behaviour; b != nil {
		r.Bounds.After429ClientsDropped = b.Dropped()
	}
	if s.Latency != nil && !s.Latency.IsEmpty() {
		if q, err := s.Latency.GetValuesAtQuantiles([]float64{0.5, 0.95, 0.99}); err == nil {
			r.Latency = &Latency{Count: s.Latency.GetCount(), P50: analysis.Round(q[0], 1), P95: analysis.Round(q[1], 1), P99: analysis.Round(q[2], 1)}
		}
	}
	names := s.Tables.ClientNames()
	name := analysis.NameOf(names)
	// The quota section, the longest to build, on its own goroutine: it
	// changes only s.quota's cells and rows; the rest reads no more of
	// s.quota than its windows (retry.Build, for the storms).
	var quotaBuilt sync.WaitGroup
	quotaBuilt.Go(func() {
		r.Quota = quota.Build(s.quota, s.behaviour, opts.Quota, names, s.lateEvents, in.Analyzed, opts.Top)
	})
	// The minutes hold every record the drill-down keeps, within the time
	// bounds or not (Summary.Add): the report lists the incidents that
	// overlap the bounds, found whole, and the gaps among what it analysed.
	var incidents []Incident
	r.Timeline, incidents = timeline.Build(s.tl, s.det, opts.TimelineWindow, s.first, s.last, name)
	r.Incidents = overlapping(incidents, filter.span())
	r.Retry = retry.Build(s.retries, s.quota.WindowRequests, opts.Retry, name, opts.Unrecovered, opts.Top)
	r.Analyses = sectionsOf(s, &analysis.Context{Analyzed: in.Analyzed, Top: opts.Top, First: s.first, Last: s.last, ClientName: name})
	quotaBuilt.Wait()
	if q := r.Quota; q != nil {
		r.Bounds.QuotaBurstsUnlisted = q.BurstsTotal - int64(len(q.Bursts))
	}
	if rt := r.Retry; rt != nil {
		r.Bounds.RetryStormsUnlisted = rt.StormsTotal - int64(len(rt.Storms))
		r.Bounds.RetryUnrecoveredDropped = rt.Unrecovered - int64(rt.Kept())
	}
	return r
}

// bytesOf returns the bytes of c; nil when none of its requests logged a
// size.
func bytesOf(c *tables.Counts) *int64 {
	if c.Sized == 0 {
		return nil
	}
	n := c.Bytes
	return &n
}

// keysOf returns the keys of entries.
func keysOf(entries []tables.Entry) []string {
	keys := make([]string, len(entries))
	for i, e := range entries {
		keys[i] = e.Key
	}
	return keys
}

func stamp(t time.Time) *string {
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

// Incomplete reports whether some input could not be read to its end.
func (r *Report) Incomplete() bool {
	for _, f := range r.Input.Files {
		if !f.Complete {
			return true
		}
	}
	return false
}

// Only names the one section the report is written for ("quota", "retry"
// or "timeline": analyze quota, retries, timeline), or "" for the whole
// report; the writers show the inputs and that section only.
func (r *Report) Only() string { return r.only }

// Ongoing counts the incidents still on when the input ends.
func (r *Report) Ongoing() int {
	n := 0
	for _, in := range r.Incidents {
		if !in.Recovered {
			n++
		}
	}
	return n
}

// overlapping returns the incidents that overlap the span [since, until).
func overlapping(incs []Incident, sp span) []Incident {
	out := incs[:0]
	for _, in := range incs {
		start, err1 := time.Parse(time.RFC3339, in.Start)
		end, err2 := time.Parse(time.RFC3339, in.End)
		if err1 != nil || err2 != nil || end.UnixNano() > sp.since && start.UnixNano() < sp.until {
			out = append(out, in)
		}
	}
	return out
}
