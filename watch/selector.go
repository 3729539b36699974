package watch

import (
	"fmt"
	"strings"

	"analyze/report"
)

// ParseSelector reads a filter typed in the view (or given with the
// drill-down flags): space-separated words NAME=VALUE, the names those of
// the drill-down flags (client, endpoint, status, method, class, host), a
// value a comma-separated list as the flag takes it; a name given twice
// adds to its list. "" selects everything (nil).
func ParseSelector(sel string) (*report.Match, error) {
	vals := map[string][]string{}
	for _, w := range strings.Fields(sel) {
		name, value, ok := strings.Cut(w, "=")
		if !ok || value == "" {
			return nil, fmt.Errorf("cannot read the filter %q: want NAME=VALUE words (client=acme endpoint=/api/products/* status=503 host=api.example.com)", w)
		}
		switch name {
		case "client", "endpoint", "status", "method", "class", "host":
			vals[name] = append(vals[name], value)
		default:
			return nil, fmt.Errorf("cannot read the filter %q: %q is none of client, endpoint, status, method, class, host", w, name)
		}
	}
	if len(vals) == 0 {
		return nil, nil
	}
	join := func(name string) string { return strings.Join(vals[name], ",") }
	m, err := report.ParseMatch(join("client"), join("endpoint"), join("status"), join("method"), join("class"), join("host"))
	if err != nil {
		return nil, fmt.Errorf("cannot read the filter: %w", err)
	}
	return &m, nil
}
