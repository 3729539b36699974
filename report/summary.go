package report

import (
	"analyze/report/analysis"
	"analyze/report/tables"
	"cmp"
	"math"
	"sync"
	"time"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/cespare/xxhash/v2"

	"analyze/classify"
	"analyze/ingest"
	"analyze/report/quota"
	"analyze/report/retry"
	"analyze/report/timeline"
)

// Limits of the bounded tables, per worker and after merging.
const (
	endpointLimit = tables.EndpointLimit
	clientLimit   = tables.ClientLimit
	hostLimit     = tables.HostLimit
	methodLimit   = tables.MethodLimit
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
	// past 4,096 windows: report/timeline).
	Timeline time.Duration
	// Carry is what an earlier run left open (Summary.Carry, DecodeCarry),
	// taken up before the first record; nil for none.
	Carry *Carry
}

// Summary aggregates verdicts: the mergeable state behind the report. Each
// worker fills its own; Merge combines them exactly (within the tables'
// limits).
type Summary struct {
	cfg    Config
	span   span   // the filter's time bounds
	match  *Match // nil: keep every record
	client ClientSelector
	quota  *quota.Agg
	tl     *timeline.Agg
	det    *timeline.MinuteAgg // the incidents' minutes

	// Filled in by Aggregate from the order-sensitive stage.
	behaviour  *quota.Behaviour
	retries    *retry.Tracker
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

	// The bounded tables (analyses.go).
	*tables.Tables

	Rejected [ingest.NumReasons]int64
	Examples [ingest.NumReasons][]Example

	// Stored counts the earlier runs merged in (MergeSnapshot).
	Stored Stored

	// analyses are the built-in analyses above and the registered ones
	// (extras), in the order they see each batch of rows.
	analyses []analysis.Analysis
	extras   []extra
	// The rows not yet handed to the analyses (flush).
	batch analysis.Batch

	scratch     []byte
	idScratch   []byte
	keyScratch  []byte
	hostScratch []byte
	names       *analysis.Interner // endpoints and methods of failure descriptions
}

// NewSummary returns an empty summary that keeps the records cfg's filter
// passes.
func NewSummary(cfg Config) *Summary {
	var match *Match
	if !cfg.Filter.Match.IsZero() {
		match = cfg.Filter.Match
	}
	s := &Summary{
		cfg:       cfg,
		span:      cfg.Filter.span(),
		first:     math.MaxInt64,
		last:      math.MinInt64,
		match:     match,
		client:    cfg.Quota.Client,
		quota:     quota.New(cfg.Quota),
		tl:        timeline.NewAgg(cfg.Timeline),
		det:       timeline.NewMinuteAgg(),
		Tables:    tables.New(),
		scratch:   make([]byte, 0, 256), // 256: a whole number of cache lines,
		idScratch: make([]byte, 0, 256), // shared with no other worker's data
		names:     analysis.NewInterner(endpointLimit),
	}
	s.batch.Rows = make([]analysis.Row, 0, batchRows)
	s.analyses = []analysis.Analysis{s.Tables, s.quota, s.tl, s.det}
	for _, r := range registered {
		a := r.new(cfg)
		s.extras = append(s.extras, extra{r, a})
		s.analyses = append(s.analyses, a)
	}
	return s
}

func (s *Summary) file(f *ingest.File) *FileCounts {
	for len(s.Files) <= f.Index {
		s.Files = append(s.Files, FileCounts{})
	}
	return &s.Files[f.Index]
}

var dash = []byte("-")

// Add counts one record. It reports whether the record passed the filter;
// when it did and ev is not nil, it fills ev with what the order-sensitive
// analyses need of it. The analyses count it with the rest of its batch
// (flush); a record's values are copied to the batch's arena unless they
// lie in the block being read (startBlock), which outlives the batch.
func (s *Summary) Add(r *ingest.Record, ev *analysis.Event) bool {
	fc := s.file(r.File)
	fc.Records++
	t := r.Time.UnixNano()
	inSpan := s.span.keep(t)
	v := classify.Classify(r.Status, r.Method)
	endpoint := dash // no request line, so no endpoint
	if len(r.Method) > 0 {
		s.scratch = analysis.Cut(classify.Template(s.scratch[:0], r.Path), analysis.MaxKeyBytes)
		endpoint = s.scratch
	}
	key := s.client.Key(r)
	if len(key) > analysis.MaxKeyBytes {
		s.keyScratch = analysis.Cut(append(s.keyScratch[:0], key...), analysis.MaxKeyBytes)
		key = s.keyScratch
	}
	if s.match != nil && !s.match.keep(key, endpoint, r.Path, r.Method, r.Host, r.Status, v.Class) {
		fc.Filtered++
		s.Filtered++
		return false
	}
	row := s.row(r, t, v, key, endpoint)
	if r.Duration >= 0 {
		row.Latency = analysis.LatencyOf(r.Duration)
	}
	if !inSpan {
		// Out of --since/--until, and not counted; but incidents are found
		// on every minute, so that the same input gives the same incidents
		// whatever the span asked for (an outage's baseline lies before
		// it), and the report lists those that overlap the span.
		fc.Filtered++
		s.Filtered++
		return false
	}
	row.InSpan = true
	s.first, s.last = min(s.first, t), max(s.last, t)
	s.Classes[v.Class]++
	if row.Latency.Logged {
		if s.Latency == nil {
			s.Latency = analysis.NewSketch()
		}
		analysis.AddLatency(s.Latency, row.Latency)
	}
	s.Statuses[r.Status]++
	if ev != nil {
		s.event(r, t, v, key, row.ClientID, endpoint, ev)
	}
	return true
}

// row appends r's row to the batch, flushing it first when full, and
// returns it for Add to finish.
func (s *Summary) row(r *ingest.Record, t int64, v classify.Verdict, key, endpoint []byte) *analysis.Row {
	b := &s.batch
	if len(b.Rows) == cap(b.Rows) || b.ArenaLen() > arenaFlush {
		s.flush()
	}
	b.Rows = append(b.Rows, analysis.Row{Time: t, Status: r.Status, Verdict: v, Bytes: r.Bytes, RateLimit: r.RateLimit, RateRemaining: r.RateRemaining,
		Client: b.Ref(key), ClientID: analysis.HashClient(key), Endpoint: b.Ref(endpoint),
		Method: b.Ref(r.Method), Path: b.RefCut(r.Path, analysis.MaxKeyBytes), UserAgent: b.RefCut(r.UserAgent, analysis.MaxKeyBytes),
		Protocol: b.Ref(r.Protocol)})
	row := &b.Rows[len(b.Rows)-1]
	if len(r.Host) > 0 {
		row.Host = b.Ref(s.hostKey(r.Host))
	}
	return row
}

// Rows go to the analyses in batches of batchRows, or fewer when their
// copied bytes pass arenaFlush.
const (
	batchRows  = 256
	arenaFlush = 64 << 10
)

// startBlock tells Add the block its records' bytes lie in.
func (s *Summary) startBlock(b *ingest.Block) {
	s.flush()
	s.batch.SetBlock(b.Data)
}

// endBlock hands the rows of the block read to the analyses: the block's
// bytes are not valid after it.
func (s *Summary) endBlock() {
	s.flush()
	s.batch.SetBlock(nil)
}

// flush hands the batch of rows to every analysis.
func (s *Summary) flush() {
	if len(s.batch.Rows) > 0 {
		for _, a := range s.analyses {
			a.Add(&s.batch)
		}
	}
	s.batch.Reset()
}

// hostKey is a host as the hosts table keys it: in lower case, without a
// port (api.quable.com:443 and API.quable.com are one host), cut at
// analysis.MaxKeyBytes.
func (s *Summary) hostKey(host []byte) []byte {
	h := analysis.WithoutPort(host)
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
	if len(h) > analysis.MaxKeyBytes {
		s.hostScratch = analysis.Cut(append(s.hostScratch[:0], h...), analysis.MaxKeyBytes)
		h = s.hostScratch
	}
	return h
}

// event fills ev for the order-sensitive stage. A retryable failure also
// carries its strings (analysis.FailInfo), for the unrecovered list.
func (s *Summary) event(r *ingest.Record, t int64, v classify.Verdict, key []byte, client uint64, endpoint []byte, ev *analysis.Event) {
	ra := int32(-1)
	if r.RetryAfter >= 0 {
		ra = int32(min(r.RetryAfter/time.Second, 1<<30))
	}
	*ev = analysis.Event{Time: t, Client: client, Status: int16(r.Status), RetryAfter: ra,
		Identity: s.identity(client, r), Policy: v.Retry, Failure: v.Class == classify.ClientError || v.Class == classify.ServerError || r.Status == 0}
	if v.Retry.Retryable() {
		// The client and the target in one string: one allocation.
		var both string
		if len(r.Path)+len(r.Query) > analysis.MaxTargetBytes {
			// idScratch is free again: the identity is hashed.
			target := append(s.idScratch[:0], r.Path...)
			if len(r.Query) > 0 {
				target = append(append(target, '?'), r.Query...)
			}
			both = string(key) + string(analysis.Cut(target, analysis.MaxTargetBytes))
		} else if len(r.Query) > 0 {
			both = string(key) + string(r.Path) + "?" + string(r.Query)
		} else {
			both = string(key) + string(r.Path)
		}
		method := "-"
		if len(r.Method) > 0 {
			method = s.names.Get(r.Method)
		}
		ev.Info = &analysis.FailInfo{Client: both[:len(key)], Method: method, Target: both[len(key):], Endpoint: s.names.Get(endpoint),
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
	s.flush()
	o.flush()
	var quotaMerged sync.WaitGroup // the quota's cells, the most to merge, alongside the rest
	quotaMerged.Go(func() { s.quota.Merge(o.quota) })
	defer quotaMerged.Wait()
	for i, a := range s.analyses {
		if a != analysis.Analysis(s.quota) {
			a.Merge(o.analyses[i])
		}
	}
	for r := range s.Rejected {
		s.Rejected[r] += o.Rejected[r]
		for _, e := range o.Examples[r] {
			s.Examples[r] = insertExample(s.Examples[r], e)
		}
	}
}
