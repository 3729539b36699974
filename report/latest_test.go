package report

import (
	"context"
	"testing"
	"time"

	"analyze/ingest"
)

// TestLatest: the latest record, for --since 2h; a stamp far past the
// machine's clock (a mangled 2099) is not it, unless every stamp is (a
// server whose clock is set wrong). It was: --since 2h then kept nothing.
func TestLatest(t *testing.T) {
	line := func(stamp string) string {
		return `198.51.100.23 - shop [` + stamp + `] "GET /api/documents/1 HTTP/1.1" 200 512 "-" "x"` + "\n"
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, data, want string
	}{
		{"plain", line("12/Mar/2025:09:00:00 +0000") + line("12/Mar/2025:09:30:00 +0000"), "2025-03-12T09:30:00Z"},
		{"one far ahead", line("12/Mar/2025:09:00:00 +0000") + line("12/Mar/2099:09:00:00 +0000") + line("12/Mar/2025:09:30:00 +0000"), "2025-03-12T09:30:00Z"},
		{"within the tolerance", line("12/Mar/2025:09:00:00 +0000") + line("01/Jan/2026:00:04:00 +0000"), "2026-01-01T00:04:00Z"},
		{"every one ahead", line("12/Mar/2099:09:00:00 +0000") + line("12/Mar/2099:09:30:00 +0000"), "2099-03-12T09:30:00Z"},
		{"none", "not a log line\n", "0001-01-01T00:00:00Z"},
	} {
		f := &ingest.File{Path: "access.log", Data: [][]byte{[]byte(tc.data)}}
		got, err := Latest(context.Background(), []*ingest.File{f}, ingest.Options{Workers: 1}, now)
		if err != nil || got.UTC().Format(time.RFC3339) != tc.want {
			t.Errorf("%s: got %v, %v; want %s", tc.name, got, err, tc.want)
		}
	}
}
