package ingest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFollowRandomRotations writes a log through random interleavings of
// appends, renames (with lines written to the renamed file before the
// writer reopens) and copytruncates, while a Follower reads it, and
// checks that every line written was delivered once. Following the folder,
// every file ever written stays listed: nothing may be lost. Following the
// log by name, a file renamed away is read through its descriptor; the
// writer waits for the follower to have seen the log before each rename,
// as a log created and renamed away between two polls is never seen by
// any follower of the name (tail -F too).
func TestFollowRandomRotations(t *testing.T) {
	for _, folder := range []bool{true, false} {
		for seed := uint64(1); seed <= 3; seed++ {
			name := fmt.Sprintf("named/seed=%d", seed)
			if folder {
				name = fmt.Sprintf("folder/seed=%d", seed)
			}
			t.Run(name, func(t *testing.T) { randomRotations(t, folder, seed) })
		}
	}
}

func randomRotations(t *testing.T, folder bool, seed uint64) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	rng := rand.New(rand.NewPCG(seed, 25))
	create := func() *os.File {
		w, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	w := create()
	defer func() { w.Close() }()
	var written []string
	write := func(fh *os.File, k int) {
		for range k {
			l := fmt.Sprintf("line %06d %s", len(written)+1, strings.Repeat("x", rng.IntN(60)))
			if _, err := fh.WriteString(l + "\n"); err != nil {
				t.Fatal(err)
			}
			written = append(written, l)
		}
	}
	write(w, 3)

	path := log
	if folder {
		path = dir
	}
	f, err := NewFollower([]string{path}, FollowOptions{Poll: testPoll})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		mu   sync.Mutex
		got  []string
		gate sync.RWMutex // the writer holds it to keep polls out
		stop = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			gate.RLock()
			ctx, cancel := context.WithTimeout(context.Background(), 3*testPoll)
			chunks, _ := f.Read(ctx)
			mu.Lock()
			for _, c := range chunks {
				for _, l := range strings.SplitAfter(string(c.Data), "\n") {
					if l != "" {
						got = append(got, strings.TrimSuffix(l, "\n"))
					}
				}
			}
			mu.Unlock()
			cancel()
			gate.RUnlock()
		}
	})
	stopped := false
	halt := func() { // the reader stops before the test returns, failed or not
		if !stopped {
			stopped = true
			close(stop)
			wg.Wait()
		}
	}
	defer halt()
	delivered := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(got)
	}
	waitAll := func() {
		deadline := time.Now().Add(10 * time.Second)
		for delivered() < len(written) {
			if time.Now().After(deadline) {
				mu.Lock()
				defer mu.Unlock()
				t.Fatalf("%d of %d lines delivered after 10 s; missing %q; files %+v", len(got), len(written), missing(got, written), f.Files())
			}
			time.Sleep(testPoll)
		}
	}

	rotations := 0
	for range 150 {
		switch op := rng.IntN(10); {
		case op < 6:
			write(w, 1+rng.IntN(5))
		case op < 8: // rename, as logrotate's create
			if !folder {
				// The follower has read the log, and seen it (two polls
				// since it was created: it may hold no line yet).
				waitAll()
				for p := f.pollCount(); f.pollCount() < p+2; {
					time.Sleep(testPoll / 2)
				}
				gate.Lock()
			}
			rotations++
			if err := os.Rename(log, fmt.Sprintf("%s.%d", log, rotations)); err != nil {
				t.Fatal(err)
			}
			write(w, rng.IntN(3)) // not reopened yet
			w.Close()
			w = create()
			if !folder {
				gate.Unlock()
			}
		case folder: // copytruncate
			rotations++
			copyFile(t, log, fmt.Sprintf("%s.%d", log, rotations))
			if err := os.Truncate(log, 0); err != nil {
				t.Fatal(err)
			}
		default:
			write(w, 1)
		}
		if rng.IntN(4) == 0 {
			time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
		}
	}
	waitAll()
	time.Sleep(2 * settlePolls * testPoll) // for a line delivered twice
	halt()

	slices.Sort(got)
	if !slices.Equal(got, written) {
		for i := range max(len(got), len(written)) {
			var g, w string
			if i < len(got) {
				g = got[i]
			}
			if i < len(written) {
				w = written[i]
			}
			if g != w {
				t.Fatalf("%d lines delivered, %d written; first difference at %d: got %q, want %q; missing %q; files %+v", len(got), len(written), i, g, w, missing(got, written), f.Files())
			}
		}
	}
	var sum int64
	for _, ff := range f.Files() {
		sum += ff.Lines
	}
	if sum != int64(len(got)) {
		t.Errorf("Files() counts %d lines, %d were delivered: %+v", sum, len(got), f.Files())
	}
}

// missing returns the lines of written not in got (at most 10).
func missing(got, written []string) []string {
	var out []string
	for _, l := range written {
		if !slices.Contains(got, l) && len(out) < 10 {
			out = append(out, l)
		}
	}
	return out
}
