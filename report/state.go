package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
)

// StateRow is one part of a machine state as people read it: the HTML
// viewer's state panel shows these rows, and the JSON report lists them
// for the initial state and after each step.
type StateRow struct {
	// Group is the part of the machine the row belongs to: "globals",
	// "cpu N", "threads", "devices" or "in flight".
	Group string `json:"group"`
	// Name is unique within a state and spelled as the trace's changes
	// spell it: msg.addr, cpu1.IF, cpu1.pending, cpu1.vector[0x20].
	Name  string `json:"name"`
	Value string `json:"value"`
}

// StateRows lists the whole machine state s as rows, in a fixed order:
// the global variables; for each CPU its online flag, IF, current thread,
// running handler (with its vector and next statement), pending vectors,
// store buffer (memory tso and weak) and, under weak, the older values
// its loads may still read; vector table (the handler of each vector)
// and the running handler's locals; each thread's CPU and next statement, then its locals; each
// device's next statement and locals; and the messages in flight. Every
// state of one program has the same rows (names) in the same order, so
// two states compare row by row (see ChangedRows). Machine bookkeeping
// (program counters, saved flags) is shown only through the statements
// it points at.
func StateRows(p *machine.Program, s machine.State) []StateRow {
	l := p.Layout
	names := &p.Names
	var rows []StateRow
	add := func(group, name, value string) {
		rows = append(rows, StateRow{Group: group, Name: name, Value: value})
	}
	// slotsIn adds the visible slots in [from, to): variables and locals.
	slotsIn := func(group string, from, to int) {
		for i := from; i < to && i < len(s); i++ {
			if l.Slots[i].Kind == machine.SlotHidden {
				continue
			}
			add(group, l.Name(i), l.Format(i, s[i], names))
		}
	}

	// Globals come first in the layout, before the first CPU's slots.
	if len(l.CPUs) > 0 {
		slotsIn("globals", 0, int(l.CPUs[0].Online))
	}

	for c, cs := range l.CPUs {
		g := fmt.Sprintf("cpu %d", c)
		pre := fmt.Sprintf("cpu%d.", c)
		add(g, pre+"online", boolText(s[cs.Online] != 0))
		add(g, pre+"IF", boolText(s[cs.IF] != 0))
		cur := "none"
		if t := s[cs.Cur]; t >= 0 && int(t) < len(p.Threads) {
			cur = p.Threads[t].Name
		}
		add(g, pre+"current", cur)
		hv := "none"
		if h := s[cs.Handler]; h > 0 && int(h) <= len(p.Handlers) {
			hv = fmt.Sprintf("%s (vector %#x), next: %s", p.Handlers[h-1].Name, s[cs.HVec], nextText(p.Handlers[h-1].Code, s[cs.HPC]))
		}
		add(g, pre+"handler", hv)
		var pend []string
		for _, v := range l.Pending {
			if l.IRRBit(s, int32(c), int32(v)) {
				pend = append(pend, fmt.Sprintf("%#x", v))
			}
		}
		add(g, pre+"pending", listText(pend))
		if l.SBSize > 0 {
			// memory tso and weak: the buffered stores, oldest first.
			var buf []string
			for k := range l.BufferLen(s, int32(c)) {
				i, v := l.BufferEntry(s, int32(c), k)
				buf = append(buf, l.Name(int(i))+" = "+l.Format(int(i), v, names))
			}
			add(g, pre+"store buffer", listText(buf))
		}
		if l.Weak && s[cs.Online] != 0 {
			// memory weak: what its loads may read behind memory.
			var behind []string
			for _, r := range l.Behind(s, int32(c)) {
				behind = append(behind, l.Name(int(r.Slot))+" = "+l.Format(int(r.Slot), r.Value, names))
			}
			add(g, pre+"may read behind", listText(behind))
		}
		slotsIn(g, int(cs.VT), int(cs.VT)+len(l.Vectors))
		slotsIn(g, int(cs.HFrame), int(cs.HFrame)+l.HFrameSize)
	}

	for t, ps := range l.Threads {
		pr := p.Threads[t]
		code := pr.Code
		v := "finished"
		if pc := s[ps.PC]; code[pc].Op != machine.OpEnd {
			v = fmt.Sprintf("on cpu %d, next: %s", s[ps.CPU], nextText(code, pc))
		}
		add("threads", pr.Name, v)
		slotsIn("threads", int(ps.Frame), int(ps.Frame)+int(pr.FrameSize))
	}
	for d, ps := range l.Devices {
		pr := p.Devices[d]
		code := pr.Code
		v := "finished"
		if pc := s[ps.PC]; code[pc].Op != machine.OpEnd {
			v = "next: " + nextText(code, pc)
		}
		add("devices", pr.Name, v)
		slotsIn("devices", int(ps.Frame), int(ps.Frame)+int(pr.FrameSize))
	}

	type msg struct{ cpu, vec int32 }
	var msgs []msg
	for i := 0; i < l.InflightCap; i++ {
		if m := s[int(l.Inflight)+i]; m != 0 {
			c, v := machine.UnpackMsg(m)
			msgs = append(msgs, msg{c, v})
		}
	}
	slices.SortFunc(msgs, func(a, b msg) int { return cmp.Or(cmp.Compare(a.cpu, b.cpu), cmp.Compare(a.vec, b.vec)) })
	var fl []string
	for _, m := range msgs {
		fl = append(fl, fmt.Sprintf("(cpu %d, %#x)", m.cpu, m.vec))
	}
	add("in flight", "in flight", listText(fl))
	return rows
}

// ChangedRows reports, row by row, which values of cur differ from
// prev: rows of two states of one program (see StateRows). With no
// prev, nothing changed.
func ChangedRows(prev, cur []StateRow) []bool {
	out := make([]bool, len(cur))
	if prev == nil {
		return out
	}
	was := make(map[string]string, len(prev))
	for _, r := range prev {
		was[r.Group+"\x00"+r.Name] = r.Value
	}
	for i, r := range cur {
		v, ok := was[r.Group+"\x00"+r.Name]
		out[i] = !ok || v != r.Value
	}
	return out
}

// nextText is the statement a process at pc runs next, with its line:
// free instructions (jumps, scope exits), which run as the tail of
// the step before, are looked through.
func nextText(code machine.Code, pc int32) string {
	for n := 0; pc >= 0 && int(pc) < len(code) && code[pc].Free && n < len(code); n++ {
		pc = code[pc].Next
	}
	if pc < 0 || int(pc) >= len(code) {
		return "?"
	}
	in := code[pc]
	if in.Op == machine.OpEnd {
		return fmt.Sprintf("return (line %d)", in.Pos.Line)
	}
	text := in.Text
	if text == "" {
		text = "?"
	}
	if in.Pos.IsValid() {
		return fmt.Sprintf("%s (line %d)", text, in.Pos.Line)
	}
	return text
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func listText(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

// traceRows is the states of a trace as rows: the initial state, the
// state after each step (nil for a step that raised a violation) and
// which of its rows changed in that step. A trace with no states (a
// violation found before any state existed, such as an init that
// fails) has none of these.
type traceRows struct {
	Initial []StateRow
	After   [][]StateRow
	Changed [][]bool
}

func traceStates(p *machine.Program, tr *explore.Trace) traceRows {
	var ts traceRows
	if len(tr.Initial) != p.Layout.Size {
		ts.After = make([][]StateRow, len(tr.Steps))
		ts.Changed = make([][]bool, len(tr.Steps))
		return ts
	}
	ts.Initial = StateRows(p, tr.Initial)
	prev := ts.Initial
	for _, st := range tr.Steps {
		var rows []StateRow
		var changed []bool
		if st.State != nil {
			rows = StateRows(p, st.State)
			changed = ChangedRows(prev, rows)
			prev = rows
		}
		ts.After = append(ts.After, rows)
		ts.Changed = append(ts.Changed, changed)
	}
	return ts
}
