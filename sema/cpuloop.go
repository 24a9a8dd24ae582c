package sema

import "github.com/irqcheck/irqcheck/syntax"

// orderFree checks a loop over cpus by number, for (cpu c = 0; c < NCPUS;
// c++), outside init in a symmetric model. The loop visits the cpus in the
// order of their numbers, which a symmetric model may not tell apart, so it
// is allowed only where that order cannot matter:
//
//   - the whole loop is one step (inside atomic { } or an atomic fn), so no
//     other process sees it half done;
//   - its variable is declared by the loop;
//   - a turn writes only its own cpu's elements, a[c] of arrays indexed by
//     cpu, and the locals it declares, and shared ones only under memory sc
//     (a store buffer would keep the writes in the order of the cpus);
//   - it reads an array the loop writes only at [c], so no turn sees
//     another's writes;
//   - it has no other effect: no fn call, no built-in that changes the
//     state, no break out of it and no return.
//
// Then every order of the turns gives the same state, as the kernel's
// for_each_cpu() loops that clear a flag per cpu do.
func (c *checker) orderFree(s *syntax.ForStmt, v *Object) {
	const why = "in a symmetric model a loop over cpus by number"
	if c.atomic == 0 {
		c.errorf(s.ForPos, "%s must be one step, inside atomic { } or an atomic fn: in steps of its own it would visit the cpus in the order of their numbers", why)
		return
	}
	if d, ok := s.Init.(*syntax.DeclStmt); !ok || c.prog.Info.Defs[d.Decl.Name] != v || d.Decl.Init == nil {
		c.errorf(s.ForPos, "%s must declare its variable and start at 0: for (cpu %s = 0; %s < NCPUS; %s++)", why, v.Name, v.Name, v.Name)
		return
	} else if x, ok := c.prog.Info.Consts[d.Decl.Init]; !ok || x != 0 {
		c.errorf(d.Decl.Init.Pos(), "%s must start at 0, so that it visits every cpu: for (cpu %s = 0; %s < NCPUS; %s++)", why, v.Name, v.Name, v.Name)
		return
	}
	l := &loopTurn{c: c, v: v, own: map[*Object]bool{}, written: map[*Object]bool{}, ok: true}
	syntax.Inspect(s.Body, func(n syntax.Node) bool {
		if d, ok := n.(*syntax.DeclStmt); ok {
			l.own[c.prog.Info.Defs[d.Decl.Name]] = true
		}
		return true
	})
	syntax.Inspect(s.Body, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.AssignStmt:
			l.write(n.LHS)
		case *syntax.IncDecStmt:
			l.write(n.X)
		case *syntax.ChooseStmt:
			l.write(n.X)
		}
		return l.ok
	})
	if l.ok {
		l.stmt(s.Body, 0)
	}
}

// cpuLoopStart returns the initial value of a loop that has the form of a
// loop over every cpu, for (cpu c = 0; c < NCPUS; c++), or nil: the cpu 0
// it names is allowed in a symmetric model if the loop is order-free.
func cpuLoopStart(s *syntax.ForStmt) syntax.Expr {
	d, ok := s.Init.(*syntax.DeclStmt)
	if !ok || d.Decl.Init == nil || len(d.Decl.Dims) > 0 {
		return nil
	}
	if lit, ok := syntax.Unparen(d.Decl.Init).(*syntax.IntLit); !ok || lit.Value != 0 {
		return nil
	}
	cond, ok := syntax.Unparen(s.Cond).(*syntax.BinaryExpr)
	if !ok || cond.Op != syntax.LSS {
		return nil
	}
	x, ok := syntax.Unparen(cond.X).(*syntax.Ident)
	if !ok || x.Name != d.Decl.Name.Name {
		return nil
	}
	return d.Decl.Init
}

// loopTurn checks the body of an order-free loop over cpus (see orderFree).
type loopTurn struct {
	c       *checker
	v       *Object          // the loop's variable
	own     map[*Object]bool // locals the body declares
	written map[*Object]bool // other variables the body writes, at [v]
	ok      bool             // no error reported yet
}

func (l *loopTurn) errorf(pos syntax.Pos, format string, args ...any) {
	if l.ok {
		l.c.errorf(pos, format, args...)
	}
	l.ok = false
}

// write records an assignment's target: a local of the body, or an element
// [v] of an array indexed by cpu.
func (l *loopTurn) write(lhs syntax.Expr) {
	root, at := l.element(lhs)
	switch {
	case root == nil:
	case l.own[root]:
	case !at:
		l.errorf(lhs.Pos(), "in a symmetric model a loop over cpus by number may write only its own cpu's elements (name[%s]) and its own locals: %s would depend on the order of the cpus", l.v.Name, syntax.ExprString(lhs))
	case root.Kind == ObjGlobal && l.c.prog.Memory != MemorySC:
		l.errorf(lhs.Pos(), "in a symmetric model a loop over cpus by number may write shared variables only under memory sc: a store buffer would hold %s in the order of the cpus", syntax.ExprString(lhs))
	default:
		l.written[root] = true
	}
}

// element returns the variable an lvalue belongs to, and whether the
// lvalue lies in its element [v] (v the loop's variable).
func (l *loopTurn) element(e syntax.Expr) (root *Object, at bool) {
	for {
		switch x := syntax.Unparen(e).(type) {
		case *syntax.Ident:
			return l.c.prog.Info.Uses[x], false
		case *syntax.SelectorExpr:
			e = x.X
		case *syntax.IndexExpr:
			if id, ok := syntax.Unparen(x.X).(*syntax.Ident); ok {
				root := l.c.prog.Info.Uses[id]
				t := root.typ()
				return root, t != nil && t.Kind == Array && t.Index == CPU && l.isVar(x.Index)
			}
			e = x.X
		default:
			return nil, false
		}
	}
}

func (o *Object) typ() *Type {
	if o == nil {
		return nil
	}
	return o.Type
}

func (l *loopTurn) isVar(e syntax.Expr) bool {
	id, ok := syntax.Unparen(e).(*syntax.Ident)
	return ok && l.c.prog.Info.Uses[id] == l.v
}

// stmt checks the statements of the body; loops counts the loops of the
// body around s, out of which a break may go.
func (l *loopTurn) stmt(s syntax.Stmt, loops int) {
	switch s := s.(type) {
	case *syntax.BlockStmt:
		for _, t := range s.Stmts {
			l.stmt(t, loops)
		}
	case *syntax.DeclStmt:
		l.expr(s.Decl.Init)
	case *syntax.ExprStmt:
		l.expr(s.X)
	case *syntax.AssignStmt:
		l.expr(s.LHS)
		l.expr(s.RHS)
	case *syntax.IncDecStmt:
		l.expr(s.X)
	case *syntax.IfStmt:
		l.expr(s.Cond)
		l.stmt(s.Then, loops)
		l.stmt(s.Else, loops)
	case *syntax.WhileStmt:
		l.expr(s.Cond)
		l.stmt(s.Body, loops+1)
	case *syntax.ForStmt:
		l.stmt(s.Init, loops)
		l.expr(s.Cond)
		l.stmt(s.Post, loops)
		l.stmt(s.Body, loops+1)
	case *syntax.AwaitStmt:
		l.expr(s.Cond)
	case *syntax.AssertStmt:
		l.expr(s.Cond)
	case *syntax.AtomicStmt:
		l.stmt(s.Body, loops)
	case *syntax.EitherStmt:
		for _, b := range s.Branches {
			l.stmt(b, loops)
		}
	case *syntax.ChooseStmt:
		l.expr(s.X)
		l.expr(s.Lo)
		l.expr(s.Hi)
	case *syntax.ReturnStmt:
		l.errorf(s.ReturnPos, "in a symmetric model a loop over cpus by number may not return: which cpu returns first would depend on their order")
	case *syntax.BranchStmt:
		if s.Tok == syntax.BREAK && loops == 0 {
			l.errorf(s.TokPos, "in a symmetric model a loop over cpus by number may not break: where it stops would depend on the order of the cpus")
		}
	}
}

// expr checks what an expression of the body reads and calls.
func (l *loopTurn) expr(e syntax.Expr) {
	if e == nil {
		return
	}
	syntax.Inspect(e, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.IndexExpr:
			if id, ok := syntax.Unparen(n.X).(*syntax.Ident); ok && l.written[l.c.prog.Info.Uses[id]] && l.isVar(n.Index) {
				return false // the turn's own element of an array the loop writes
			}
		case *syntax.Ident:
			if o := l.c.prog.Info.Uses[n]; l.written[o] {
				l.errorf(n.NamePos, "in a symmetric model a loop over cpus by number may read %s, which it writes, only at [%s]: a turn would see the writes of the turns before it", n.Name, l.v.Name)
			}
		case *syntax.CallExpr:
			if n.Fun.Name == "int" || n.Fun.Name == "cpu" {
				return true
			}
			switch o := l.c.prog.Info.Uses[n.Fun]; {
			case o == nil:
			case o.Kind == ObjFn:
				l.errorf(n.Fun.NamePos, "in a symmetric model a loop over cpus by number may not call fn %s (write its body in the loop)", n.Fun.Name)
			case o.Kind == ObjBuiltin && !o.Builtin.Pure:
				l.errorf(n.Fun.NamePos, "in a symmetric model a loop over cpus by number may not call %s, which changes the state in the order of the cpus", n.Fun.Name)
			}
		}
		return l.ok
	})
}
