package compile

import (
	"github.com/irqcheck/irqcheck/machine"
	"github.com/irqcheck/irqcheck/sema"
	"github.com/irqcheck/irqcheck/syntax"
)

// What an instruction reads and writes of its process's locals
// (machine.Instr.Reads, Kills), from which the machine finds the locals
// that are dead at each pc and resets them (machine/dead.go). Reads must
// include every local an instruction may read; Kills only locals it
// always writes in full. A local the compiler cannot place makes the
// instruction read every local.

// access is what one instruction reads and kills of the frame.
type access struct {
	reads, kills []int32
	unknown      bool // some local has no slot here: assume it reads all
}

// set records a on in.
func (a access) set(in machine.Instr) machine.Instr {
	if a.unknown {
		return in
	}
	in.Reads, in.Kills, in.ReadsKnown = a.reads, a.kills, true
	return in
}

// reading adds to a the slots of every local that evaluating es may read.
func (c *compiler) reading(a access, es ...syntax.Expr) access {
	for _, e := range es {
		if e == nil {
			continue
		}
		syntax.Inspect(e, func(n syntax.Node) bool {
			id, ok := n.(*syntax.Ident)
			if !ok {
				return true
			}
			if o := c.sp.Info.Uses[id]; o != nil && o.Kind == sema.ObjLocal {
				a = c.slotsOf(a, o, false)
			}
			return true
		})
	}
	return a
}

// slotsOf adds local o's slots to a's reads, or to its kills.
func (c *compiler) slotsOf(a access, o *sema.Object, kill bool) access {
	off, ok := c.localOff[o]
	if !ok {
		a.unknown = true
		return a
	}
	for i := range int32(o.Type.Slots()) {
		if kill {
			a.kills = append(a.kills, off+i)
		} else {
			a.reads = append(a.reads, off+i)
		}
	}
	return a
}

// scalarLocal returns the local that lhs names directly, if it is a
// scalar: a store to it writes it in full.
func (c *compiler) scalarLocal(lhs syntax.Expr) *sema.Object {
	id, ok := syntax.Unparen(lhs).(*syntax.Ident)
	if !ok {
		return nil
	}
	if o := c.sp.Info.Uses[id]; o != nil && o.Kind == sema.ObjLocal && o.Type.IsScalar() {
		return o
	}
	return nil
}

// declaring adds to a the kill of local o by its declaration's initial
// value, if it is a scalar (a struct's initializer may leave fields).
func (c *compiler) declaring(a access, o *sema.Object) access {
	if o.Type.IsScalar() {
		return c.slotsOf(a, o, true)
	}
	return a
}

// storing adds to a what a plain store of a value into lhs reads and
// kills: a scalar local named directly is killed; anything else (an
// element, a field, a global) reads the locals its address names.
func (c *compiler) storing(a access, lhs syntax.Expr) access {
	if o := c.scalarLocal(lhs); o != nil {
		return c.slotsOf(a, o, true)
	}
	return c.reading(a, lhs)
}
