package compile

import (
	"github.com/irqcheck/irqcheck/machine"
	"github.com/irqcheck/irqcheck/sema"
	"github.com/irqcheck/irqcheck/syntax"
)

// emitter builds the code of one process or sub-program.
type emitter struct {
	c      *compiler
	code   machine.Code
	region int32 // current atomic region, 0 outside atomic code
	loops  []*loopFix
	fns    []*fnFix // fns being inlined, innermost last
	endFix []int32  // returns from the process body
}

type loopFix struct {
	breaks    []int32
	continues []int32
}

type fnFix struct {
	fn     *sema.Fn
	target func(*machine.Ctx, int64) // where a returned value goes; nil to discard
	// private: storing the returned value writes only the caller's
	// locals (see compiler.private).
	private bool
	// dest is what storing the returned value reads and kills of the
	// caller's locals.
	dest  access
	sub   bool // a sub-program: the value goes to machine.Ctx.Ret
	exits []int32
}

func (c *compiler) newRegion() int32 {
	c.regionSeq++
	return c.regionSeq
}

// procCode compiles the body of a process.
func (c *compiler) procCode(pr *sema.Proc, offs map[*sema.Object]int32, fnOff map[*sema.Fn]int32) machine.Code {
	c.proc = pr
	c.localOff = offs
	c.fnOff = fnOff
	c.subs = map[*sema.Fn]machine.Code{}
	e := &emitter{c: c}
	if pr.Kind == sema.ProcInit {
		e.region = c.newRegion()
	}
	e.block(pr.Body)
	end := e.emit(machine.Instr{Op: machine.OpEnd, Pos: pr.Body.Rbrace, Text: "end"})
	e.fix(e.endFix, end)
	breakFreeCycles(e.code)
	return e.code
}

// breakFreeCycles makes a step of one instruction on every cycle made of
// free instructions only (for (;;) { for (;;) { break; } }), which
// settling would otherwise run around for ever: the loop spins one step
// at a time instead, and inside an atomic step the instruction budget
// reports it.
func breakFreeCycles(code machine.Code) {
	const (
		unseen = iota
		onPath
		done
	)
	state := make([]uint8, len(code))
	var path []int32
	for start := range code {
		path = path[:0]
		pc := int32(start)
		for code[pc].Free && state[pc] == unseen {
			state[pc] = onPath
			path = append(path, pc)
			pc = code[pc].Next
		}
		if code[pc].Free && state[pc] == onPath {
			// path[len-1] closes the cycle back to pc: make it a step.
			in := &code[path[len(path)-1]]
			if in.Op == machine.OpClear {
				at, n := in.ClearAt, in.ClearN
				in.Exec = func(x *machine.Ctx) {
					base := x.Frame + at
					clear(x.S[base : base+n])
				}
				for i := range n {
					in.Kills = append(in.Kills, at+i)
				}
			} else {
				in.Exec = func(*machine.Ctx) {}
			}
			in.ReadsKnown = true
			in.Op, in.Free = machine.OpExec, false
			if in.Text == "" {
				in.Text = "loop"
			}
		}
		for _, p := range path {
			state[p] = done
		}
	}
}

// maxInstrs bounds the instructions of a whole program. Fns are inlined,
// so a chain of fns each calling the next twice doubles the code at every
// link; past this bound the model is rejected rather than compiled.
const maxInstrs = 1 << 16

// emit appends an instruction that falls through to the next one.
func (e *emitter) emit(in machine.Instr) int32 {
	at := int32(len(e.code))
	in.Region = e.region
	if in.Op != machine.OpEnd {
		in.Next = at + 1
	}
	e.code = append(e.code, in)
	c := e.c
	c.instrs++
	if c.instrs > maxInstrs && !c.tooBig {
		c.tooBig = true
		pos, what := c.proc.Pos, "init"
		if c.proc.Kind != sema.ProcInit {
			what = map[sema.ProcKind]string{sema.ProcThread: "thread", sema.ProcDevice: "device", sema.ProcHandler: "handler"}[c.proc.Kind] + " " + c.proc.Name
		}
		c.errorf(pos, "%s is too large: with its fns inlined the model has more than %d instructions", what, maxInstrs)
	}
	return at
}

// jump appends a free jump whose target is fixed later.
func (e *emitter) jump() int32 {
	return e.emit(machine.Instr{Op: machine.OpJump, Free: true})
}

func (e *emitter) fix(list []int32, to int32) {
	for _, at := range list {
		e.code[at].Next = to
	}
}

func (e *emitter) here() int32 { return int32(len(e.code)) }

// hasStep reports whether an instruction from..here is a step (not free).
func (e *emitter) hasStep(from int32) bool {
	for _, in := range e.code[from:] {
		if !in.Free {
			return true
		}
	}
	return false
}

func (e *emitter) block(b *syntax.BlockStmt) {
	for _, s := range b.Stmts {
		e.stmt(s)
	}
}

func (e *emitter) stmt(s syntax.Stmt) {
	c := e.c
	info := c.sp.Info
	if c.prog.MovesThreads && c.mayDown(s) {
		from := len(e.code)
		defer func() {
			for i := from; i < len(e.code); i++ {
				e.code[i].MayDown = true
			}
		}()
	}
	text := syntax.StmtHeadline(s)
	switch s := s.(type) {
	case *syntax.BlockStmt:
		e.block(s)
	case *syntax.EmptyStmt:
	case *syntax.DeclStmt:
		d := s.Decl
		obj := info.Defs[d.Name]
		if call, fn := e.fnCall(d.Init); fn != nil {
			e.inline(call, fn, c.storeLocal(obj, d.Init.Pos()), true, c.declaring(access{}, obj))
			return
		}
		if d.Init == nil {
			// A bare declaration only zeroes a local: private state that
			// nothing else reads, so it is no step of its own but the tail
			// of the step before (lean states, as SPIN's local steps).
			e.emit(machine.Instr{Op: machine.OpClear, Free: true, ClearAt: c.localOff[obj], ClearN: int32(obj.Type.Slots()), Pos: s.Pos(), Text: text})
			return
		}
		e.emit(c.declaring(c.reading(access{}, d.Init), obj).set(machine.Instr{Op: machine.OpExec, Exec: c.initLocal(obj, d.Init), Private: c.private(d.Init), Pos: s.Pos(), Text: text}))
	case *syntax.ExprStmt:
		call := syntax.Unparen(s.X).(*syntax.CallExpr)
		if o := info.Uses[call.Fun]; o != nil && o.Kind == sema.ObjBuiltin && o.Builtin.ID == sema.BYield {
			if e.region != 0 {
				c.errorf(s.Pos(), "yield() inside an atomic step (reached through an atomic block or atomic fn)")
			}
			e.emit(machine.Instr{Op: machine.OpYield, Pos: s.Pos(), Text: text})
			return
		}
		if _, fn := e.fnCall(call); fn != nil {
			e.inline(call, fn, nil, true, access{})
			return
		}
		f := c.expr(call)
		e.emit(c.reading(access{}, call).set(machine.Instr{Op: machine.OpExec, Exec: func(x *machine.Ctx) { f(x) }, Pos: s.Pos(), Text: text}))
	case *syntax.AssignStmt:
		if s.Op == syntax.ASSIGN {
			if call, fn := e.fnCall(s.RHS); fn != nil {
				e.inline(call, fn, c.store(s.LHS, s.TokPos), c.private(s.LHS), c.storing(access{}, s.LHS))
				return
			}
		}
		var acc access
		if s.Op == syntax.ASSIGN {
			acc = c.storing(c.reading(access{}, s.RHS), s.LHS)
		} else {
			acc = c.reading(access{}, s.LHS, s.RHS) // x op= y reads x
		}
		e.emit(acc.set(machine.Instr{Op: machine.OpExec, Exec: c.assign(s), Private: c.private(s.LHS, s.RHS), Pos: s.Pos(), Text: text}))
	case *syntax.IncDecStmt:
		e.emit(c.reading(access{}, s.X).set(machine.Instr{Op: machine.OpExec, Exec: c.incDec(s), Private: c.private(s.X), Pos: s.Pos(), Text: text}))
	case *syntax.IfStmt:
		br := e.emit(c.reading(access{}, s.Cond).set(machine.Instr{Op: machine.OpBranch, Cond: c.expr(s.Cond), Private: c.private(s.Cond), Pos: s.Pos(), Text: text}))
		e.stmt(s.Then)
		if s.Else == nil {
			e.code[br].Alt = e.here()
			return
		}
		j := e.jump()
		e.code[br].Alt = e.here()
		e.stmt(s.Else)
		e.fix([]int32{j}, e.here())
	case *syntax.WhileStmt:
		head := e.emit(c.reading(access{}, s.Cond).set(machine.Instr{Op: machine.OpBranch, Cond: c.expr(s.Cond), Private: c.private(s.Cond), Pos: s.Pos(), Text: text}))
		lf := &loopFix{}
		e.loops = append(e.loops, lf)
		e.stmt(s.Body)
		e.loops = e.loops[:len(e.loops)-1]
		j := e.jump()
		e.code[j].Next = head
		e.code[head].Alt = e.here()
		e.fix(lf.breaks, e.here())
		e.fix(lf.continues, head)
	case *syntax.ForStmt:
		if s.Init != nil {
			e.stmt(s.Init)
		}
		head := e.here()
		br := int32(-1)
		loopVar := c.sp.Info.CPULoops[s]
		if s.Cond != nil {
			cond := c.expr
			if loopVar != nil {
				cond = c.cpuLoopCond
			}
			br = e.emit(c.reading(access{}, s.Cond).set(machine.Instr{Op: machine.OpBranch, Cond: cond(s.Cond), Private: loopVar == nil && c.private(s.Cond), Pos: s.Cond.Pos(), Text: "for " + syntax.ExprString(s.Cond)}))
		}
		lf := &loopFix{}
		e.loops = append(e.loops, lf)
		e.stmt(s.Body)
		e.loops = e.loops[:len(e.loops)-1]
		post := e.here()
		switch {
		case loopVar != nil:
			v := s.Post.(*syntax.IncDecStmt).X
			e.emit(c.reading(access{}, v).set(machine.Instr{Op: machine.OpExec, Exec: c.cpuLoopNext(v), Pos: s.Post.Pos(), Text: syntax.StmtHeadline(s.Post)}))
		case s.Post != nil:
			e.stmt(s.Post)
		}
		if !e.hasStep(head) {
			// for (;;) { } or for (;;) { continue; }: nothing in the loop
			// is a step, so that settling would run around it for ever.
			// Make one step that spins.
			e.emit(machine.Instr{Op: machine.OpExec, Exec: func(*machine.Ctx) {}, Private: true, ReadsKnown: true, Pos: s.Pos(), Text: text})
		}
		j := e.jump()
		e.code[j].Next = head
		e.code[j].Pos, e.code[j].Text = s.Pos(), text // if it must become a step (breakFreeCycles)
		if br >= 0 {
			e.code[br].Alt = e.here()
		}
		e.fix(lf.breaks, e.here())
		e.fix(lf.continues, post)
	case *syntax.AwaitStmt:
		e.emit(c.reading(access{}, s.Cond).set(machine.Instr{Op: machine.OpAwait, Cond: c.expr(s.Cond), Private: c.private(s.Cond), Pos: s.Pos(), Text: text}))
	case *syntax.AssertStmt:
		msg := s.Msg
		if msg == "" {
			msg = "assertion " + syntax.ExprString(s.Cond) + " failed"
		}
		e.emit(c.reading(access{}, s.Cond).set(machine.Instr{Op: machine.OpAssert, Cond: c.expr(s.Cond), Msg: msg, Private: c.private(s.Cond), Pos: s.Pos(), Text: text}))
	case *syntax.AtomicStmt:
		saved := e.region
		if e.region == 0 {
			e.region = c.newRegion()
		}
		start := e.here()
		e.block(s.Body)
		// The step starts at the first instruction that is not a bare
		// declaration's free clear, which falls through to the next.
		for start < e.here() && e.code[start].Op == machine.OpClear && e.code[start].Next == start+1 {
			start++
		}
		if e.here() > start && e.code[start].Op != machine.OpJump && e.code[start].Op != machine.OpClear {
			// Label the step with the whole block rather than its first statement.
			e.code[start].Text = text
			e.code[start].Pos = s.Pos()
		}
		e.region = saved
	case *syntax.EitherStmt:
		ch := e.emit(machine.Instr{Op: machine.OpChoice, Private: true, Pos: s.Pos(), Text: text})
		var ends []int32
		for _, b := range s.Branches {
			e.code[ch].Targets = append(e.code[ch].Targets, e.here())
			e.block(b)
			ends = append(ends, e.jump())
		}
		e.fix(ends, e.here())
	case *syntax.ChooseStmt:
		acc := c.storing(c.reading(access{}, s.Lo, s.Hi), s.X)
		e.emit(acc.set(machine.Instr{Op: machine.OpChoose, Lo: c.expr(s.Lo), Hi: c.expr(s.Hi), Store: c.store(s.X, s.Pos()), Private: c.private(s.Lo, s.Hi, s.X), Pos: s.Pos(), Text: text}))
	case *syntax.ReturnStmt:
		if len(e.fns) == 0 {
			if s.Result != nil {
				f := c.expr(s.Result)
				e.emit(c.reading(access{}, s.Result).set(machine.Instr{Op: machine.OpExec, Exec: func(x *machine.Ctx) { f(x) }, Private: c.private(s.Result), Pos: s.Pos(), Text: text}))
			}
			e.endFix = append(e.endFix, e.jump())
			return
		}
		fc := e.fns[len(e.fns)-1]
		if s.Result != nil {
			f := c.expr(s.Result)
			if chk := c.checker(fc.fn.Result, "the result of "+fc.fn.Name, s.Result.Pos()); chk != nil {
				g := f
				f = func(x *machine.Ctx) int64 {
					v := g(x)
					if x.Status == machine.StepOK {
						chk(x, v)
					}
					return v
				}
			}
			var exec func(*machine.Ctx)
			acc := c.reading(access{}, s.Result)
			switch {
			case fc.sub:
				exec = func(x *machine.Ctx) { x.Ret = f(x) }
			case fc.target != nil:
				acc.reads = append(acc.reads, fc.dest.reads...)
				acc.kills = append(acc.kills, fc.dest.kills...)
				acc.unknown = acc.unknown || fc.dest.unknown
				t := fc.target
				exec = func(x *machine.Ctx) {
					v := f(x)
					if x.Status == machine.StepOK {
						t(x, v)
					}
				}
			default:
				exec = func(x *machine.Ctx) { f(x) }
			}
			e.emit(acc.set(machine.Instr{Op: machine.OpExec, Exec: exec, Private: !fc.sub && fc.private && c.private(s.Result), Pos: s.Pos(), Text: text}))
		}
		fc.exits = append(fc.exits, e.jump())
	case *syntax.BranchStmt:
		lf := e.loops[len(e.loops)-1]
		if s.Tok == syntax.BREAK {
			lf.breaks = append(lf.breaks, e.jump())
		} else {
			lf.continues = append(lf.continues, e.jump())
		}
	default:
		c.errorf(s.Pos(), "internal error: cannot compile %T", s)
	}
}

// fnCall reports whether e is a direct call of a user fn.
func (e *emitter) fnCall(x syntax.Expr) (*syntax.CallExpr, *sema.Fn) {
	if x == nil {
		return nil, nil
	}
	call, ok := syntax.Unparen(x).(*syntax.CallExpr)
	if !ok {
		return nil, nil
	}
	if o := e.c.sp.Info.Uses[call.Fun]; o != nil && o.Kind == sema.ObjFn {
		return call, o.Fn
	}
	return nil, nil
}

// inline compiles a statement-level call of fn into the process's code:
// binding the arguments is one step (none without parameters), then the
// body's steps follow; an atomic fn is all one step. The fn's locals are
// cleared when it returns, so that dead values do not split states.
//
// dest is what storing the returned value into target reads and kills of
// the caller's locals.
func (e *emitter) inline(call *syntax.CallExpr, fn *sema.Fn, target func(*machine.Ctx, int64), private bool, dest access) {
	c := e.c
	if c.tooBig {
		return // the model is rejected; do not inline exponentially more
	}
	saved := e.region
	if fn.Atomic && e.region == 0 {
		e.region = c.newRegion()
	}
	if len(fn.Params) > 0 {
		bind := c.bindArgs(call, fn)
		acc := c.reading(access{}, call.Args...)
		for _, p := range fn.Params {
			acc = c.slotsOf(acc, p, true) // every parameter is written in full
		}
		e.emit(acc.set(machine.Instr{Op: machine.OpExec, Exec: bind, Private: c.private(call.Args...), Pos: call.Pos(), Text: syntax.ExprString(call)}))
	} else if fn.Atomic {
		// The step is labelled with the call, not the first statement.
		defer func(start int32) {
			if e.here() > start && !e.code[start].Free {
				e.code[start].Text = syntax.ExprString(call)
				e.code[start].Pos = call.Pos()
			}
		}(e.here())
	}
	fc := &fnFix{fn: fn, target: target, private: private, dest: dest}
	e.fns = append(e.fns, fc)
	e.block(fn.Decl.Body)
	e.fns = e.fns[:len(e.fns)-1]
	if n := c.fnLocalSlots(fn); n > 0 {
		at := e.emit(machine.Instr{Op: machine.OpClear, Free: true, ClearAt: c.fnOff[fn], ClearN: n})
		e.fix(fc.exits, at)
	} else {
		e.fix(fc.exits, e.here())
	}
	e.region = saved
}

func (c *compiler) fnLocalSlots(fn *sema.Fn) int32 {
	var n int32
	for _, o := range fn.Locals {
		n += int32(o.Type.Slots())
	}
	return n
}

// subProgram compiles fn to run to completion inside one step, for calls
// inside expressions.
func (c *compiler) subProgram(fn *sema.Fn) machine.Code {
	if code, ok := c.subs[fn]; ok {
		return code
	}
	c.subs[fn] = nil // guards against recursion (sema forbids it)
	e := &emitter{c: c}
	e.region = c.newRegion()
	fc := &fnFix{fn: fn, sub: true}
	e.fns = append(e.fns, fc)
	e.block(fn.Decl.Body)
	end := e.emit(machine.Instr{Op: machine.OpEnd, Pos: fn.Decl.Body.Rbrace, Text: "end"})
	e.fix(fc.exits, end)
	breakFreeCycles(e.code)
	c.subs[fn] = e.code
	return e.code
}
