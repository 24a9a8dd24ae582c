package syntax

import (
	"strconv"
	"strings"
)

// maxHeadline is the longest a block is printed in full by StmtHeadline.
const maxHeadline = 60

// ExprString returns e in canonical C-like form: binary operators spaced,
// integer literals as written, parentheses kept where the source had them
// and added only where the tree needs them. It returns "" for nil.
func ExprString(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e, condPrec)
	return b.String()
}

// TypeString returns the written form of a type: bool, int, cpu, thread,
// a struct name, or int[lo..hi]. It returns "" for nil.
func TypeString(t TypeExpr) string {
	switch t := t.(type) {
	case *NamedType:
		return t.Name
	case *RangeType:
		return "int[" + ExprString(t.Lo) + ".." + ExprString(t.Hi) + "]"
	}
	return ""
}

// StmtHeadline returns the one-line text that stands for s in a trace.
// Simple statements are printed in full without the final ';' (msg.addr =
// 1, ran++, int x = 3, assert x == 1, "msg"); compound statements by their
// head (if (queued), while (x < 3), for (int i = 0; i < 3; i++), either);
// an atomic block in full on one line when that is short, else as
// atomic { first; ... }. It returns "" for nil.
func StmtHeadline(s Stmt) string {
	switch s := s.(type) {
	case nil:
		return ""
	case *BlockStmt:
		return blockHeadline("", s)
	case *AtomicStmt:
		return blockHeadline("atomic ", s.Body)
	case *IfStmt:
		return "if (" + ExprString(s.Cond) + ")"
	case *WhileStmt:
		return "while (" + ExprString(s.Cond) + ")"
	case *ForStmt:
		return forHead(s)
	case *EitherStmt:
		return "either"
	}
	return simpleStmt(s)
}

// blockHeadline prints prefix followed by b in full if that fits in
// maxHeadline bytes, and abbreviated to its first statement otherwise.
func blockHeadline(prefix string, b *BlockStmt) string {
	var sb strings.Builder
	sb.WriteString(prefix)
	writeStmt(&sb, b)
	if sb.Len() <= maxHeadline || b == nil || len(b.Stmts) == 0 {
		return sb.String()
	}
	first := b.Stmts[0]
	if isSimple(first) {
		return prefix + "{ " + StmtHeadline(first) + "; ... }"
	}
	return prefix + "{ " + StmtHeadline(first) + " ... }"
}

// isSimple reports whether s is printed in full, with a ';', by writeStmt.
func isSimple(s Stmt) bool {
	switch s.(type) {
	case *BlockStmt, *AtomicStmt, *IfStmt, *WhileStmt, *ForStmt, *EitherStmt, *EmptyStmt:
		return false
	}
	return true
}

// simpleStmt prints a statement that has no sub-statements, without ';'.
func simpleStmt(s Stmt) string {
	switch s := s.(type) {
	case *DeclStmt:
		return varDeclString(s.Decl)
	case *ExprStmt:
		return ExprString(s.X)
	case *AssignStmt:
		return ExprString(s.LHS) + " " + s.Op.String() + " " + ExprString(s.RHS)
	case *IncDecStmt:
		return ExprString(s.X) + s.Op.String()
	case *AwaitStmt:
		return "await " + ExprString(s.Cond)
	case *AssertStmt:
		if s.Msg != "" {
			return "assert " + ExprString(s.Cond) + ", " + quote(s.Msg)
		}
		return "assert " + ExprString(s.Cond)
	case *ChooseStmt:
		return "choose " + ExprString(s.X) + " in " + ExprString(s.Lo) + ".." + ExprString(s.Hi)
	case *ReturnStmt:
		if s.Result != nil {
			return "return " + ExprString(s.Result)
		}
		return "return"
	case *BranchStmt:
		return s.Tok.String()
	case *EmptyStmt:
		return ";"
	}
	return ""
}

// varDeclString prints Type Name Dims [= Init].
func varDeclString(d *VarDecl) string {
	if d == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(TypeString(d.Type))
	b.WriteByte(' ')
	if d.Name != nil {
		b.WriteString(d.Name.Name)
	}
	for _, dim := range d.Dims {
		b.WriteString(dimString(dim))
	}
	if d.Init != nil {
		b.WriteString(" = ")
		b.WriteString(ExprString(d.Init))
	}
	return b.String()
}

func dimString(d *ArrayDim) string {
	if d == nil {
		return ""
	}
	if d.Index == CPU || d.Index == THREAD {
		return "[" + d.Index.String() + "]"
	}
	return "[" + ExprString(d.Size) + "]"
}

// forHead prints for (Init; Cond; Post).
func forHead(s *ForStmt) string {
	var b strings.Builder
	b.WriteString("for (")
	b.WriteString(simpleStmt(s.Init))
	b.WriteByte(';')
	if s.Cond != nil {
		b.WriteByte(' ')
		b.WriteString(ExprString(s.Cond))
	}
	b.WriteByte(';')
	if s.Post != nil {
		b.WriteByte(' ')
		b.WriteString(simpleStmt(s.Post))
	}
	b.WriteByte(')')
	return b.String()
}

// writeStmt prints s in full on one line.
func writeStmt(b *strings.Builder, s Stmt) {
	switch s := s.(type) {
	case nil:
	case *BlockStmt:
		if s == nil || len(s.Stmts) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{ ")
		for _, x := range s.Stmts {
			writeStmt(b, x)
			b.WriteByte(' ')
		}
		b.WriteByte('}')
	case *AtomicStmt:
		b.WriteString("atomic ")
		writeStmt(b, s.Body)
	case *IfStmt:
		b.WriteString(StmtHeadline(s))
		b.WriteByte(' ')
		writeStmt(b, s.Then)
		if s.Else != nil {
			b.WriteString(" else ")
			writeStmt(b, s.Else)
		}
	case *WhileStmt:
		b.WriteString(StmtHeadline(s))
		b.WriteByte(' ')
		writeStmt(b, s.Body)
	case *ForStmt:
		b.WriteString(forHead(s))
		b.WriteByte(' ')
		writeStmt(b, s.Body)
	case *EitherStmt:
		b.WriteString("either")
		for i, br := range s.Branches {
			if i > 0 {
				b.WriteString(" or")
			}
			b.WriteByte(' ')
			writeStmt(b, br)
		}
	case *EmptyStmt:
		b.WriteByte(';')
	default:
		b.WriteString(simpleStmt(s))
		b.WriteByte(';')
	}
}

// exprPrec returns the precedence of the operator at the root of x.
func exprPrec(x Expr) int {
	switch x := x.(type) {
	case *CondExpr:
		return condPrec
	case *BinaryExpr:
		return precedence(x.Op)
	case *UnaryExpr:
		return unaryPrec
	}
	return postfixPrec
}

// writeExpr prints x, in parentheses if its operator binds less tightly
// than prec, the least precedence its context allows without them.
func writeExpr(b *strings.Builder, x Expr, prec int) {
	if x == nil {
		return
	}
	if exprPrec(x) < prec {
		b.WriteByte('(')
		writeExpr(b, x, condPrec)
		b.WriteByte(')')
		return
	}
	switch x := x.(type) {
	case *Ident:
		b.WriteString(x.Name)
	case *IntLit:
		switch {
		case x.Raw != "":
			b.WriteString(x.Raw)
		case x.Value < 0:
			b.WriteString("(" + strconv.FormatInt(x.Value, 10) + ")")
		default:
			b.WriteString(strconv.FormatInt(x.Value, 10))
		}
	case *BoolLit:
		b.WriteString(strconv.FormatBool(x.Value))
	case *NoneLit:
		b.WriteString("none")
	case *UnaryExpr:
		b.WriteString(x.Op.String())
		var sub strings.Builder
		writeExpr(&sub, x.X, unaryPrec)
		operand := sub.String()
		// Keep - -x and + +x apart: --x and ++x would scan as DEC and INC.
		if operand != "" && (x.Op == SUB && operand[0] == '-' || x.Op == ADD && operand[0] == '+') {
			b.WriteByte(' ')
		}
		b.WriteString(operand)
	case *BinaryExpr:
		p := precedence(x.Op)
		writeExpr(b, x.X, p)
		b.WriteString(" " + x.Op.String() + " ")
		writeExpr(b, x.Y, p+1)
	case *CondExpr:
		writeExpr(b, x.Cond, lowestBinaryPrec)
		b.WriteString(" ? ")
		writeExpr(b, x.Then, condPrec)
		b.WriteString(" : ")
		writeExpr(b, x.Else, condPrec)
	case *ParenExpr:
		b.WriteByte('(')
		writeExpr(b, x.X, condPrec)
		b.WriteByte(')')
	case *IndexExpr:
		writeExpr(b, x.X, postfixPrec)
		b.WriteByte('[')
		writeExpr(b, x.Index, condPrec)
		b.WriteByte(']')
	case *SelectorExpr:
		writeExpr(b, x.X, postfixPrec)
		b.WriteByte('.')
		if x.Sel != nil {
			b.WriteString(x.Sel.Name)
		}
	case *CallExpr:
		if x.Fun != nil {
			b.WriteString(x.Fun.Name)
		}
		b.WriteByte('(')
		for i, a := range x.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			writeExpr(b, a, condPrec)
		}
		b.WriteByte(')')
	case *CompositeLit:
		b.WriteByte('{')
		for i, e := range x.Elems {
			if i > 0 {
				b.WriteString(", ")
			}
			writeExpr(b, e, condPrec)
		}
		for i, kv := range x.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			if kv.Key != nil {
				b.WriteString(kv.Key.Name)
			}
			b.WriteString(": ")
			writeExpr(b, kv.Value, condPrec)
		}
		b.WriteByte('}')
	}
}
