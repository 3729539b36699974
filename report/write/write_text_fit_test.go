package write

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		n    int
		want []string
	}{
		{"fits", "a b c", 5, []string{"a b c"}},
		{"at spaces", "/api/a /api/b /api/c", 13, []string{"/api/a /api/b", "/api/c"}},
		{"list after commas", "shop-connector, bi-export", 16, []string{"shop-connector,", "bi-export"}},
		{"long word at a slash", "/files/logstash/2025/03/12/archive.tar.gz", 24, []string{"/files/logstash/2025/03/", "12/archive.tar.gz"}},
		{"wide runes by width", "日本語日本語", 6, []string{"日本語", "日本語"}},
		{"leading spaces kept", "  x y", 10, []string{"  x y"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wrap(tc.in, tc.n)
			if !slices.Equal(got, tc.want) {
				t.Errorf("wrap(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
			for _, l := range got {
				if width(l) > tc.n {
					t.Errorf("line %q is %d wide, more than %d", l, width(l), tc.n)
				}
			}
			if joined := strings.ReplaceAll(strings.Join(got, ""), " ", ""); joined != strings.ReplaceAll(tc.in, " ", "") {
				t.Errorf("wrap lost text: %q from %q", joined, tc.in)
			}
		})
	}
}

// render writes a section as the text report does and returns its lines.
func render(t *testing.T, s section, n int) []string {
	t.Helper()
	var b bytes.Buffer
	if err := writeFitted(&b, s, n); err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
}

func TestFitTable(t *testing.T) {
	wide := section{
		header: []string{"endpoint", "requests", "errors", "p50 ms", "p99 ms", "clients"},
		align:  []bool{false, true, true, true, true, false},
		drop:   []string{"p50 ms", "p99 ms"},
		rows: [][]string{
			{"/api/documents/{id}", "1,234,567,890", "12.5%", "54.1", "30040.3", "shop-connector bi-export dam-importer"},
			{"/api/assets/{id}/renditions/thumbnail-large", "42", "0.0%", "1", "2", "erp-sync"},
		},
	}
	for _, tc := range []struct {
		name    string
		n       int
		dropped []string
		stacked bool
	}{
		{"no limit", 0, nil, false},
		{"natural width", 200, nil, false},
		{"wrapped", 90, nil, false},
		{"one column dropped", 86, []string{"p50 ms"}, false},
		{"two dropped", 76, []string{"p50 ms", "p99 ms"}, false},
		{"stacked", 66, nil, true},
		{"stacked narrow", 40, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := fit(wide, tc.n)
			if !slices.Equal(f.dropped, tc.dropped) {
				t.Errorf("dropped %q, want %q", f.dropped, tc.dropped)
			}
			if got := f.stacked != nil; got != tc.stacked {
				t.Errorf("stacked %v, want %v", got, tc.stacked)
			}
			text := strings.Join(render(t, wide, tc.n), "\n")
			for _, l := range strings.Split(text, "\n") {
				if tc.n > 0 && width(l) > tc.n {
					t.Errorf("line is %d wide, more than %d: %q", width(l), tc.n, l)
				}
			}
			// Every number is whole, whatever the width.
			for _, num := range []string{"1,234,567,890", "12.5%", "30040.3"} {
				if !strings.Contains(text, num) && !slices.Contains(tc.dropped, "p99 ms") {
					t.Errorf("%q was cut:\n%s", num, text)
				}
			}
			if len(tc.dropped) > 0 && !strings.Contains(text, "Left out to fit") {
				t.Errorf("no note says which columns were left out:\n%s", text)
			}
		})
	}
}

// TestFitNumbersWiderThanWidth: a table whose numbers alone pass the
// width keeps them whole, as records of lines.
func TestFitNumbersWiderThanWidth(t *testing.T) {
	s := section{
		header: []string{"a", "b", "c", "d"},
		align:  []bool{true, true, true, true},
		rows:   [][]string{{"9,223,372,036,854,775,807", "9,223,372,036,854,775,807", "1", "2"}},
	}
	lines := render(t, s, 40)
	text := strings.Join(lines, "\n")
	if strings.Count(text, "9,223,372,036,854,775,807") != 2 {
		t.Errorf("a number was cut:\n%s", text)
	}
	for _, l := range lines {
		if width(l) > 40 {
			t.Errorf("line %q is %d wide", l, width(l))
		}
	}
}

// TestFitRedrawsBars: a column of bars is scaled, not wrapped.
func TestFitRedrawsBars(t *testing.T) {
	s := section{
		header: []string{"start", "bar"},
		rows:   [][]string{{"2025-03-12T08:00:00Z", strings.Repeat("█", 80)}},
	}
	s.redraw = map[int]func(i, w int) string{1: func(i, w int) string { return strings.Repeat("█", w) }}
	f := fit(s, 60)
	if f.stacked != nil || strings.Contains(f.rows[0][1], "\n") {
		t.Fatalf("bar wrapped or stacked: %q", f.rows[0][1])
	}
	if got, want := tableWidth([]int{20, width(f.rows[0][1])}), 60; got != want {
		t.Errorf("table is %d wide, want %d", got, want)
	}
}
