package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/report"
)

// maxSimSteps bounds sim --steps: every step of the run is kept.
const maxSimSteps = 1_000_000

func cmdSim(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	seed := fs.Uint64("seed", 1, "random seed")
	steps := fs.Int("steps", 1000, "most steps to run")
	jsonOut := fs.Bool("json", false, "print the run as JSON")
	width := fs.Int("width", 0, "lay the trace out to N characters (default: the terminal's width, or 80)")
	path, err := parseArgs(fs, args)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "irqcheck sim: %v\n", err)
		}
		return exitUsage
	}
	if *steps < 0 || *steps > maxSimSteps {
		fmt.Fprintf(stderr, "irqcheck sim: --steps must be 0 to %d (the run's trace is kept whole)\n", maxSimSteps)
		return exitUsage
	}
	if *width == 0 {
		*width = traceWidth(stdout)
	} else if *width < 40 || *width > 1000 {
		fmt.Fprintln(stderr, "irqcheck sim: --width must be 40 to 1000")
		return exitUsage
	}
	p, ok := load(path, stderr)
	if !ok {
		return exitUsage
	}
	r := explore.Simulate(p, *seed, *steps)
	if r.Violation != nil {
		explore.Blame(p, r.Violation, r.Trace)
	}
	if *jsonOut {
		if err := report.JSON(stdout, p, r.Result()); err != nil {
			fmt.Fprintf(stderr, "irqcheck: %v\n", err)
			return exitUsage
		}
	} else {
		fmt.Fprintln(stdout, r.Summary())
		fmt.Fprintln(stdout)
		report.Columns(stdout, p, r.Trace, *width)
	}
	if r.Violation != nil {
		return exitViolation
	}
	return exitOK
}
