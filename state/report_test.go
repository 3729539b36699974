package state

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"analyze/ingest"
	"analyze/report"
	"analyze/samples/synth"
)

// nightLog is the log of one night: the bundled samples' scenario,
// starting day days after theirs, with seed seed.
func nightLog(t *testing.T, seed uint64, day int) []byte {
	t.Helper()
	cfg := synth.Default()
	cfg.Seed, cfg.Lines, cfg.Malformed = seed, 2000, 97
	cfg.Start = cfg.Start.AddDate(0, 0, day)
	var b bytes.Buffer
	if err := synth.Write(&b, cfg); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// reportRun is a run of analyze report over the log at path, with --state
// statePath when it is not empty and, with it, the period since..until
// when either is given: the steps runReport takes, in its order.
func reportRun(t *testing.T, path, statePath string, since, until report.Bound) *report.Report {
	t.Helper()
	files, errs := ingest.Expand([]string{path}, false)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	quota := report.QuotaOptions{Window: time.Minute, RetryAfter: time.Second}
	retry := report.RetryOptions{Window: 10 * time.Minute, RetryAfter: time.Second, StormShare: 0.2}
	cfg := report.Config{Quota: quota, Retry: retry}
	var st *State
	if statePath != "" {
		var err error
		if st, err = Load(statePath); err != nil {
			t.Fatal(err)
		}
		if err := st.For("report"); err != nil {
			t.Fatal(err)
		}
		st.Resume(files)
		if cfg.Carry, err = st.OpenCarry(); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := report.Aggregate(context.Background(), files, ingest.Options{Workers: 2}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var filter report.Filter
	var run *PendingRun
	if st != nil {
		if run, err = TakeRun(files, sum); err != nil {
			t.Fatal(err)
		}
		if !since.IsZero() || !until.IsZero() {
			if filter, err = st.MergeRuns(sum, since, until); err != nil {
				t.Fatal(err)
			}
		}
	}
	rep := report.Build(sum, files, filter, report.Options{Top: 10, Quota: quota, Retry: retry})
	if st != nil {
		st.Commit(files, run, time.Now())
		if err := st.Save(); err != nil {
			t.Fatal(err)
		}
	}
	return rep
}

// figures are the sections of a report that stored runs make up whole:
// the accounting's totals and every table built from the records, and
// with retry the retry section.
func figures(t *testing.T, r *report.Report, retry bool) string {
	t.Helper()
	in := r.Input
	v := map[string]any{
		"lines": in.Lines, "records": in.Records, "rejected": in.Rejected, "blank": in.Blank,
		"rejected_reasons": in.RejectedReasons,
		"classes":          r.Classes, "statuses": r.Statuses, "methods": r.Methods,
		"endpoints": r.Endpoints, "clients": r.Clients, "hosts": r.Hosts, "latency": r.Latency,
	}
	if retry {
		v["retry"] = r.Retry
	}
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMergeRuns runs --state on two nights of a log appended to one file,
// then a third run with nothing new and a period: the report of the
// stored runs it merges (MergeRuns) must have the figures of one run over
// the same lines, whether the period takes both nights or only the first;
// Stored counts the runs and lines merged. The retry section is compared
// over both nights only: a chain open at the first night's end is carried
// to the second run, which decides it, so the first night's stored run
// alone does not count it.
func TestMergeRuns(t *testing.T) {
	dir := t.TempDir()
	first, second := nightLog(t, 1, 0), nightLog(t, 2, 1)
	write := func(name string, parts ...[]byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, bytes.Join(parts, nil), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	firstOnly := reportRun(t, write("first.log", first), "", report.Bound{}, report.Bound{})
	both := reportRun(t, write("both.log", first, second), "", report.Bound{}, report.Bound{})
	secondStart := synth.Default().Start.AddDate(0, 0, 1)

	for _, c := range []struct {
		name         string
		since, until report.Bound
		want         *report.Report
		runs         int64
		retry        bool
	}{
		{"both nights", report.Bound{Before: 30 * 24 * time.Hour}, report.Bound{}, both, 2, true},
		{"the first night", report.Bound{}, report.Bound{At: secondStart}, firstOnly, 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			statePath := filepath.Join(t.TempDir(), "state.json")
			access := write("access-"+c.name+".log", first)
			reportRun(t, access, statePath, report.Bound{}, report.Bound{})
			write("access-"+c.name+".log", first, second) // appended
			reportRun(t, access, statePath, report.Bound{}, report.Bound{})
			got := reportRun(t, access, statePath, c.since, c.until)
			if got.Input.Files[0].Lines != 0 {
				t.Fatalf("the third run read %d new lines, want none", got.Input.Files[0].Lines)
			}
			if g, w := figures(t, got, c.retry), figures(t, c.want, c.retry); g != w {
				t.Errorf("the stored runs merged:\n%s\none run over the same lines:\n%s", g, w)
			}
			st := got.Input.Stored
			if st == nil || st.Runs != c.runs || st.Lines != c.want.Input.Lines || st.Records != c.want.Input.Records {
				t.Errorf("stored = %+v, want %d runs, %d lines, %d records", st, c.runs, c.want.Input.Lines, c.want.Input.Records)
			}
		})
	}
}

// TestMergeRunsRefusesDamage: a stored run whose aggregates are missing or
// do not decode is an error naming the state file, never an empty run.
func TestMergeRunsRefusesDamage(t *testing.T) {
	dir := t.TempDir()
	access := filepath.Join(dir, "access.log")
	if err := os.WriteFile(access, nightLog(t, 1, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	statePath := filepath.Join(dir, "state.json")
	reportRun(t, access, statePath, report.Bound{}, report.Bound{})
	for _, c := range []struct {
		name   string
		damage func(file string)
	}{
		{"missing", func(file string) { os.Remove(file) }},
		{"garbled", func(file string) { os.WriteFile(file, []byte("not a snapshot"), 0o644) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, err := Load(statePath)
			if err != nil || len(st.Runs) != 1 {
				t.Fatalf("%v, %d runs", err, len(st.Runs))
			}
			c.damage(filepath.Join(st.RunsDir(), st.Runs[0].File))
			sum, err := report.Aggregate(context.Background(), nil, ingest.Options{}, report.Config{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = st.MergeRuns(sum, report.Bound{Before: 30 * 24 * time.Hour}, report.Bound{})
			if err == nil || !bytes.Contains([]byte(err.Error()), []byte(statePath)) {
				t.Errorf("MergeRuns over a %s run: %v, want an error naming %s", c.name, err, statePath)
			}
		})
	}
}
