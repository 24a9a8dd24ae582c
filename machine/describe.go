package machine

import (
	"fmt"

	"github.com/irqcheck/irqcheck/syntax"
)

// Column is the column a transition belongs to in a trace: its CPU, or
// NCPUs plus the device's index for a device step.
func (p *Program) Column(t *Transition) int {
	if t.Kind == DeviceStep {
		return p.Layout.NCPUs + int(t.Proc)
	}
	return int(t.CPU)
}

// Describe says what transition t is, in the model's own terms: who acts
// ("" for the machine's own events), what it does (the statement as
// written, or the event), and where in the source. next is the state after
// it, which a flush needs for the value it writes.
func (p *Program) Describe(t *Transition, next State) (actor, text string, pos syntax.Pos) {
	l := p.Layout
	switch t.Kind {
	case ThreadStep:
		actor, text, pos = p.Threads[t.Proc].Name, t.Instr.Text, t.Instr.Pos
		if t.Yield && t.Proc2 != t.Proc && t.Proc2 >= 0 {
			text += fmt.Sprintf(" (switch to %s)", p.Threads[t.Proc2].Name)
		}
	case HandlerStep:
		actor, text, pos = p.Handlers[t.Proc].Name, t.Instr.Text, t.Instr.Pos
	case DeviceStep:
		actor, text, pos = p.Devices[t.Proc].Name, t.Instr.Text, t.Instr.Pos
	case Entry:
		text = fmt.Sprintf("irq %#x -> no handler", t.Vector)
		if t.Proc >= 0 {
			text = fmt.Sprintf("irq %#x -> %s", t.Vector, p.Handlers[t.Proc].Name)
		}
	case Arrival:
		text = fmt.Sprintf("arrives: %#x", t.Vector)
	case Drop:
		text = fmt.Sprintf("DROPPED (cpu %d offline): %#x", t.CPU, t.Vector)
	case Switch:
		text = fmt.Sprintf("switch to %s", p.Threads[t.Proc].Name)
	case Flush:
		text = fmt.Sprintf("store buffer: %s = %s reaches memory", l.Name(int(t.Proc)), l.Format(int(t.Proc), next[t.Proc], &p.Names))
	}
	return actor, text, pos
}
