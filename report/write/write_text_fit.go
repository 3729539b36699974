package write

import (
	"fmt"
	"slices"
	"strings"
)

// The text report fits a width (the terminal's, else $COLUMNS, else
// DefaultWidth; cmd/analyze decides). Each table is laid out by one rule,
// whatever its columns:
//
//  1. At its natural width when that fits.
//  2. Else its cells of text wrap: at spaces (a list cell, one item a
//     line), and a word longer than longWord (a path, a user agent) is
//     broken too. A column of numbers (right-aligned) is never wrapped, so
//     a number is never cut. Rules between the rows show which lines go
//     together when a row's first cell wraps. A column of bars (the timeline's) is redrawn
//     narrower instead. The room is shared so that the narrow columns keep
//     their width and the wide ones give it up.
//  3. Else the table leaves out its columns in the order its drop list
//     names them (the least important first), one at a time, and says so
//     under the table. A column the list does not name is never left out.
//  4. Else, when even the columns it keeps cannot fit, every row is
//     written as a record of "column  value" lines (every column, nothing
//     left out), as psql's expanded display does.

// DefaultWidth is the width of the text output when neither a terminal
// nor $COLUMNS gives one.
const DefaultWidth = 100

// Width bounds: --width takes MinWidth to MaxWidth, or 0 for no limit;
// a terminal or $COLUMNS outside them is taken as the nearest bound.
const (
	MinWidth = 40
	MaxWidth = 1000
)

// minText is the narrowest a column of text is wrapped to (unless all its
// cells are narrower): narrower, its lines would be a word each.
const minText = 10

// fitted is a section's table laid out for a width.
type fitted struct {
	header  []string
	align   []bool
	rows    [][]string
	dropped []string // the headers of the columns left out
	wrapped bool     // the first cell of a row takes more than one line
	stacked []string // when set, the rows as records of lines, instead of the table
}

// tableWidth is the width of a table whose columns are ws wide, drawn
// with the box renderer: "│ a │ b │".
func tableWidth(ws []int) int {
	t := 3*len(ws) + 1
	for _, w := range ws {
		t += w
	}
	return t
}

// fit lays s out in at most n cells (n <= 0: no limit).
func fit(s section, n int) fitted {
	if len(s.rows) == 0 {
		none := make([]string, len(s.header))
		none[0] = "(none)"
		s.rows = [][]string{none}
	}
	if n <= 0 {
		return fitted{header: s.header, align: s.align, rows: s.rows}
	}
	keep := make([]int, len(s.header))
	for i := range keep {
		keep[i] = i
	}
	var dropped []string
	for {
		nat, mins := measure(s, keep)
		switch {
		case tableWidth(nat) <= n:
			return layout(s, keep, nat, nat, dropped)
		case tableWidth(mins) <= n:
			return layout(s, keep, nat, shareRoom(mins, nat, n-tableWidth(mins)), dropped)
		}
		i := nextDrop(s, keep)
		if i < 0 {
			return fitted{stacked: stack(s, n)}
		}
		dropped = append(dropped, s.header[keep[i]])
		keep = slices.Delete(keep, i, i+1)
	}
}

// nextDrop returns the position in keep of the column to leave out next,
// -1 when the drop list names none left.
func nextDrop(s section, keep []int) int {
	for _, name := range s.drop {
		for i, c := range keep {
			if s.header[c] == name {
				return i
			}
		}
	}
	return -1
}

// measure returns the natural and the narrowest widths of the columns
// keep names.
func measure(s section, keep []int) (nat, mins []int) {
	nat, mins = make([]int, len(keep)), make([]int, len(keep))
	for i, c := range keep {
		nat[i] = linesWidth(s.header[c])
		mins[i] = minWidth(s.header[c], true)
		cellMin, cellMax := 0, 0
		for _, row := range s.rows {
			cellMax = max(cellMax, linesWidth(row[c]))
			if s.redraw[c] == nil {
				cellMin = max(cellMin, minWidth(row[c], false))
			}
		}
		nat[i] = max(nat[i], cellMax)
		switch {
		case c < len(s.align) && s.align[c]: // numbers: never wrapped (their header may be)
			cellMin = cellMax
		default:
			cellMin = max(cellMin, min(nat[i], minText))
		}
		mins[i] = max(mins[i], cellMin)
	}
	return nat, mins
}

// shareRoom gives extra cells to the columns that are below their natural
// width, the least wanting first, each at most an equal part of what is
// left: the narrow columns get all they want, the wide ones share the
// rest.
func shareRoom(mins, nat []int, extra int) []int {
	ws := slices.Clone(mins)
	order := make([]int, len(ws))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return (nat[a] - mins[a]) - (nat[b] - mins[b]) })
	for k, i := range order {
		give := min(nat[i]-mins[i], extra/(len(order)-k))
		ws[i] += give
		extra -= give
	}
	return ws
}

// layout wraps the kept columns' cells to the widths ws.
func layout(s section, keep, nat, ws []int, dropped []string) fitted {
	f := fitted{dropped: dropped}
	for i, c := range keep {
		h := s.header[c]
		if ws[i] < nat[i] {
			h = strings.Join(wrap(h, ws[i]), "\n")
		}
		f.header = append(f.header, h)
		f.align = append(f.align, c < len(s.align) && s.align[c])
	}
	for r, row := range s.rows {
		out := make([]string, len(keep))
		for i, c := range keep {
			out[i] = row[c]
			switch {
			case ws[i] >= nat[i]:
			case s.redraw[c] != nil:
				out[i] = s.redraw[c](r, ws[i])
			default:
				out[i] = strings.Join(wrap(row[c], ws[i]), "\n")
			}
			f.wrapped = f.wrapped || i == 0 && strings.Contains(out[i], "\n")
		}
		f.rows = append(f.rows, out)
	}
	return f
}

// stack writes every row as a record: a rule naming the row, then a line
// per column, its header and its value wrapped beside it (below it when
// the headers leave too little room).
func stack(s section, n int) []string {
	label := 0
	for _, h := range s.header {
		label = max(label, width(strings.ReplaceAll(h, "\n", " ")))
	}
	value := n - 2 - label - 2 // "  label  value"
	indent := strings.Repeat(" ", 2+label+2)
	if value < longWord {
		value, indent = n-4, "    "
	}
	var out []string
	for r, row := range s.rows {
		out = append(out, fmt.Sprintf("── %d of %d ", r+1, len(s.rows))+strings.Repeat("─", max(0, min(n, 40)-len(fmt.Sprintf("-- %d of %d ", r+1, len(s.rows))))))
		for c, h := range s.header {
			h = strings.ReplaceAll(h, "\n", " ")
			cell := row[c]
			if s.redraw[c] != nil && linesWidth(cell) > value {
				cell = s.redraw[c](r, value)
			}
			lines := wrap(cell, value)
			head := "  " + h + strings.Repeat(" ", label-width(h)) + "  "
			if indent == "    " {
				out = append(out, strings.TrimRight(head, " "))
				head = indent
			}
			for i, l := range lines {
				if i > 0 {
					head = indent
				}
				out = append(out, strings.TrimRight(head+l, " "))
			}
		}
	}
	return out
}
