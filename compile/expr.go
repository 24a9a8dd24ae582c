package compile

import (
	"slices"

	"github.com/irqcheck/irqcheck/machine"
	"github.com/irqcheck/irqcheck/sema"
	"github.com/irqcheck/irqcheck/syntax"
)

// exprFn evaluates an expression. On a run-time error it calls Ctx.Fail
// and returns 0; callers check Ctx.Status before using effects.
type exprFn func(*machine.Ctx) int64

// addrFn computes the absolute slot of an assignable expression.
type addrFn func(*machine.Ctx) int32

func (c *compiler) typeOf(e syntax.Expr) *sema.Type {
	if t := c.sp.Info.Types[e]; t != nil {
		return t
	}
	return sema.TypInvalid
}

// expr compiles an expression to a closure.
func (c *compiler) expr(e syntax.Expr) exprFn {
	if v, ok := c.sp.Info.Consts[e]; ok {
		return func(*machine.Ctx) int64 { return v }
	}
	switch e := e.(type) {
	case *syntax.ParenExpr:
		return c.expr(e.X)
	case *syntax.Ident:
		o := c.sp.Info.Uses[e]
		switch {
		case o == nil:
		case o.Kind == sema.ObjGlobal:
			slot := c.globs[o]
			if o.Type.Kind == sema.CPU {
				dec := c.decodeCPU(o.Name, e.Pos())
				return func(x *machine.Ctx) int64 { return dec(x, x.Load(slot)) }
			}
			return func(x *machine.Ctx) int64 { return int64(x.Load(slot)) }
		case o.Kind == sema.ObjLocal:
			off := c.localOff[o]
			if o.Type.Kind == sema.CPU {
				dec := c.decodeCPU(o.Name, e.Pos())
				return func(x *machine.Ctx) int64 { return dec(x, x.S[x.Frame+off]) }
			}
			return func(x *machine.Ctx) int64 { return int64(x.S[x.Frame+off]) }
		case o.Kind == sema.ObjBuiltin && o.Builtin.ID == sema.BThisCPU:
			return func(x *machine.Ctx) int64 { return int64(x.CPU) }
		case o.Kind == sema.ObjBuiltin && o.Builtin.ID == sema.BThisVector:
			return func(x *machine.Ctx) int64 { return int64(x.Vec) }
		}
	case *syntax.IndexExpr, *syntax.SelectorExpr:
		if c.typeOf(e).Kind != sema.CPU {
			if slot, ok := c.staticAddr(e); ok {
				return func(x *machine.Ctx) int64 { return int64(x.Load(slot)) }
			}
			if ix, ok := e.(*syntax.IndexExpr); ok {
				if base, ok := c.staticAddr(ix.X); ok {
					at := c.index(ix)
					return func(x *machine.Ctx) int64 {
						i, ok := at(x)
						if !ok {
							return 0
						}
						return int64(x.Load(base + i))
					}
				}
			}
		}
		a := c.addr(e)
		if c.typeOf(e).Kind == sema.CPU {
			dec := c.decodeCPU(syntax.ExprString(e), e.Pos())
			return func(x *machine.Ctx) int64 {
				at := a(x)
				if x.Status != machine.StepOK {
					return 0
				}
				return dec(x, x.Load(at))
			}
		}
		return func(x *machine.Ctx) int64 {
			at := a(x)
			if x.Status != machine.StepOK {
				return 0
			}
			return int64(x.Load(at))
		}
	case *syntax.UnaryExpr:
		f := c.expr(e.X)
		switch e.Op {
		case syntax.NOT:
			return func(x *machine.Ctx) int64 { return b2i(f(x) == 0) }
		case syntax.SUB:
			return func(x *machine.Ctx) int64 { return -f(x) }
		case syntax.TILDE:
			return func(x *machine.Ctx) int64 { return ^f(x) }
		case syntax.ADD:
			return f
		}
	case *syntax.BinaryExpr:
		return c.binary(e)
	case *syntax.CondExpr:
		cf, tf, ef := c.expr(e.Cond), c.expr(e.Then), c.expr(e.Else)
		return func(x *machine.Ctx) int64 {
			if cf(x) != 0 {
				return tf(x)
			}
			return ef(x)
		}
	case *syntax.CallExpr:
		return c.call(e)
	}
	c.errorf(e.Pos(), "internal error: cannot compile expression %s", syntax.ExprString(e))
	return func(*machine.Ctx) int64 { return 0 }
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (c *compiler) binary(e *syntax.BinaryExpr) exprFn {
	xf, yf := c.expr(e.X), c.expr(e.Y)
	switch e.Op {
	case syntax.LAND:
		return func(x *machine.Ctx) int64 { return b2i(xf(x) != 0 && yf(x) != 0) }
	case syntax.LOR:
		return func(x *machine.Ctx) int64 { return b2i(xf(x) != 0 || yf(x) != 0) }
	case syntax.EQL:
		return func(x *machine.Ctx) int64 { return b2i(xf(x) == yf(x)) }
	case syntax.NEQ:
		return func(x *machine.Ctx) int64 { return b2i(xf(x) != yf(x)) }
	case syntax.LSS:
		return func(x *machine.Ctx) int64 { return b2i(xf(x) < yf(x)) }
	case syntax.LEQ:
		return func(x *machine.Ctx) int64 { return b2i(xf(x) <= yf(x)) }
	case syntax.GTR:
		return func(x *machine.Ctx) int64 { return b2i(xf(x) > yf(x)) }
	case syntax.GEQ:
		return func(x *machine.Ctx) int64 { return b2i(xf(x) >= yf(x)) }
	case syntax.AND:
		return func(x *machine.Ctx) int64 { return xf(x) & yf(x) }
	case syntax.OR:
		return func(x *machine.Ctx) int64 { return xf(x) | yf(x) }
	case syntax.XOR:
		return func(x *machine.Ctx) int64 { return xf(x) ^ yf(x) }
	}
	op, pos := e.Op, e.OpPos
	return func(x *machine.Ctx) int64 {
		a, b := xf(x), yf(x)
		v, err := sema.Arith(op, a, b)
		if err != "" {
			x.Fail(machine.ErrRuntime, pos, "%s in %d %s %d", err, a, op, b)
			return 0
		}
		return v
	}
}

// addr compiles an assignable expression to its slot. A conditional
// expression over structs is addressable too, for reading only
// (s = c ? a : b).
func (c *compiler) addr(e syntax.Expr) addrFn {
	switch e := syntax.Unparen(e).(type) {
	case *syntax.CondExpr:
		cf, tf, ef := c.expr(e.Cond), c.addr(e.Then), c.addr(e.Else)
		return func(x *machine.Ctx) int32 {
			if cf(x) != 0 {
				return tf(x)
			}
			return ef(x)
		}
	case *syntax.Ident:
		o := c.sp.Info.Uses[e]
		if o != nil && o.Kind == sema.ObjGlobal {
			slot := c.globs[o]
			return func(*machine.Ctx) int32 { return slot }
		}
		if o != nil && o.Kind == sema.ObjLocal {
			off := c.localOff[o]
			return func(x *machine.Ctx) int32 { return x.Frame + off }
		}
	case *syntax.SelectorExpr:
		base := c.addr(e.X)
		st := c.typeOf(e.X).Struct
		var off int32
		for i := 0; i < c.sp.Info.Fields[e]; i++ {
			off += int32(st.Fields[i].Type.Slots())
		}
		return func(x *machine.Ctx) int32 { return base(x) + off }
	case *syntax.IndexExpr:
		at := c.index(e)
		if base, ok := c.staticAddr(e.X); ok {
			return func(x *machine.Ctx) int32 {
				i, _ := at(x)
				return base + i
			}
		}
		base := c.addr(e.X)
		return func(x *machine.Ctx) int32 {
			i, _ := at(x)
			return base(x) + i
		}
	}
	c.errorf(e.Pos(), "internal error: %s is not assignable", syntax.ExprString(e))
	return func(*machine.Ctx) int32 { return 0 }
}

// staticAddr reports the slot of an assignable expression whose slot does
// not depend on the state: a global, a field of one, an element at a
// constant index.
func (c *compiler) staticAddr(e syntax.Expr) (int32, bool) {
	switch e := syntax.Unparen(e).(type) {
	case *syntax.Ident:
		if o := c.sp.Info.Uses[e]; o != nil && o.Kind == sema.ObjGlobal {
			return c.globs[o], true
		}
	case *syntax.SelectorExpr:
		base, ok := c.staticAddr(e.X)
		if !ok {
			return 0, false
		}
		st := c.typeOf(e.X).Struct
		for i := 0; i < c.sp.Info.Fields[e]; i++ {
			base += int32(st.Fields[i].Type.Slots())
		}
		return base, true
	case *syntax.IndexExpr:
		base, ok := c.staticAddr(e.X)
		v, isConst := c.sp.Info.Consts[e.Index]
		at := c.typeOf(e.X)
		if at.Index == sema.Thread {
			v-- // thread values: 0 is none, i+1 is thread i
		}
		if !ok || !isConst || v < 0 || v >= int64(at.Len) {
			return 0, false // out of range: fails at run time
		}
		return base + int32(v)*int32(at.Elem.Slots()), true
	}
	return 0, false
}

// index compiles the index of e to the offset of its element from the
// start of the array; it fails the step (reporting false) when the index
// is out of range.
func (c *compiler) index(e *syntax.IndexExpr) func(*machine.Ctx) (int32, bool) {
	at := c.typeOf(e.X)
	idx := c.expr(e.Index)
	n := int32(at.Elem.Slots())
	length := int64(at.Len)
	pos := e.Index.Pos()
	name := syntax.ExprString(e.X)
	shift := int64(0)
	if at.Index == sema.Thread {
		shift = 1 // thread values: 0 is none, i+1 is thread i
	}
	general := func(x *machine.Ctx) (int32, bool) {
		i := idx(x) - shift
		if i < 0 || i >= length {
			if x.Status != machine.StepOK {
				return 0, false // the index itself failed
			}
			if i == -1 && at.Index == sema.Thread {
				x.Fail(machine.ErrRuntime, pos, "%s indexed by none", name)
			} else {
				x.Fail(machine.ErrRuntime, pos, "index %d out of range 0..%d of %s", i, length-1, name)
			}
			return 0, false
		}
		return int32(i) * n, true
	}
	// The common indices, a local or this_cpu, read their value directly;
	// anything out of range (or an unset cpu) takes the general path,
	// which reports it.
	switch ix := syntax.Unparen(e.Index).(type) {
	case *syntax.Ident:
		o := c.sp.Info.Uses[ix]
		switch {
		case o == nil:
		case o.Kind == sema.ObjLocal:
			off := c.localOff[o]
			bias := int32(shift + cpuBias(o.Type)) // a cpu variable holds cpu+1, 0 when unset
			return func(x *machine.Ctx) (int32, bool) {
				if i := x.S[x.Frame+off] - bias; uint32(i) < uint32(length) {
					return i * n, true
				}
				return general(x)
			}
		case o.Kind == sema.ObjBuiltin && o.Builtin.ID == sema.BThisCPU:
			return func(x *machine.Ctx) (int32, bool) {
				if uint32(x.CPU) < uint32(length) {
					return x.CPU * n, true
				}
				return general(x)
			}
		}
	}
	return general
}

// checker returns a range check for values stored in a location of type
// t, or nil when every value of the type fits.
func (c *compiler) checker(t *sema.Type, what string, pos syntax.Pos) func(*machine.Ctx, int64) bool {
	switch t.Kind {
	case sema.Int:
		lo, hi := t.Lo, t.Hi
		return func(x *machine.Ctx, v int64) bool {
			if v < lo || v > hi {
				x.Fail(machine.ErrRuntime, pos, "value %d out of range %s of %s", v, t, what)
				return false
			}
			return true
		}
	case sema.CPU:
		n := int64(c.sp.NCPUs)
		return func(x *machine.Ctx, v int64) bool {
			if v < 0 || v >= n {
				x.Fail(machine.ErrRuntime, pos, "value %d is not a cpu (storing to %s)", v, what)
				return false
			}
			return true
		}
	case sema.Bool:
		return func(x *machine.Ctx, v int64) bool {
			if v != 0 && v != 1 {
				x.Fail(machine.ErrRuntime, pos, "value %d is not a bool (storing to %s)", v, what)
				return false
			}
			return true
		}
	}
	return nil
}

// cpuBias is added to a cpu value stored in a variable, so that 0, the
// value of a cleared frame or an unset variable, means "no cpu". A
// renaming of CPUs then leaves unset variables alone.
func cpuBias(t *sema.Type) int64 {
	if t.Kind == sema.CPU {
		return 1
	}
	return 0
}

// decodeCPU reads a stored cpu. An unset one reads as cpu 0, except in a
// symmetric model, where no CPU number is a sound default: there it is a
// run-time error.
func (c *compiler) decodeCPU(name string, pos syntax.Pos) func(*machine.Ctx, int32) int64 {
	if c.sp.Symmetric {
		return func(x *machine.Ctx, raw int32) int64 {
			if raw == 0 {
				x.Fail(machine.ErrRuntime, pos, "%s is read before it is set (a cpu has no default value in a symmetric model)", name)
				return 0
			}
			return int64(raw - 1)
		}
	}
	return func(_ *machine.Ctx, raw int32) int64 {
		if raw == 0 {
			return 0
		}
		return int64(raw - 1)
	}
}

// rmwRead returns how a read-modify-write built-in reads the stored value
// of v: a cpu as decodeCPU reads it (unset is cpu 0, or an error in a
// symmetric model), anything else as stored.
func (c *compiler) rmwRead(v syntax.Expr, pos syntax.Pos) func(*machine.Ctx, int32) int64 {
	if c.typeOf(v).Kind == sema.CPU {
		return c.decodeCPU(syntax.ExprString(v), pos)
	}
	return func(_ *machine.Ctx, raw int32) int64 { return int64(raw) }
}

// cpuLoopCond compiles the condition c < NCPUS of a loop over cpus (see
// sema's CPULoops): the variable holds cpu + 1, and NCPUS + 1 once the
// loop has passed the last cpu.
func (c *compiler) cpuLoopCond(e syntax.Expr) exprFn {
	v := syntax.Unparen(e).(*syntax.BinaryExpr).X
	a := c.addr(v)
	read := c.decodeCPU(syntax.ExprString(v), e.Pos())
	n := int64(c.sp.NCPUs)
	return func(x *machine.Ctx) int64 {
		return b2i(read(x, x.Load(a(x))) < n)
	}
}

// cpuLoopNext compiles the c++ of a loop over cpus: the next cpu, or one
// past the last, which only the loop's condition reads.
func (c *compiler) cpuLoopNext(v syntax.Expr) func(*machine.Ctx) {
	a := c.addr(v)
	read := c.decodeCPU(syntax.ExprString(v), v.Pos())
	return func(x *machine.Ctx) {
		at := a(x)
		cur := read(x, x.Load(at))
		if x.Status == machine.StepOK {
			x.Store(at, int32(cur)+2) // cpu + 1, biased by one
		}
	}
}

// store compiles a store of a scalar into lhs, with its range check.
func (c *compiler) store(lhs syntax.Expr, pos syntax.Pos) func(*machine.Ctx, int64) {
	a := c.addr(lhs)
	t := c.typeOf(lhs)
	bias := cpuBias(t)
	chk := c.checker(t, syntax.ExprString(lhs), pos)
	if chk == nil {
		return func(x *machine.Ctx, v int64) {
			at := a(x)
			if x.Status == machine.StepOK {
				x.Store(at, int32(v+bias))
			}
		}
	}
	return func(x *machine.Ctx, v int64) {
		at := a(x)
		if x.Status == machine.StepOK && chk(x, v) {
			x.Store(at, int32(v+bias))
		}
	}
}

// storeLocal compiles a store into a local variable.
func (c *compiler) storeLocal(o *sema.Object, pos syntax.Pos) func(*machine.Ctx, int64) {
	off := c.localOff[o]
	chk := c.checker(o.Type, o.Name, pos)
	bias := cpuBias(o.Type)
	return func(x *machine.Ctx, v int64) {
		if chk == nil || chk(x, v) {
			x.S[x.Frame+off] = int32(v + bias)
		}
	}
}

// initLocal compiles the declaration of a local: its initial value, or zero.
func (c *compiler) initLocal(o *sema.Object, init syntax.Expr) func(*machine.Ctx) {
	off := c.localOff[o]
	n := int32(o.Type.Slots())
	if init == nil { // zero is 0, false, cpu 0 and none
		return func(x *machine.Ctx) {
			clear(x.S[x.Frame+off : x.Frame+off+n])
		}
	}
	if lit, ok := init.(*syntax.CompositeLit); ok {
		w := c.composite(lit, o.Type)
		return func(x *machine.Ctx) { w(x, x.Frame+off) }
	}
	if !o.Type.IsScalar() {
		src := c.addr(init)
		return func(x *machine.Ctx) {
			from := src(x)
			if x.Status == machine.StepOK {
				x.LoadSlice(from, x.S[x.Frame+off:x.Frame+off+n])
			}
		}
	}
	f := c.expr(init)
	st := c.storeLocal(o, init.Pos())
	return func(x *machine.Ctx) {
		v := f(x)
		if x.Status == machine.StepOK {
			st(x, v)
		}
	}
}

// composite compiles a brace initialiser for a value of type t into a
// writer that stores it at a given slot; unnamed parts become zero (none
// for threads). Every part is evaluated before anything is written, so
// that msg = {addr: msg.data, data: msg.addr} reads the old values.
func (c *compiler) composite(lit *syntax.CompositeLit, t *sema.Type) func(*machine.Ctx, int32) {
	fill := c.compositeInto(lit, t)
	n := int32(t.Slots())
	return func(x *machine.Ctx, at int32) {
		base := len(x.Scratch)
		x.Scratch = slices.Grow(x.Scratch, int(n))[:base+int(n)]
		buf := x.Scratch[base : base+int(n)]
		fill(x, buf)
		if x.Status == machine.StepOK {
			x.StoreSlice(at, buf)
		}
		x.Scratch = x.Scratch[:base]
	}
}

// compositeInto compiles a brace initialiser to a filler of a buffer of
// t.Slots() values.
func (c *compiler) compositeInto(lit *syntax.CompositeLit, t *sema.Type) func(*machine.Ctx, []int32) {
	type part struct {
		off int32
		w   func(*machine.Ctx, []int32)
	}
	var parts []part
	elem := func(e syntax.Expr, et *sema.Type, off int32) {
		if sub, ok := e.(*syntax.CompositeLit); ok {
			parts = append(parts, part{off, c.compositeInto(sub, et)})
			return
		}
		if !et.IsScalar() {
			src := c.addr(e)
			m := int32(et.Slots())
			parts = append(parts, part{off, func(x *machine.Ctx, buf []int32) {
				from := src(x)
				if x.Status == machine.StepOK {
					x.LoadSlice(from, buf[:m])
				}
			}})
			return
		}
		f := c.expr(e)
		chk := c.checker(et, "field", e.Pos())
		bias := cpuBias(et)
		parts = append(parts, part{off, func(x *machine.Ctx, buf []int32) {
			v := f(x)
			if x.Status == machine.StepOK && (chk == nil || chk(x, v)) {
				buf[0] = int32(v + bias)
			}
		}})
	}
	switch t.Kind {
	case sema.Struct:
		offs := make([]int32, len(t.Struct.Fields))
		var off int32
		for i, f := range t.Struct.Fields {
			offs[i] = off
			off += int32(f.Type.Slots())
		}
		if lit.Fields != nil {
			for _, kv := range lit.Fields {
				f, i := t.Struct.Field(kv.Key.Name)
				elem(kv.Value, f.Type, offs[i])
			}
		} else {
			for i, e := range lit.Elems {
				elem(e, t.Struct.Fields[i].Type, offs[i])
			}
		}
	case sema.Array:
		m := int32(t.Elem.Slots())
		for i, e := range lit.Elems {
			elem(e, t.Elem, int32(i)*m)
		}
	}
	return func(x *machine.Ctx, buf []int32) {
		clear(buf)
		for _, p := range parts {
			p.w(x, buf[p.off:])
			if x.Status != machine.StepOK {
				return
			}
		}
	}
}

// assign compiles an assignment statement.
func (c *compiler) assign(s *syntax.AssignStmt) func(*machine.Ctx) {
	lt := c.typeOf(s.LHS)
	if s.Op == syntax.ASSIGN {
		if lit, ok := s.RHS.(*syntax.CompositeLit); ok {
			a := c.addr(s.LHS)
			w := c.composite(lit, lt)
			return func(x *machine.Ctx) {
				at := a(x)
				if x.Status == machine.StepOK {
					w(x, at)
				}
			}
		}
		if !lt.IsScalar() {
			dst, src := c.addr(s.LHS), c.addr(s.RHS)
			n := int32(lt.Slots())
			return func(x *machine.Ctx) {
				from := src(x)
				to := dst(x)
				if x.Status == machine.StepOK {
					x.Copy(to, from, n)
				}
			}
		}
		f := c.expr(s.RHS)
		st := c.store(s.LHS, s.TokPos)
		return func(x *machine.Ctx) {
			v := f(x)
			if x.Status == machine.StepOK {
				st(x, v)
			}
		}
	}
	op := map[syntax.Token]syntax.Token{
		syntax.ADDASN: syntax.ADD, syntax.SUBASN: syntax.SUB, syntax.MULASN: syntax.MUL,
		syntax.QUOASN: syntax.QUO, syntax.REMASN: syntax.REM, syntax.ANDASN: syntax.AND,
		syntax.ORASN: syntax.OR, syntax.XORASN: syntax.XOR, syntax.SHLASN: syntax.SHL,
		syntax.SHRASN: syntax.SHR,
	}[s.Op]
	return c.update(s.LHS, op, c.expr(s.RHS), s.TokPos)
}

// update compiles lhs = lhs op y with its checks.
func (c *compiler) update(lhs syntax.Expr, op syntax.Token, y exprFn, pos syntax.Pos) func(*machine.Ctx) {
	a := c.addr(lhs)
	chk := c.checker(c.typeOf(lhs), syntax.ExprString(lhs), pos)
	return func(x *machine.Ctx) {
		at := a(x)
		v := y(x)
		if x.Status != machine.StepOK {
			return
		}
		old := int64(x.Load(at))
		r, err := sema.Arith(op, old, v)
		if err != "" {
			x.Fail(machine.ErrRuntime, pos, "%s in %d %s %d", err, old, op, v)
			return
		}
		if chk == nil || chk(x, r) {
			x.Store(at, int32(r))
		}
	}
}

func (c *compiler) incDec(s *syntax.IncDecStmt) func(*machine.Ctx) {
	op := syntax.ADD
	if s.Op == syntax.DEC {
		op = syntax.SUB
	}
	return c.update(s.X, op, func(*machine.Ctx) int64 { return 1 }, s.TokPos)
}

// bindArgs compiles the binding of a call's arguments to fn's parameters.
// All arguments are evaluated before any parameter is written.
func (c *compiler) bindArgs(call *syntax.CallExpr, fn *sema.Fn) func(*machine.Ctx) {
	type arg struct {
		val  exprFn
		src  addrFn // struct arguments are copied slot by slot
		n    int32
		off  int32
		chk  func(*machine.Ctx, int64) bool
		isSt bool
		bias int64
	}
	args := make([]arg, len(call.Args))
	for i, a := range call.Args {
		p := fn.Params[i]
		args[i] = arg{off: c.localOff[p], n: int32(p.Type.Slots()), bias: cpuBias(p.Type)}
		if p.Type.IsScalar() {
			args[i].val = c.expr(a)
			args[i].chk = c.checker(p.Type, p.Name, a.Pos())
		} else {
			args[i].src = c.addr(a)
			args[i].isSt = true
		}
	}
	return func(x *machine.Ctx) {
		base := len(x.Args)
		for _, a := range args {
			if a.isSt {
				from := a.src(x)
				if x.Status != machine.StepOK {
					break
				}
				for k := int32(0); k < a.n; k++ {
					x.Args = append(x.Args, int64(x.Load(from+k)))
				}
				continue
			}
			v := a.val(x)
			if x.Status != machine.StepOK {
				break
			}
			x.Args = append(x.Args, v)
		}
		if x.Status == machine.StepOK {
			k := base
			for _, a := range args {
				if a.isSt {
					for j := int32(0); j < a.n; j++ {
						x.S[x.Frame+a.off+j] = int32(x.Args[k])
						k++
					}
					continue
				}
				v := x.Args[k]
				k++
				if a.chk != nil && !a.chk(x, v) {
					break
				}
				x.S[x.Frame+a.off] = int32(v + a.bias)
			}
		}
		x.Args = x.Args[:base]
	}
}

// call compiles a call inside an expression.
func (c *compiler) call(e *syntax.CallExpr) exprFn {
	info := c.sp.Info
	if t := info.Calls[e]; t != nil { // conversion
		f := c.expr(e.Args[0])
		if t.Kind == sema.CPU {
			n := int64(c.sp.NCPUs)
			pos := e.Pos()
			return func(x *machine.Ctx) int64 {
				v := f(x)
				if x.Status == machine.StepOK && (v < 0 || v >= n) {
					x.Fail(machine.ErrRuntime, pos, "cpu(%d): not a cpu (this model has cpus 0..%d)", v, n-1)
					return 0 // never a cpu that does not exist, even to a caller that reads on
				}
				return v
			}
		}
		return f
	}
	o := info.Uses[e.Fun]
	if o == nil {
		c.errorf(e.Pos(), "internal error: unresolved call %s", e.Fun.Name)
		return func(*machine.Ctx) int64 { return 0 }
	}
	if o.Kind == sema.ObjFn {
		fn := o.Fn
		bind := c.bindArgs(e, fn)
		code := c.subProgram(fn)
		clearAt, clearN := c.fnOff[fn], c.fnLocalSlots(fn)
		return func(x *machine.Ctx) int64 {
			bind(x)
			if x.Status != machine.StepOK {
				return 0
			}
			x.Run(code)
			base := x.Frame + clearAt
			clear(x.S[base : base+clearN])
			return x.Ret
		}
	}
	return c.builtin(e, o.Builtin)
}

// locked makes f a locked instruction (see machine.Ctx.Lock): the
// read-modify-write built-ins are full barriers, as x86's lock prefix and
// xchg are.
func locked(f exprFn) exprFn {
	return func(x *machine.Ctx) int64 {
		x.Lock()
		r := f(x)
		x.Unlock()
		return r
	}
}

func (c *compiler) builtin(e *syntax.CallExpr, b *sema.Builtin) exprFn {
	args := make([]exprFn, len(e.Args))
	for i, a := range e.Args {
		if b.ID == sema.BRequestIRQ && i == 2 {
			continue // the handler name
		}
		if i < len(b.LValue) && b.LValue[i] {
			continue
		}
		args[i] = c.expr(a)
	}
	pos := e.Pos()
	name := b.Name
	switch b.ID {
	case sema.BSendIPI, sema.BPending, sema.BClearPending, sema.BFreeIRQ:
		op := map[sema.BuiltinID]func(x *machine.Ctx, cpu, v int64, pos syntax.Pos) int64{
			sema.BSendIPI: (*machine.Ctx).SendIPI, sema.BPending: (*machine.Ctx).Pending,
			sema.BClearPending: (*machine.Ctx).ClearPending, sema.BFreeIRQ: (*machine.Ctx).FreeIRQ,
		}[b.ID]
		cf, vf := args[0], args[1]
		return func(x *machine.Ctx) int64 {
			cpu, v := cf(x), vf(x)
			if x.Status != machine.StepOK {
				return 0
			}
			return op(x, cpu, v, pos)
		}
	case sema.BRequestIRQ:
		cf, vf := args[0], args[1]
		h := int32(c.sp.Info.Uses[e.Args[2].(*syntax.Ident)].Index)
		return func(x *machine.Ctx) int64 {
			cpu, v := cf(x), vf(x)
			if x.Status == machine.StepOK {
				x.RequestIRQ(cpu, v, h, pos)
			}
			return 0
		}
	case sema.BIRQDisable, sema.BIRQEnable:
		on := b.ID == sema.BIRQEnable
		return func(x *machine.Ctx) int64 {
			x.SetIF(on)
			return 0
		}
	case sema.BIRQsDisabled:
		return func(x *machine.Ctx) int64 { return b2i(!x.IF()) }
	case sema.BCPUOnline, sema.BCurrent, sema.BCPUDown, sema.BCPUUp:
		op := map[sema.BuiltinID]func(x *machine.Ctx, cpu int64, pos syntax.Pos) int64{
			sema.BCPUOnline: (*machine.Ctx).CPUOnline, sema.BCurrent: (*machine.Ctx).Current,
			sema.BCPUDown: (*machine.Ctx).CPUDown, sema.BCPUUp: (*machine.Ctx).CPUUp,
		}[b.ID]
		cf := args[0]
		return func(x *machine.Ctx) int64 {
			cpu := cf(x)
			if x.Status != machine.StepOK {
				return 0
			}
			return op(x, cpu, pos)
		}
	case sema.BCmpxchg:
		a := c.addr(e.Args[0])
		of, nf := args[1], args[2]
		chk := c.checker(c.typeOf(e.Args[0]), syntax.ExprString(e.Args[0]), pos)
		bias := cpuBias(c.typeOf(e.Args[0]))
		read := c.rmwRead(e.Args[0], pos)
		return locked(func(x *machine.Ctx) int64 {
			at := a(x)
			o, n := of(x), nf(x)
			if x.Status != machine.StepOK {
				return 0
			}
			cur := read(x, x.Load(at))
			if x.Status != machine.StepOK {
				return 0
			}
			if cur == o && (chk == nil || chk(x, n)) {
				x.Store(at, int32(n+bias))
			}
			return cur
		})
	case sema.BTryCmpxchg:
		a, oa := c.addr(e.Args[0]), c.addr(e.Args[1])
		nf := args[2]
		chk := c.checker(c.typeOf(e.Args[0]), syntax.ExprString(e.Args[0]), pos)
		ochk := c.checker(c.typeOf(e.Args[1]), syntax.ExprString(e.Args[1]), pos)
		bias := int32(cpuBias(c.typeOf(e.Args[0]))) // both sides are the same type
		read, oread := c.rmwRead(e.Args[0], pos), c.rmwRead(e.Args[1], pos)
		return locked(func(x *machine.Ctx) int64 {
			at, oat := a(x), oa(x)
			n := nf(x)
			if x.Status != machine.StepOK {
				return 0
			}
			cur, old := read(x, x.Load(at)), oread(x, x.Load(oat))
			if x.Status != machine.StepOK {
				return 0
			}
			if cur == old {
				if chk == nil || chk(x, n) {
					x.Store(at, int32(n)+bias)
				}
				return 1
			}
			if ochk == nil || ochk(x, cur) {
				x.Store(oat, int32(cur)+bias)
			}
			return 0
		})
	case sema.BXchg:
		a := c.addr(e.Args[0])
		nf := args[1]
		chk := c.checker(c.typeOf(e.Args[0]), syntax.ExprString(e.Args[0]), pos)
		bias := cpuBias(c.typeOf(e.Args[0]))
		read := c.rmwRead(e.Args[0], pos)
		return locked(func(x *machine.Ctx) int64 {
			at := a(x)
			n := nf(x)
			if x.Status != machine.StepOK {
				return 0
			}
			cur := read(x, x.Load(at))
			if x.Status != machine.StepOK {
				return 0
			}
			if chk == nil || chk(x, n) {
				x.Store(at, int32(n+bias))
			}
			return cur
		})
	case sema.BFetchOr, sema.BFetchAnd, sema.BFetchXor, sema.BFetchAdd, sema.BFetchSub:
		op := map[sema.BuiltinID]syntax.Token{
			sema.BFetchOr: syntax.OR, sema.BFetchAnd: syntax.AND, sema.BFetchXor: syntax.XOR,
			sema.BFetchAdd: syntax.ADD, sema.BFetchSub: syntax.SUB,
		}[b.ID]
		a := c.addr(e.Args[0])
		vf := args[1]
		chk := c.checker(c.typeOf(e.Args[0]), syntax.ExprString(e.Args[0]), pos)
		return locked(func(x *machine.Ctx) int64 {
			at := a(x)
			v := vf(x)
			if x.Status != machine.StepOK {
				return 0
			}
			cur := int64(x.Load(at))
			r, err := sema.Arith(op, cur, v)
			if err != "" {
				x.Fail(machine.ErrRuntime, pos, "%s: %s", name, err)
				return 0
			}
			if chk == nil || chk(x, r) {
				x.Store(at, int32(r))
			}
			return cur
		})
	case sema.BSmpMB, sema.BSmpWMB, sema.BSmpRMB:
		k := map[sema.BuiltinID]machine.FenceKind{sema.BSmpMB: machine.FenceFull, sema.BSmpWMB: machine.FenceStore, sema.BSmpRMB: machine.FenceLoad}[b.ID]
		return func(x *machine.Ctx) int64 {
			x.Fence(k)
			return 0
		}
	case sema.BStoreRelease, sema.BWriteOnce:
		st := c.store(e.Args[0], pos)
		vf := c.expr(e.Args[1])
		release := b.ID == sema.BStoreRelease
		return func(x *machine.Ctx) int64 {
			v := vf(x)
			if x.Status != machine.StepOK {
				return 0
			}
			if release {
				x.Fence(machine.FenceRelease)
			}
			st(x, v)
			return 0
		}
	case sema.BLoadAcquire:
		f := c.expr(e.Args[0])
		return func(x *machine.Ctx) int64 {
			v := f(x)
			x.Fence(machine.FenceAcquire)
			return v
		}
	case sema.BReadOnce:
		return c.expr(e.Args[0])
	case sema.BYield:
		return func(x *machine.Ctx) int64 { x.Yielded = true; return 0 }
	}
	c.errorf(pos, "internal error: built-in %s not compiled", name)
	return func(*machine.Ctx) int64 { return 0 }
}
