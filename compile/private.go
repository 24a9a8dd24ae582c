package compile

import (
	"github.com/irqcheck/irqcheck/sema"
	"github.com/irqcheck/irqcheck/syntax"
)

// private reports whether evaluating every one of es reads nothing but
// the running process's own locals and constants: no global, no machine
// state (this_cpu, the IRR, the vector table, hotplug) and no call of a
// built-in or a fn. An instruction made of such expressions is private
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
		case sema.ObjBuiltin:
			// NCPUS is a constant; this_vector is the vector the running
			// handler was entered for, which only its own entry sets.
			// this_cpu is not: cpu_down moves a thread to another CPU.
			return o.Builtin.ID == sema.BNCPUs || o.Builtin.ID == sema.BThisVector
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
