package watch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"analyze/ingest"
	"analyze/report"
	"analyze/samples/synth"
)

// genLog returns a generated log in the nginx format (latencies,
// Retry-After, 429 bursts, retries), malformed lines among the records.
func genLog(t *testing.T, lines int, rate float64) []byte {
	t.Helper()
	var buf bytes.Buffer
	cfg := synth.Default()
	cfg.Lines, cfg.Rate, cfg.Format, cfg.Malformed = lines, rate, "json", 97
	if err := synth.Write(&buf, cfg); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// feedLines hands data to e in chunks of about n lines, as a follower reads
// them, all at wall-clock time now (the log's clock is then its latest
// record's time).
func feedLines(t *testing.T, e *Engine, f *ingest.File, data []byte, n int, now time.Time) {
	t.Helper()
	for len(data) > 0 {
		end, k := 0, 0
		for end < len(data) && k < n {
			i := bytes.IndexByte(data[end:], '\n')
			if i < 0 {
				end = len(data)
				break
			}
			end += i + 1
			k++
		}
		e.Add(f, data[:end], now)
		if err := e.Tick(context.Background(), now); err != nil {
			t.Fatal(err)
		}
		data = data[end:]
	}
}

// batch is analyze report over data with --since and --until: what a
// window must equal.
func batch(t *testing.T, data []byte, cfg Config, since, until time.Time, match *report.Match) *report.Report {
	t.Helper()
	f := &ingest.File{Path: "access.log", Data: [][]byte{data}}
	rc := cfg.Report
	rc.Filter = report.Filter{Since: since, Until: until, Match: match}
	sum, err := report.Aggregate(context.Background(), []*ingest.File{f}, ingest.Options{Workers: 1}, rc)
	if err != nil {
		t.Fatal(err)
	}
	return report.Build(sum, []*ingest.File{f}, rc.Filter, cfg.Options)
}

func testConfig() Config {
	return Config{Horizon: 90 * time.Minute, Options: report.Options{Top: 100, Version: "test"},
		Report: report.Config{Quota: report.QuotaOptions{RetryAfter: time.Second},
			Retry: report.RetryOptions{Window: 10 * time.Minute, RetryAfter: time.Second, StormShare: 0.2}}}
}

// TestWindowsAreTheReport checks the promise: at any moment, the
// figures of a window equal analyze report over the same lines and window.
func TestWindowsAreTheReport(t *testing.T) {
	data := genLog(t, 30000, 8) // about an hour
	cfg := testConfig()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) // any wall-clock time: the clock is the log's
	for _, filter := range []string{"", "status=404,429,500,502,503"} {
		e := NewEngine(cfg)
		if err := e.SetFilter(filter); err != nil {
			t.Fatal(err)
		}
		f := &ingest.File{Path: "access.log", Format: ingest.Detect(data[:8192]).Format}
		match, _ := ParseSelector(filter)
		cuts := []int{len(data) / 3, 2 * len(data) / 3, len(data)}
		fed := 0
		for _, cut := range cuts {
			cut = fed + bytes.LastIndexByte(data[fed:cut], '\n') + 1
			feedLines(t, e, f, data[fed:cut], 300, now)
			fed = cut
			fr, err := e.Frame(context.Background(), now)
			if err != nil {
				t.Fatal(err)
			}
			clock, _ := time.Parse(time.RFC3339, fr.Time)
			for _, w := range fr.Windows {
				start, _ := time.Parse(time.RFC3339, w.Start)
				end := clock.Truncate(time.Minute).Add(time.Minute)
				rep := batch(t, data[:fed], cfg, start, end, match)
				want := windowOf(w.Name, rep, start.UnixNano(), e.clock(now))
				if w.Name != "baseline" {
					// Retry-After offenders: a window's first minutes take up
					// what the minute before left waiting, as a --state run
					// does; a report with --since does not see it.
					want.IgnoringRetryAfter = w.IgnoringRetryAfter
				}
				got, _ := json.Marshal(w)
				wantJSON, _ := json.Marshal(want)
				if !bytes.Equal(got, wantJSON) {
					t.Errorf("filter %q, %d bytes, window %s:\n got %s\nwant %s", filter, fed, w.Name, got, wantJSON)
				}
				if w.Requests == 0 {
					t.Errorf("filter %q, window %s: no request: the test proves nothing", filter, w.Name)
				}
			}
			rep := batch(t, data[:fed], cfg, time.Time{}, time.Time{}, match)
			var want []Incident
			for _, inc := range rep.Incidents {
				want = append(want, Incident{Incident: inc, Over: inc.Recovered})
			}
			got, _ := json.Marshal(fr.Incidents)
			wantJSON, _ := json.Marshal(want)
			if want == nil {
				wantJSON = []byte("[]")
			}
			if !bytes.Equal(got, wantJSON) {
				t.Errorf("filter %q, %d bytes: incidents\n got %s\nwant %s", filter, fed, got, wantJSON)
			}
			if !fr.Input.Reconciled || fr.Input.Lines != int64(bytes.Count(data[:fed], []byte{'\n'})) {
				t.Errorf("input %+v, want %d lines, reconciled", fr.Input, bytes.Count(data[:fed], []byte{'\n'}))
			}
		}
	}
}

// TestStampAheadMovesNoClock: a record stamped far past the machine's
// clock is counted, and the view's clock stays the log's.
func TestStampAheadMovesNoClock(t *testing.T) {
	data := genLog(t, 2000, 8)
	e := NewEngine(testConfig())
	f := &ingest.File{Path: "access.log", Format: ingest.Detect(data).Format}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	feedLines(t, e, f, data, 500, now)
	before, err := e.Frame(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	line := []byte(`{"time":"2099-03-12T10:00:00+01:00","remote_addr":"192.0.2.1","request_method":"GET","request_uri":"/api/x","status":200}` + "\n")
	e.Add(f, line, now)
	after, err := e.Frame(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	if after.Time != before.Time || after.Input.Ahead != 1 || after.Input.Records != before.Input.Records+1 || !after.Input.Reconciled {
		t.Errorf("before %s %+v\nafter %s %+v", before.Time, before.Input, after.Time, after.Input)
	}
}

// TestEveryFormatWatched: for the sample of every format, the horizon's
// window equals the report over the whole sample, whatever the lines'
// chunks: W3C's #Fields directive, given once at the top of a file, is
// handed to the run of every minute.
func TestEveryFormatWatched(t *testing.T) {
	samples, err := filepath.Glob("../samples/pim-api-*.log")
	if err != nil || len(samples) < 10 {
		t.Fatalf("samples: %v %v", samples, err)
	}
	cfg := testConfig()
	cfg.Horizon = 24 * time.Hour
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, path := range samples {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			e := NewEngine(cfg)
			f := &ingest.File{Path: path, Format: ingest.Detect(data).Format}
			feedLines(t, e, f, data, 37, now)
			fr, err := e.Frame(context.Background(), now)
			if err != nil {
				t.Fatal(err)
			}
			w := fr.Windows[len(fr.Windows)-1]
			start, _ := time.Parse(time.RFC3339, w.Start)
			rep := batch(t, data, cfg, time.Time{}, time.Time{}, nil)
			want := windowOf(w.Name, rep, start.UnixNano(), e.clock(now))
			got, _ := json.Marshal(w)
			wantJSON, _ := json.Marshal(want)
			if !bytes.Equal(got, wantJSON) || w.Requests == 0 {
				t.Errorf("baseline:\n got %s\nwant %s", got, wantJSON)
			}
		})
	}
}

// TestLinesBeforeTheFirstRecord: lines without a time before any record
// (a header, garbage) wait for the first record's minute; they opened a
// minute of the machine's clock, which a replayed log never closes, and
// every later rejected line piled into it.
func TestLinesBeforeTheFirstRecord(t *testing.T) {
	data := append([]byte("garbage one\ngarbage two\n"), genLog(t, 3000, 8)...)
	e := NewEngine(testConfig())
	f := &ingest.File{Path: "access.log", Format: ingest.Detect(data[24:]).Format}
	feedLines(t, e, f, data, 200, time.Now())
	if _, err := e.Frame(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, b := range e.open {
		if b.minute > floorMinute(e.latest) {
			t.Errorf("an open minute %v past the log's clock %v", time.Unix(b.minute*60, 0).UTC(), time.Unix(0, e.latest).UTC())
		}
	}
	if e.in.Rejected < 2 || e.pre != nil {
		t.Errorf("input %+v, pre %v", e.in, e.pre)
	}
}

// TestSkewedFileMovesNoClock: a log read as it is written, its lines
// stamped about now, and one file whose clock runs 30 minutes ahead: its
// lines are counted, and the view's clock stays the others'. (Under an
// hour's tolerance they moved it, and every later line went to that
// future minute, open until the clock reached it.)
func TestSkewedFileMovesNoClock(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	line := func(at time.Time, status int) []byte {
		return fmt.Appendf(nil, "10.0.0.1 - c [%s] \"GET /api/x HTTP/1.1\" %d 10 \"-\" \"a\"\n", at.Format("02/Jan/2006:15:04:05 -0700"), status)
	}
	e := NewEngine(testConfig())
	first := line(now.Add(-time.Minute), 200)
	f := &ingest.File{Path: "a.log", Format: ingest.Detect(first).Format}
	skewed := &ingest.File{Path: "b.log", Index: 1, Format: f.Format}
	e.Add(f, first, now)
	e.Add(skewed, line(now.Add(30*time.Minute), 503), now)
	e.Add(f, line(now, 200), now)
	fr, err := e.Frame(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	if fr.Time != now.Format(time.RFC3339) || fr.Input.Ahead != 1 || fr.Input.Records != 3 {
		t.Errorf("clock %s (want %s), input %+v", fr.Time, now.Format(time.RFC3339), fr.Input)
	}
	for _, b := range e.open {
		if b.minute > floorMinute(now.UnixNano()) {
			t.Errorf("an open minute %v past the clock", time.Unix(b.minute*60, 0).UTC())
		}
	}
}

// TestQuietSpellAheadOfTheMachine: a server whose clock runs ten minutes
// ahead of this machine's, and a quiet spell of twenty minutes: the line
// after it moves the view's clock (the clock moved on meanwhile).
func TestQuietSpellAheadOfTheMachine(t *testing.T) {
	wall := time.Now().UTC().Truncate(time.Second)
	skew := 10 * time.Minute
	line := func(at time.Time) []byte {
		return fmt.Appendf(nil, "10.0.0.1 - c [%s] \"GET /api/x HTTP/1.1\" 200 10 \"-\" \"a\"\n", at.Format("02/Jan/2006:15:04:05 -0700"))
	}
	e := NewEngine(testConfig())
	first := line(wall.Add(skew))
	f := &ingest.File{Path: "a.log", Format: ingest.Detect(first).Format}
	e.Add(f, first, wall)
	later := wall.Add(20 * time.Minute)
	e.Add(f, line(later.Add(skew)), later)
	fr, err := e.Frame(context.Background(), later)
	if err != nil {
		t.Fatal(err)
	}
	if want := later.Add(skew).Format(time.RFC3339); fr.Time != want || fr.Input.Ahead != 0 {
		t.Errorf("clock %s (want %s), input %+v", fr.Time, want, fr.Input)
	}
}
