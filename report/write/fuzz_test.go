package write

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"analyze/ingest"
	"analyze/report"
)

// FuzzReport feeds arbitrary bytes through the whole path, bytes → records
// → every analysis → every writer: nothing may panic, the accounting must
// reconcile, and every Prometheus line must stay a comment or a sample.
//
//	go test -run '^$' -fuzz '^FuzzReport$' -fuzztime 1m ./report/write
func FuzzReport(f *testing.F) {
	for _, name := range []string{"../../samples/pim-api-access.log", "../../samples/pim-api-json.log", "../../samples/pim-api-w3c.log",
		"../../samples/pim-api-vhost.log", "../../samples/pim-api-caddy.log"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b[:min(len(b), 3000)])
		}
	}
	f.Add([]byte("\n\n#Fields: date time c-ip cs-method cs-uri-stem sc-status\n2025-03-12 10:00:00 1.2.3.4 GET / 429\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		files := []*ingest.File{{Path: "-"}}
		q := report.QuotaOptions{Window: time.Minute, RetryAfter: time.Second, Limit: 2}
		rt := report.RetryOptions{RetryAfter: time.Second}
		sum, err := report.Aggregate(context.Background(), files, ingest.Options{Workers: 2, MaxLine: 64 << 10, Stdin: bytes.NewReader(data)}, report.Config{Quota: q, Retry: rt})
		if err != nil {
			t.Fatal(err)
		}
		r := report.Build(sum, files, report.Filter{}, report.Options{Top: 5, Quota: q, Retry: rt, Unrecovered: true})
		if !r.Input.Reconciled {
			t.Fatalf("lines %d != records %d + rejected %d + blank %d", r.Input.Lines, r.Input.Records, r.Input.Rejected, r.Input.Blank)
		}
		for _, f := range Formats {
			if f.Write == nil {
				continue
			}
			name := f.Name
			var b bytes.Buffer
			if err := f.Write(&b, r, DefaultWidth); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if name == "prometheus" { // no logged value may break a sample out of its line
				for line := range bytes.SplitSeq(bytes.TrimSuffix(b.Bytes(), []byte("\n")), []byte("\n")) {
					if !bytes.HasPrefix(line, []byte("# ")) && !bytes.HasPrefix(line, []byte("analyze_")) {
						t.Fatalf("prometheus: a line that is neither a comment nor a sample: %q", line)
					}
				}
			}
		}
		var b bytes.Buffer
		if err := WriteUnrecoveredCSV(&b, r); err != nil {
			t.Fatal(err)
		}
		if err := WriteTimelineCSV(&b, r); err != nil {
			t.Fatal(err)
		}
		var timed int64
		for _, w := range r.Timeline.Windows {
			timed += w.Requests
		}
		if timed != r.Input.Analyzed {
			t.Fatalf("the timeline counts %d requests, the input %d", timed, r.Input.Analyzed)
		}
	})
}
