package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// cmdVersion prints the module version, the VCS revision and time of the
// build, and the Go version, from the build information.
func cmdVersion(args []string, stdout, stderr io.Writer) int {
	if code, done := noArgs("version", args, stdout, stderr); done {
		return code
	}
	fmt.Fprintln(stdout, versionLine())
	return exitOK
}

// versionLine is the one line irqcheck version prints.
func versionLine() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "irqcheck (no build information) " + runtime.Version()
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	line := "irqcheck " + version
	var rev, when, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+modified"
			}
		}
	}
	if rev != "" {
		line += fmt.Sprintf(" (%.12s%s, %s)", rev, dirty, when)
	}
	return line + " " + runtime.Version()
}
