package report

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"analyze/classify"
	"analyze/ingest"
	"analyze/report/analysis"
)

// retryModel is the retry analysis and the answers to 429s written straight
// from their definitions (README, "Retries" and "Quota pressure"), over
// records already in time order, with nothing bounded, pruned or hashed:
// TestRetryAgainstModel holds the sequencer and the trackers to it.
type retryModel struct {
	window, defaultRA time.Duration
	open              map[string]*modelChain
	noFails           map[string]modelNoFail // identity → its last "no" failure
	total             modelStats
	clients           map[string]*modelStats

	// After a 429 (quota section): the client's next request answers it.
	waits  map[string]modelWait
	answer map[string]*modelAnswer

	// Storms: the attempts per minute (the quota window) and client, and
	// the requests per minute.
	attemptsAt map[int64]map[string]int64
	requestsAt map[int64]int64
}

type modelWait struct{ at, deadline time.Duration }

type modelAnswer struct {
	after, violations int64
	gaps              time.Duration
}

type modelNoFail struct {
	at     time.Duration
	status int
}

type modelChain struct {
	client             string
	status             int // of the failure that opened it
	lastFail, deadline time.Duration
	attempts           int64
	unsafe             bool
}

type modelStats struct {
	chains, recovered, exhausted, abandoned, attempts, maxAttempts, violations, repeats, unsafe int64
	abandonedBy, repeatsBy                                                                      map[int]int64 // by status
}

// diagnosis is a client's one line, by the README's rules in their order.
func (s *modelStats) diagnosis() string {
	most := func(by map[int]int64) (int, int64) { // ties to the lowest status
		best, n := 0, int64(0)
		for _, st := range slices.Sorted(maps.Keys(by)) {
			if by[st] > n {
				best, n = st, by[st]
			}
		}
		return best, n
	}
	if s.unsafe > 0 {
		return "retries writes after server errors: possible duplicates (use an idempotency key)"
	}
	if s.violations > 0 && 4*s.violations >= s.attempts {
		return "retries too fast after 429/503 (ignores Retry-After)"
	}
	if st, n := most(s.abandonedBy); n > 0 && s.attempts == 0 {
		return fmt.Sprintf("never retries %03d", st)
	}
	if st, n := most(s.repeatsBy); n > 0 && 10*n >= s.chains {
		return fmt.Sprintf("repeats %03d unchanged", st)
	}
	switch {
	case s.chains > 0 && 10*s.recovered >= 9*s.chains:
		return "retries well"
	case s.chains > 0:
		return "recovers some failures, gives up on others"
	}
	return "-"
}

type modelRecord struct {
	user, method, path string
	at                 time.Duration // since the log's start
	status             int
	retryAfter         int // seconds; -1 when not logged
}

func (m *retryModel) stats(client string) []*modelStats {
	if m.clients[client] == nil {
		m.clients[client] = &modelStats{abandonedBy: map[int]int64{}, repeatsBy: map[int]int64{}}
	}
	return []*modelStats{&m.total, m.clients[client]}
}

func (m *retryModel) finish(id string, c *modelChain, outcome string) {
	delete(m.open, id)
	for _, s := range m.stats(c.client) {
		switch outcome {
		case "recovered":
			s.recovered++
		case "exhausted":
			s.exhausted++
		case "abandoned":
			s.abandoned++
			if s.abandonedBy != nil {
				s.abandonedBy[c.status]++
			}
		}
		s.maxAttempts = max(s.maxAttempts, c.attempts)
		if c.unsafe && c.attempts > 0 {
			s.unsafe++
		}
	}
}

// lapse closes a chain whose window passed with no attempt in it.
func (m *retryModel) lapse(id string, c *modelChain) {
	if c.attempts == 0 {
		m.finish(id, c, "abandoned")
	} else {
		m.finish(id, c, "exhausted")
	}
}

func (m *retryModel) add(r modelRecord) {
	id := r.user + " " + r.method + " " + r.path
	v := classify.Classify(r.status, []byte(r.method))
	failure := v.Class == classify.ClientError || v.Class == classify.ServerError || r.status == 0
	wait := m.defaultRA
	if r.retryAfter >= 0 {
		wait = time.Duration(r.retryAfter) * time.Second
	}
	minute := int64(r.at / time.Minute) // the log starts on a minute
	m.requestsAt[minute]++
	if w, ok := m.waits[r.user]; ok {
		a := m.answer[r.user]
		a.after++
		a.gaps += r.at - w.at
		if r.at < w.deadline {
			a.violations++
		}
		delete(m.waits, r.user)
	}
	if r.status == 429 {
		if m.answer[r.user] == nil {
			m.answer[r.user] = &modelAnswer{}
		}
		m.waits[r.user] = modelWait{r.at, r.at + wait}
	}
	// The same identity again within the window after a "no" failure.
	if nf, ok := m.noFails[id]; ok {
		if r.at-nf.at <= m.window {
			for _, s := range m.stats(r.user) {
				s.repeats++
				if s.repeatsBy != nil {
					s.repeatsBy[nf.status]++
				}
			}
		}
		delete(m.noFails, id)
	}
	if c := m.open[id]; c != nil {
		if r.at-c.lastFail > m.window {
			m.lapse(id, c)
		} else {
			// An attempt.
			c.attempts++
			if m.attemptsAt[minute] == nil {
				m.attemptsAt[minute] = map[string]int64{}
			}
			m.attemptsAt[minute][c.client]++
			for _, s := range m.stats(c.client) {
				s.attempts++
				if r.at < c.deadline {
					s.violations++
				}
			}
			switch {
			case r.status >= 200 && r.status < 300:
				m.finish(id, c, "recovered")
			case v.Retry.Retryable():
				c.lastFail, c.deadline = r.at, r.at+wait
			default:
				m.finish(id, c, "exhausted")
			}
			return
		}
	}
	switch {
	case v.Retry.Retryable():
		m.open[id] = &modelChain{client: r.user, status: r.status, lastFail: r.at, deadline: r.at + wait, unsafe: v.Retry == classify.Unsafe}
		for _, s := range m.stats(r.user) {
			s.chains++
		}
	case failure && v.Retry == classify.No:
		m.noFails[id] = modelNoFail{r.at, r.status}
	}
}

// storms returns the storms by their definition: runs of consecutive
// windows whose attempts are more than share of their requests, with the
// three clients with most attempts in them (ties by name).
func (m *retryModel) storms(share float64) string {
	base := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	stamp := func(w int64) string { return base.Add(time.Duration(w) * time.Minute).Format(time.RFC3339) }
	stormy := func(w int64) bool {
		var n int64
		for _, a := range m.attemptsAt[w] {
			n += a
		}
		return float64(n) > share*float64(m.requestsAt[w])
	}
	var b strings.Builder
	for _, w := range slices.Sorted(maps.Keys(m.attemptsAt)) {
		if !stormy(w) || m.attemptsAt[w-1] != nil && stormy(w-1) {
			continue // not a storm's first window
		}
		var attempts, requests int64
		by := map[string]int64{}
		end := w
		for ; m.attemptsAt[end] != nil && stormy(end); end++ {
			requests += m.requestsAt[end]
			for c, n := range m.attemptsAt[end] {
				attempts += n
				by[c] += n
			}
		}
		fmt.Fprintf(&b, "%s..%s requests %d attempts %d share %.4f clients %v\n", stamp(w), stamp(end), requests, attempts,
			analysis.Round(float64(attempts)/float64(requests), 4), topKeys(by, 3))
	}
	return b.String()
}

func (m *retryModel) end() {
	for id, c := range m.open {
		m.lapse(id, c)
	}
}

// TestRetryAgainstModel generates small random logs, split over up to
// three files that overlap in time and read in any order by 1 to 3
// workers in blocks of a few lines, and wants the retry section's totals
// and per-client figures, and the quota section's answers to 429s, of the
// model, which reads the records in time order (ties in line order) by
// the definitions alone.
func TestRetryAgainstModel(t *testing.T) {
	users := []string{"erp", "shop", "dam", "bi"} // four: a storm lists three
	methods := []string{"GET", "GET", "POST", "PUT", "PATCH", "DELETE"}
	paths := []string{"/api/documents/1", "/api/documents/2?lang=fr_FR", "/api/assets/3"}
	statuses := []int{200, 200, 200, 201, 204, 400, 404, 409, 422, 429, 429, 500, 502, 503, 503, 504, 408, 499}
	const window, defaultRA = 2 * time.Minute, 20 * time.Second
	diagnoses := map[string]int{}
	for seed := range 150 {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		nfiles := 1 + rng.IntN(3)
		logs := map[string][]string{}
		m := &retryModel{window: window, defaultRA: defaultRA, open: map[string]*modelChain{},
			noFails: map[string]modelNoFail{}, clients: map[string]*modelStats{},
			waits: map[string]modelWait{}, answer: map[string]*modelAnswer{},
			attemptsAt: map[int64]map[string]int64{}, requestsAt: map[int64]int64{}}
		var at time.Duration
		prevFile := -1
		var recent []modelRecord
		for range 20 + rng.IntN(300) {
			file := rng.IntN(nfiles)
			// Whole seconds apart (so that an attempt falls on its
			// Retry-After or the window's end now and then), now and then
			// past the window; a tie only within a file (ties across files
			// go by the order the files are read in, which this model does
			// not follow).
			switch step := rng.IntN(20); {
			case step == 0:
				at += window + time.Duration(rng.IntN(300))*time.Second
			case step < 4 && file == prevFile:
			default:
				at += time.Duration(1+rng.IntN(30)) * time.Second
			}
			prevFile = file
			r := modelRecord{user: users[rng.IntN(len(users))], method: methods[rng.IntN(len(methods))],
				path: paths[rng.IntN(len(paths))], at: at, status: statuses[rng.IntN(len(statuses))], retryAfter: -1}
			if len(recent) > 0 && rng.IntN(2) == 0 {
				// Half the records send a recent request again: retries.
				p := recent[rng.IntN(len(recent))]
				r.user, r.method, r.path = p.user, p.method, p.path
			}
			if recent = append(recent, r); len(recent) > 8 {
				recent = recent[1:]
			}
			ra := "-"
			if rng.IntN(3) == 0 {
				r.retryAfter = rng.IntN(60)
				ra = strconv.Itoa(r.retryAfter)
			}
			m.add(r)
			name := "f" + strconv.Itoa(file) + ".log"
			logs[name] = append(logs[name], rline(r.user, r.method, r.path, r.at.Seconds(), r.status, ra))
		}
		m.end()
		order := slices.Sorted(maps.Keys(logs))
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		workers := 1 + seed%3
		full := runLogsWith(t, logs, order, ingest.Options{Workers: workers, MaxLine: 256}, QuotaOptions{RetryAfter: defaultRA},
			RetryOptions{Window: window, RetryAfter: defaultRA})
		for _, c := range full.Quota.Clients {
			var want modelAnswer
			if a := m.answer[c.Client]; a != nil {
				want = *a
			}
			got := fmt.Sprintf("after %d violations %d", c.After429Requests, c.RetryAfterViolations)
			if c.MeanBackoffSeconds != nil {
				got += fmt.Sprintf(" backoff %.3f", *c.MeanBackoffSeconds)
			}
			wantS := fmt.Sprintf("after %d violations %d", want.after, want.violations)
			if want.after > 0 {
				wantS += fmt.Sprintf(" backoff %.3f", analysis.Round(want.gaps.Seconds()/float64(want.after), 3))
			}
			if got != wantS {
				t.Errorf("seed %d client %s after a 429:\n got %s\nwant %s", seed, c.Client, got, wantS)
			}
		}
		rep := full.Retry
		var storms strings.Builder
		for _, st := range rep.Storms {
			fmt.Fprintf(&storms, "%s..%s requests %d attempts %d share %.4f clients %v\n", st.Start, st.End, st.Requests, st.Attempts, st.Share, st.Clients)
		}
		if got, want := storms.String(), m.storms(0.2); got != want {
			t.Errorf("seed %d storms:\n got %s\nwant %s", seed, got, want)
		}
		describe := func(s modelStats) string {
			return fmt.Sprintf("chains %d recovered %d exhausted %d abandoned %d attempts %d max %d violations %d repeats %d unsafe %d",
				s.chains, s.recovered, s.exhausted, s.abandoned, s.attempts, s.maxAttempts, s.violations, s.repeats, s.unsafe)
		}
		got := describe(modelStats{rep.RetryableFailures, rep.Recovered, rep.Exhausted, rep.Abandoned, rep.Attempts,
			rep.MaxAttempts, rep.RetryAfterViolations, rep.NonRetryableRepeats, rep.UnsafeRetries, nil, nil})
		if want := describe(m.total); got != want {
			t.Errorf("seed %d (%d files read as %v, %d workers):\n got %s\nwant %s", seed, len(order), order, workers, got, want)
			continue
		}
		if rep.Unrecovered != m.total.exhausted+m.total.abandoned {
			t.Errorf("seed %d: unrecovered %d, want %d", seed, rep.Unrecovered, m.total.exhausted+m.total.abandoned)
		}
		for _, c := range rep.Clients {
			ms := m.clients[c.Client]
			if ms == nil {
				t.Errorf("seed %d: client %q is not in the model", seed, c.Client)
				continue
			}
			got := describe(modelStats{c.Failures, c.Recovered, c.Exhausted, c.Abandoned, c.Attempts, ms.maxAttempts,
				c.RetryAfterViolations, c.NonRetryableRepeats, c.UnsafeRetries, nil, nil})
			if want := describe(*ms); got != want {
				t.Errorf("seed %d client %s:\n got %s\nwant %s", seed, c.Client, got, want)
			}
			if want := ms.diagnosis(); c.Diagnosis != want {
				t.Errorf("seed %d client %s: diagnosis %q, want %q", seed, c.Client, c.Diagnosis, want)
			}
			diagnoses[c.Diagnosis]++
		}
	}
	t.Logf("diagnoses: %v", diagnoses)
	if len(diagnoses) < 6 {
		t.Errorf("the logs gave %d kinds of diagnosis, %v: too few to test the rules", len(diagnoses), diagnoses)
	}
}
