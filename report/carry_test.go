package report

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"analyze/ingest"
)

// carryLog generates a time-ordered log of n records whose retry chains,
// non-retryable repeats and 429s are dense enough that any cut falls inside
// some: half the records send a recent request again, within or past the
// window, some with a Retry-After.
func carryLog(seed uint64, n int, window time.Duration) []string {
	rng := rand.New(rand.NewPCG(seed, 21))
	users := []string{"erp", "shop", "dam", "bi"}
	methods := []string{"GET", "GET", "POST", "PUT", "PATCH"}
	paths := []string{"/api/documents/1", "/api/documents/2?lang=fr_FR", "/api/assets/3"}
	statuses := []int{200, 200, 201, 204, 404, 422, 429, 429, 500, 502, 503, 503, 504}
	type req struct{ user, method, path string }
	var recent []req
	var lines []string
	at := 0.0
	for range n {
		switch step := rng.IntN(25); {
		case step == 0:
			at += window.Seconds() + float64(rng.IntN(120)) // past the window
		case step < 4: // the same second: ties go in line order
		default:
			at += float64(1 + rng.IntN(20))
		}
		r := req{users[rng.IntN(len(users))], methods[rng.IntN(len(methods))], paths[rng.IntN(len(paths))]}
		if len(recent) > 0 && rng.IntN(2) == 0 {
			r = recent[rng.IntN(len(recent))]
		}
		if recent = append(recent, r); len(recent) > 6 {
			recent = recent[1:]
		}
		ra := "-"
		if rng.IntN(3) == 0 {
			ra = strconv.Itoa(rng.IntN(40))
		}
		lines = append(lines, rline(r.user, r.method, r.path, at, statuses[rng.IntN(len(statuses))], ra))
	}
	return lines
}

// carryRun aggregates one file of lines, taking up carry (nil: none).
func carryRun(t *testing.T, path string, lines []string, carry []byte, cfg Config) (*Summary, []*ingest.File) {
	t.Helper()
	files := []*ingest.File{}
	if lines != nil {
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var errs []error
		if files, errs = ingest.Expand([]string{path}, false); len(errs) > 0 {
			t.Fatal(errs)
		}
	}
	c, err := DecodeCarry(carry)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Carry = c
	f, err := ingest.ResolveFormat(quotaFormat, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Aggregate(context.Background(), files, ingest.Options{Format: f, Workers: 2, MaxLine: 64 << 10}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return sum, files
}

// sequenceFigures is what the order-sensitive analyses report: the retry
// section (the unrecovered list without its file and line, which name the
// part) and the quota's per-client figures, after-429 ones included.
func sequenceFigures(t *testing.T, s *Summary, files []*ingest.File, cfg Config) string {
	t.Helper()
	r := Build(s, files, Filter{}, Options{Top: 50, Quota: cfg.Quota, Retry: cfg.Retry, Unrecovered: true})
	for i := range r.Retry.UnrecoveredList {
		r.Retry.UnrecoveredList[i].File, r.Retry.UnrecoveredList[i].Line = "", 0
	}
	b, err := json.MarshalIndent([]any{r.Retry, r.Quota.Clients}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCarryAcrossRuns cuts generated logs into 2, 3 and 6 consecutive runs,
// each taking up what the one before left open (Summary.Carry) and storing
// its snapshot, and wants the retry section and the after-429 figures of
// one run over the whole log: from the last run with the earlier runs'
// snapshots merged (a period report with new input), and from the stored
// snapshots alone with the last carry (a period report without a path).
func TestCarryAcrossRuns(t *testing.T) {
	const window = 2 * time.Minute
	cfg := Config{Quota: QuotaOptions{Window: time.Minute, RetryAfter: 20 * time.Second},
		Retry: RetryOptions{Window: window, RetryAfter: 20 * time.Second}}
	for seed := range uint64(6) {
		lines := carryLog(seed, 400+int(seed)*150, window)
		dir := t.TempDir()
		whole, wholeFiles := carryRun(t, filepath.Join(dir, "whole.log"), lines, nil, cfg)
		want := sequenceFigures(t, whole, wholeFiles, cfg)
		for _, parts := range []int{2, 3, 6} {
			rng := rand.New(rand.NewPCG(seed, uint64(parts)))
			// Cuts at random lines, each part at least one line.
			cuts := []int{0}
			for i := 1; i < parts; i++ {
				lo := cuts[i-1] + 1
				hi := len(lines) - (parts - i)
				cuts = append(cuts, lo+rng.IntN(hi-lo+1))
			}
			cuts = append(cuts, len(lines))
			var snaps [][]byte
			var carry []byte
			var last *Summary
			var lastFiles []*ingest.File
			carried := 0
			for i := range parts {
				sum, files := carryRun(t, filepath.Join(dir, "part"+strconv.Itoa(parts)+"-"+strconv.Itoa(i)+".log"), lines[cuts[i]:cuts[i+1]], carry, cfg)
				snap, err := sum.Snapshot(files)
				if err != nil {
					t.Fatal(err)
				}
				if carry, err = sum.Carry(); err != nil {
					t.Fatal(err)
				}
				if i < parts-1 {
					c, _ := DecodeCarry(carry)
					carried += c.Len()
				}
				snaps = append(snaps, snap)
				last, lastFiles = sum, files
			}
			if carried == 0 {
				t.Fatalf("seed %d, %d parts: nothing was open at any cut: the test tests nothing", seed, parts)
			}
			for i := range parts - 1 {
				if err := last.MergeSnapshot(snaps[i]); err != nil {
					t.Fatal(err)
				}
			}
			if got := sequenceFigures(t, last, lastFiles, cfg); got != want {
				t.Errorf("seed %d, %d runs, the last merged with the stored ones:\n got %s\nwant %s", seed, parts, got, want)
			}
			stored, _ := carryRun(t, "", nil, carry, cfg)
			for _, snap := range snaps {
				if err := stored.MergeSnapshot(snap); err != nil {
					t.Fatal(err)
				}
			}
			if got := sequenceFigures(t, stored, nil, cfg); got != want {
				t.Errorf("seed %d, %d runs, the stored ones alone:\n got %s\nwant %s", seed, parts, got, want)
			}
		}
	}
}

// TestCarryHoldsTheOpen checks what a run carries: the chains and "no"
// failures within one retry window of its last record, and every 429 not
// answered yet, whatever its age; a chain whose window passed before the
// last record is decided in this run's figures.
func TestCarryHoldsTheOpen(t *testing.T) {
	cfg := Config{Quota: QuotaOptions{Window: time.Minute, RetryAfter: time.Second}, Retry: RetryOptions{Window: time.Minute}}
	lines := []string{
		rline("erp", "GET", "/api/documents/1", 0, 503, "-"),     // its window passes: abandoned here
		rline("shop", "GET", "/api/assets/1", 1, 429, "30"),      // never answered: carried, old as it is (its chain is abandoned here)
		rline("erp", "GET", "/api/documents/2", 100, 500, "-"),   // open at the end: carried
		rline("erp", "GET", "/api/documents/2", 110, 502, "-"),   // an attempt, the chain still open
		rline("dam", "PATCH", "/api/documents/3", 120, 422, "-"), // a "no" failure: carried
		rline("bi", "GET", "/api/documents/4", 150, 200, "-"),
	}
	sum, _ := carryRun(t, filepath.Join(t.TempDir(), "a.log"), lines, nil, cfg)
	b, err := sum.Carry()
	if err != nil {
		t.Fatal(err)
	}
	c, err := DecodeCarry(b)
	if err != nil {
		t.Fatal(err)
	}
	type open struct{ chains, attempts, noFails, waits int }
	got := open{len(c.chains), 0, len(c.noFails), len(c.waits)}
	for _, ch := range c.chains {
		got.attempts += int(ch.Attempts)
	}
	if want := (open{1, 1, 1, 1}); got != want {
		t.Errorf("carried %+v, want %+v", got, want)
	}
	if tot := sum.retries.Snap().Total; tot.Abandoned != 2 || tot.Chains != 3 {
		t.Errorf("abandoned %d of %d chains before Build, want 2 of 3 (the two past their window)", tot.Abandoned, tot.Chains)
	}
}

func TestDecodeCarry(t *testing.T) {
	sum, _ := carryRun(t, filepath.Join(t.TempDir(), "a.log"), []string{rline("erp", "GET", "/a", 0, 503, "-")}, nil, Config{})
	good, err := sum.Carry()
	if err != nil {
		t.Fatal(err)
	}
	later, err := (&carrySnap{Version: carryVersion + 1}).encode()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		in    []byte
		n     int
		error string
	}{
		{"nothing", nil, 0, ""},
		{"one chain", good, 1, ""},
		{"not zstd", []byte("{}"), 0, "cannot decode the open retry chains"},
		{"cut short", good[:len(good)/2], 0, "cannot decode the open retry chains"},
		{"a later layout", later, 0, "layout 2, this analyze reads 1"},
	} {
		c, err := DecodeCarry(tc.in)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if tc.error == "" && err != nil || tc.error != "" && !strings.Contains(got, tc.error) {
			t.Errorf("%s: error %q, want %q", tc.name, got, tc.error)
			continue
		}
		if err == nil && c.Len() != tc.n {
			t.Errorf("%s: %d carried, want %d", tc.name, c.Len(), tc.n)
		}
	}
}
