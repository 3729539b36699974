package main

import (
	"strings"
	"testing"

	"github.com/clipperhouse/displaywidth"
)

// analyzeEnv is analyze with extra environment variables.
func analyzeEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	r, err := runBinary("", env, args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// widest returns the widest line of s and its display width.
func widest(s string) (string, int) {
	line, w := "", 0
	for l := range strings.SplitSeq(s, "\n") {
		if lw := displaywidth.String(l); lw > w {
			line, w = l, lw
		}
	}
	return line, w
}

// TestTextFitsWidth is issue 22's acceptance, `COLUMNS=100 analyze
// samples/ | awk '{ if (length($0) > 100) bad++ } END { exit bad > 0 }'`,
// in display width, at 80, 100 and 160, for every subcommand that writes
// tables. analyze show is left out: it prints the raw lines, as grep
// does, whole.
func TestTextFitsWidth(t *testing.T) {
	for _, args := range [][]string{
		{"samples/"},
		{"report", "--limit", "40/1m", "samples/"},
		{"quota", "--limit", "40/1m", "samples/"},
		{"retries", "--unrecovered", "samples/"},
		{"timeline", "samples/"},
		{"timeline", "--window", "1m", "samples/"},
		{"codes"},
		{"formats"},
		{"report", "--top", "100", "--client", "shop-connector", "samples/"},
		{"report", "cmd/analyze/testdata/../../../ingest/testdata/"},
	} {
		for _, n := range []string{"80", "100", "160"} {
			t.Run(strings.Join(args, " ")+" at "+n, func(t *testing.T) {
				r := analyzeEnv(t, []string{"COLUMNS=" + n}, args...)
				if r.code != 0 && r.code != 3 {
					t.Fatalf("exit %d: %s", r.code, r.stderr)
				}
				if line, w := widest(r.stdout); w > atoi(n) {
					t.Errorf("a line is %d wide, more than %s:\n%s", w, n, line)
				}
			})
		}
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestWidthFlag: --width wins over $COLUMNS, 0 is no limit, and a value
// out of range is a usage error.
func TestWidthFlag(t *testing.T) {
	for _, tc := range []struct {
		name     string
		env      []string
		args     []string
		code     int
		min, max int // the widest line's width
	}{
		{"COLUMNS", []string{"COLUMNS=120"}, []string{"samples/"}, 0, 101, 120},
		{"flag over COLUMNS", []string{"COLUMNS=160"}, []string{"--width", "90", "samples/"}, 0, 80, 90},
		{"no COLUMNS", nil, []string{"samples/"}, 0, 90, 100},
		{"COLUMNS not a number", []string{"COLUMNS=wide"}, []string{"samples/"}, 0, 90, 100},
		{"narrow COLUMNS is taken as 40", []string{"COLUMNS=10"}, []string{"samples/"}, 0, 30, 40},
		{"no limit", nil, []string{"--width", "0", "samples/"}, 0, 200, 100000},
		{"codes", nil, []string{"codes", "--width", "60"}, 0, 50, 60},
		{"too narrow", nil, []string{"--width", "39", "samples/"}, 2, 0, 0},
		{"too wide", nil, []string{"--width", "1001", "samples/"}, 2, 0, 0},
		{"negative", nil, []string{"codes", "--width", "-1"}, 2, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := analyzeEnv(t, tc.env, tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.code, r.stderr)
			}
			if tc.code != 0 {
				if !strings.Contains(r.stderr, "--width") {
					t.Errorf("stderr does not name --width: %q", r.stderr)
				}
				return
			}
			if _, w := widest(r.stdout); w < tc.min || w > tc.max {
				t.Errorf("widest line %d, want %d to %d", w, tc.min, tc.max)
			}
		})
	}
}
