package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// watchLog writes the scenario of the watch tests: minutes of a log's
// clock from 2030-01-02 10:00 UTC, 60 requests each, appended to a file
// that is rotated on the way as logrotate does.
type watchLog struct {
	t       *testing.T
	path    string
	minute  int // the next minute to write
	written int // lines written, to whichever file
}

// append writes n minutes; outage makes two requests in three a 503.
func (w *watchLog) append(n int, outage bool) {
	w.t.Helper()
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		w.t.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	base := time.Date(2030, 1, 2, 10, 0, 0, 0, time.UTC)
	for range n {
		for s := range 60 {
			at := base.Add(time.Duration(w.minute)*time.Minute + time.Duration(s)*time.Second)
			status := 200
			switch {
			case outage && s%3 != 2:
				status = 503
			case s == 7:
				status = 404
			}
			fmt.Fprintf(bw, "10.0.0.%d - client%d [%s] \"GET /api/products/%d HTTP/1.1\" %d 512 \"-\" \"erp-sync/4.2\"\n",
				1+s%5, s%5, at.Format("02/Jan/2006:15:04:05 -0700"), 100+s, status)
			w.written++
		}
		w.minute++
	}
	if err := bw.Flush(); err != nil {
		w.t.Fatal(err)
	}
	f.Close()
}

// rename rotates the log as logrotate's default does: renamed away, a new
// one written.
func (w *watchLog) rename() {
	w.t.Helper()
	if err := os.Rename(w.path, w.path+".1"); err != nil {
		w.t.Fatal(err)
	}
}

// copytruncate rotates the log as logrotate's copytruncate does.
func (w *watchLog) copytruncate() {
	w.t.Helper()
	b, err := os.ReadFile(w.path)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(w.path+".2", b, 0o644); err != nil {
		w.t.Fatal(err)
	}
	if err := os.Truncate(w.path, 0); err != nil {
		w.t.Fatal(err)
	}
}

// watchFrame is what the tests read of a frame.
type watchFrame struct {
	Time  string `json:"time"`
	Input struct {
		Lines, Records, Rejected, Blank int64
		Reconciled                      bool
	} `json:"input"`
	Incidents []struct {
		Kind   string `json:"kind"`
		Status int    `json:"status"`
		Start  string `json:"start"`
		Over   bool   `json:"over"`
	} `json:"incidents"`
	Windows []struct {
		Name     string `json:"window"`
		Requests int64  `json:"requests"`
	} `json:"windows"`
	Files []struct {
		Path, State string
	} `json:"files"`
}

// frames reads the JSON lines of a watch until the first frame that
// accounts for want lines, and returns it; it fails after a generous
// deadline with the last frame read.
func untilLines(t *testing.T, frames <-chan watchFrame, want int) watchFrame {
	t.Helper()
	deadline := time.After(60 * time.Second)
	var last watchFrame
	for {
		select {
		case fr, ok := <-frames:
			if !ok {
				t.Fatalf("watch ended; last frame %+v", last)
			}
			last = fr
			if fr.Input.Lines == int64(want) {
				return fr
			}
			if fr.Input.Lines > int64(want) {
				t.Fatalf("a frame accounts for %d lines, only %d were written: %+v", fr.Input.Lines, want, fr)
			}
		case <-deadline:
			t.Fatalf("no frame accounted for the %d lines written within 60 s; last: %+v", want, last)
		}
	}
}

// TestWatchJSONLines drives analyze watch without a terminal (JSON lines)
// through the scenario: a log grows, a 503 outage is appended and
// shows as an ongoing incident, healthy traffic follows and it shows over;
// the log is rotated by rename, then by copytruncate, on the way, and
// every line written is accounted for, once.
func TestWatchJSONLines(t *testing.T) {
	dir := t.TempDir()
	w := &watchLog{t: t, path: filepath.Join(dir, "access.log")}
	w.append(20, false)

	cmd := exec.Command(binary, "watch", "--every", "200ms", w.path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	frames := make(chan watchFrame, 1000)
	go func() {
		defer close(frames)
		dec := json.NewDecoder(stdout)
		for {
			var fr watchFrame
			if err := dec.Decode(&fr); err != nil {
				if err != io.EOF {
					t.Errorf("a frame that is not JSON: %v", err)
				}
				return
			}
			frames <- fr
		}
	}()

	fr := untilLines(t, frames, w.written)
	if len(fr.Incidents) != 0 || !fr.Input.Reconciled {
		t.Errorf("healthy traffic: %+v", fr)
	}
	w.rename()
	w.append(2, false)
	untilLines(t, frames, w.written)
	w.copytruncate()
	w.append(1, false)
	untilLines(t, frames, w.written)

	w.append(4, true) // the outage
	fr = untilLines(t, frames, w.written)
	if len(fr.Incidents) != 1 || fr.Incidents[0].Over || fr.Incidents[0].Status != 503 {
		t.Fatalf("after the outage: want one ongoing 503 incident, got %+v", fr.Incidents)
	}
	w.append(2, false)
	fr = untilLines(t, frames, w.written)
	if len(fr.Incidents) != 1 || !fr.Incidents[0].Over {
		t.Fatalf("after the recovery: want the incident over, got %+v", fr.Incidents)
	}
	if fr.Input.Records != int64(w.written) || !fr.Input.Reconciled {
		t.Errorf("accounting %+v, want %d records", fr.Input, w.written)
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for range frames {
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("watch after SIGINT: %v (want exit 0); stderr: %s", err, stderr.String())
	}
}

// syncBuffer is a bytes.Buffer safe for a process's writes while a test
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestWatchUsageErrors: a flag value analyze watch cannot take is exit 2
// and a line that says which and why, before anything is followed.
func TestWatchUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"watch"}, "requires at least 1 arg"},
		{[]string{"watch", "--every", "0", "x.log"}, "--every"},
		{[]string{"watch", "--every", "2h", "x.log"}, "--every"},
		{[]string{"watch", "--since", "-1h", "x.log"}, "--since"},
		{[]string{"watch", "--since", "3h", "x.log"}, "1m to 2h"},
		{[]string{"watch", "--serve", ":8080", "x.log"}, "no host"},
		{[]string{"watch", "--serve", "127.0.0.1:99999", "x.log"}, "port"},
		{[]string{"watch", "-o", "nonsense", "x.log"}, "-o"},
		{[]string{"watch", "--filter", "colour=red", "x.log"}, "filter"},
		{[]string{"watch", "--filter", "status=abc", "x.log"}, "filter"},
		{[]string{"watch", "--top", "0", "x.log"}, "--top"},
		{[]string{"watch", "--limit", "fast", "x.log"}, "limit"},
	} {
		r := analyze(t, "", tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 2 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}
