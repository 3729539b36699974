package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// TestCronNights is six nights of a cron job as logrotate and a busy
// machine make them: appended lines; a rotation by rename with
// delaycompress and gzip; one by copytruncate; two nights started twice at
// once; a night re-run. Each night runs report --state and export --state
// side by side. Then:
//   - the nightly reports' records add up to every line, once;
//   - the period report from the state has one run's retry and per-client
//     quota figures (after-429 ones included), exactly;
//   - the dataset holds every line once: the same rows as one export of
//     the whole log, read back with arrow-go and, when .ci/run installed
//     it, with DuckDB.
func TestCronNights(t *testing.T) {
	lines := retryLog(11, 1800)
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.log")
	os.WriteFile(whole, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	logs := filepath.Join(dir, "logs")
	os.Mkdir(logs, 0o755)
	access := filepath.Join(logs, "access.log")
	reportState := filepath.Join(dir, "report.state")
	exportState := filepath.Join(dir, "export.state")
	ds := filepath.Join(dir, "ds")
	flags := []string{"-o", "json", "--retry-window", "2m"}

	var mu sync.Mutex
	var records int64
	run := func() {
		var wg sync.WaitGroup
		wg.Go(func() {
			r := analyzeIn(t, append(append([]string{"report"}, flags...), "--state", reportState, logs)...)
			var doc struct{ Input struct{ Records int64 } }
			if err := json.Unmarshal([]byte(r.stdout), &doc); r.code != 0 || err != nil {
				t.Errorf("report: exit %d, %v: %s", r.code, err, r.stderr)
				return
			}
			mu.Lock()
			records += doc.Input.Records
			mu.Unlock()
		})
		wg.Go(func() {
			if r := analyzeIn(t, "export", "--state", exportState, "--out", ds, logs); r.code != 0 {
				t.Errorf("export: exit %d: %s", r.code, r.stderr)
			}
		})
		wg.Wait()
	}
	twiceAtOnce := func() {
		var wg sync.WaitGroup
		wg.Go(run)
		wg.Go(run)
		wg.Wait()
	}
	part := func(night int) string {
		return strings.Join(lines[len(lines)*night/6:len(lines)*(night+1)/6], "\n") + "\n"
	}

	appendTo(t, access, part(0))
	run()
	appendTo(t, access, part(1))
	twiceAtOnce()
	rotate(t, logs, 2) // create: access.log becomes access.log.1, a new one begins
	appendTo(t, access, part(2))
	run()
	copytruncate(t, logs)
	appendTo(t, access, part(3))
	run()
	rotate(t, logs, 4) // delaycompress: access.log.1 becomes access.log.2.gz
	appendTo(t, access, part(4))
	twiceAtOnce()
	appendTo(t, access, part(5))
	run()
	run() // the night re-run: nothing new
	if t.Failed() {
		t.FailNow()
	}

	if records != int64(len(lines)) {
		t.Errorf("the nightly reports read %d records in all; the log has %d lines, each to be read once", records, len(lines))
	}
	doc := func(args ...string) map[string]any {
		t.Helper()
		r := analyzeIn(t, append(append([]string{"report"}, flags...), args...)...)
		var d map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || r.code != 0 {
			t.Fatalf("%v: exit %d, %v: %s", args, r.code, err, r.stderr)
		}
		return d
	}
	want, got := doc(whole), doc("--state", reportState, "--since", "3650d")
	for _, key := range []string{"retry", "quota.clients", "input.records"} {
		w, _ := lookup(want, key)
		g, _ := lookup(got, key)
		if ws, gs := string(must(json.Marshal(w))), string(must(json.Marshal(g))); ws != gs {
			t.Errorf("%s of the period from the state differs from one run's:\n got %s\nwant %s", key, gs, ws)
		}
	}

	one := filepath.Join(dir, "one")
	if r := analyzeIn(t, "export", "--out", one, whole); r.code != 0 {
		t.Fatalf("export of the whole log: %s", r.stderr)
	}
	nightly, single := datasetTuples(t, ds), datasetTuples(t, one)
	if len(nightly) != len(lines) || !slices.Equal(nightly, single) {
		t.Errorf("the nightly dataset holds %d rows, one export %d; the log has %d lines; same rows: %v",
			len(nightly), len(single), len(lines), slices.Equal(nightly, single))
	}
	t.Run("duckdb", func(t *testing.T) { duckdbSameRows(t, ds, one, len(lines)) })
}

// analyzeIn runs the binary from the repository root, safe to call from
// several goroutines of one test (a start that fails is exit -1).
func analyzeIn(t *testing.T, args ...string) result {
	r, err := runBinary("", nil, args...)
	if err != nil {
		return result{"", err.Error(), -1}
	}
	return r
}

// copytruncate does what logrotate's copytruncate does: access.log is
// copied to access.log.1 (older ones shift, as rotate does) and emptied in
// place.
func copytruncate(t *testing.T, logs string) {
	t.Helper()
	access := filepath.Join(logs, "access.log")
	b, err := os.ReadFile(access)
	if err != nil {
		t.Fatal(err)
	}
	tmp := access + ".copy"
	os.WriteFile(tmp, b, 0o644)
	if err := os.Truncate(access, 0); err != nil {
		t.Fatal(err)
	}
	rotate(t, logs, 3)          // access.log (empty) becomes access.log.1...
	os.Remove(access + ".1")    // ...but copytruncate keeps the file in place:
	os.Rename(tmp, access+".1") // the copy is access.log.1,
	os.WriteFile(access, nil, 0o644)
}

// datasetTuples reads every row of the dataset's partitions as a sorted
// list of "time user method path status" strings.
func datasetTuples(t *testing.T, dir string) []string {
	t.Helper()
	parts, _ := filepath.Glob(filepath.Join(dir, "date=*", "*.parquet"))
	var out []string
	for _, p := range parts {
		rdr, err := file.OpenParquetFile(p, false)
		if err != nil {
			t.Fatal(err)
		}
		fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		tbl, err := fr.ReadTable(context.Background())
		rdr.Close()
		if err != nil {
			t.Fatal(err)
		}
		cols := []string{"time", "remote_user", "method", "path", "status"}
		idx := make([]int, len(cols))
		for i, c := range cols {
			idx[i] = tbl.Schema().FieldIndices(c)[0]
		}
		tr := array.NewTableReader(tbl, 0)
		for tr.Next() {
			rec := tr.RecordBatch()
			for r := range int(rec.NumRows()) {
				cells := make([]string, len(idx))
				for i, c := range idx {
					cells[i] = rec.Column(c).ValueStr(r)
				}
				out = append(out, strings.Join(cells, " "))
			}
		}
		tr.Release()
		tbl.Release()
	}
	slices.Sort(out)
	return out
}

// duckdbSameRows reads both datasets with DuckDB (the Node package .ci/run
// installs), as a user would, and wants n rows in each and the same rows.
func duckdbSameRows(t *testing.T, nightly, one string, n int) {
	t.Helper()
	modules := os.Getenv("ANALYZE_DUCKDB_NODE")
	node, err := exec.LookPath("node")
	if modules == "" || err != nil {
		t.Skip("skipping: the DuckDB read-back needs node and ANALYZE_DUCKDB_NODE (set by .ci/run after npm install @duckdb/node-api)")
	}
	const script = `
import { DuckDBInstance } from '@duckdb/node-api';
const q = (d) => "SELECT count(*)::BIGINT AS n, sum(hash(time, remote_user, method, path, status))::VARCHAR AS h FROM read_parquet('" + d + "/date=*/*.parquet', hive_partitioning = true)";
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const out = [];
for (const d of process.argv.slice(2)) out.push((await con.runAndReadAll(q(d))).getRowObjectsJson()[0]);
console.log(JSON.stringify(out));
`
	path := filepath.Join(modules, "..", "analyze-cron-check.mjs")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, path, nightly, one)
	cmd.Stderr = io.Discard
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("duckdb: %v", err)
	}
	var res []struct {
		N any `json:"n"`
		H string
	}
	if err := json.Unmarshal(b, &res); err != nil || len(res) != 2 {
		t.Fatalf("duckdb output %s: %v", b, err)
	}
	if fmt.Sprint(res[0].N) != fmt.Sprint(n) || res[0].N != res[1].N || res[0].H != res[1].H {
		t.Errorf("DuckDB reads %v rows (hash %s) from the nightly dataset and %v (hash %s) from one export; want %d and the same rows",
			res[0].N, res[0].H, res[1].N, res[1].H, n)
	}
}
