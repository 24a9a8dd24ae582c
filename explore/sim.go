package explore

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/irqcheck/irqcheck/machine"
)

// SimResult is one random run.
type SimResult struct {
	Seed      uint64
	Trace     *Trace
	Violation *machine.Violation
	Terminal  bool // the run reached a state with no successors
	Steps     int
	Limit     int
	Elapsed   time.Duration
}

// Simulate makes one random run of at most steps steps: at each state one
// enabled transition is drawn uniformly with a PCG generator seeded by
// seed, so the same seed gives the same run. It stops at a violation, a
// terminal state or the step limit.
func Simulate(p *machine.Program, seed uint64, steps int) *SimResult {
	start := time.Now()
	rng := rand.New(rand.NewPCG(seed, 0x1dc4))
	res := &SimResult{Seed: seed, Limit: steps}
	inits, v := InitialStates(p)
	if v != nil {
		res.Violation = v
		res.Trace = &Trace{}
		return res
	}
	r, err := NewRun(p, rng.IntN(len(inits)))
	if err != nil {
		panic("internal error: " + err.Error())
	}
	for res.Steps < steps && r.Violation == nil && !r.Terminal {
		n := len(r.Choices())
		if err := r.Take(int32(rng.IntN(n))); err != nil {
			panic("internal error: " + err.Error())
		}
		res.Steps++
	}
	res.Trace, res.Violation, res.Terminal = r.Trace, r.Violation, r.Terminal
	res.Elapsed = time.Since(start)
	return res
}

// Summary is the first line of a simulation report.
func (r *SimResult) Summary() string {
	switch {
	case r.Violation != nil:
		v := r.Violation
		return fmt.Sprintf("sim (seed %d): violation: %s at %s: %s (after %d steps)", r.Seed, v.Kind, v.Pos, v.Msg, r.Steps)
	case r.Terminal:
		return fmt.Sprintf("sim (seed %d): every process finished after %d steps", r.Seed, r.Steps)
	}
	return fmt.Sprintf("sim (seed %d): stopped after %d steps (the --steps limit)", r.Seed, r.Steps)
}

// Result presents the run as a check result, for the JSON report.
func (r *SimResult) Result() *Result {
	res := &Result{Violation: r.Violation, Trace: r.Trace, Depth: r.Steps, Elapsed: r.Elapsed, States: int64(r.Steps + 1), Transitions: int64(r.Steps), Loop: -1}
	switch {
	case r.Violation != nil:
		res.Verdict = Violated
	case r.Terminal:
		res.Verdict = Ended // one run proves nothing: never "verified"
	default:
		res.Verdict = Stopped
		res.Limit = "steps"
	}
	return res
}
