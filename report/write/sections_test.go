package write

import (
	"strings"
	"testing"

	"analyze/report"
)

// TestHeadline checks the first line's counts and their plurals.
func TestHeadline(t *testing.T) {
	one := &report.Report{Input: report.Input{Lines: 1, Records: 1, Files: []report.FileRow{{}}, Stored: &report.Stored{Runs: 1}}}
	if got, want := headline(one), "1 line in 1 input and 1 stored run (--state): 1 record, 0 rejected, 0 blank"; got != want {
		t.Errorf("headline = %q, want %q", got, want)
	}
	many := &report.Report{Input: report.Input{Lines: 1200, Records: 1000, Rejected: 150, Blank: 50, Files: []report.FileRow{{}, {}}}}
	if got, want := headline(many), "1,200 lines in 2 inputs: 1,000 records, 150 rejected, 50 blank"; got != want {
		t.Errorf("headline = %q, want %q", got, want)
	}
}

// TestHeading capitalises section titles but for words that start with a
// digit: a window of "1m" must not read as "1M", a million.
func TestHeading(t *testing.T) {
	for title, want := range map[string]string{
		"Quota: requests per 1m window":                       "QUOTA: REQUESTS PER 1m WINDOW",
		"Retries: failures worth retrying (retry window 10m)": "RETRIES: FAILURES WORTH RETRYING (RETRY WINDOW 10m)",
		"429 bursts (consecutive windows with 429s)":          "429 BURSTS (CONSECUTIVE WINDOWS WITH 429s)",
		"Retry storms (attempts above 20% of a window's)":     "RETRY STORMS (ATTEMPTS ABOVE 20% OF A WINDOW'S)",
		"Top endpoints by errors":                             "TOP ENDPOINTS BY ERRORS",
		"p99 in 1.5s, x2y":                                    "P99 IN 1.5s, X2Y",
	} {
		if got := heading(title); got != want {
			t.Errorf("heading(%q) = %q, want %q", title, got, want)
		}
	}
}

func TestSparkline(t *testing.T) {
	if got := sparkline([]int64{0, 1, 2, 4, 8}, 10); got != " ▁▂▄█" {
		t.Errorf("sparkline = %q", got)
	}
	if got := []rune(sparkline(make([]int64, 1000), 72)); len(got) > 72 {
		t.Errorf("sparkline is %d wide", len(got))
	}
}

// TestBoundsStated: the text report says which memory bounds a run hit
// (report.TestResourceBounds checks that a million distinct lines hit them).
func TestBoundsStated(t *testing.T) {
	r := &report.Report{Version: "test", Bounds: report.Bounds{ErrorPathsFolded: 3, UserAgentsFolded: 4, TimelineDetailsFolded: 5, RetryChainsUntracked: 6}}
	var b strings.Builder
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"MEMORY BOUNDS REACHED", "open retry chains", "error paths table", "user agents table", "timeline failure lists"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the text report does not state %q:\n%s", want, b.String())
		}
	}
}
