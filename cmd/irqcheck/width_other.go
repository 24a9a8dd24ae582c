//go:build !linux

package main

import "os"

// terminalWidth returns 0: the terminal's width is read on Linux only,
// elsewhere traces take $COLUMNS or the default width.
func terminalWidth(*os.File) int { return 0 }
