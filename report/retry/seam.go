package retry

import "analyze/report/analysis"

// What the engine relies on: Tracker is an ordered analysis.
var _ analysis.Ordered = (*Tracker)(nil)

// Consume reads a batch of events in time order (analysis.Ordered).
func (t *Tracker) Consume(evs []analysis.Event) {
	for i := range evs {
		t.consume(&evs[i])
	}
}

// Prune closes the chains and forgets the "no" failures whose window has
// passed by now (Unix ns): what the last event read leaves open stays open.
func (t *Tracker) Prune(now int64) { t.prune(now) }

// Bounds are the counts of what t left out past its bounds.
type Bounds struct {
	// Untracked are the retryable failures past openChainLimit open
	// chains; NoFailsDropped the "no" failures past noFailLimit;
	// ClientsDropped the chains of clients past retryClientLimit.
	Untracked, NoFailsDropped, ClientsDropped int64
	// OpenChains and Clients are how many open chains and clients t holds.
	OpenChains, Clients int
}

// Bounds returns what t left out past its bounds, and what it holds.
func (t *Tracker) Bounds() Bounds {
	return Bounds{Untracked: t.untracked, NoFailsDropped: t.noFailsDropped, ClientsDropped: t.dropped,
		OpenChains: len(t.open), Clients: len(t.clients)}
}

// Kept returns how many unrecovered chains r keeps (at most
// unrecoveredLimit): the rows UnrecoveredAll gives.
func (r *Report) Kept() int { return len(r.unrecovered) }

// The tracker's bounds, for the tests and the docs that pin them.
const (
	OpenChainLimit = openChainLimit   // open chains
	ClientLimit    = retryClientLimit // clients with counters
)
