package explore

import (
	"fmt"
	"slices"

	"github.com/irqcheck/irqcheck/machine"
	"github.com/irqcheck/irqcheck/syntax"
)

// Trace is a run of the machine: the initial state and each step after it.
type Trace struct {
	Initial machine.State
	Steps   []Step
	// Init is the index of the initial state among the model's initial
	// states, and Choices the transition number of each step in its
	// state's successor order: what a trail file keeps.
	Init    int
	Choices []int32
}

// Step is one transition of a trace: what it was (see
// machine.Program.Describe) and the state after it. How it is drawn is
// the report's.
type Step struct {
	T      machine.Transition
	Column int    // CPU number, or NCPUs + device index
	Actor  string // thread, handler or device name; "" for machine events
	Text   string // what happened, in source terms
	Pos    syntax.Pos
	State  machine.State // the state after the step (nil for a violating step)
	Failed bool          // this step raised the violation
	// Delivered lists the messages a device step delivered at once.
	Delivered []machine.Delivery
	// Stale lists the loads that read behind memory (memory weak).
	Stale []machine.StaleRead
	// Dead lists what the step wrote into locals that are dead after it
	// (State has them reset).
	Dead []machine.DeadWrite
	// Violation names the kind of violation this step raised, or "".
	Violation machine.ViolationKind
}

// rebuild replays the transitions leading to f from the initial state.
func rebuild(p *machine.Program, m *machine.Machine, inits []machine.State, st *store, f *found) *Trace {
	var path []int32 // transition ids from an initial state
	id := f.state
	for {
		parent := st.parent(id)
		if parent < 0 {
			break
		}
		path = append(path, st.tid(id))
		id = parent
	}
	slices.Reverse(path)
	if f.tid >= 0 {
		path = append(path, f.tid)
	}
	tr := Replay(p, m, inits[st.tid(id)], path)
	tr.Init = int(st.tid(id))
	return tr
}

// Replay runs the given transition ids (indices in the successor order of
// each state) from s0 and describes each step.
func Replay(p *machine.Program, m *machine.Machine, s0 machine.State, path []int32) *Trace {
	tr := &Trace{Initial: slices.Clone(s0), Choices: slices.Clone(path)}
	s := slices.Clone(s0)
	for _, want := range path {
		var got *machine.Successor
		var next machine.State
		var t int32 = -1
		m.Successors(s, func(sc *machine.Successor) bool {
			t++
			if t != want {
				return true
			}
			c := *sc
			got = &c
			if sc.Next != nil && sc.Violation == nil {
				next = slices.Clone(sc.Next)
			}
			return false
		})
		if got == nil {
			panic(fmt.Sprintf("internal error: trace replay found no transition %d", want))
		}
		step := Describe(p, s, got, next)
		tr.Steps = append(tr.Steps, step)
		if got.Violation != nil {
			break
		}
		s = next
	}
	return tr
}

// Describe makes one transition from s (to next, nil on a violation) a
// step of a trace.
func Describe(p *machine.Program, s machine.State, sc *machine.Successor, next machine.State) Step {
	t := sc.T
	st := Step{T: t, Column: p.Column(&t), State: next, Failed: sc.Violation != nil, Delivered: slices.Clone(sc.Delivered), Stale: slices.Clone(sc.Stale), Dead: slices.Clone(sc.Dead)}
	st.Actor, st.Text, st.Pos = p.Describe(&t, next)
	if sc.Violation != nil {
		st.Violation = sc.Violation.Kind
	}
	return st
}

// Blame fills in a violation's position when the machine could not: a
// spurious interrupt is blamed on the step that sent it, a vector stuck
// pending on the last step that disabled interrupts on its CPU.
func Blame(p *machine.Program, v *machine.Violation, tr *Trace) {
	if v == nil || tr == nil || v.Pos.IsValid() && v.Kind != machine.Spurious {
		return
	}
	l := p.Layout
	prev := tr.Initial
	var pos syntax.Pos
	for _, st := range tr.Steps {
		if st.State == nil {
			break
		}
		switch v.Kind {
		case machine.Spurious:
			for _, mv := range l.MessagesAdded(prev, st.State) {
				if c, vec := machine.UnpackMsg(mv); c == v.CPU && vec == v.Vector {
					pos = st.Pos
				}
			}
			for _, d := range st.Delivered {
				if d.CPU == v.CPU && d.Vector == v.Vector && !d.Dropped {
					pos = st.Pos
				}
			}
		case machine.Hang:
			if v.CPU >= 0 && prev[l.CPUs[v.CPU].IF] == 1 && st.State[l.CPUs[v.CPU].IF] == 0 && st.Pos.IsValid() {
				pos = st.Pos
			}
		}
		prev = st.State
	}
	if pos.IsValid() {
		v.Pos = pos
	}
}
