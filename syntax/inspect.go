package syntax

// Inspect traverses the tree rooted at n in depth-first order, calling f
// for every node; if f returns false, the children of that node are
// skipped. Like go/ast.Inspect, but without the trailing nil call.
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	switch n := n.(type) {
	case *UnaryExpr:
		Inspect(n.X, f)
	case *BinaryExpr:
		Inspect(n.X, f)
		Inspect(n.Y, f)
	case *CondExpr:
		Inspect(n.Cond, f)
		Inspect(n.Then, f)
		Inspect(n.Else, f)
	case *ParenExpr:
		Inspect(n.X, f)
	case *IndexExpr:
		Inspect(n.X, f)
		Inspect(n.Index, f)
	case *SelectorExpr:
		Inspect(n.X, f)
	case *CallExpr:
		Inspect(n.Fun, f)
		for _, a := range n.Args {
			Inspect(a, f)
		}
	case *CompositeLit:
		for _, e := range n.Elems {
			Inspect(e, f)
		}
		for _, kv := range n.Fields {
			Inspect(kv.Value, f)
		}
	case *BlockStmt:
		for _, s := range n.Stmts {
			Inspect(s, f)
		}
	case *DeclStmt:
		Inspect(n.Decl, f)
	case *ExprStmt:
		Inspect(n.X, f)
	case *AssignStmt:
		Inspect(n.LHS, f)
		Inspect(n.RHS, f)
	case *IncDecStmt:
		Inspect(n.X, f)
	case *IfStmt:
		Inspect(n.Cond, f)
		Inspect(n.Then, f)
		if n.Else != nil {
			Inspect(n.Else, f)
		}
	case *WhileStmt:
		Inspect(n.Cond, f)
		Inspect(n.Body, f)
	case *ForStmt:
		if n.Init != nil {
			Inspect(n.Init, f)
		}
		if n.Cond != nil {
			Inspect(n.Cond, f)
		}
		if n.Post != nil {
			Inspect(n.Post, f)
		}
		Inspect(n.Body, f)
	case *AwaitStmt:
		Inspect(n.Cond, f)
	case *AssertStmt:
		Inspect(n.Cond, f)
	case *AtomicStmt:
		Inspect(n.Body, f)
	case *EitherStmt:
		for _, b := range n.Branches {
			Inspect(b, f)
		}
	case *ChooseStmt:
		Inspect(n.X, f)
		Inspect(n.Lo, f)
		Inspect(n.Hi, f)
	case *ReturnStmt:
		if n.Result != nil {
			Inspect(n.Result, f)
		}
	case *CpusDecl:
		Inspect(n.Count, f)
		for _, e := range n.Except {
			Inspect(e, f)
		}
	case *InflightDecl:
		Inspect(n.Count, f)
	case *MemoryDecl:
		Inspect(n.Model, f)
		if n.Bound != nil {
			Inspect(n.Bound, f)
		}
	case *ConstDecl:
		Inspect(n.Value, f)
	case *VarDecl:
		if n.Init != nil {
			Inspect(n.Init, f)
		}
	case *FnDecl:
		Inspect(n.Body, f)
	case *HandlerDecl:
		Inspect(n.Body, f)
	case *ThreadDecl:
		if n.CPU != nil {
			Inspect(n.CPU, f)
		}
		Inspect(n.Body, f)
	case *DeviceDecl:
		Inspect(n.Body, f)
	case *InitDecl:
		Inspect(n.Body, f)
	case *InvariantDecl:
		Inspect(n.Cond, f)
	case *FinalDecl:
		Inspect(n.Cond, f)
	case *LivenessDecl:
		Inspect(n.P, f)
		if n.Q != nil {
			Inspect(n.Q, f)
		}
	case *CoverDecl:
		Inspect(n.Cond, f)
	}
}

// Unparen returns e without the parentheses around it.
func Unparen(e Expr) Expr {
	for {
		p, ok := e.(*ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}
