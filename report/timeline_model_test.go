package report

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"analyze/ingest"
	"analyze/report/analysis"
)

// modelWindow is one timeline window of the model: requests by class (of
// status) and 429s.
type modelWindow struct {
	requests, serverErrors, rateLimited int64
	classes                             [5]int64
}

// timelineModel computes the timeline's width and windows, and the
// incidents, from their definitions (README, "Timeline and incidents"):
// times are Unix nanoseconds and statuses of the records. The incidents
// are found on minutes, whatever the timeline's width.
func timelineModel(times []int64, statuses []int, clients, endpoints, paths []string) (width int64, first int64, ws []modelWindow, incidents []string) {
	lo, hi := slices.Min(times), slices.Max(times)
	// Auto-sized: the narrowest width of the ladder from 10 s whose
	// windows, aligned to the epoch, show the span in at most 120.
	for _, w := range []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour} {
		width = int64(w)
		if hi/width-lo/width+1 <= 120 {
			break
		}
	}
	first = lo / width
	ws = make([]modelWindow, hi/width-first+1)
	for i, t := range times {
		w := &ws[t/width-first]
		st := statuses[i]
		w.requests++
		class := 4 // other
		if st >= 200 && st < 600 {
			class = st/100 - 2 // 2xx success, 3xx redirect, 4xx client error, 5xx server error
		}
		w.classes[class]++
		if st/100 == 5 {
			w.serverErrors++
		}
		if st == 429 {
			w.rateLimited++
		}
	}
	// The incidents' minutes, from the first record's to the last's.
	const minute = int64(time.Minute)
	mfirst := lo / minute
	ms := make([]modelWindow, hi/minute-mfirst+1)
	for i, t := range times {
		w := &ms[t/minute-mfirst]
		w.requests++
		if statuses[i]/100 == 5 {
			w.serverErrors++
		}
		if statuses[i] == 429 {
			w.rateLimited++
		}
	}
	for _, kind := range []string{"server_error", "rate_limited"} {
		ws := ms // the incidents' windows: minutes
		width, first := minute, mfirst
		fails := func(w modelWindow) int64 {
			if kind == "server_error" {
				return w.serverErrors
			}
			return w.rateLimited
		}
		rate := func(w modelWindow) float64 { return float64(fails(w)) / float64(w.requests) }
		// Windows with traffic: 10 requests or more.
		var all []float64
		for _, w := range ws {
			if w.requests >= 10 {
				all = append(all, rate(w))
			}
		}
		flagged := make([]bool, len(ws))
		baseline := make([]float64, len(ws))
		var history []float64 // earlier unflagged windows with traffic
		for i, w := range ws {
			from := all
			if len(history) >= 5 {
				from = history[max(0, len(history)-30):]
			}
			med := modelMedian(from)
			var dev []float64
			for _, x := range from {
				dev = append(dev, math.Abs(x-med))
			}
			spread := 0.01
			if len(dev) > 0 {
				spread = max(1.4826*modelMedian(dev), 0.01)
			}
			baseline[i] = med
			if w.requests < 10 {
				continue
			}
			if fails(w) >= 5 && rate(w) >= 0.05 && rate(w) >= med+3.5*spread {
				flagged[i] = true
			} else {
				history = append(history, rate(w))
			}
		}
		// Flagged windows with at most one unflagged window between them
		// are one incident.
		var run []int
		flush := func() {
			if len(run) == 0 {
				return
			}
			s, e := run[0], run[len(run)-1]
			var failures, requests, peak int64
			peakAt := -1
			for k := s; k <= e; k++ {
				failures += fails(ws[k])
				requests += ws[k].requests
				if fails(ws[k]) > peak {
					peak, peakAt = fails(ws[k]), k
				}
			}
			// Over: a minute with traffic follows the last flagged one.
			recovered := false
			for k := e + 1; k < len(ws); k++ {
				recovered = recovered || ws[k].requests >= 10
			}
			// The dominant status (ties: the lowest), the endpoints and
			// clients with most failures (at most 5, ties by name), the raw
			// paths (at most 10, with their counts).
			byStatus, byEndpoint, byClient, byPath := map[int]int64{}, map[string]int64{}, map[string]int64{}, map[string]int64{}
			for i, t := range times {
				if k := int(t/width - first); k >= s && k <= e && (kind == "rate_limited" && statuses[i] == 429 || kind == "server_error" && statuses[i]/100 == 5) {
					byStatus[statuses[i]]++
					byEndpoint[endpoints[i]]++
					byClient[clients[i]]++
					byPath[paths[i]]++
				}
			}
			var topPaths []string
			for _, p := range topKeys(byPath, 10) {
				topPaths = append(topPaths, fmt.Sprintf("%s=%d", p, byPath[p]))
			}
			codes := slices.Sorted(maps.Keys(byStatus))
			slices.SortStableFunc(codes, func(a, b int) int { return cmp.Compare(byStatus[b], byStatus[a]) })
			at := func(k int) string { return time.Unix(0, (first+int64(k))*width).UTC().Format(time.RFC3339) }
			incidents = append(incidents, fmt.Sprintf("%s %s..%s peak %d at %s rate %.4f baseline %.4f failures %d requests %d recovered %v status %d endpoints %v clients %v paths %v",
				kind, at(s), at(e+1), peak, at(peakAt), analysis.Round(float64(peak)/float64(ws[peakAt].requests), 4), analysis.Round(baseline[s], 4),
				failures, requests, recovered, codes[0], topKeys(byEndpoint, 5), topKeys(byClient, 5), topPaths))
			run = run[:0]
		}
		for i := range ws {
			if !flagged[i] {
				continue
			}
			if len(run) > 0 && i-run[len(run)-1] > 2 {
				flush()
			}
			run = append(run, i)
		}
		flush()
	}
	// Oldest first (the field after the kind is start..end), then by kind.
	startOf := func(line string) string { s, _, _ := strings.Cut(strings.Fields(line)[1], ".."); return s }
	slices.SortFunc(incidents, func(a, b string) int {
		return cmp.Or(strings.Compare(startOf(a), startOf(b)), strings.Compare(a, b))
	})
	return width, first, ws, incidents
}

func modelMedian(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

// TestTimelineAgainstModel generates random logs of 20 minutes to 8 hours
// with phases of elevated 5xx or 429 rates, from seven clients to seven
// endpoints, over up to three files that
// overlap in time, reads them in any order with 1 to 3 workers in blocks
// of a few lines, and wants the model's timeline width, windows and
// incidents.
func TestTimelineAgainstModel(t *testing.T) {
	fives := []int{500, 502, 503, 504}
	users := []string{"erp", "shop", "dam", "bi", "cms", "pim", "sync"}
	// Paths and their endpoint templates; seven, so the lists' cut at five
	// matters.
	paths := [][2]string{{"/api/documents/%d", "/api/documents/{id}"}, {"/api/assets/%d", "/api/assets/{id}"},
		{"/api/imports", "/api/imports"}, {"/api/exports/%d/status", "/api/exports/{id}/status"},
		{"/api/classifications", "/api/classifications"}, {"/api/attributes/%d", "/api/attributes/{id}"},
		{"/api/channels", "/api/channels"}}
	var incidents int
	for seed := range 100 {
		rng := rand.New(rand.NewPCG(uint64(seed), 13))
		nfiles := 1 + rng.IntN(3)
		logs := map[string][]string{}
		var times []int64
		var statuses []int
		var clients, endpoints, rawPaths []string
		start := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
		span := time.Duration(20+rng.IntN(460)) * time.Minute
		// The log's start, in seconds past 10:00, off any window's edge.
		at := time.Duration(rng.IntN(600_000)) * time.Millisecond
		end := at + span
		for at < end {
			// A phase: a request rate, and the share of 5xx and 429s.
			step := time.Duration(300+rng.IntN(8000)) * time.Millisecond
			p5, p429 := 0.01, 0.01
			switch rng.IntN(6) {
			case 0:
				p5 = 0.1 + 0.5*rng.Float64()
			case 1:
				p429 = 0.1 + 0.5*rng.Float64()
			}
			for range 20 + rng.IntN(300) {
				at += time.Duration(rng.Int64N(2 * int64(step)))
				status := 200
				switch x := rng.Float64(); {
				case x < p5:
					status = fives[rng.IntN(len(fives))]
				case x < p5+p429:
					status = 429
				case x < p5+p429+0.05:
					status = 404
				case x < p5+p429+0.08:
					status = 304
				}
				// Skewed choices, so that the lists have a clear head and
				// ties too.
				user := users[min(rng.IntN(len(users)+4), len(users)-1)]
				p := paths[min(rng.IntN(len(paths)+4), len(paths)-1)]
				path := p[0]
				if strings.Contains(path, "%d") {
					path = fmt.Sprintf(path, 1+rng.IntN(99999))
				}
				times = append(times, start.Add(at).UnixNano())
				statuses = append(statuses, status)
				clients = append(clients, user)
				endpoints = append(endpoints, p[1])
				rawPaths = append(rawPaths, path)
				name := "f" + strconv.Itoa(rng.IntN(nfiles)) + ".log"
				logs[name] = append(logs[name], rline(user, "GET", path, at.Seconds(), status, "-"))
			}
		}
		order := slices.Sorted(maps.Keys(logs))
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		workers := 1 + seed%3
		r := runLogsWith(t, logs, order, ingest.Options{Workers: workers, MaxLine: 256}, QuotaOptions{}, RetryOptions{})
		width, first, ws, want := timelineModel(times, statuses, clients, endpoints, rawPaths)
		where := fmt.Sprintf("seed %d (%d files as %v, %d workers, %v)", seed, len(order), order, workers, span)
		if got := int64(r.Timeline.WindowSeconds * 1e9); got != width {
			t.Errorf("%s: window %v, want %v", where, time.Duration(got), time.Duration(width))
			continue
		}
		if len(r.Timeline.Windows) != len(ws) {
			t.Errorf("%s: %d windows, want %d", where, len(r.Timeline.Windows), len(ws))
			continue
		}
		for i, w := range r.Timeline.Windows {
			m := ws[i]
			wantStart := time.Unix(0, (first+int64(i))*width).UTC().Format(time.RFC3339)
			got := fmt.Sprintf("%s requests %d classes %d %d %d %d %d 429 %d", w.Start, w.Requests,
				w.Success, w.Redirect, w.ClientError, w.ServerError, w.Other, w.RateLimited)
			wantS := fmt.Sprintf("%s requests %d classes %d %d %d %d %d 429 %d", wantStart, m.requests,
				m.classes[0], m.classes[1], m.classes[2], m.classes[3], m.classes[4], m.rateLimited)
			if got != wantS {
				t.Errorf("%s window %d:\n got %s\nwant %s", where, i, got, wantS)
			}
		}
		var got []string
		for _, inc := range r.Incidents {
			var paths []string
			for _, p := range inc.Paths {
				paths = append(paths, fmt.Sprintf("%s=%d", p.Path, p.Count))
			}
			got = append(got, fmt.Sprintf("%s %s..%s peak %d at %s rate %.4f baseline %.4f failures %d requests %d recovered %v status %d endpoints %v clients %v paths %v",
				inc.Kind, inc.Start, inc.End, inc.Peak, inc.PeakAt, inc.PeakRate, inc.BaselineRate, inc.Failures, inc.Requests, inc.Recovered,
				inc.Status, inc.Endpoints, inc.Clients, paths))
		}
		if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
			t.Errorf("%s incidents:\n got %s\nwant %s", where, g, w)
		}
		incidents += len(want)
	}
	if incidents < 50 {
		t.Errorf("the logs gave %d incidents in all: too few to test the rule", incidents)
	}
}
