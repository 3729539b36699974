package quota

import (
	"analyze/report/analysis"
	"cmp"
	"maps"
	"math"
	"slices"
	"time"
)

// Report is the quota section (JSON key "quota"); its keys are a
// documented contract (docs/quota.md).
type Report struct {
	ClientKey         string   `json:"client_key"`
	WindowSeconds     float64  `json:"window_seconds"`
	LimitPerWindow    *int64   `json:"limit_per_window"`
	RetryAfterDefault float64  `json:"retry_after_default_seconds"`
	Overall           Windows  `json:"overall"`
	RateLimited       int64    `json:"rate_limited"`
	RateLimitedShare  float64  `json:"rate_limited_share"`
	Bursts            []Burst  `json:"bursts"`       // the worst analysis.ListLimit, in time order
	BurstsTotal       int64    `json:"bursts_total"` // every burst, listed or not
	Clients           []Client `json:"clients"`
	LateEvents        int64    `json:"late_events"`
	CellsDropped      int64    `json:"cells_dropped"`

	// Per-minute request counts for the terminal's sparklines.
	overallSeries, busiestSeries []int64

	// Windows are the non-empty windows, in time order (for table exports).
	Windows []Window `json:"-"`
	busiest string
	// What the bursts are found with (bursts.go): the window length,
	// the 429s by (client, window) sorted by window, and client names.
	win   int64
	by429 []cellCount
	name  func(uint64) string
	// ownLimits is how many clients have a limit of their own
	// (Options.ClientLimits).
	ownLimits int
}

// Windows are the figures of a series of windows. Percentiles are
// nearest-rank over every window from the first record's to the last's,
// empty ones included.
type Windows struct {
	Requests            int64   `json:"requests"`
	Windows             int64   `json:"windows"`
	Peak                int64   `json:"peak"`
	PeakStart           *string `json:"peak_start"`
	P50                 int64   `json:"p50"`
	P95                 int64   `json:"p95"`
	P99                 int64   `json:"p99"`
	WindowsOverLimit    int64   `json:"windows_over_limit"`
	LongestOverLimitRun int64   `json:"longest_over_limit_run"`
	Headroom            *int64  `json:"headroom"`
	WindowsAt80         int64   `json:"windows_at_80_percent"`
	WindowsAt90         int64   `json:"windows_at_90_percent"`
	WindowsAt100        int64   `json:"windows_at_100_percent"`
}

// Window is one window's traffic.
type Window struct {
	Start                 time.Time
	Requests, RateLimited int64
}

// Burst is a run of consecutive windows with 429s.
type Burst struct {
	Start       string   `json:"start"`
	End         string   `json:"end"`
	Windows     int64    `json:"windows"`
	RateLimited int64    `json:"rate_limited"`
	Requests    int64    `json:"requests"`
	RateBefore  int64    `json:"rate_before"`
	Clients     []string `json:"clients"`
}

// Client is one client's quota figures.
type Client struct {
	Client               string   `json:"client"`
	Requests             int64    `json:"requests"`
	Peak                 int64    `json:"peak"`
	P99                  int64    `json:"p99"`
	LimitPerWindow       *int64   `json:"limit_per_window"` // its own limit, else --limit; null: none
	RateLimited          int64    `json:"rate_limited"`
	WindowsOverLimit     int64    `json:"windows_over_limit"`
	After429Requests     int64    `json:"after_429_requests"`
	RetryAfterViolations int64    `json:"retry_after_violations"`
	Compliance           *float64 `json:"retry_after_compliance"`
	MeanBackoffSeconds   *float64 `json:"mean_backoff_seconds"`
	RateLimitHeader      *int64   `json:"ratelimit_limit"`
	MinRemaining         *int64   `json:"ratelimit_min_remaining"`
}

// cellCount is a (client, window) cell with its count.
type cellCount = analysis.CellCount

// quotaClientsShown is how many clients the quota section lists at least.
const quotaClientsShown = 20

// Build makes the quota section of q and tracker (nil when the
// order-sensitive stage did not run). names names the clients by hash (the
// clients table's keys); lateEvents are the events that came too late for
// that stage, analyzed the records analysed, top the rows a table shows.
func Build(q *Agg, tracker *Behaviour, opts Options, names map[uint64]string, lateEvents, analyzed int64, top int) *Report {
	name := analysis.NameOf(names)
	q.flush()
	win := q.win
	r := &Report{
		ClientKey:         opts.Client.String(),
		WindowSeconds:     float64(win) / 1e9,
		RetryAfterDefault: opts.RetryAfter.Seconds(),
		LateEvents:        lateEvents,
		CellsDropped:      q.dropped,
		Bursts:            []Burst{},
		Clients:           []Client{},
	}
	if opts.Limit > 0 {
		r.LimitPerWindow = &opts.Limit
	}
	// Clients with a limit of their own, by the hash the cells key them by;
	// pending are those not met yet in the cells.
	type ownLimit struct {
		name  string
		limit int64
	}
	own := make(map[uint64]ownLimit, len(opts.ClientLimits))
	for name, limit := range opts.ClientLimits {
		own[analysis.HashClient([]byte(name))] = ownLimit{name, limit}
	}
	pending := maps.Clone(own)
	r.ownLimits = len(own)
	stamp := func(w int64) string { return time.Unix(0, w*win).UTC().Format(time.RFC3339) }

	// Overall.
	ws := make([]int64, 0, len(q.windows))
	for w := range q.windows {
		ws = append(ws, w)
	}
	slices.Sort(ws)
	ns := make([]int64, len(ws))
	r.Windows = make([]Window, len(ws))
	for i, w := range ws {
		wc := q.windows[w]
		ns[i] = wc.requests
		r.RateLimited += wc.rateLimited
		r.Windows[i] = Window{Start: time.Unix(0, w*win).UTC(), Requests: wc.requests, RateLimited: wc.rateLimited}
	}
	r.Overall = windowFigures(ws, ns, opts.Limit, stamp)
	if analyzed > 0 {
		r.RateLimitedShare = analysis.Round(float64(r.RateLimited)/float64(analyzed), 4)
	}

	// Bursts (bursts.go): the 429s by window, for their clients.
	r.win, r.by429, r.name = win, analysis.ByWindow(q.cells429), name
	r.listBursts()

	// Per client: the cells sorted by client and window give each light
	// client's run, a dense row each busy client's; totals for all, window
	// figures for the clients listed.
	q.flush()
	q.compact()
	q.cells = q.densify(q.cells)
	// The per-client 429s and Retry-After violations, and which clients
	// have rows, as sorted lists read by cursors: the clients come in
	// order of hash, and few have any, so most pass with a comparison
	// instead of three map look-ups.
	rlMap := map[uint64]int64{}
	for c, n := range q.cells429 {
		rlMap[c.Client] += int64(n)
	}
	rl, dense, nameCur := newCursor(rlMap), newCursor(q.dense), newCursor(names)
	after429 := newCursor(map[uint64]*behaviour{})
	if tracker != nil {
		after429 = newCursor(tracker.by)
	}
	// One pass over the clients: the busiest (for the sparkline: most
	// requests, ties by name) and the clients the section lists (the
	// hammering first: Retry-After violations, then 429s, then requests),
	// kept by bounded insertion, so nothing is allocated per light client.
	// Clients with a limit of their own are listed whatever their counts.
	n := max(quotaClientsShown, top)
	shown := make([]*clientTotal, 0, n+1)
	var busiest *clientTotal
	var pinned []*clientTotal
	consider := func(t clientTotal) {
		for _, c := range t.cells {
			t.requests += c.N
		}
		t.rateLimited = rl.get(t.h)
		if b := after429.get(t.h); b != nil {
			t.violations = b.violations
		}
		// The name, a look-up, only for a client that may be listed or
		// the busiest: most are neither by their counts alone.
		ol, isOwn := own[t.h]
		busier := busiest == nil || t.requests >= busiest.requests
		if !isOwn && !busier && len(shown) == n && byQuotaCounts(&t, shown[n-1]) > 0 {
			return
		}
		if isOwn {
			t.name = ol.name
		} else {
			t.name = analysis.OrFolded(nameCur.get(t.h))
		}
		if busier && (busiest == nil || t.requests > busiest.requests || t.name < busiest.name) {
			b := t
			busiest = &b
		}
		if isOwn {
			delete(pending, t.h)
			pinned = append(pinned, &t)
			return
		}
		if len(shown) == n && byQuotaOrder(&t, shown[n-1]) >= 0 {
			return
		}
		c := t
		k, _ := slices.BinarySearchFunc(shown, &c, byQuotaOrder)
		shown = slices.Insert(shown, k, &c)
		if len(shown) > n {
			shown = shown[:n]
		}
	}
	extra := map[uint64][]cellCount{} // cells of busy clients a row had no room for
	for i := 0; i < len(q.cells); {
		j := i
		h := q.cells[i].C.Client
		for j < len(q.cells) && q.cells[j].C.Client == h {
			j++
		}
		if dense.get(h) != nil {
			extra[h] = q.cells[i:j:j]
		} else {
			consider(clientTotal{h: h, cells: q.cells[i:j:j]})
		}
		i = j
	}
	busy := make([]uint64, 0, len(q.dense))
	for h := range q.dense {
		busy = append(busy, h)
	}
	slices.Sort(busy)
	for _, h := range busy {
		cells := q.dense[h].cellsOf(h)
		if ex := extra[h]; len(ex) > 0 {
			cells = append(cells, ex...)
			slices.SortFunc(cells, func(a, b cellCount) int { return cmp.Compare(a.C.Win, b.C.Win) })
			merged := cells[:0]
			for _, c := range cells {
				if k := len(merged); k > 0 && merged[k-1].C.Win == c.C.Win {
					merged[k-1].N += c.N
				} else {
					merged = append(merged, c)
				}
			}
			cells = merged
		}
		consider(clientTotal{h: h, cells: cells})
	}
	// The clients with a limit of their own that made no request in the
	// records analysed are listed too, with nothing counted.
	for h, ol := range pending {
		pinned = append(pinned, &clientTotal{h: h, name: ol.name})
	}
	shown = append(shown, pinned...)
	slices.SortFunc(shown, byQuotaOrder)
	r.Clients = make([]Client, 0, len(shown))
	cw, cn := []int64{}, []int64{}
	for _, t := range shown {
		cw, cn = cw[:0], cn[:0]
		for _, c := range t.cells {
			cw = append(cw, c.C.Win)
			cn = append(cn, c.N)
		}
		limit := opts.Limit
		if ol, ok := own[t.h]; ok {
			limit = ol.limit
		}
		f := windowFigures(cw, cn, limit, stamp)
		qc := Client{Client: t.name, Requests: t.requests, Peak: f.Peak, P99: f.P99, RateLimited: t.rateLimited, WindowsOverLimit: f.WindowsOverLimit}
		if limit > 0 {
			qc.LimitPerWindow = &limit
		}
		if b := tracker; b != nil {
			if st := b.by[t.h]; st != nil {
				qc.After429Requests, qc.RetryAfterViolations = st.after, st.violations
				if st.after > 0 {
					c := analysis.Round(1-float64(st.violations)/float64(st.after), 4)
					m := analysis.Round(float64(st.gapSum)/float64(st.after)/1e9, 3)
					qc.Compliance, qc.MeanBackoffSeconds = &c, &m
				}
			}
		}
		if hd := q.headers[t.h]; hd != nil {
			if hd.limit >= 0 {
				qc.RateLimitHeader = &hd.limit
			}
			if hd.minRemaining >= 0 {
				qc.MinRemaining = &hd.minRemaining
			}
		}
		r.Clients = append(r.Clients, qc)
	}
	var busiestN int64 = -1
	var busiestCells []cellCount
	if busiest != nil {
		busiestN, r.busiest, busiestCells = busiest.requests, busiest.name, busiest.cells
	}

	// Per-minute series for the sparklines.
	if len(ws) > 0 {
		minute := int64(time.Minute)
		first, last := ws[0]*win/minute, (ws[len(ws)-1]*win+win-1)/minute
		if last-first < 100000 {
			r.overallSeries = make([]int64, last-first+1)
			for w, wc := range q.windows {
				r.overallSeries[w*win/minute-first] += wc.requests
			}
			if busiestN > 0 {
				r.busiestSeries = make([]int64, last-first+1)
				for _, c := range busiestCells {
					r.busiestSeries[c.C.Win*win/minute-first] += c.N
				}
			}
		}
	}
	return r
}

// clientTotal is a client's quota figures while the section is built.
type clientTotal struct {
	h                                 uint64
	name                              string
	requests, rateLimited, violations int64
	cells                             []cellCount // sorted by window
}

// byQuotaCounts orders clients the hammering first: Retry-After
// violations, then 429s, then requests, all descending.
func byQuotaCounts(a, b *clientTotal) int {
	return cmp.Or(cmp.Compare(b.violations, a.violations), cmp.Compare(b.rateLimited, a.rateLimited),
		cmp.Compare(b.requests, a.requests))
}

// byQuotaOrder is byQuotaCounts, then by name and hash: the order the
// section lists clients in.
func byQuotaOrder(a, b *clientTotal) int {
	return cmp.Or(byQuotaCounts(a, b), cmp.Compare(a.name, b.name), cmp.Compare(a.h, b.h))
}

// cursor reads values by client hash from a sorted list, for look-ups that
// come in ascending order of hash: it walks forward from the last one, and
// starts again from the beginning when asked for a smaller hash.
type cursor[V any] struct {
	keys []uint64
	vals []V
	i    int
}

func newCursor[V any](m map[uint64]V) *cursor[V] {
	c := &cursor[V]{keys: slices.Sorted(maps.Keys(m))}
	c.vals = make([]V, len(c.keys))
	for i, k := range c.keys {
		c.vals[i] = m[k]
	}
	return c
}

// get returns the value of h, the zero value when it has none.
func (c *cursor[V]) get(h uint64) V {
	if c.i > 0 && c.keys[c.i-1] >= h {
		c.i = 0
	}
	for c.i < len(c.keys) && c.keys[c.i] < h {
		c.i++
	}
	if c.i < len(c.keys) && c.keys[c.i] == h {
		c.i++
		return c.vals[c.i-1]
	}
	var zero V
	return zero
}

// windowFigures computes the figures of a series: ws are the non-empty
// windows, sorted; counts their requests, in the same order.
func windowFigures(ws []int64, counts []int64, limit int64, stamp func(int64) string) Windows {
	var f Windows
	if len(ws) == 0 {
		return f
	}
	f.Windows = ws[len(ws)-1] - ws[0] + 1
	vals := make([]int64, 0, len(ws))
	var peakW int64
	run, prev := int64(0), int64(math.MinInt64)
	for i, w := range ws {
		n := counts[i]
		f.Requests += n
		vals = append(vals, n)
		if n > f.Peak {
			f.Peak, peakW = n, w
		}
		if limit > 0 {
			if n > limit {
				f.WindowsOverLimit++
				if w == prev+1 && run > 0 {
					run++
				} else {
					run = 1
				}
				f.LongestOverLimitRun = max(f.LongestOverLimitRun, run)
			} else {
				run = 0
			}
			prev = w
			if n*10 >= limit*8 {
				f.WindowsAt80++
			}
			if n*10 >= limit*9 {
				f.WindowsAt90++
			}
			if n >= limit {
				f.WindowsAt100++
			}
		}
	}
	if f.Peak > 0 {
		p := stamp(peakW)
		f.PeakStart = &p
	}
	slices.Sort(vals)
	zeros := f.Windows - int64(len(vals))
	rank := func(p float64) int64 {
		k := int64(math.Ceil(p * float64(f.Windows)))
		if k < 1 {
			k = 1
		}
		if k <= zeros {
			return 0
		}
		return vals[k-zeros-1]
	}
	f.P50, f.P95, f.P99 = rank(0.50), rank(0.95), rank(0.99)
	if limit > 0 {
		h := limit - f.P99
		f.Headroom = &h
	}
	return f
}
