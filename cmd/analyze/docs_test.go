package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A doc command is one line of a ```sh or ```cron block of README.md or a
// docs/ page.
type docCommand struct {
	file string
	line int
	kind string // sh or cron
	text string
}

// docPages are the pages whose commands TestDocsCommands runs.
func docPages(t *testing.T) []string {
	pages, err := filepath.Glob("../../docs/*.md")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no docs/*.md: %v", err)
	}
	return append([]string{"../../README.md"}, pages...)
}

// docBlocks reads a page's commands, and its ```toml blocks that name the
// file they are (a first line "# /etc/analyze.toml"), by that name.
func docBlocks(t *testing.T, page string) ([]docCommand, map[string]string) {
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	var cmds []docCommand
	files := map[string]string{}
	var lang string
	var toml []string
	var cont string
	for i, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "```") {
			if lang == "" {
				lang = strings.TrimPrefix(l, "```")
				if lang == "" {
					lang = "text"
				}
				toml = nil
				continue
			}
			if lang == "toml" && len(toml) > 0 {
				if name, ok := strings.CutPrefix(toml[0], "# "); ok && strings.HasPrefix(name, "/") {
					files[name] = strings.Join(toml, "\n") + "\n"
				}
			}
			lang = ""
			continue
		}
		switch lang {
		case "toml":
			toml = append(toml, l)
		case "sh", "cron":
			s := strings.TrimSpace(l)
			if s == "" || strings.HasPrefix(s, "#") {
				continue
			}
			if strings.HasSuffix(s, `\`) {
				cont += strings.TrimSuffix(s, `\`) + " "
				continue
			}
			cmds = append(cmds, docCommand{filepath.Base(page), i + 1, lang, cont + s})
			cont = ""
		}
	}
	return cmds, files
}

// docPaths are the paths the docs show, as an operator's machine has them,
// and where the test finds them: the samples, and folders of its own.
var docPaths = []struct{ from, to string }{
	{"/var/log/nginx/access.log*", "samples/pim-api-access.log*"},
	{"/var/log/nginx/access.log", "access.log"}, // the folder's own copy: a log that may grow
	{"/var/log/nginx/", "samples/"},
	{"/var/log/nginx", "samples"},
	{"/var/lib/analyze/", "state/"},
	{"/var/lib/node_exporter/textfile/", "textfile/"},
	{"/var/reports/", "reports/"},
	{"/etc/", "etc/"},
	{"/data/", "out/"},
	{"/tmp/", "out/"},
	{"127.0.0.1:8080", "127.0.0.1:0"}, // a port of its own, never one in use
}

func docPath(s string) string {
	for _, p := range docPaths {
		s = strings.ReplaceAll(s, p.from, p.to)
	}
	return s
}

var cronSchedule = regexp.MustCompile(`^(\S+\s+){5}`)

// TestDocsCommands runs every command README.md and docs/ show, as printed
// but for the paths of an operator's machine (docPaths), in a folder that
// holds the samples and the logs the examples name (access.log and its
// rotations, old.log.gz): the docs cannot drift from the tool. A page's
// commands run in order in one folder, so a later one finds what an earlier
// wrote (a state, a dataset). A cron line runs its command, without the
// schedule and what follows "||"; it and a command with --fail-on or
// --config may exit 1 (a threshold failed), any other must exit 0. duckdb
// runs with DuckDB's Node package when .ci/run installed it; the README's
// DuckDB query must give the report's per-status counts. The set-up
// commands run as the built binary (go run) or not at all (the test
// command, which is this test's own).
func TestDocsCommands(t *testing.T) {
	bin := t.TempDir()
	if err := os.Symlink(binary, filepath.Join(bin, "analyze")); err != nil {
		t.Fatal(err)
	}
	duckdb := duckdbShim(t, bin)
	root, _ := filepath.Abs("../..")
	for _, page := range docPages(t) {
		cmds, files := docBlocks(t, page)
		if len(cmds) == 0 {
			continue
		}
		t.Run(filepath.Base(page), func(t *testing.T) {
			dir := docFolder(t, root, files)
			var skipped []string
			for _, c := range cmds {
				text := docPath(c.text)
				if c.kind == "cron" {
					text = strings.ReplaceAll(cronSchedule.ReplaceAllString(text, ""), `\%`, "%")
					text, _, _ = strings.Cut(text, " || ")
				}
				switch {
				case strings.HasPrefix(text, "go tool gotestsum"), strings.HasPrefix(text, "go test"):
					continue // this test's own command
				case strings.HasPrefix(text, "go run ./cmd/analyze"):
					text = "analyze" + strings.TrimPrefix(text, "go run ./cmd/analyze")
				}
				if strings.Contains(text, "duckdb") && !strings.HasPrefix(text, "analyze sql --dialect duckdb") || strings.HasSuffix(text, "| duckdb") {
					if !duckdb {
						skipped = append(skipped, fmt.Sprintf("%s:%d", c.file, c.line))
						continue
					}
				}
				cmd := exec.Command("bash", "-o", "pipefail", "-c", text)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "COLUMNS=100")
				var out []byte
				var err error
				if following(text) {
					out, err = runFor(cmd, 3*time.Second)
				} else {
					out, err = cmd.CombinedOutput()
				}
				code := exitCodeOf(err)
				thresholds := c.kind == "cron" || strings.Contains(text, "--fail-on") || strings.Contains(text, "--config")
				if code != 0 && !(code == 1 && thresholds) {
					t.Errorf("%s:%d: %s\nexit %d:\n%s", c.file, c.line, text, code, out)
					continue
				}
				if strings.HasPrefix(text, "duckdb -c") && strings.Contains(text, "GROUP BY") && c.file == "README.md" {
					sameStatusCounts(t, c, out, dir)
				}
			}
			if len(skipped) > 0 {
				t.Skipf("skipping the DuckDB commands at %s: they need ANALYZE_DUCKDB_NODE (set by .ci/run after npm install @duckdb/node-api)", strings.Join(skipped, ", "))
			}
		})
	}
}

// docFolder makes the folder a page's commands run in.
func docFolder(t *testing.T, root string, files map[string]string) string {
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(root, "samples"), filepath.Join(dir, "samples")); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"state", "textfile", "reports", "etc", "out"} {
		os.Mkdir(filepath.Join(dir, d), 0o755)
	}
	copyFile := func(from, to string) {
		b, err := os.ReadFile(filepath.Join(root, "samples", from))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, to), b, 0o644)
	}
	copyFile("pim-api-access.log", "access.log")
	copyFile("pim-api-common.log", "access.log.1")
	copyFile("pim-api-access.log.1.gz", "access.log.2.gz")
	f, _ := os.Create(filepath.Join(dir, "old.log.gz"))
	zw := gzip.NewWriter(f)
	b, _ := os.ReadFile(filepath.Join(root, "samples", "pim-api-json.log"))
	zw.Write(b)
	zw.Close()
	f.Close()
	for name, body := range files {
		os.WriteFile(filepath.Join(dir, docPath(name)), []byte(body), 0o644)
	}
	return dir
}

// duckdbShim puts a duckdb command on bin's path that runs SQL with
// DuckDB's Node package: -c SQL, or a script on stdin; it prints each
// result as a JSON array of rows. It reports whether it could.
func duckdbShim(t *testing.T, bin string) bool {
	modules := os.Getenv("ANALYZE_DUCKDB_NODE")
	node, err := exec.LookPath("node")
	if modules == "" || err != nil {
		return false
	}
	const script = `
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
const args = process.argv.slice(2);
const sql = args[0] === '-c' ? args[1] : readFileSync(0, 'utf8');
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
for (const s of sql.split(/;\s*\n/).map((s) => s.replace(/^(\s*--[^\n]*\n)*/, '').trim()).filter((s) => s !== '')) {
  console.log(JSON.stringify((await con.runAndReadAll(s)).getRowObjectsJson()));
}
`
	path := filepath.Join(modules, "..", "analyze-duckdb-shim.mjs")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	wrapper := fmt.Sprintf("#!/bin/sh\nexec %q %q \"$@\"\n", node, path)
	if err := os.WriteFile(filepath.Join(bin, "duckdb"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	return true
}

// sameStatusCounts wants the rows of the README's DuckDB query (status and
// a count) to be the per-status counts of analyze -o json over the samples.
func sameStatusCounts(t *testing.T, c docCommand, out []byte, dir string) {
	t.Helper()
	var rows []map[string]any
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if err := json.Unmarshal(sc.Bytes(), &rows); err == nil {
			break
		}
	}
	got := map[string]string{}
	for _, r := range rows {
		for k, v := range r {
			if k != "status" {
				got[fmt.Sprint(r["status"])] = fmt.Sprint(v)
			}
		}
	}
	r := analyze(t, "", "report", "-o", "json", "samples/")
	var doc struct {
		Statuses []struct{ Status, Count int64 }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, s := range doc.Statuses {
		want[fmt.Sprint(s.Status)] = fmt.Sprint(s.Count)
	}
	keys := func(m map[string]string) []string {
		var ks []string
		for k, v := range m {
			ks = append(ks, k+"="+v)
		}
		slices.Sort(ks)
		return ks
	}
	if g, w := keys(got), keys(want); !slices.Equal(g, w) {
		t.Errorf("%s:%d: DuckDB's per-status counts %v, analyze -o json's %v", c.file, c.line, g, w)
	}
}

// following tells a doc command that follows its logs until stopped: an
// analyze watch whose input is not standard input alone.
func following(text string) bool {
	return strings.HasPrefix(text, "analyze watch ") && !strings.Contains(text, " - <")
}

// runFor runs cmd for d, then stops it as Ctrl-C does (SIGINT to its
// process group), and returns what it printed; it must exit 0 then and
// have printed something.
func runFor(cmd *exec.Cmd, d time.Duration) ([]byte, error) {
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	time.Sleep(d)
	syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	err := cmd.Wait()
	if err == nil && out.String() == "" {
		err = fmt.Errorf("printed nothing in %v", d)
	}
	return []byte(out.String()), err
}
