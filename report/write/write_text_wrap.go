package write

import (
	"strings"

	"github.com/clipperhouse/displaywidth"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// width is a string's display width in terminal cells, as the table
// renderer measures it: a wide rune takes two, a combining mark none, a
// box-drawing character one.
func width(s string) int { return twwidth.Width(s) }

// linesWidth is the width of the widest line of s.
func linesWidth(s string) int {
	w := 0
	for line := range strings.SplitSeq(s, "\n") {
		w = max(w, width(line))
	}
	return w
}

// longWord is the width past which a word of text (a path, a user agent,
// a quoted line) may be broken across lines. Shorter words, a timestamp
// among them, and every word of a column of numbers stay whole.
const longWord = 24

// word is a run of non-space text and the spaces before it.
type word struct{ sep, text string }

// words cuts a line at runs of spaces, keeping the spaces so that a line
// that fits is written as it was.
func words(s string) []word {
	var out []word
	for s != "" {
		i := 0
		for i < len(s) && s[i] == ' ' {
			i++
		}
		j := strings.IndexByte(s[i:], ' ')
		if j < 0 {
			j = len(s) - i
		}
		out = append(out, word{s[:i], s[i : i+j]})
		s = s[i+j:]
	}
	return out
}

// minWidth is the narrowest a cell can be wrapped to: its widest word that
// may not be broken (every word when whole is set), or longWord when a
// longer word may be.
func minWidth(s string, whole bool) int {
	m := 0
	for line := range strings.SplitSeq(s, "\n") {
		for _, w := range words(line) {
			ww := width(w.text)
			if !whole && ww > longWord {
				ww = longWord
			}
			m = max(m, ww)
		}
	}
	return m
}

// wrap fits s into lines of at most n cells: lines break at spaces, and a
// word wider than n is broken (after a '/', ',', '-', '.', '&', '=' or
// ':' where one is near the end, else anywhere); nothing is dropped but
// the spaces a break replaces. Callers keep n at least the widest word
// that must stay whole, so a number is never broken.
func wrap(s string, n int) []string {
	n = max(n, 1)
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		if width(line) <= n {
			out = append(out, line)
			continue
		}
		cur, curW, fresh := "", 0, true // fresh: nothing of the line written yet
		for _, w := range words(line) {
			ww := width(w.text)
			sep := w.sep
			if curW == 0 && !fresh {
				sep = "" // the spaces a break replaces
			}
			if curW > 0 && curW+width(sep)+ww > n {
				out = append(out, cur)
				cur, curW, sep = "", 0, ""
			}
			text := w.text
			for curW+width(sep)+width(text) > n {
				head, rest := breakWord(text, n-curW-width(sep))
				if head == "" { // no room left on this line
					out = append(out, cur)
					cur, curW, sep = "", 0, ""
					continue
				}
				out = append(out, cur+sep+head)
				cur, curW, sep, text = "", 0, "", rest
			}
			cur += sep + text
			curW += width(sep) + width(text)
			fresh = false
		}
		out = append(out, cur)
	}
	return out
}

// breakWord cuts the head of s that fits in n cells, at a punctuation
// mark in its second half when there is one; it never splits a grapheme.
func breakWord(s string, n int) (head, rest string) {
	if n <= 0 {
		return "", s
	}
	end, w, mark := 0, 0, 0
	g := displaywidth.StringGraphemes(s)
	for g.Next() {
		gw := width(g.Value())
		if w+gw > n {
			break
		}
		w += gw
		end += len(g.Value())
		if strings.Contains("/,-.&=:?_", g.Value()) && 2*w > n {
			mark = end
		}
	}
	if end == 0 { // a grapheme wider than n: it goes whole
		g = displaywidth.StringGraphemes(s)
		g.Next()
		end = len(g.Value())
	}
	if mark > 0 && end < len(s) {
		end = mark
	}
	return s[:end], s[end:]
}

// WrapText wraps a paragraph to n cells (0: no limit) as the text report
// does, its first line after first and the next ones after indent.
func WrapText(s string, n int, first, indent string) string { return wrapText(s, n, first, indent) }

func wrapText(s string, n int, first, indent string) string {
	if n <= 0 {
		return first + s
	}
	lines := wrap(s, max(n-max(width(first), width(indent)), longWord))
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteString("\n")
			b.WriteString(indent)
		} else {
			b.WriteString(first)
		}
		b.WriteString(l)
	}
	return b.String()
}
