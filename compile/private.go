package compile

import (
	"github.com/irqcheck/irqcheck/sema"
	"github.com/irqcheck/irqcheck/syntax"
)

// private reports whether evaluating every one of es reads nothing but
// the running process's own locals and constants: no global that some
// code writes, no machine state (the IRR, the vector table, hotplug;
// this_cpu only where it cannot change) and no call of a built-in or a
// fn. An instruction made of such expressions is private
// (machine.Instr.Private): the partial-order reduction may take its step
// alone. Whatever this does not know is not private.
func (c *compiler) private(es ...syntax.Expr) bool {
	for _, e := range es {
		if !c.privateExpr(e) {
			return false
		}
	}
	return true
}

func (c *compiler) privateExpr(e syntax.Expr) bool {
	switch e := e.(type) {
	case nil:
		return true
	case *syntax.IntLit, *syntax.BoolLit, *syntax.NoneLit:
		return true
	case *syntax.Ident:
		o := c.sp.Info.Uses[e]
		if o == nil {
			return false
		}
		switch o.Kind {
		case sema.ObjLocal, sema.ObjConst, sema.ObjThread, sema.ObjHandler, sema.ObjDevice:
			return true
		case sema.ObjGlobal:
			// A global that no code writes keeps the value its
			// declaration and init gave it. (Under a weak memory model
			// a load also tells the history which CPUs have seen a
			// write: not private there.)
			return !c.written[o] && !c.lay.Weak
		case sema.ObjBuiltin:
			// NCPUS is a constant; this_vector is the vector the running
			// handler was entered for, which only its own entry sets.
			// this_cpu is the CPU a handler runs on till it returns, and
			// a thread's CPU unless cpu_down moves it.
			switch o.Builtin.ID {
			case sema.BNCPUs, sema.BThisVector:
				return true
			case sema.BThisCPU:
				return c.proc != nil && (c.proc.Kind == sema.ProcHandler || c.proc.Kind == sema.ProcThread && !c.prog.MovesThreads)
			}
		}
		return false
	case *syntax.UnaryExpr:
		return c.privateExpr(e.X)
	case *syntax.BinaryExpr:
		return c.privateExpr(e.X) && c.privateExpr(e.Y)
	case *syntax.CondExpr:
		return c.privateExpr(e.Cond) && c.privateExpr(e.Then) && c.privateExpr(e.Else)
	case *syntax.ParenExpr:
		return c.privateExpr(e.X)
	case *syntax.IndexExpr:
		return c.privateExpr(e.X) && c.privateExpr(e.Index)
	case *syntax.SelectorExpr:
		return c.privateExpr(e.X)
	case *syntax.CallExpr:
		if c.sp.Info.Uses[e.Fun] != nil {
			return false // a fn or a built-in
		}
		// A conversion, int(x) or cpu(x).
		return (e.Fun.Name == "int" || e.Fun.Name == "cpu") && c.private(e.Args...)
	case *syntax.CompositeLit:
		if !c.private(e.Elems...) {
			return false
		}
		for _, f := range e.Fields {
			if !c.privateExpr(f.Value) {
				return false
			}
		}
		return true
	}
	return false
}

// downFns returns the fns that may call cpu_down, themselves or through
// the fns they call.
func downFns(p *sema.Program) map[*sema.Fn]bool {
	direct := map[*sema.Fn]bool{}
	calls := map[*sema.Fn][]*sema.Fn{}
	for _, fn := range p.Fns {
		syntax.Inspect(fn.Decl, func(n syntax.Node) bool {
			if call, ok := n.(*syntax.CallExpr); ok {
				switch o := p.Info.Uses[call.Fun]; {
				case o == nil:
				case o.Kind == sema.ObjBuiltin && o.Builtin.ID == sema.BCPUDown:
					direct[fn] = true
				case o.Kind == sema.ObjFn:
					calls[fn] = append(calls[fn], o.Fn)
				}
			}
			return true
		})
	}
	for changed := true; changed; {
		changed = false
		for _, fn := range p.Fns {
			for _, g := range calls[fn] {
				if direct[g] && !direct[fn] {
					direct[fn], changed = true, true
				}
			}
		}
	}
	return direct
}

// mayDown reports whether running s may call cpu_down.
func (c *compiler) mayDown(s syntax.Node) bool { return callsDown(c.sp, c.downFns, s) }

// callsDown reports whether n calls cpu_down, itself or through one of
// downs, the fns that may (see downFns).
func callsDown(p *sema.Program, downs map[*sema.Fn]bool, n syntax.Node) bool {
	found := false
	syntax.Inspect(n, func(n syntax.Node) bool {
		if call, ok := n.(*syntax.CallExpr); ok {
			switch o := p.Info.Uses[call.Fun]; {
			case o == nil:
			case o.Kind == sema.ObjBuiltin && o.Builtin.ID == sema.BCPUDown, o.Kind == sema.ObjFn && downs[o.Fn]:
				found = true
			}
		}
		return !found
	})
	return found
}

// scanWrites finds the globals some thread, handler, device or fn may
// write (the target of an assignment, ++, --, choose, or an atomic or
// WRITE_ONCE). Every other global keeps the value its declaration and
// init gave it, so reading it is private. Every fn counts, whoever calls
// it.
func scanWrites(p *sema.Program) map[*sema.Object]bool {
	written := map[*sema.Object]bool{}
	target := func(e syntax.Expr) {
		if id := storeTarget(e); id != nil {
			if o := p.Info.Uses[id]; o != nil && o.Kind == sema.ObjGlobal {
				written[o] = true
			}
		}
	}
	scan := func(body syntax.Node) {
		syntax.Inspect(body, func(n syntax.Node) bool {
			switch n := n.(type) {
			case *syntax.AssignStmt:
				target(n.LHS)
			case *syntax.IncDecStmt:
				target(n.X)
			case *syntax.ChooseStmt:
				target(n.X)
			case *syntax.CallExpr:
				o := p.Info.Uses[n.Fun]
				if o == nil || o.Kind != sema.ObjBuiltin {
					break
				}
				for i, lv := range o.Builtin.LValue {
					if lv && !o.Builtin.Pure && i < len(n.Args) {
						target(n.Args[i])
					}
				}
			}
			return true
		})
	}
	for _, procs := range [][]*sema.Proc{p.Threads, p.Handlers, p.Devices} {
		for _, pr := range procs {
			scan(pr.Body)
		}
	}
	for _, fn := range p.Fns {
		scan(fn.Decl)
	}
	return written
}

// movesThreads reports whether some thread, handler, device or fn calls
// cpu_down, which moves threads between CPUs, and whether init does (then
// threads start the search on other CPUs than they name). downs are the
// fns that may (see downFns).
func movesThreads(p *sema.Program, downs map[*sema.Fn]bool) (search, init bool) {
	search = len(downs) > 0
	for _, procs := range [][]*sema.Proc{p.Threads, p.Handlers, p.Devices} {
		for _, pr := range procs {
			search = search || callsDown(p, downs, pr.Body)
		}
	}
	return search, p.Init != nil && callsDown(p, downs, p.Init.Body)
}
