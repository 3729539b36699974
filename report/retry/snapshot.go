package retry

import (
	"fmt"

	"analyze/report/analysis"
)

// The retry tracker's part of a stored run (--state) and of a carry.
// Package report's snapshot and carry hold the same fields under types of
// their own, converted field for field: gob writes a type's name and
// package in the stream, and stored runs keep the bytes they had when
// these types lived there.

// StatsSnap is a client's, a row's or the total's counters.
type StatsSnap struct {
	Chains, Recovered, Exhausted, Abandoned int64
	Attempts, MaxAttempts                   int64
	Violations, Unsafe, Repeats             int64
	RepeatsBy, AbandonedBy                  map[int32]int64
	Recovery                                []byte
}

// RowSnap is a (status, endpoint) row's counters.
type RowSnap struct {
	Status   int32
	Endpoint string
	Stats    StatsSnap
}

// UnrecoveredSnap is an unrecovered chain kept for the list.
type UnrecoveredSnap struct {
	Info                  analysis.FailInfo
	First, Last, Attempts int64
	Outcome               string
	Status                int32
	Unsafe                bool
}

// Snap is the tracker's results in a stored run: what its records decided.
type Snap struct {
	Total            StatsSnap
	Clients          map[uint64]StatsSnap
	Rows             []RowSnap
	Unrecovered      []UnrecoveredSnap
	UnrecoveredCount int64
	StormWin         int64
	AttemptsByWin    map[int64]int64
	AttemptsByCell   []analysis.CellSnap
	Dropped          int64
	Untracked        int64
	NoFailsDropped   int64
}

// Snap returns t's part of a stored run. The chains still open are not in
// it: they are carried (Open).
func (t *Tracker) Snap() Snap {
	var r Snap
	r.Total = t.total.snap()
	r.Clients = map[uint64]StatsSnap{}
	for h, st := range t.clients {
		r.Clients[h] = st.snap()
	}
	for k, st := range t.rows {
		r.Rows = append(r.Rows, RowSnap{k.status, k.endpoint, st.snap()})
	}
	for _, u := range t.unrecovered {
		r.Unrecovered = append(r.Unrecovered, UnrecoveredSnap{*u.info, u.first, u.last, u.attempts, u.outcome, u.status, u.unsafe})
	}
	r.UnrecoveredCount, r.StormWin, r.AttemptsByWin, r.Dropped = t.unrecoveredCount, t.stormWin, t.attemptsByWin, t.dropped
	r.Untracked, r.NoFailsDropped = t.untracked, t.noFailsDropped
	r.AttemptsByCell = analysis.CellSnaps(t.attemptsByCell)
	return r
}

func (st *retryStats) snap() StatsSnap {
	ss := StatsSnap{st.chains, st.recovered, st.exhausted, st.abandoned, st.attempts, st.maxAttempts,
		st.violations, st.unsafe, st.repeats, st.repeatsBy, st.abandonedBy, nil}
	if st.recovery != nil {
		st.recovery.Encode(&ss.Recovery, false)
	}
	return ss
}

// MergeSnap adds a stored run's part (Snap) into t.
func (t *Tracker) MergeSnap(r *Snap) error {
	if err := t.total.mergeSnap(&r.Total); err != nil {
		return err
	}
	for h, ss := range r.Clients {
		if st := t.clientStats(h); st != nil {
			if err := st.mergeSnap(&ss); err != nil {
				return err
			}
		}
	}
	for _, row := range r.Rows {
		if st := t.rowStats(row.Status, row.Endpoint); st != nil {
			if err := st.mergeSnap(&row.Stats); err != nil {
				return err
			}
		}
	}
	for _, u := range r.Unrecovered {
		if len(t.unrecovered) >= unrecoveredLimit {
			break
		}
		info := u.Info
		t.unrecovered = append(t.unrecovered, unrecovered{info: &info, first: u.First, last: u.Last,
			attempts: u.Attempts, outcome: u.Outcome, status: u.Status, unsafe: u.Unsafe})
	}
	t.unrecoveredCount += r.UnrecoveredCount
	if r.StormWin == t.stormWin {
		for w, n := range r.AttemptsByWin {
			t.attemptsByWin[w] += n
		}
		for _, c := range r.AttemptsByCell {
			t.attemptsByCell[analysis.Cell{Client: c.Client, Win: c.Win}] += c.N
		}
	}
	t.dropped += r.Dropped
	t.untracked += r.Untracked
	t.noFailsDropped += r.NoFailsDropped
	return nil
}

func (st *retryStats) mergeSnap(ss *StatsSnap) error {
	st.chains += ss.Chains
	st.recovered += ss.Recovered
	st.exhausted += ss.Exhausted
	st.abandoned += ss.Abandoned
	st.attempts += ss.Attempts
	st.maxAttempts = max(st.maxAttempts, ss.MaxAttempts)
	st.violations += ss.Violations
	st.unsafe += ss.Unsafe
	st.repeats += ss.Repeats
	if st.repeatsBy != nil {
		for k, n := range ss.RepeatsBy {
			st.repeatsBy[k] += n
		}
		for k, n := range ss.AbandonedBy {
			st.abandonedBy[k] += n
		}
	}
	if st.recovery != nil && len(ss.Recovery) > 0 {
		if err := st.recovery.DecodeAndMergeWith(ss.Recovery); err != nil {
			return fmt.Errorf("a stored run's recovery times: %w", err)
		}
	}
	return nil
}

// ChainSnap is an open chain, carried to the next run (report.Carry).
type ChainSnap struct {
	ID, Client                      uint64
	Info                            analysis.FailInfo
	First, LastFail, Deadline, Last int64
	Attempts                        int64
	LastState                       int32
	Unsafe                          bool
}

// NoFailSnap is a recent "no" failure, carried to the next run.
type NoFailSnap struct {
	ID     uint64
	At     int64
	Status int32
}

// Open returns the chains and "no" failures t still waits on: those whose
// window has not passed by the last event read (Prune).
func (t *Tracker) Open() ([]ChainSnap, []NoFailSnap) {
	var chains []ChainSnap
	var noFails []NoFailSnap
	for _, c := range t.open {
		chains = append(chains, ChainSnap{ID: c.id, Client: c.client, Info: *c.info, First: c.first,
			LastFail: c.lastFail, Deadline: c.deadline, Last: c.last, Attempts: c.attempts, LastState: c.lastState, Unsafe: c.unsafe})
	}
	for id, nf := range t.noFails {
		noFails = append(noFails, NoFailSnap{id, nf.at, nf.status})
	}
	return chains, noFails
}

// Resume takes up the chains and "no" failures an earlier run left open
// (Open). Their counters are this run's: a chain's outcome counts where it
// is decided. Past the tracker's bounds they are counted as untracked.
func (t *Tracker) Resume(chains []ChainSnap, noFails []NoFailSnap) {
	for i := range chains {
		s := &chains[i]
		info := s.Info
		ch := chain{id: s.ID, client: s.Client, info: &info, first: s.First, lastFail: s.LastFail,
			deadline: s.Deadline, last: s.Last, attempts: s.Attempts, lastState: s.LastState, unsafe: s.Unsafe}
		if len(t.open) >= openChainLimit || t.open[ch.id] != nil {
			t.untracked++
			continue
		}
		ch.clientSt, ch.rowSt = t.client(ch.client), t.rowStats(int32(ch.info.Status), ch.info.Endpoint)
		t.open[ch.id] = &ch
		t.mark(ch.id)
	}
	for _, nf := range noFails {
		if len(t.noFails) >= noFailLimit {
			t.noFailsDropped++
			continue
		}
		t.noFails[nf.ID] = noFail{at: nf.At, status: nf.Status}
		t.mark(nf.ID)
	}
}
