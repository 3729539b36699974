package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// TestSortByTimePeeks checks the files' order and the detection SortByTime
// hands to the reader: it peeks at 16 KiB first and at 256 KiB when they
// do not settle the format or hold no record, and whatever it peeked at,
// the format detected and the first time are those of the 256 KiB head,
// and the reader's Detection that of the file's start.
func TestSortByTimePeeks(t *testing.T) {
	dir := t.TempDir()
	line := func(sec int, pad int) string {
		at := time.Date(2025, 3, 12, 10, 0, sec, 0, time.UTC).Format("02/Jan/2006:15:04:05 -0700")
		return fmt.Sprintf(`10.0.0.1 - - [%s] "GET /api/documents/1 HTTP/1.1" 200 10 "-" "agent%s"`, at, strings.Repeat("x", pad))
	}
	lines := func(from, n, pad int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(line(from+i, pad) + "\n")
		}
		return b.String()
	}
	junk := func(n, size int) string { return strings.Repeat("# "+strings.Repeat("j", size)+"\n", n) }
	cases := []struct {
		name, content string
		wantSec       int // the first record's second; -1 for none in 256 KiB
	}{
		{"short lines", lines(30, 200, 0), 30},     // the 16 KiB peek settles it
		{"long lines", lines(20, 200, 600), 20},    // 16 KiB hold ~24 lines: the 64 KiB peek detects
		{"longer lines", lines(25, 100, 3000), 25}, // 64 KiB hold ~21 lines: the 256 KiB peek detects
		{"64th line cut at 64 KiB", lines(55, 63, 800) + line(118, 64<<10) + "\n" + lines(119, 10, 0), 55},
		{"few lines", lines(10, 3, 0), 10},                     // a whole file under 16 KiB
		{"late record", junk(20, 1000) + lines(40, 70, 0), 40}, // junk past 16 KiB, then records
		{"record past 64 KiB", junk(20, 4000) + lines(45, 70, 0), 45},
		{"no record in 256 KiB", junk(600, 500) + lines(0, 70, 0), -1},
		{"64th line cut at 16 KiB", lines(50, 63, 150) + line(113, 16<<10) + "\n" + lines(114, 10, 0), 50},
	}
	var paths []string
	for i, c := range cases {
		paths = append(paths, writeFile(t, dir, fmt.Sprintf("%d.log", i), []byte(c.content)))
	}
	files, errs := Expand(paths, false)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	sorted := SortByTime(files, Options{})
	for i, c := range cases {
		f := files[i]
		head := []byte(c.content)[:min(len(c.content), 256<<10)]
		want := Detect(head)
		if f.Format != want.Format {
			t.Errorf("%s: format %v, want %v", c.name, f.Format, want.Format)
		}
		switch {
		case c.wantSec < 0 && !f.First.IsZero():
			t.Errorf("%s: first record at %v, want none", c.name, f.First)
		case c.wantSec >= 0 && f.First.Second() != c.wantSec:
			t.Errorf("%s: first record at %v, want second %d", c.name, f.First, c.wantSec)
		}
	}
	if got := sorted[0].Path; got != paths[4] {
		t.Errorf("first in time order: %s, want %s (few lines)", got, paths[4])
	}
	// The reader keeps or makes the detection; either way it is that of
	// the file's first bytes.
	runAll(t, sorted, Options{})
	for i, c := range cases {
		want := Detect([]byte(c.content))
		want.full = files[i].Detection.full
		if !reflect.DeepEqual(files[i].Detection, want) {
			t.Errorf("%s: detection\n got %+v\nwant %+v", c.name, files[i].Detection, want)
		}
	}
}

// TestDetectFull checks when a detection is settled: 64 sampled lines,
// the last one ended by its newline.
func TestDetectFull(t *testing.T) {
	text := strings.Repeat(goodLine+"\n", 64)
	if !Detect([]byte(text)).full {
		t.Error("64 whole lines: not full")
	}
	if Detect([]byte(text[:len(text)-1])).full {
		t.Error("the 64th line without its newline: full")
	}
	if Detect([]byte(text[:len(text)-10])).full {
		t.Error("the 64th line cut: full")
	}
	if Detect(bytes.Repeat([]byte(goodLine+"\n"), 63)).full {
		t.Error("63 lines: full")
	}
}

// TestResumeSeeks checks reading an input from where an earlier run
// stopped (File.Skip): a plain log of a settled format is read from there
// without reading what comes before (seekPast), and gives what reading
// through gives; a compressed one, a W3C log (its #Fields above the offset
// still apply) and a file shorter than the offset are read through, the
// last whole again.
func TestResumeSeeks(t *testing.T) {
	dir := t.TempDir()
	text := strings.Repeat(goodLine+"\n", 300)
	skip := int64(len(goodLine)+1) * 100 // the first 100 lines were read
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	w3c := "#Fields: date time c-ip cs-method cs-uri-stem sc-status\n" + strings.Repeat("2025-03-12 10:00:00 10.0.0.1 GET /a 200\n", 300)
	w3cSkip := int64(len("#Fields: date time c-ip cs-method cs-uri-stem sc-status\n")) + 100*int64(len("2025-03-12 10:00:00 10.0.0.1 GET /a 200\n"))
	cases := []struct {
		name    string
		content []byte
		skip    int64
		seek    bool
		records int64
	}{
		{"plain", []byte(text), skip, true, 200},
		{"gzip", gz.Bytes(), skip, false, 200},
		{"w3c", []byte(w3c), w3cSkip, false, 200},
		{"shorter than the offset", []byte(text[:skip/2]), skip, false, 50},
	}
	for _, c := range cases {
		p := writeFile(t, dir, strings.ReplaceAll(c.name, " ", "-")+".log", c.content)
		files, _ := Expand([]string{p}, false)
		files = SortByTime(files, Options{})
		f := files[0]
		f.Skip, f.SkipLines = c.skip, 100
		fh, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		seeks := (&blockReader{}).seekPast(fh, f)
		fh.Close()
		if seeks != c.seek {
			t.Errorf("%s: seekPast %v, want %v", c.name, seeks, c.seek)
		}
		got := runAll(t, files, Options{})
		if got[p].records != c.records || !f.Complete() {
			t.Errorf("%s: %d records (complete %v, %v), want %d", c.name, got[p].records, f.Complete(), f.Err, c.records)
		}
		if want := int64(len(c.content)); c.name != "gzip" && f.Offset != want {
			t.Errorf("%s: offset %d, want %d", c.name, f.Offset, want)
		}
	}
}

// TestHoldTail checks what a run that will be resumed leaves unread: an
// unterminated last line of an uncompressed input after a whole line, and
// nothing else. Offset stops before the held bytes and the line is not
// counted; without HoldTail, in a compressed input, or as an input's only
// line, it is read (and rejected: it is cut).
func TestHoldTail(t *testing.T) {
	dir := t.TempDir()
	whole := goodLine + "\n" + goodLine + "\n"
	tail := goodLine[:40]
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(whole + tail))
	zw.Close()
	cases := []struct {
		name    string
		data    []byte
		hold    bool
		skip    int64 // resumed after the first line
		held    int64
		records int64
	}{
		{"tail held", []byte(whole + tail), true, 0, int64(len(tail)), 2},
		{"tail held, resumed", []byte(whole + tail), true, int64(len(goodLine) + 1), int64(len(tail)), 1},
		{"only the tail after the resumed bytes", []byte(whole + tail), true, int64(len(whole)), int64(len(tail)), 0},
		{"no tail", []byte(whole), true, 0, 0, 2},
		{"not held", []byte(whole + tail), false, 0, 0, 2},
		{"gzip", gz.Bytes(), true, 0, 0, 2},
		{"only line", []byte(tail), true, 0, 0, 0},
		{"tail past a block", []byte(strings.Repeat(goodLine+"\n", 2000) + tail), true, 0, int64(len(tail)), 2000},
	}
	for i, c := range cases {
		path := writeFile(t, dir, fmt.Sprintf("%d.log", i), c.data)
		files, errs := Expand([]string{path}, false)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		f := files[0]
		f.HoldTail = c.hold
		if c.skip > 0 {
			f.Skip, f.SkipLines = c.skip, int64(bytes.Count(c.data[:c.skip], []byte{'\n'}))
		}
		got := runAll(t, files, Options{MaxLine: 64 << 10})[path]
		size := int64(len(c.data)) // decompressed
		if c.name == "gzip" {
			size = int64(len(whole + tail))
		}
		if f.Held != c.held || f.Offset != size-c.held || got.records != c.records || got.rejected != 0 && c.held > 0 {
			t.Errorf("%s: held %d, offset %d, records %d, rejected %d; want held %d, offset %d, records %d",
				c.name, f.Held, f.Offset, got.records, got.rejected, c.held, size-c.held, c.records)
		}
		if c.held == 0 && c.name != "no tail" && got.rejected != 1 {
			t.Errorf("%s: the unterminated line read as %d rejections, want 1", c.name, got.rejected)
		}
	}
}

// TestByteOrderMark reads inputs that start with a UTF-8 byte order mark
// (IIS, Windows tools) as they read without it: same format, records and
// rejections, and the first record's client without the mark; Offset
// still counts its three bytes.
func TestByteOrderMark(t *testing.T) {
	dir := t.TempDir()
	w3c, err := os.ReadFile("../samples/pim-api-w3c.log")
	if err != nil {
		t.Fatal(err)
	}
	bom := "\xef\xbb\xbf"
	contents := map[string]string{
		"combined": goodLine + "\n" + goodLine + "\n",
		"json":     `{"time":"2025-03-12T10:00:01Z","remote_addr":"10.0.0.9","request":"GET /a HTTP/1.1","status":200}` + "\n",
		"w3c":      string(w3c),
	}
	for name, content := range contents {
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write([]byte(bom + content))
		zw.Close()
		plain := writeFile(t, dir, name+".log", []byte(content))
		marked := writeFile(t, dir, name+".bom.log", []byte(bom+content))
		zipped := writeFile(t, dir, name+".bom.log.gz", gz.Bytes())
		files, errs := Expand([]string{plain, marked, zipped}, false)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		SortByTime(files, Options{})
		got := runAll(t, files, Options{})
		want := got[plain]
		for _, f := range files {
			g := got[f.Path]
			if f.FormatName() != files[0].FormatName() || f.FormatName() == "unknown" || g.records != want.records || g.rejected != want.rejected || g.blank != want.blank {
				t.Errorf("%s: format %s, %d records, %d rejected, %d blank; without the mark %s, %d, %d, %d",
					f.Path, f.FormatName(), g.records, g.rejected, g.blank, files[0].FormatName(), want.records, want.rejected, want.blank)
			}
		}
		if files[1].Offset != int64(len(bom+content)) {
			t.Errorf("%s: offset %d, want %d", marked, files[1].Offset, len(bom+content))
		}
	}
	// UTF-16 is no format's: detection names it, for the message.
	u16 := []byte{0xFF, 0xFE}
	for _, c := range goodLine + "\n" {
		u16 = append(u16, byte(c), 0)
	}
	if d := Detect(u16); d.Format != nil || d.Encoding != "UTF-16" {
		t.Errorf("UTF-16: format %v, encoding %q", d.Format, d.Encoding)
	}
	if d := Detect([]byte(bom + goodLine + "\n")); d.Encoding != "" {
		t.Errorf("UTF-8 with its mark: encoding %q", d.Encoding)
	}
	// The first record's client, as the Scanner reads it.
	files, _ := Expand([]string{filepath.Join(dir, "combined.bom.log")}, false)
	var first string
	Run(context.Background(), files, Options{}, func(w int, b *Block) {
		s := NewScanner(ParseOptions{})
		s.Reset(b)
		if s.Next() && s.Kind() == KindRecord && b.Line == 1 {
			first = string(s.Record().Client)
		}
	})
	if first != "10.0.0.1" {
		t.Errorf("first client %q, want 10.0.0.1", first)
	}
}

// TestNULGap reads a log a crash left with a zero-filled gap: the line
// written after the gap follows its NULs with no newline between, and
// reads as the record it is; a line of NULs alone is blank. Detection
// and the time-ordering peek see through the gap too.
func TestNULGap(t *testing.T) {
	nul := strings.Repeat("\x00", 4096)
	content := goodLine + "\n" + nul + goodLine + "\n" + nul[:100] + "\n" + goodLine
	path := writeFile(t, t.TempDir(), "gap.log", []byte(nul[:50]+"\n"+content))
	files, _ := Expand([]string{path}, false)
	SortByTime(files, Options{})
	if files[0].FormatName() != "combined" || files[0].First.IsZero() {
		t.Fatalf("format %s, first record %v", files[0].FormatName(), files[0].First)
	}
	got := runAll(t, files, Options{})[path]
	if got.records != 3 || got.blank != 2 || got.rejected != 0 {
		t.Errorf("%d records, %d blank, %d rejected; want 3, 2, 0", got.records, got.blank, got.rejected)
	}
	sc := scanRecord(t, combinedFormat, nul+goodLine, ParseOptions{})
	if c := string(sc.Record().Client); c != "10.0.0.1" {
		t.Errorf("client %q after the gap", c)
	}
}

// TestSyslogHeader reads logs sent through syslog (nginx's access_log
// syslog:, rsyslog's files): the header before each line is no part of
// it, whatever the format behind it; and no access log line's start is
// taken for one.
func TestSyslogHeader(t *testing.T) {
	for _, c := range []struct{ line, rest string }{
		{"Mar 12 10:15:32 web1 nginx: " + goodLine, goodLine},
		{"<190>Mar  2 10:15:32 web1 nginx: " + goodLine, goodLine},
		{"2025-03-12T10:15:32.123456+00:00 web1 nginx: " + goodLine, goodLine},
		{"2025-03-12T10:15:32Z web-1.example.com app[123]: {\"status\":200}", "{\"status\":200}"},
		{"Feb  6 12:14:14 lb1 haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] x", "10.0.1.2:33317 [06/Feb/2009:12:14:14.655] x"},
		// A container runtime's header (Kubernetes' /var/log/containers).
		{"2025-03-12T10:15:32.123456789Z stdout F " + goodLine, goodLine},
		{"2025-03-12T10:15:32.123456789+01:00 stderr P " + goodLine[:40], goodLine[:40]},
		// Access log lines, left whole.
		{goodLine, goodLine},
		{"Mars.example.com 10.0.0.1 - - [12/Mar/2025:10:15:32 +0000] \"GET / HTTP/1.1\" 200 5", ""},
		{"2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 \"GET http://www.example.com:80/ HTTP/1.1\" \"curl/7.38.0\" - -", ""},
		{"2025-03-12 10:15:32 10.0.0.1 GET /api/x - 443 - 203.0.113.9 ua - 200 0 0 12", ""},
		{"2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200", ""},
		{"[2016-04-15T20:17:00.310Z] \"POST /api/v1/locations HTTP/2\" 204 - 154 0 226 100", ""},
		{"Mar 12 10:15:32 web1 no tag here " + goodLine, ""},
	} {
		want := c.rest
		if want == "" {
			want = c.line
		}
		if got := string(trimLine([]byte(c.line))); got != want {
			t.Errorf("trimLine(%.50q) = %.50q, want %.50q", c.line, got, want)
		}
	}
	// Detected and read as the format behind the header.
	content := strings.Repeat("Mar 12 10:15:32 web1 nginx: "+goodLine+"\n", 70)
	d := Detect([]byte(content))
	if d.Format != combinedFormat {
		t.Fatalf("detected %v", d.Format)
	}
	sc := scanRecord(t, combinedFormat, "Mar 12 10:15:32 web1 nginx: "+goodLine, ParseOptions{})
	if c := string(sc.Record().Client); c != "10.0.0.1" {
		t.Errorf("client %q", c)
	}
}

// TestDockerJSONFile reads a container's output as Docker's json-file
// driver keeps it: the access log line each record carries, escapes and
// all, detected and parsed as itself; a JSON access log whose first member
// is "log" (no newline at its end) stays a JSON record.
func TestDockerJSONFile(t *testing.T) {
	wrap := func(line string) string {
		b, _ := json.Marshal(map[string]string{"log": line + "\n"})
		return string(b[:len(b)-1]) + `,"stream":"stdout","time":"2025-03-12T10:15:32.123456789Z"}`
	}
	secret := strings.Replace(goodLine, "/api/documents/1", "/api/documents/1?token=S3CRET", 1)
	var content strings.Builder
	for range 70 {
		content.WriteString(wrap(goodLine) + "\n")
	}
	if d := Detect([]byte(content.String())); d.Format != combinedFormat {
		t.Fatalf("detected %v", d.Format)
	}
	sc := scanRecord(t, combinedFormat, wrap(secret), ParseOptions{})
	if r := sc.Record(); string(r.Client) != "10.0.0.1" || string(r.Path) != "/api/documents/1" || string(r.UserAgent) != "test" {
		t.Errorf("record %q %q %q", r.Client, r.Path, r.UserAgent)
	}
	if show := string(sc.ShowLine()); show != strings.Replace(secret, "S3CRET", "******", 1) {
		t.Errorf("show prints %s", show)
	}
	own := `{"log":"app","time":"2025-03-12T10:15:32Z","remote_addr":"10.0.0.9","request":"GET /a HTTP/1.1","status":200}`
	if sc := scanRecord(t, jsonFormat, own, ParseOptions{}); string(sc.Record().Client) != "10.0.0.9" {
		t.Errorf("a JSON log with a log member: client %q", sc.Record().Client)
	}
}
