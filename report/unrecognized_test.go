package report

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"analyze/ingest"
)

// TestUnrecognizedLines reads a log beside a README no format fits: the
// README's lines are unrecognized, not rejected (nor a no_format reason),
// rejected_rate leaves them out, the accounting reconciles, and a stored
// run carries them, one stored before they were counted apart (its
// no_format lines among its rejected ones) included.
func TestUnrecognizedLines(t *testing.T) {
	dir := t.TempDir()
	logFiles := synthFiles(t, dir, "access.log", 500)
	readme := filepath.Join(dir, "README.md")
	prose := strings.Repeat("These logs come from the API gateway, rotated nightly.\n", 10)
	if err := os.WriteFile(readme, []byte(prose), 0o644); err != nil {
		t.Fatal(err)
	}
	files, errs := ingest.Expand([]string{logFiles[0].Path, readme}, false)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	s, err := Aggregate(context.Background(), files, ingest.Options{}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := Build(s, files, Filter{}, Options{Top: 10})
	in := r.Input
	if in.Unrecognized != 10 || in.Files[1].Unrecognized != 10 || in.Files[1].Rejected != 0 || in.Files[0].Unrecognized != 0 {
		t.Errorf("unrecognized %d (files %d, %d), README rejected %d; want 10 (0, 10), 0",
			in.Unrecognized, in.Files[0].Unrecognized, in.Files[1].Unrecognized, in.Files[1].Rejected)
	}
	if _, ok := in.RejectedReasons["no_format"]; ok {
		t.Errorf("rejected_reasons has no_format: %v", in.RejectedReasons)
	}
	if !in.Reconciled || in.Lines != in.Records+in.Rejected+in.Unrecognized+in.Blank {
		t.Errorf("lines %d != records %d + rejected %d + unrecognized %d + blank %d", in.Lines, in.Records, in.Rejected, in.Unrecognized, in.Blank)
	}
	for _, tc := range []struct {
		expr string
		want float64
	}{
		{"rejected_rate>0", float64(in.Rejected) / float64(in.Lines-10)},
		{"unrecognized>0", 10},
		{"unrecognized_rate>0", 10 / float64(in.Lines)},
	} {
		th, err := ParseThreshold(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		r.Check([]Threshold{th})
		if got := r.Thresholds[0].Measured; got == nil || *got != tc.want {
			t.Errorf("%s: measured %v, want %v", tc.expr, got, tc.want)
		}
	}

	stored, err := s.Snapshot(files)
	if err != nil {
		t.Fatal(err)
	}
	sn, err := decodeSnapshot(stored)
	if err != nil {
		t.Fatal(err)
	}
	sn.Rejected, sn.Unrecognized = sn.Rejected+sn.Unrecognized, 0 // as a run stored before counted them
	older, err := sn.encode()
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"stored": stored, "stored before": older} {
		next, err := Aggregate(context.Background(), logFiles, ingest.Options{}, Config{})
		if err != nil {
			t.Fatal(err)
		}
		if err := next.MergeSnapshot(b); err != nil {
			t.Fatal(err)
		}
		in := Build(next, logFiles, Filter{}, Options{Top: 10}).Input
		if st := in.Stored; st == nil || st.Unrecognized != 10 || st.Rejected != r.Input.Rejected {
			t.Errorf("%s: stored %+v, want 10 unrecognized and %d rejected", name, st, r.Input.Rejected)
		}
		if !in.Reconciled || in.Unrecognized != 10 {
			t.Errorf("%s: unrecognized %d, reconciled %v; want 10, true", name, in.Unrecognized, in.Reconciled)
		}
	}
}
