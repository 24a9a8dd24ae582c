package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/irqcheck/irqcheck/catalog"
	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
)

// cmdDemo checks every embedded catalog model and prints a table.
func cmdDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	cpus3 := fs.Bool("cpus3", false, "also check verified models with 3 CPUs")
	timeout := durationValue{new(time.Duration)}
	*timeout.d = 60 * time.Second
	fs.Var(timeout, "time", "limit per model")
	if err := fs.Parse(args); err != nil {
		return flagsFailed("demo", args, err, stdout, stderr)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "irqcheck demo: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	head := "scenario\tseed\texpected\tverdict\tstates\ttrace\ttime"
	if *cpus3 {
		head += "\t3 cpus: verdict\tstates\ttime"
	}
	fmt.Fprintln(tw, head)
	ok := true
	for _, m := range catalog.All() {
		r, err := checkSource(m.Filename(), m.Source, *timeout.d)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", m.Name, err)
			ok = false
			continue
		}
		got := r.Outcome()
		mark := ""
		if got != m.Expect {
			mark = "  (EXPECTED " + m.Expect + ")"
			ok = false
		}
		trace := "-"
		if r.Trace != nil {
			trace = fmt.Sprint(len(r.Trace.Steps))
		}
		seed, _, _ := strings.Cut(m.Seed, "_")
		line := fmt.Sprintf("%s\t%s\t%s\t%s%s\t%d\t%s\t%.1fms", m.Name, seed, m.Expect, got, mark, r.States, trace, ms(r.Elapsed))
		if *cpus3 {
			if v, _ := m.ExpectVerdict(); v == "verified" && m.CPUs3 {
				src, err := m.WithCPUs(3)
				if err == nil {
					var r3 *explore.Result
					r3, err = checkSource(m.Filename(), src, *timeout.d)
					if err == nil {
						line += fmt.Sprintf("\t%s\t%d\t%.1fms", r3.Outcome(), r3.States, ms(r3.Elapsed))
					}
				}
				if err != nil {
					line += "\t" + err.Error() + "\t\t"
				}
			} else {
				line += "\t-\t\t"
			}
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	if !ok {
		return exitViolation
	}
	return exitOK
}

// checkSource compiles and checks one model within a time limit.
func checkSource(name string, src []byte, limit time.Duration) (*explore.Result, error) {
	p, err := compile.Load(name, src)
	if err != nil {
		return nil, err
	}
	return explore.Explore(p, explore.Options{Time: limit}), nil
}

// noArgs handles the arguments of a command that takes none: -h prints
// the usage, anything else is an error. done says the command is over,
// with exit code code.
func noArgs(cmd string, args []string, stdout, stderr io.Writer) (code int, done bool) {
	if len(args) == 0 {
		return 0, false
	}
	switch args[0] {
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK, true
	}
	fmt.Fprintf(stderr, "irqcheck %s: unexpected argument %q\n", cmd, args[0])
	return exitUsage, true
}

// cmdList prints the embedded catalog.
func cmdList(args []string, stdout, stderr io.Writer) int {
	if code, done := noArgs("list", args, stdout, stderr); done {
		return code
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tseed\texpected\ttitle")
	for _, m := range catalog.All() {
		fmt.Fprintf(tw, "catalog:%s\t%s\t%s\t%s\n", m.Name, m.Seed, m.Expect, m.Title)
	}
	tw.Flush()
	return exitOK
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
