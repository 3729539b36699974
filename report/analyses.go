package report

import (
	"analyze/report/analysis"
)

// The analyses every Summary runs, in the order they see each batch. The
// built-in ones are fields of the Summary too (its snapshot and report
// know their layout); one registered with Register is reached through the
// seam only (package analysis).

// Register adds an analysis to every Summary made after it: name is its
// key in the JSON report (under "analyses") and in stored runs; newFn
// makes one worker's instance. It is meant for init functions and tests;
// a name registered twice replaces the first.
func Register(name string, newFn func(Config) analysis.Analysis) {
	for i := range registered {
		if registered[i].name == name {
			registered[i].new = newFn
			return
		}
	}
	registered = append(registered, registration{name, newFn})
}

// Unregister removes what Register added under name (for tests).
func Unregister(name string) {
	for i := range registered {
		if registered[i].name == name {
			registered = append(registered[:i:i], registered[i+1:]...)
			return
		}
	}
}

type registration struct {
	name string
	new  func(Config) analysis.Analysis
}

var registered []registration

// extra is a registered analysis in a Summary.
type extra struct {
	registration
	analysis.Analysis
}

// sectionsOf builds the registered analyses' sections; nil when none has
// one.
func sectionsOf(s *Summary, ctx *analysis.Context) map[string]any {
	var out map[string]any
	for _, x := range s.extras {
		if sec, ok := x.Analysis.(analysis.Sectioned); ok {
			if out == nil {
				out = map[string]any{}
			}
			out[x.name] = sec.Section(ctx)
		}
	}
	return out
}
