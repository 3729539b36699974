package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWatchInTmux drives the terminal view of analyze watch in tmux, as a
// user at a terminal sees it: a log grows; a 503 outage is appended and the
// screen shows the incident ongoing; healthy traffic follows and it shows
// it over; the log is rotated by rename, then by copytruncate, on the way,
// and the accounting line always equals the lines written; q exits 0.
// Each screen is checked on the first refresh that has read every line
// written: the one after next at the latest.
func TestWatchInTmux(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed (.ci/run installs Debian's tmux): the terminal view's end-to-end test is skipped")
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "tmux.sock")
	rc := filepath.Join(dir, "rc")
	w := &watchLog{t: t, path: filepath.Join(dir, "access.log")}
	w.append(20, false)

	tm := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	tm("new-session", "-d", "-x", "120", "-y", "40",
		fmt.Sprintf("env NO_COLOR=1 TERM=xterm-256color %q watch --every 300ms %q; echo $? > %q; sleep 60", binary, w.path, rc))
	defer exec.Command(tmux, "-S", sock, "kill-server").Run()

	// screenFor waits for the screen whose accounting line counts every
	// line written, and returns it.
	screenFor := func(what string) string {
		t.Helper()
		want := fmt.Sprintf("lines %s = records %s ", thousands(int64(w.written)), thousands(int64(w.written)))
		deadline := time.Now().Add(60 * time.Second)
		var screen string
		for time.Now().Before(deadline) {
			screen = tm("capture-pane", "-p", "-t", "0")
			if strings.Contains(screen, want) {
				if !strings.Contains(screen, "reconciled") {
					t.Errorf("%s: the accounting line does not say reconciled:\n%s", what, screen)
				}
				return screen
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("%s: no screen with %q within 60 s; the last:\n%s", what, want, screen)
		return ""
	}

	screen := screenFor("healthy traffic")
	if strings.Contains(screen, "ONGOING") {
		t.Errorf("healthy traffic shows an incident:\n%s", screen)
	}
	w.rename()
	w.append(2, false)
	screenFor("after a rotation by rename")
	w.copytruncate()
	w.append(1, false)
	screenFor("after a rotation by copytruncate")

	w.append(4, true)
	screen = screenFor("the outage")
	if !strings.Contains(screen, "ONGOING") || !strings.Contains(screen, "503") {
		t.Errorf("the outage: want an ongoing 503 incident on the screen:\n%s", screen)
	}
	w.append(2, false)
	screen = screenFor("the recovery")
	if strings.Contains(screen, "ONGOING") || !strings.Contains(screen, "OVER") {
		t.Errorf("the recovery: want the incident over, none ongoing:\n%s", screen)
	}

	// / filters as the drill-down flags do: under status=404 the 503s
	// are gone, and so is their incident.
	tm("send-keys", "-t", "0", "/")
	tm("send-keys", "-t", "0", "-l", "status=404")
	tm("send-keys", "-t", "0", "Enter")
	screen = waitScreen(t, tm, "the filter status=404", func(s string) bool {
		return strings.Contains(s, "filter: status=404") && !strings.Contains(s, "next refresh")
	})
	if !strings.Contains(screen, "No incident") || strings.Contains(screen, "OVER") {
		t.Errorf("under status=404: want no incident:\n%s", screen)
	}
	// p pauses: the view says so, and keeps its frame while lines come.
	tm("send-keys", "-t", "0", "p")
	waitScreen(t, tm, "pause", func(s string) bool { return strings.Contains(s, "PAUSED") })
	w.append(1, false)
	time.Sleep(time.Second) // three refreshes
	if s := tm("capture-pane", "-p", "-t", "0"); strings.Contains(s, fmt.Sprintf("lines %s ", thousands(int64(w.written)))) {
		t.Errorf("paused, the view took a new frame:\n%s", s)
	}

	tm("send-keys", "-t", "0", "q")
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(rc); err == nil && len(b) > 0 {
			if got := strings.TrimSpace(string(b)); got != "0" {
				t.Errorf("q: exit %s, want 0", got)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("q: analyze watch did not exit within 30 s:\n%s", tm("capture-pane", "-p", "-t", "0"))
}

// TestWatchStdinInTmux: with the log on standard input, the terminal view
// stays when the input ends, saying so over the last frame, until q (exit
// 0); the keys come from the terminal.
func TestWatchStdinInTmux(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed (.ci/run installs Debian's tmux): the terminal view's end-to-end test is skipped")
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "tmux.sock")
	rc := filepath.Join(dir, "rc")
	w := &watchLog{t: t, path: filepath.Join(dir, "access.log")}
	w.append(5, false)
	tm := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	tm("new-session", "-d", "-x", "120", "-y", "40",
		fmt.Sprintf("env NO_COLOR=1 TERM=xterm-256color %q watch --every 300ms - < %q; echo $? > %q; sleep 60", binary, w.path, rc))
	defer exec.Command(tmux, "-S", sock, "kill-server").Run()

	want := fmt.Sprintf("lines %s = records %s ", thousands(int64(w.written)), thousands(int64(w.written)))
	deadline := time.Now().Add(30 * time.Second)
	var screen string
	for time.Now().Before(deadline) {
		if screen = tm("capture-pane", "-p", "-t", "0"); strings.Contains(screen, want) && strings.Contains(screen, "input ended") {
			break
		}
		if b, _ := os.ReadFile(rc); len(b) > 0 {
			t.Fatalf("analyze watch exited (%s) when its input ended, before q:\n%s", strings.TrimSpace(string(b)), screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(screen, want) || !strings.Contains(screen, "input ended") {
		t.Fatalf("no screen with %q and the input ended within 30 s; the last:\n%s", want, screen)
	}
	tm("send-keys", "-t", "0", "q")
	for deadline = time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if b, err := os.ReadFile(rc); err == nil && len(b) > 0 {
			if got := strings.TrimSpace(string(b)); got != "0" {
				t.Errorf("q: exit %s, want 0", got)
			}
			return
		}
	}
	t.Fatalf("q: analyze watch did not exit within 30 s:\n%s", tm("capture-pane", "-p", "-t", "0"))
}

// waitScreen waits up to 60 s for a screen that ok accepts, and returns it.
func waitScreen(t *testing.T, tm func(...string) string, what string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var screen string
	for time.Now().Before(deadline) {
		if screen = tm("capture-pane", "-p", "-t", "0"); ok(screen) {
			return screen
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not on the screen within 60 s; the last:\n%s", what, screen)
	return ""
}
