package write

import (
	"fmt"

	"analyze/report"
	"analyze/report/tables"
)

// The sub-listings under the endpoint and client tables: who and what
// behind them (report/tables/pairs.go). The JSON report lists tables.ListedPerKey of each;
// the human-readable reports the first shownPerKey, of the endpoints and
// clients with errors only.

const shownPerKey = 3

// errorPathsSection lists the raw paths behind the top templated
// endpoints' errors; ok is false when there is none to list.
func errorPathsSection(r *report.Report, esc func(string) string) (section, bool) {
	s := section{
		title:  "Error paths of the top endpoints",
		header: []string{"endpoint", "path", "errors", "4xx", "5xx"},
		align:  []bool{false, false, true, true, true},
	}
	for _, e := range r.Endpoints {
		for i, p := range e.TopErrorPaths {
			if i == shownPerKey {
				break
			}
			if p.Path == e.Endpoint {
				continue // not a template: the table above says it all
			}
			s.rows = append(s.rows, []string{esc(e.Endpoint), esc(p.Path), Thousands(p.Count), Thousands(p.ClientError), Thousands(p.ServerError)})
		}
	}
	s.notes = append(s.notes, fmt.Sprintf("The most frequent raw paths (without the query string) behind each templated endpoint's 4xx and 5xx responses, %d at most (JSON: endpoints[].top_error_paths, %d).", shownPerKey, tables.ListedPerKey))
	if n := r.Bounds.ErrorPathsFolded; n > 0 {
		s.notes = append(s.notes, fmt.Sprintf("Approximate: %s rarely seen paths were folded to stay within memory bounds.", Thousands(n)))
	}
	return s, len(s.rows) > 0
}

// userAgentsSection lists the user agents of the top clients that have
// errors, those with the most errors first; ok is false when none has.
func userAgentsSection(r *report.Report, esc func(string) string) (section, bool) {
	s := section{
		title:  "User agents of the failing clients",
		header: []string{"client", "user agent", "requests", "4xx", "5xx", "429"},
		align:  []bool{false, false, true, true, true, true},
	}
	for _, c := range r.Clients {
		if c.ClientError+c.ServerError == 0 {
			continue
		}
		for i, a := range c.UserAgents {
			if i == shownPerKey {
				break
			}
			s.rows = append(s.rows, []string{esc(c.Client), esc(a.UserAgent), Thousands(a.Count), Thousands(a.ClientError),
				Thousands(a.ServerError), Thousands(a.RateLimited)})
		}
	}
	s.notes = append(s.notes, fmt.Sprintf("Of each top client with errors, its user agents with the most errors, then requests, %d at most (JSON: clients[].user_agents, %d).", shownPerKey, tables.ListedPerKey))
	if n := r.Bounds.UserAgentsFolded; n > 0 {
		s.notes = append(s.notes, fmt.Sprintf("Approximate: %s rarely seen user agents were folded to stay within memory bounds.", Thousands(n)))
	}
	return s, len(s.rows) > 0
}
