package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"analyze/samples/synth"
)

// incidentsOf runs analyze with args and returns its incidents as "kind
// start..end status", and whether any is ongoing.
func incidentsOf(t *testing.T, args ...string) (incs []string, ongoing bool, doc map[string]any) {
	t.Helper()
	r := analyze(t, "", append(slices.Clone(args), "-o", "json")...)
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
		t.Fatalf("%v: code %d, %v: %s", args, r.code, err, r.stderr)
	}
	list, _ := lookup(doc, "incidents")
	for _, i := range list.([]any) {
		in := i.(map[string]any)
		incs = append(incs, fmt.Sprintf("%s %s..%s %v", in["kind"], in["start"], in["end"], in["status"]))
		ongoing = ongoing || in["recovered"] != true
	}
	return incs, ongoing, doc
}

// TestIncidentsWhateverTheSpan is issue 22's acceptance: the samples' two
// 503 outages (08:05 and 08:20 on 2025-03-12) come out the same in the
// default report and analyze timeline, over the whole folder, from
// 2025-03-12, within a few minutes around each, and from each outage's
// own file, none ongoing; and a month
// with a three-minute 504 outage and a six-minute 503 outage gives both,
// to the minute, whether the month or only their day is read.
func TestIncidentsWhateverTheSpan(t *testing.T) {
	outages := []string{"server_error 2025-03-12T08:05:00Z..2025-03-12T08:06:00Z 503", "server_error 2025-03-12T08:20:00Z..2025-03-12T08:21:00Z 503"}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"samples/"}, outages},
		{[]string{"timeline", "samples/"}, outages},
		{[]string{"timeline", "--since", "2025-03-12", "samples/"}, outages},
		{[]string{"--since", "2025-03-12", "samples/"}, outages},
		{[]string{"timeline", "samples/pim-api-envoy.log"}, outages[:1]},
		{[]string{"timeline", "samples/pim-api-access.log"}, outages[1:]},
		// A narrow window around an outage, as an on-call engineer asks
		// (--since 15m): the baseline lies before it, and the outage is
		// found as it is found in the whole log.
		{[]string{"timeline", "--since", "2025-03-12T08:19:00Z", "--until", "2025-03-12T08:23:00Z", "samples/pim-api-access.log"}, outages[1:]},
		{[]string{"--around", "2025-03-12T08:05:30Z", "--span", "2m", "samples/"}, outages[:1]},
	} {
		incs, ongoing, _ := incidentsOf(t, tc.args...)
		var servers []string
		for _, in := range incs {
			if strings.HasPrefix(in, "server_error 2025-03-12") {
				servers = append(servers, in)
			}
		}
		if !slices.Equal(servers, tc.want) || ongoing {
			t.Errorf("%v: server-error incidents on 2025-03-12 %q (ongoing: %v), want %q and none ongoing", tc.args, servers, ongoing, tc.want)
		}
	}
	// The text says it too: no incident ongoing, the gap shown as one
	// (at no width limit, so that no cell wraps the words).
	r := analyze(t, "", "timeline", "--width", "0", "samples/")
	if r.code != 0 || strings.Contains(r.stdout, "ongoing") || !strings.Contains(r.stdout, "(gap: 23h25m without a request)") {
		t.Errorf("analyze timeline samples/: code %d, an incident ongoing or no gap shown:\n%s", r.code, r.stdout)
	}
	_, _, doc := incidentsOf(t, "samples/")
	gaps, _ := lookup(doc, "timeline.gaps")
	if got := fmt.Sprint(gaps); got != "[map[end:2025-03-12T08:00:00Z minutes:1405 start:2025-03-11T08:35:00Z]]" {
		t.Errorf("timeline.gaps = %s, want the day between the two logs", got)
	}

	dir := t.TempDir()
	for d := 1; d <= 30; d++ {
		cfg := synth.DayConfig{Day: time.Date(2025, 3, d, 0, 0, 0, 0, time.UTC), PerMinute: 12, Seed: 3}
		if d == 17 {
			cfg.Outages = []synth.Outage{
				{Start: time.Date(2025, 3, 17, 10, 3, 0, 0, time.UTC), Minutes: 3, Status: 504, Path: "/api/exports/77.csv", Agent: "bi-export/0.9"},
				{Start: time.Date(2025, 3, 17, 14, 20, 0, 0, time.UTC), Minutes: 6, Status: 503, Path: "/api/imports/12", Agent: "dam-importer/2.0"},
			}
		}
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("access-%02d.log", d)))
		if err != nil {
			t.Fatal(err)
		}
		if err := synth.WriteDay(f, cfg); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	want := []string{"server_error 2025-03-17T10:03:00Z..2025-03-17T10:06:00Z 504", "server_error 2025-03-17T14:20:00Z..2025-03-17T14:26:00Z 503"}
	for _, args := range [][]string{{"timeline", dir}, {dir}, {"timeline", filepath.Join(dir, "access-17.log")}} {
		if incs, ongoing, _ := incidentsOf(t, args...); !slices.Equal(incs, want) || ongoing {
			t.Errorf("%v: incidents %q (ongoing: %v), want %q", args, incs, ongoing, want)
		}
	}
}

// TestStateIncidentOpenAtRunEnd ends a --state run in the middle of the
// 08:20 outage: that run reports it ongoing; the next run reads the rest,
// and the period report of the two stored runs gives the incidents of one
// run over the whole log, the outage over at the same minute.
func TestStateIncidentOpenAtRunEnd(t *testing.T) {
	raw, err := os.ReadFile("../../samples/pim-api-access.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(raw, []byte("\n"))
	cut := slices.IndexFunc(lines, func(l []byte) bool { return bytes.Contains(l, []byte("12/Mar/2025:09:20:30 +0100")) })
	if cut < 0 {
		t.Fatal("no line at 08:20:30 in the sample")
	}
	dir := t.TempDir()
	log, statePath := filepath.Join(dir, "access.log"), filepath.Join(dir, "state.json")
	os.WriteFile(log, bytes.Join(lines[:cut], nil), 0o644)
	night1, ongoing, _ := incidentsOf(t, "--state", statePath, log)
	if !ongoing || !slices.Contains(night1, "server_error 2025-03-12T08:20:00Z..2025-03-12T08:21:00Z 503") {
		t.Errorf("the run that ends at 08:20:30: incidents %q (ongoing: %v), want the 503 outage ongoing", night1, ongoing)
	}
	os.WriteFile(log, raw, 0o644)
	incidentsOf(t, "--state", statePath, log)
	_, _, period := incidentsOf(t, "--state", statePath, "--since", "3650d")
	_, _, whole := incidentsOf(t, log)
	a, _ := json.Marshal(period["incidents"])
	b, _ := json.Marshal(whole["incidents"])
	if !bytes.Equal(a, b) || !bytes.Contains(b, []byte(`"start":"2025-03-12T08:20:00Z"`)) {
		t.Errorf("incidents of the two stored runs:\n%s\none run:\n%s", a, b)
	}
}
