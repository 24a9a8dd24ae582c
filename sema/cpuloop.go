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
// for_each_cpu() loops that clear a flag per cpu do. What the check does
// not know (a statement or a target of a kind it has no rule for) it
// rejects.
func (c *checker) orderFree(s *syntax.ForStmt, v *Object) {
	if c.atomic == 0 {
		c.errorf(s.ForPos, "%s must be one step, inside atomic { } or an atomic fn: in steps of its own it would visit the cpus in the order of their numbers", whyOrderFree)
		return
	}
	d, ok := s.Init.(*syntax.DeclStmt)
	if !ok || c.prog.Info.Defs[d.Decl.Name] != v {
		c.errorf(s.ForPos, "%s must declare its variable and start at 0: for (cpu %s = 0; %s < NCPUS; %s++)", whyOrderFree, v.Name, v.Name, v.Name)
		return
	}
	if start, ok := cpuLoopStart(s).(*syntax.IntLit); !ok || start.Value != 0 {
		pos := s.ForPos
		if d.Decl.Init != nil {
			pos = d.Decl.Init.Pos()
		}
		c.errorf(pos, "%s must start at 0, so that it visits every cpu: for (cpu %s = 0; %s < NCPUS; %s++)", whyOrderFree, v.Name, v.Name, v.Name)
		return
	}
	// One walk records the body's locals and what it writes, and checks
	// its calls and jumps; a read can come before the write it must not
	// see (in the text, or in a turn before), so the reads are checked
	// once every write is known.
	l := &loopTurn{c: c, v: v, own: map[*Object]bool{}, written: map[*Object]bool{}, ok: true}
	l.stmt(s.Body, 0)
	for _, r := range l.reads {
		if l.written[r.obj] {
			l.errorf(r.at.NamePos, "%s may read %s, which it writes, only at [%s]: a turn would see the writes of the turns before it", whyOrderFree, r.at.Name, v.Name)
		}
	}
}

// whyOrderFree begins the errors of orderFree.
const whyOrderFree = "in a symmetric model a loop over cpus by number"

// cpuLoopStart returns the initial value of a loop of the form of a loop
// over every cpu, for (cpu c = N; c < NCPUS; c++) with N an integer
// literal, or nil. The cpu N it names is allowed in a symmetric model:
// orderFree checks that it is 0.
func cpuLoopStart(s *syntax.ForStmt) syntax.Expr {
	d, ok := s.Init.(*syntax.DeclStmt)
	if !ok || d.Decl.Init == nil || len(d.Decl.Dims) > 0 {
		return nil
	}
	if t, ok := d.Decl.Type.(*syntax.NamedType); !ok || t.Name != "cpu" {
		return nil
	}
	lit, ok := syntax.Unparen(d.Decl.Init).(*syntax.IntLit)
	if !ok {
		return nil
	}
	if x, _ := cpuLoopShape(s); x == nil || x.Name != d.Decl.Name.Name {
		return nil
	}
	return lit
}

// cpuLoopShape returns the variable of a loop's condition and of its
// increment if they read c < NCPUS and c++ (c any name), or nils.
func cpuLoopShape(s *syntax.ForStmt) (x, px *syntax.Ident) {
	cond, ok := syntax.Unparen(s.Cond).(*syntax.BinaryExpr)
	if !ok || cond.Op != syntax.LSS {
		return nil, nil
	}
	x, ok1 := syntax.Unparen(cond.X).(*syntax.Ident)
	n, ok2 := syntax.Unparen(cond.Y).(*syntax.Ident)
	post, ok3 := s.Post.(*syntax.IncDecStmt)
	if !ok1 || !ok2 || !ok3 || n.Name != "NCPUS" || post.Op != syntax.INC {
		return nil, nil
	}
	px, ok = syntax.Unparen(post.X).(*syntax.Ident)
	if !ok || px.Name != x.Name {
		return nil, nil
	}
	return x, px
}

// loopTurn checks the body of an order-free loop over cpus (see orderFree).
type loopTurn struct {
	c       *checker
	v       *Object          // the loop's variable
	own     map[*Object]bool // locals the body declares
	written map[*Object]bool // other variables the body writes, at [v]
	reads   []read           // what the body reads, but not at [v]
	ok      bool             // no error reported yet
}

// read is a variable read by the body of a loop over cpus, not at [v].
type read struct {
	obj *Object
	at  *syntax.Ident
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
		l.errorf(lhs.Pos(), "%s may write only its own cpu's elements (name[%s]) and its own locals, not %s", whyOrderFree, l.v.Name, syntax.ExprString(lhs))
	case l.own[root]:
	case !at:
		l.errorf(lhs.Pos(), "%s may write only its own cpu's elements (name[%s]) and its own locals: %s would depend on the order of the cpus", whyOrderFree, l.v.Name, syntax.ExprString(lhs))
	case root.Kind == ObjGlobal && l.c.prog.Memory != MemorySC:
		l.errorf(lhs.Pos(), "%s may write shared variables only under memory sc: a store buffer would hold %s in the order of the cpus", whyOrderFree, syntax.ExprString(lhs))
	default:
		l.written[root] = true
	}
}

// element returns the variable an lvalue belongs to, and whether the
// lvalue lies in its element [v] (v the loop's variable): a[v], a[v][i]
// and a[v].f do. It returns nil for a target it does not know.
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
				if root == nil {
					return nil, false
				}
				t := root.Type
				return root, t != nil && t.Kind == Array && t.Index == CPU && l.isVar(x.Index)
			}
			e = x.X
		default:
			return nil, false
		}
	}
}

func (l *loopTurn) isVar(e syntax.Expr) bool {
	id, ok := syntax.Unparen(e).(*syntax.Ident)
	return ok && l.c.prog.Info.Uses[id] == l.v
}

// stmt walks the statements of the body; loops counts the loops of the
// body around s, out of which a break may go.
func (l *loopTurn) stmt(s syntax.Stmt, loops int) {
	switch s := s.(type) {
	case nil, *syntax.EmptyStmt:
	case *syntax.BlockStmt:
		for _, t := range s.Stmts {
			l.stmt(t, loops)
		}
	case *syntax.DeclStmt:
		l.own[l.c.prog.Info.Defs[s.Decl.Name]] = true
		l.expr(s.Decl.Init)
	case *syntax.ExprStmt:
		l.expr(s.X)
	case *syntax.AssignStmt:
		l.write(s.LHS)
		l.expr(s.LHS)
		l.expr(s.RHS)
	case *syntax.IncDecStmt:
		l.write(s.X)
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
		l.write(s.X)
		l.expr(s.X)
		l.expr(s.Lo)
		l.expr(s.Hi)
	case *syntax.ReturnStmt:
		l.errorf(s.ReturnPos, "%s may not return: which cpu returns first would depend on their order", whyOrderFree)
	case *syntax.BranchStmt:
		if s.Tok == syntax.BREAK && loops == 0 {
			l.errorf(s.TokPos, "%s may not break: where it stops would depend on the order of the cpus", whyOrderFree)
		}
	default:
		l.errorf(s.Pos(), "%s cannot hold this statement: the checker cannot tell whether its order matters", whyOrderFree)
	}
}

// expr checks what an expression of the body calls, and notes what it
// reads.
func (l *loopTurn) expr(e syntax.Expr) {
	if e == nil {
		return
	}
	syntax.Inspect(e, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.IndexExpr:
			if _, ok := syntax.Unparen(n.X).(*syntax.Ident); ok && l.isVar(n.Index) {
				return false // the turn's own element
			}
		case *syntax.Ident:
			if o := l.c.prog.Info.Uses[n]; o != nil {
				l.reads = append(l.reads, read{o, n})
			}
		case *syntax.CallExpr:
			if n.Fun.Name == "int" || n.Fun.Name == "cpu" {
				return true
			}
			switch o := l.c.prog.Info.Uses[n.Fun]; {
			case o == nil:
			case o.Kind == ObjFn:
				l.errorf(n.Fun.NamePos, "%s may not call fn %s (write its body in the loop)", whyOrderFree, n.Fun.Name)
			case o.Kind == ObjBuiltin && !o.Builtin.Pure:
				l.errorf(n.Fun.NamePos, "%s may not call %s, which changes the state in the order of the cpus", whyOrderFree, n.Fun.Name)
			}
		}
		return l.ok
	})
}
