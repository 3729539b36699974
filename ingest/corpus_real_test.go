package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"analyze/classify"
)

// TestCorpusRealLogs holds analyze to every row of
// ../shared/corpus/real-logs/PROVENANCE.md: real logs from public
// repositories, counted there by GoAccess or a strict independent parser.
// Each log is read as a user would: by format detection, except the custom
// nginx format, which no detection can know and which the user names with
// --format nginx:NAME --format-file nginx.conf. The rows' numbers are read
// from PROVENANCE.md itself (lines, records / rejected / blank, and the
// classes success / redirect / client_error / server_error / other, or
// "status N"); what its notes claim besides is in realLogs.

const realLogsDir = corpusDir + "/real-logs"

// realLog is how a user reads one real log, and what its notes claim.
type realLog struct {
	format, formatFile string // --format and --format-file; "" detects
	want               string // the format the run reads it with
	files, gzipped     int    // for a folder: its files, and how many are gzip
	statuses           map[int]int64
	reasons            map[Reason]int64
	rejected           map[string]int64 // rejected lines by how they start: each starts with one of these
	forwardedFor       int64            // records with an X-Forwarded-For
	why                string
}

var realLogs = map[string]realLog{
	"haproxy-no7dw.log": {want: "haproxy-http", reasons: map[Reason]int64{NotALogLine: 28}, rejected: map[string]int64{"Connect from ": 28},
		why: `the 28 "Connect from" lines (HAProxy's tcplog of the https frontend) are not requests`},
	// The row's notes say nothing of the 91: they are HAProxy's own
	// messages, none a request (grep -v of the httplog timers finds them).
	"haproxy-no7dw.1.log": {want: "haproxy-http", reasons: map[Reason]int64{NotALogLine: 91},
		rejected: map[string]int64{"Connect from ": 79, "Server finance_koala_server": 8, "backend finance_koala_server": 4},
		why:      "79 Connect from lines, 8 server DOWN/UP and 4 no server available messages"},
	"elb-ozantunca.log":                {want: "aws-elb"},
	"alb-ozantunca-converted.log":      {want: "aws-alb", why: "the 2 lines without the newer fields still hold the 13 an ALB line must have"},
	"alb-awssamples-lab.log.gz":        {want: "aws-alb", statuses: map[int]int64{460: 1}},
	"cloudfront-awssamples-lab.log.gz": {want: "cloudfront", why: "the 2 blank lines are its #Version and #Fields directives"},
	"common-monitorware.log":           {want: "common"},
	"common-caddy1-wwarodom.log":       {want: "common"},
	"combined-tahchag-nginx.log":       {want: "combined"},
	"combined-agungbahtiarr.log":       {want: "combined"},
	// The note's "101 websocket upgrades" names the status, not a count:
	// the folder holds 254 lines with status 101, all GET /ws/ (grep '" 101 '),
	// which is the row's "other" class.
	"boglogs-nginx":               {want: "combined", files: 15, gzipped: 13, statuses: map[int]int64{101: 254}},
	"traefik-json-maborak.log":    {want: "json"},
	"envoy-default-sigongjoa.log": {want: "envoy"},
	"iis-w3c-mrsalmon.log":        {want: "w3c", why: "the 4 blank lines are its directives"},
	"iis-w3c-alberta-excerpt.log": {want: "w3c", forwardedFor: 12,
		why: "its #Fields ends with a custom X-Forwarded-For (no cs(...)), kept as the forwarded-for field"},
	"nginx-custom-pipe-4ennyx.log": {format: "nginx:custom_format", formatFile: "nginx-4ennyx.conf", want: "nginx:custom_format",
		why: "a log_format of the conf: auto-detection rejects its lines as no_format, as it should"},
}

// provenanceRow is one row of PROVENANCE.md's table.
type provenanceRow struct {
	path                            string // the log, or its folder
	lines, records, rejected, blank int64
	classes                         [classify.NumClasses]int64
	status                          int // for "status N": the one status of the file
}

// readProvenance parses the table of PROVENANCE.md.
func readProvenance(t *testing.T, path string) []provenanceRow {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rows []provenanceRow
	for line := range strings.SplitSeq(string(data), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 8 || !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| file ") {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		num := func(s string) int64 {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				t.Fatalf("PROVENANCE.md: cannot read row %q: %v", line, err)
			}
			return n
		}
		var r provenanceRow
		r.path = strings.TrimSuffix(strings.Fields(cells[1])[0], "/")
		r.lines = num(cells[3])
		counts := strings.Split(cells[4], "/")
		if len(counts) != 3 {
			t.Fatalf("PROVENANCE.md: cannot read the counts of row %q", line)
		}
		r.records, r.rejected, r.blank = num(counts[0]), num(counts[1]), num(counts[2])
		if s, ok := strings.CutPrefix(cells[5], "status "); ok {
			r.status = int(num(s))
		} else {
			classes := strings.Split(cells[5], "/")
			if len(classes) != classify.NumClasses {
				t.Fatalf("PROVENANCE.md: cannot read the classes of row %q", line)
			}
			for i, c := range classes {
				r.classes[i] = num(c)
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// realTally is what a run over one real log saw.
type realTally struct {
	records, rejected, blank int64
	classes                  [classify.NumClasses]int64
	statuses                 map[int]int64
	reasons                  map[Reason]int64
	forwardedFor             int64
	rejectedBy               map[string]int64 // rejected lines by their start (realLog.rejected), "" for others
	others                   []string         // rejected lines with none of the starts
}

func TestCorpusRealLogs(t *testing.T) {
	rows := readProvenance(t, filepath.Join(needShared(t, realLogsDir), "PROVENANCE.md"))
	if len(rows) != len(realLogs) {
		t.Errorf("PROVENANCE.md has %d rows, the test knows %d logs: say how a user reads each new one in realLogs", len(rows), len(realLogs))
	}
	for _, row := range rows {
		t.Run(row.path, func(t *testing.T) {
			w, ok := realLogs[row.path]
			if !ok {
				t.Fatalf("no entry in realLogs for %s", row.path)
			}
			path := filepath.Join(realLogsDir, row.path)
			var defs map[string]string
			if w.formatFile != "" {
				var err error
				if defs, err = NginxLogFormats(filepath.Join(realLogsDir, w.formatFile)); err != nil {
					t.Fatal(err)
				}
			}
			format, err := ResolveFormat(w.format, defs)
			if err != nil {
				t.Fatal(err)
			}
			files, errs := Expand([]string{path}, false)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			got := runReal(t, files, Options{Format: format}, w.rejected)
			var lines int64
			gzipped := 0
			for _, f := range files {
				lines += f.Lines
				if f.FormatName() != w.want {
					t.Errorf("%s: read as %s, want %s", f.Path, f.FormatName(), w.want)
				}
				if f.Compression == "gzip" {
					gzipped++
				}
			}
			if w.files > 0 && (len(files) != w.files || gzipped != w.gzipped) {
				t.Errorf("%d files, %d gzipped; PROVENANCE says %d, %d gzipped", len(files), gzipped, w.files, w.gzipped)
			}
			if lines != row.lines || got.records != row.records || got.rejected != row.rejected || got.blank != row.blank {
				t.Errorf("lines %d = %d records / %d rejected %v / %d blank; PROVENANCE says %d = %d / %d / %d (%s)",
					lines, got.records, got.rejected, got.reasons, got.blank, row.lines, row.records, row.rejected, row.blank, w.why)
			}
			if row.status == 0 && got.classes != row.classes {
				t.Errorf("classes %v, PROVENANCE says %v (%s)", got.classes, row.classes, w.why)
			}
			if row.status != 0 && got.statuses[row.status] != row.records {
				t.Errorf("statuses %v, PROVENANCE says %d × %d", got.statuses, row.records, row.status)
			}
			for s, n := range w.statuses {
				if got.statuses[s] != n {
					t.Errorf("status %d: %d records, want %d (%s)", s, got.statuses[s], n, w.why)
				}
			}
			for r, n := range w.reasons {
				if got.reasons[r] != n {
					t.Errorf("%s: %d rejected, want %d (%s)", r, got.reasons[r], n, w.why)
				}
			}
			for start, n := range w.rejected {
				if got.rejectedBy[start] != n {
					t.Errorf("%d rejected lines start with %q, want %d (%s)", got.rejectedBy[start], start, n, w.why)
				}
			}
			if w.rejected != nil && len(got.others) > 0 {
				t.Errorf("rejected lines none of %v: %q", w.rejected, got.others)
			}
			if got.forwardedFor != w.forwardedFor {
				t.Errorf("%d records with X-Forwarded-For, want %d (%s)", got.forwardedFor, w.forwardedFor, w.why)
			}
		})
	}
}

// runReal runs the pipeline over files and tallies what the scanners saw;
// it checks that every line is accounted for (runAll).
func runReal(t *testing.T, files []*File, opts Options, starts map[string]int64) *realTally {
	t.Helper()
	var mu sync.Mutex
	got := &realTally{statuses: map[int]int64{}, reasons: map[Reason]int64{}, rejectedBy: map[string]int64{}}
	scanners := map[int]*Scanner{}
	err := Run(t.Context(), files, opts, func(w int, b *Block) {
		mu.Lock()
		defer mu.Unlock()
		sc := scanners[w]
		if sc == nil {
			sc = NewScanner(ParseOptions{})
			scanners[w] = sc
		}
		sc.Reset(b)
		for sc.Next() {
			switch sc.Kind() {
			case KindRecord:
				rec := sc.Record()
				got.records++
				got.classes[classify.ClassOf(rec.Status)]++
				got.statuses[rec.Status]++
				if len(rec.ForwardedFor) > 0 {
					got.forwardedFor++
				}
			case KindRejected:
				rj := sc.Rejection()
				got.rejected++
				got.reasons[rj.Reason]++
				known := false
				for start := range starts {
					if bytes.HasPrefix(rj.Snippet, []byte(start)) {
						got.rejectedBy[start]++
						known = true
					}
				}
				if !known {
					got.others = append(got.others, string(rj.Snippet))
				}
			case KindBlank:
				got.blank++
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}
