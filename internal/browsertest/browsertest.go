// Package browsertest finds what the headless-browser tests need (node,
// Chromium and the playwright-core module) and runs their scripts: the
// HTML report's test (cmd/analyze) and the live page's (watch) share it.
// A test without them skips, saying what it lacks; .ci/run installs them.
package browsertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Browser is what a browser test runs: node, the folder holding
// playwright-core (ANALYZE_PLAYWRIGHT_NODE) and Chromium's executable
// (ANALYZE_CHROMIUM, else chromium on the PATH).
type Browser struct {
	Node, Modules, Chromium string
}

// Find returns the Browser, or skips t with a message naming what is
// missing.
func Find(t testing.TB) Browser {
	t.Helper()
	b := Browser{Modules: os.Getenv("ANALYZE_PLAYWRIGHT_NODE"), Chromium: os.Getenv("ANALYZE_CHROMIUM")}
	if b.Chromium == "" {
		b.Chromium, _ = exec.LookPath("chromium")
	}
	b.Node, _ = exec.LookPath("node")
	if b.Modules == "" || b.Chromium == "" || b.Node == "" {
		t.Skipf("skipping: the browser test needs node, Chromium and playwright-core (ANALYZE_PLAYWRIGHT_NODE); .ci/run installs them (have node %q, chromium %q, modules %q)",
			b.Node, b.Chromium, b.Modules)
	}
	return b
}

// Launch is the line of a script that starts headless Chromium, as
// browser: its executable is the script's exe. The flags keep it off the
// network (this machine's is closed; without them it tries Google's
// hosts at every start) and running as root.
const Launch = `const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
`

// Command returns node running script (an ES module) with args. The script
// is written beside the modules' folder, where its import of
// playwright-core resolves; name names the file.
func (b Browser) Command(t testing.TB, name, script string, args ...string) *exec.Cmd {
	t.Helper()
	path := filepath.Join(b.Modules, "..", name)
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	return exec.Command(b.Node, append([]string{path}, args...)...)
}

// Artifacts is the folder screenshots go to: $ANALYZE_ARTIFACTS, else a
// folder under the system's temp dir. It is made if missing.
func Artifacts(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("ANALYZE_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "analyze-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Stderr is what a failed command wrote to stderr, for the test's message.
func Stderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
