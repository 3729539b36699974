package timeline

import (
	"analyze/report/analysis"
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"analyze/classify"
)

// series builds the incidents' minutes: reqs[i] requests in minute i, of
// which fails[i] are 503s on /api/imports/{id}.
func series(reqs, fails []int) *MinuteAgg {
	a := NewMinuteAgg()
	t0 := time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC).UnixNano()
	for i := range reqs {
		for k := range reqs[i] {
			status := 200
			if k < fails[i] {
				status = 503
			}
			host := []byte("acme.quable.example")
			if k%3 == 0 {
				host = []byte("globex.quable.example")
			}
			a.add(t0+int64(i)*int64(time.Minute)+int64(k), status, &failure{endpoint: []byte("/api/imports/{id}"), client: uint64(k % 3), host: host,
				path: fmt.Appendf(nil, "/api/imports/%d", k%2), agent: []byte("sdk/1.0")})
		}
	}
	return a
}

func TestIncidentRule(t *testing.T) {
	name := func(h uint64) string { return fmt.Sprint("client-", h) }
	flat := func(n, v int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	reqs := flat(40, 100)
	fails := flat(40, 1)                         // a 1 % baseline
	fails[20], fails[21], fails[23] = 30, 25, 12 // a spike with a one-window gap
	a := series(reqs, fails)
	incs := findIncidents(a, name)
	if len(incs) != 1 {
		t.Fatalf("incidents: %+v, want one", incs)
	}
	in := incs[0]
	if in.Start != "2025-03-12T08:20:00Z" || in.End != "2025-03-12T08:24:00Z" || in.Peak != 30 || in.PeakAt != "2025-03-12T08:20:00Z" ||
		in.Status != 503 || in.Diagnosis != "unavailable" || !in.Recovered || in.Kind != "server_error" ||
		!reflect.DeepEqual(in.Endpoints, []string{"/api/imports/{id}"}) || len(in.Clients) != 3 || in.BaselineRate != 0.01 || in.Failures != 68 || // 30+25, 1 in the gap, 12
		!reflect.DeepEqual(in.Hosts, []string{"acme.quable.example", "globex.quable.example"}) ||
		!reflect.DeepEqual(in.Paths, []IncidentPath{{"/api/imports/0", 35}, {"/api/imports/1", 33}}) ||
		!reflect.DeepEqual(in.UserAgents, []IncidentAgent{{"sdk/1.0", 68}}) {
		t.Errorf("incident %+v", in)
	}

	// Ongoing at the end of the input: not recovered.
	fails = flat(40, 1)
	fails[39] = 40
	a = series(reqs, fails)
	if incs := findIncidents(a, name); len(incs) != 1 || incs[0].Recovered {
		t.Errorf("a spike in the last minute: %+v, want one incident not recovered", incs)
	}
	// One quiet minute with traffic after it: over, ended at its last
	// flagged minute (the old rule wanted two later windows).
	fails[38], fails[39] = 40, 1
	a = series(reqs, fails)
	if incs := findIncidents(a, name); len(incs) != 1 || !incs[0].Recovered || incs[0].End != "2025-03-12T08:39:00Z" {
		t.Errorf("a spike in the last minute but one: %+v, want one incident over at 08:39", incs)
	}
	// A gap is no recovery: a spike, then only minutes without requests or
	// with fewer than 10, then the end.
	small := flat(40, 100)
	fails = flat(40, 1)
	fails[30] = 40
	for i := 31; i < 40; i++ {
		small[i], fails[i] = 0, 0
	}
	small[35] = 5
	a = series(small, fails)
	if incs := findIncidents(a, name); len(incs) != 1 || incs[0].Recovered {
		t.Errorf("a spike, then a gap: %+v, want one incident not recovered", incs)
	}

	// Noise is no incident: a noisy 5-15 % baseline, and few requests.
	rng := rand.New(rand.NewPCG(1, 2))
	fails = make([]int, 40)
	for i := range fails {
		fails[i] = 5 + rng.IntN(11)
	}
	a = series(reqs, fails)
	if incs := findIncidents(a, name); len(incs) != 0 {
		t.Errorf("noise gave incidents: %+v", incs)
	}
	small = flat(40, 8)
	fails = flat(40, 0)
	fails[10] = 8 // all of a tiny window fails
	a = series(small, fails)
	if incs := findIncidents(a, name); len(incs) != 0 {
		t.Errorf("a minute of 8 requests gave incidents: %+v", incs)
	}
}

// TestTimelineWidens checks that past timelineCap windows the timeline
// widens exactly, and that per-worker aggregates merge to the same result
// as one.
func TestTimelineWidens(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	type rec struct {
		t      int64
		status int
	}
	var recs []rec
	for range 50000 {
		// 20 days of traffic: 10 s windows would be 172,800.
		recs = append(recs, rec{t0 + rng.Int64N(int64(20*24*time.Hour)), []int{200, 200, 200, 404, 429, 503}[rng.IntN(6)]})
	}
	one := NewAgg(0)
	parts := []*Agg{NewAgg(0), NewAgg(0), NewAgg(0)}
	for i, r := range recs {
		lat := analysis.LatencyOf(time.Duration(r.status) * time.Millisecond)
		one.add(r.t, r.status, classify.ClassOf(r.status), lat)
		parts[i%3].add(r.t, r.status, classify.ClassOf(r.status), lat)
	}
	if len(one.windows) > timelineCap || one.width != int64(15*time.Minute) {
		t.Errorf("%d windows of %v; want at most %d, widened to 15m", len(one.windows), time.Duration(one.width), timelineCap)
	}
	parts[0].merge(parts[1])
	parts[0].merge(parts[2])
	a, b := buildTimeline(one, 0), buildTimeline(parts[0], 0)
	if !reflect.DeepEqual(a, b) {
		t.Error("merged per-worker timelines differ from one")
	}
	var total int64
	for _, w := range a.Windows {
		total += w.Requests
	}
	if total != int64(len(recs)) || len(a.Windows) > timelineRows || a.WindowSeconds != 6*3600 {
		t.Errorf("timeline: %d requests in %d windows of %v s", total, len(a.Windows), a.WindowSeconds)
	}
}

// TestStatusCounts counts more statuses than the small array holds: every
// count comes back, through get, each and asMap, whichever way was taken.
func TestStatusCounts(t *testing.T) {
	var c, other statusCounts
	want := map[int32]int64{}
	for i := range 1000 {
		s := int32(200 + i%13*7)
		c.add(s, 1)
		want[s]++
		if i%3 == 0 {
			other.add(s, 2)
			want[s] += 2
		}
	}
	c.addAll(&other)
	if got := c.asMap(); !maps.Equal(got, want) {
		t.Errorf("asMap = %v, want %v", got, want)
	}
	for s, n := range want {
		if c.get(s) != n {
			t.Errorf("get(%d) = %d, want %d", s, c.get(s), n)
		}
	}
	if c.get(999) != 0 {
		t.Errorf("get(999) = %d, want 0", c.get(999))
	}
}

// TestAddLatency adds the same durations to one sketch with Add and to
// another through latencyOf and addLatency (the bucket found once): the
// two encode the same, zero and sub-bucket durations included.
func TestAddLatency(t *testing.T) {
	byAdd, byBucket := analysis.NewSketch(), analysis.NewSketch()
	rng := rand.New(rand.NewPCG(41, 42))
	for i := range 100000 {
		d := time.Duration(rng.Int64N(int64(time.Minute)))
		switch i % 10 {
		case 0:
			d = 0
		case 1:
			d = time.Duration(rng.Int64N(1000)) // below a microsecond
		case 2:
			d = time.Duration(rng.Int64N(1 << 62)) // decades
		}
		byAdd.Add(float64(d) / float64(time.Millisecond))
		analysis.AddLatency(byBucket, analysis.LatencyOf(d))
	}
	var a, b []byte
	byAdd.Encode(&a, false)
	byBucket.Encode(&b, false)
	if !bytes.Equal(a, b) {
		t.Errorf("the sketches differ: %d and %d encoded bytes", len(a), len(b))
	}
}
