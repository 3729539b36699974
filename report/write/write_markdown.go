package write

import (
	"fmt"
	"io"

	"github.com/olekukonko/tablewriter/renderer"

	"analyze/report"
)

// WriteMarkdown writes the report as Markdown: a heading and a table per
// section. Log-derived strings are escaped with Markdown (pipes, markup and
// HTML cannot break out of a cell).
func WriteMarkdown(w io.Writer, r *report.Report) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "# analyze report\n\n%s\n", report.Markdown(headline(r)))
	if n := filterNote(r); n != "" {
		fmt.Fprintf(ew, "\n%s\n", report.Markdown(n))
	}
	for _, s := range sections(r, markdownEscaper) {
		fmt.Fprintf(ew, "\n## %s\n\n", s.title)
		if err := renderTable(ew, s, renderer.NewMarkdown()); err != nil {
			return err
		}
		if len(s.notes) > 0 {
			fmt.Fprintln(ew)
		}
		for _, n := range s.notes {
			fmt.Fprintf(ew, "- %s\n", n)
		}
	}
	return ew.err
}
