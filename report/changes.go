package report

import (
	"fmt"
	"slices"

	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
)

// Change is one value a step changed, as a report shows it.
type Change struct {
	Name     string
	Old, New string
}

// Changes lists what step i of tr changed that a reader sees: the
// variables, IF and online flags, pending vectors and messages put in
// flight (see Diff), without the locals a returning fn or an ending
// process lets go of, under memory tso and weak the stores a step
// buffered and the buffers it drained, and under weak the loads that read
// behind memory. A violating step changes nothing but may read stale.
func Changes(p *machine.Program, tr *explore.Trace, i int) []Change {
	st := &tr.Steps[i]
	stale := staleReads(p, st.Stale)
	if st.State == nil {
		return stale
	}
	before := tr.Initial
	if i > 0 {
		before = tr.Steps[i-1].State
	}
	after := st.State
	if len(st.Dead) > 0 {
		// Show what the step wrote, not the reset of what nothing reads.
		after = slices.Clone(after)
		for _, d := range st.Dead {
			after[d.Slot] = d.Value
		}
	}
	return append(stale, stepChanges(p, st.T, before, after)...)
}

// staleReads shows the loads of a step that read behind memory (memory
// weak): the reordering a trace under a weak model turns on.
func staleReads(p *machine.Program, rs []machine.StaleRead) []Change {
	var out []Change
	l := p.Layout
	for _, r := range rs {
		i := int(r.Slot)
		out = append(out, Change{Name: l.Name(i), New: fmt.Sprintf("read stale: %s (memory: %s)", l.Format(i, r.Value, &p.Names), l.Format(i, r.Memory, &p.Names))})
	}
	return out
}

func stepChanges(p *machine.Program, t machine.Transition, s, next machine.State) []Change {
	l := p.Layout
	ch := Diff(p, s, next)
	ch = dropScopeExits(p, t, ch, s, next)
	if l.SBSize > 0 && t.Kind != machine.Flush {
		// A barrier, a locked step, IRET or cpu_down drained a buffer.
		for c := range l.CPUs {
			if n := l.BufferLen(s, int32(c)) - bufferKept(l, s, next, int32(c)); n > 0 {
				ch = append(ch, Change{Name: fmt.Sprintf("cpu%d.store buffer", c), New: fmt.Sprintf("drained: %d to memory", n)})
			}
		}
	}
	return ch
}

// dropScopeExits hides the clearing of a fn's locals when it returns:
// a local of a called fn going back to zero is the fn ending, not news;
// nor is a local reset because nothing reads it again (machine/dead.go).
func dropScopeExits(p *machine.Program, t machine.Transition, ch []Change, s, next machine.State) []Change {
	var code machine.Code
	var frame, size, pc int32
	done := false
	l := p.Layout
	switch t.Kind {
	case machine.ThreadStep:
		code, frame, size = p.Threads[t.Proc].Code, l.Threads[t.Proc].Frame, p.Threads[t.Proc].FrameSize
		pc = next[l.Threads[t.Proc].PC]
		done = code[pc].Op == machine.OpEnd
	case machine.DeviceStep:
		code, frame, size = p.Devices[t.Proc].Code, l.Devices[t.Proc].Frame, p.Devices[t.Proc].FrameSize
		pc = next[l.Devices[t.Proc].PC]
		done = code[pc].Op == machine.OpEnd
	case machine.HandlerStep:
		code, frame, size = p.Handlers[t.Proc].Code, l.CPUs[t.CPU].HFrame, int32(l.HFrameSize)
		pc = next[l.CPUs[t.CPU].HPC]
		done = next[l.CPUs[t.CPU].Handler] == 0
	default:
		return ch
	}
	hidden := map[string]bool{}
	if !done {
		for _, at := range p.DeadAt(t, pc) {
			if i := frame + at; next[i] == 0 && s[i] != 0 {
				hidden[l.Name(int(i))] = true
			}
		}
	}
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
	added := l.MessagesAdded(a, b)
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
// drain takes the oldest out); under weak, a's in order, with any taken
// out.
func bufferKept(l *machine.Layout, a, b machine.State, c int32) int {
	na, nb := l.BufferLen(a, c), l.BufferLen(b, c)
	if l.Weak {
		// Any entry may leave: b's first entries are a's in order.
		j := 0
		for k := 0; k < na && j < nb; k++ {
			ai, av := l.BufferEntry(a, c, k)
			bi, bv := l.BufferEntry(b, c, j)
			if ai == bi && av == bv {
				j++
			}
		}
		return j
	}
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

// An alsoCell is text a step shows in another column: where a device's
// message landed.
type alsoCell struct {
	Column int
	Text   string
}

// also lists the cells of step st: an arrival or a drop in the target
// CPU's column for each message a device delivered at once.
func also(st *explore.Step) []alsoCell {
	var out []alsoCell
	for _, d := range st.Delivered {
		text := fmt.Sprintf("arrives: %#x (from %s)", d.Vector, st.Actor)
		if d.Dropped {
			text = fmt.Sprintf("DROPPED (cpu %d offline): %#x (from %s)", d.CPU, d.Vector, st.Actor)
		}
		out = append(out, alsoCell{Column: int(d.CPU), Text: text})
	}
	return out
}
