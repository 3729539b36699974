package report

import (
	"cmp"
	"sync"
	"time"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/cespare/xxhash/v2"

	"analyze/classify"
	"analyze/ingest"
)

// Limits of the bounded tables, per worker and after merging.
const (
	endpointLimit = 20000
	clientLimit   = 20000
	methodLimit   = 64
	examplesKept  = 5
)

// Filter selects records by time, and by what they are. Zero bounds are
// open; a nil or zero Match keeps every record.
type Filter struct {
	Since time.Time // records at or after Since
	Until time.Time // records before Until
	Match *Match
}

func (f *Filter) keep(t time.Time) bool {
	return (f.Since.IsZero() || !t.Before(f.Since)) && (f.Until.IsZero() || t.Before(f.Until))
}

// FileCounts is the accounting of one input.
type FileCounts struct {
	Records, Rejected, Blank, Filtered int64
}

// Example is a rejected line kept for the report.
type Example struct {
	File    string `json:"file"`
	Line    int64  `json:"line"`
	Snippet string `json:"snippet"`
	index   int    // file index, for ordering
}

// Config says what to analyse.
type Config struct {
	Filter Filter
	Quota  QuotaOptions
	Retry  RetryOptions
	// Timeline is the timeline's base window; 0 means 10 s (it widens
	// past timelineCap windows).
	Timeline time.Duration
}

// Summary aggregates verdicts: the mergeable state behind the report. Each
// worker fills its own; Merge combines them exactly (within the tables'
// limits).
type Summary struct {
	filter Filter
	match  *Match // nil: keep every record
	client ClientSelector
	quota  *quotaAgg
	tl     *timelineAgg

	// Filled in by Aggregate from the order-sensitive stage.
	behaviour  *behaviourTracker
	retries    *retryTracker
	lateEvents int64

	Files    []FileCounts // by ingest.File.Index
	Filtered int64
	First    time.Time
	Last     time.Time

	Classes [classify.NumClasses]int64
	// Latency holds the logged request durations, in milliseconds: a
	// DDSketch (1 % relative error, mergeable); nil until one is logged.
	Latency  *ddsketch.DDSketch
	Statuses [1000]int64

	Methods   *Table
	Endpoints *Table
	Clients   *Table

	Rejected [ingest.NumReasons]int64
	Examples [ingest.NumReasons][]Example

	// Stored counts the earlier runs merged in (MergeSnapshot).
	Stored Stored

	scratch    []byte
	idScratch  []byte
	keyScratch []byte
	names      *interner // endpoints and methods of failure descriptions
}

// NewSummary returns an empty summary that keeps the records cfg's filter
// passes.
func NewSummary(cfg Config) *Summary {
	var match *Match
	if !cfg.Filter.Match.IsZero() {
		match = cfg.Filter.Match
	}
	return &Summary{
		filter:    cfg.Filter,
		match:     match,
		client:    cfg.Quota.Client,
		quota:     newQuotaAgg(cfg.Quota),
		tl:        newTimelineAgg(cfg.Timeline),
		Methods:   NewTable(methodLimit),
		Endpoints: NewTable(endpointLimit),
		Clients:   NewTable(clientLimit),
		scratch:   make([]byte, 0, 256), // 256: a whole number of cache lines,
		idScratch: make([]byte, 0, 256), // shared with no other worker's data
		names:     newInterner(endpointLimit),
	}
}

func (s *Summary) file(f *ingest.File) *FileCounts {
	for len(s.Files) <= f.Index {
		s.Files = append(s.Files, FileCounts{})
	}
	return &s.Files[f.Index]
}

// ClientKey returns the identity a record is counted under: the remote user
// or API credential when one is logged, else the client address.
func ClientKey(r *ingest.Record) []byte {
	if len(r.User) > 0 {
		return r.User
	}
	if len(r.Credential) > 0 {
		return r.Credential
	}
	if len(r.Client) > 0 {
		return r.Client
	}
	return dash
}

var dash = []byte("-")

// Logged values kept as keys or shown in lists are cut, as a line may be
// megabytes long: a client or endpoint at maxKeyBytes, a failure's target
// in the unrecovered list at maxTargetBytes, each marked by cut.
const (
	maxKeyBytes    = 512
	maxTargetBytes = 2048
)

// cut shortens b, a buffer of the caller's, to n bytes and "…" when longer.
func cut(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	return append(b[:n], "…"...)
}

// Add counts one record. It reports whether the record passed the filter;
// when it did and ev is not nil, it fills ev with what the order-sensitive
// analyses need of it.
func (s *Summary) Add(r *ingest.Record, ev *Event) bool {
	fc := s.file(r.File)
	fc.Records++
	if !s.filter.keep(r.Time) {
		fc.Filtered++
		s.Filtered++
		return false
	}
	v := classify.Classify(r.Status, r.Method)
	endpoint := dash // no request line, so no endpoint
	if len(r.Method) > 0 {
		s.scratch = cut(classify.Template(s.scratch[:0], r.Path), maxKeyBytes)
		endpoint = s.scratch
	}
	key := s.client.Key(r)
	if len(key) > maxKeyBytes {
		s.keyScratch = cut(append(s.keyScratch[:0], key...), maxKeyBytes)
		key = s.keyScratch
	}
	if s.match != nil && !s.match.keep(key, endpoint, r.Path, r.Method, r.Status, v.Class) {
		fc.Filtered++
		s.Filtered++
		return false
	}
	if s.First.IsZero() || r.Time.Before(s.First) {
		s.First = r.Time
	}
	if r.Time.After(s.Last) {
		s.Last = r.Time
	}
	s.Classes[v.Class]++
	var lat duration // not logged; else its sketch bucket, found once for the three sketches
	if r.Duration >= 0 {
		lat = latencyOf(r.Duration)
		if s.Latency == nil {
			s.Latency = newSketch()
		}
		addLatency(s.Latency, lat)
	}
	s.Statuses[r.Status]++

	method := r.Method
	if len(method) == 0 {
		method = dash
	}
	s.Methods.Get(method).Requests++

	ep := s.Endpoints.Get(endpoint)
	count(ep, v)
	if lat.logged {
		if ep.Latency == nil {
			ep.Latency = newSketch()
		}
		addLatency(ep.Latency, lat)
	}
	client := hashClient(key)
	count(s.Clients.GetHashed(key, client), v)
	t := r.Time.UnixNano()
	s.quota.add(t, client, r.Status, r.RateLimit, r.RateRemaining)
	s.tl.add(t, r.Status, v.Class, lat, endpoint, client)
	if ev != nil {
		s.event(r, t, v, key, client, endpoint, ev)
	}
	return true
}

// event fills ev for the order-sensitive stage. A retryable failure also
// carries its strings (FailInfo), for the unrecovered list.
func (s *Summary) event(r *ingest.Record, t int64, v classify.Verdict, key []byte, client uint64, endpoint []byte, ev *Event) {
	ra := int32(-1)
	if r.RetryAfter >= 0 {
		ra = int32(min(r.RetryAfter/time.Second, 1<<30))
	}
	// The identity: one hash of client, method and target, laid out in a
	// scratch buffer (one hash of it is cheaper than several Writes).
	id := append(s.idScratch[:0], key...)
	id = append(id, 0)
	id = append(id, r.Method...)
	id = append(id, 0)
	id = append(id, r.Path...)
	id = append(id, '?')
	id = append(id, r.Query...)
	s.idScratch = id
	*ev = Event{Time: t, Client: client, Status: int16(r.Status), RetryAfter: ra,
		Identity: xxhash.Sum64(id), Policy: v.Retry, Failure: v.Class == classify.ClientError || v.Class == classify.ServerError || r.Status == 0}
	if v.Retry.Retryable() {
		// The client and the target in one string: one allocation.
		var both string
		if len(r.Path)+len(r.Query) > maxTargetBytes {
			// idScratch is free again: the identity is hashed.
			target := append(s.idScratch[:0], r.Path...)
			if len(r.Query) > 0 {
				target = append(append(target, '?'), r.Query...)
			}
			both = string(key) + string(cut(target, maxTargetBytes))
		} else if len(r.Query) > 0 {
			both = string(key) + string(r.Path) + "?" + string(r.Query)
		} else {
			both = string(key) + string(r.Path)
		}
		method := "-"
		if len(r.Method) > 0 {
			method = s.names.get(r.Method)
		}
		ev.Info = &FailInfo{Client: both[:len(key)], Method: method, Target: both[len(key):], Endpoint: s.names.get(endpoint),
			Status: r.Status, File: r.File.Path, Line: r.Line}
	}
}

func count(c *Counts, v classify.Verdict) {
	c.Requests++
	c.Class[v.Class]++
	if v.Status == 429 {
		c.RateLimited++
	}
}

// Reject counts one rejected line and keeps it as an example when it is
// among the first few of its reason (by file, then line).
func (s *Summary) Reject(rej *ingest.Rejection) {
	s.file(rej.File).Rejected++
	s.Rejected[rej.Reason]++
	ex := s.Examples[rej.Reason]
	if len(ex) >= examplesKept && !exampleBefore(rej.File.Index, rej.Line, &ex[len(ex)-1]) {
		return
	}
	s.Examples[rej.Reason] = insertExample(ex, Example{File: rej.File.Path, Line: rej.Line, Snippet: string(rej.Snippet), index: rej.File.Index})
}

// Blank counts one blank line.
func (s *Summary) Blank(f *ingest.File) { s.file(f).Blank++ }

func exampleBefore(index int, line int64, e *Example) bool {
	return cmp.Or(cmp.Compare(index, e.index), cmp.Compare(line, e.Line)) < 0
}

// insertExample inserts e in order and keeps the first examplesKept.
func insertExample(ex []Example, e Example) []Example {
	i := len(ex)
	for i > 0 && exampleBefore(e.index, e.Line, &ex[i-1]) {
		i--
	}
	ex = append(ex, Example{})
	copy(ex[i+1:], ex[i:])
	ex[i] = e
	if len(ex) > examplesKept {
		ex = ex[:examplesKept]
	}
	return ex
}

// Merge adds o into s.
func (s *Summary) Merge(o *Summary) {
	for i, fc := range o.Files {
		for len(s.Files) <= i {
			s.Files = append(s.Files, FileCounts{})
		}
		s.Files[i].Records += fc.Records
		s.Files[i].Rejected += fc.Rejected
		s.Files[i].Blank += fc.Blank
		s.Files[i].Filtered += fc.Filtered
	}
	s.Filtered += o.Filtered
	if !o.First.IsZero() && (s.First.IsZero() || o.First.Before(s.First)) {
		s.First = o.First
	}
	if o.Last.After(s.Last) {
		s.Last = o.Last
	}
	for i := range s.Classes {
		s.Classes[i] += o.Classes[i]
	}
	if o.Latency != nil {
		if s.Latency == nil {
			s.Latency = o.Latency
		} else {
			s.Latency.MergeWith(o.Latency)
		}
	}
	for i := range s.Statuses {
		s.Statuses[i] += o.Statuses[i]
	}
	var quota sync.WaitGroup // the quota's cells, the most to merge, alongside the rest
	quota.Go(func() { s.quota.merge(o.quota) })
	defer quota.Wait()
	s.tl.merge(o.tl)
	s.Methods.Merge(o.Methods)
	s.Endpoints.Merge(o.Endpoints)
	s.Clients.Merge(o.Clients)
	for r := range s.Rejected {
		s.Rejected[r] += o.Rejected[r]
		for _, e := range o.Examples[r] {
			s.Examples[r] = insertExample(s.Examples[r], e)
		}
	}
}
