package compile

import (
	"github.com/irqcheck/irqcheck/sema"
	"github.com/irqcheck/irqcheck/syntax"
)

// cpuLoaded returns the globals that code running on a CPU may load:
// those named anywhere in a thread, a handler or a fn other than as the
// target of a plain store. A global that only devices, init and the
// properties read keeps no write history under memory weak: no CPU can
// read an older write of it. Every fn counts, whoever calls it.
func cpuLoaded(p *sema.Program) map[*sema.Object]bool {
	stored := map[*syntax.Ident]bool{} // idents in a store-only position
	target := func(e syntax.Expr) {
		if id := storeTarget(e); id != nil {
			stored[id] = true
		}
	}
	loaded := map[*sema.Object]bool{}
	scan := func(body syntax.Node) {
		syntax.Inspect(body, func(n syntax.Node) bool {
			switch n := n.(type) {
			case *syntax.AssignStmt:
				if n.Op == syntax.ASSIGN {
					target(n.LHS)
				}
			case *syntax.ChooseStmt:
				target(n.X)
			case *syntax.CallExpr:
				if o := p.Info.Uses[n.Fun]; o != nil && o.Kind == sema.ObjBuiltin && len(n.Args) > 0 &&
					(o.Builtin.ID == sema.BWriteOnce || o.Builtin.ID == sema.BStoreRelease) {
					target(n.Args[0])
				}
			}
			return true
		})
		syntax.Inspect(body, func(n syntax.Node) bool {
			if id, ok := n.(*syntax.Ident); ok && !stored[id] {
				if o := p.Info.Uses[id]; o != nil && o.Kind == sema.ObjGlobal {
					loaded[o] = true
				}
			}
			return true
		})
	}
	for _, procs := range [][]*sema.Proc{p.Threads, p.Handlers} {
		for _, pr := range procs {
			scan(pr.Body)
		}
	}
	for _, fn := range p.Fns {
		scan(fn.Decl)
	}
	return loaded
}

// storeTarget returns the variable a store into e writes: the base of an
// index or selector chain (the indices are loads), or nil.
func storeTarget(e syntax.Expr) *syntax.Ident {
	for {
		switch x := e.(type) {
		case *syntax.Ident:
			return x
		case *syntax.ParenExpr:
			e = x.X
		case *syntax.IndexExpr:
			e = x.X
		case *syntax.SelectorExpr:
			e = x.X
		default:
			return nil
		}
	}
}
