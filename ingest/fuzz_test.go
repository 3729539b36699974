package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ulikunitz/xz"
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
		if fr, ok := fm.New(ParseOptions{}).(fieldResetter); ok {
			// As the Scanner reads it after a line that fills every field
			// the parser writes: the same record.
			q := fr.(Parser)
			var after Record
			after.reset()
			q.Parse([]byte(dirtyCLF), &after)
			fr.resetFields(&after)
			if r2 := q.Parse(line, &after); r2 != r || r == OK && !reflect.DeepEqual(after, rec) {
				t.Fatalf("after another line: %v %+v\nalone: %v %+v", r2, after, r, rec)
			}
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

// dirtyCLF fills every field a CLF parser writes (an absolute target
// gives Host).
const dirtyCLF = `192.0.2.9 - someone [12/Mar/2025:10:15:32 +0100] "PATCH https://api.example.com/api/x/1?a=b HTTP/1.1" 422 77 "https://ref.example/" "agent/1.0"`

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
	// A byte order mark is no part of the first line: alone it is no line
	// (CI's fuzzing found it), and before one unterminated line it is no
	// whole line that the line could be held back after.
	f.Add([]byte("\xEF\xBB\xBF"), uint8(0))
	f.Add([]byte("\xEF\xBB\xBFx"), uint8(12))
	f.Add([]byte("\xEF\xBB\xBFx\ny"), uint8(12))
	if b, err := os.ReadFile("../samples/pim-api-json.log"); err == nil {
		f.Add(b[:min(len(b), 4096)], uint8(2))
	}
	// The fixtures of TestFixtures: W3C directives with custom fields,
	// Caddy's console encoder, users with spaces.
	fixtures, _ := filepath.Glob("testdata/*.log")
	for _, p := range fixtures {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, uint8(0))
		}
	}
	// The lines again, xz-compressed: the decoder's input is fuzzed too.
	var xzs bytes.Buffer
	if xw, err := xz.NewWriter(&xzs); err == nil {
		xw.Write(all.Bytes())
		xw.Close()
		f.Add(xzs.Bytes(), uint8(1))
	}
	f.Fuzz(func(t *testing.T, data []byte, workers uint8) {
		n := 1 + int(workers%3)
		files := []*File{{Path: "-"}}
		hold := workers&12 == 12 // one in four: as a file, its unterminated last line held back (--state)
		if hold {
			// One file per fuzzing process, not a folder per call (t.TempDir
			// made the target three times slower).
			path := filepath.Join(os.TempDir(), fmt.Sprintf("analyze-fuzz-%d.log", os.Getpid()))
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Remove(path) })
			files[0] = &File{Path: path, HoldTail: true}
		}
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
		// The lines are those of the content: what decompression gives, up
		// to any damage (none when the header is unreadable).
		var content []byte
		comp := "none"
		if r, c, closeFn, err := decompress(bytes.NewReader(data)); err == nil {
			content, _ = io.ReadAll(r)
			closeFn()
			comp = c
		}
		// A byte order mark is no part of the first line, and alone no line.
		lines := trimBOM(content)
		want := int64(bytes.Count(lines, []byte{'\n'}))
		var held int64
		if len(lines) > 0 && lines[len(lines)-1] != '\n' {
			want++
			if last := bytes.LastIndexByte(content, '\n') + 1; hold && comp == "none" && last > 0 {
				want-- // the unterminated line is left for the next run
				held = int64(len(content) - last)
			}
		}
		if files[0].Held != held || hold && comp == "none" && files[0].Offset != int64(len(content))-held {
			t.Fatalf("held %d bytes at offset %d, want %d at %d", files[0].Held, files[0].Offset, held, int64(len(content))-held)
		}
		if files[0].Lines != want || records+rejected+blank != want {
			t.Fatalf("lines %d (want %d) != records %d + rejected %d + blank %d", files[0].Lines, want, records, rejected, blank)
		}
	})
}

// FuzzParseAny runs every known format's parser (the presets, HAProxy,
// W3C with its directives, JSON) on arbitrary lines.
func FuzzParseAny(f *testing.F) {
	for _, tc := range lineCases {
		f.Add([]byte(tc.line), uint8(0))
	}
	f.Add([]byte("#Fields: date time c-ip cs-method cs-uri-stem sc-status"), uint8(9))
	f.Add([]byte(`Feb  6 12:14:14 lb haproxy[1]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] in b/s 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 "GET / HTTP/1.1"`), uint8(8))
	all := Formats()
	parsers := make([]Parser, len(all))
	for i, fm := range all {
		parsers[i] = fm.New(ParseOptions{})
		if dp, ok := parsers[i].(directiveParser); ok {
			dp.Begin([]byte("#Fields: date time c-ip cs-method cs-uri-stem cs-uri-query sc-status cs(User-Agent) time-taken\n"))
		}
	}
	f.Fuzz(func(t *testing.T, line []byte, which uint8) {
		p := parsers[int(which)%len(parsers)]
		var rec Record
		rec.reset()
		r := p.Parse(line, &rec)
		if r == OK && (rec.Status < 0 || rec.Status > 999 || rec.Time.Location() != time.UTC) {
			t.Fatalf("%s accepted status %d time %v", all[int(which)%len(all)].Name, rec.Status, rec.Time)
		}
	})
}
