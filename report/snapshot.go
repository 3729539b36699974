package report

import (
	"analyze/report/analysis"
	"analyze/report/tables"
	"fmt"
	"math"
	"time"

	"analyze/classify"
	"analyze/ingest"
	"analyze/report/quota"
	"analyze/report/timeline"
)

// A snapshot is a Summary in a form that outlives its run, for --state:
// the mergeable aggregates (counts, tables, sketches, quota windows and
// cells) and the results of the order-sensitive analyses (the behaviour
// after 429s, the retry counters, the unrecovered list). Restored and
// merged, snapshots of several runs report as one run over all their
// input would. A retry chain or a 429 still open when a run ends is not in
// its snapshot: it is carried to the next run (Summary.Carry), whose
// snapshot counts its outcome. Take the snapshot before Build, which
// closes the chains still open.
//
// Encoding: gob, compressed with zstd. Client hashes are stable across
// runs (xxhash), so per-client figures of different runs meet. The quota's
// cells and windows, most of a snapshot, go column by column (cellCols,
// windowCols): gob writes a slice of integers in one loop but a slice of
// structs field by field, and the columns' deltas are small numbers.

// snapshotVersion is the layout of the encoded snapshot. Layout 1 stored
// the quota's cells and windows as slices of structs (Cells, QuotaWindows);
// layout 2 as columns (CellCols, WindowCols). A snapshot of layout 1 or 2
// is read; one of a later layout is refused.
const snapshotVersion = 2

type snapshot struct {
	Version                         int
	Window                          int64 // the quota window, ns
	First, Last                     int64 // Unix ns; 0 when no record
	Lines, Records, Rejected, Blank int64
	Unrecognized                    int64 // 0 in runs stored before it was counted apart: their no_format lines are in Rejected
	Classes                         [classify.NumClasses]int64
	Latency                         []byte
	Statuses                        map[int32]int64
	Methods, Endpoints, Clients     tables.Snap
	Hosts                           tables.Snap // since 2026-11-25: empty in earlier runs
	// The pair tables behind the error paths and user agents, and the
	// tables' Counts.Bytes and Sized: empty and 0 in runs stored before
	// they were counted, whose bytes then show as not logged.
	ErrorPaths, UserAgents tables.Snap
	Reasons                map[string]int64
	Examples               map[string][]Example
	LateEvents             int64

	QuotaWindows []windowSnap // layout 1
	WindowCols   windowCols   // layout 2
	Cells        []cellSnap   // layout 1
	CellCols     cellCols     // layout 2
	Cells429     []cellSnap
	CellsDropped int64
	Headers      map[uint64]headerSnap

	Behaviour        map[uint64]behaviourSnap
	BehaviourDropped int64

	Retry retrySnap

	TimelineWidth   int64
	TimelineWindows []timeline.WindowSnap
	FailEndpoints   []timeline.FailEndpointSnap
	FailClients     []timeline.FailClientSnap
	FailHosts       []timeline.FailEndpointSnap // since 2026-11-25: none in earlier runs
	FailDropped     int64

	// The incidents' minutes (timeline/incident_snapshot.go); DetectWidth 0
	// in runs stored before them, whose FailEndpoints, FailClients and
	// FailHosts (cells of the timeline's windows) stand in.
	Detect timeline.DetectSnap

	// Parts are the registered analyses' own parts (analysis.Stored), by
	// name; runs stored before an analysis was registered hold none of it.
	Parts map[string][]byte
}

type windowSnap struct{ Win, Requests, RateLimited int64 }

type cellSnap struct {
	Client uint64
	Win    int64
	N      int64
}

// cellCols holds cells column by column, each client and window as the
// difference from the cell before (wrapping, so any order decodes): cells
// sorted by client and window make small numbers.
type cellCols struct {
	ClientDelta []uint64
	WinDelta    []int64
	N           []int64
}

// windowCols holds the quota's windows column by column, each window as
// the difference from the one before.
type windowCols struct {
	WinDelta, Requests, RateLimited []int64
}

type headerSnap struct{ Limit, MinRemaining int64 }

type behaviourSnap struct{ After, Violations, GapSum int64 }

type statsSnap struct {
	Chains, Recovered, Exhausted, Abandoned int64
	Attempts, MaxAttempts                   int64
	Violations, Unsafe, Repeats             int64
	RepeatsBy, AbandonedBy                  map[int32]int64
	Recovery                                []byte
}

type rowSnap struct {
	Status   int32
	Endpoint string
	Stats    statsSnap
}

type unrecoveredSnap struct {
	Info                  analysis.FailInfo
	First, Last, Attempts int64
	Outcome               string
	Status                int32
	Unsafe                bool
}

type retrySnap struct {
	Total            statsSnap
	Clients          map[uint64]statsSnap
	Rows             []rowSnap
	Unrecovered      []unrecoveredSnap
	UnrecoveredCount int64
	StormWin         int64
	AttemptsByWin    map[int64]int64
	AttemptsByCell   []cellSnap
	Dropped          int64
	Untracked        int64
	NoFailsDropped   int64
}

// Stored is the accounting of the earlier runs a report includes (JSON key
// "stored", with --state and --since or --until).
type Stored struct {
	Runs         int64 `json:"runs"`
	Lines        int64 `json:"lines"`
	Records      int64 `json:"records"`
	Rejected     int64 `json:"rejected"`
	Unrecognized int64 `json:"unrecognized"`
	Blank        int64 `json:"blank"`
}

// Snapshot encodes the summary of a run over files (which Aggregate read
// without a time filter) for a later run to merge.
func (s *Summary) Snapshot(files []*ingest.File) ([]byte, error) {
	s.flush()
	qs := s.quota.Snap()
	sn := snapshot{Version: snapshotVersion, Window: qs.Window, Classes: s.Classes, LateEvents: s.lateEvents,
		Statuses: map[int32]int64{}, Reasons: map[string]int64{}, Examples: map[string][]Example{},
		CellsDropped: qs.CellsDropped, Headers: map[uint64]headerSnap{}, Behaviour: map[uint64]behaviourSnap{}}
	if s.first <= s.last {
		sn.First, sn.Last = s.first, s.last
	}
	for i, f := range files {
		sn.Lines += f.Lines
		if i < len(s.Files) {
			sn.Records += s.Files[i].Records
			sn.Rejected += s.Files[i].Rejected
			sn.Unrecognized += s.Files[i].Unrecognized
			sn.Blank += s.Files[i].Blank
		}
	}
	if s.Latency != nil {
		s.Latency.Encode(&sn.Latency, false)
	}
	for st, n := range s.Statuses {
		if n > 0 {
			sn.Statuses[int32(st)] = n
		}
	}
	sn.Methods, sn.Endpoints, sn.Clients, sn.Hosts = s.Methods.Snap(), s.Endpoints.Snap(), s.Clients.Snap(), s.Hosts.Snap()
	sn.ErrorPaths, sn.UserAgents = s.ErrorPaths.Snap(), s.Agents.Snap()
	for r, n := range s.Rejected {
		if n > 0 {
			name := ingest.Reason(r).String()
			sn.Reasons[name] = n
			sn.Examples[name] = s.Examples[r]
		}
	}
	sn.WindowCols, sn.CellCols = windowCols(qs.WindowCols), cellCols(qs.CellCols)
	sn.Cells429 = cellSnaps(qs.Cells429)
	for h, hd := range qs.Headers {
		sn.Headers[h] = headerSnap(hd)
	}
	if b := s.behaviour; b != nil {
		by, dropped := b.Snap()
		for h, st := range by {
			sn.Behaviour[h] = behaviourSnap(st)
		}
		sn.BehaviourDropped = dropped
	}
	if t := s.retries; t != nil {
		sn.Retry = retrySnapOf(t.Snap())
	}
	sn.TimelineWidth, sn.TimelineWindows = s.tl.Snap()
	sn.FailDropped, _ = s.det.Bounds()
	sn.Detect = s.det.Snap()
	for _, x := range s.extras {
		st, ok := x.Analysis.(analysis.Stored)
		if !ok {
			continue // its figures are of this run only
		}
		part, err := st.Encode()
		if err != nil {
			return nil, fmt.Errorf("cannot store analysis %q: %w", x.name, err)
		}
		if sn.Parts == nil {
			sn.Parts = map[string][]byte{}
		}
		sn.Parts[x.name] = part
	}
	return sn.encode()
}

func (sn *snapshot) encode() ([]byte, error) {
	b, err := encodeGob(sn)
	if err != nil {
		return nil, fmt.Errorf("encoding the run's aggregates: %w", err)
	}
	return b, nil
}

// decodeSnapshot decodes what encode wrote, of any layout this analyze reads.
func decodeSnapshot(b []byte) (*snapshot, error) {
	var sn snapshot
	if err := decodeGob(b, &sn); err != nil {
		return nil, fmt.Errorf("a stored run does not decode: %w", err)
	}
	if sn.Version < 1 || sn.Version > snapshotVersion {
		return nil, fmt.Errorf("a stored run has layout %d, this analyze reads 1 to %d", sn.Version, snapshotVersion)
	}
	return &sn, nil
}

// cellSnaps and cellSnapsOf convert cells between the stored layout and
// the analyses' (analysis.CellSnap), field for field.
func cellSnaps(cells []analysis.CellSnap) []cellSnap {
	out := make([]cellSnap, 0, len(cells))
	for _, c := range cells {
		out = append(out, cellSnap(c))
	}
	return out
}

func cellSnapsOf(cells []cellSnap) []analysis.CellSnap {
	out := make([]analysis.CellSnap, 0, len(cells))
	for _, c := range cells {
		out = append(out, analysis.CellSnap(c))
	}
	return out
}

// MergeSnapshot adds a stored run, encoded by Snapshot, into s, a summary
// made by Aggregate with the same quota window.
func (s *Summary) MergeSnapshot(b []byte) error {
	sn, err := decodeSnapshot(b)
	if err != nil {
		return err
	}
	if sn.Window != s.quota.Win() {
		return fmt.Errorf("a stored run counted %v quota windows, this run %v (give --window %v)",
			time.Duration(sn.Window), time.Duration(s.quota.Win()), time.Duration(sn.Window))
	}

	o := &Summary{client: s.client, quota: quota.Restore(sn.quotaSnap()),
		Classes: sn.Classes, lateEvents: sn.LateEvents, first: math.MaxInt64, last: math.MinInt64}
	o.Tables = tables.New()
	for _, tb := range []struct {
		into *tables.Table
		snap *tables.Snap
	}{{o.Methods, &sn.Methods}, {o.Endpoints, &sn.Endpoints}, {o.Clients, &sn.Clients}, {o.Hosts, &sn.Hosts},
		{o.ErrorPaths, &sn.ErrorPaths}, {o.Agents, &sn.UserAgents}} {
		if err := tb.snap.Fill(tb.into); err != nil {
			return err
		}
	}
	if sn.First != 0 || sn.Last != 0 {
		o.first, o.last = sn.First, sn.Last
	}
	if len(sn.Latency) > 0 {
		o.Latency = analysis.NewSketch()
		if err := o.Latency.DecodeAndMergeWith(sn.Latency); err != nil {
			return fmt.Errorf("a stored run's latency: %w", err)
		}
	}
	for st, n := range sn.Statuses {
		if st >= 0 && int(st) < len(o.Statuses) {
			o.Statuses[st] = n
		}
	}
	for r := range ingest.NumReasons {
		name := ingest.Reason(r).String()
		o.Rejected[r] = sn.Reasons[name]
		for _, e := range sn.Examples[name] {
			e.index = -1 // earlier runs' examples sort before this run's
			o.Examples[r] = append(o.Examples[r], e)
		}
	}
	tl, err := timeline.RestoreAgg(sn.TimelineWidth, sn.TimelineWindows)
	if err != nil {
		return err
	}
	o.tl = tl
	o.det = timeline.NewMinuteAgg()
	if sn.Detect.DetectWidth > 0 {
		o.det.Restore(&sn.Detect, sn.FailDropped)
	} else {
		o.det.RestoreLegacy(&timeline.Legacy{TimelineWidth: sn.TimelineWidth, TimelineWindows: sn.TimelineWindows,
			FailEndpoints: sn.FailEndpoints, FailClients: sn.FailClients, FailHosts: sn.FailHosts, FailDropped: sn.FailDropped})
	}
	o.analyses = []analysis.Analysis{o.Tables, o.quota, o.tl, o.det}
	for _, x := range s.extras {
		// An analysis registered after the run was stored merges nothing.
		a := x.new(s.cfg)
		if part, ok := sn.Parts[x.name]; ok {
			st, ok := a.(analysis.Stored)
			if !ok {
				return fmt.Errorf("a stored run holds analysis %q, which cannot read it", x.name)
			}
			if err := st.Restore(part); err != nil {
				return fmt.Errorf("cannot read stored analysis %q: %w", x.name, err)
			}
		}
		o.analyses = append(o.analyses, a)
	}
	s.Merge(o)
	s.lateEvents += o.lateEvents
	s.Stored.Runs++
	s.Stored.Lines += sn.Lines
	s.Stored.Records += sn.Records
	rejected, unrecognized := sn.Rejected, sn.Unrecognized
	if n := sn.Reasons[ingest.NoFormat.String()]; unrecognized == 0 && n > 0 {
		// A run stored before unrecognized lines were counted apart: its
		// no_format lines are among its rejected ones.
		rejected, unrecognized = rejected-n, n
	}
	s.Stored.Rejected += rejected
	s.Stored.Unrecognized += unrecognized
	s.Stored.Blank += sn.Blank

	if b := s.behaviour; b != nil {
		by := make(map[uint64]quota.BehaviourSnap, len(sn.Behaviour))
		for h, st := range sn.Behaviour {
			by[h] = quota.BehaviourSnap(st)
		}
		b.MergeSnap(by, sn.BehaviourDropped)
	}
	if t := s.retries; t != nil {
		r := sn.Retry.of()
		if err := t.MergeSnap(&r); err != nil {
			return err
		}
	}
	return nil
}
