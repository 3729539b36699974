package retry

import (
	"analyze/report/analysis"
	"cmp"
	"slices"

	"analyze/classify"
)

// Report is the retry section (JSON key "retry"); its keys are a
// documented contract (docs/retries.md).
type Report struct {
	WindowSeconds        float64       `json:"window_seconds"`
	RetryAfterDefault    float64       `json:"retry_after_default_seconds"`
	StormShare           float64       `json:"storm_share"`
	RetryableFailures    int64         `json:"retryable_failures"`
	Recovered            int64         `json:"recovered"`
	Exhausted            int64         `json:"exhausted"`
	Abandoned            int64         `json:"abandoned"`
	Attempts             int64         `json:"attempts"`
	MeanAttempts         float64       `json:"mean_attempts"`
	MaxAttempts          int64         `json:"max_attempts"`
	RecoveryP50          *float64      `json:"recovery_p50_seconds"`
	RecoveryP95          *float64      `json:"recovery_p95_seconds"`
	UnsafeRetries        int64         `json:"unsafe_retries"`
	RetryAfterViolations int64         `json:"retry_after_violations"`
	NonRetryableRepeats  int64         `json:"non_retryable_repeats"`
	ByStatus             []Row         `json:"by_status"`
	Clients              []Client      `json:"clients"`
	Storms               []Storm       `json:"storms"`       // the worst analysis.ListLimit, in time order
	StormsTotal          int64         `json:"storms_total"` // every storm, listed or not
	Unrecovered          int64         `json:"unrecovered"`
	UnrecoveredList      []Unrecovered `json:"unrecovered_list,omitempty"`
	unrecovered          []unrecovered // every chain kept, oldest first: rows made on demand
}

// Row is one (status, endpoint) of the retryable failures.
type Row struct {
	Status            int      `json:"status"`
	Endpoint          string   `json:"endpoint"`
	Diagnosis         string   `json:"diagnosis"`
	RetryableFailures int64    `json:"retryable_failures"`
	Recovered         int64    `json:"recovered"`
	Exhausted         int64    `json:"exhausted"`
	Abandoned         int64    `json:"abandoned"`
	MeanAttempts      float64  `json:"mean_attempts"`
	MaxAttempts       int64    `json:"max_attempts"`
	RecoveryP50       *float64 `json:"recovery_p50_seconds"`
	RecoveryP95       *float64 `json:"recovery_p95_seconds"`
	UnsafeRetries     int64    `json:"unsafe_retries"`
}

// Client is one client's retry behaviour.
type Client struct {
	Client               string  `json:"client"`
	Failures             int64   `json:"retryable_failures"`
	Recovered            int64   `json:"recovered"`
	RecoveredShare       float64 `json:"recovered_share"`
	Exhausted            int64   `json:"exhausted"`
	Abandoned            int64   `json:"abandoned"`
	Attempts             int64   `json:"attempts"`
	RetryAfterViolations int64   `json:"retry_after_violations"`
	NonRetryableRepeats  int64   `json:"non_retryable_repeats"`
	UnsafeRetries        int64   `json:"unsafe_retries"`
	Diagnosis            string  `json:"diagnosis"`
}

// Storm is a run of windows in which retry attempts were more than the
// storm share of the traffic.
type Storm struct {
	Start    string   `json:"start"`
	End      string   `json:"end"`
	Requests int64    `json:"requests"`
	Attempts int64    `json:"attempts"`
	Share    float64  `json:"share"`
	Clients  []string `json:"clients"`
}

// UnrecoveredAll returns every unrecovered chain kept, oldest first,
// whether or not the report lists them.
func (r *Report) UnrecoveredAll() []Unrecovered { return r.UnrecoveredRows(-1) }

// Unrecovered is one abandoned or exhausted chain.
type Unrecovered struct {
	Time        string `json:"time"`
	Client      string `json:"client"`
	Method      string `json:"method"`
	Path        string `json:"path"`
	Status      int    `json:"status"`
	Outcome     string `json:"outcome"`
	Attempts    int64  `json:"attempts"`
	LastAttempt string `json:"last_attempt"`
	Unsafe      bool   `json:"unsafe"`
	Action      string `json:"action"`
	File        string `json:"file"`
	Line        int64  `json:"line"`
}

func quantiles(st *retryStats) (*float64, *float64) {
	if st.recovery == nil || st.recovery.IsEmpty() {
		return nil, nil
	}
	v, err := st.recovery.GetValuesAtQuantiles([]float64{0.5, 0.95})
	if err != nil {
		return nil, nil
	}
	p50, p95 := analysis.Round(v[0], 3), analysis.Round(v[1], 3)
	return &p50, &p95
}

func meanAttempts(st *retryStats) float64 {
	if st.chains == 0 {
		return 0
	}
	return analysis.Round(float64(st.attempts)/float64(st.chains), 2)
}

// Build makes the retry section of t (nil when the order-sensitive stage
// did not run): requests(win, w) is the traffic of window w of windows win
// nanoseconds long (the quota's, for the storms; 0 when it has no windows
// that long); name names a client by hash; withList fills
// UnrecoveredList; top is how many rows a table shows.
func Build(t *Tracker, requests func(win, w int64) int64, opts Options, name func(uint64) string, withList bool, top int) *Report {
	if t == nil {
		return nil
	}
	t.end() // the input is over: the chains still open close (Summary.Carry has taken them first)
	share := opts.StormShare
	if share <= 0 {
		share = 0.2
	}
	tot := t.total
	r := &Report{
		WindowSeconds: float64(t.window) / 1e9, RetryAfterDefault: float64(t.defaultRA) / 1e9, StormShare: share,
		RetryableFailures: tot.chains, Recovered: tot.recovered, Exhausted: tot.exhausted, Abandoned: tot.abandoned,
		Attempts: tot.attempts, MeanAttempts: meanAttempts(tot), MaxAttempts: tot.maxAttempts,
		UnsafeRetries: tot.unsafe, RetryAfterViolations: tot.violations, NonRetryableRepeats: tot.repeats,
		Unrecovered: t.unrecoveredCount, ByStatus: []Row{}, Clients: []Client{},
	}
	r.RecoveryP50, r.RecoveryP95 = quantiles(tot)

	for k, st := range t.rows {
		row := Row{Status: int(k.status), Endpoint: k.endpoint, Diagnosis: classify.Lookup(int(k.status)).ID,
			RetryableFailures: st.chains, Recovered: st.recovered, Exhausted: st.exhausted, Abandoned: st.abandoned,
			MeanAttempts: meanAttempts(st), MaxAttempts: st.maxAttempts, UnsafeRetries: st.unsafe}
		row.RecoveryP50, row.RecoveryP95 = quantiles(st)
		r.ByStatus = append(r.ByStatus, row)
	}
	slices.SortFunc(r.ByStatus, func(a, b Row) int {
		return cmp.Or(cmp.Compare(b.RetryableFailures, a.RetryableFailures), cmp.Compare(a.Status, b.Status), cmp.Compare(a.Endpoint, b.Endpoint))
	})
	if len(r.ByStatus) > max(top, 20) {
		r.ByStatus = r.ByStatus[:max(top, 20)]
	}

	for h, st := range t.clients {
		c := Client{Client: name(h), Failures: st.chains, Recovered: st.recovered, Exhausted: st.exhausted,
			Abandoned: st.abandoned, Attempts: st.attempts, RetryAfterViolations: st.violations,
			NonRetryableRepeats: st.repeats, UnsafeRetries: st.unsafe, Diagnosis: diagnose(st)}
		if st.chains > 0 {
			c.RecoveredShare = analysis.Round(float64(st.recovered)/float64(st.chains), 4)
		}
		r.Clients = append(r.Clients, c)
	}
	slices.SortFunc(r.Clients, func(a, b Client) int {
		return cmp.Or(cmp.Compare(b.Failures+b.NonRetryableRepeats, a.Failures+a.NonRetryableRepeats), cmp.Compare(a.Client, b.Client))
	})
	if len(r.Clients) > max(top, 20) {
		r.Clients = r.Clients[:max(top, 20)]
	}

	// Storms (storms.go).
	r.Storms, r.StormsTotal = listStorms(t, requests, share, name)

	// The unrecovered list, oldest first.
	list := slices.Clone(t.unrecovered)
	slices.SortFunc(list, func(a, b unrecovered) int {
		return cmp.Or(cmp.Compare(a.first, b.first), cmp.Compare(a.info.File, b.info.File), cmp.Compare(a.info.Line, b.info.Line))
	})
	r.unrecovered = list
	if withList {
		r.UnrecoveredList = r.UnrecoveredAll()
	}
	return r
}

// UnrecoveredRows returns the first n unrecovered chains kept (all, for n
// below 0) as rows, oldest first.
func (r *Report) UnrecoveredRows(n int) []Unrecovered {
	if n < 0 || n > len(r.unrecovered) {
		n = len(r.unrecovered)
	}
	rows := make([]Unrecovered, 0, n)
	for _, u := range r.unrecovered[:n] {
		last := ""
		if u.attempts > 0 {
			last = analysis.StampNS(u.last)
		}
		rows = append(rows, Unrecovered{Time: analysis.StampNS(u.first), Client: u.info.Client, Method: u.info.Method, Path: u.info.Target,
			Status: int(u.status), Outcome: u.outcome, Attempts: u.attempts, LastAttempt: last, Unsafe: u.unsafe,
			Action: classify.Lookup(int(u.status)).Action, File: u.info.File, Line: u.info.Line})
	}
	return rows
}

// diagnose sums up a client's retry behaviour in one line.
func diagnose(st *retryStats) string {
	topOf := func(m map[int32]int64) (int32, int64) {
		var best int32
		var n int64
		for k, v := range m {
			if v > n || v == n && k < best {
				best, n = k, v
			}
		}
		return best, n
	}
	switch {
	case st.unsafe > 0:
		return "retries writes after server errors: possible duplicates (use an idempotency key)"
	case st.violations > 0 && st.violations*4 >= st.attempts:
		return "retries too fast after 429/503 (ignores Retry-After)"
	}
	if s, n := topOf(st.abandonedBy); n > 0 && st.attempts == 0 {
		return "never retries " + itoa3(int(s))
	}
	if s, n := topOf(st.repeatsBy); n > 0 && n*10 >= st.chains {
		return "repeats " + itoa3(int(s)) + " unchanged"
	}
	switch {
	case st.chains > 0 && st.recovered*10 >= st.chains*9:
		return "retries well"
	case st.chains > 0:
		return "recovers some failures, gives up on others"
	}
	return "-"
}

func itoa3(n int) string {
	b := []byte{'0' + byte(n/100%10), '0' + byte(n/10%10), '0' + byte(n%10)}
	return string(b)
}
