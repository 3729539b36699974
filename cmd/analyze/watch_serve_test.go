package main

import (
	"bufio"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"analyze/internal/browsertest"
)

// serveScript follows the live page of a running analyze watch --serve
// (argv[2]) in headless Chromium (argv[3]): it prints "saw quiet", "saw
// ongoing" and "saw over" as the page shows no incident, the incident
// ongoing, then over, and "result JSON" with the page loads and errors.
const serveScript = `
import { chromium } from 'playwright-core';
const [base, exe] = process.argv.slice(2);
` + browsertest.Launch + `const out = { errors: [], loads: 0 };
const page = await browser.newPage();
page.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') out.errors.push(m.text()); });
page.on('pageerror', e => out.errors.push(e.message));
page.on('load', () => out.loads++);
await page.goto(base + '/');
await page.waitForSelector('#incidents td.empty', { timeout: 30000 });
console.log('saw quiet');
await page.waitForSelector('#incidents td.ongoing', { timeout: 30000 });
console.log('saw ongoing');
await page.waitForSelector('#incidents td.over', { timeout: 30000 });
out.over = await page.evaluate(() => Array.from(document.querySelectorAll('#incidents tbody tr')).map(r => r.textContent));
console.log('saw over');
await browser.close();
console.log('result ' + JSON.stringify(out));
`

// TestWatchServeInBrowser runs analyze watch --serve on a growing log and
// follows its page in headless Chromium: no incident, then the 503 outage
// appended shows as an ongoing incident, then healthy traffic shows it
// over, all in one page load.
func TestWatchServeInBrowser(t *testing.T) {
	browser := browsertest.Find(t)
	dir := t.TempDir()
	w := &watchLog{t: t, path: filepath.Join(dir, "access.log")}
	w.append(20, false)

	cmd := exec.Command(binary, "watch", "-o", "json", "--every", "300ms", "--serve", "127.0.0.1:0", w.path)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		url := regexp.MustCompile(`http://[0-9.:]+`)
		for sc.Scan() {
			if u := url.FindString(sc.Text()); u != "" {
				addr <- u
			}
		}
	}()
	var base string
	select {
	case base = <-addr:
	case <-time.After(30 * time.Second):
		t.Fatal("analyze watch --serve said no address within 30 s")
	}

	js := browser.Command(t, "analyze-watch-e2e.mjs", serveScript, base, browser.Chromium)
	stdout, err := js.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := js.Start(); err != nil {
		t.Fatal(err)
	}
	defer js.Process.Kill()
	sc := bufio.NewScanner(stdout)
	var result struct {
		Errors []string
		Loads  int
		Over   []string
	}
	for sc.Scan() {
		switch line := sc.Text(); {
		case line == "saw quiet":
			w.append(4, true)
		case line == "saw ongoing":
			w.append(2, false)
		case strings.HasPrefix(line, "result "):
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "result ")), &result); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := js.Wait(); err != nil {
		t.Fatalf("the page script: %v\n%s", err, browsertest.Stderr(err))
	}
	if result.Loads != 1 || len(result.Errors) > 0 || len(result.Over) != 1 || !strings.Contains(result.Over[0], "503") {
		t.Errorf("want one load, no error, one 503 incident over: %+v", result)
	}
}
