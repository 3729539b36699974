package ingest

import (
	"net/netip"
	"path/filepath"
	"testing"
)

// Tests over real logs from public projects (../shared/corpus, each folder
// with its PROVENANCE.txt): every line accounted, and the counts the
// provenance states.

const corpusDir = "../../shared/corpus"

func TestCorpusElasticApache(t *testing.T) {
	path := filepath.Join(corpusDir, "elastic-examples-apache/apache_logs")
	needShared(t, path)
	files, errs := Expand([]string{path}, false)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	statuses := map[int]int{}
	methods := map[string]int{}
	got := runAll(t, files, Options{}) // checks lines = records + rejected + blank
	sc := NewScanner(ParseOptions{})
	Run(t.Context(), files, Options{Workers: 1}, func(_ int, b *Block) {
		sc.Reset(b)
		for sc.Next() {
			if sc.Kind() == KindRecord {
				statuses[sc.Record().Status]++
				methods[string(sc.Record().Method)]++
			}
		}
	})
	tl := got[path]
	if tl.lines != 10000 || tl.records != 10000 {
		t.Errorf("lines %d records %d rejected %v; PROVENANCE says 10000 lines, all access-log records", tl.lines, tl.records, tl.reasons)
	}
	if files[0].FormatName() != "combined" {
		t.Errorf("format %s, want combined", files[0].FormatName())
	}
	wantStatus := map[int]int{200: 9126, 206: 45, 301: 164, 304: 445, 403: 2, 404: 213, 416: 2, 500: 3}
	for s, n := range wantStatus {
		if statuses[s] != n {
			t.Errorf("status %d: %d records, PROVENANCE says %d", s, statuses[s], n)
		}
	}
	wantMethod := map[string]int{"GET": 9952, "HEAD": 42, "POST": 5, "OPTIONS": 1}
	for m, n := range wantMethod {
		if methods[m] != n {
			t.Errorf("method %s: %d records, PROVENANCE says %d", m, methods[m], n)
		}
	}
}

// TestCorpusW3C reads the IIS/W3C files of lnav's tests. Directive lines
// count as blank; every data line is a record or a counted rejection.
func TestCorpusW3C(t *testing.T) {
	dir := filepath.Join(corpusDir, "iis-w3c-lnav")
	needShared(t, dir)
	want := map[string]struct {
		format                   string
		records, rejected, blank int64
		why                      string
	}{
		"logfile_w3c.0":     {"w3c", 1, 0, 4, "comments after directive values"},
		"logfile_w3c.1":     {"w3c", 1, 0, 6, "Oracle: runs of spaces, #GMT-Offset, #Date after #Fields"},
		"logfile_w3c.2":     {"unknown", 0, 22, 0, "an IIS FTP log: its verbs are no HTTP methods, so nothing is taken as HTTP"},
		"logfile_w3c.3":     {"w3c", 3, 0, 7, "IIS Advanced Logging: blank lines among directives, quoted fields"},
		"logfile_w3c.4":     {"w3c", 1, 1, 4, "Incapsula: every field quoted; the second line's status is empty"},
		"logfile_w3c.5":     {"unknown", 0, 2, 0, "#Fields declares 6 fields, the data line has 17: not half-parsed"},
		"logfile_w3c.6":     {"w3c", 1, 0, 4, "UTF-8 in the user agent"},
		"logfile_w3c_big.0": {"w3c", 210, 0, 44, "IIS 8.5, directives repeated mid-file"},
	}
	for name, w := range want {
		p := filepath.Join(dir, name)
		for _, maxLine := range []int{0, 64 << 10} {
			files, _ := Expand([]string{p}, false)
			got := runAll(t, files, Options{MaxLine: maxLine})[p]
			if files[0].FormatName() != w.format || got.records != w.records || got.rejected != w.rejected || got.blank != w.blank {
				t.Errorf("%s (%s): format %s records %d rejected %d blank %d (%v); want %s %d %d %d",
					name, w.why, files[0].FormatName(), got.records, got.rejected, got.blank, got.reasons, w.format, w.records, w.rejected, w.blank)
			}
		}
	}
}

func TestLnavAccessLogs(t *testing.T) {
	dir := filepath.Join(peerDir, "lnav/test")
	needShared(t, dir)
	for _, name := range []string{"logfile_access_log.0", "logfile_access_log.1"} {
		p := filepath.Join(dir, name)
		files, _ := Expand([]string{p}, false)
		got := runAll(t, files, Options{})[p]
		if got.records == 0 || got.records+got.blank < got.lines-1 {
			t.Errorf("%s: %d of %d lines parsed (%v)", name, got.records, got.lines, got.reasons)
		}
	}
}

func TestIsPublic(t *testing.T) {
	for _, s := range []string{"85.181.35.98", "10.0.0.1", "172.16.5.4", "172.32.0.1", "192.168.1.1", "127.0.0.1",
		"169.254.1.1", "0.0.0.0", "8.8.8.8", "2a03::8000", "fd00::1", "fe80::1", "::1", "2001:db8::1", "1.2.3", "256.1.1.1", "example.com"} {
		a, err := netip.ParseAddr(s)
		want := err == nil && !(a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified())
		if got := isPublic([]byte(s)); got != want {
			t.Errorf("isPublic(%q) = %v, netip says %v", s, got, want)
		}
	}
}
