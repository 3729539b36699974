package report

import (
	"cmp"
	"math"
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
	hostLimit     = 20000
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

// span is a Filter's time bounds in Unix nanoseconds, for comparing with
// a record's in one instruction each: [since, until).
type span struct{ since, until int64 }

// A record's time always fits in Unix nanoseconds (the Scanner rejects
// times before 1970 or from 2200 on); a bound past what they hold, as
// --since 1000-01-01 would be, is clamped to it.
var (
	minNano = time.Unix(0, math.MinInt64)
	maxNano = time.Unix(0, math.MaxInt64)
)

func nanos(t time.Time, zero int64) int64 {
	switch {
	case t.IsZero():
		return zero
	case t.Before(minNano):
		return math.MinInt64
	case t.After(maxNano):
		return math.MaxInt64
	}
	return t.UnixNano()
}

func (f *Filter) span() span {
	return span{since: nanos(f.Since, math.MinInt64), until: nanos(f.Until, math.MaxInt64)}
}

// keep reports whether a record at t (Unix nanoseconds) is in the span: a
// record's time is before 2200 (the Scanner rejects later ones), so an
// open Until, math.MaxInt64, keeps them all.
func (s span) keep(t int64) bool { return t >= s.since && t < s.until }

// FileCounts is the accounting of one input. Unrecognized are the lines
// of a file no format fits (rejected by the Scanner as no_format): they
// are not log lines gone wrong, so they are not counted as Rejected.
type FileCounts struct {
	Records, Rejected, Unrecognized, Blank, Filtered int64
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
	// Carry is what an earlier run left open (Summary.Carry, DecodeCarry),
	// taken up before the first record; nil for none.
	Carry *Carry
}

// Summary aggregates verdicts: the mergeable state behind the report. Each
// worker fills its own; Merge combines them exactly (within the tables'
// limits).
type Summary struct {
	span   span   // the filter's time bounds
	match  *Match // nil: keep every record
	client ClientSelector
	quota  *quotaAgg
	tl     *timelineAgg
	det    *minuteAgg // the incidents' minutes

	// Filled in by Aggregate from the order-sensitive stage.
	behaviour  *behaviourTracker
	retries    *retryTracker
	lateEvents int64

	Files    []FileCounts // by ingest.File.Index
	Filtered int64
	// The times of the first and last analysed records, Unix nanoseconds
	// (MaxInt64 and MinInt64 while there is none): First and Last.
	first, last int64

	Classes [classify.NumClasses]int64
	// Latency holds the logged request durations, in milliseconds: a
	// DDSketch (1 % relative error, mergeable); nil until one is logged.
	Latency  *ddsketch.DDSketch
	Statuses [1000]int64

	Methods   *Table
	Endpoints *Table
	Clients   *Table
	// Hosts counts by virtual host or Host header (a tenant's API host),
	// in lower case and without a port; records that log none are not in
	// it.
	Hosts *Table
	// ErrorPaths counts the error responses (4xx, 5xx) by endpoint and
	// raw path (without the query string, which may carry secrets);
	// Agents counts every request by client and user agent. Both are
	// tables of pairs (breakdown.go).
	ErrorPaths *Table
	Agents     *Table

	Rejected [ingest.NumReasons]int64
	Examples [ingest.NumReasons][]Example

	// Stored counts the earlier runs merged in (MergeSnapshot).
	Stored Stored

	scratch                   []byte
	idScratch                 []byte
	keyScratch                []byte
	hostScratch               []byte
	pathScratch, agentScratch []byte
	pairScratch               []byte
	names                     *interner // endpoints and methods of failure descriptions
}

// NewSummary returns an empty summary that keeps the records cfg's filter
// passes.
func NewSummary(cfg Config) *Summary {
	var match *Match
	if !cfg.Filter.Match.IsZero() {
		match = cfg.Filter.Match
	}
	return &Summary{
		span:       cfg.Filter.span(),
		first:      math.MaxInt64,
		last:       math.MinInt64,
		match:      match,
		client:     cfg.Quota.Client,
		quota:      newQuotaAgg(cfg.Quota),
		tl:         newTimelineAgg(cfg.Timeline),
		det:        newMinuteAgg(),
		Methods:    NewTable(methodLimit),
		Endpoints:  NewTable(endpointLimit),
		Clients:    NewTable(clientLimit),
		Hosts:      NewTable(hostLimit),
		ErrorPaths: newPairTable(),
		Agents:     newPairTable(),
		scratch:    make([]byte, 0, 256), // 256: a whole number of cache lines,
		idScratch:  make([]byte, 0, 256), // shared with no other worker's data
		names:      newInterner(endpointLimit),
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
	t := r.Time.UnixNano()
	inSpan := s.span.keep(t)
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
	if s.match != nil && !s.match.keep(key, endpoint, r.Path, r.Method, r.Host, r.Status, v.Class) {
		fc.Filtered++
		s.Filtered++
		return false
	}
	if !inSpan {
		// Out of --since/--until, and not counted; but incidents are found
		// on every minute, so that the same input gives the same incidents
		// whatever the span asked for (an outage's baseline lies before
		// it), and the report lists those that overlap the span.
		fc.Filtered++
		s.Filtered++
		var host []byte
		if len(r.Host) > 0 {
			host = s.hostKey(r.Host)
		}
		s.detect(r, t, endpoint, hashClient(key), host)
		return false
	}
	s.first, s.last = min(s.first, t), max(s.last, t)
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
	count(ep, v, r.Bytes)
	if lat.logged {
		if ep.Latency == nil {
			ep.Latency = newSketch()
		}
		addLatency(ep.Latency, lat)
	}
	if v.Class == classify.ClientError || v.Class == classify.ServerError {
		s.pairScratch = pairKey(s.pairScratch[:0], endpoint, r.Path)
		count(s.ErrorPaths.Get(s.pairScratch), v, r.Bytes)
	}
	client := hashClient(key)
	count(s.Clients.GetHashed(key, client), v, r.Bytes)
	s.pairScratch = pairKey(s.pairScratch[:0], key, r.UserAgent)
	count(s.Agents.Get(s.pairScratch), v, r.Bytes)
	s.quota.add(t, client, r.Status, r.RateLimit, r.RateRemaining)
	var host []byte // its key, when logged
	if len(r.Host) > 0 {
		host = s.hostKey(r.Host)
		count(s.Hosts.Get(host), v, r.Bytes)
	}
	s.tl.add(t, r.Status, v.Class, lat)
	s.detect(r, t, endpoint, client, host)
	if ev != nil {
		s.event(r, t, v, key, client, endpoint, ev)
	}
	return true
}

// detect feeds the incidents' minutes with a record: its request, and a
// failure's endpoint, client, host, path and user agent.
func (s *Summary) detect(r *ingest.Record, t int64, endpoint []byte, client uint64, host []byte) {
	if !(r.Status >= 500 && r.Status <= 599 || r.Status == 429) {
		s.det.add(t, r.Status, nil)
		return
	}
	f := failure{endpoint: endpoint, client: client, host: host, agent: r.UserAgent}
	if len(r.Method) > 0 {
		f.path = r.Path
		if len(f.path) > maxKeyBytes {
			s.pathScratch = cut(append(s.pathScratch[:0], f.path...), maxKeyBytes)
			f.path = s.pathScratch
		}
	}
	if len(f.agent) > maxKeyBytes {
		s.agentScratch = cut(append(s.agentScratch[:0], f.agent...), maxKeyBytes)
		f.agent = s.agentScratch
	}
	s.det.add(t, r.Status, &f)
}

// hostKey is a host as the hosts table keys it: in lower case, without a
// port (api.quable.com:443 and API.quable.com are one host), cut at
// maxKeyBytes.
func (s *Summary) hostKey(host []byte) []byte {
	h := withoutPort(host)
	for _, c := range h {
		if c >= 'A' && c <= 'Z' {
			s.hostScratch = append(s.hostScratch[:0], h...)
			for i, c := range s.hostScratch {
				if c >= 'A' && c <= 'Z' {
					s.hostScratch[i] = c + 'a' - 'A'
				}
			}
			h = s.hostScratch
			break
		}
	}
	if len(h) > maxKeyBytes {
		s.hostScratch = cut(append(s.hostScratch[:0], h...), maxKeyBytes)
		h = s.hostScratch
	}
	return h
}

// event fills ev for the order-sensitive stage. A retryable failure also
// carries its strings (FailInfo), for the unrecovered list.
func (s *Summary) event(r *ingest.Record, t int64, v classify.Verdict, key []byte, client uint64, endpoint []byte, ev *Event) {
	ra := int32(-1)
	if r.RetryAfter >= 0 {
		ra = int32(min(r.RetryAfter/time.Second, 1<<30))
	}
	*ev = Event{Time: t, Client: client, Status: int16(r.Status), RetryAfter: ra,
		Identity: s.identity(client, r), Policy: v.Retry, Failure: v.Class == classify.ClientError || v.Class == classify.ServerError || r.Status == 0}
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

// identity returns a retry's identity: the hash of the record's target
// (path, and "?" and query when there is one) mixed with its client's hash
// and its method. The target is hashed where it lies when the path and
// query are adjacent in the line, as in a request line; else it is laid
// out in a scratch buffer first.
func (s *Summary) identity(client uint64, r *ingest.Record) uint64 {
	target := r.Path
	if n := len(r.Path); len(r.Query) > 0 {
		if whole := r.Path[:cap(r.Path)]; len(whole) > n+len(r.Query) && whole[n] == '?' && &whole[n+1] == &r.Query[0] {
			target = whole[:n+1+len(r.Query)]
		} else {
			s.idScratch = append(append(append(s.idScratch[:0], r.Path...), '?'), r.Query...)
			target = s.idScratch
		}
	}
	return mix64(xxhash.Sum64(target) ^ mix64(client^methodWord(r.Method)))
}

// methodWord is a method in one word: its bytes and its length when it is
// at most seven bytes long (every standard method), else its hash.
func methodWord(m []byte) uint64 {
	if len(m) > 7 {
		return xxhash.Sum64(m)
	}
	w := uint64(len(m)) << 56
	for i, c := range m {
		w |= uint64(c) << (8 * i)
	}
	return w
}

// mix64 is the finaliser of MurmurHash3: it spreads every input bit over
// the whole word, so hashes combined with ^ do not cancel out.
func mix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// First returns the time of the first analysed record, in UTC; the zero
// time when there is none.
func (s *Summary) First() time.Time {
	if s.first > s.last {
		return time.Time{}
	}
	return time.Unix(0, s.first).UTC()
}

// Last returns the time of the last analysed record, in UTC; the zero time
// when there is none.
func (s *Summary) Last() time.Time {
	if s.first > s.last {
		return time.Time{}
	}
	return time.Unix(0, s.last).UTC()
}

// count counts a request of verdict v whose response was size bytes (-1
// when not logged).
func count(c *Counts, v classify.Verdict, size int64) {
	c.Requests++
	c.Class[v.Class]++
	if v.Status == 429 {
		c.RateLimited++
	}
	if size >= 0 {
		c.Bytes = addBytes(c.Bytes, size)
		c.Sized++
	}
}

// Reject counts one rejected line and keeps it as an example when it is
// among the first few of its reason (by file, then line).
func (s *Summary) Reject(rej *ingest.Rejection) {
	if rej.Reason == ingest.NoFormat {
		s.file(rej.File).Unrecognized++
	} else {
		s.file(rej.File).Rejected++
	}
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
		s.Files[i].Unrecognized += fc.Unrecognized
		s.Files[i].Blank += fc.Blank
		s.Files[i].Filtered += fc.Filtered
	}
	s.Filtered += o.Filtered
	s.first, s.last = min(s.first, o.first), max(s.last, o.last)
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
	s.det.merge(o.det)
	s.Methods.Merge(o.Methods)
	s.Endpoints.Merge(o.Endpoints)
	s.Clients.Merge(o.Clients)
	s.Hosts.Merge(o.Hosts)
	s.ErrorPaths.Merge(o.ErrorPaths)
	s.Agents.Merge(o.Agents)
	for r := range s.Rejected {
		s.Rejected[r] += o.Rejected[r]
		for _, e := range o.Examples[r] {
			s.Examples[r] = insertExample(s.Examples[r], e)
		}
	}
}
