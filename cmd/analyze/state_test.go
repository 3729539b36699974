package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// retryLog generates n time-ordered combined-format lines dense in retry
// chains, non-retryable repeats and 429s: half the requests send a recent
// one again, a few seconds to a few minutes later.
func retryLog(seed uint64, n int) []string {
	rng := rand.New(rand.NewPCG(seed, 4))
	users := []string{"erp", "shop", "dam", "bi"}
	methods := []string{"GET", "GET", "POST", "PUT"}
	paths := []string{"/api/documents/1", "/api/documents/2", "/api/assets/3"}
	statuses := []int{200, 200, 201, 404, 422, 429, 429, 500, 502, 503, 503}
	type req struct{ user, method, path string }
	var recent []req
	at := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	var lines []string
	for range n {
		if rng.IntN(30) == 0 {
			at = at.Add(3 * time.Minute) // past the 2-minute retry window
		}
		at = at.Add(time.Duration(rng.IntN(15)) * time.Second)
		r := req{users[rng.IntN(len(users))], methods[rng.IntN(len(methods))], paths[rng.IntN(len(paths))]}
		if len(recent) > 0 && rng.IntN(2) == 0 {
			r = recent[rng.IntN(len(recent))]
		}
		if recent = append(recent, r); len(recent) > 6 {
			recent = recent[1:]
		}
		lines = append(lines, fmt.Sprintf(`10.0.0.9 - %s [%s] "%s %s HTTP/1.1" %d 10 "-" "x"`,
			r.user, at.Format("02/Jan/2006:15:04:05 -0700"), r.method, r.path, statuses[rng.IntN(len(statuses))]))
	}
	return lines
}

// TestStateCarriesOpenChains runs --state nightly over a log cut into 2, 3
// and 6 parts, appended to one file or rotated (renamed, then compressed)
// between runs, with retry chains and 429s open at every cut, and wants
// the retry section and the quota's per-client figures (after-429 ones
// included) of the period from the state, with and without a path, to be
// one run's over the whole log, exactly. The figures counted where their
// record is read (failures, attempts, violations, repeats, the answers to
// 429s) also add up over the nightly reports.
func TestStateCarriesOpenChains(t *testing.T) {
	lines := retryLog(1, 900)
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.log")
	os.WriteFile(whole, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	flags := []string{"-o", "json", "--retry-window", "2m"}
	doc := func(args ...string) map[string]any {
		t.Helper()
		r := analyze(t, "", append(append([]string{"report"}, flags...), args...)...)
		var d map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || r.code != 0 {
			t.Fatalf("%v: code %d, %v:\n%s", args, r.code, err, r.stderr)
		}
		return d
	}
	want := doc(whole)
	section := func(d map[string]any, key string) string {
		v, ok := lookup(d, key)
		if !ok {
			t.Fatalf("no %s", key)
		}
		return string(must(json.MarshalIndent(v, "", " ")))
	}
	if n, _ := lookup(want, "retry.retryable_failures"); n.(float64) < 100 {
		t.Fatalf("the log has %v retryable failures: too few to cut chains", n)
	}
	// Summed over the nightly reports: the figures of the records each read.
	summed := []string{"retry.retryable_failures", "retry.attempts", "retry.retry_after_violations", "retry.non_retryable_repeats"}
	after429 := func(d map[string]any) map[string][2]float64 {
		out := map[string][2]float64{}
		v, _ := lookup(d, "quota.clients")
		for _, c := range v.([]any) {
			m := c.(map[string]any)
			out[m["client"].(string)] = [2]float64{m["after_429_requests"].(float64), m["retry_after_violations"].(float64)}
		}
		return out
	}

	for _, tc := range []struct {
		name   string
		parts  int
		rotate bool
	}{{"2 runs", 2, false}, {"3 runs", 3, false}, {"6 runs", 6, false}, {"4 runs, rotated", 4, true}} {
		t.Run(tc.name, func(t *testing.T) {
			logs := filepath.Join(t.TempDir(), "logs")
			os.Mkdir(logs, 0o755)
			access := filepath.Join(logs, "access.log")
			statePath := filepath.Join(filepath.Dir(logs), "state.json")
			sums := map[string]float64{}
			answers := map[string][2]float64{}
			for i := range tc.parts {
				if tc.rotate && i > 0 {
					rotate(t, logs, i)
				}
				part := lines[len(lines)*i/tc.parts : len(lines)*(i+1)/tc.parts]
				appendTo(t, access, strings.Join(part, "\n")+"\n")
				night := doc("--state", statePath, logs)
				for _, k := range summed {
					v, _ := lookup(night, k)
					sums[k] += v.(float64)
				}
				for c, a := range after429(night) {
					answers[c] = [2]float64{answers[c][0] + a[0], answers[c][1] + a[1]}
				}
			}
			for _, k := range summed {
				if w, _ := lookup(want, k); sums[k] != w.(float64) {
					t.Errorf("%s summed over the nights: %v, one run %v", k, sums[k], w)
				}
			}
			if w := after429(want); !reflect.DeepEqual(answers, w) {
				t.Errorf("after-429 requests and violations summed over the nights: %v, one run %v", answers, w)
			}
			if tc.rotate {
				refusesDamagedCarry(t, statePath, logs)
			}
			for _, period := range [][]string{{"--state", statePath, "--since", "3650d", logs}, {"--state", statePath, "--since", "3650d"}} {
				got := doc(period...)
				for _, key := range []string{"retry", "quota.clients"} {
					if g, w := section(got, key), section(want, key); g != w {
						t.Errorf("%v: %s differs from one run's:\n got %s\nwant %s", period, key, g, w)
					}
				}
			}
		})
	}
}

// rotate does what logrotate's create, compress and delaycompress do
// before night i: access.log.1 is compressed to access.log.2.gz (older
// ones shift), access.log is renamed to access.log.1, and a new one begins.
func rotate(t *testing.T, logs string, night int) {
	t.Helper()
	p := func(name string) string { return filepath.Join(logs, name) }
	for k := night; k >= 2; k-- {
		os.Rename(p(fmt.Sprintf("access.log.%d.gz", k)), p(fmt.Sprintf("access.log.%d.gz", k+1)))
	}
	if old, err := os.ReadFile(p("access.log.1")); err == nil {
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(old)
		zw.Close()
		os.WriteFile(p("access.log.2.gz"), gz.Bytes(), 0o644)
		os.Remove(p("access.log.1"))
	}
	if err := os.Rename(p("access.log"), p("access.log.1")); err != nil {
		t.Fatal(err)
	}
}

// refusesDamagedCarry checks that a run whose state names a carry that is
// damaged or missing is refused with exit code 2 and advice, the state
// left as it was: going on would cut the chains it holds.
func refusesDamagedCarry(t *testing.T, statePath, logs string) {
	t.Helper()
	var st struct {
		Open string `json:"open_file"`
	}
	raw, _ := os.ReadFile(statePath)
	if err := json.Unmarshal(raw, &st); err != nil || !strings.HasPrefix(st.Open, "open-") {
		t.Fatalf("the state names no carry (%v):\n%s", err, raw)
	}
	carry := filepath.Join(statePath+".runs", st.Open)
	good, err := os.ReadFile(carry)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		damage func()
		want   string
	}{
		{"cut short", func() { os.WriteFile(carry, good[:len(good)/2], 0o644) }, "cannot decode the open retry chains"},
		{"missing", func() { os.Remove(carry) }, "cannot read the open retry chains"},
	} {
		tc.damage()
		r := analyze(t, "", "report", "-o", "json", "--state", statePath, logs)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, `remove "open_file"`) || r.stdout != "" {
			t.Errorf("carry %s: code %d, stderr %q; want 2, %q and advice", tc.name, r.code, r.stderr, tc.want)
		}
		if after, _ := os.ReadFile(statePath); !bytes.Equal(after, raw) {
			t.Errorf("carry %s: the state file changed", tc.name)
		}
	}
	os.WriteFile(carry, good, 0o644)
}
