package report

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"analyze/ingest"
)

// quotaModel computes the quota section's window figures from their
// definitions (README, "Quota pressure"): every window from the first
// request's to the last's, empty ones included, nearest-rank percentiles.
func quotaModel(counts map[int64]int64, limit int64) QuotaWindows {
	var f QuotaWindows
	if len(counts) == 0 {
		return f
	}
	ws := slices.Sorted(maps.Keys(counts))
	var vals []int64
	var run int64
	for w := ws[0]; w <= ws[len(ws)-1]; w++ {
		n := counts[w]
		vals = append(vals, n)
		f.Requests += n
		f.Peak = max(f.Peak, n)
		if n > limit {
			f.WindowsOverLimit++
			run++
			f.LongestOverLimitRun = max(f.LongestOverLimitRun, run)
		} else {
			run = 0
		}
		// At or above 80 % (90 %, 100 %) of the limit, in exact integers.
		if 100*n >= 80*limit {
			f.WindowsAt80++
		}
		if 100*n >= 90*limit {
			f.WindowsAt90++
		}
		if n >= limit {
			f.WindowsAt100++
		}
	}
	f.Windows = int64(len(vals))
	slices.Sort(vals)
	rank := func(pct int64) int64 { // the smallest k with k/N >= pct/100
		k := (pct*f.Windows + 99) / 100
		return vals[max(k, 1)-1]
	}
	f.P50, f.P95, f.P99 = rank(50), rank(95), rank(99)
	h := limit - f.P99
	f.Headroom = &h
	return f
}

// TestQuotaAgainstModel generates random logs over up to three files that
// overlap in time, reads them in any order with 1 to 3 workers in blocks
// of a few lines, and wants the overall and per-client window figures of
// the model.
func TestQuotaAgainstModel(t *testing.T) {
	users := []string{"erp", "shop", "dam", "bi", "cms", "pim"} // six: a burst lists five
	const window, limit = 10 * time.Second, 10                  // 80 and 90 % fall on whole requests
	for seed := range 100 {
		rng := rand.New(rand.NewPCG(uint64(seed), 11))
		nfiles := 1 + rng.IntN(3)
		logs := map[string][]string{}
		overall := map[int64]int64{}
		clients := map[string]map[int64]int64{}
		rateLimited := map[string]int64{}
		limited := map[int64]map[string]int64{} // window → client → 429s
		var at time.Duration
		var step, phase int // a phase's mean gap between requests (ms) and its requests left
		for range 50 + rng.IntN(400) {
			// Phases of a few windows at rates from far below the limit to
			// far above it, now and then a gap of whole windows; times at
			// milliseconds, so some fall on a window's first or last one.
			if phase == 0 {
				step, phase = 200+rng.IntN(3000), 5+rng.IntN(40)
				if rng.IntN(3) == 0 {
					at += time.Duration(1+rng.IntN(5)) * window
				}
			}
			phase--
			at += time.Duration(rng.IntN(2*step)) * time.Millisecond
			user := users[min(rng.IntN(len(users)+3), len(users)-1)] // "pim" the busiest
			status := 200
			w := int64(at / window)
			if rng.IntN(6) == 0 {
				status = 429
				rateLimited[user]++
				if limited[w] == nil {
					limited[w] = map[string]int64{}
				}
				limited[w][user]++
			}
			overall[w]++
			if clients[user] == nil {
				clients[user] = map[int64]int64{}
			}
			clients[user][w]++
			name := "f" + strconv.Itoa(rng.IntN(nfiles)) + ".log"
			logs[name] = append(logs[name], rline(user, "GET", "/api/documents/1", at.Seconds(), status, "-"))
		}
		order := slices.Sorted(maps.Keys(logs))
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		workers := 1 + seed%3
		q := runLogsWith(t, logs, order, ingest.Options{Workers: workers, MaxLine: 256},
			QuotaOptions{Window: window, Limit: limit}, RetryOptions{}).Quota
		describe := func(f QuotaWindows) string {
			h := "-"
			if f.Headroom != nil {
				h = strconv.FormatInt(*f.Headroom, 10)
			}
			return fmt.Sprintf("requests %d windows %d peak %d p50 %d p95 %d p99 %d over %d run %d headroom %s at80 %d at90 %d at100 %d",
				f.Requests, f.Windows, f.Peak, f.P50, f.P95, f.P99, f.WindowsOverLimit, f.LongestOverLimitRun, h,
				f.WindowsAt80, f.WindowsAt90, f.WindowsAt100)
		}
		if got, want := describe(q.Overall), describe(quotaModel(overall, limit)); got != want {
			t.Errorf("seed %d (%d files as %v, %d workers) overall:\n got %s\nwant %s", seed, len(order), order, workers, got, want)
		}
		if got, want := describeBursts(q.Bursts), modelBursts(overall, limited, window); got != want {
			t.Errorf("seed %d (%d files as %v, %d workers) bursts:\n got %s\nwant %s", seed, len(order), order, workers, got, want)
		}
		var total int64
		for _, n := range rateLimited {
			total += n
		}
		if q.RateLimited != total {
			t.Errorf("seed %d: rate limited %d, want %d", seed, q.RateLimited, total)
		}
		if len(q.Clients) != len(clients) {
			t.Errorf("seed %d: %d clients, want %d", seed, len(q.Clients), len(clients))
		}
		for _, c := range q.Clients {
			m := quotaModel(clients[c.Client], limit)
			got := fmt.Sprintf("requests %d peak %d p99 %d over %d rate limited %d", c.Requests, c.Peak, c.P99, c.WindowsOverLimit, c.RateLimited)
			want := fmt.Sprintf("requests %d peak %d p99 %d over %d rate limited %d", m.Requests, m.Peak, m.P99, m.WindowsOverLimit, rateLimited[c.Client])
			if got != want {
				t.Errorf("seed %d client %s:\n got %s\nwant %s", seed, c.Client, got, want)
			}
		}
	}
}

func describeBursts(bs []Burst) string {
	var b strings.Builder
	for _, x := range bs {
		fmt.Fprintf(&b, "%s..%s windows %d 429s %d requests %d before %d clients %v\n",
			x.Start, x.End, x.Windows, x.RateLimited, x.Requests, x.RateBefore, x.Clients)
	}
	return b.String()
}

// modelBursts finds the bursts by their definition: runs of consecutive
// windows with at least one 429; the requests of the window before; the
// five clients with the most 429s in it, ties by name.
// Window w starts w windows after 10:00 on the day of rline.
func modelBursts(requests map[int64]int64, limited map[int64]map[string]int64, window time.Duration) string {
	var bs []Burst
	base := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	stamp := func(w int64) string { return base.Add(time.Duration(w) * window).Format(time.RFC3339) }
	for _, w := range slices.Sorted(maps.Keys(limited)) {
		if len(bs) > 0 && limited[w-1] != nil {
			continue // within a burst found from its first window
		}
		b := Burst{Start: stamp(w), RateBefore: requests[w-1]}
		by := map[string]int64{}
		end := w
		for ; limited[end] != nil; end++ {
			b.Windows++
			b.Requests += requests[end]
			for c, n := range limited[end] {
				b.RateLimited += n
				by[c] += n
			}
		}
		b.End = stamp(end)
		b.Clients = topKeys(by, 5)
		bs = append(bs, b)
	}
	return describeBursts(bs)
}

// topKeys returns the n keys of by with the largest counts, ties by key:
// the order of the reports' "most affected" lists.
func topKeys(by map[string]int64, n int) []string {
	keys := slices.Sorted(maps.Keys(by))
	slices.SortStableFunc(keys, func(x, y string) int { return cmp.Compare(by[y], by[x]) })
	return keys[:min(n, len(keys))]
}
