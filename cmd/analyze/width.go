package main

import (
	"analyze/report/write"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"
)

// widthWant is --width's range as usage errors state it.
var widthWant = fmt.Sprintf("%d to %d columns, or 0 for no limit", write.MinWidth, write.MaxWidth)

// checkWidth checks a --width value.
func checkWidth(n int) error {
	if n == 0 {
		return nil
	}
	return intIn("width", int64(n), write.MinWidth, write.MaxWidth, widthWant)
}

// textWidth is the width the text output fits: --width when given (set);
// else the terminal's when out is one (not when the output goes to an
// --out file); else $COLUMNS when it is a number; else
// write.DefaultWidth. A terminal or $COLUMNS narrower than
// write.MinWidth or wider than write.MaxWidth is taken as that bound.
func textWidth(given int, set bool, out io.Writer, getenv func(string) string) int {
	if set {
		return given
	}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return clampWidth(w)
		}
	}
	if w, err := strconv.Atoi(strings.TrimSpace(getenv("COLUMNS"))); err == nil && w > 0 {
		return clampWidth(w)
	}
	return write.DefaultWidth
}

func clampWidth(w int) int { return min(max(w, write.MinWidth), write.MaxWidth) }

const widthUsage = "the text output's width in columns: its tables wrap cells and leave out their least important columns to fit (0: no limit; default: the terminal's width, else $COLUMNS, else 100)"
