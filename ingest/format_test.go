package ingest

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// lineCase is one log line and what the parser must make of it. The table
// is shared by the parser tests, the fuzz seeds and the benchmarks.
type lineCase struct {
	name   string
	format string
	line   string
	reason Reason
	want   wantRecord // checked when reason is OK
}

type wantRecord struct {
	time                            string // RFC 3339 UTC with fraction
	offset                          int32
	client, user, method, path      string
	query, protocol, referer, agent string
	status                          int
	bytes                           int64
	duration                        time.Duration
	// Fields of the richer formats; compared only when the case sets ext.
	ext *wantExt
}

type wantExt struct {
	upstream, retryAfter                time.Duration
	backendStatus                       int
	lbError                             bool
	rateLimit, rateRemaining, rateReset int64
	requestID, idempotencyKey           string
	credential, host, forwardedFor      string
	extra                               string // "name=value name=value"
}

// lineCases is every format's table (format_*_test.go), gathered by their
// init functions: for the tests that run every case (allocations, the
// SkipRefererAgent option, detection), the fuzz seeds and the benchmarks.
var lineCases []lineCase

// testLineCases parses each case's line with its format and checks the
// verdict, and the record when the verdict is OK.
func testLineCases(t *testing.T, cases []lineCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ResolveFormat(tc.format, nil)
			if err != nil {
				t.Fatal(err)
			}
			var rec Record
			rec.reset()
			got := f.New(ParseOptions{}).Parse([]byte(tc.line), &rec)
			if got != tc.reason {
				t.Fatalf("Parse(%q) = %s, want %s", tc.line, got, tc.reason)
			}
			if got != OK {
				return
			}
			if diff := compareRecord(&rec, tc.want); diff != "" {
				t.Errorf("Parse(%q): %s", tc.line, diff)
			}
		})
	}
}

// TestSkipRefererAgent parses every case again with SkipRefererAgent: the
// same verdicts, and the same records but for an empty referer and user
// agent.
func TestSkipRefererAgent(t *testing.T) {
	for _, tc := range lineCases {
		f, err := ResolveFormat(tc.format, nil)
		if err != nil {
			t.Fatal(err)
		}
		var rec Record
		rec.reset()
		got := f.New(ParseOptions{SkipRefererAgent: true}).Parse([]byte(tc.line), &rec)
		if got != tc.reason {
			t.Errorf("%s: Parse = %s with SkipRefererAgent, want %s", tc.name, got, tc.reason)
			continue
		}
		want := tc.want
		if tc.format == "combined" {
			want.referer, want.agent = "", ""
		}
		if diff := compareRecord(&rec, want); got == OK && diff != "" {
			t.Errorf("%s: %s", tc.name, diff)
		}
	}
}

func compareRecord(r *Record, w wantRecord) string {
	got := wantRecord{
		time: r.Time.Format(time.RFC3339Nano), offset: r.Offset,
		client: string(r.Client), user: string(r.User), method: string(r.Method), path: string(r.Path),
		query: string(r.Query), protocol: string(r.Protocol), referer: string(r.Referer), agent: string(r.UserAgent),
		status: r.Status, bytes: r.Bytes, duration: r.Duration,
	}
	if w.ext != nil {
		ext := wantExt{
			upstream: r.Upstream, retryAfter: r.RetryAfter, backendStatus: r.BackendStatus, lbError: r.LBError,
			rateLimit: r.RateLimit, rateRemaining: r.RateRemaining, rateReset: r.RateReset,
			requestID: string(r.RequestID), idempotencyKey: string(r.IdempotencyKey),
			credential: string(r.Credential), host: string(r.Host), forwardedFor: string(r.ForwardedFor),
		}
		for i, f := range r.Extra {
			if i > 0 {
				ext.extra += " "
			}
			ext.extra += f.Name + "=" + string(f.Value)
		}
		if ext != *w.ext {
			return fmt.Sprintf("\n got ext %+v\nwant ext %+v", ext, *w.ext)
		}
		got.ext = w.ext
	}
	if got != w {
		return fmt.Sprintf("\n got %+v\nwant %+v", got, w)
	}
	return ""
}

func TestParseAllocs(t *testing.T) {
	for _, tc := range lineCases {
		f, err := ResolveFormat(tc.format, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := f.New(ParseOptions{})
		line := []byte(tc.line)
		var rec Record
		p.Parse(line, &rec) // warm the scratch buffers
		if n := testing.AllocsPerRun(50, func() { rec.reset(); p.Parse(line, &rec) }); n != 0 {
			t.Errorf("%s: Parse allocates %v times per line, want 0", tc.name, n)
		}
	}
}

func TestDetect(t *testing.T) {
	byFormat := map[string]string{}
	for _, tc := range lineCases {
		// caddy is an alias of the json parser: auto-detection says json.
		if _, err := LookupFormat(tc.format); err == nil && tc.reason == OK && tc.format != "caddy" {
			byFormat[tc.format] += tc.line + "\n"
		}
	}
	for format, head := range byFormat {
		d := Detect([]byte(head))
		if d.Format == nil || d.Format.Name != format {
			t.Errorf("Detect(%s lines) = %v, want %s", format, d.Format, format)
		}
	}
	if d := Detect([]byte("hello\nworld\n")); d.Format != nil {
		t.Errorf("Detect(prose) = %s, want none", d.Format.Name)
	}
	if d := Detect(nil); d.Format != nil || d.Sampled != 0 {
		t.Errorf("Detect(empty) = %+v", d)
	}
}

func TestTimestamps(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"2025-03-12T10:15:32Z", "2025-03-12T10:15:32Z", true},
		{"2025-03-12T10:15:32+02:00", "2025-03-12T08:15:32Z", true},
		{"2025-03-12 10:15:32.5-0130", "2025-03-12T11:45:32.5Z", true},
		{"2025-03-12T10:15:32", "2025-03-12T10:15:32Z", true},
		{"1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z", true},
		{"2000-02-29T00:00:00Z", "2000-02-29T00:00:00Z", true},
		{"1900-02-29T00:00:00Z", "", false},
		{"2025-13-01T00:00:00Z", "", false},
		{"2025-03-12T24:00:00Z", "", false},
		{"2025-03-12T10:15:32+25:00", "", false},
		{"2025-03-12T10:15:32Zjunk", "", false},
	}
	for _, tt := range tests {
		got, _, ok := parseISOTime([]byte(tt.in))
		if ok != tt.ok || ok && got.Format(time.RFC3339Nano) != tt.want {
			t.Errorf("parseISOTime(%q) = %v, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if ok {
			std, err := time.Parse("2006-01-02T15:04:05.999999999Z07:00", tt.in)
			if err == nil && !std.Equal(got) {
				t.Errorf("parseISOTime(%q) = %v, time.Parse says %v", tt.in, got, std)
			}
		}
	}
	epoch := []struct {
		in   string
		want string
	}{
		{"1741774532", "2025-03-12T10:15:32Z"},
		{"1741774532.5", "2025-03-12T10:15:32.5Z"},
		{"1741774532500", "2025-03-12T10:15:32.5Z"},
	}
	for _, tt := range epoch {
		got, ok := parseEpochTime([]byte(tt.in))
		if !ok || got.Format(time.RFC3339Nano) != tt.want {
			t.Errorf("parseEpochTime(%q) = %v, %v; want %s", tt.in, got, ok, tt.want)
		}
	}
}

// TestCLFTimeAgainstStdlib checks the hand-written CLF time parser against
// time.Parse over many instants and zones.
func TestCLFTimeAgainstStdlib(t *testing.T) {
	var c dayCache
	start := time.Date(1999, 12, 28, 0, 0, 0, 0, time.UTC)
	for i := range 5000 {
		at := start.Add(time.Duration(i) * 7919 * time.Minute)
		zone := time.FixedZone("", (i%27-13)*1800)
		s := at.In(zone).Format("02/Jan/2006:15:04:05 -0700")
		got, off, ok := parseCLFTime([]byte(s), &c)
		if !ok || !got.Equal(at) || int(off) != (i%27-13)*1800 {
			t.Fatalf("parseCLFTime(%q) = %v %d %v, want %v", s, got, off, ok, at)
		}
	}
}

// TestCLFTimeSeconds parses every second of a few hours in order, as a
// log's lines come, so the same-minute path answers most of them: each
// against time.Parse.
func TestCLFTimeSeconds(t *testing.T) {
	var c dayCache
	start := time.Date(2024, 2, 28, 22, 59, 0, 0, time.UTC)
	for i := range 3 * 3600 {
		at := start.Add(time.Duration(i) * time.Second)
		layout := "02/Jan/2006:15:04:05 -0700"
		if i/1000%2 == 1 { // a spell with fractions, all the same
			at, layout = at.Add(250*time.Millisecond), "02/Jan/2006:15:04:05.000 -0700"
		}
		s := at.In(time.FixedZone("", 5400)).Format(layout)
		want, err := time.Parse(layout, s)
		if err != nil {
			t.Fatal(err)
		}
		got, off, ok := parseCLFTime([]byte(s), &c)
		if !ok || !got.Equal(want) || off != 5400 {
			t.Fatalf("parseCLFTime(%q) = %v %d %v, want %v", s, got, off, ok, want)
		}
	}
}

// TestISOTimeSeconds does the same for RFC 3339 times through the minute
// cache, in spells of layouts (zone, Z, none, fractions), each against the
// uncached parser.
func TestISOTimeSeconds(t *testing.T) {
	var c minuteCache
	layouts := []string{"2006-01-02T15:04:05-07:00", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05", "2006-01-02T15:04:05.000-0700"}
	start := time.Date(2024, 12, 31, 22, 58, 0, 0, time.UTC)
	for i := range 3 * 3600 {
		at := start.Add(time.Duration(i)*time.Second + time.Duration(i/2000)*time.Millisecond)
		zone := time.FixedZone("", ((i+30)/1500%3-1)*3600) // changes mid-minute
		s := []byte(at.In(zone).Format(layouts[i/700%len(layouts)]))
		want, wantOff, wantOK := parseISOTime(s)
		got, off, ok := parseISOTimeCached(s, &c)
		if ok != wantOK || !got.Equal(want) || off != wantOff {
			t.Fatalf("parseISOTimeCached(%q) = %v %d %v, want %v %d %v", s, got, off, ok, want, wantOff, wantOK)
		}
	}
	for _, bad := range []string{"2024-12-31T23:00:6x+01:00", "2024-12-31T23:00:61+01:00"} {
		parseISOTimeCached([]byte("2024-12-31T23:00:01+01:00"), &c)
		if _, _, ok := parseISOTimeCached([]byte(bad), &c); ok {
			t.Errorf("parseISOTimeCached(%q) after a time of its minute: ok", bad)
		}
	}
}

// TestCLFTimeCache repeats timestamps, as the lines of one second do, among
// bad ones and others of another zone: the cache answers only for the very
// same bytes, and never for a bad timestamp.
func TestCLFTimeCache(t *testing.T) {
	var c dayCache
	want := time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		ok   bool
		want time.Time
	}{
		{"", false, time.Time{}},
		{"12/Mar/2025:09:00:00 +0100", true, want},
		{"12/Mar/2025:09:00:00 +0100", true, want},
		{"", false, time.Time{}},
		{"12/Mar/2025:09:00:00 +0200", true, want.Add(-time.Hour)},
		{"12/Mar/2025:09:00:00 +0100", true, want},
		{"32/Mar/2025:09:00:00 +0100", false, time.Time{}},
		{"32/Mar/2025:09:00:00 +0100", false, time.Time{}},
		{"12/Mar/2025:09:00:00.5 +0100", true, want.Add(500 * time.Millisecond)},
		{"12/Mar/2025:09:00:00.5 +0100", true, want.Add(500 * time.Millisecond)},
		// The same minute: only the seconds read, the rest must be equal.
		{"12/Mar/2025:09:00:07.5 +0100", true, want.Add(7500 * time.Millisecond)},
		{"12/Mar/2025:09:00:07.6 +0100", true, want.Add(7600 * time.Millisecond)},
		{"12/Mar/2025:09:00:59.6 +0100", true, want.Add(59600 * time.Millisecond)},
		{"12/Mar/2025:09:00:60.6 +0100", true, want.Add(59600 * time.Millisecond)}, // a leap second, as clock reads it
		{"12/Mar/2025:09:00:61.6 +0100", false, time.Time{}},
		{"12/Mar/2025:09:00:4x.6 +0100", false, time.Time{}},
		{"12/Mar/2025:09:00:12.6 +0100", true, want.Add(12600 * time.Millisecond)},
		{"12/Mar/2025:09:00:12.6 +0000", true, want.Add(time.Hour + 12600*time.Millisecond)},
		{"12/Mar/2025:09:01:12.6 +0000", true, want.Add(time.Hour + 72600*time.Millisecond)},
		{"13/Mar/2025:09:01:13.6 +0000", true, want.Add(25*time.Hour + 73600*time.Millisecond)},
	} {
		got, _, ok := parseCLFTime([]byte(tc.in), &c)
		if ok != tc.ok || ok && !got.Equal(tc.want) {
			t.Errorf("parseCLFTime(%q) = %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	// Compare runs with: go test -run '^$' -bench Parse -count 10 ./ingest > new.txt; benchstat old.txt new.txt
	for _, format := range []string{"combined", "common", "json"} {
		var lines [][]byte
		size := 0
		for _, tc := range lineCases {
			if tc.format == format && tc.reason == OK {
				lines = append(lines, []byte(tc.line))
				size += len(tc.line) + 1
			}
		}
		f, _ := LookupFormat(format)
		b.Run(format, func(b *testing.B) { benchParse(b, f, lines, size) })
	}
}

// benchParse parses lines, size bytes with their newlines, b.N times
// over with one parser of f.
func benchParse(b *testing.B, f *Format, lines [][]byte, size int) {
	p := f.New(ParseOptions{})
	var rec Record
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			rec.reset()
			p.Parse(l, &rec)
		}
	}
}

// TestTimesOutOfRange: a time before 1970 or from 2200 on parses (CLF
// takes any four-digit year) but is a bad_timestamp rejection, as the
// analyses count in int64 nanoseconds; the bounds themselves pass. Before
// this a line of the year 4025 made the timeline allocate 200 GB.
func TestTimesOutOfRange(t *testing.T) {
	for _, tc := range []struct {
		stamp string
		ok    bool
	}{
		{"12/Mar/4025:09:00:01 +0100", false},
		{"31/Dec/1969:23:59:59 +0000", false},
		{"01/Jan/1970:00:00:00 +0000", true},
		{"31/Dec/2199:23:59:59 +0000", true},
		{"01/Jan/2200:00:00:00 +0000", false},
		{"01/Jan/2200:00:59:59 +0100", true}, // 2199-12-31T23:59:59Z
	} {
		line := `203.0.113.7 - - [` + tc.stamp + `] "GET / HTTP/1.1" 200 5 "-" "ua"`
		f := &File{Path: "x", Format: combinedFormat}
		sc := NewScanner(ParseOptions{})
		sc.Reset(&Block{File: f, Data: []byte(line), Lines: 1, Line: 1, Format: f.Format})
		if !sc.Next() {
			t.Fatalf("%s: no line", tc.stamp)
		}
		if got := sc.Kind() == KindRecord; got != tc.ok || !tc.ok && sc.Rejection().Reason != BadTimestamp {
			t.Errorf("%s: record %v (%v), want %v", tc.stamp, got, sc.Rejection().Reason, tc.ok)
		}
	}
}

// TestResetFields: a parser that clears only its own fields between lines
// (fieldResetter) makes of each line what a fresh Scanner makes of it,
// whatever line came before: every pair of the table's lines, read by the
// hand-written CLF parsers with each option that changes what they write.
func TestResetFields(t *testing.T) {
	lines := []string{ // and what the table lacks: an absolute target (it sets Host), a secret
		`10.0.0.1 - u [12/Mar/2025:10:15:32 +0000] "GET https://api.example.com/api/x?token=abc HTTP/1.1" 200 1 "-" "ua"`,
		`10.0.0.1 - u [12/Mar/2025:10:15:32 +0000] "GET /api/x?api_key=abc HTTP/1.1" 200 1`,
	}
	for _, c := range lineCases {
		lines = append(lines, c.line)
	}
	for _, f := range []*Format{combinedFormat, commonFormat} {
		for _, opts := range []ParseOptions{{}, {SkipRefererAgent: true}, {AnonymizeKey: []byte("k")}, {KeepSecrets: true}} {
			if _, ok := f.New(opts).(fieldResetter); !ok {
				t.Fatalf("%s: its parser clears the whole record; this test is for one that does not", f.Name)
			}
			file := &File{Path: "x", Format: f}
			scan := func(data string, n int) *Scanner { // a Scanner on the last of the n lines of data
				sc := NewScanner(opts)
				sc.Reset(&Block{File: file, Data: []byte(data), Lines: n, Line: 1, Format: f})
				for range n {
					sc.Next()
				}
				return sc
			}
			for _, a := range lines {
				for _, b := range lines {
					after, alone := scan(a+"\n"+b, 2), scan(b, 1)
					if after.Kind() != alone.Kind() {
						t.Fatalf("%s %+v: %q after %q: kind %v, alone %v", f.Name, opts, b, a, after.Kind(), alone.Kind())
					}
					if after.Kind() != KindRecord {
						continue
					}
					got, want := *after.Record(), *alone.Record()
					got.Line = want.Line
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s %+v: %q after %q:\n got %+v\nwant %+v", f.Name, opts, b, a, got, want)
					}
				}
			}
		}
	}
}
