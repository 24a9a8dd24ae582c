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

// Step is one transition of a trace, described for people.
type Step struct {
	T       machine.Transition
	Column  int    // CPU number, or NCPUs + device index
	Actor   string // thread, handler or device name; "" for machine events
	Text    string // what happened, in source terms
	Pos     syntax.Pos
	Changes []Change
	State   machine.State // the state after the step (nil for a violating step)
	Failed  bool          // this step raised the violation
	// Also holds text for other columns: where a device's message landed.
	Also []Cell
	// Delivered lists the messages a device step delivered at once.
	Delivered []machine.Delivery
	// Violation names the kind of violation this step raised, or "".
	Violation machine.ViolationKind
}

// Cell is text shown in another column of a step's row.
type Cell struct {
	Column int
	Text   string
}

// Change is one value a step changed.
type Change struct {
	Name     string
	Old, New string
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

// Describe renders one transition from s (to next, nil on a violation).
func Describe(p *machine.Program, s machine.State, sc *machine.Successor, next machine.State) Step {
	l := p.Layout
	t := sc.T
	st := Step{T: t, Column: int(t.CPU), State: next, Failed: sc.Violation != nil}
	switch t.Kind {
	case machine.ThreadStep:
		st.Actor = p.Threads[t.Proc].Name
		st.Text = t.Instr.Text
		st.Pos = t.Instr.Pos
		if t.Yield && t.Proc2 != t.Proc && t.Proc2 >= 0 {
			st.Text += fmt.Sprintf(" (switch to %s)", p.Threads[t.Proc2].Name)
		}
	case machine.HandlerStep:
		st.Actor = p.Handlers[t.Proc].Name
		st.Text = t.Instr.Text
		st.Pos = t.Instr.Pos
	case machine.DeviceStep:
		st.Column = l.NCPUs + int(t.Proc)
		st.Actor = p.Devices[t.Proc].Name
		st.Text = t.Instr.Text
		st.Pos = t.Instr.Pos
	case machine.Entry:
		if t.Proc >= 0 {
			st.Text = fmt.Sprintf("irq %#x -> %s", t.Vector, p.Handlers[t.Proc].Name)
		} else {
			st.Text = fmt.Sprintf("irq %#x -> no handler", t.Vector)
		}
	case machine.Arrival:
		st.Text = fmt.Sprintf("arrives: %#x", t.Vector)
	case machine.Drop:
		st.Text = fmt.Sprintf("DROPPED (cpu %d offline): %#x", t.CPU, t.Vector)
	case machine.Switch:
		st.Text = fmt.Sprintf("switch to %s", p.Threads[t.Proc].Name)
	case machine.Flush:
		st.Text = fmt.Sprintf("store buffer: %s = %s reaches memory", l.Name(int(t.Proc)), l.Format(int(t.Proc), next[t.Proc], &p.Names))
	}
	st.Delivered = slices.Clone(sc.Delivered)
	for _, d := range sc.Delivered {
		text := fmt.Sprintf("arrives: %#x (from %s)", d.Vector, st.Actor)
		if d.Dropped {
			text = fmt.Sprintf("DROPPED (cpu %d offline): %#x (from %s)", d.CPU, d.Vector, st.Actor)
		}
		st.Also = append(st.Also, Cell{Column: int(d.CPU), Text: text})
	}
	if sc.Violation != nil {
		st.Violation = sc.Violation.Kind
	}
	if next != nil {
		st.Changes = Diff(p, s, next)
		st.Changes = dropScopeExits(p, t, st.Changes, s, next)
		if l.SBSize > 0 && t.Kind != machine.Flush {
			// A barrier, a locked step, IRET or cpu_down drained a buffer.
			for c := range l.CPUs {
				if n := l.BufferLen(s, int32(c)) - bufferKept(l, s, next, int32(c)); n > 0 {
					st.Changes = append(st.Changes, Change{Name: fmt.Sprintf("cpu%d.store buffer", c), New: fmt.Sprintf("drained: %d to memory", n)})
				}
			}
		}
	}
	return st
}

// dropScopeExits hides the clearing of a fn's locals when it returns:
// a local of a called fn going back to zero is the fn ending, not news.
func dropScopeExits(p *machine.Program, t machine.Transition, ch []Change, s, next machine.State) []Change {
	var code machine.Code
	var frame, size int32
	done := false
	l := p.Layout
	switch t.Kind {
	case machine.ThreadStep:
		code, frame, size = p.Threads[t.Proc].Code, l.Threads[t.Proc].Frame, p.Threads[t.Proc].FrameSize
		done = code[next[l.Threads[t.Proc].PC]].Op == machine.OpEnd
	case machine.DeviceStep:
		code, frame, size = p.Devices[t.Proc].Code, l.Devices[t.Proc].Frame, p.Devices[t.Proc].FrameSize
		done = code[next[l.Devices[t.Proc].PC]].Op == machine.OpEnd
	case machine.HandlerStep:
		code, frame, size = p.Handlers[t.Proc].Code, l.CPUs[t.CPU].HFrame, int32(l.HFrameSize)
		done = next[l.CPUs[t.CPU].Handler] == 0
	default:
		return ch
	}
	hidden := map[string]bool{}
	if done {
		for i := frame; i < frame+size; i++ {
			if next[i] == 0 && s[i] != 0 {
				hidden[l.Name(int(i))] = true
			}
		}
	}
	for _, in := range code {
		if in.Op != machine.OpClear {
			continue
		}
		for i := frame + in.ClearAt; i < frame+in.ClearAt+in.ClearN; i++ {
			if next[i] == 0 && s[i] != 0 {
				hidden[l.Name(int(i))] = true
			}
		}
	}
	out := ch[:0]
	for _, c := range ch {
		if !hidden[c.Name] {
			out = append(out, c)
		}
	}
	return out
}

// Diff lists the visible values that differ between two states: variables,
// IF and online flags, pending vectors and messages put in flight.
func Diff(p *machine.Program, a, b machine.State) []Change {
	l := p.Layout
	var out []Change
	for i := range a {
		if a[i] == b[i] || l.Slots[i].Kind == machine.SlotHidden {
			continue
		}
		out = append(out, Change{Name: l.Name(i), Old: l.Format(i, a[i], &p.Names), New: l.Format(i, b[i], &p.Names)})
	}
	for c := range l.CPUs {
		out = append(out, pendingDiff(l, a, b, int32(c))...)
	}
	added := inflightAdded(l, a, b)
	for _, mv := range added {
		c, v := machine.UnpackMsg(mv)
		out = append(out, Change{Name: "in flight", Old: "", New: fmt.Sprintf("+(cpu %d, %#x)", c, v)})
	}
	for c := range l.CPUs {
		out = append(out, bufferDiff(p, a, b, int32(c))...)
	}
	return out
}

// bufferKept returns how many of the stores in CPU c's buffer in a are
// still there in b: a's last ones, which are b's first (a flush or a
// drain takes the oldest out).
func bufferKept(l *machine.Layout, a, b machine.State, c int32) int {
	na, nb := l.BufferLen(a, c), l.BufferLen(b, c)
	for k := min(na, nb); k > 0; k-- {
		same := true
		for j := 0; j < k && same; j++ {
			si, sv := l.BufferEntry(a, c, na-k+j)
			bi, bv := l.BufferEntry(b, c, j)
			same = si == bi && sv == bv
		}
		if same {
			return k
		}
	}
	return 0
}

// bufferDiff lists the stores a step put in CPU c's store buffer (memory
// tso): the entries of b past those of a that remain. A flush takes the
// oldest entry out, so b's first entries are a's later ones.
func bufferDiff(p *machine.Program, a, b machine.State, c int32) []Change {
	l := p.Layout
	if l.SBSize == 0 {
		return nil
	}
	nb := l.BufferLen(b, c)
	kept := bufferKept(l, a, b, c)
	var out []Change
	for j := kept; j < nb; j++ {
		i, v := l.BufferEntry(b, c, j)
		out = append(out, Change{Name: fmt.Sprintf("cpu%d.store buffer", c), New: fmt.Sprintf("+(%s = %s)", l.Name(int(i)), l.Format(int(i), v, &p.Names))})
	}
	return out
}

func pendingDiff(l *machine.Layout, a, b machine.State, c int32) []Change {
	var out []Change
	base := l.CPUs[c].IRR
	if slices.Equal(a[base:base+int32(l.IRRWords)], b[base:base+int32(l.IRRWords)]) {
		return nil
	}
	for _, v := range l.Pending {
		was, is := l.IRRBit(a, c, int32(v)), l.IRRBit(b, c, int32(v))
		switch {
		case !was && is:
			out = append(out, Change{Name: fmt.Sprintf("cpu%d.pending", c), New: fmt.Sprintf("+%#x", v)})
		case was && !is:
			out = append(out, Change{Name: fmt.Sprintf("cpu%d.pending", c), New: fmt.Sprintf("-%#x", v)})
		}
	}
	return out
}

// inflightAdded lists the messages in b's multiset beyond a's.
func inflightAdded(l *machine.Layout, a, b machine.State) []int32 {
	count := map[int32]int{}
	base := int(l.Inflight)
	for i := 0; i < l.InflightCap; i++ {
		if a[base+i] != 0 {
			count[a[base+i]]++
		}
	}
	var out []int32
	for i := 0; i < l.InflightCap; i++ {
		mv := b[base+i]
		if mv == 0 {
			continue
		}
		if count[mv] > 0 {
			count[mv]--
			continue
		}
		out = append(out, mv)
	}
	return out
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
			for _, mv := range inflightAdded(l, prev, st.State) {
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
