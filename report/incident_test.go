package report

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"analyze/ingest"
	"analyze/report/timeline"
	"analyze/samples/synth"
)

// monthOutages are the outages of writeMonth's 17th day.
var monthOutages = []synth.Outage{
	{Start: time.Date(2025, 3, 17, 10, 3, 0, 0, time.UTC), Minutes: 3, Status: 504, Path: "/api/exports/77.csv", Agent: "bi-export/0.9 Go-http-client/2.0"},
	{Start: time.Date(2025, 3, 17, 14, 20, 0, 0, time.UTC), Minutes: 6, Status: 503, Path: "/api/imports/12", Agent: "dam-importer/2.0 (python-requests/2.32.3)"},
}

// writeMonth writes March 2025's working days (08:00 to 18:00 UTC, 12
// requests a minute, none at night), a file a day, and returns the paths.
func writeMonth(t testing.TB, dir string) []string {
	t.Helper()
	var paths []string
	for d := 1; d <= 30; d++ {
		day := time.Date(2025, 3, d, 0, 0, 0, 0, time.UTC)
		p := filepath.Join(dir, fmt.Sprintf("access-%02d.log", d))
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		cfg := synth.DayConfig{Day: day, PerMinute: 12, Seed: 7}
		if d == 17 {
			cfg.Outages = monthOutages
		}
		if err := synth.WriteDay(f, cfg); err != nil {
			t.Fatal(err)
		}
		f.Close()
		paths = append(paths, p)
	}
	return paths
}

// TestIncidentsInAMonth finds a three-minute 504 outage and a six-minute
// 503 outage to the minute, whether the month is read or only their day,
// with one worker or two: incidents are detected on minutes, not on the
// timeline's windows (6 h for the month). The nights are gaps.
func TestIncidentsInAMonth(t *testing.T) {
	paths := writeMonth(t, t.TempDir())
	want := []string{
		"server_error 2025-03-17T10:03:00Z..2025-03-17T10:06:00Z status 504 recovered true path /api/exports/77.csv agent bi-export/0.9 Go-http-client/2.0",
		"server_error 2025-03-17T14:20:00Z..2025-03-17T14:26:00Z status 503 recovered true path /api/imports/12 agent dam-importer/2.0 (python-requests/2.32.3)",
	}
	for _, tc := range []struct {
		name    string
		paths   []string
		workers int
		gaps    int
	}{
		{"month", paths, 1, 29},
		{"month, 2 workers", paths, 2, 29},
		{"the day", paths[16:17], 1, 0},
	} {
		r, _ := aggregate(t, tc.paths, ingest.Options{Workers: tc.workers}, Filter{})
		var got []string
		for _, in := range r.Incidents {
			line := fmt.Sprintf("%s %s..%s status %d recovered %v", in.Kind, in.Start, in.End, in.Status, in.Recovered)
			if len(in.Paths) > 0 && len(in.UserAgents) > 0 {
				line += fmt.Sprintf(" path %s agent %s", in.Paths[0].Path, in.UserAgents[0].UserAgent)
			}
			got = append(got, line)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: incidents\n got %q\nwant %q", tc.name, got, want)
		}
		tl := r.Timeline
		if tl.DetectionSeconds != 60 || tl.GapsTotal != tc.gaps || len(tl.Gaps) != tc.gaps || tl.FailuresDropped != 0 {
			t.Errorf("%s: detection %v s, %d gaps (%d listed), %d failures dropped; want 60 s, %d gaps, none dropped",
				tc.name, tl.DetectionSeconds, tl.GapsTotal, len(tl.Gaps), tl.FailuresDropped, tc.gaps)
		}
		if tc.gaps > 0 && (tl.Gaps[0] != Gap{Start: "2025-03-01T18:00:00Z", End: "2025-03-02T08:00:00Z", Minutes: 840}) {
			t.Errorf("%s: first gap %+v, want the night from 18:00 to 08:00", tc.name, tl.Gaps[0])
		}
	}
}

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

const (
	heavyFailures = 280_000
	incidentPaths = 10 // paths listed per incident
)

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
		}
		if len(r.Incidents) != 1 {
			t.Fatalf("workers %d: %d incidents, want 1: %+v", workers, len(r.Incidents), r.Incidents)
		}
		in := r.Incidents[0]
		clients := slices.Sorted(slices.Values(in.Clients))
		if in.Start != "2025-03-12T10:30:00Z" || in.Failures != heavyFailures || !slices.Equal(in.Endpoints, []string{"/api/files/{id}"}) ||
			!slices.Equal(clients, []string{"10.9.0.1", "10.9.0.2", "10.9.0.3"}) ||
			!slices.Equal(in.UserAgents, []IncidentAgent{{UserAgent: "uploader/3.1", Count: heavyFailures}}) || len(in.Paths) != incidentPaths {
			t.Errorf("workers %d: incident %s, %d failures, endpoints %q, clients %q, agents %+v, %d paths; want 10:30, %d, /api/files/{id}, the three 10.9.0.x, uploader/3.1 with %d, %d paths",
				workers, in.Start, in.Failures, in.Endpoints, in.Clients, in.UserAgents, len(in.Paths), heavyFailures, heavyFailures, incidentPaths)
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

// TestSnapshotBeforeMinutes restores a run stored before the incidents'
// minutes (no Detect; its timeline windows and failure cells stand in):
// the same incidents, by start, end, status and who, without the paths and
// user agents it did not store.
func TestSnapshotBeforeMinutes(t *testing.T) {
	dir := t.TempDir()
	stored := synthFiles(t, dir, "stored.log", 30000)
	sum, err := Aggregate(context.Background(), stored, ingest.Options{}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := sum.Snapshot(stored)
	if err != nil {
		t.Fatal(err)
	}
	sn, err := decodeSnapshot(enc)
	if err != nil {
		t.Fatal(err)
	}
	per := int64(time.Minute) / sn.TimelineWidth
	if sn.TimelineWidth > int64(time.Minute) || int64(time.Minute)%sn.TimelineWidth != 0 {
		t.Fatalf("the stored run's timeline windows are %v: want a minute or a divisor", time.Duration(sn.TimelineWidth))
	}
	status := map[int8]int32{timeline.KindServer: 503, timeline.KindLimited: 429}
	for _, c := range sn.Detect.FailStrs {
		switch c.Field {
		case timeline.FieldEndpoint:
			sn.FailEndpoints = append(sn.FailEndpoints, timeline.FailEndpointSnap{Win: c.Win * per, Status: status[c.Kind], Endpoint: c.S, N: c.N})
		case timeline.FieldHost:
			sn.FailHosts = append(sn.FailHosts, timeline.FailEndpointSnap{Win: c.Win * per, Status: status[c.Kind], Endpoint: c.S, N: c.N})
		}
	}
	for _, c := range sn.Detect.FailHashes {
		sn.FailClients = append(sn.FailClients, timeline.FailClientSnap{Win: c.Win * per, Status: status[c.Kind], Client: c.Client, N: c.N})
	}
	sn.Detect = timeline.DetectSnap{}
	legacy, err := sn.encode()
	if err != nil {
		t.Fatal(err)
	}
	incidents := func(b []byte) []string {
		s := NewSummary(Config{})
		if err := s.MergeSnapshot(b); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, in := range Build(s, nil, Filter{}, Options{Top: 10, Version: "test"}).Incidents {
			out = append(out, fmt.Sprintf("%s %s..%s %d %d %v %v %v", in.Kind, in.Start, in.End, in.Status, in.Failures, in.Endpoints, in.Clients, in.Hosts))
		}
		return out
	}
	got, want := incidents(legacy), incidents(enc)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("a run stored before the minutes gives\n%q\nwant\n%q", got, want)
	}
}
