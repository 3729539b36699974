package export

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"analyze/ingest"
	"analyze/report"
	"analyze/samples/synth"
)

const (
	lineOK   = `203.0.113.10 - erp [12/Mar/2025:23:59:59 +0000] "GET /api/documents/42?lang=fr HTTP/1.1" 200 512 "-" "erp-sync/4.2"`
	lineDash = `10.0.0.1 - - [13/Mar/2025:00:00:01 +0000] "POST /api/imports HTTP/1.1" 503 - "-" "=HYPERLINK(\"x\")"`
	lineBad  = "10.0.0.2 - - [13/Mar/2025:00:00:02 +0000] \"GET /caf\xe9 HTTP/1.1\" 404 7 \"-\" \"-\""
)

func exportLines(t *testing.T, lines []string, opts Options) (string, *Result) {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "access.log")
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	files, _ := ingest.Expand([]string{in}, false)
	out := filepath.Join(dir, "out")
	res, err := Run(context.Background(), files, ingest.Options{Workers: 2}, out, opts)
	if err != nil {
		t.Fatal(err)
	}
	return out, res
}

func readParquet(t *testing.T, path string) (arrow.Table, map[string]string) {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdr.Close() })
	meta := map[string]string{}
	kv := rdr.MetaData().KeyValueMetadata()
	for i, k := range kv.Keys() {
		meta[k] = kv.Values()[i]
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tbl.Release)
	return tbl, meta
}

func TestParquetDataset(t *testing.T) {
	out, res := exportLines(t, []string{lineOK, "garbage", lineDash, lineBad}, Options{Format: "parquet", Partition: "date", Metadata: map[string]string{"analyze.version": "test"}, Run: "test"})
	if res.Rows != 3 || res.Lines != 4 || res.Records != 3 || res.Rejected != 1 {
		t.Fatalf("result %+v", res)
	}
	day1 := filepath.Join(out, "date=2025-03-12", "part-test-00000.parquet")
	day2 := filepath.Join(out, "date=2025-03-13", "part-test-00000.parquet")
	if res.Files[day1] != 1 || res.Files[day2] != 2 {
		t.Fatalf("files %v", res.Files)
	}
	tbl, meta := readParquet(t, day2)
	if tbl.NumRows() != 2 {
		t.Fatalf("rows %d", tbl.NumRows())
	}
	sc := tbl.Schema()
	for name, want := range map[string]string{"time": "timestamp[us, tz=UTC]", "status": "int32", "bytes": "int64", "duration_ms": "float64", "source_line": "int64", "client": "utf8"} {
		f, ok := sc.FieldsByName(name)
		if !ok || f[0].Type.String() != want {
			t.Errorf("column %s: %v, want %s", name, f, want)
		}
	}
	col := func(name string) arrow.Array {
		i := sc.FieldIndices(name)[0]
		return tbl.Column(i).Data().Chunk(0)
	}
	if b := col("bytes"); !b.IsNull(0) || b.(*array.Int64).Value(1) != 7 {
		t.Errorf("bytes: null for '-' then 7; got %v", b)
	}
	if s := col("status").(*array.Int32); s.Value(0) != 503 || s.Value(1) != 404 {
		t.Errorf("status %v", s)
	}
	if d := col("diagnosis").(*array.String); d.Value(0) != "unavailable" || d.Value(1) != "not_found" {
		t.Errorf("diagnosis %v", d)
	}
	if r := col("retry_policy").(*array.String); r.Value(0) != "after_wait" {
		t.Errorf("retry_policy %v", r)
	}
	if p := col("path").(*array.String); p.Value(1) != "/caf\uFFFD" {
		t.Errorf("invalid UTF-8 not replaced: %q", p.Value(1))
	}
	if d := col("duration_ms"); !d.IsNull(0) {
		t.Errorf("duration not logged, not null: %v", d)
	}
	if ts := col("time").(*array.Timestamp); ts.Value(0) != arrow.Timestamp(time.Date(2025, 3, 13, 0, 0, 1, 0, time.UTC).UnixMicro()) {
		t.Errorf("time %v", ts.Value(0))
	}
	for _, k := range []string{"analyze.version", "analyze.inputs", "analyze.formats", "analyze.rows"} {
		if _, ok := meta[k]; !ok {
			t.Errorf("metadata lacks %s: %v", k, meta)
		}
	}
	if meta["analyze.rows"] != "2" || !strings.HasSuffix(meta["analyze.formats"], "\tcombined") {
		t.Errorf("metadata %v", meta)
	}
	var m Manifest
	b, err := os.ReadFile(filepath.Join(out, "_analyze.json"))
	if err != nil || json.Unmarshal(b, &m) != nil {
		t.Fatalf("manifest: %v %s", err, b)
	}
	if m.Lines != 4 || m.Records != 3 || m.Rejected != 1 || m.Rows != 3 || m.Files["date=2025-03-13/part-test-00000.parquet"] != 2 || len(m.Runs) != 1 || m.Runs[0].ID != "test" || len(m.Inputs) != 1 || m.Inputs[0].Format != "combined" {
		t.Errorf("manifest %+v", m)
	}
	assertNoTemp(t, out)
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && IsTemp(p) {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

func TestCSVDataset(t *testing.T) {
	for _, safe := range []bool{true, false} {
		out, res := exportLines(t, []string{lineOK, lineDash}, Options{Format: "csv", Partition: "none", CSVSafe: safe, Run: "test"})
		if res.Rows != 2 {
			t.Fatalf("rows %d", res.Rows)
		}
		f, err := os.Open(filepath.Join(out, "requests-test-00000.csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		head := map[string]int{}
		for i, h := range rows[0] {
			head[h] = i
		}
		if len(rows) != 3 || rows[1][head["time"]] != "2025-03-12T23:59:59.000000Z" || rows[1][head["query"]] != "lang=fr" ||
			rows[2][head["bytes"]] != "" || rows[2][head["status"]] != "503" || rows[1][head["endpoint"]] != "/api/documents/{id}" {
			t.Errorf("csv rows %q", rows)
		}
		agent := rows[2][head["user_agent"]]
		if safe && agent != `'=HYPERLINK(\"x\")` || !safe && agent != `=HYPERLINK(\"x\")` {
			t.Errorf("csv-safe %v: user agent %q", safe, agent)
		}
	}
}

func TestDatasetAbortAndRerun(t *testing.T) {
	dir := t.TempDir()
	ds, err := NewDataset(dir, Schema(nil), Options{Format: "parquet", Partition: "date", Run: "abort"})
	if err != nil {
		t.Fatal(err)
	}
	b := NewBatcher(Schema(nil), nil)
	var rec ingest.Record
	p, _ := ingest.ResolveFormat("combined", nil)
	p.New(ingest.ParseOptions{}).Parse([]byte(lineOK), &rec)
	rec.File = &ingest.File{Path: "x.log"}
	b.Add(&rec)
	for _, bt := range b.Flush() {
		if err := ds.Write(bt); err != nil {
			t.Fatal(err)
		}
	}
	// Mid-way: only a hidden temporary file exists.
	var names []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if !d.IsDir() {
			names = append(names, filepath.Base(p))
		}
		return nil
	})
	if len(names) != 1 || !IsTemp(names[0]) || strings.HasSuffix(names[0], ".parquet") {
		t.Errorf("mid-way files %v", names)
	}
	ds.Abort()
	assertNoTemp(t, dir)
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("after the abort the dataset holds %v; want nothing (the partition folder it made is empty)", left)
	}
	// A rerun over the same input replaces the file, never adds one.
	in := filepath.Join(t.TempDir(), "a.log")
	os.WriteFile(in, []byte(lineOK+"\n"), 0o644)
	for range 2 {
		files, _ := ingest.Expand([]string{in}, false)
		if _, err := Run(context.Background(), files, ingest.Options{}, dir, Options{Format: "parquet", Partition: "date"}); err != nil {
			t.Fatal(err)
		}
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "date=*", "*"))
	if len(matches) != 1 {
		t.Errorf("after two runs: %v", matches)
	}
	// A part the same run split the day into earlier is removed, not
	// counted twice; another run's part stays.
	files, _ := ingest.Expand([]string{in}, false)
	run := RunID(files, Options{Format: "parquet", Partition: "date"})
	stale := filepath.Join(filepath.Dir(matches[0]), "part-"+run+"-00003.parquet")
	os.WriteFile(stale, []byte("old"), 0o640)
	other := filepath.Join(filepath.Dir(matches[0]), "part-0th3r-00000.parquet")
	os.WriteFile(other, []byte("another run's"), 0o640)
	if _, err := Run(context.Background(), files, ingest.Options{}, dir, Options{Format: "parquet", Partition: "date"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale part left: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another run's part was removed: %v", err)
	}
}

// BenchmarkExport measures rows/s of the whole export path (read, parse,
// classify, build Arrow batches, write) over a generated log.
//
//	go test -run '^$' -bench Export -count 5 ./export > new.txt; benchstat new.txt
func BenchmarkExport(b *testing.B) {
	dir := b.TempDir()
	in := filepath.Join(dir, "in.log")
	f, _ := os.Create(in)
	cfg := synth.Default()
	cfg.Lines = 200000
	synth.Write(f, cfg)
	f.Close()
	info, _ := os.Stat(in)
	for _, format := range []string{"parquet", "csv"} {
		b.Run(format, func(b *testing.B) {
			b.SetBytes(info.Size())
			b.ReportAllocs()
			for b.Loop() {
				files, _ := ingest.Expand([]string{in}, false)
				if _, err := Run(context.Background(), files, ingest.Options{}, filepath.Join(dir, format), Options{Format: format, Partition: "date"}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cfg.Lines)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// TestManyDays: past maxOpen days, the oldest file is finished; a day that
// gets rows again goes on in its next part file, and no row is lost.
func TestManyDays(t *testing.T) {
	var b strings.Builder
	day := func(d, n int) {
		for range n {
			b.WriteString(strings.Replace(lineOK, "12/Mar/2025", fmt.Sprintf("%02d/Mar/2025", d), 1) + "\n")
		}
	}
	for d := 1; d <= 7; d++ {
		day(d, 1000)
	}
	day(1, 1000) // day 1 again, blocks later
	dir := t.TempDir()
	in := filepath.Join(dir, "a.log")
	os.WriteFile(in, []byte(b.String()), 0o644)
	files, _ := ingest.Expand([]string{in}, false)
	out := filepath.Join(dir, "out")
	res, err := Run(context.Background(), files, ingest.Options{Workers: 1, MaxLine: 64 << 10}, out, Options{Format: "parquet", Partition: "date", Run: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 8000 || len(res.Files) != 8 {
		t.Fatalf("rows %d files %v", res.Rows, res.Files)
	}
	if res.Files[filepath.Join(out, "date=2025-03-01", "part-t-00001.parquet")] == 0 {
		t.Errorf("day 1 has no second part: %v", res.Files)
	}
	assertNoTemp(t, out)
}

func TestWriteTables(t *testing.T) {
	files, _ := ingest.Expand([]string{"../samples"}, false)
	q := report.QuotaOptions{Window: time.Minute, RetryAfter: time.Second, ClientLimits: map[string]int64{"shop-connector": 100}}
	rt := report.RetryOptions{RetryAfter: time.Second}
	sum, err := report.Aggregate(context.Background(), files, ingest.Options{}, report.Config{Quota: q, Retry: rt})
	if err != nil {
		t.Fatal(err)
	}
	rep := report.Build(sum, files, report.Filter{}, report.Options{Top: 1000, Quota: q, Retry: rt})
	dir := t.TempDir()
	written, err := WriteTables(dir, rep, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 22 {
		t.Fatalf("%d files: %v", len(written), written)
	}
	want := map[string]int64{"statuses": int64(len(rep.Statuses)), "quota_windows": int64(len(rep.Quota.Windows)),
		"unrecovered": rep.Retry.Unrecovered, "retry_chains": int64(len(rep.Retry.ByStatus)), "hosts": int64(len(rep.Hosts)),
		"incidents": int64(len(rep.Incidents)), "timeline": int64(len(rep.Timeline.Windows))}
	if len(rep.Incidents) == 0 || len(rep.Timeline.Windows) < 10 {
		t.Fatalf("the samples give %d incidents and %d timeline windows: too few to test", len(rep.Incidents), len(rep.Timeline.Windows))
	}
	for name, n := range want {
		tbl, _ := readParquet(t, filepath.Join(dir, name+".parquet"))
		f, _ := os.Open(filepath.Join(dir, name+".csv"))
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || tbl.NumRows() != n || int64(len(rows)-1) != n {
			t.Errorf("%s: parquet %d rows, csv %d, want %d (%v)", name, tbl.NumRows(), len(rows)-1, n, err)
		}
	}
	// The bytes of the endpoints and clients, last, as the report counts
	// them; null (empty) when none is logged.
	for _, tc := range []struct {
		name string
		want map[string]*int64
	}{{"endpoints", map[string]*int64{}}, {"clients", map[string]*int64{}}} {
		if tc.name == "endpoints" {
			for _, e := range rep.Endpoints {
				tc.want[e.Endpoint] = e.Bytes
			}
		} else {
			for _, c := range rep.Clients {
				tc.want[c.Client] = c.Bytes
			}
		}
		f, _ := os.Open(filepath.Join(dir, tc.name+".csv"))
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(rows) != len(tc.want)+1 || rows[0][len(rows[0])-1] != "bytes" {
			t.Fatalf("%s.csv: %v %v", tc.name, rows[:min(1, len(rows))], err)
		}
		sized := 0
		for _, row := range rows[1:] {
			want := ""
			if b := tc.want[row[0]]; b != nil {
				want = strconv.FormatInt(*b, 10)
				sized++
			}
			if got := row[len(row)-1]; got != want {
				t.Errorf("%s.csv: %s has bytes %q, want %q", tc.name, row[0], got, want)
			}
		}
		if sized == 0 {
			t.Errorf("%s.csv: no bytes on the samples", tc.name)
		}
	}
	// A client's own limit, in its row; the others have none (null).
	f, _ := os.Open(filepath.Join(dir, "quota_clients.csv"))
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) < 2 || rows[0][len(rows[0])-1] != "limit_per_window" {
		t.Fatalf("quota_clients.csv: %v %v", rows[:min(1, len(rows))], err)
	}
	limits := map[string]string{}
	for _, row := range rows[1:] {
		limits[row[0]] = row[len(row)-1]
	}
	if limits["shop-connector"] != "100" || limits["erp-sync"] != "" {
		t.Errorf("quota_clients.csv limit_per_window: shop-connector %q, erp-sync %q", limits["shop-connector"], limits["erp-sync"])
	}
	assertNoTemp(t, dir)
}

// TestParquetPrivacy exports with pseudonyms and the default masking: the
// Parquet columns hold no address, user or token.
func TestParquetPrivacy(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "access.log")
	os.WriteFile(in, []byte(`203.0.113.10 - erp [12/Mar/2025:23:59:59 +0000] "GET /api/documents/42?token=T0PSECRET HTTP/1.1" 200 512 "-" "erp-sync/4.2"`+"\n"), 0o644)
	files, _ := ingest.Expand([]string{in}, false)
	out := filepath.Join(dir, "out")
	opts := ingest.Options{Workers: 2, Parse: ingest.ParseOptions{AnonymizeKey: []byte("0123456789abcdef")}}
	if _, err := Run(context.Background(), files, opts, out, Options{Format: "parquet", Partition: "none"}); err != nil {
		t.Fatal(err)
	}
	parts, _ := filepath.Glob(filepath.Join(out, "*.parquet"))
	if len(parts) != 1 {
		t.Fatalf("parts %v", parts)
	}
	tbl, _ := readParquet(t, parts[0])
	var cells []string
	for i := range int(tbl.NumCols()) {
		for _, chunk := range tbl.Column(i).Data().Chunks() {
			if s, ok := chunk.(interface{ ValueStr(int) string }); ok {
				for j := range chunk.Len() {
					cells = append(cells, tbl.Schema().Field(i).Name+"="+s.ValueStr(j))
				}
			}
		}
	}
	all := strings.Join(cells, " ")
	for _, leak := range []string{"203.0.113.10", "=erp ", "T0PSECRET"} {
		if strings.Contains(all+" ", leak) {
			t.Errorf("the Parquet file holds %q: %s", leak, all)
		}
	}
	if !strings.Contains(all, "client=anon-") || !strings.Contains(all, "token=*********") {
		t.Errorf("no pseudonym or mask in the Parquet file: %s", all)
	}
}

// TestSmallBatchesCoalesced exports the same lines as one file and as 70
// files of 300 lines, whose blocks make batches far under coalesceRows:
// the writer puts them together (and writes the remainder when the file
// closes), and the rows, in order, are the same value for value but for
// the source file and line.
func TestSmallBatchesCoalesced(t *testing.T) {
	dir := t.TempDir()
	var all []string
	for i := range 70 * 300 {
		all = append(all, strings.Replace(lineOK, "/42?", fmt.Sprintf("/%d?", i), 1))
	}
	one := filepath.Join(dir, "one", "access.log")
	os.MkdirAll(filepath.Dir(one), 0o755)
	os.WriteFile(one, []byte(strings.Join(all, "\n")+"\n"), 0o644)
	many := filepath.Join(dir, "many")
	os.MkdirAll(many, 0o755)
	for f := range 70 {
		os.WriteFile(filepath.Join(many, fmt.Sprintf("access-%02d.log", f)), []byte(strings.Join(all[f*300:(f+1)*300], "\n")+"\n"), 0o644)
	}
	export := func(in, out string) arrow.Table {
		files, _ := ingest.Expand([]string{in}, false)
		res, err := Run(context.Background(), files, ingest.Options{Workers: 1}, out, Options{Format: "parquet", Partition: "none"})
		if err != nil || res.Rows != int64(len(all)) {
			t.Fatalf("%s: %d rows, %v", in, res.Rows, err)
		}
		matches, _ := filepath.Glob(filepath.Join(out, "*.parquet"))
		if len(matches) != 1 {
			t.Fatalf("%s: files %v", out, matches)
		}
		tbl, _ := readParquet(t, matches[0])
		return tbl
	}
	a, b := export(one, filepath.Join(dir, "out-one")), export(many, filepath.Join(dir, "out-many"))
	if a.NumRows() != b.NumRows() {
		t.Fatalf("rows %d and %d", a.NumRows(), b.NumRows())
	}
	values := func(tbl arrow.Table, col int) []string {
		var out []string
		for _, chunk := range tbl.Column(col).Data().Chunks() {
			for i := range chunk.Len() {
				out = append(out, chunk.ValueStr(i))
			}
		}
		return out
	}
	for c := range int(a.NumCols()) {
		name := a.Schema().Field(c).Name
		if name == "source_file" || name == "source_line" {
			continue
		}
		if va, vb := values(a, c), values(b, c); !slices.Equal(va, vb) {
			t.Errorf("column %s differs", name)
		}
	}
}
