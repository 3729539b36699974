package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Log fields are written by strangers. Everything taken from a log passes
// through one of these before it reaches an output.

// Term makes s safe to print on a terminal: control characters (C0, DEL,
// C1, so every ANSI escape sequence), invisible format characters (bidi
// overrides, zero-width joiners) and invalid UTF-8 are shown as \xHH or
// \u{HHHH} escapes; a backslash stays a backslash.
func Term(s string) string {
	if SafeASCII(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02X`, s[i])
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&b, `\x%02X`, r)
		case unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u{%04X}`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// SafeASCII reports whether s is printable ASCII only: Term leaves it as it
// is, and the Prometheus writer quotes it as it is.
func SafeASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// markdownCell escapes what would change a Markdown table cell's meaning:
// the cell separator, inline markup, and raw HTML.
var markdownCell = strings.NewReplacer(
	`\`, `\\`, `|`, `\|`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `&lt;`, `>`, `&gt;`, `&`, `&amp;`,
)

// Markdown makes s safe inside a Markdown table cell.
func Markdown(s string) string { return markdownCell.Replace(Term(s)) }

// MarkdownCode shows a raw line's start as a Markdown code span holding its
// %q quoting; a backtick inside becomes \x60 so the span cannot close early.
func MarkdownCode(s string) string {
	return "`" + strings.ReplaceAll(Snippet(s), "`", `\x60`) + "`"
}

// Snippet quotes a rejected line's start for display, Go-style (%q), so
// that every byte is visible and nothing is interpreted: control and format
// characters and invalid UTF-8 come out as escapes.
func Snippet(s string) string { return fmt.Sprintf("%q", s) }

// CSVSafe neutralises a cell that a spreadsheet would execute: one that
// starts with '=', '+', '-', '@', a tab or a carriage return gets a leading
// apostrophe (the OWASP rule). A lone "-" (a field not logged) stays.
func CSVSafe(s string) string {
	if len(s) > 1 || s != "-" && len(s) == 1 {
		switch s[0] {
		case '=', '+', '-', '@', '\t', '\r':
			return "'" + s
		}
	}
	return s
}
