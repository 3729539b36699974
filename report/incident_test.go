package report

import (
	"analyze/report/analysis"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"analyze/ingest"
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
		if tc.gaps > 0 && (tl.Gaps[0] != Gap{"2025-03-01T18:00:00Z", "2025-03-02T08:00:00Z", 840}) {
			t.Errorf("%s: first gap %+v, want the night from 18:00 to 08:00", tc.name, tl.Gaps[0])
		}
	}
}

// TestMinuteAggPrune fills the failure detail past its limit with light
// minutes, then an incident's heavy minute: the heavy minute keeps its
// detail, the light ones lose theirs whole, and every failure is either
// kept or counted as dropped.
func TestMinuteAggPrune(t *testing.T) {
	a := newMinuteAgg()
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	var failures int64
	add := func(t int64, path string) {
		a.add(t, 503, &failure{endpoint: []byte("/x/{id}"), client: 1, path: []byte(path)})
		failures++
	}
	// Light minutes: one failure each, on a path of its own.
	for i := range failEntryLimit / 2 {
		add(t0+int64(i)*int64(time.Minute), fmt.Sprint("/x/", i))
	}
	heavy := t0 + int64(failEntryLimit/2)*int64(time.Minute)
	for i := range 50 {
		add(heavy+int64(i), fmt.Sprint("/x/h", i%5))
	}
	kept := int64(0)
	for _, n := range a.groupFailures() {
		kept += n
	}
	if a.dropped == 0 || kept+a.dropped != failures {
		t.Fatalf("kept %d + dropped %d failures, want %d in all and some dropped", kept, a.dropped, failures)
	}
	if n := a.groupFailures()[groupKey{analysis.FloorDiv(heavy, a.width), kindServer}]; n != 50 {
		t.Errorf("the heavy minute keeps %d failures' detail, want 50", n)
	}
	if len(a.strs)+len(a.clients) >= failEntryLimit {
		t.Errorf("%d entries, limit %d", len(a.strs)+len(a.clients), failEntryLimit)
	}
	// A pruned minute stays without detail: a later failure in it is dropped.
	before := a.dropped
	add(t0, "/x/late")
	if a.dropped != before+1 {
		t.Errorf("a failure in a pruned minute: dropped %d, want %d", a.dropped, before+1)
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
	status := map[int8]int32{kindServer: 503, kindLimited: 429}
	for _, c := range sn.Detect.FailStrs {
		switch c.Field {
		case fieldEndpoint:
			sn.FailEndpoints = append(sn.FailEndpoints, failEndpointSnap{c.Win * per, status[c.Kind], c.S, c.N})
		case fieldHost:
			sn.FailHosts = append(sn.FailHosts, failEndpointSnap{c.Win * per, status[c.Kind], c.S, c.N})
		}
	}
	for _, c := range sn.Detect.FailHashes {
		sn.FailClients = append(sn.FailClients, failClientSnap{c.Win * per, status[c.Kind], c.Client, c.N})
	}
	sn.Detect = detectSnap{}
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
