package report

import (
	"analyze/report/analysis"
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"analyze/ingest"
)

// writeHeavyMinute writes the reviewer's reproduction: normal minutes from
// 10:00 to 10:29 and 10:31 to 10:40 (100 requests each, one 503), and at
// 10:30 280,000 503s on /api/files/{id}, each id distinct, from three
// clients with one user agent.
func writeHeavyMinute(t testing.TB, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "heavy.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	line := func(ip string, at time.Time, path string, status int, agent string) {
		fmt.Fprintf(w, `%s - - [%s] "GET %s HTTP/1.1" %d 12 "-" "%s"`+"\n",
			ip, at.Format("02/Jan/2006:15:04:05 -0700"), path, status, agent)
	}
	t0 := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	for m := range 41 {
		at := t0.Add(time.Duration(m) * time.Minute)
		if m == 30 {
			for i := range heavyFailures {
				line(fmt.Sprintf("10.9.0.%d", 1+i%3), at.Add(time.Duration(i)*time.Minute/heavyFailures),
					fmt.Sprintf("/api/files/%d", 100000+i), 503, "uploader/3.1")
			}
			continue
		}
		for i := range 100 {
			status := 200
			if i == 50 {
				status = 503
			}
			line(fmt.Sprintf("10.1.0.%d", i%20), at.Add(time.Duration(i)*time.Second/2), fmt.Sprintf("/api/items/%d", i), status, "browser/1.0")
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

const heavyFailures = 280_000

// TestHeavyMinuteNamesWhoAndWhat is the reviewer's reproduction: one
// minute alone fills the failure detail. Its incident must still name its
// endpoint, its three clients and its user agent with its count, and list
// paths, whatever the workers and through a stored run, and the folded
// values are counted.
func TestHeavyMinuteNamesWhoAndWhat(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: 280,000 lines")
	}
	path := writeHeavyMinute(t, t.TempDir())
	for _, workers := range []int{1, 2, 0} { // 0: one worker's run stored (--state) and merged into an empty one
		r, files := aggregate(t, []string{path}, ingest.Options{Workers: max(workers, 1)}, Filter{})
		if workers == 0 {
			sum, err := Aggregate(t.Context(), files, ingest.Options{Workers: 1}, Config{})
			if err != nil {
				t.Fatal(err)
			}
			stored, err := sum.Snapshot(files)
			if err != nil {
				t.Fatal(err)
			}
			merged := NewSummary(Config{})
			if err := merged.MergeSnapshot(stored); err != nil {
				t.Fatal(err)
			}
			r = Build(merged, nil, Filter{}, Options{Top: 10, Version: "test"})
			// The folded failures are stored: the minute still counts all.
			g := groupKey{analysis.FloorDiv(time.Date(2025, 3, 12, 10, 30, 0, 0, time.UTC).UnixNano(), detectWidth), kindServer}
			if n := merged.det.groupFailures()[g]; n != heavyFailures {
				t.Errorf("stored: the heavy minute's detail accounts for %d failures, want %d", n, heavyFailures)
			}
		}
		if len(r.Incidents) != 1 {
			t.Fatalf("workers %d: %d incidents, want 1: %+v", workers, len(r.Incidents), r.Incidents)
		}
		in := r.Incidents[0]
		clients := slices.Sorted(slices.Values(in.Clients))
		if in.Start != "2025-03-12T10:30:00Z" || in.Failures != heavyFailures || !slices.Equal(in.Endpoints, []string{"/api/files/{id}"}) ||
			!slices.Equal(clients, []string{"10.9.0.1", "10.9.0.2", "10.9.0.3"}) ||
			!slices.Equal(in.UserAgents, []IncidentAgent{{"uploader/3.1", heavyFailures}}) || len(in.Paths) != incidentListRaw {
			t.Errorf("workers %d: incident %s, %d failures, endpoints %q, clients %q, agents %+v, %d paths; want 10:30, %d, /api/files/{id}, the three 10.9.0.x, uploader/3.1 with %d, %d paths",
				workers, in.Start, in.Failures, in.Endpoints, in.Clients, in.UserAgents, len(in.Paths), heavyFailures, heavyFailures, incidentListRaw)
		}
		for _, p := range in.Paths {
			if p.Count != 1 {
				t.Errorf("workers %d: path %+v, want a count of 1", workers, p)
			}
		}
		b := r.Bounds
		if b.TimelineFailuresDropped != 0 || b.TimelineDetailsFolded <= 0 || b.TimelineDetailsFolded > heavyFailures {
			t.Errorf("workers %d: %d failures dropped, %d values folded; want none dropped, some of the paths folded", workers, b.TimelineFailuresDropped, b.TimelineDetailsFolded)
		}
	}
}

// groupTotals sums each list of each group: its values kept and folded.
func groupTotals(a *minuteAgg) map[groupKey][fieldCount]int64 {
	n := map[groupKey][fieldCount]int64{}
	for k, c := range a.strs {
		v := n[k.groupKey]
		v[k.field] += c
		n[k.groupKey] = v
	}
	for k, c := range a.clients {
		v := n[k.groupKey]
		v[fieldClient] += c
		n[k.groupKey] = v
	}
	for g, d := range a.groups {
		v := n[g]
		for f, c := range d.other {
			v[f] += c
		}
		n[g] = v
	}
	return n
}

// TestGroupFold fills one group's lists past the bound with values of one
// failure and a few heavy ones arriving last, alone, merged from shards,
// through a stored run and widened: the heavy values keep their exact
// counts, no list holds 2*groupKeep values past what came since the last
// cut, every list accounts for every failure (kept + folded), and a group
// under the bound is exact.
func TestGroupFold(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC).UnixNano()
	const light = 3 * groupKeep
	fill := func(a *minuteAgg, from, to int) {
		for i := from; i < to; i++ {
			f := &failure{endpoint: []byte(fmt.Sprint("/e/", i)), host: []byte(fmt.Sprint("h", i)), path: []byte(fmt.Sprint("/p/", i)),
				agent: []byte(fmt.Sprint("ua", i)), client: uint64(1000 + i)}
			if i >= light { // the heavy ones: 4 values of 10 failures each
				j := i % 4
				f = &failure{endpoint: []byte(fmt.Sprint("/E/", j)), host: []byte(fmt.Sprint("H", j)), path: []byte(fmt.Sprint("/P/", j)),
					agent: []byte(fmt.Sprint("UA", j)), client: uint64(j)}
			}
			a.add(t0+int64(i), 503, f)
		}
		// Another minute, under the bound: exact.
		a.add(t0+int64(time.Minute), 503, &failure{endpoint: []byte("/x"), client: 7})
	}
	one := newMinuteAgg()
	fill(one, 0, light+40)
	x, y := newMinuteAgg(), newMinuteAgg()
	fill(x, 0, light/2)
	fill(y, light/2, light+40)
	x.merge(y)
	stored := newMinuteAgg()
	d := one.snap()
	stored.restore(&d, one.dropped)
	widened := newMinuteAgg()
	d = one.snap()
	widened.restore(&d, one.dropped)
	widened.widen(5 * detectWidth)

	g := groupKey{analysis.FloorDiv(t0, detectWidth), kindServer}
	for _, tc := range []struct {
		name  string
		a     *minuteAgg
		other int64 // failures of the light minute in the group: an endpoint and a client only
	}{
		{"one shard", one, 0}, {"merged", x, 0}, {"stored", stored, 0}, {"widened", widened, 1},
	} {
		a := tc.a
		g := groupKey{analysis.FloorDiv(g.win*detectWidth, a.width), kindServer}
		want := int64(light + 40 + tc.other)
		for f, n := range groupTotals(a)[g] {
			w := want
			if f != int(fieldEndpoint) && f != int(fieldClient) {
				w -= tc.other
			}
			if n != w {
				t.Errorf("%s: list %d accounts for %d failures, want %d", tc.name, f, n, w)
			}
		}
		for j := range 4 {
			for field, s := range map[int8]string{fieldEndpoint: "/E/", fieldHost: "H", fieldPath: "/P/", fieldAgent: "UA"} {
				if n := a.strs[failStr{g, field, fmt.Sprint(s, j)}]; n != 10 {
					t.Errorf("%s: %s%d has %d failures, want 10", tc.name, s, j, n)
				}
			}
			if n := a.clients[failHash{g, uint64(j)}]; n != 10 {
				t.Errorf("%s: client %d has %d failures, want 10", tc.name, j, n)
			}
		}
		if n := a.groupFailures()[g]; n != want {
			t.Errorf("%s: the group counts %d failures, want %d", tc.name, n, want)
		}
		gd := a.groups[g]
		if gd == nil {
			t.Fatalf("%s: no index of the group", tc.name)
		}
		// Cut lists hold fewer than 2*groupKeep; since the last cut, a list
		// grew by at most the values added since.
		for f, n := range gd.n {
			if int(n) >= 2*groupKeep+a.grown {
				t.Errorf("%s: list %d holds %d values, bound %d + %d added since the last cut", tc.name, f, n, 2*groupKeep, a.grown)
			}
		}
		var counted [fieldCount]int32
		for k := range a.strs {
			if k.groupKey == g {
				counted[k.field]++
			}
		}
		for k := range a.clients {
			if k.groupKey == g {
				counted[fieldClient]++
			}
		}
		if counted != gd.n {
			t.Errorf("%s: the group holds %v values, its counts say %v", tc.name, counted, gd.n)
		}
		if a.folded == 0 || a.dropped != 0 {
			t.Errorf("%s: folded %d, dropped %d; want some folded, none dropped", tc.name, a.folded, a.dropped)
		}
	}
	// The minute under the bound is exact.
	if n := one.strs[failStr{groupKey{analysis.FloorDiv(t0, detectWidth) + 1, kindServer}, fieldEndpoint, "/x"}]; n != 1 {
		t.Errorf("the light minute's endpoint: %d failures, want 1", n)
	}
}
