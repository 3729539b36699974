package main

// Tests of what a run leaves on the machine, as a nightly cron run as root
// would meet it: what --out, --state, export and --tables write to, two runs
// at once, runs killed mid-write.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"analyze/export"
	"analyze/outfile"
	"analyze/samples/synth"
)

// TestOutDevice: --out /dev/null, as root, leaves /dev/null a character
// device with its mode (it used to become a regular 0640 file). The test
// makes its own node with the null device's numbers.
func TestOutDevice(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skipf("making a device node (mknod) needs root")
	}
	null := filepath.Join(t.TempDir(), "null")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skipf("cannot make a device node here: %v", err)
	}
	made, _ := os.Lstat(null)
	for _, args := range [][]string{
		{"report", "--out", null, "samples/pim-api-access.log"},
		{"report", "-o", "json", "--out", null, "samples/pim-api-access.log"},
		{"retries", "-o", "csv", "--out", null, "samples/pim-api-access.log"},
	} {
		if r := analyze(t, "", args...); r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		info, err := os.Lstat(null)
		if err != nil || info.Mode() != made.Mode() {
			t.Fatalf("%v: the device is now %v (%v), want %v", args, info.Mode(), err, made.Mode())
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(null))
	if len(entries) != 1 {
		t.Errorf("the folder holds %d entries, want the device alone", len(entries))
	}
}

// TestOutTargets: --out follows a link (the link stays), writes a FIFO
// directly, refuses a directory as a usage error, and replaces a regular
// file.
func TestOutTargets(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "reports", "today.json")
	os.Mkdir(filepath.Dir(real), 0o755)
	os.WriteFile(real, []byte("yesterday"), 0o644)
	link := filepath.Join(dir, "latest.json")
	if err := os.Symlink("reports/today.json", link); err != nil {
		t.Fatal(err)
	}
	r := analyze(t, "", "report", "--out", link, "samples/pim-api-access.log")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("--out link.json: the link was replaced by %v (%v)", info.Mode(), err)
	}
	if b, _ := os.ReadFile(real); !strings.HasPrefix(string(b), "{") {
		t.Errorf("--out link.json: the link's target holds %.40q, want the JSON report", b)
	}
	if info, _ := os.Stat(real); info.Mode().Perm() != 0o644 {
		t.Errorf("the replaced file's mode is %v, want its own 0644", info.Mode().Perm())
	}

	r = analyze(t, "", "report", "--out", dir, "samples/pim-api-access.log")
	if r.code != exitUsage || !strings.Contains(r.stderr, "directory") {
		t.Errorf("--out DIR: exit %d, stderr %q; want a usage error naming the directory", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("--out DIR: the report went to stdout")
	}

	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a FIFO: %v", err)
	}
	got := make(chan string)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	r = analyze(t, "", "report", "-o", "json", "--out", fifo, "samples/pim-api-access.log")
	if r.code != 0 {
		t.Fatalf("--out FIFO: exit %d: %s", r.code, r.stderr)
	}
	if s := <-got; !strings.HasPrefix(s, "{") {
		t.Errorf("--out FIFO: the reader got %.40q, want the JSON report", s)
	}
	if info, _ := os.Lstat(fifo); info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("--out FIFO: the FIFO is now %v", info.Mode())
	}
}

// records returns input.records of a JSON report.
func inputRecords(t *testing.T, r result) int64 {
	t.Helper()
	var doc struct {
		Input struct{ Records int64 }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("exit %d, %v:\n%s", r.code, err, r.stderr)
	}
	return doc.Input.Records
}

// start runs the binary in the background.
func start(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = "../.."
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out, &errb
}

func exitCodeOf(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestStateTwoRunsAtOnce: two runs on one --state at once each report
// what the other did not (both used to report the same new lines, and the
// state could end naming aggregates the other had deleted); a --since
// report over the state works after. Three pairs.
func TestStateTwoRunsAtOnce(t *testing.T) {
	dir := t.TempDir()
	log := synthLog(t, dir, 300000)
	for pair := range 3 {
		statePath := filepath.Join(dir, fmt.Sprintf("state-%d.json", pair))
		a, aout, aerr := start(t, "report", "-o", "json", "--state", statePath, log)
		b, bout, berr := start(t, "report", "-o", "json", "--state", statePath, log)
		ea, eb := a.Wait(), b.Wait()
		if ea != nil || eb != nil {
			t.Fatalf("pair %d: %v %v\n%s\n%s", pair, ea, eb, aerr, berr)
		}
		na := inputRecords(t, result{stdout: aout.String()})
		nb := inputRecords(t, result{stdout: bout.String()})
		if na+nb != 300000 {
			t.Errorf("pair %d: the two runs read %d and %d records; want 300000 in all, each once", pair, na, nb)
		}
		r := analyze(t, "", "report", "-o", "json", "--state", statePath, "--since", "3650d")
		if r.code != 0 || inputRecords(t, r) != 300000 {
			t.Errorf("pair %d: the period report over the state: exit %d, %d records: %s", pair, r.code, inputRecords(t, r), r.stderr)
		}
	}
}

// TestStateLockTimeout: a run that finds the state held waits
// --lock-timeout, then exits 4 saying who holds what; a lock file left by
// a run that died blocks nothing.
func TestStateLockTimeout(t *testing.T) {
	dir := t.TempDir()
	statePath := filepath.Join(dir, "state.json")
	unlock, err := outfile.Lock(context.Background(), statePath+".lock", 0)
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	r := analyze(t, "", "report", "--state", statePath, "--lock-timeout", "300ms", "samples/pim-api-access.log")
	if r.code != exitLocked || !strings.Contains(r.stderr, "another analyze run holds the --state file") || r.stdout != "" {
		t.Errorf("held state: exit %d, stderr %q, stdout %d bytes; want exit 4, a word on the lock and no report", r.code, r.stderr, len(r.stdout))
	}
	if waited := time.Since(began); waited < 300*time.Millisecond {
		t.Errorf("gave up after %v, before --lock-timeout", waited)
	}
	if _, err := os.Stat(statePath); err == nil {
		t.Error("a run that did not get the lock wrote the state")
	}
	out := filepath.Join(dir, "ds")
	os.MkdirAll(out, 0o750)
	dsUnlock, err := outfile.Lock(context.Background(), filepath.Join(out, ".analyze.lock"), 0)
	if err != nil {
		t.Fatal(err)
	}
	r = analyze(t, "", "export", "--out", out, "--lock-timeout", "0s", "samples/pim-api-access.log")
	if r.code != exitLocked || !strings.Contains(r.stderr, "holds the dataset") {
		t.Errorf("held dataset: exit %d, stderr %q; want exit 4", r.code, r.stderr)
	}
	unlock()
	dsUnlock()

	// A run killed while holding the lock leaves the lock file; the kernel
	// released its lock, and the next run goes ahead at once.
	big := synthLog(t, dir, 400000)
	cmd, _, _ := start(t, "report", "--state", statePath, big)
	time.Sleep(150 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := os.Stat(statePath + ".lock"); err != nil {
		t.Fatalf("no lock file to test with: %v", err)
	}
	r = analyze(t, "", "report", "--state", statePath, "--lock-timeout", "0s", "samples/pim-api-access.log")
	if r.code != 0 {
		t.Errorf("after a killed run: exit %d, %s", r.code, r.stderr)
	}
	if r := analyze(t, "", "report", "--lock-timeout", "-1s", "--state", statePath, "samples/pim-api-access.log"); r.code != exitUsage {
		t.Errorf("--lock-timeout -1s: exit %d, want 2", r.code)
	}
}

// TestExportTwoRunsAtOnce: two exports into one dataset at once, of the
// same log and of two different logs, leave the rows on disk that the
// manifest counts. Without the dataset lock each run read the manifest
// before the other wrote it, and the last one written lost the other's
// run (on 77f9605, whose parts had fixed names: 978,012 rows on disk
// against the manifest's 500,000).
func TestExportTwoRunsAtOnce(t *testing.T) {
	dir := t.TempDir()
	first := synthLog(t, dir, 200000)
	second := synthLogSeed(t, dir, 100000, 2)
	for _, tc := range []struct {
		name       string
		logs       [2]string
		rows, runs int64
	}{
		{"the same log", [2]string{first, first}, 200000, 1},
		{"two logs", [2]string{first, second}, 300000, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "ds")
			a, _, aerr := start(t, "export", "--to", "csv", "--out", out, tc.logs[0])
			b, _, berr := start(t, "export", "--to", "csv", "--out", out, tc.logs[1])
			if ea, eb := a.Wait(), b.Wait(); ea != nil || eb != nil {
				t.Fatalf("%v %v\n%s\n%s", ea, eb, aerr, berr)
			}
			var onDisk int64
			parts, _ := filepath.Glob(filepath.Join(out, "requests-*.csv"))
			for _, p := range parts {
				b, _ := os.ReadFile(p)
				onDisk += int64(bytes.Count(b, []byte("\n")) - 1)
			}
			var m export.Manifest
			raw, _ := os.ReadFile(filepath.Join(out, export.ManifestName))
			json.Unmarshal(raw, &m)
			if onDisk != tc.rows || m.Rows != tc.rows || int64(len(m.Runs)) != tc.runs {
				t.Errorf("%d rows on disk in %d parts; the manifest: %d rows in %d runs; want %d rows in %d runs",
					onDisk, len(parts), m.Rows, len(m.Runs), tc.rows, tc.runs)
			}
		})
	}
}

// TestTablesLocked: an export holds the --tables folder while it writes
// the set, as it holds the dataset: two runs renaming their tables into one
// folder at once would leave a mix of both sets. A run that finds the
// folder held waits --lock-timeout, then exits 4 having written nothing
// (it wrote its set beside the other run's, exit 0, before the lock).
func TestTablesLocked(t *testing.T) {
	dir := t.TempDir()
	tables := filepath.Join(dir, "tables")
	unlock, err := outfile.Lock(context.Background(), filepath.Join(tables, ".analyze.lock"), 0)
	if err != nil {
		t.Fatal(err)
	}
	r := analyze(t, "", "export", "--tables", tables, "--lock-timeout", "0s", "samples/pim-api-access.log")
	if r.code != exitLocked || !strings.Contains(r.stderr, "holds the tables folder") {
		t.Errorf("held tables folder: exit %d, stderr %q; want exit 4", r.code, r.stderr)
	}
	if names, _ := filepath.Glob(filepath.Join(tables, "*.csv")); len(names) > 0 {
		t.Errorf("a run that did not get the lock wrote %d tables", len(names))
	}
	unlock()

	// --state without --out: never saved, it would make every run read the
	// same lines again (it was taken, and left unsaved, exit 0).
	if r := analyze(t, "", "export", "--tables", tables, "--state", filepath.Join(dir, "s.json"), "samples/pim-api-access.log"); r.code != exitUsage || !strings.Contains(r.stderr, "--state goes with --out") {
		t.Errorf("--state with --tables alone: exit %d, %q; want 2", r.code, r.stderr)
	}

	// --tables the same folder as --out: one lock, taken once.
	if r := analyze(t, "", "export", "--out", tables, "--tables", tables, "--lock-timeout", "0s", "samples/pim-api-access.log"); r.code != 0 {
		t.Errorf("--tables as --out: exit %d, %s", r.code, r.stderr)
	}
}

// synthLog writes n generated lines to dir and returns the file's path.
func synthLog(t *testing.T, dir string, n int) string {
	t.Helper()
	return synthLogSeed(t, dir, n, synth.Default().Seed)
}

// synthLogSeed is synthLog with the generator's seed: logs of two seeds
// begin with other lines, so an export takes them for other inputs.
func synthLogSeed(t *testing.T, dir string, n int, seed uint64) string {
	t.Helper()
	f, err := os.CreateTemp(dir, "synth-*.log")
	if err != nil {
		t.Fatal(err)
	}
	cfg := synth.Default()
	cfg.Lines, cfg.Seed = n, seed
	if err := synth.Write(f, cfg); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

// TestRelativeBoundWithoutRecords: --since 7d over input with no record
// bounds nothing; it used to print a year-0 bound (0000-12-25).
func TestRelativeBoundWithoutRecords(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.log")
	os.WriteFile(empty, nil, 0o644)
	for _, args := range [][]string{
		{"report", "-o", "json", "--since", "7d", empty},
		{"report", "--since", "7d", empty},
	} {
		r := analyze(t, "", args...)
		if strings.Contains(r.stdout, "0000-") || strings.Contains(r.stdout, "0001-") {
			t.Errorf("%v: a bound from year 0:\n%s", args, r.stdout)
		}
	}
}

// TestOutExtensionOverConfigOutput: --out NAME.html on the command line
// writes HTML even when the config file says output = "json" (it wrote
// JSON into report.html); -o on the command line still wins over --out's
// extension, and the file's output wins over the file's out.
func TestOutExtensionOverConfigOutput(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.toml")
	os.WriteFile(cfg, []byte("output = \"json\"\n"), 0o644)
	both := filepath.Join(dir, "both.toml")
	os.WriteFile(both, []byte(fmt.Sprintf("output = \"json\"\nout = %q\n", filepath.Join(dir, "file.html"))), 0o644)
	for _, tc := range []struct {
		args      []string
		out, want string
	}{
		{[]string{"--config", cfg, "--out", filepath.Join(dir, "a.html")}, "a.html", "<!DOCTYPE html>"},
		{[]string{"--config", cfg, "-o", "markdown", "--out", filepath.Join(dir, "b.html")}, "b.html", "#"},
		{[]string{"--config", both}, "file.html", "{"},
		{[]string{"--config", cfg}, "", "{"},
	} {
		r := analyze(t, "", append(append([]string{"report"}, tc.args...), "samples/pim-api-access.log")...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, r.code, r.stderr)
		}
		got := r.stdout
		if tc.out != "" {
			b, _ := os.ReadFile(filepath.Join(dir, tc.out))
			got = string(b)
		}
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%v: the report begins %.30q, want %q", tc.args, got, tc.want)
		}
	}
}
