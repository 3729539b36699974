package watch

import (
	"cmp"
	"context"
	"slices"
	"time"

	"analyze/report"
)

// listed is how many endpoints, clients and Retry-After offenders a
// window lists.
const listed = 10

// Frame returns the view at wall-clock time now: the minutes the clock has
// left behind are closed first. The caller fills Files and Paused.
func (e *Engine) Frame(ctx context.Context, now time.Time) (Frame, error) {
	if err := e.Tick(ctx, now); err != nil {
		return Frame{}, err
	}
	if e.match != nil {
		if err := e.filtered(ctx); err != nil {
			return Frame{}, err
		}
	}
	if err := e.refreshOpen(ctx); err != nil {
		return Frame{}, err
	}
	clock := e.clock(now)
	cur := floorMinute(clock)
	fr := Frame{Time: stamp(clock), HorizonSeconds: e.Horizon().Seconds(), Filter: e.filter, Input: e.in,
		Files: []FileState{}, Incidents: []Incident{}}
	in := &fr.Input
	in.Reconciled = in.Lines == in.Records+in.Rejected+in.Unrecognized+in.Blank
	spans := append(slices.Clone(windowMinutes), e.horizon)
	for i, k := range spans {
		name := "baseline"
		if i < len(windowMinutes) {
			name = time.Duration(k * int64(time.Minute)).String()
			name = name[:len(name)-2] // 1m0s -> 1m
		}
		if i == len(windowMinutes) && k == windowMinutes[i-1] {
			// The horizon is the last window's: the same figures.
			w := fr.Windows[i-1]
			w.Name = name
			fr.Windows = append(fr.Windows, w)
			continue
		}
		first := e.firstMinute(clock, k)
		rep, err := e.window(ctx, first)
		if err != nil {
			return Frame{}, err
		}
		fr.Windows = append(fr.Windows, windowOf(name, rep, first*int64(time.Minute), clock))
		if k == e.horizon {
			for _, inc := range rep.Incidents {
				fr.Incidents = append(fr.Incidents, Incident{Incident: inc, Over: inc.Recovered})
			}
		}
	}
	fr.Sparklines = e.sparklines(cur, now)
	return fr, nil
}

// window builds the report of the minutes from first on: their runs
// merged, as report --state merges its stored runs.
func (e *Engine) window(ctx context.Context, first int64) (*report.Report, error) {
	sum, _, err := e.run(ctx, nil, nil, e.match)
	if err != nil {
		return nil, err
	}
	for _, st := range e.done {
		if st.minute < first {
			continue
		}
		snap := st.snap
		if e.match != nil {
			snap = st.fsnap
		}
		if err := sum.MergeSnapshot(snap); err != nil {
			return nil, err
		}
	}
	for _, b := range e.open {
		if b.minute < first {
			continue
		}
		if err := sum.MergeSnapshot(b.snap); err != nil {
			return nil, err
		}
	}
	return report.Build(sum, nil, report.Filter{}, e.cfg.Options), nil
}

// windowOf takes from a window's report what the view shows.
func windowOf(name string, rep *report.Report, start, clock int64) Window {
	c := rep.Classes
	w := Window{Name: name, Start: stamp(start), End: stamp(clock), Seconds: float64(clock-start) / 1e9,
		Requests: c.Success + c.Redirect + c.ClientError + c.ServerError + c.Other, Classes: c, Latency: rep.Latency,
		IgnoringRetryAfter: []report.QuotaClient{}}
	if w.Seconds > 0 {
		w.RatePerSecond = float64(w.Requests) / w.Seconds
	}
	for _, s := range rep.Statuses {
		if s.Status == 429 {
			w.RateLimited = s.Count
		}
	}
	w.Endpoints = worst(rep.Endpoints, func(r report.EndpointRow) int64 { return r.ClientError + r.ServerError })
	w.Clients = worst(rep.Clients, func(r report.ClientRow) int64 { return r.ClientError + r.ServerError })
	if rep.Quota != nil {
		w.IgnoringRetryAfter = worst(rep.Quota.Clients, func(r report.QuotaClient) int64 { return r.RetryAfterViolations })
	}
	return w
}

// worst returns the rows whose by is above 0, the largest first (stable),
// at most listed: never nil.
func worst[T any](rows []T, by func(T) int64) []T {
	out := []T{}
	for _, r := range rows {
		if by(r) > 0 {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b T) int { return cmp.Compare(by(b), by(a)) })
	return out[:min(len(out), listed)]
}

// sparklines counts each minute of the horizon by class, from their runs.
func (e *Engine) sparklines(cur int64, now time.Time) Sparklines {
	first := e.firstMinute(e.clock(now), e.horizon)
	n := int(cur - first + 1)
	sp := Sparklines{Start: stamp(first * int64(time.Minute)), Success: make([]int64, n), ClientError: make([]int64, n),
		ServerError: make([]int64, n), RateLimited: make([]int64, n)}
	put := func(m int64, c minuteCounts) {
		if i := int(m - first); i >= 0 && i < n {
			sp.Success[i] += c.success
			sp.ClientError[i] += c.clientError
			sp.ServerError[i] += c.serverError
			sp.RateLimited[i] += c.rateLimited
		}
	}
	for _, st := range e.done {
		if e.match != nil {
			put(st.minute, st.fcounts)
		} else {
			put(st.minute, st.counts)
		}
	}
	for _, b := range e.open {
		put(b.minute, b.counts)
	}
	return sp
}

func stamp(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339) }
