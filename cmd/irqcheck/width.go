package main

import (
	"io"
	"os"
	"strconv"

	"github.com/irqcheck/irqcheck/report"
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && terminalWidth(f) > 0
}

// traceWidth is the width traces are laid out to when --width is not
// given: the terminal's when stdout is one ($COLUMNS first, as a shell
// exports it), otherwise report.DefaultWidth, what fits in a mail.
func traceWidth(stdout io.Writer) int {
	f, ok := stdout.(*os.File)
	if !ok {
		return report.DefaultWidth
	}
	w := terminalWidth(f)
	if w == 0 {
		return report.DefaultWidth
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return w
}
