package retry

import (
	"analyze/report/analysis"
	"time"

	"github.com/DataDog/sketches-go/ddsketch"

	"analyze/classify"
)

// Failures worth retrying: retry chains, found in time order (the
// sequencer feeds them). Definitions (docs/retries.md):
//
//   - A request's identity is (client, method, path with query).
//   - A retryable failure (policy after_wait, backoff or unsafe) opens a
//     chain for its identity unless one is open.
//   - A later record of the same identity within the retry window of the
//     chain's last failure (inclusive) is an attempt: a 2xx closes the chain
//     as recovered, another retryable failure extends it, any other status
//     closes it as exhausted.
//   - A chain whose window passes with no attempt closes as abandoned; with
//     attempts but no success, as exhausted. Chains still open at the end
//     of input close by the same rule.
//   - A chain that began with an unsafe failure (POST/PATCH after a 5xx) and
//     has attempts is an unsafe retry: a possible duplicate write.
//   - An attempt sent before its failure's Retry-After (logged, else
//     --retry-after) is a Retry-After violation.
//   - The same identity sent again within the window after a failure whose
//     policy is "no" (400, 403, 404, 405, 422...) is a non-retryable repeat.
//
// State: the open chains and the recent "no" failures, both pruned as the
// window passes, so bounded by the traffic of one window, and at most
// openChainLimit and noFailLimit whatever the traffic (failures past that
// are counted as untracked, and the report says so); per-client and
// per-(status, endpoint) counters, bounded by retryClientLimit and
// retryRowLimit; the unrecovered list, kept up to unrecoveredLimit.

const (
	retryClientLimit = 100000
	retryRowLimit    = 10000
	unrecoveredLimit = 25000
	openChainLimit   = 1 << 18
	noFailLimit      = 1 << 18
	// attemptCellLimit bounds the storms' attempts by (client, window): a
	// quarter of the quota's cells per worker.
	attemptCellLimit = 1 << 16
)

// Options configure the retry analysis.
type Options struct {
	Window     time.Duration // the retry window; 0 means 10 minutes
	RetryAfter time.Duration // the wait a failure asks for when no Retry-After is logged
	StormShare float64       // a storm: attempts above this share of a window's traffic; 0 means 0.2
	StormWin   time.Duration // the storm window (the quota window)
}

type chain struct {
	id        uint64 // the identity
	info      *analysis.FailInfo
	first     int64 // time of the first failure
	lastFail  int64
	deadline  int64 // the last failure's Retry-After deadline
	last      int64 // time of the last attempt
	attempts  int64
	lastState int32 // status of the last failure
	unsafe    bool
	client    uint64
	// The client's and the row's counters, looked up once when the chain
	// opens (nil: no room left); the bounds only grow, so they stand.
	clientSt, rowSt *retryStats
}

type noFail struct {
	at     int64
	status int32
}

// retryStats are the counters of a client or a (status, endpoint) row.
type retryStats struct {
	chains, recovered, exhausted, abandoned int64
	attempts, maxAttempts                   int64
	violations, unsafe, repeats             int64
	repeatsBy                               map[int32]int64 // by status (clients only)
	abandonedBy                             map[int32]int64 // by status (clients only)
	recovery                                *ddsketch.DDSketch
}

// newRetryStats returns counters; with a recovery-time sketch for the total
// and the (status, endpoint) rows, with per-status maps for clients.
func newRetryStats(sketch bool) *retryStats {
	st := &retryStats{}
	if sketch {
		st.recovery = analysis.NewSketch()
	} else {
		st.repeatsBy, st.abandonedBy = map[int32]int64{}, map[int32]int64{}
	}
	return st
}

type rowKey struct {
	status   int32
	endpoint string
}

// unrecovered is one abandoned or exhausted chain.
type unrecovered struct {
	info        *analysis.FailInfo
	first, last int64 // first failure; last attempt (0: none)
	attempts    int64
	outcome     string
	status      int32 // the last failure's status
	unsafe      bool
}

type Tracker struct {
	window, defaultRA int64
	open              map[uint64]*chain
	noFails           map[uint64]noFail
	lastPrune         int64
	total             *retryStats
	clients           map[uint64]*retryStats
	rows              map[rowKey]*retryStats
	unrecovered       []unrecovered
	unrecoveredCount  int64
	// storms: attempts per storm window, and per (client, window)
	stormWin       int64
	attemptsByWin  map[int64]int64
	attemptsByCell map[analysis.Cell]int64
	dropped        int64 // clients past retryClientLimit
	untracked      int64 // retryable failures past openChainLimit open chains
	noFailsDropped int64 // "no" failures past noFailLimit

	// maybe has a bit set for each identity in open or noFails, and for
	// some that have left them: a record whose bit is clear has nothing to
	// close or repeat, and most records (most of them successes) are
	// passed by without two map look-ups. A prune rebuilds it once the
	// marks since the last rebuild could have set a sixteenth of its bits.
	maybe *[maybeWords]uint64
	marks int
}

const (
	maybeWords   = 1 << 12 // 2^18 bits, 32 KB: stays in the near caches
	maybeRebuild = maybeWords * 64 / 16
)

func maybeBit(id uint64) (word int, bit uint64) { return int(id >> 52), 1 << (id >> 46 & 63) }

func (t *Tracker) mark(id uint64) {
	w, b := maybeBit(id)
	t.maybe[w] |= b
	t.marks++
}

func NewTracker(o Options) *Tracker {
	w := int64(o.Window)
	if w <= 0 {
		w = int64(10 * time.Minute)
	}
	sw := int64(o.StormWin)
	if sw <= 0 {
		sw = int64(time.Minute)
	}
	return &Tracker{window: w, defaultRA: int64(o.RetryAfter), open: map[uint64]*chain{}, noFails: map[uint64]noFail{},
		total: newRetryStats(true), clients: map[uint64]*retryStats{}, rows: map[rowKey]*retryStats{},
		stormWin: sw, attemptsByWin: map[int64]int64{}, attemptsByCell: map[analysis.Cell]int64{}, maybe: new([maybeWords]uint64)}
}

// clientStats returns the client's counters, made if there is room; nil,
// counted in dropped, when there is none.
func (t *Tracker) clientStats(c uint64) *retryStats {
	st := t.client(c)
	if st == nil {
		t.dropped++
	}
	return st
}

// client returns the client's counters, made if there is room, else nil.
func (t *Tracker) client(c uint64) *retryStats {
	st := t.clients[c]
	if st == nil && len(t.clients) < retryClientLimit {
		st = newRetryStats(false)
		t.clients[c] = st
	}
	return st
}

func (t *Tracker) rowStats(status int32, endpoint string) *retryStats {
	k := rowKey{status, endpoint}
	st := t.rows[k]
	if st == nil {
		if len(t.rows) >= retryRowLimit {
			return nil
		}
		st = newRetryStats(true)
		t.rows[k] = st
	}
	return st
}

// each applies f to the total, the client's and the row's counters.
func (t *Tracker) each(c *chain, f func(*retryStats)) {
	f(t.total)
	if c.clientSt != nil {
		f(c.clientSt)
	} else {
		t.dropped++
	}
	if c.rowSt != nil {
		f(c.rowSt)
	}
}

func (t *Tracker) consume(e *analysis.Event) {
	if e.Time-t.lastPrune > t.window/4 {
		t.prune(e.Time)
	}
	if w, b := maybeBit(e.Identity); t.maybe[w]&b != 0 {
		if nf, ok := t.noFails[e.Identity]; ok {
			if e.Time-nf.at <= t.window {
				t.total.repeats++
				if st := t.clientStats(e.Client); st != nil {
					st.repeats++
					st.repeatsBy[nf.status]++
				}
			}
			delete(t.noFails, e.Identity)
		}
		c := t.open[e.Identity]
		if c != nil && e.Time-c.lastFail > t.window {
			t.close(c, e.Time)
			c = nil
		}
		if c != nil {
			t.attempt(c, e)
			return
		}
	} else if !e.Failure {
		return // the common case: a success with nothing to close or repeat
	}
	switch {
	case e.Policy.Retryable() && e.Info != nil && len(t.open) >= openChainLimit:
		t.untracked++
	case e.Failure && e.Policy == classify.No && len(t.noFails) >= noFailLimit:
		t.noFailsDropped++
	case e.Policy.Retryable() && e.Info != nil:
		c := &chain{id: e.Identity, info: e.Info, first: e.Time, lastFail: e.Time, deadline: e.Time + t.retryAfter(e),
			lastState: int32(e.Status), unsafe: e.Policy == classify.Unsafe, client: e.Client,
			clientSt: t.client(e.Client), rowSt: t.rowStats(int32(e.Info.Status), e.Info.Endpoint)}
		t.open[e.Identity] = c
		t.mark(e.Identity)
		t.each(c, func(s *retryStats) { s.chains++ })
	case e.Failure && e.Policy == classify.No:
		t.noFails[e.Identity] = noFail{at: e.Time, status: int32(e.Status)}
		t.mark(e.Identity)
	}
}

func (t *Tracker) retryAfter(e *analysis.Event) int64 {
	if e.RetryAfter >= 0 {
		return int64(e.RetryAfter) * int64(time.Second)
	}
	return t.defaultRA
}

// attempt applies a record of an open chain's identity.
func (t *Tracker) attempt(c *chain, e *analysis.Event) {
	c.attempts++
	c.last = e.Time
	violation := e.Time < c.deadline
	t.each(c, func(s *retryStats) {
		s.attempts++
		if violation {
			s.violations++
		}
	})
	w := e.Time / t.stormWin
	t.attemptsByWin[w]++
	if len(t.attemptsByCell) < attemptCellLimit {
		t.attemptsByCell[analysis.Cell{Client: e.Client, Win: w}]++
	}
	switch {
	case e.Status >= 200 && e.Status < 300:
		t.finish(c, "recovered", e.Time)
	case e.Policy.Retryable():
		c.lastFail, c.lastState, c.deadline = e.Time, int32(e.Status), e.Time+t.retryAfter(e)
	default:
		c.lastState = int32(e.Status)
		t.finish(c, "exhausted", e.Time)
	}
}

// close ends a chain whose window passed.
func (t *Tracker) close(c *chain, now int64) {
	if c.attempts == 0 {
		t.finish(c, "abandoned", now)
	} else {
		t.finish(c, "exhausted", now)
	}
}

func (t *Tracker) finish(c *chain, outcome string, now int64) {
	delete(t.open, c.id)
	recovery := float64(c.last-c.first) / 1e9
	t.each(c, func(s *retryStats) {
		switch outcome {
		case "recovered":
			s.recovered++
			if s.recovery != nil {
				s.recovery.Add(recovery)
			}
		case "exhausted":
			s.exhausted++
		case "abandoned":
			s.abandoned++
			if s.abandonedBy != nil {
				s.abandonedBy[int32(c.info.Status)]++
			}
		}
		s.maxAttempts = max(s.maxAttempts, c.attempts)
		if c.unsafe && c.attempts > 0 {
			s.unsafe++
		}
	})
	if outcome != "recovered" {
		t.unrecoveredCount++
		if len(t.unrecovered) < unrecoveredLimit {
			t.unrecovered = append(t.unrecovered, unrecovered{info: c.info, first: c.first, last: c.last,
				attempts: c.attempts, outcome: outcome, status: c.lastState, unsafe: c.unsafe})
		}
	}
}

// prune closes the chains and forgets the "no" failures whose window has
// passed by now.
func (t *Tracker) prune(now int64) {
	t.lastPrune = now
	for _, c := range t.open {
		if now-c.lastFail > t.window {
			t.close(c, now)
		}
	}
	for id, nf := range t.noFails {
		if now-nf.at > t.window {
			delete(t.noFails, id)
		}
	}
	if t.marks > maybeRebuild {
		clear(t.maybe[:])
		t.marks = 0
		for id := range t.noFails {
			t.mark(id)
		}
		for id := range t.open {
			t.mark(id)
		}
	}
}

// end closes every chain still open: the input is over.
func (t *Tracker) end() {
	for _, c := range t.open {
		t.close(c, 0)
	}
}
