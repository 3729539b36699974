package report

import (
	"analyze/report/analysis"
	"fmt"

	"analyze/report/quota"
	"analyze/report/retry"
)

// A carry is what the order-sensitive analyses still wait on when a run
// ends, handed by --state to the next run so that runs over consecutive
// parts of a log give the retry and after-429 figures of one run over it:
//
//   - the retry chains whose window has not passed by the run's last
//     record (older ones are closed at the run's end, as one run would
//     close them later: their outcome no longer depends on what follows);
//   - the "no" failures whose window has not passed (non-retryable repeats);
//   - the 429s whose client has not sent its next request yet.
//
// A chain's outcome (recovered, exhausted, abandoned, unsafe, its attempts
// in max_attempts, its recovery time, its place in the unrecovered list)
// counts in the run where it is decided; its opening failure and each
// attempt count in the run that read them. A run's snapshot so holds only
// what its own records decided, and the snapshots of consecutive runs add
// up to one run's figures; the report of a run (and of a period from the
// state, whose last run is this one) closes what is still open by the
// end-of-input rule, as one run over the same lines does.
//
// Bounds: the carried chains and "no" failures are those the tracker holds,
// at most the tracker's open-chain and "no"-failure limits and within one retry window of
// the run's last record; the 429s at most one per client, the after-429
// tracker's limit of clients, as in one run.
type Carry struct {
	chains  []retry.ChainSnap
	noFails []retry.NoFailSnap
	waits   []quota.WaitSnap
	parts   map[string][]byte // the registered analyses' (analysis.Carrier), by name
}

// carryVersion is the layout of the encoded carry; another is refused.
const carryVersion = 1

type carrySnap struct {
	Version int
	Chains  []chainSnap
	NoFails []noFailSnap
	Waits   []waitSnap
	// Parts are the registered analyses' own (analysis.Carrier), by name;
	// none in carries written before they were.
	Parts map[string][]byte
}

type chainSnap struct {
	ID, Client                      uint64
	Info                            analysis.FailInfo
	First, LastFail, Deadline, Last int64
	Attempts                        int64
	LastState                       int32
	Unsafe                          bool
}

type noFailSnap struct {
	ID     uint64
	At     int64
	Status int32
}

type waitSnap struct {
	Client       uint64
	At, Deadline int64
}

// Carry encodes what this run's analyses still wait on (see Carry), for
// the next run (Config.Carry, after DecodeCarry). Call it before Build,
// which closes the chains still open.
func (s *Summary) Carry() ([]byte, error) {
	cs := carrySnap{Version: carryVersion}
	if t := s.retries; t != nil {
		chains, noFails := t.Open()
		for _, c := range chains {
			cs.Chains = append(cs.Chains, chainSnap(c))
		}
		for _, nf := range noFails {
			cs.NoFails = append(cs.NoFails, noFailSnap(nf))
		}
	}
	if b := s.behaviour; b != nil {
		for _, w := range b.Waits() {
			cs.Waits = append(cs.Waits, waitSnap(w))
		}
	}
	for _, x := range s.extras {
		c, ok := x.Analysis.(analysis.Carrier)
		if !ok {
			continue
		}
		part, err := c.Carry()
		if err != nil {
			return nil, fmt.Errorf("cannot carry analysis %q: %w", x.name, err)
		}
		if cs.Parts == nil {
			cs.Parts = map[string][]byte{}
		}
		cs.Parts[x.name] = part
	}
	return cs.encode()
}

func (cs *carrySnap) encode() ([]byte, error) {
	b, err := encodeGob(cs)
	if err != nil {
		return nil, fmt.Errorf("cannot encode the open retry chains: %w", err)
	}
	return b, nil
}

// DecodeCarry decodes what Summary.Carry encoded; nothing (no earlier run,
// or one by an analyze that carried nothing) is an empty carry.
func DecodeCarry(b []byte) (*Carry, error) {
	c := &Carry{}
	if len(b) == 0 {
		return c, nil
	}
	var cs carrySnap
	if err := decodeGob(b, &cs); err != nil {
		return nil, fmt.Errorf("cannot decode the open retry chains: %w", err)
	}
	if cs.Version != carryVersion {
		return nil, fmt.Errorf("cannot decode the open retry chains: layout %d, this analyze reads %d", cs.Version, carryVersion)
	}
	for _, ch := range cs.Chains {
		c.chains = append(c.chains, retry.ChainSnap(ch))
	}
	for _, nf := range cs.NoFails {
		c.noFails = append(c.noFails, retry.NoFailSnap(nf))
	}
	for _, w := range cs.Waits {
		c.waits = append(c.waits, quota.WaitSnap(w))
	}
	c.parts = cs.Parts
	return c, nil
}

// Len returns how many chains, "no" failures and 429s c carries.
func (c *Carry) Len() int {
	if c == nil {
		return 0
	}
	return len(c.chains) + len(c.noFails) + len(c.waits) + len(c.parts)
}
