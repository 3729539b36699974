// Package synth generates realistic, deterministic access logs of Quable PIM
// API traffic, for the bundled samples, tests and benchmarks.
//
// In: a Config (seed, size, format). Out: log lines on an io.Writer. The same
// Config always gives the same bytes. The traffic follows a scenario that
// exercises every report: steady integrations, a client that bursts past its
// rate limit and hammers on 429, an incident of 503/504s on the import and
// export endpoints, anonymous callers with bad credentials, a client that
// repeats a 422 unchanged, retries that back off properly, and (optionally) a
// sprinkle of the malformed lines real logs have. Memory stays flat whatever
// the size: pending retries are the only state.
package synth

import (
	"bufio"
	"container/heap"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Config says what to generate.
type Config struct {
	Seed      uint64
	Lines     int       // lines to write, malformed ones included
	Start     time.Time // time of the first request; its zone is the log's zone
	Rate      float64   // mean requests per second outside bursts
	Format    string    // one of Formats
	Malformed int       // one malformed line every Malformed lines; 0 for none
}

// Formats are the outputs the generator writes.
var Formats = []string{"combined", "common", "json", "nginx", "alb", "w3c", "envoy",
	"vhost", "nginx_main", "ingress", "traefik", "istio", "elb", "haproxy", "cloudfront", "caddy"}

// Default returns the configuration of the bundled samples' scenario.
func Default() Config {
	return Config{
		Seed:   1,
		Lines:  1500,
		Start:  time.Date(2025, 3, 12, 9, 0, 0, 0, time.FixedZone("CET", 3600)),
		Rate:   0.6,
		Format: "combined",
	}
}

// client is one API consumer and how it behaves.
type client struct {
	user, addr, agent string
	weight            float64
	retry             retryStyle
	calls             []call
}

type retryStyle uint8

const (
	retryPolite retryStyle = iota // waits Retry-After on 429/503, backs off on 5xx
	retryHammer                   // retries a 429 within a second, again and again
	retryNever                    // never retries
	retryRepeat                   // repeats even a 422 unchanged
)

// call is a kind of request a client makes.
type call struct {
	method, path string // path may hold {n} (a number) or {u} (a UUID)
	query        string
	weight       float64
}

var clients = []*client{
	{user: "erp-sync", addr: "203.0.113.10", agent: "erp-sync/4.2 QuableSDK-PHP/2.3.1", weight: 34, retry: retryPolite, calls: []call{
		{"GET", "/api/documents/{n}", "", 40}, {"PUT", "/api/documents/{n}", "", 25}, {"GET", "/api/documents", "page={p}&limit=100", 10},
		{"GET", "/api/attributes", "", 3}, {"GET", "/api/classifications/{n}", "", 5}, {"POST", "/api/documents", "", 6},
	}},
	{user: "shop-connector", addr: "198.51.100.23", agent: "Shopify-Quable-Connector/1.8 (+https://apps.shopify.com)", weight: 20, retry: retryHammer, calls: []call{
		{"GET", "/api/documents/{n}", "lang=fr_FR", 50}, {"GET", "/api/assets/{u}", "", 30}, {"GET", "/api/documents", "page={p}&limit=50", 20},
	}},
	{user: "dam-importer", addr: "192.0.2.44", agent: "dam-importer/2.0 (python-requests/2.32.3)", weight: 14, retry: retryNever, calls: []call{
		{"POST", "/api/assets", "", 40}, {"POST", "/api/imports", "", 20}, {"GET", "/api/imports/{n}", "", 30}, {"PATCH", "/api/assets/{u}", "", 10},
	}},
	{user: "bi-export", addr: "2001:db8:85a3::8a2e:370:7334", agent: "bi-export/0.9 Go-http-client/2.0", weight: 10, retry: retryPolite, calls: []call{
		{"GET", "/api/exports/{n}.csv", "", 30}, {"POST", "/api/exports", "", 10}, {"GET", "/api/documents", "page={p}&limit=500&fields=code,status", 60},
	}},
	{user: "legacy-pim-sync", addr: "203.0.113.77", agent: "legacy-pim-sync/1.0 Java/1.8.0_202", weight: 8, retry: retryRepeat, calls: []call{
		{"PATCH", "/api/documents/{n}", "", 60}, {"GET", "/api/document-types", "", 20}, {"DELETE", "/api/links/{n}", "", 20},
	}},
	{user: "", addr: "", agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", weight: 14, retry: retryNever, calls: []call{
		{"GET", "/api/users/me", "", 40}, {"GET", "/api/documents/{n}", "", 30}, {"GET", "/api/locales", "", 20}, {"OPTIONS", "/api/documents", "", 10},
	}},
}

// request is one line to write.
type request struct {
	at      time.Time
	c       *client
	method  string
	target  string
	status  int
	bytes   int
	dur     time.Duration
	addr    string
	attempt int
}

// pending is a heap of retries waiting for their time.
type pending []*request

func (p pending) Len() int           { return len(p) }
func (p pending) Less(i, j int) bool { return p[i].at.Before(p[j].at) }
func (p pending) Swap(i, j int)      { p[i], p[j] = p[j], p[i] }
func (p *pending) Push(x any)        { *p = append(*p, x.(*request)) }
func (p *pending) Pop() any {
	old := *p
	x := old[len(old)-1]
	*p = old[:len(old)-1]
	return x
}

type generator struct {
	cfg   Config
	rng   *rand.Rand
	now   time.Time
	span  time.Duration // expected duration of the whole log
	queue pending
	total float64
}

// Write writes cfg.Lines lines of log to w.
func Write(w io.Writer, cfg Config) error {
	if cfg.Rate <= 0 {
		cfg.Rate = 1
	}
	if cfg.Start.IsZero() {
		cfg.Start = Default().Start
	}
	g := &generator{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5eed)), now: cfg.Start}
	g.span = time.Duration(float64(cfg.Lines) / cfg.Rate / 1.25 * float64(time.Second))
	for _, c := range clients {
		g.total += c.weight
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	buf := make([]byte, 0, 1024)
	for i := 0; i < cfg.Lines; i++ {
		if cfg.Format == "w3c" && (i == 0 || i == cfg.Lines/2) && cfg.Lines-i >= 4 {
			// IIS writes its directives when it opens a file, and again
			// after a restart: here, halfway.
			buf = g.w3cHeader(buf[:0])
			i += 3
		} else if cfg.Format == "cloudfront" && i == 0 && cfg.Lines >= 2 {
			buf = fmt.Appendf(buf[:0], "#Version: 1.0\n#Fields: %s", CloudFrontFields)
			i++
		} else if cfg.Malformed > 0 && i%cfg.Malformed == cfg.Malformed/2 {
			buf = g.malformed(buf[:0], i)
		} else {
			buf = g.format(buf[:0], g.next())
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// phase returns where t falls in the scenario, from 0 to 1.
func (g *generator) phase(t time.Time) float64 {
	return float64(t.Sub(g.cfg.Start)) / float64(g.span)
}

// inIncident reports whether t is in the incident: two windows where the
// import and export back ends fail.
func (g *generator) inIncident(t time.Time) bool {
	p := g.phase(t)
	return p > 0.55 && p < 0.62 || p > 0.86 && p < 0.88
}

// inBurst reports whether t is in one of shop-connector's bursts: the first
// 90 seconds of every 20 minutes.
func (g *generator) inBurst(t time.Time) bool {
	return int(t.Sub(g.cfg.Start).Seconds())%1200 < 90
}

// next returns the next request: a due retry, or new traffic.
func (g *generator) next() *request {
	rate := g.cfg.Rate
	if g.inBurst(g.now) {
		rate *= 2
	}
	gap := time.Duration(g.rng.ExpFloat64() / rate * float64(time.Second))
	t := g.now.Add(gap)
	if len(g.queue) > 0 && !g.queue[0].at.After(t) {
		r := heap.Pop(&g.queue).(*request)
		g.now = r.at
		g.respond(r)
		return r
	}
	g.now = t
	r := g.fresh(t)
	g.respond(r)
	return r
}

func (g *generator) fresh(t time.Time) *request {
	c := g.pickClient(t)
	k := c.calls[g.pick(len(c.calls), func(i int) float64 { return c.calls[i].weight })]
	r := &request{at: t, c: c, method: k.method, addr: c.addr}
	if c.addr == "" {
		r.addr = fmt.Sprintf("%d.%d.%d.%d", 81+g.rng.IntN(100), g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
	}
	r.target = g.fill(k.path)
	if k.query != "" {
		r.target += "?" + g.fill(k.query)
	}
	return r
}

func (g *generator) pickClient(t time.Time) *client {
	if g.inBurst(t) && g.rng.Float64() < 0.6 {
		return clients[1] // shop-connector floods during its bursts
	}
	return clients[g.pick(len(clients), func(i int) float64 { return clients[i].weight })]
}

func (g *generator) pick(n int, weight func(int) float64) int {
	sum := 0.0
	for i := range n {
		sum += weight(i)
	}
	x := g.rng.Float64() * sum
	for i := range n {
		x -= weight(i)
		if x < 0 {
			return i
		}
	}
	return n - 1
}

// fill replaces {n}, {u} and {p} in a path or query template.
func (g *generator) fill(tmpl string) string {
	out := make([]byte, 0, len(tmpl)+32)
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] == '{' && i+2 < len(tmpl) && tmpl[i+2] == '}' {
			switch tmpl[i+1] {
			case 'n':
				out = strconv.AppendInt(out, int64(1000+g.rng.IntN(90000)), 10)
			case 'p':
				out = strconv.AppendInt(out, int64(1+g.rng.IntN(40)), 10)
			case 'u':
				out = fmt.Appendf(out, "%08x-%04x-4%03x-a%03x-%012x", g.rng.Uint32(), g.rng.IntN(1<<16), g.rng.IntN(1<<12), g.rng.IntN(1<<12), g.rng.Uint64()&(1<<48-1))
			}
			i += 2
			continue
		}
		out = append(out, tmpl[i])
	}
	return string(out)
}

// respond decides the status, size and duration of r, and schedules the
// client's retry when its style calls for one.
func (g *generator) respond(r *request) {
	c := r.c
	x := g.rng.Float64()
	post := r.method == "POST" || r.method == "PATCH"
	heavy := len(r.target) >= 12 && (r.target[:12] == "/api/imports" || r.target[:12] == "/api/exports" || r.target[:11] == "/api/assets")
	switch {
	case c == clients[1] && g.inBurst(r.at) && x < 0.45:
		r.status = 429
	case g.inIncident(r.at) && heavy && x < 0.6:
		r.status = 503
	case g.inIncident(r.at) && heavy && x < 0.75:
		r.status = 504
	case c.user == "" && x < 0.35:
		r.status = 401
	case c.user == "" && x < 0.38:
		r.status = 403
	case c == clients[4] && r.method == "PATCH" && x < 0.08:
		r.status = 422
	case x < 0.004:
		r.status = 500
	case r.method == "GET" && x < 0.04:
		r.status = 404
	case post && x < 0.03:
		r.status = 400
	case r.method == "PUT" && x < 0.05:
		r.status = 422
	case r.method == "PUT" && x < 0.06:
		r.status = 409
	case r.method == "POST":
		r.status = 201
	case r.method == "DELETE":
		r.status = 204
	default:
		r.status = 200
	}
	switch {
	case r.status >= 400:
		r.bytes = 90 + g.rng.IntN(120)
	case r.status == 204:
		r.bytes = 0
	case r.method == "GET":
		r.bytes = 800 + g.rng.IntN(24000)
	default:
		r.bytes = 60 + g.rng.IntN(400)
	}
	ms := 15 + g.rng.ExpFloat64()*60
	if heavy {
		ms *= 4
	}
	if r.status == 504 {
		ms = 30000 + g.rng.Float64()*200
	}
	r.dur = time.Duration(ms * float64(time.Millisecond))
	g.scheduleRetry(r)
}

func (g *generator) scheduleRetry(r *request) {
	var wait time.Duration
	switch r.c.retry {
	case retryPolite:
		if r.attempt >= 4 {
			return
		}
		switch r.status {
		case 429, 503:
			wait = time.Duration(30+g.rng.IntN(10)) * time.Second // Retry-After: 30
		case 500, 502, 504:
			wait = time.Duration(math.Pow(2, float64(r.attempt+1))) * time.Second
		default:
			return
		}
	case retryHammer:
		if r.status != 429 || r.attempt >= 6 {
			return
		}
		wait = time.Duration(200+g.rng.IntN(800)) * time.Millisecond
	case retryRepeat:
		if r.status != 422 || r.attempt >= 2 {
			return
		}
		wait = 5 * time.Second
	default:
		return
	}
	heap.Push(&g.queue, &request{at: r.at.Add(wait), c: r.c, method: r.method, target: r.target, addr: r.addr, attempt: r.attempt + 1})
}
