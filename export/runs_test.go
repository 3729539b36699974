package export

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"analyze/ingest"
	"analyze/report"
	"analyze/state"
)

// datasetRows counts the rows of every part of the dataset at dir, read
// back from the files (not from what the runs said).
func datasetRows(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(filepath.Base(p), ".") || strings.Contains(p, "_codes") {
			return nil
		}
		switch filepath.Ext(p) {
		case ".parquet":
			tbl, _ := readParquet(t, p)
			n += tbl.NumRows()
		case ".csv":
			f, _ := os.Open(p)
			rows, err := csv.NewReader(f).ReadAll()
			f.Close()
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			n += int64(len(rows) - 1)
		}
		return nil
	})
	return n
}

// dayLines returns n combined lines on 2025-03-12, a second apart from
// start, each with its own path.
func dayLines(start, n int) string {
	var b strings.Builder
	for i := range n {
		at := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC).Add(time.Duration(start+i) * time.Second)
		fmt.Fprintf(&b, "203.0.113.10 - - [%s] \"GET /api/products/%d HTTP/1.1\" 200 5 \"-\" \"t\"\n", at.Format("02/Jan/2006:15:04:05 -0700"), start+i)
	}
	return b.String()
}

func export(t *testing.T, dir string, opts Options, paths ...string) *Result {
	t.Helper()
	files, errs := ingest.Expand(paths, false)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if opts.State != nil {
		opts.State.Resume(files)
	}
	res, err := Run(context.Background(), files, ingest.Options{Workers: 2}, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestRunsKeepEachOthersRows: a second file that shares a day with the
// first, exported into the same folder, adds its rows; it used to rewrite
// the day's partition and drop the first file's. Running the first file
// again replaces only its own rows.
func TestRunsKeepEachOthersRows(t *testing.T) {
	for _, format := range []string{"parquet", "csv"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
			os.WriteFile(a, []byte(dayLines(0, 300)), 0o644)
			os.WriteFile(b, []byte(dayLines(300, 200)), 0o644)
			out := filepath.Join(dir, "out")
			opts := Options{Format: format, Partition: "date"}
			export(t, out, opts, a)
			export(t, out, opts, b)
			if got := datasetRows(t, out); got != 500 {
				t.Fatalf("after a.log then b.log: %d rows, want 500", got)
			}
			// a.log again, grown: its rows are replaced, b's stay.
			f, _ := os.OpenFile(a, os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString(dayLines(500, 50))
			f.Close()
			export(t, out, opts, a)
			if got := datasetRows(t, out); got != 550 {
				t.Errorf("after a.log again: %d rows, want 550", got)
			}
			var m Manifest
			raw, _ := os.ReadFile(filepath.Join(out, ManifestName))
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			if len(m.Runs) != 2 || m.Rows != 550 || m.Lines != 550 {
				t.Errorf("manifest: %d runs, %d rows, %d lines; want 2, 550, 550", len(m.Runs), m.Rows, m.Lines)
			}
			var listed int64
			for p, n := range m.Files {
				if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(p))); err != nil {
					t.Errorf("the manifest lists %s, which is not there", p)
				}
				listed += n
			}
			if listed != 550 {
				t.Errorf("the manifest's files hold %d rows, want 550", listed)
			}
		})
	}
}

// TestExportState: with a state, each run exports only what is new, as
// parts of its own; rotations are followed; a run that died after putting
// its parts in place, before its state was saved, has them removed by the
// next, which reads those lines again.
func TestExportState(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	out := filepath.Join(dir, "out")
	statePath := filepath.Join(dir, "export.state")
	night := func(lines string) {
		t.Helper()
		f, _ := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		f.WriteString(lines)
		f.Close()
		st, err := state.Load(statePath)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.For("export"); err != nil {
			t.Fatal(err)
		}
		export(t, out, Options{Format: "parquet", Partition: "date", State: st}, dir+"/access.log*")
	}
	night(dayLines(0, 100))
	night(dayLines(100, 100))
	if got := datasetRows(t, out); got != 200 {
		t.Fatalf("after two nights: %d rows, want 200", got)
	}
	os.Rename(log, log+".1") // logrotate, create
	night(dayLines(200, 100))
	if got := datasetRows(t, out); got != 300 {
		t.Fatalf("after a rotation: %d rows, want 300", got)
	}
	// The next run dies between putting its parts in place and saving its
	// state: simulated by the state the run saves just before the renames.
	st, _ := state.Load(statePath)
	st.For("export")
	saved, _ := os.ReadFile(statePath)
	f, _ := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0o644)
	f.WriteString(dayLines(300, 100))
	f.Close()
	export(t, out, Options{Format: "parquet", Partition: "date", State: st}, dir+"/access.log*")
	var pending map[string]any
	json.Unmarshal(saved, &pending)
	m, _ := readManifest(out)
	last := m.Runs[len(m.Runs)-1].ID
	crashed := strings.Replace(string(saved), `"version"`, fmt.Sprintf(`"pending_export": {"run": %q, "dataset": %q}, "version"`, last, out), 1)
	os.WriteFile(statePath, []byte(crashed), 0o640)
	if got := datasetRows(t, out); got != 400 {
		t.Fatalf("before the re-run: %d rows, want 400", got)
	}
	night("")
	if got := datasetRows(t, out); got != 400 {
		t.Errorf("after the re-run of a run that died: %d rows, want 400 (each line once)", got)
	}
	if m, _ := readManifest(out); m.Rows != 400 || slices.ContainsFunc(m.Runs, func(r ManifestRun) bool { return r.ID == last }) {
		t.Errorf("manifest: %d rows, runs %v; want 400 rows without the run that died", m.Rows, m.Runs)
	}
}

// TestPendingRunOtherSpelling: a run that died after writing the manifest,
// before saving its state, is dropped from the manifest by the next run
// even when that run names the dataset another way (through a link): its
// parts went, and the manifest kept counting their rows (200 against 100).
func TestPendingRunOtherSpelling(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	out := filepath.Join(dir, "out")
	link := filepath.Join(dir, "link")
	if err := os.Symlink("out", link); err != nil {
		t.Fatal(err)
	}
	statePath := filepath.Join(dir, "export.state")
	os.WriteFile(log, []byte(dayLines(0, 100)), 0o644)
	st, _ := state.Load(statePath)
	st.For("export")
	saved, _ := json.Marshal(st)
	export(t, out, Options{Format: "csv", Partition: "none", State: st}, log)
	m, _ := readManifest(out)
	died := strings.Replace(string(saved), `"version"`, fmt.Sprintf(`"pending_export": {"run": %q, "dataset": %q}, "version"`, m.Runs[0].ID, out), 1)
	os.WriteFile(statePath, []byte(died), 0o640)
	st, err := state.Load(statePath)
	if err != nil {
		t.Fatal(err)
	}
	export(t, link, Options{Format: "csv", Partition: "none", State: st}, log)
	if got := datasetRows(t, out); got != 100 {
		t.Errorf("%d rows on disk, want 100", got)
	}
	if m, _ := readManifest(out); m.Rows != 100 || len(m.Runs) != 1 {
		t.Errorf("manifest: %d rows in %d runs; want 100 in 1 (the run that died dropped)", m.Rows, len(m.Runs))
	}
}

// TestUnpartitionedKeepsLineOrder: without partitions, rows keep their
// lines' order even where the log crosses midnight out of time order (they
// came out 1, 3, 2, 4: split by day within a block).
func TestUnpartitionedKeepsLineOrder(t *testing.T) {
	lines := []string{
		strings.Replace(lineOK, "23:59:59", "23:59:58", 1),
		strings.Replace(lineOK, "12/Mar/2025:23:59:59", "13/Mar/2025:00:00:00", 1),
		lineOK,
		strings.Replace(lineOK, "12/Mar/2025:23:59:59", "13/Mar/2025:00:00:01", 1),
	}
	out, _ := exportLines(t, lines, Options{Format: "csv", Partition: "none", Run: "order"})
	f, err := os.Open(filepath.Join(out, "requests-order-00000.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(f).ReadAll()
	f.Close()
	col := slices.Index(rows[0], "source_line")
	var got []int
	for _, r := range rows[1:] {
		n, _ := strconv.Atoi(r[col])
		got = append(got, n)
	}
	if !slices.Equal(got, []int{1, 2, 3, 4}) {
		t.Errorf("source_line order %v, want [1 2 3 4]", got)
	}
}

// TestTablesWholeOrNothing: a --tables run that fails part-way leaves the
// earlier set as it was (it used to leave new tables beside old ones).
func TestTablesWholeOrNothing(t *testing.T) {
	files, _ := ingest.Expand([]string{"../samples/pim-api-access.log"}, false)
	q := report.QuotaOptions{Window: time.Minute, RetryAfter: time.Second}
	rt := report.RetryOptions{RetryAfter: time.Second}
	sum, err := report.Aggregate(context.Background(), files, ingest.Options{}, report.Config{Quota: q, Retry: rt})
	if err != nil {
		t.Fatal(err)
	}
	rep := report.Build(sum, files, report.Filter{}, report.Options{Top: 1000, Quota: q, Retry: rt})
	dir := t.TempDir()
	if _, err := WriteTables(dir, rep, true); err != nil {
		t.Fatal(err)
	}
	before := map[string]string{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		before[e.Name()] = string(b)
	}
	// The second set fails at its last table: where timeline.parquet goes,
	// a folder stands.
	os.Remove(filepath.Join(dir, "timeline.parquet"))
	os.Mkdir(filepath.Join(dir, "timeline.parquet"), 0o755)
	delete(before, "timeline.parquet")
	rep.Statuses = rep.Statuses[:1] // a different set, to tell old from new
	if _, err := WriteTables(dir, rep, true); err == nil {
		t.Fatal("no error writing over a folder")
	}
	for name, old := range before {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); string(b) != old {
			t.Errorf("%s changed in a run that failed", name)
		}
	}
	assertNoTemp(t, dir)

	// A run without a quota section replaces the set whole: the quota
	// tables of the earlier set go.
	os.Remove(filepath.Join(dir, "timeline.parquet"))
	rep.Quota = nil
	if _, err := WriteTables(dir, rep, true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "quota_windows.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("quota_windows.csv of the earlier set is still there: %v", err)
	}
}

// TestDatasetHoldsOnlyRows: no catalogue is written into the dataset (a
// glob over it read it as rows), and one an earlier version wrote goes.
func TestDatasetHoldsOnlyRows(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "a.log")
	os.WriteFile(in, []byte(dayLines(0, 10)), 0o644)
	out := filepath.Join(dir, "out")
	legacy := filepath.Join(out, "_codes", "codes.parquet")
	os.MkdirAll(filepath.Dir(legacy), 0o750)
	os.WriteFile(legacy, []byte("PAR1"), 0o640)
	export(t, out, Options{Format: "parquet", Partition: "date"}, in)
	var parquet []string
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".parquet") {
			parquet = append(parquet, p)
		}
		return nil
	})
	if len(parquet) != 1 || !strings.Contains(parquet[0], "date=2025-03-12") {
		t.Errorf("the dataset's Parquet files: %v, want the one part", parquet)
	}
	if _, err := os.Stat(filepath.Dir(legacy)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the earlier catalogue's folder is still there: %v", err)
	}
	if err := CheckDataset(out); err != nil {
		t.Errorf("CheckDataset(an export): %v", err)
	}
	if err := CheckDataset(dir); err == nil {
		t.Error("CheckDataset(a folder of logs): no error")
	}
}

// TestRunDiedMidCommit: a run that died while putting its parts in place
// (its marker left, a part on disk that the manifest does not list) is
// taken out by the next run into the dataset, whatever that run reads: the
// manifest and the files on disk agree again. Before the marker, such
// parts stayed for good beside the manifest that did not count them.
func TestRunDiedMidCommit(t *testing.T) {
	dir := t.TempDir()
	a, c := filepath.Join(dir, "a.log"), filepath.Join(dir, "c.log")
	os.WriteFile(a, []byte(dayLines(0, 100)), 0o644)
	os.WriteFile(c, []byte(dayLines(500, 30)), 0o644)
	out := filepath.Join(dir, "out")
	opts := Options{Format: "csv", Partition: "date"}
	export(t, out, opts, a)

	// A run "dead1" renamed one part in place, wrote no manifest entry,
	// and died; so did a re-run of a.log itself, which left a part of its
	// own run beside the old ones.
	day := filepath.Join(out, "date=2025-03-12")
	rows := "time,client\n2025-03-12T10:00:00.000000Z,x\n"
	os.WriteFile(filepath.Join(day, "part-dead1-00000.csv"), []byte(rows), 0o640)
	os.WriteFile(filepath.Join(out, pendingPrefix+"dead1"), []byte("1\n"), 0o640)
	files, _ := ingest.Expand([]string{a}, false)
	runA := RunID(files, opts)
	os.WriteFile(filepath.Join(day, "part-"+runA+"-00007.csv"), []byte(rows), 0o640)
	os.WriteFile(filepath.Join(out, pendingPrefix+runA), []byte("1\n"), 0o640)

	export(t, out, opts, c)
	if got := datasetRows(t, out); got != 30 {
		t.Errorf("after the runs that died are taken out: %d rows, want c.log's 30", got)
	}
	m, _ := readManifest(out)
	onDisk, _ := filepath.Glob(filepath.Join(out, "date=*", "*.csv"))
	if len(m.Files) != len(onDisk) || m.Rows != 30 || len(m.Runs) != 1 {
		t.Errorf("manifest: %d files, %d rows, %d runs; on disk %d files; want them to agree on c.log's run", len(m.Files), m.Rows, len(m.Runs), len(onDisk))
	}
	if left, _ := filepath.Glob(filepath.Join(out, pendingPrefix+"*")); len(left) != 0 {
		t.Errorf("markers left: %v", left)
	}
}
