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

// tmuxWatch is a shell command (analyze watch, then its exit code written
// to rc) in a tmux session of its own, 120×40, without colour: the
// terminal view as a user at a terminal sees it.
type tmuxWatch struct {
	t              *testing.T
	tmux, sock, rc string
}

// startTmux starts command in a session whose socket and rc file are in
// dir; it skips t, saying why, without tmux. The session ends with the
// test.
func startTmux(t *testing.T, dir, command string) *tmuxWatch {
	t.Helper()
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed (.ci/run installs Debian's tmux): the terminal view's end-to-end test is skipped")
	}
	x := &tmuxWatch{t: t, tmux: tmux, sock: filepath.Join(dir, "tmux.sock"), rc: filepath.Join(dir, "rc")}
	x.run("new-session", "-d", "-x", "120", "-y", "40",
		fmt.Sprintf("env NO_COLOR=1 TERM=xterm-256color %s; echo $? > %q; sleep 60", command, x.rc))
	t.Cleanup(func() { exec.Command(tmux, "-S", x.sock, "kill-server").Run() })
	return x
}

func (x *tmuxWatch) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command(x.tmux, append([]string{"-S", x.sock}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (x *tmuxWatch) screen() string { return x.run("capture-pane", "-p", "-t", "0") }

// keys types keys: tmux's key names (Enter), or text with -l first.
func (x *tmuxWatch) keys(keys ...string) { x.run(append([]string{"send-keys", "-t", "0"}, keys...)...) }

// exited returns the command's exit code once it has ended.
func (x *tmuxWatch) exited() (string, bool) {
	b, err := os.ReadFile(x.rc)
	return strings.TrimSpace(string(b)), err == nil && len(b) > 0
}

// waitScreen waits up to 60 s for a screen that ok accepts, and returns
// it; it fails when the command ends first.
func (x *tmuxWatch) waitScreen(what string, ok func(string) bool) string {
	x.t.Helper()
	var screen string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if screen = x.screen(); ok(screen) {
			return screen
		}
		if code, ok := x.exited(); ok {
			x.t.Fatalf("%s: analyze watch exited (%s) first:\n%s", what, code, screen)
		}
	}
	x.t.Fatalf("%s: not on the screen within 60 s; the last:\n%s", what, screen)
	return ""
}

// quit types q and wants exit 0 within 30 s.
func (x *tmuxWatch) quit() {
	x.t.Helper()
	x.keys("q")
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if code, ok := x.exited(); ok {
			if code != "0" {
				x.t.Errorf("q: exit %s, want 0", code)
			}
			return
		}
	}
	x.t.Fatalf("q: analyze watch did not exit within 30 s:\n%s", x.screen())
}

// accounted is the start of the accounting line that counts n lines, all
// of them records.
func accounted(n int) string {
	return fmt.Sprintf("lines %s = records %s ", thousands(int64(n)), thousands(int64(n)))
}

// TestWatchInTmux drives the terminal view of analyze watch in tmux, as a
// user at a terminal sees it: a log grows; a 503 outage is appended and the
// screen shows the incident ongoing; healthy traffic follows and it shows
// it over; the log is rotated by rename, then by copytruncate, on the way,
// and the accounting line always equals the lines written; / filters, p
// pauses, q exits 0. Each screen is checked on the first refresh that has
// read every line written: the one after next at the latest.
func TestWatchInTmux(t *testing.T) {
	dir := t.TempDir()
	w := &watchLog{t: t, path: filepath.Join(dir, "access.log")}
	w.append(20, false)
	x := startTmux(t, dir, fmt.Sprintf("%q watch --every 300ms %q", binary, w.path))

	// screenFor waits for the screen whose accounting line counts every
	// line written, and returns it.
	screenFor := func(what string) string {
		t.Helper()
		screen := x.waitScreen(what, func(s string) bool { return strings.Contains(s, accounted(w.written)) })
		if !strings.Contains(screen, "reconciled") {
			t.Errorf("%s: the accounting line does not say reconciled:\n%s", what, screen)
		}
		return screen
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
	x.keys("/")
	x.keys("-l", "status=404")
	x.keys("Enter")
	screen = x.waitScreen("the filter status=404", func(s string) bool {
		return strings.Contains(s, "filter: status=404") && !strings.Contains(s, "next refresh")
	})
	if !strings.Contains(screen, "No incident") || strings.Contains(screen, "OVER") {
		t.Errorf("under status=404: want no incident:\n%s", screen)
	}
	// p pauses: the view says so, and keeps its frame while lines come.
	x.keys("p")
	x.waitScreen("pause", func(s string) bool { return strings.Contains(s, "PAUSED") })
	w.append(1, false)
	time.Sleep(time.Second) // three refreshes
	if s := x.screen(); strings.Contains(s, fmt.Sprintf("lines %s ", thousands(int64(w.written)))) {
		t.Errorf("paused, the view took a new frame:\n%s", s)
	}
	x.quit()
}

// TestWatchStdinInTmux: with the log on standard input, the terminal view
// stays when the input ends, saying so over the last frame, until q (exit
// 0); the keys come from the terminal.
func TestWatchStdinInTmux(t *testing.T) {
	dir := t.TempDir()
	w := &watchLog{t: t, path: filepath.Join(dir, "access.log")}
	w.append(5, false)
	x := startTmux(t, dir, fmt.Sprintf("%q watch --every 300ms - < %q", binary, w.path))
	x.waitScreen("the input ended", func(s string) bool {
		return strings.Contains(s, accounted(w.written)) && strings.Contains(s, "input ended")
	})
	x.quit()
}
