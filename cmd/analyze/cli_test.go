package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCLIUsage runs the command line's front door on the built binary:
// mistyped commands, flag errors, the rule that makes "analyze PATH..." a
// report. Each case was a problem of issue 23.
func TestCLIUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stderr []string // substrings, in order
		lines  int      // most lines of stderr; 0: no limit
		stdout string   // substring; "" means stdout must be empty
	}{
		// "analyze reprot samples/" printed the whole report, then
		// "cannot open reprot", exit 3.
		{"mistyped subcommand", []string{"reprot", "samples/"}, "", 2,
			[]string{`analyze: unknown command "reprot" for "analyze"`, "Did you mean this?", "report", "Run 'analyze --help' for usage."}, 4, ""},
		{"mistyped subcommand alone", []string{"qouta"}, "", 2, []string{"unknown command", "quota"}, 4, ""},
		// A parse error buried under 80 lines of usage.
		{"flag value", []string{"report", "--window", "1", "samples/"}, "", 2,
			[]string{`analyze: invalid argument "1" for "--window" flag`, "Run 'analyze report --help' for usage."}, 2, ""},
		{"flag value of quota", []string{"quota", "--top", "many", "samples/"}, "", 2,
			[]string{`invalid argument "many" for "--top" flag`, "Run 'analyze quota --help' for usage."}, 2, ""},
		{"unknown flag", []string{"show", "--bogus", "samples/"}, "", 2,
			[]string{"analyze: unknown flag: --bogus", "Run 'analyze show --help' for usage."}, 2, ""},
		{"flag without its value", []string{"export", "samples/", "--out"}, "", 2,
			[]string{"flag needs an argument: --out", "Run 'analyze export --help' for usage."}, 2, ""},
		{"long flag with one dash", []string{"-state", "/nonexistent/st.json", "samples/"}, "", 2,
			[]string{"long flags take two dashes: --state", "Run 'analyze report --help' for usage."}, 2, ""},
		{"extra argument", []string{"codes", "json"}, "", 2, []string{`unknown command "json" for "analyze codes"`, "Run 'analyze codes --help' for usage."}, 2, ""},
		{"no argument", nil, "", 2, []string{"analyze: no input", "Run 'analyze --help' for usage."}, 2, ""},
		// No subcommand: a report, as cron lines write it.
		{"a folder", []string{"-o", "json", "samples/"}, "", 0, nil, 0, `"records": 7770`},
		{"stdin", []string{"-", "-o", "json"}, line + "\n", 0, nil, 0, `"records": 1`},
		{"a glob", []string{"samples/pim-api-common.l?g", "-o", "json"}, "", 0, nil, 0, `"records": 400`},
		{"a missing log", []string{"access.log.9"}, "", 2, []string{"cannot open access.log.9"}, 0, ""},
		{"a missing log far from any subcommand", []string{"nightly", "samples/pim-api-common.log"}, "", 3, []string{"cannot open nightly"}, 0, "400 records"},
		{"--", []string{"-o", "json", "--", "samples/pim-api-common.log"}, "", 0, nil, 0, `"records": 400`},
		{"version", []string{"--version"}, "", 0, nil, 0, "analyze "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := analyze(t, tc.stdin, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", r.code, tc.code, r.stderr)
			}
			rest := r.stderr
			for _, s := range tc.stderr {
				i := strings.Index(rest, s)
				if i < 0 {
					t.Errorf("stderr %q, want it to contain %q (after the earlier ones)", r.stderr, s)
					break
				}
				rest = rest[i+len(s):]
			}
			if n := strings.Count(r.stderr, "\n"); tc.lines > 0 && n > tc.lines {
				t.Errorf("stderr has %d lines, want at most %d:\n%s", n, tc.lines, r.stderr)
			}
			if tc.stdout == "" && r.stdout != "" {
				t.Errorf("stdout %.200q, want none", r.stdout)
			}
			if !strings.Contains(r.stdout, tc.stdout) {
				t.Errorf("stdout %.300q, want it to contain %q", r.stdout, tc.stdout)
			}
		})
	}
}

// singleDashLong is a long flag written with one dash, as Go's flag
// package printed them.
var singleDashLong = regexp.MustCompile(`(?m)^\s+-[a-z][a-z-]+\b`)

// TestCLIHelp runs -h on every subcommand: exit 0, the subcommand's own
// help on stdout, naming its flags as --flag, not those of other
// subcommands, with examples.
func TestCLIHelp(t *testing.T) {
	tests := []struct {
		args      []string
		has, lack []string
	}{
		{[]string{"-h"}, []string{"analyze [report] [flags] PATH...", "analyze [command]", "Available Commands:", "quota", "the quota pressure report alone (--limit, --window, --client-key)", "completion"}, []string{"--client)"}},
		{[]string{"--help"}, []string{"Available Commands:"}, nil},
		{[]string{"help", "quota"}, []string{"analyze quota [flags] PATH..."}, nil},
		{[]string{"report", "-h"}, []string{"analyze report [flags] PATH...", "Examples:", "-o, --output", "-r, --recursive", "--state", "--config", "--fail-on THRESHOLD", "--storm-share"}, []string{"--unrecovered"}},
		{[]string{"quota", "-h"}, []string{"analyze quota [flags] PATH...", "Examples:", "--limit", "--client-limit", "--client-key", "quota window"}, []string{"--unrecovered", "--storm-share", "--retry-window"}},
		{[]string{"retries", "--help"}, []string{"analyze retries [flags] PATH...", "Examples:", "--retry-window", "--storm-share", "--unrecovered"}, []string{"--client-limit", "--limit string"}},
		{[]string{"timeline", "-h"}, []string{"analyze timeline [flags] PATH...", "Examples:", "--window", "timeline window"}, []string{"--limit string", "--client-limit", "--unrecovered", "--storm-share"}},
		{[]string{"watch", "-h"}, []string{"analyze watch [flags] PATH...", "Examples:", "--serve [HOST:]PORT", "--every", "--since", "--filter"}, []string{"--fail-on", "--state"}},
		{[]string{"show", "-h"}, []string{"analyze show [flags] PATH...", "Examples:", "--rejected", "--by-file", "--max", "--config"}, []string{"--fail-on", "--output"}},
		{[]string{"export", "-h"}, []string{"analyze export --to parquet|csv --out DIR", "Examples:", "--partition", "--tables", "--config"}, []string{"--fail-on", "--output"}},
		{[]string{"sql", "-h"}, []string{"analyze sql --dialect", "Examples:", "--dialect", "--config"}, []string{"--output"}},
		{[]string{"codes", "-h"}, []string{"analyze codes", "Examples:", "-o, --output", "--config"}, []string{"Usage of codes"}},
		{[]string{"formats", "-h"}, []string{"analyze formats", "Examples:"}, []string{"combined "}},
		{[]string{"version", "-h"}, []string{"analyze version"}, []string{"0.1"}},
		{[]string{"man", "-h"}, []string{"analyze man DIR", "Examples:"}, nil},
		{[]string{"completion", "-h"}, []string{"bash", "zsh", "fish"}, nil},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := analyze(t, "", tc.args...)
			if r.code != exitOK || r.stderr != "" {
				t.Errorf("exit %d, stderr %q; want 0 and none", r.code, r.stderr)
			}
			// Help reads no config: a broken one ($ANALYZE_CONFIG) made
			// report -h, export -h, show -h exit 2.
			cmd := exec.Command(binary, tc.args...)
			cmd.Env = append(os.Environ(), "ANALYZE_CONFIG=/nonexistent/analyze.toml")
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("with a missing $ANALYZE_CONFIG: %v\n%.300s", err, b)
			}
			for _, s := range tc.has {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("help lacks %q:\n%s", s, r.stdout)
				}
			}
			for _, s := range tc.lack {
				if strings.Contains(r.stdout, s) {
					t.Errorf("help has %q:\n%s", s, r.stdout)
				}
			}
			if m := singleDashLong.FindString(r.stdout); m != "" {
				t.Errorf("help shows a long flag with one dash, %q", m)
			}
		})
	}
}

// TestCompletion prints each shell's completion script, and asks the
// completion the scripts call for the subcommands and a flag's values.
func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{
		"bash": "# bash completion V2 for analyze",
		"zsh":  "#compdef analyze",
		"fish": "complete -c analyze",
	} {
		r := analyze(t, "", "completion", shell)
		if r.code != exitOK || !strings.Contains(r.stdout, want) || r.stderr != "" {
			t.Errorf("completion %s: exit %d, stderr %q, script %.100q; want 0 and %q", shell, r.code, r.stderr, r.stdout, want)
		}
	}
	if r := analyze(t, "", "__complete", "rep"); !strings.Contains(r.stdout, "report") {
		t.Errorf("analyze rep<TAB>: %q, want report", r.stdout)
	}
	// analyze <TAB>: the subcommands, and files (directive 0, the shell's
	// default), since analyze PATH... is a report.
	if r := analyze(t, "", "__complete", ""); !strings.Contains(r.stdout, "quota") || !strings.HasSuffix(r.stdout, "\n:0\n") {
		t.Errorf("analyze <TAB>: %q, want the subcommands and directive 0", r.stdout)
	}
	if r := analyze(t, "", "__complete", "export", "--to", ""); !strings.Contains(r.stdout, "parquet\ncsv\n") {
		t.Errorf("analyze export --to <TAB>: %q, want parquet and csv", r.stdout)
	}
}

// TestManPages writes the man pages: one per subcommand, from the same
// definitions as the help.
func TestManPages(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "man1")
	r := analyze(t, "", "man", dir)
	if r.code != exitOK || !strings.Contains(r.stdout, "man pages in "+dir) {
		t.Fatalf("man: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, page := range []string{"analyze", "analyze-report", "analyze-quota", "analyze-retries", "analyze-timeline",
		"analyze-show", "analyze-export", "analyze-sql", "analyze-codes", "analyze-formats", "analyze-version", "analyze-completion"} {
		b, err := os.ReadFile(filepath.Join(dir, page+".1"))
		if err != nil {
			t.Errorf("%s.1: %v", page, err)
			continue
		}
		if !strings.Contains(string(b), ".TH ") || !strings.Contains(string(b), ".SH NAME") {
			t.Errorf("%s.1 is no man page:\n%.300s", page, b)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "analyze-quota.1"))
	if !strings.Contains(string(b), `--client-key`) || !strings.Contains(string(b), `limit 600/1m`) {
		t.Errorf("analyze-quota.1 lacks --client-key or the examples:\n%s", b)
	}
	if r := analyze(t, "", "man"); r.code != exitUsage || !strings.Contains(r.stderr, "accepts 1 arg(s), received 0") {
		t.Errorf("man with no DIR: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestConfigEverySubcommand reads --config and $ANALYZE_CONFIG in
// export and show, which ignored them, and one file shared by report and
// export: the keys of another subcommand's flags are left alone.
func TestConfigEverySubcommand(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "rows")
	conf := filepath.Join(dir, "analyze.toml")
	toml := "limit = \"600/1m\"\nfail_on = [\"requests>0\"]\no = \"json\"\n" +
		"[export]\nto = \"csv\"\nout = \"" + out + "\"\n[show]\nmax = 2\n"
	if err := os.WriteFile(conf, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	const log = "samples/pim-api-common.log"
	r := analyze(t, "", "export", "--config", conf, log)
	if r.code != exitOK || !strings.Contains(r.stdout, "wrote 400 rows") {
		t.Errorf("export --config: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if csvs, _ := filepath.Glob(filepath.Join(out, "*.csv")); len(csvs) == 0 {
		t.Errorf("export --config: no CSV in %s", out)
	}
	if r := analyze(t, "", "show", "--config", conf, log); r.code != exitOK || strings.Count(r.stdout, "\n") != 2 {
		t.Errorf("show --config (max = 2): exit %d, %d lines, stderr %q", r.code, strings.Count(r.stdout, "\n"), r.stderr)
	}
	// The same file for a report: fail_on fails, o is -o.
	if r := analyze(t, "", "report", "--config", conf, log); r.code != exitThreshold || !strings.Contains(r.stdout, `"limit_per_window": 600`) {
		t.Errorf("report --config: exit %d, stdout %.100q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// A flag given adds to a repeatable flag's list from the file.
	if r := analyze(t, "", "report", "--config", conf, "--fail-on", "rejected>0", log); strings.Count(r.stdout, `"expr"`) != 2 {
		t.Errorf("--fail-on with a config's fail_on: %d thresholds, want 2", strings.Count(r.stdout, `"expr"`))
	}
	// codes and sql take it too: the top-level o is codes' -o, and a
	// table sets sql's dialect.
	if r := analyze(t, "", "codes", "--config", conf); r.code != exitOK || !strings.HasPrefix(r.stdout, "[") {
		t.Errorf("codes --config (o = json): exit %d, stdout %.40q, stderr %q", r.code, r.stdout, r.stderr)
	}
	sqlConf := filepath.Join(dir, "sql.toml")
	os.WriteFile(sqlConf, []byte("[sql]\ndialect = \"trino\"\n"), 0o644)
	if r := analyze(t, "", "sql", "--config", sqlConf, "s3://bucket/access"); r.code != exitOK || !strings.Contains(r.stdout, "--dialect trino") {
		t.Errorf("sql --config ([sql] dialect = trino): exit %d, stdout %.80q, stderr %q", r.code, r.stdout, r.stderr)
	}
	cmd := exec.Command(binary, "export", "--to", "parquet", "--out", filepath.Join(dir, "pq"), log)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "ANALYZE_CONFIG="+conf)
	if b, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(b), "wrote 400 rows") {
		t.Errorf("export with $ANALYZE_CONFIG: %v\n%s", err, b)
	}
	for _, tc := range []struct{ name, sub, toml, stderr string }{
		{"unknown key", "export", "colour = \"red\"\n", `unknown key "colour"`},
		{"unknown key", "show", "colour = \"red\"\n", `unknown key "colour"`},
		{"unknown table", "export", "[exprot]\nto = \"csv\"\n", `unknown key "exprot"`},
		{"another subcommand's flag in a table", "show", "[show]\nfail_on = [\"requests>0\"]\n", `unknown key "fail_on" in [show]`},
		{"a value the flag refuses", "show", "[show]\nmax = \"lots\"\n", `max: invalid argument "lots"`},
	} {
		bad := filepath.Join(dir, "bad.toml")
		os.WriteFile(bad, []byte(tc.toml), 0o644)
		if r := analyze(t, "", tc.sub, "--config", bad, log); r.code != exitUsage || !strings.Contains(r.stderr, tc.stderr) || r.stdout != "" {
			t.Errorf("%s, %s: exit %d %q, want 2 and %q", tc.name, tc.sub, r.code, r.stderr, tc.stderr)
		}
	}
}

// TestStateOnlyMissing: a report of the stored runs alone (--state and a
// period, no path) on a state file that does not exist is a usage error
// and creates nothing; it was an empty report, exit 0, and a new state
// file, so a mistyped --state in a weekly cron line went unnoticed.
func TestStateOnlyMissing(t *testing.T) {
	dir := t.TempDir()
	st := filepath.Join(dir, "stat.json")
	r := analyze(t, "", "report", "--state", st, "--since", "7d")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--state: stat "+st+": no such file or directory") || r.stdout != "" {
		t.Errorf("exit %d, stdout %.100q, stderr %q; want 2, none and the missing file", r.code, r.stdout, r.stderr)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left %d files in the state's folder, want none", len(left))
	}
}

// TestFileNamedLikeSubcommand: "analyze quota" beside a log named quota
// runs the subcommand, which has no input, and says how to name the file
// (./quota); it said only "no input".
func TestFileNamedLikeSubcommand(t *testing.T) {
	dir := t.TempDir()
	log, err := os.ReadFile("../../samples/pim-api-common.log")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"quota", "report", "show", "export"} {
		if err := os.WriteFile(filepath.Join(dir, name), log, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(binary, name)
		cmd.Dir = dir
		b, err := cmd.CombinedOutput()
		if code := exitCodeOf(err); code != exitUsage || !strings.Contains(string(b), "write ./"+name) {
			t.Errorf("analyze %s beside a file %s: exit %d, output %q; want 2 and ./%s", name, name, code, b, name)
		}
		cmd = exec.Command(binary, "./"+name, "-o", "json")
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(b), `"records": 400`) {
			t.Errorf("analyze ./%s: %v %.200q; want its 400 records", name, err, b)
		}
	}
}

// TestRepeatedFilter: a drill-down filter given twice keeps both values,
// as its comma-separated list does; --status 503 --status 429 kept 429
// alone. The command line's value replaces a --config file's.
func TestRepeatedFilter(t *testing.T) {
	const log = "samples/pim-api-access.log"
	conf := filepath.Join(t.TempDir(), "analyze.toml")
	if err := os.WriteFile(conf, []byte("status = \"5xx\"\n[show]\nstatus = [\"503\", \"429\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string // the filter's status in the JSON report
	}{
		{"repeated", []string{"--status", "503", "--status", "429"}, `"status": "503,429"`},
		{"repeated and listed", []string{"--status", "503,504", "--status", "429"}, `"status": "503,504,429"`},
		{"config alone", []string{"--config", conf}, `"status": "5xx"`},
		{"command line over config", []string{"--config", conf, "--status", "429"}, `"status": "429"`},
		{"repeated over config", []string{"--config", conf, "--status", "429", "--status", "503"}, `"status": "429,503"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := analyze(t, "", append(append([]string{"report", "-o", "json"}, tc.args...), log)...)
			if r.code != exitOK || !strings.Contains(r.stdout, tc.want) {
				t.Errorf("exit %d, stderr %q; want 0 and %s in %.300q", r.code, r.stderr, tc.want, r.stdout)
			}
		})
	}
	// A config's list, then replaced by the command line.
	all := analyze(t, "", "show", "--status", "503,429", log)
	if r := analyze(t, "", "show", "--config", conf, log); r.code != exitOK || r.stdout != all.stdout || r.stdout == "" {
		t.Errorf("show with status = [503, 429] in [show]: exit %d, %d lines, want the %d of --status 503,429", r.code, strings.Count(r.stdout, "\n"), strings.Count(all.stdout, "\n"))
	}
	only := analyze(t, "", "show", "--status", "429", log)
	if r := analyze(t, "", "show", "--config", conf, "--status", "429", log); r.stdout != only.stdout {
		t.Errorf("show --status 429 over the config's: %d lines, want %d", strings.Count(r.stdout, "\n"), strings.Count(only.stdout, "\n"))
	}
}
