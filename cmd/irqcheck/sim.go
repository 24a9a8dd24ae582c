package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
	"github.com/irqcheck/irqcheck/report"
)

// maxSimSteps bounds sim --steps: every step of the run is kept.
const maxSimSteps = 100_000

// stdin is what sim -i reads the user's choices from (tests replace it).
var stdin io.Reader = os.Stdin

func cmdSim(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	seed := fs.Uint64("seed", 1, "random seed")
	steps := fs.Int("steps", 1000, "most steps to run")
	jsonOut := fs.Bool("json", false, "print the run as JSON")
	width := fs.Int("width", 0, "lay the trace out to N characters (default: the terminal's width, or 80)")
	replay := fs.String("replay", "", "draw the run saved in a trail `file` (check --trail) instead of a random one")
	interactive := fs.Bool("i", false, "choose each step from a numbered list (after the trail, with --replay)")
	path, err := parseArgs(fs, args)
	if err != nil {
		return flagsFailed("sim", args, err, stdout, stderr)
	}
	if *steps < 0 || *steps > maxSimSteps {
		fmt.Fprintf(stderr, "irqcheck sim: --steps must be 0 to %d (the run's trace is kept whole)\n", maxSimSteps)
		return exitUsage
	}
	if *jsonOut && (*replay != "" || *interactive) {
		// check --json gives a counterexample as JSON; a replay or a
		// run chosen step by step is drawn for people.
		fmt.Fprintln(stderr, "irqcheck sim: --json does not go with --replay or -i, which draw the run as columns (check --json gives a counterexample as JSON)")
		return exitUsage
	}
	if *width == 0 {
		*width = traceWidth(stdout)
	} else if *width < 40 || *width > 1000 {
		fmt.Fprintln(stderr, "irqcheck sim: --width must be 40 to 1000")
		return exitUsage
	}
	p, ok := load(path, *jsonOut, stdout, stderr)
	if !ok {
		return exitUsage
	}
	if *replay != "" || *interactive {
		return simRun(p, *replay, *interactive, *width, stdout, stderr)
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

// simRun replays a trail, or lets the user choose each step, or both: the
// trail first. It draws the run and exits 1 if it broke a property (or
// replays a trail whose verdict is a violation), 2 if the trail does not
// fit the model.
func simRun(p *machine.Program, trailPath string, interactive bool, width int, stdout, stderr io.Writer) int {
	loop := -1
	verdict := ""
	var r *explore.Run
	if trailPath != "" {
		f, err := os.Open(trailPath)
		if err != nil {
			fmt.Fprintf(stderr, "irqcheck sim: %v\n", err)
			return exitUsage
		}
		t, err := explore.ReadTrail(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "irqcheck sim: %s: %v\n", trailPath, err)
			return exitUsage
		}
		r, err = t.Replay(p)
		if err != nil {
			fmt.Fprintf(stderr, "irqcheck sim: %s: %v\n", trailPath, err)
			return exitUsage
		}
		loop, verdict = t.Loop, t.Verdict
	} else {
		var err error
		if r, err = explore.NewRun(p, 0); err != nil {
			fmt.Fprintf(stderr, "irqcheck sim: %v\n", err)
			return exitUsage
		}
	}
	if interactive {
		loop = -1 // the user takes the run elsewhere
		choose(p, r, stdout)
	}
	if r.Violation != nil {
		explore.Blame(p, r.Violation, r.Trace)
		v := r.Violation
		verdict = fmt.Sprintf("violation: %s at %s: %s", v.Kind, v.Pos, v.Msg)
	}
	switch {
	case trailPath != "" && !interactive:
		fmt.Fprintf(stdout, "replay of %s (%d steps): %s\n\n", trailPath, len(r.Trace.Steps), verdict)
	case verdict != "":
		fmt.Fprintf(stdout, "%s (after %d steps)\n\n", verdict, len(r.Trace.Steps))
	default:
		fmt.Fprintf(stdout, "the run so far (%d steps)\n\n", len(r.Trace.Steps))
	}
	report.Lasso(stdout, p, r.Trace, loop, width)
	if strings.HasPrefix(verdict, "violation") {
		return exitViolation
	}
	return exitOK
}

// choose lets the user pick the run's next step from a numbered list,
// read from stdin, until the run ends, breaks a property, or the user
// types q (or the input ends).
func choose(p *machine.Program, r *explore.Run, stdout io.Writer) {
	in := bufio.NewScanner(stdin)
	for {
		if r.Violation != nil || r.Terminal {
			return
		}
		fmt.Fprintf(stdout, "step %d: the enabled transitions are\n", len(r.Trace.Steps)+1)
		choices := r.Choices()
		for k, st := range choices {
			fmt.Fprintf(stdout, "  %2d  %s\n", k, explore.StepText(p, st))
		}
		fmt.Fprint(stdout, "choose a number, or q to stop: ")
		if !in.Scan() {
			fmt.Fprintln(stdout)
			return
		}
		answer := strings.TrimSpace(in.Text())
		if answer == "q" {
			return
		}
		k, err := strconv.Atoi(answer)
		if err != nil || k < 0 || k >= len(choices) {
			fmt.Fprintf(stdout, "%q is not one of 0 to %d\n", answer, len(choices)-1)
			continue
		}
		if err := r.Take(int32(k)); err != nil {
			fmt.Fprintln(stdout, err)
			continue
		}
		for _, line := range report.StepLines(p, r.Trace, len(r.Trace.Steps)-1, 76) {
			fmt.Fprintln(stdout, "    "+line)
		}
	}
}
