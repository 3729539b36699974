package quota

import "analyze/report/analysis"

// What clients do after a 429, found in time order (the sequencer feeds
// it). For each 429 the next request of the same client is the client's
// answer: it counts in after_429_requests, and when it came before the
// 429's Retry-After (logged, else --retry-after) it is a Retry-After
// violation. State: one open 429 per client, and counters per client that
// got a 429; both bounded by behaviourLimit clients.

const behaviourLimit = 100000

type behaviour struct {
	after, violations int64
	gapSum            int64 // ns, over the after requests
}

type open429 struct {
	at, deadline int64
}

type Behaviour struct {
	defaultRA int64 // ns
	open      map[uint64]open429
	by        map[uint64]*behaviour
	dropped   int64
}

func NewBehaviour(o Options) *Behaviour {
	return &Behaviour{defaultRA: int64(o.RetryAfter), open: map[uint64]open429{}, by: map[uint64]*behaviour{}}
}

func (b *Behaviour) consume(e *analysis.Event) {
	if len(b.open) == 0 && e.Status != 429 {
		return // no 429 waits for an answer: the common case, without a look-up
	}
	if o, ok := b.open[e.Client]; ok {
		st := b.by[e.Client]
		st.after++
		st.gapSum += e.Time - o.at
		if e.Time < o.deadline {
			st.violations++
		}
		delete(b.open, e.Client)
	}
	if e.Status != 429 {
		return
	}
	if b.by[e.Client] == nil {
		if len(b.by) >= behaviourLimit {
			b.dropped++
			return
		}
		b.by[e.Client] = &behaviour{}
	}
	ra := b.defaultRA
	if e.RetryAfter >= 0 {
		ra = int64(e.RetryAfter) * 1e9
	}
	b.open[e.Client] = open429{at: e.Time, deadline: e.Time + ra}
}
