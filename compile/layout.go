// Package compile translates a checked model (sema.Program) into a machine
// program: a fixed layout of the state vector, and for every thread,
// device and handler a list of instructions whose operands are closures
// over that layout. The explorer never sees the syntax tree again.
package compile

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/irqcheck/irqcheck/sema"
	"github.com/irqcheck/irqcheck/syntax"
)

// NumVectors is the number of interrupt vectors per CPU (x86: 8 bits).
const NumVectors = 256

// State is a machine state: a flat vector of slots whose meaning is given
// by a Layout. Two states are equal exactly when their slots are equal.
type State []int32

// SlotKind says how a slot's value is displayed.
type SlotKind uint8

// The kinds of slots.
const (
	SlotInt SlotKind = iota
	SlotBool
	SlotCPU
	SlotThread
	SlotHandler // a vector table entry: handler index + 1, or 0
	SlotHidden  // machine bookkeeping not shown as a variable change
)

// SlotInfo names one slot for traces.
type SlotInfo struct {
	Name  string
	Kind  SlotKind
	Hex   bool
	Owner int // for locals: the process that owns it (see Layout.Procs); -1 otherwise
}

// CPUSlots gives the offsets of one CPU's slots.
type CPUSlots struct {
	Online  int32
	IF      int32 // interrupts enabled
	Cur     int32 // current thread index, or -1
	Handler int32 // running handler index + 1, or 0
	HPC     int32 // handler program counter
	HVec    int32 // vector being handled
	HFrame  int32 // first slot of the handler frame
	IRR     int32 // first of Layout.IRRWords slots: pending vectors as a bitmap over Layout.Pending
	VT      int32 // first of len(Vectors) slots: handler index + 1 per vector, or 0
}

// ProcSlots gives the offsets of a thread's or device's slots.
type ProcSlots struct {
	CPU   int32 // bound CPU (threads only; -1 for devices)
	PC    int32
	IF    int32 // threads: the interrupt flag saved while not current (-1 for devices)
	Frame int32 // first slot of its locals
}

// Layout fixes where everything lives in the state vector.
type Layout struct {
	NCPUs    int
	Size     int // number of slots
	CPUs     []CPUSlots
	Threads  []ProcSlots
	Devices  []ProcSlots
	Inflight int32 // first of InflightCap slots, sorted descending, 0 = empty
	// InflightCap is the capacity of the in-flight multiset.
	InflightCap int
	// Vectors lists the vectors that can have a handler, ascending; VT
	// slots follow this order. VectorIndex maps a vector to its position,
	// or -1.
	Vectors     []int
	VectorIndex [NumVectors]int16
	// Pending lists the vectors that can ever be pending, ascending: the
	// IRR of a CPU is a bitmap over them, IRRWords slots long, and
	// PendingIndex maps a vector to its bit, or -1.
	Pending      []int
	PendingIndex [NumVectors]int16
	IRRWords     int
	HFrameSize   int
	Slots        []SlotInfo
	// AnyTarget makes cpu_down move threads to any online CPU rather than
	// the lowest (symmetric models).
	AnyTarget bool
}

// msg packs an in-flight message into a slot value (never 0).
func msg(cpu, vec int32) int32 { return cpu<<8 | vec + 1 }

// UnpackMsg splits an in-flight slot value into cpu and vector.
func UnpackMsg(m int32) (cpu, vec int32) { m--; return m >> 8, m & 0xff }

// IRRBit reports whether vector v is pending on CPU c.
func (l *Layout) IRRBit(s State, c, v int32) bool {
	if v < 0 || v >= NumVectors || l.PendingIndex[v] < 0 {
		return false
	}
	i := int32(l.PendingIndex[v])
	return uint32(s[l.CPUs[c].IRR+i/32])&(1<<(uint(i)%32)) != 0
}

// CanPend reports whether vector v has a bit in the IRR.
func (l *Layout) CanPend(v int32) bool {
	return v >= 0 && v < NumVectors && l.PendingIndex[v] >= 0
}

// SetIRR sets or clears vector v's pending bit on CPU c; a vector that can
// never be pending (see CanPend) is ignored.
func (l *Layout) SetIRR(s State, c, v int32, on bool) {
	if !l.CanPend(v) {
		return
	}
	b := int32(l.PendingIndex[v])
	i := l.CPUs[c].IRR + b/32
	bit := uint32(1) << (uint(b) % 32)
	if on {
		s[i] = int32(uint32(s[i]) | bit)
	} else {
		s[i] = int32(uint32(s[i]) &^ bit)
	}
}

// HighestPending returns the highest pending vector on CPU c, or -1.
func (l *Layout) HighestPending(s State, c int32) int32 {
	base := l.CPUs[c].IRR
	for w := int32(l.IRRWords - 1); w >= 0; w-- {
		x := uint32(s[base+w])
		if x != 0 {
			return int32(l.Pending[w*32+int32(bits.Len32(x))-1])
		}
	}
	return -1
}

// HandlerFor returns the handler index registered for vector v on CPU c, or -1.
func (l *Layout) HandlerFor(s State, c, v int32) int {
	i := l.VectorIndex[v]
	if i < 0 {
		return -1
	}
	return int(s[l.CPUs[c].VT+int32(i)]) - 1
}

// AddMessage puts (c, v) in flight; it reports false when the multiset is full.
func (l *Layout) AddMessage(s State, c, v int32) bool {
	m := msg(c, v)
	base := l.Inflight
	n := int32(l.InflightCap)
	if s[base+n-1] != 0 {
		return false
	}
	// Insert keeping the slots sorted descending, empties (0) last.
	i := base
	for i < base+n && s[i] >= m {
		i++
	}
	copy(s[i+1:base+n], s[i:base+n-1])
	s[i] = m
	return true
}

// RemoveMessageAt takes the message in in-flight position i out of flight.
func (l *Layout) RemoveMessageAt(s State, i int) {
	base := int(l.Inflight)
	n := l.InflightCap
	copy(s[base+i:base+n-1], s[base+i+1:base+n])
	s[base+n-1] = 0
}

// Name returns a printable name for slot i.
func (l *Layout) Name(i int) string { return l.Slots[i].Name }

// Names holds the names that slot values refer to.
type Names struct {
	Threads  []string
	Handlers []string
}

// Format renders the value v of slot i.
func (l *Layout) Format(i int, v int32, names *Names) string {
	return FormatValue(l.Slots[i].Kind, l.Slots[i].Hex, v, names)
}

// FormatValue renders a slot value of the given kind.
func FormatValue(k SlotKind, hex bool, v int32, names *Names) string {
	switch k {
	case SlotHandler:
		if v <= 0 || int(v) > len(names.Handlers) {
			return "none"
		}
		return names.Handlers[v-1]
	case SlotBool:
		if v != 0 {
			return "true"
		}
		return "false"
	case SlotThread: // 0 is none, i+1 is thread i
		if v <= 0 || int(v) > len(names.Threads) {
			return "none"
		}
		return names.Threads[v-1]
	case SlotCPU: // variables store a cpu + 1; 0 is unset
		if v == 0 {
			return "unset"
		}
		return fmt.Sprintf("%d", v-1)
	}
	if hex && v >= 0 {
		return fmt.Sprintf("%#x", v)
	}
	return fmt.Sprintf("%d", v)
}

// MaxStateSlots bounds the size of a state vector: a state is copied for
// every transition, so a model of more slots would only exhaust memory.
const MaxStateSlots = 1 << 16

// layoutBuilder allocates slots.
type layoutBuilder struct {
	l       *Layout
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

func (b *layoutBuilder) alloc(n int, info SlotInfo) int32 {
	at := int32(len(b.l.Slots))
	if !b.room(n) {
		return at
	}
	for i := 0; i < n; i++ {
		in := info
		if n > 1 && info.Kind != SlotHidden {
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
		b.l.Slots = append(b.l.Slots, SlotInfo{Name: name, Kind: slotKind(t), Hex: hex, Owner: owner})
	}
}

func slotKind(t *sema.Type) SlotKind {
	switch t.Kind {
	case sema.Bool:
		return SlotBool
	case sema.CPU:
		return SlotCPU
	case sema.Thread:
		return SlotThread
	}
	return SlotInt
}

// vectorUniverse collects the vectors that the given built-ins can name:
// their constant vector arguments. If one is not constant, every small
// integer constant in the model is a candidate. With request_irq alone it
// gives the vectors that can have a handler; with every vector built-in,
// those that can be pending.
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
			if v < 0 || v >= NumVectors {
				errs = append(errs, &syntax.Error{Pos: call.Args[1].Pos(), Msg: fmt.Sprintf("vector %d out of range 0..%d", v, NumVectors-1)})
				return true
			}
			seen[int(v)] = true
			return true
		})
	}
	if dynamic {
		for e, v := range p.Info.Consts {
			if t := p.Info.Types[e]; t != nil && t.IsInteger() && v >= 0 && v < NumVectors {
				seen[int(v)] = true
			}
		}
	}
	var out []int
	for v := 0; v < NumVectors; v++ {
		if seen[v] {
			out = append(out, v)
		}
	}
	return out, errs
}

// describeVectors renders a vector list for messages.
func describeVectors(vs []int) string {
	var parts []string
	for _, v := range vs {
		parts = append(parts, fmt.Sprintf("%#x", v))
	}
	return strings.Join(parts, ", ")
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
		if int(slot) < len(c.lay.Slots) && c.lay.Slots[slot].Kind == SlotInt {
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
