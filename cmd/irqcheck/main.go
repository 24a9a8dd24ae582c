// Command irqcheck checks interrupt and IPI delivery protocols written in
// the irqcheck modelling language.
//
// Usage:
//
//	irqcheck check MODEL.irq [--json] [--max-states N] [--max-depth N] [--time D] [--mem SIZE] [--safety-only] [--witness]
//	irqcheck sim MODEL.irq [--seed S] [--steps N] [--json] [--replay TRAIL] [-i]
//	irqcheck demo [--cpus3]
//	irqcheck list
//	irqcheck fmt [-w|-d|-l] FILE...
//	irqcheck version
//
// MODEL.irq may be catalog:NAME, a model embedded in the binary.
//
// Exit codes: 0 verified (or a sim run without violation), 1 violation,
// 2 bad model or usage, 3 incomplete (a limit ended the run).
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit codes.
const (
	exitOK         = 0
	exitViolation  = 1
	exitUsage      = 2
	exitIncomplete = 3
)

const usage = `irqcheck: a model checker for interrupt and IPI delivery protocols

usage:
  irqcheck check MODEL.irq [flags]   explore every interleaving; print verified or the shortest violating trace
  irqcheck sim MODEL.irq [flags]     one random run, drawn as per-CPU columns
  irqcheck demo [--cpus3]            check every embedded catalog model and print a table
  irqcheck list                      list the embedded catalog models (check one with catalog:NAME)
  irqcheck version                   the module version and VCS revision of this build
  irqcheck fmt [-w|-d|-l] FILE...    print models in canonical layout; -w rewrites them, -d diffs, -l lists changed files
  irqcheck help                      this text (also -h or --help after any command)

check flags:
  --json            print the result as one JSON object
  --max-states N    stop after N distinct states (incomplete)
  --max-depth N     do not explore beyond N steps (incomplete)
  --time D          stop after D (for example 30s, 5m; a plain number is seconds)
  --mem SIZE        stop before the process passes SIZE of memory (for example 512M, 4G; default: half the machine's)
  --workers N       parallel workers (default: one per CPU); the answer does not depend on N
  --no-symmetry     explore a "cpus N symmetric" model without symmetry reduction
  --safety-only     skip the liveness check: no livelocks, no liveness declarations
  --no-por          explore without partial-order reduction
  --keep-dead       keep the values of locals that nothing reads again (to compare: more states)
  --witness         print the shortest run to each cover declaration that is reached
  --progress        a progress line on stderr every level, at most once a second (default when stderr is a terminal)
  --width N         lay traces out to N characters (default: the terminal's width, or 80 for a mail)
  --trail FILE      write the counterexample to FILE as a trail (transition choices) for sim --replay
  --html FILE       also write the result as one self-contained HTML page: click a step to see the whole state
  --cpuprofile FILE write a CPU profile of the search to FILE (go tool pprof)

sim flags:
  --seed S          the random seed (default 1); the same seed gives the same run
  --steps N         stop after N steps (default 1000)
  --json            print the run as one JSON object (not with --replay or -i, which draw it)
  --width N         lay the trace out to N characters (default: the terminal's width, or 80)
  --replay FILE     draw the run saved by check --trail FILE; exit 2 if the model changed under it
  -i                choose each step from a numbered list (from the start, or after the trail with --replay)

Ctrl-C or SIGTERM ends a check as incomplete: interrupted, with its figures.

exit codes: 0 verified, 1 violation, 2 bad model or usage, 3 incomplete
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "sim":
		return cmdSim(args[1:], stdout, stderr)
	case "demo":
		return cmdDemo(args[1:], stdout, stderr)
	case "list":
		return cmdList(args[1:], stdout, stderr)
	case "version":
		return cmdVersion(args[1:], stdout, stderr)
	case "fmt":
		return cmdFmt(args[1:], stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "irqcheck: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}
