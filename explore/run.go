package explore

import (
	"fmt"
	"slices"

	"github.com/irqcheck/irqcheck/machine"
)

// Run is one run of the machine, built a step at a time: by a random
// simulation, by a user choosing each step, or by a replayed trail.
type Run struct {
	p     *machine.Program
	m     *machine.Machine
	Trace *Trace
	State machine.State // the state after the last step
	// Violation is what the run broke, if it did: a step that failed, a
	// state that breaks an invariant, or a terminal state that is a hang
	// or breaks a final condition. The run cannot go on then.
	Violation *machine.Violation
	Terminal  bool // no transition is enabled in State
}

// InitialStates returns the initial states of p, or the violation init
// raised.
func InitialStates(p *machine.Program) ([]machine.State, *machine.Violation) {
	return machine.New(p).InitialStates()
}

// NewRun starts a run from initial state i of p.
func NewRun(p *machine.Program, i int) (*Run, error) {
	r := &Run{p: p, m: machine.New(p)}
	inits, v := r.m.InitialStates()
	if v != nil {
		r.Violation = v
		r.Trace = &Trace{}
		return r, nil
	}
	if i < 0 || i >= len(inits) {
		return nil, fmt.Errorf("the model has %d initial states, not %d", len(inits), i+1)
	}
	r.State = slices.Clone(inits[i])
	r.Trace = &Trace{Initial: slices.Clone(r.State), Init: i}
	r.Violation = r.m.CheckInvariants(r.State)
	r.settle()
	return r, nil
}

// settle classifies the current state: terminal, and a violation if it
// is a terminal one.
func (r *Run) settle() {
	if r.Violation != nil {
		return
	}
	n, _ := r.m.Successors(r.State, func(*machine.Successor) bool { return true })
	r.Terminal = n == 0
	if r.Terminal {
		r.Violation = r.m.Terminal(r.State)
	}
}

// Choices describes the transitions enabled in the current state, in
// their order (transition k is Choices()[k]); none once the run broke a
// property.
func (r *Run) Choices() []Step {
	if r.Violation != nil {
		return nil
	}
	var out []Step
	r.m.Successors(r.State, func(sc *machine.Successor) bool {
		var next machine.State
		if sc.Violation == nil {
			next = slices.Clone(sc.Next)
		}
		out = append(out, Describe(r.p, r.State, sc, next))
		return true
	})
	return out
}

// Take takes transition k of the current state.
func (r *Run) Take(k int32) error {
	if r.Violation != nil {
		return fmt.Errorf("the run already broke a property: %v", r.Violation)
	}
	var got *machine.Successor
	var t int32 = -1
	r.m.Successors(r.State, func(sc *machine.Successor) bool {
		t++
		if t != k {
			return true
		}
		c := *sc
		if sc.Violation == nil {
			c.Next = slices.Clone(sc.Next)
		}
		got = &c
		return false
	})
	if got == nil {
		return fmt.Errorf("no transition %d: %d are enabled", k, t+1)
	}
	next := got.Next
	if got.Violation != nil {
		next = nil
	}
	st := Describe(r.p, r.State, got, next)
	r.Trace.Steps = append(r.Trace.Steps, st)
	r.Trace.Choices = append(r.Trace.Choices, k)
	if got.Violation != nil {
		r.Violation = got.Violation
		return nil
	}
	r.State = got.Next
	r.Violation = r.m.CheckInvariants(r.State)
	r.settle()
	return nil
}

// StepText is how a trail names a step, to check on replay that the
// model still takes it: the column, who acts, and what.
func StepText(p *machine.Program, st Step) string {
	col := "device"
	if st.Column < p.Layout.NCPUs {
		col = fmt.Sprintf("cpu %d", st.Column)
	}
	if st.Actor != "" {
		return fmt.Sprintf("%s: %s: %s", col, st.Actor, st.Text)
	}
	return col + ": " + st.Text
}
