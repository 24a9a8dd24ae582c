// Package compile translates a checked model (sema.Program) into a
// machine.Program: a fixed layout of the state vector, and for every
// thread, device and handler a list of instructions whose operands are
// closures over that layout, which read and write variables through the
// machine's memory seam and call its built-ins. The rules themselves are
// the machine's; the explorer never sees the syntax tree again.
package compile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/irqcheck/irqcheck/machine"
	"github.com/irqcheck/irqcheck/sema"
	"github.com/irqcheck/irqcheck/syntax"
)

// MaxStateSlots bounds the size of a state vector: a state is copied for
// every transition, so a model of more slots would only exhaust memory.
const MaxStateSlots = 1 << 16

// layoutBuilder allocates slots.
type layoutBuilder struct {
	l       *machine.Layout
	threads []string // thread names, for [thread] arrays
	// pos is the declaration being laid out; over is set, and overPos
	// recorded, when an allocation would pass MaxStateSlots. The layout
	// is then incomplete and must not be used.
	pos     syntax.Pos
	over    bool
	overPos syntax.Pos
}

// room reports whether n more slots fit, recording the first overflow.
func (b *layoutBuilder) room(n int) bool {
	if b.over {
		return false
	}
	if len(b.l.Slots)+n > MaxStateSlots {
		b.over, b.overPos = true, b.pos
		return false
	}
	return true
}

func (b *layoutBuilder) alloc(n int, info machine.SlotInfo) int32 {
	at := int32(len(b.l.Slots))
	if !b.room(n) {
		return at
	}
	for i := 0; i < n; i++ {
		in := info
		if n > 1 && info.Kind != machine.SlotHidden {
			in.Name = fmt.Sprintf("%s[%d]", info.Name, i)
		}
		b.l.Slots = append(b.l.Slots, in)
	}
	b.l.Size = len(b.l.Slots)
	return at
}

// allocVar lays out a variable of type t, naming each scalar slot.
func (b *layoutBuilder) allocVar(name string, t *sema.Type, hex bool, owner int) int32 {
	at := int32(len(b.l.Slots))
	if !b.room(t.Slots()) {
		return at
	}
	b.allocVar0(name, t, hex, owner)
	b.l.Size = len(b.l.Slots)
	return at
}

func (b *layoutBuilder) allocVar0(name string, t *sema.Type, hex bool, owner int) {
	switch t.Kind {
	case sema.Struct:
		for _, f := range t.Struct.Fields {
			b.allocVar0(name+"."+f.Name, f.Type, hex, owner)
		}
	case sema.Array:
		for i := 0; i < t.Len; i++ {
			b.allocVar0(name+elemLabel(t, i, b.threads), t.Elem, hex, owner)
		}
	default:
		b.l.Slots = append(b.l.Slots, machine.SlotInfo{Name: name, Kind: slotKind(t), Hex: hex, Owner: owner})
	}
}

func slotKind(t *sema.Type) machine.SlotKind {
	switch t.Kind {
	case sema.Bool:
		return machine.SlotBool
	case sema.CPU:
		return machine.SlotCPU
	case sema.Thread:
		return machine.SlotThread
	}
	return machine.SlotInt
}

// vectorUniverse collects the vectors that the given built-ins can name:
// their constant vector arguments. If one is not constant, every small
// integer constant in the model is a candidate. With request_irq alone,
// whose vector sema requires to be constant, it gives exactly the vectors
// that can have a handler; with every vector built-in, those that can be
// pending.
func vectorUniverse(p *sema.Program, ids ...sema.BuiltinID) ([]int, []*syntax.Error) {
	seen := map[int]bool{}
	dynamic := false
	var errs []*syntax.Error
	for _, d := range p.File.Decls {
		syntax.Inspect(d, func(n syntax.Node) bool {
			call, ok := n.(*syntax.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			o := p.Info.Uses[call.Fun]
			if o == nil || o.Kind != sema.ObjBuiltin || !slices.Contains(ids, o.Builtin.ID) {
				return true
			}
			v, ok := p.Info.Consts[call.Args[1]]
			if !ok {
				dynamic = true
				return true
			}
			if v < 0 || v >= machine.NumVectors {
				errs = append(errs, &syntax.Error{Pos: call.Args[1].Pos(), Msg: fmt.Sprintf("vector %d out of range 0..%d", v, machine.NumVectors-1)})
				return true
			}
			seen[int(v)] = true
			return true
		})
	}
	if dynamic {
		for e, v := range p.Info.Consts {
			if t := p.Info.Types[e]; t != nil && t.IsInteger() && v >= 0 && v < machine.NumVectors {
				seen[int(v)] = true
			}
		}
	}
	var out []int
	for v := 0; v < machine.NumVectors; v++ {
		if seen[v] {
			out = append(out, v)
		}
	}
	return out, errs
}

// isHexConst reports whether e is a constant spelled in hex (a literal
// such as 0x10, or a const declared with one).
func isHexConst(p *sema.Program, e syntax.Expr) bool {
	switch e := syntax.Unparen(e).(type) {
	case *syntax.IntLit:
		return strings.HasPrefix(strings.ToLower(e.Raw), "0x")
	case *syntax.Ident:
		o := p.Info.Uses[e]
		return o != nil && o.Kind == sema.ObjConst && o.Hex
	}
	return false
}

// markHexSlots makes traces show in hex the global slots that the model
// fills with hex constants (msg.data = NEW, where const NEW = 0x20).
func (c *compiler) markHexSlots() {
	p := c.sp
	mark := func(slot int32) {
		if int(slot) < len(c.lay.Slots) && c.lay.Slots[slot].Kind == machine.SlotInt {
			c.lay.Slots[slot].Hex = true
		}
	}
	var markInit func(at int32, t *sema.Type, e syntax.Expr)
	markInit = func(at int32, t *sema.Type, e syntax.Expr) {
		lit, ok := e.(*syntax.CompositeLit)
		if !ok {
			if t.IsScalar() && isHexConst(p, e) {
				mark(at)
			}
			return
		}
		switch t.Kind {
		case sema.Struct:
			offs := make([]int32, len(t.Struct.Fields))
			var off int32
			for i, f := range t.Struct.Fields {
				offs[i] = off
				off += int32(f.Type.Slots())
			}
			for _, kv := range lit.Fields {
				if f, i := t.Struct.Field(kv.Key.Name); f != nil {
					markInit(at+offs[i], f.Type, kv.Value)
				}
			}
			for i, el := range lit.Elems {
				if i < len(t.Struct.Fields) {
					markInit(at+offs[i], t.Struct.Fields[i].Type, el)
				}
			}
		case sema.Array:
			n := int32(t.Elem.Slots())
			for i, el := range lit.Elems {
				markInit(at+int32(i)*n, t.Elem, el)
			}
		}
	}
	for _, g := range p.Globals {
		if g.Init != nil {
			markInit(c.globs[g], g.Type, g.Init)
		}
	}
	for _, d := range p.File.Decls {
		syntax.Inspect(d, func(n syntax.Node) bool {
			switch s := n.(type) {
			case *syntax.AssignStmt:
				if s.Op != syntax.ASSIGN {
					return true
				}
				if at, t, ok := c.staticSlot(s.LHS); ok {
					markInit(at, t, s.RHS)
				}
			case *syntax.CallExpr:
				// cmpxchg(x, old, NEW), xchg(x, NEW) store their last argument.
				o := p.Info.Uses[s.Fun]
				if o != nil && o.Kind == sema.ObjBuiltin && len(s.Args) >= 2 {
					switch o.Builtin.ID {
					case sema.BCmpxchg, sema.BXchg, sema.BTryCmpxchg:
						if at, t, ok := c.staticSlot(s.Args[0]); ok {
							markInit(at, t, s.Args[len(s.Args)-1])
						}
					}
				}
			}
			return true
		})
	}
}

// staticSlot resolves a global lvalue with constant indices to its slot.
func (c *compiler) staticSlot(e syntax.Expr) (int32, *sema.Type, bool) {
	p := c.sp
	switch e := e.(type) {
	case *syntax.ParenExpr:
		return c.staticSlot(e.X)
	case *syntax.Ident:
		o := p.Info.Uses[e]
		if o != nil && o.Kind == sema.ObjGlobal {
			return c.globs[o], o.Type, true
		}
	case *syntax.SelectorExpr:
		at, t, ok := c.staticSlot(e.X)
		if !ok || t.Kind != sema.Struct {
			return 0, nil, false
		}
		i, ok := p.Info.Fields[e]
		if !ok {
			return 0, nil, false
		}
		for k := 0; k < i; k++ {
			at += int32(t.Struct.Fields[k].Type.Slots())
		}
		return at, t.Struct.Fields[i].Type, true
	case *syntax.IndexExpr:
		at, t, ok := c.staticSlot(e.X)
		if !ok || t.Kind != sema.Array {
			return 0, nil, false
		}
		v, ok := p.Info.Consts[e.Index]
		if t.Index == sema.Thread {
			v-- // thread values: 0 is none, i+1 is thread i
		}
		if !ok || v < 0 || v >= int64(t.Len) {
			return 0, nil, false
		}
		return at + int32(v)*int32(t.Elem.Slots()), t.Elem, true
	}
	return 0, nil, false
}

// elemLabel names element i of array type t: [3], or [caller] for an
// array indexed by thread.
func elemLabel(t *sema.Type, i int, threads []string) string {
	if t.Index == sema.Thread && i < len(threads) {
		return "[" + threads[i] + "]"
	}
	return fmt.Sprintf("[%d]", i)
}
