package report

import "analyze/report/timeline"

// The timeline and incidents sections (package timeline), by the names
// the writers and other packages use.
type (
	Timeline       = timeline.Report
	TimelineWindow = timeline.Window
	Incident       = timeline.Incident
	IncidentAgent  = timeline.IncidentAgent
	Gap            = timeline.Gap
)
