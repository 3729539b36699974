package timeline

import (
	"fmt"
	"time"

	"analyze/classify"
	"analyze/report/analysis"
)

// The timeline's windows in a stored run (report/snapshot.go), and the failure
// cells of the timeline's windows that runs stored before the incidents'
// minutes hold (Legacy). The types are the stored run's: their fields are
// its layout (gob), not to be renamed.

// WindowSnap is a window of the timeline.
type WindowSnap struct {
	Win      int64
	Classes  [classify.NumClasses]int64
	Statuses map[int32]int64
	Latency  []byte
}

// FailEndpointSnap is a cell of a window's failures by endpoint (or host).
type FailEndpointSnap struct {
	Win      int64
	Status   int32
	Endpoint string
	N        int64
}

// FailClientSnap is a cell of a window's failures by client.
type FailClientSnap struct {
	Win    int64
	Status int32
	Client uint64
	N      int64
}

// Snap returns a's part of a stored run: its width (ns) and windows.
func (a *Agg) Snap() (width int64, windows []WindowSnap) {
	for w, tw := range a.windows {
		ws := WindowSnap{Win: w, Classes: tw.classes, Statuses: tw.statuses.asMap()}
		if tw.latency != nil {
			tw.latency.Encode(&ws.Latency, false)
		}
		windows = append(windows, ws)
	}
	return a.width, windows
}

// RestoreAgg returns the timeline aggregate a run stored as width (ns) and
// windows (Snap).
func RestoreAgg(width int64, windows []WindowSnap) (*Agg, error) {
	a := NewAgg(time.Duration(width))
	for _, ws := range windows {
		tw := &tlWindow{classes: ws.Classes}
		for st, n := range ws.Statuses {
			tw.statuses.add(st, n)
		}
		if len(ws.Latency) > 0 {
			tw.latency = analysis.NewSketch()
			if err := tw.latency.DecodeAndMergeWith(ws.Latency); err != nil {
				return nil, fmt.Errorf("a stored run's timeline latency: %w", err)
			}
		}
		a.windows[ws.Win] = tw
	}
	return a, nil
}
