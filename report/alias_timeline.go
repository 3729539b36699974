package report

import "analyze/report/timeline"

// The timeline and incidents sections (package timeline), by the names
// the writers and other packages use.
type (
	Timeline       = timeline.Timeline
	TimelineWindow = timeline.TimelineWindow
	Incident       = timeline.Incident
	IncidentAgent  = timeline.IncidentAgent
	Gap            = timeline.Gap
)
