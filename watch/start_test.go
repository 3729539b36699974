package watch

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHorizonStart: the horizon starts --since before the latest record,
// and a stamp far past the machine's clock is not the latest unless every
// stamp is.
func TestHorizonStart(t *testing.T) {
	line := func(stamp string) string {
		return `198.51.100.23 - shop [` + stamp + `] "GET /api/documents/1 HTTP/1.1" 200 512 "-" "x"` + "\n"
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		lines []string
		want  string // RFC 3339, "" for none
	}{
		{"plain", []string{line("12/Mar/2025:09:00:00 +0000"), line("12/Mar/2025:09:30:00 +0000")}, "2025-03-12T09:15:00Z"},
		{"one stamp far ahead", []string{line("12/Mar/2025:09:00:00 +0000"), line("12/Mar/2099:09:00:00 +0000"),
			line("12/Mar/2025:09:30:00 +0000")}, "2025-03-12T09:15:00Z"},
		{"a stamp within five minutes ahead", []string{line("12/Mar/2025:09:00:00 +0000"), line("01/Jan/2026:00:03:00 +0000")},
			"2025-12-31T23:48:00Z"},
		{"a stamp half an hour ahead", []string{line("12/Mar/2025:09:00:00 +0000"), line("01/Jan/2026:00:30:00 +0000")},
			"2025-03-12T08:45:00Z"},
		{"every stamp ahead", []string{line("12/Mar/2099:09:00:00 +0000"), line("12/Mar/2099:09:30:00 +0000")},
			"2099-03-12T09:15:00Z"},
		{"no record", []string{"not a log line\n"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "access.log")
			if err := os.WriteFile(path, []byte(strings.Join(tt.lines, "")), 0o644); err != nil {
				t.Fatal(err)
			}
			start, err := HorizonStart(context.Background(), []string{path}, 15*time.Minute, now)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if !start.IsZero() {
				got = start.UTC().Format(time.RFC3339)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
