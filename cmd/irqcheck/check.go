package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/irqcheck/irqcheck/catalog"
	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
	"github.com/irqcheck/irqcheck/report"
	"github.com/irqcheck/irqcheck/syntax"
)

// parseArgs parses flags that may come before or after the one positional
// argument (the model).
func parseArgs(fs *flag.FlagSet, args []string) (string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return "", err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	switch len(pos) {
	case 0:
		return "", errors.New("missing model file")
	case 1:
		return pos[0], nil
	}
	return "", fmt.Errorf("expected one model file, got %d: %s", len(pos), strings.Join(pos, " "))
}

// maxModelBytes bounds the size of a model file: a model is source
// text, and /dev/zero is not one.
const maxModelBytes = 16 << 20

// loadError is a reason a model could not be loaded: a positioned error
// of the model, or (Pos not valid) a problem with the file.
type loadError struct {
	Pos syntax.Pos
	Msg string
}

func (e loadError) String() string {
	if e.Pos.IsValid() {
		return e.Pos.String() + ": " + e.Msg
	}
	return "irqcheck: " + e.Msg
}

// compileModel reads and compiles a model. A path of the form
// catalog:NAME names a model embedded in the binary.
func compileModel(path string) (*machine.Program, []loadError) {
	var src []byte
	if strings.HasPrefix(path, "catalog:") {
		m, ok := catalog.Lookup(path)
		if !ok {
			return nil, []loadError{{Msg: fmt.Sprintf("no catalog model %q (irqcheck list shows them)", strings.TrimPrefix(path, "catalog:"))}}
		}
		src = m.Source
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, []loadError{{Msg: err.Error()}}
		}
		src, err = io.ReadAll(io.LimitReader(f, maxModelBytes+1))
		f.Close()
		if err != nil {
			return nil, []loadError{{Msg: err.Error()}}
		}
		if len(src) > maxModelBytes {
			return nil, []loadError{{Msg: fmt.Sprintf("%s: larger than %d MB: not a model", path, maxModelBytes>>20)}}
		}
	}
	p, err := compile.Load(path, src)
	if err != nil {
		var list syntax.ErrorList
		if errors.As(err, &list) {
			out := make([]loadError, len(list))
			for i, e := range list {
				out[i] = loadError{Pos: e.Pos, Msg: e.Msg}
			}
			return nil, out
		}
		return nil, []loadError{{Msg: fmt.Sprintf("%s: %v", path, err)}}
	}
	return p, nil
}

// load reads and compiles a model, printing its errors to stderr, or as
// one JSON object to stdout when asJSON is set.
func load(path string, asJSON bool, stdout, stderr io.Writer) (*machine.Program, bool) {
	p, errs := compileModel(path)
	if errs == nil {
		return p, true
	}
	if asJSON {
		jerrs := make([]report.JSONError, len(errs))
		for i, e := range errs {
			jerrs[i] = report.JSONError{Message: e.Msg}
			if e.Pos.IsValid() {
				jerrs[i] = report.JSONError{File: e.Pos.File, Line: e.Pos.Line, Col: e.Pos.Col, Message: e.Msg}
			}
		}
		if err := report.ErrorsJSON(stdout, path, jerrs); err != nil {
			fmt.Fprintf(stderr, "irqcheck: %v\n", err)
		}
		return nil, false
	}
	for _, e := range errs {
		fmt.Fprintln(stderr, e)
	}
	return nil, false
}

// durationValue accepts Go durations or plain seconds.
type durationValue struct{ d *time.Duration }

func (v durationValue) String() string {
	if v.d == nil {
		return "0"
	}
	return v.d.String()
}

func (v durationValue) Set(s string) error {
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(n) || n <= 0 || n > maxSeconds {
			return fmt.Errorf("bad duration %q: give a positive number of seconds up to %d, or 30s, 5m, 2h", s, int64(maxSeconds))
		}
		*v.d = time.Duration(n * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("bad duration %q (try 30s or 5m)", s)
	}
	if d <= 0 {
		return fmt.Errorf("bad duration %q: it must be positive", s)
	}
	*v.d = d
	return nil
}

// maxSeconds bounds --time: a hundred years.
const maxSeconds = 100 * 365 * 24 * 3600

// sizeValue accepts a byte count with an optional K, M or G suffix.
type sizeValue struct{ n *int64 }

func (v sizeValue) String() string {
	if v.n == nil {
		return "0"
	}
	return strconv.FormatInt(*v.n, 10)
}

func (v sizeValue) Set(s string) error {
	mult := int64(1)
	t := strings.ToUpper(strings.TrimSuffix(strings.TrimSuffix(s, "B"), "b"))
	switch {
	case strings.HasSuffix(t, "K"):
		mult, t = 1<<10, t[:len(t)-1]
	case strings.HasSuffix(t, "M"):
		mult, t = 1<<20, t[:len(t)-1]
	case strings.HasSuffix(t, "G"):
		mult, t = 1<<30, t[:len(t)-1]
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(n) || n <= 0 {
		return fmt.Errorf("bad size %q (try 512M or 4G)", s)
	}
	if b := n * float64(mult); b < 1<<20 || b > 1<<50 {
		return fmt.Errorf("bad size %q: give 1M to 1P (try 512M or 4G)", s)
	}
	*v.n = int64(n * float64(mult))
	return nil
}

// progressPrinter returns a Progress callback that prints a line to w
// at most once a second.
func progressPrinter(w io.Writer) func(explore.Progress) {
	var last time.Duration
	return func(pr explore.Progress) {
		if pr.Liveness {
			fmt.Fprintf(w, "irqcheck: %.0fs: safety search done; liveness check on %s states, %s edges\n",
				pr.Elapsed.Seconds(), count(float64(pr.States)), count(float64(pr.Edges)))
			return
		}
		if last > 0 && pr.Elapsed-last < time.Second {
			return
		}
		last = pr.Elapsed
		rate := 0.0
		if s := pr.Elapsed.Seconds(); s > 0 {
			rate = float64(pr.States) / s
		}
		line := fmt.Sprintf("irqcheck: %.0fs: depth %d, %s states, %s states/s, frontier %s, %.0f MB",
			pr.Elapsed.Seconds(), pr.Depth, count(float64(pr.States)), count(rate), count(float64(pr.Frontier)), float64(pr.Bytes)/(1<<20))
		if pr.Left >= 0 {
			line += fmt.Sprintf(", about %s more states", count(float64(pr.Left)))
		}
		fmt.Fprintln(w, line)
	}
}

// count writes a count the way a progress line shows it: 950, 12.3k, 4.56M.
func count(n float64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.3gG", n/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.3gM", n/1e6)
	case n >= 1e4:
		return fmt.Sprintf("%.3gk", n/1e3)
	}
	return fmt.Sprintf("%.0f", n)
}

// writeTrail writes t to the file path.
func writeTrail(path string, t *explore.Trail) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := t.Write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// flagsFailed ends a command whose flags did not parse: -h or --help
// prints the usage and succeeds, anything else is a usage error (the
// flag package has said what).
//
// With --json among args, the error is also one JSON object on stdout.
func flagsFailed(cmd string, args []string, err error, stdout, stderr io.Writer) int {
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if slices.Contains(args, "--json") || slices.Contains(args, "-json") {
		if jerr := report.ErrorsJSON(stdout, "", []report.JSONError{{Message: "irqcheck " + cmd + ": " + err.Error()}}); jerr != nil {
			fmt.Fprintf(stderr, "irqcheck: %v\n", jerr)
		}
	}
	if !strings.Contains(err.Error(), "flag provided but not defined") && !strings.HasPrefix(err.Error(), "invalid value") {
		fmt.Fprintf(stderr, "irqcheck %s: %v\n", cmd, err)
	}
	fmt.Fprintf(stderr, "irqcheck %s: irqcheck help shows the usage\n", cmd)
	return exitUsage
}

// maxWorkers is the most workers check accepts: 4 per CPU.
func maxWorkers() int { return 4 * runtime.NumCPU() }

// defaultMemory is the memory budget of a run without --mem: half of the
// memory the process may use, so that an exploding model ends as
// "incomplete: mem" rather than in the kernel's OOM killer: half of the
// machine's, or of the cgroup's limit (a container's) if that is less. 0
// (no budget) where neither can be read.
func defaultMemory() int64 {
	meminfo, _ := os.ReadFile(memoryFiles.meminfo)
	cgroup, _ := os.ReadFile(memoryFiles.cgroup)
	return memoryBudget(string(meminfo), string(cgroup))
}

// memoryFiles are where defaultMemory reads the machine's memory and the
// cgroup's limit (a test points the latter at a file of its own).
var memoryFiles = struct{ meminfo, cgroup string }{"/proc/meminfo", "/sys/fs/cgroup/memory.max"}

// memoryBudget is defaultMemory from the contents of /proc/meminfo and of
// a cgroup v2 memory.max ("max" or a number of bytes; empty if absent).
func memoryBudget(meminfo, cgroupMax string) int64 {
	total := int64(0)
	for _, line := range strings.Split(meminfo, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
			if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil && kb > 0 {
				total = kb << 10
			}
		}
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(cgroupMax), 10, 64); err == nil && n > 0 && (total == 0 || n < total) {
		total = n
	}
	return total / 2
}

// interruptOnSignal returns a channel closed at the first SIGINT or
// SIGTERM, so that the run ends as "incomplete: interrupted" with its
// figures; a second signal ends the process as usual. stop undoes it.
func interruptOnSignal() (<-chan struct{}, func()) {
	intr := make(chan struct{})
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			signal.Stop(sigs)
			close(intr)
		case <-done:
		}
	}()
	return intr, func() { signal.Stop(sigs); close(done) }
}

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	jsonOut := fs.Bool("json", false, "print the result as JSON")
	var opt explore.Options
	fs.Int64Var(&opt.MaxStates, "max-states", 0, "stop after N states")
	fs.IntVar(&opt.MaxDepth, "max-depth", 0, "do not explore beyond N steps")
	fs.Var(durationValue{&opt.Time}, "time", "stop after this long")
	fs.Var(sizeValue{&opt.MaxMemory}, "mem", "stop before the process passes this size")
	fs.IntVar(&opt.Workers, "workers", 0, "parallel workers (default: one per CPU)")
	fs.BoolVar(&opt.NoSymmetry, "no-symmetry", false, "explore a symmetric model without symmetry reduction")
	fs.BoolVar(&opt.SafetyOnly, "safety-only", false, "skip the liveness check (livelocks and liveness declarations)")
	fs.BoolVar(&opt.NoPOR, "no-por", false, "explore without the partial-order reduction")
	keepDead := fs.Bool("keep-dead", false, "keep the values of dead locals (to compare: more states)")
	fs.BoolVar(&opt.Witnesses, "witness", false, "print the shortest run to each cover that is reached")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the search to `file`")
	width := fs.Int("width", 0, "lay traces out to N characters (default: the terminal's width, or 80)")
	trail := fs.String("trail", "", "write the counterexample to `file` as a trail (sim --replay draws it again)")
	htmlOut := fs.String("html", "", "also write the result as a self-contained HTML page to `file`")
	progress := fs.Bool("progress", false, "print a progress line on stderr every level, at most once a second (default when stderr is a terminal)")
	path, err := parseArgs(fs, args)
	if err != nil {
		return flagsFailed("check", args, err, stdout, stderr)
	}
	// usageError reports a usage error found after the flags parsed: on
	// stderr, and with --json as a JSON object on stdout too.
	usageError := func(format string, a ...any) int {
		msg := "irqcheck check: " + fmt.Sprintf(format, a...)
		fmt.Fprintln(stderr, msg)
		if *jsonOut {
			if err := report.ErrorsJSON(stdout, path, []report.JSONError{{Message: msg}}); err != nil {
				fmt.Fprintf(stderr, "irqcheck: %v\n", err)
			}
		}
		return exitUsage
	}
	if opt.MaxStates < 0 || opt.MaxDepth < 0 || opt.Workers < 0 {
		return usageError("limits must not be negative")
	}
	if *width == 0 {
		*width = traceWidth(stdout)
	} else if *width < 40 || *width > 1000 {
		return usageError("--width must be 40 to 1000")
	}
	if most := maxWorkers(); opt.Workers > most {
		return usageError("--workers %d: at most %d here (4 per CPU); more only adds overhead", opt.Workers, most)
	}
	p, ok := load(path, *jsonOut, stdout, stderr)
	if !ok {
		return exitUsage
	}
	p.KeepDeadLocals = *keepDead
	if opt.MaxMemory == 0 {
		opt.MaxMemory = defaultMemory()
	}
	if opt.MaxMemory > 0 {
		// --mem bounds the process, as top shows it. The Go runtime is
		// given the whole budget as its limit, so that it collects
		// harder as the heap nears it, and the explorer stops when its
		// storage or the heap passes two thirds of it, which leaves
		// room for garbage not yet collected, free pages not yet given
		// back, the runtime's own and the program's code (three quarters
		// left the process a few MB over a 96 MB budget at times).
		debug.SetMemoryLimit(opt.MaxMemory)
		opt.MaxMemory -= opt.MaxMemory / 3
	}
	var stop func()
	opt.Interrupt, stop = interruptOnSignal()
	defer stop()
	if *progress || isTerminal(stderr) {
		opt.Progress = progressPrinter(stderr)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return usageError("%v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return usageError("cpu profile: %v", err)
		}
	}
	r := explore.Explore(p, opt)
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if r.Violation != nil {
		explore.Blame(p, r.Violation, r.Trace)
	}
	if *trail != "" && r.Trace != nil && len(r.Trace.Steps) > 0 {
		if err := writeTrail(*trail, explore.NewTrail(p, r.Trace, report.VerdictLine(r), r.Loop)); err != nil {
			return usageError("%v", err)
		}
	}
	if *htmlOut != "" {
		if err := report.HTMLFile(*htmlOut, p, r); err != nil {
			return usageError("%v", err)
		}
	}
	if *jsonOut {
		if err := report.JSON(stdout, p, r); err != nil {
			fmt.Fprintf(stderr, "irqcheck: %v\n", err)
			return exitUsage
		}
	} else {
		report.Text(stdout, p, r, *width)
	}
	switch r.Verdict {
	case explore.Violated:
		return exitViolation
	case explore.Incomplete:
		return exitIncomplete
	}
	return exitOK
}
