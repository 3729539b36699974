package report

import (
	"fmt"
	"strconv"
	"strings"

	"analyze/classify"
	"analyze/ingest"
	"analyze/report/analysis"
)

// Match selects records by what they are, for drill-down: --client,
// --endpoint, --status, --method, --class, --host. Each given criterion must hold;
// within one, any of its values may (--status 429,503). The zero Match
// keeps everything.
type Match struct {
	Clients   []string // glob patterns on the client key
	Endpoints []string // glob patterns on the templated endpoint or the path
	Methods   []string // upper case
	Hosts     []string // glob patterns on the host, lower case
	statuses  *[1000]bool
	classes   *[classify.NumClasses]bool
	// keys are the labels of the exact --client values, so an API key
	// given as logged finds the client keyed by it (ingest.KeyLabel).
	keys []string

	status, class string // as given, for the report
}

// IsZero reports whether m keeps every record.
func (m *Match) IsZero() bool {
	return m == nil || len(m.Clients) == 0 && len(m.Endpoints) == 0 && len(m.Methods) == 0 && len(m.Hosts) == 0 &&
		m.statuses == nil && m.classes == nil
}

// ParseMatch reads the drill-down flags; empty values select nothing.
// clients, endpoints, methods and hosts are comma-separated lists too.
func ParseMatch(clients, endpoints, statuses, methods, classes, hosts string) (Match, error) {
	var m Match
	for _, h := range splitList(hosts) {
		m.Hosts = append(m.Hosts, strings.ToLower(h))
	}
	m.Clients = splitList(clients)
	for _, c := range m.Clients {
		if !strings.ContainsAny(c, "*?[") {
			m.keys = append(m.keys, ingest.KeyLabel([]byte(c)))
		}
	}
	m.Endpoints = splitList(endpoints)
	for _, e := range m.Endpoints {
		if !strings.HasPrefix(e, "/") && !strings.HasPrefix(e, "*") && e != "-" {
			return m, fmt.Errorf("--endpoint %q: want a path or a pattern starting with / (/api/products/{id}, /api/exports/*)", e)
		}
	}
	for _, v := range splitList(methods) {
		m.Methods = append(m.Methods, strings.ToUpper(v))
	}
	if statuses != "" {
		m.statuses = &[1000]bool{}
		m.status = statuses
		for _, v := range splitList(statuses) {
			if len(v) == 3 && v[0] >= '1' && v[0] <= '5' && strings.ToLower(v[1:]) == "xx" {
				base := int(v[0]-'0') * 100
				for s := base; s < base+100; s++ {
					m.statuses[s] = true
				}
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 999 {
				return m, fmt.Errorf("--status %q: want status codes or classes, comma-separated: 503, 5xx, 429,503", statuses)
			}
			m.statuses[n] = true
		}
	}
	if classes != "" {
		m.classes = &[classify.NumClasses]bool{}
		m.class = classes
		for _, v := range splitList(classes) {
			c, ok := classByName(v)
			if !ok {
				return m, fmt.Errorf("--class %q: want success, redirect, client_error, server_error or other, comma-separated", v)
			}
			m.classes[c] = true
		}
	}
	return m, nil
}

func classByName(name string) (classify.Class, bool) {
	for c := range classify.Class(classify.NumClasses) {
		if c.String() == name {
			return c, true
		}
	}
	return 0, false
}

func splitList(s string) []string {
	var out []string
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// keep reports whether a record with these properties matches.
func (m *Match) keep(client, endpoint, path, method, host []byte, status int, class classify.Class) bool {
	if m.statuses != nil && (status < 0 || status >= len(m.statuses) || !m.statuses[status]) {
		return false
	}
	if m.classes != nil && !m.classes[class] {
		return false
	}
	if len(m.Methods) > 0 && !anyEqual(m.Methods, method) {
		return false
	}
	if len(m.Clients) > 0 && !anyGlob(m.Clients, client) && !anyEqual(m.keys, client) {
		return false
	}
	if len(m.Endpoints) > 0 && !anyGlob(m.Endpoints, endpoint) && !anyGlob(m.Endpoints, path) {
		return false
	}
	if len(m.Hosts) > 0 && !m.keepHost(host) {
		return false
	}
	return true
}

// keepHost reports whether a host matches a --host pattern: compared in
// lower case (host names are), and also without its port when the pattern
// names none, so acme.quable.com finds acme.quable.com:443 (an Apache %v,
// a Host header). A record that logs no host is "-".
func (m *Match) keepHost(host []byte) bool {
	if len(host) == 0 {
		host = dash
	}
	var buf [256]byte
	lower := buf[:0]
	if len(host) > len(buf) {
		lower = make([]byte, 0, len(host))
	}
	for _, c := range host {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower = append(lower, c)
	}
	bare := analysis.WithoutPort(lower)
	for _, p := range m.Hosts {
		if Glob(p, lower) || len(bare) < len(lower) && !strings.Contains(p, ":") && Glob(p, bare) {
			return true
		}
	}
	return false
}

func anyEqual(list []string, b []byte) bool {
	for _, v := range list {
		if v == string(b) {
			return true
		}
	}
	return false
}

func anyGlob(patterns []string, b []byte) bool {
	for _, p := range patterns {
		if Glob(p, b) {
			return true
		}
	}
	return false
}

// Glob reports whether s matches pattern, where '*' stands for any run of
// bytes ('/' included) and '?' for one byte; every other byte stands for
// itself. It runs in O(len(pattern)·len(s)) at worst and allocates nothing.
func Glob(pattern string, s []byte) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// describe returns the criteria as the report states them.
func (m *Match) describe() MatchInfo {
	if m == nil {
		return MatchInfo{}
	}
	return MatchInfo{Client: strings.Join(m.Clients, ","), Endpoint: strings.Join(m.Endpoints, ","),
		Status: m.status, Method: strings.Join(m.Methods, ","), Class: m.class, Host: strings.Join(m.Hosts, ",")}
}

// MatchInfo states the drill-down filters in force (JSON keys
// filter.client, filter.endpoint, filter.status, filter.method,
// filter.class, filter.host; omitted when not given).
type MatchInfo struct {
	Client   string `json:"client,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	Status   string `json:"status,omitempty"`
	Method   string `json:"method,omitempty"`
	Class    string `json:"class,omitempty"`
	Host     string `json:"host,omitempty"`
}
