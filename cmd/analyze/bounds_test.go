package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagBounds gives each numeric and duration flag of each subcommand a
// value out of its range, on the command line and through --config: each
// is a usage error (exit 2, nothing on stdout) whose message names the
// range; the range's own ends are accepted.
func TestFlagBounds(t *testing.T) {
	const log = "samples/pim-api-access.log"
	out := t.TempDir()
	tests := []struct {
		name   string
		args   []string
		stderr string // substring: the range the message names
	}{
		{"workers huge", []string{"report", "--workers", "100000", log}, "--workers 100000: out of range, want 0 (one per core) to 256"},
		{"workers negative", []string{"report", "--workers", "-1", log}, "want 0 (one per core) to 256"},
		{"max-line huge", []string{"report", "--max-line", "99999999999999", log}, "--max-line 99999999999999: out of range, want 65536 (64 KiB) to 268435456 (256 MiB) bytes"},
		{"max-line below a block", []string{"report", "--max-line", "100", log}, "want 65536 (64 KiB) to 268435456"},
		{"max-line negative", []string{"report", "--max-line", "-1", log}, "want 65536 (64 KiB) to 268435456"},
		{"line buffers too large", []string{"report", "--workers", "256", "--max-line", "268435456", log}, "must stay within 4096 MiB"},
		{"top huge", []string{"report", "--top", "2305843009213693952", log}, "--top 2305843009213693952: out of range, want 0 to 10000 rows"},
		{"top negative", []string{"report", "--top", "-1", log}, "want 0 to 10000 rows"},
		{"window 1ns", []string{"quota", "--window", "1ns", log}, "--window 1ns: out of range, want 1s to 744h (31 days)"},
		{"window negative", []string{"quota", "--window", "-1m", log}, "want 1s to 744h"},
		{"window a year", []string{"timeline", "--window", "8760h", log}, "want 1s to 744h"},
		{"timeline window 1ns", []string{"timeline", "--window", "1ns", log}, "want 1s to 744h"},
		{"retry-window 1ns", []string{"retries", "--retry-window", "1ns", log}, "--retry-window 1ns: out of range, want 1s to 24h"},
		{"retry-window zero", []string{"retries", "--retry-window", "0", log}, "want 1s to 24h"},
		{"retry-window a week", []string{"retries", "--retry-window", "168h", log}, "want 1s to 24h"},
		{"retry-after negative", []string{"quota", "--retry-after", "-1s", log}, "--retry-after -1s: out of range, want 0s to 24h"},
		{"retry-after two days", []string{"quota", "--retry-after", "48h", log}, "want 0s to 24h"},
		{"storm-share NaN", []string{"retries", "--storm-share", "NaN", log}, "--storm-share NaN: out of range, want a share in (0, 1]"},
		{"storm-share Inf", []string{"retries", "--storm-share", "Inf", log}, "want a share in (0, 1]"},
		{"storm-share zero", []string{"retries", "--storm-share", "0", log}, "want a share in (0, 1]"},
		{"storm-share two", []string{"retries", "--storm-share", "2", log}, "want a share in (0, 1]"},
		{"span zero", []string{"report", "--around", "2025-03-12T08:20:00Z", "--span", "0s", log}, "--span 0s: out of range, want 1s to 8784h (366 days)"},
		{"span huge", []string{"show", "--around", "2025-03-12T08:20:00Z", "--span", "2000000h", log}, "want 1s to 8784h"},
		{"limit period 1ns", []string{"quota", "--limit", "10/1ns", log}, "the period 1ns is out of range, want 1s to 744h"},
		{"limit period a year", []string{"quota", "--limit", "10/8760h", log}, "want 1s to 744h"},
		{"limit count huge", []string{"quota", "--limit", "9223372036854775807/1s", log}, "out of range, want 1 to 1000000000000 requests"},
		{"client-limit period 1ns", []string{"quota", "--client-limit", "erp=10/1ns", log}, "want 1s to 744h"},
		{"fail-on NaN", []string{"report", "--fail-on", "rejected>NaN", log}, `"NaN" is out of range, want a finite number`},
		{"fail-on Inf", []string{"report", "--fail-on", "p99_ms>+Inf", log}, "want a finite number"},
		{"show max negative", []string{"show", "--max", "-1", log}, "--max -1: out of range, want 0 (all) or more lines"},
		{"show workers huge", []string{"show", "--workers", "100000", log}, "want 0 (one per core) to 256"},
		{"export workers huge", []string{"export", "--to", "csv", "--out", out, "--workers", "100000", log}, "want 0 (one per core) to 256"},
		{"export max-line huge", []string{"export", "--to", "csv", "--out", out, "--max-line", "99999999999999", log}, "want 65536 (64 KiB) to 268435456"},
		{"export span zero", []string{"export", "--to", "csv", "--out", out, "--around", "2025-03-12T08:20:00Z", "--span", "0s", log}, "want 1s to 8784h"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := analyze(t, "", tc.args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", r.code, exitUsage, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr %q, want it to contain %q", r.stderr, tc.stderr)
			}
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
				t.Errorf("the runtime crashed:\n%s", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want empty", r.stdout)
			}
		})
	}
}

// TestFlagBoundsConfig gives the same out-of-range values through a
// --config file: the same usage error.
func TestFlagBoundsConfig(t *testing.T) {
	const log = "samples/pim-api-access.log"
	dir := t.TempDir()
	tests := []struct {
		name, toml, stderr string
	}{
		{"workers", "workers = 100000", "--workers 100000: out of range, want 0 (one per core) to 256"},
		{"max-line", "max_line = 99999999999999", "--max-line 99999999999999: out of range"},
		{"top", "top = 1000000000", "--top 1000000000: out of range, want 0 to 10000 rows"},
		{"window", `window = "1ns"`, "--window 1ns: out of range, want 1s to 744h"},
		{"retry-window", `retry_window = "0s"`, "--retry-window 0s: out of range, want 1s to 24h"},
		{"retry-after", `retry_after = "-5s"`, "--retry-after -5s: out of range"},
		{"storm-share", "storm_share = nan", "--storm-share NaN: out of range"},
		{"span", "around = \"2025-03-12T08:20:00Z\"\nspan = \"0s\"", "--span 0s: out of range"},
		{"limit", `limit = "10/1ns"`, "want 1s to 744h"},
		{"fail-on", `fail_on = ["rejected>inf"]`, "want a finite number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conf := filepath.Join(dir, tc.name+".toml")
			if err := os.WriteFile(conf, []byte(tc.toml+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			r := analyze(t, "", "report", "--config", conf, log)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.stderr) || r.stdout != "" {
				t.Errorf("exit %d, stderr %q; want exit %d, stderr containing %q, no stdout", r.code, r.stderr, exitUsage, tc.stderr)
			}
		})
	}
}

// TestFlagBoundsEnds runs each range's ends: they are accepted.
func TestFlagBoundsEnds(t *testing.T) {
	const log = "samples/pim-api-access.log"
	for _, args := range [][]string{
		{"report", "--workers", "256", "--max-line", "65536", "--top", "10000", log},
		{"report", "--workers", "1", "--max-line", "268435456", "--top", "0", log},
		{"quota", "--window", "1s", "--retry-after", "0s", log},
		{"quota", "--window", "744h", "--retry-after", "24h", "--limit", "1000000000000/744h", log},
		{"retries", "--retry-window", "1s", "--storm-share", "1", log},
		{"retries", "--retry-window", "24h", "--storm-share", "0.001", log},
		{"report", "--around", "2025-03-12T08:20:00Z", "--span", "8784h", log},
		{"show", "--max", "9223372036854775807", log},
	} {
		r := analyze(t, "", args...)
		if r.code != exitOK {
			t.Errorf("%v: exit %d, want 0 (stderr %q)", args, r.code, r.stderr)
		}
	}
}
