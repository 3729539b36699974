// Package write writes a report.Report in the output formats: terminal
// tables, Markdown, JSON, an HTML page, Prometheus' text format, and CSV
// for single sections; and the status catalogue (analyze codes).
//
// In: a *report.Report, read through its exported fields and methods. Out:
// bytes on an io.Writer. Formats (this file) is the one table of the
// formats: -o's names, --out's extensions, the writers, and how each
// output begins, by which a folder's inputs leave analyze's own reports
// out. Every string taken from a log passes through report's sanitizers
// (report.Term, report.Markdown, report.CSVSafe) on its way out.
package write

import (
	"bytes"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"analyze/report"
)

// Format is one output format: the name -o takes, the extensions of the
// file names --out gives it, its writers, and how its output begins. The
// -o flag, --out's extension rule and the folder reading that leaves out
// analyze's own reports all read Formats, and nothing else.
type Format struct {
	// Name is what -o takes.
	Name string
	// Note follows the name in -o's help ("" for none).
	Note string
	// Exts are the extensions, lower case with their dot, of the file
	// names that imply the format (--out r.md); the first is the usual one.
	Exts []string
	// Write writes the report (its Only section, for analyze quota,
	// retries and timeline) fitted to width cells where the format has a
	// width (0: no limit; the others take no notice); nil when the format
	// writes single sections only.
	Write func(w io.Writer, r *report.Report, width int) error
	// Sections writes one section alone, by the analyze subcommand that
	// writes it ("retries": the unrecovered list), for the formats whose
	// rows are those of one list; a subcommand not named here uses Write.
	Sections map[string]Writer
	// Codes writes the status catalogue (analyze codes) fitted to width
	// cells; nil when analyze codes does not write the format.
	Codes func(w io.Writer, width int) error
	// Head reports whether a file whose first bytes (up to 512) are head
	// is an output of this format written by analyze.
	Head func(head []byte) bool
}

// Writer writes a Report in one output format.
type Writer func(w io.Writer, r *report.Report) error

// Formats are the output formats, in the order -o's help lists them.
var Formats = []Format{
	{
		Name:  "text",
		Exts:  []string{".txt"},
		Write: writeText,
		Codes: func(w io.Writer, width int) error { return WriteCodes(w, "text", width) },
		// "analyze VERSION", then "N lines in M inputs: ...".
		Head: func(head []byte) bool {
			first, rest, _ := bytes.Cut(head, []byte{'\n'})
			second, _, _ := bytes.Cut(rest, []byte{'\n'})
			return bytes.HasPrefix(first, []byte("analyze ")) && len(first) < 64 &&
				bytes.Contains(second, []byte(" in ")) && bytes.Contains(second, []byte(" input"))
		},
	},
	{
		Name:  "markdown",
		Exts:  []string{".md", ".markdown"},
		Write: fixed(WriteMarkdown),
		Codes: func(w io.Writer, width int) error { return WriteCodes(w, "markdown", width) },
		Head:  prefix("# analyze report\n"),
	},
	{
		Name:  "json",
		Exts:  []string{".json"},
		Write: fixed(WriteJSON),
		Codes: func(w io.Writer, width int) error { return WriteCodes(w, "json", width) },
		Head:  prefix("{\n  \"tool\": \"analyze\","),
	},
	{
		Name:  "html",
		Note:  "a self-contained page",
		Exts:  []string{".html", ".htm"},
		Write: fixed(WriteHTML),
		Head: func(head []byte) bool {
			return bytes.HasPrefix(head, []byte("<!DOCTYPE html>")) && bytes.Contains(head, []byte("<title>analyze: "))
		},
	},
	{
		Name:  "prometheus",
		Note:  "node_exporter's textfile format",
		Exts:  []string{".prom"},
		Write: fixed(WritePrometheus),
		Head:  prefix("# HELP analyze_info "),
	},
	{
		Name:     "csv",
		Exts:     []string{".csv"},
		Sections: map[string]Writer{"retries": WriteUnrecoveredCSV, "timeline": WriteTimelineCSV},
		Head: prefix("time,client,method,path,status,outcome,attempts,last_attempt,unsafe,action,file,line\n",
			"start,window_seconds,requests,success,redirect,client_error,server_error,other,rate_limited,"),
	},
}

// fixed is the Format.Write of a writer that has no width.
func fixed(write Writer) func(io.Writer, *report.Report, int) error {
	return func(w io.Writer, r *report.Report, _ int) error { return write(w, r) }
}

// prefix is the Format.Head of outputs that begin with one of heads.
func prefix(heads ...string) func([]byte) bool {
	return func(head []byte) bool {
		return slices.ContainsFunc(heads, func(h string) bool { return bytes.HasPrefix(head, []byte(h)) })
	}
}

// Lookup returns the format -o names name.
func Lookup(name string) (Format, bool) {
	i := slices.IndexFunc(Formats, func(f Format) bool { return f.Name == name })
	if i < 0 {
		return Format{}, false
	}
	return Formats[i], true
}

// OutputFor returns the name of the format a file name implies by its
// extension, in any case (--out r.JSON), or "" when it implies none.
func OutputFor(path string) string {
	ext := strings.ToLower(filepath.Ext(path))
	for _, f := range Formats {
		if slices.Contains(f.Exts, ext) {
			return f.Name
		}
	}
	return ""
}

// Exts returns every format's extensions: the names analyze's own
// outputs may have.
func Exts() []string {
	var exts []string
	for _, f := range Formats {
		exts = append(exts, f.Exts...)
	}
	return exts
}

// IsOutput reports whether a file whose first bytes (up to 512) are head
// is an output analyze wrote, in any format.
func IsOutput(head []byte) bool {
	return slices.ContainsFunc(Formats, func(f Format) bool { return f.Head != nil && f.Head(head) })
}

// Names lists the names of the formats that keep, in the table's order:
// -o's choices where a command takes some formats only.
func Names(keep func(Format) bool) []string {
	var names []string
	for _, f := range Formats {
		if keep(f) {
			names = append(names, f.Name)
		}
	}
	return names
}

// Usage is the help of -o for analyze report, quota, retries and
// timeline: the formats that write a report, with their notes, then those
// that write single sections and the subcommands they are for.
func Usage() string {
	var whole, part []string
	for _, f := range Formats {
		name := f.Name
		if f.Note != "" {
			name += " (" + f.Note + ")"
		}
		if f.Write != nil {
			whole = append(whole, name)
		}
		if f.Write == nil && len(f.Sections) > 0 {
			subs := make([]string, 0, len(f.Sections))
			for s := range f.Sections {
				subs = append(subs, s)
			}
			slices.Sort(subs)
			part = append(part, name+" with analyze "+strings.Join(subs, " and "))
		}
	}
	return strings.Join(append([]string{Or(whole)}, part...), "; ")
}

// UsualExts lists each format's usual extension, in prose
// (".txt, .md, ..."): what --out's help names.
func UsualExts() string {
	var exts []string
	for _, f := range Formats {
		exts = append(exts, f.Exts[0])
	}
	return strings.Join(exts, ", ")
}

// Or joins names as prose: "a", "a or b", "a, b or c".
func Or(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
