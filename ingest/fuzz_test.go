package ingest

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"
)

// The fuzz targets check that no input makes a parser panic, that what a
// parser accepts is a sane record, and that the whole ingest path accounts
// for every line. Seeds come from the shared line table and the samples;
// findings go to testdata/fuzz.
//
//	go test -run '^$' -fuzz '^FuzzParseCombined$' -fuzztime 1m ./ingest

func fuzzParser(f *testing.F, format string) {
	for _, tc := range lineCases {
		f.Add([]byte(tc.line))
	}
	fm, err := LookupFormat(format)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		p := fm.New(ParseOptions{})
		var rec Record
		rec.reset()
		r := p.Parse(line, &rec)
		if r >= NumReasons {
			t.Fatalf("reason %d out of range", r)
		}
		if r != OK {
			return
		}
		if rec.Status < 0 || rec.Status > 999 {
			t.Fatalf("status %d accepted", rec.Status)
		}
		if rec.Bytes < -1 || rec.Duration < -1 {
			t.Fatalf("bytes %d duration %v accepted", rec.Bytes, rec.Duration)
		}
		if rec.Time.Location() != time.UTC {
			t.Fatalf("time %v not in UTC", rec.Time)
		}
	})
}

func FuzzParseCombined(f *testing.F) { fuzzParser(f, "combined") }
func FuzzParseCommon(f *testing.F)   { fuzzParser(f, "common") }
func FuzzParseJSON(f *testing.F)     { fuzzParser(f, "json") }

// FuzzIngest feeds arbitrary bytes through the whole pipeline and checks
// the accounting: every line is a record, a rejection or blank, and the
// reader counted exactly the lines there are.
func FuzzIngest(f *testing.F) {
	var all bytes.Buffer
	for _, tc := range lineCases {
		all.WriteString(tc.line + "\n")
	}
	f.Add(all.Bytes(), uint8(0))
	f.Add([]byte("\n\n\r\n"), uint8(1))
	if b, err := os.ReadFile("../samples/pim-api-json.log"); err == nil {
		f.Add(b[:min(len(b), 4096)], uint8(2))
	}
	f.Fuzz(func(t *testing.T, data []byte, workers uint8) {
		n := 1 + int(workers%3)
		files := []*File{{Path: "-"}}
		counts := make([][3]int64, n) // per worker: records, rejected, blank
		scanners := make([]*Scanner, n)
		for i := range scanners {
			scanners[i] = NewScanner(ParseOptions{})
		}
		err := Run(context.Background(), files, Options{Workers: n, MaxLine: 64 << 10, Stdin: bytes.NewReader(data)}, func(w int, b *Block) {
			sc := scanners[w]
			sc.Reset(b)
			for sc.Next() {
				counts[w][sc.Kind()]++
			}
		})
		var records, rejected, blank int64
		for _, c := range counts {
			records, rejected, blank = records+c[KindRecord], rejected+c[KindRejected], blank+c[KindBlank]
		}
		if err != nil {
			t.Fatal(err)
		}
		want := int64(bytes.Count(data, []byte{'\n'}))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			want++
		}
		if files[0].Lines != want || records+rejected+blank != want {
			t.Fatalf("lines %d (want %d) != records %d + rejected %d + blank %d", files[0].Lines, want, records, rejected, blank)
		}
	})
}
