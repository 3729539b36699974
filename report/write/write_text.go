package write

import (
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"analyze/report"
)

// WriteText writes the report as terminal tables at most DefaultWidth
// cells wide. Every log-derived string is passed through Term.
func WriteText(w io.Writer, r *report.Report) error { return writeText(w, r, DefaultWidth) }

// writeText writes the text report fitted to n cells (0: no limit); the
// rule is in write_text_fit.go.
func writeText(w io.Writer, r *report.Report, n int) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "analyze %s\n%s\n", r.Version, wrapText(headline(r), n, "", ""))
	if note := filterNote(r); note != "" {
		fmt.Fprintln(ew, wrapText(note, n, "", ""))
	}
	for _, s := range sections(r, termEscaper) {
		fmt.Fprintf(ew, "\n%s\n", wrapText(heading(s.title), n, "", ""))
		if err := writeFitted(ew, s, n); err != nil {
			return err
		}
	}
	return ew.err
}

// writeFitted writes a section's table fitted to n cells, and its notes.
func writeFitted(w io.Writer, s section, n int) error {
	f := fit(s, n)
	notes := s.notes
	if len(f.dropped) > 0 {
		notes = append([]string{fmt.Sprintf("Left out to fit %d columns: %s (--width 0, -o markdown or -o json show them).",
			n, strings.Join(f.dropped, ", "))}, notes...)
	}
	if f.stacked != nil {
		for _, l := range f.stacked {
			fmt.Fprintln(w, l)
		}
	} else {
		var rend tw.Renderer
		if f.wrapped { // rules between the rows say which lines go together
			rend = renderer.NewBlueprint(tw.Rendition{Settings: tw.Settings{Separators: tw.Separators{BetweenRows: tw.On}}})
		}
		if err := renderTable(w, section{header: f.header, align: f.align, rows: f.rows}, rend); err != nil {
			return err
		}
	}
	for _, note := range notes {
		fmt.Fprintln(w, wrapText(note, n, "  ", "    "))
	}
	return nil
}

// heading is a section title in capitals, but for the words that start
// with a digit: durations and counts ("1m", "10m", "429s") keep their
// case, as "1M" would read as a million.
func heading(title string) string {
	b := []byte(title)
	number := false // the word started with a digit
	for i, c := range b {
		if i == 0 || !isWordByte(b[i-1]) {
			number = c >= '0' && c <= '9'
		}
		if c >= 'a' && c <= 'z' && !number {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// renderTable renders one section's table with tablewriter, using rend
// (nil for the default box-drawing renderer).
func renderTable(w io.Writer, s section, rend tw.Renderer) error {
	aligns := make([]tw.Align, len(s.header))
	for i, right := range s.align {
		aligns[i] = tw.AlignLeft
		if right {
			aligns[i] = tw.AlignRight
		}
	}
	opts := []tablewriter.Option{
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: aligns}),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: aligns}),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithTrimSpace(tw.Off),
	}
	if rend != nil {
		opts = append(opts, tablewriter.WithRenderer(rend))
	} else {
		opts = append(opts, tablewriter.WithRenderer(renderer.NewBlueprint()))
	}
	t := tablewriter.NewTable(w, opts...)
	t.Header(anySlice(s.header)...)
	if len(s.rows) == 0 {
		empty := make([]any, len(s.header))
		for i := range empty {
			empty[i] = ""
		}
		empty[0] = "(none)"
		if err := t.Append(empty...); err != nil {
			return err
		}
	}
	for _, row := range s.rows {
		if err := t.Append(anySlice(row)...); err != nil {
			return err
		}
	}
	return t.Render()
}

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// errWriter remembers the first write error so the writers can format
// freely and check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
