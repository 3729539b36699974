package export

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"analyze/ingest"
	"analyze/report"
)

// duckdbScript runs SQL statements (a JSON array of strings, argv[2]) with
// DuckDB's Node API and prints each result as a JSON array of rows.
const duckdbScript = `
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
const stmts = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const out = [];
for (const s of stmts) {
  const r = await con.runAndReadAll(s);
  out.push(r.getRowObjectsJson());
}
console.log(JSON.stringify(out));
`

// TestDuckDBInterop reads our Parquet and CSV with DuckDB and checks row
// counts, types, nulls and the per-status counts against our own report,
// then runs the --dialect duckdb SQL and compares its numbers with the
// report's. .ci/run installs DuckDB's Node package and sets
// ANALYZE_DUCKDB_NODE to its node_modules folder.
func TestDuckDBInterop(t *testing.T) {
	modules := os.Getenv("ANALYZE_DUCKDB_NODE")
	if modules == "" {
		t.Skip("skipping: DuckDB interop needs ANALYZE_DUCKDB_NODE (set by .ci/run after npm install @duckdb/node-api)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("skipping: DuckDB interop needs node")
	}
	dir := t.TempDir()
	script := filepath.Join(modules, "..", "analyze-duckdb-check.mjs")
	if err := os.WriteFile(script, []byte(duckdbScript), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(stmts []string) [][]map[string]any {
		t.Helper()
		in := filepath.Join(dir, "stmts.json")
		b, _ := json.Marshal(stmts)
		os.WriteFile(in, b, 0o644)
		cmd := exec.Command(node, script, in)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("duckdb: %v\n%s", err, exitStderr(err))
		}
		var res [][]map[string]any
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("duckdb output: %v\n%s", err, out)
		}
		return res
	}

	// Our report and our dataset, from the samples and a JSON log whose
	// client is known by its API key (the report's credential step; the
	// export's host column).
	keyed := filepath.Join(dir, "keyed.log")
	var lines []byte
	for i := range 40 {
		status := 200
		if i%2 == 0 {
			status = 429
		}
		lines = fmt.Appendf(lines, `{"time":"2025-03-12T08:10:%02dZ","remote_addr":"192.0.2.200","request":"GET /api/documents/%d HTTP/1.1","status":%d,"http_x_api_key":"K-SECRET-1","host":"keyed.quable.example"}`+"\n", i, i, status)
	}
	if err := os.WriteFile(keyed, lines, 0o644); err != nil {
		t.Fatal(err)
	}
	inputs := []string{"../samples", keyed}
	files, _ := ingest.Expand(inputs, false)
	sum, err := report.Aggregate(context.Background(), files, ingest.Options{}, report.Config{})
	if err != nil {
		t.Fatal(err)
	}
	rep := report.Build(sum, files, report.Filter{}, report.Options{Top: 10})
	pq, csvDir := filepath.Join(dir, "pq"), filepath.Join(dir, "csv")
	files, _ = ingest.Expand(inputs, false)
	if _, err := Run(context.Background(), files, ingest.Options{}, pq, Options{Format: "parquet", Partition: "date"}); err != nil {
		t.Fatal(err)
	}
	files, _ = ingest.Expand(inputs, false)
	if _, err := Run(context.Background(), files, ingest.Options{}, csvDir, Options{Format: "csv", Partition: "none"}); err != nil {
		t.Fatal(err)
	}

	pqFrom := "read_parquet('" + pq + "/date=*/*.parquet', hive_partitioning = true)"
	csvFrom := "read_csv('" + csvDir + "/requests-*.csv', header = true, auto_detect = true)"
	// The globs a user writes (and the README shows) read the dataset and
	// nothing else: no catalogue or manifest is taken for rows.
	byStatusOf := func(from string) string {
		return "SELECT status, COUNT(*) AS n FROM " + from + " GROUP BY status ORDER BY status"
	}
	globs := run([]string{
		byStatusOf("read_parquet('" + pq + "/**/*.parquet', hive_partitioning = true)"),
		byStatusOf("read_parquet('" + pq + "/*/*.parquet', hive_partitioning = true)"),
		byStatusOf("read_parquet('" + pq + "/**/*.parquet')"),
	})
	for i, rows := range globs {
		got := map[int64]int64{}
		for _, row := range rows {
			got[num(row["status"])] = num(row["n"])
		}
		for _, st := range rep.Statuses {
			if got[int64(st.Status)] != st.Count {
				t.Errorf("glob %d: status %d: %d rows, report %d", i, st.Status, got[int64(st.Status)], st.Count)
			}
		}
		if len(got) != len(rep.Statuses) {
			t.Errorf("glob %d: %d statuses, report %d", i, len(got), len(rep.Statuses))
		}
	}
	res := run([]string{
		"SELECT COUNT(*) AS n, COUNT(bytes) AS bytes, COUNT(duration_ms) AS dur, typeof(ANY_VALUE(time)) AS t_time, typeof(ANY_VALUE(status)) AS t_status, typeof(ANY_VALUE(bytes)) AS t_bytes, typeof(ANY_VALUE(duration_ms)) AS t_dur, typeof(ANY_VALUE(client)) AS t_client FROM " + pqFrom,
		"SELECT COUNT(*) AS n, COUNT(bytes) AS bytes, COUNT(duration_ms) AS dur FROM " + csvFrom,
		"SELECT status, COUNT(*) AS n FROM " + csvFrom + " GROUP BY status ORDER BY status",
		"SELECT COUNT(host) AS hosts, COUNT(credential) AS credentials, MAX(credential) AS credential, " +
			"COUNT(*) FILTER (WHERE host = 'keyed.quable.example') AS keyed FROM " + pqFrom,
	})
	label := ingest.KeyLabel([]byte("K-SECRET-1"))
	if k := res[3][0]; num(k["credentials"]) != 40 || k["credential"] != label || num(k["keyed"]) != 40 || num(k["hosts"]) <= 40 {
		t.Errorf("host and credential columns: %v (want 40 credentials %s, the samples' ALB and Envoy hosts too)", k, label)
	}
	p, c := res[0][0], res[1][0]
	if num(p["n"]) != rep.Input.Analyzed || num(c["n"]) != rep.Input.Analyzed {
		t.Errorf("rows: parquet %v, csv %v, report %d", p["n"], c["n"], rep.Input.Analyzed)
	}
	if num(p["bytes"]) != num(c["bytes"]) || num(p["dur"]) != num(c["dur"]) || num(p["bytes"]) >= num(p["n"]) {
		t.Errorf("nulls: parquet %v/%v, csv %v/%v (some sizes are logged as -)", p["bytes"], p["dur"], c["bytes"], c["dur"])
	}
	for k, want := range map[string]string{"t_time": "TIMESTAMP WITH TIME ZONE", "t_status": "INTEGER", "t_bytes": "BIGINT", "t_dur": "DOUBLE", "t_client": "VARCHAR"} {
		if p[k] != want {
			t.Errorf("%s = %v, want %s", k, p[k], want)
		}
	}
	byStatus := map[int64]int64{}
	for _, row := range res[2] {
		byStatus[num(row["status"])] = num(row["n"])
	}
	for _, s := range rep.Statuses {
		if byStatus[int64(s.Status)] != s.Count {
			t.Errorf("CSV status %d: %d rows, report %d", s.Status, byStatus[int64(s.Status)], s.Count)
		}
	}

	// The SQL of analyze sql --dialect duckdb gives the report's numbers.
	stmts, err := SQL("duckdb", pq)
	if err != nil {
		t.Fatal(err)
	}
	var sqls []string
	idx := map[string]int{}
	for i, s := range stmts {
		sqls = append(sqls, s.SQL)
		idx[s.Name] = i
	}
	out := run(sqls)
	classes := map[string]int64{}
	for _, row := range out[idx["classes"]] {
		classes[row["class"].(string)] = num(row["requests"])
	}
	if classes["success"] != rep.Classes.Success || classes["client_error"] != rep.Classes.ClientError || classes["server_error"] != rep.Classes.ServerError {
		t.Errorf("classes %v, report %+v", classes, rep.Classes)
	}
	if st := out[idx["statuses"]]; len(st) != len(rep.Statuses) {
		t.Errorf("statuses: %d rows, report %d", len(st), len(rep.Statuses))
	} else {
		for i, row := range st {
			if num(row["status"]) != int64(rep.Statuses[i].Status) || num(row["count"]) != rep.Statuses[i].Count || row["diagnosis"] != rep.Statuses[i].Diagnosis {
				t.Errorf("status row %v, report %+v", row, rep.Statuses[i])
			}
		}
	}
	for i, row := range out[idx["endpoints"]] {
		if i < len(rep.Endpoints) && (row["endpoint"] != rep.Endpoints[i].Endpoint || num(row["requests"]) != rep.Endpoints[i].Requests) {
			t.Errorf("endpoint %d: %v, report %+v", i, row, rep.Endpoints[i])
		}
	}
	// Hosts, keyed as the report keys them (lower case, no port).
	if hs := out[idx["hosts"]]; len(hs) != len(rep.Hosts) || len(hs) < 4 {
		t.Errorf("hosts: %d rows, report %d", len(hs), len(rep.Hosts))
	} else {
		for i, row := range hs {
			h := rep.Hosts[i]
			if row["host"] != h.Host || num(row["requests"]) != h.Requests || num(row["client_error"]) != h.ClientError ||
				num(row["server_error"]) != h.ServerError || num(row["rate_limited"]) != h.RateLimited {
				t.Errorf("host %d: %v, report %+v", i, row, h)
			}
		}
	}
	if peak := out[idx["quota_peak"]][0]; num(peak["requests"]) != rep.Quota.Overall.Peak {
		t.Errorf("quota peak %v, report %d", peak, rep.Quota.Overall.Peak)
	}
	// Each client's requests, per-minute peak and 429s, as the report's
	// quota section counts them (its window is a minute here).
	quotaClients := map[string]report.QuotaClient{}
	for _, c := range rep.Quota.Clients {
		quotaClients[c.Client] = c
	}
	qc := out[idx["quota_clients"]]
	if len(qc) < 5 || rep.Quota.WindowSeconds != 60 {
		t.Fatalf("quota_clients: %d rows, window %v s", len(qc), rep.Quota.WindowSeconds)
	}
	for _, row := range qc {
		c, ok := quotaClients[row["client"].(string)]
		if !ok || num(row["requests"]) != c.Requests || num(row["peak"]) != c.Peak || num(row["rate_limited"]) != c.RateLimited {
			t.Errorf("quota client %v, report %+v", row, c)
		}
	}
	bursts := out[idx["bursts"]]
	if len(bursts) != len(rep.Quota.Bursts) {
		t.Fatalf("bursts: %d, report %d", len(bursts), len(rep.Quota.Bursts))
	}
	for i, b := range bursts {
		if num(b["rate_limited"]) != rep.Quota.Bursts[i].RateLimited || num(b["windows"]) != rep.Quota.Bursts[i].Windows {
			t.Errorf("burst %d: %v, report %+v", i, b, rep.Quota.Bursts[i])
		}
	}
	// The timeline: the report's windows that have requests, at its width.
	var windows []report.TimelineWindow
	for _, w := range rep.Timeline.Windows {
		if w.Requests > 0 {
			windows = append(windows, w)
		}
	}
	tl := out[idx["timeline"]]
	if len(tl) != len(windows) || len(tl) < 2 {
		t.Fatalf("timeline: %d windows, report %d with requests", len(tl), len(windows))
	}
	for i, row := range tl {
		w := windows[i]
		start, _ := time.Parse(time.RFC3339, w.Start)
		got, _ := row["window_start"].(string)
		at, err := time.Parse("2006-01-02 15:04:05-07", got)
		if err != nil || !at.Equal(start) || float64(num(row["window_seconds"])) != rep.Timeline.WindowSeconds ||
			num(row["requests"]) != w.Requests || num(row["server_error"]) != w.ServerError ||
			num(row["client_error"]) != w.ClientError || num(row["rate_limited"]) != w.RateLimited {
			t.Errorf("timeline window %d: %v, report %s (%v s) %+v", i, row, w.Start, rep.Timeline.WindowSeconds, w)
		}
	}
}

// num reads a DuckDB JSON number (BIGINTs come as strings).
func num(v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return -1
}

func exitStderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
