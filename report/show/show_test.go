package show

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"analyze/ingest"
)

// serverLogs writes the logs of three servers that answer at once, each
// rotated into two files (the older half in .1), with some requests at the
// same second on several servers. It returns the files, the order they are
// given in, and every line as "time name" strings.
func serverLogs(t *testing.T) (paths []string, all []string) {
	t.Helper()
	dir := t.TempDir()
	base := time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC)
	for s, server := range []string{"web1", "web2", "web3"} {
		var older, newer bytes.Buffer
		for i := range 300 {
			at := base.Add(time.Duration(i*3+s*(i%2)) * time.Second) // every other request at the same second on all servers
			line := fmt.Sprintf("10.0.0.%d - - [%s] \"GET /api/%s/%d HTTP/1.1\" 200 1 \"-\" \"-\"\n", s+1, at.Format("02/Jan/2006:15:04:05 -0700"), server, i)
			if i < 150 {
				older.WriteString(line)
			} else {
				newer.WriteString(line)
			}
		}
		p := filepath.Join(dir, server+".log")
		os.WriteFile(p+".1", older.Bytes(), 0o644)
		os.WriteFile(p, newer.Bytes(), 0o644)
		paths = append(paths, p, p+".1") // newest first, as a glob gives them
	}
	return paths, all
}

// TestShowMergesByTime: show over several servers' rotated logs prints the
// lines in time order, ties in the order the inputs were given, each
// input's lines in its own order; --by-file prints each input in turn.
func TestShowMergesByTime(t *testing.T) {
	paths, _ := serverLogs(t)
	type got struct {
		at    time.Time
		input int
		line  int
	}
	parse := func(out string, order map[string]int) []got {
		var gs []got
		for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			file, rest, _ := strings.Cut(l, ":")
			var n int
			fmt.Sscanf(rest, "%d:", &n)
			i := strings.Index(l, "[")
			at, err := time.Parse("02/Jan/2006:15:04:05 -0700", l[i+1:i+27])
			if err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			gs = append(gs, got{at, order[file], n})
		}
		return gs
	}
	for _, workers := range []int{1, 2} {
		files, _ := ingest.Expand(paths, false)
		order := map[string]int{}
		for _, f := range files {
			order[f.Path] = f.Index
		}
		var out bytes.Buffer
		n, err := Lines(context.Background(), files, ingest.Options{Workers: workers}, Options{}, &out)
		if err != nil || n != 900 {
			t.Fatalf("workers %d: %d lines, %v", workers, n, err)
		}
		lines := parse(out.String(), order)
		sorted := slices.IsSortedFunc(lines, func(a, b got) int {
			if c := a.at.Compare(b.at); c != 0 {
				return c
			}
			if a.input != b.input {
				return a.input - b.input
			}
			return a.line - b.line
		})
		if !sorted {
			t.Errorf("workers %d: the lines are not in time order, ties in input order", workers)
		}

		files, _ = ingest.Expand(paths, false)
		out.Reset()
		if _, err := Lines(context.Background(), files, ingest.Options{Workers: workers}, Options{ByFile: true}, &out); err != nil {
			t.Fatal(err)
		}
		var runs []int // the inputs in the order their lines came
		for _, g := range parse(out.String(), order) {
			if len(runs) == 0 || runs[len(runs)-1] != g.input {
				runs = append(runs, g.input)
			}
		}
		if len(runs) != 6 {
			t.Errorf("workers %d: --by-file interleaves the inputs: %v", workers, runs)
		}

		// --max stops the merge after that many lines.
		files, _ = ingest.Expand(paths, false)
		out.Reset()
		if n, err := Lines(context.Background(), files, ingest.Options{Workers: workers}, Options{Max: 7}, &out); err != nil || n != 7 || strings.Count(out.String(), "\n") != 7 {
			t.Errorf("workers %d: --max 7 wrote %d lines (%v)", workers, strings.Count(out.String(), "\n"), err)
		}
	}
}

// TestShowMergeInterrupted: a cancelled merge returns the context's error.
func TestShowMergeInterrupted(t *testing.T) {
	paths, _ := serverLogs(t)
	files, _ := ingest.Expand(paths, false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Lines(ctx, files, ingest.Options{}, Options{}, &bytes.Buffer{}); err == nil {
		t.Error("a cancelled show returned no error")
	}
}
