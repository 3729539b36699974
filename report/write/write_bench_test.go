package write

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"

	"analyze/ingest"
	"analyze/report"
)

// BenchmarkWriteManyBursts renders the text and Markdown reports of a log
// with a 429 every other minute (a burst each), at two sizes: rendering
// is linear when the time per byte of log stays flat from one to the
// other. The Go heap's soft limit is the one cmd/analyze sets for a
// report (128 MiB): a report whose lists grew with the input made the
// collector run without rest near it.
//
//	go test ./report/write -run '^$' -bench WriteManyBursts -count 6 > new.txt; benchstat old.txt new.txt
func BenchmarkWriteManyBursts(b *testing.B) {
	for _, lines := range []int{100_000, 400_000} {
		path := filepath.Join(b.TempDir(), "bursts.log")
		size := writeBurstLog(b, path, lines)
		r, _ := aggregate(b, []string{path}, ingest.Options{Workers: 2}, report.Filter{})
		for _, w := range []struct {
			name  string
			write Writer
		}{{"text", WriteText}, {"markdown", WriteMarkdown}} {
			b.Run(fmt.Sprintf("%s/lines=%d", w.name, lines), func(b *testing.B) {
				defer debug.SetMemoryLimit(debug.SetMemoryLimit(128 << 20))
				b.SetBytes(size)
				b.ReportAllocs()
				for b.Loop() {
					if err := w.write(io.Discard, r); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// writeBurstLog writes n combined-format lines, one a minute, every other
// one a 429, and returns the log's size.
func writeBurstLog(tb testing.TB, path string, n int) int64 {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		status := 200
		if i%2 == 0 {
			status = 429
		}
		fmt.Fprintf(w, "10.0.%d.%d - - [%s] \"GET /api/items/%d HTTP/1.1\" %d 12 \"-\" \"agent\"\n",
			i%7, i%5, t0.Add(time.Duration(i)*time.Minute).Format("02/Jan/2006:15:04:05 -0700"), i%50, status)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	f.Close()
	return st.Size()
}
