package syntax

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// at returns the position line:col in the test file t.irq.
func at(line, col int) Pos { return Pos{File: "t.irq", Line: line, Col: col} }

// Shorthands for building expected trees on line 1.
func id(col int, name string) *Ident { return &Ident{NamePos: at(1, col), Name: name} }
func num(col int, v int64, raw string) *IntLit {
	return &IntLit{ValuePos: at(1, col), Value: v, Raw: raw}
}
func named(col int, name string) *NamedType { return &NamedType{NamePos: at(1, col), Name: name} }
func block(lbrace, rbrace int, stmts ...Stmt) *BlockStmt {
	return &BlockStmt{Lbrace: at(1, lbrace), Stmts: stmts, Rbrace: at(1, rbrace)}
}

func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, err := ParseFile("t.irq", []byte(src))
	if err != nil {
		t.Fatalf("ParseFile(%q): %v", src, err)
	}
	return f
}

func TestParseDecls(t *testing.T) {
	boolT := named(1, "bool")
	tests := []struct {
		src  string
		want []Decl
	}{
		{"", nil},
		{"// only a comment\n", nil},
		{"cpus 2;", []Decl{&CpusDecl{CpusPos: at(1, 1), Count: num(6, 2, "2")}}},
		{"cpus NCPU symmetric;", []Decl{&CpusDecl{CpusPos: at(1, 1), Count: id(6, "NCPU"), Symmetric: true}}},
		{"inflight 3;", []Decl{&InflightDecl{InflightPos: at(1, 1), Count: num(10, 3, "3")}}},
		{"memory tso;", []Decl{&MemoryDecl{MemoryPos: at(1, 1), Model: id(8, "tso")}}},
		{"memory tso 8;", []Decl{&MemoryDecl{MemoryPos: at(1, 1), Model: id(8, "tso"), Bound: num(12, 8, "8")}}},
		{"const OLD = 0x10;", []Decl{&ConstDecl{ConstPos: at(1, 1), Name: id(7, "OLD"), Value: num(13, 16, "0x10")}}},
		{"const int OLD = 0x10; const NEW = 0b10;", []Decl{
			&ConstDecl{ConstPos: at(1, 1), Type: named(7, "int"), Name: id(11, "OLD"), Value: num(17, 16, "0x10")},
			&ConstDecl{ConstPos: at(1, 23), Name: id(29, "NEW"), Value: num(35, 2, "0b10")},
		}},
		{"const pair P = X;", []Decl{&ConstDecl{ConstPos: at(1, 1), Type: named(7, "pair"), Name: id(12, "P"), Value: id(16, "X")}}},
		{"const int[0..3] Z = 1;", []Decl{&ConstDecl{
			ConstPos: at(1, 1),
			Type:     &RangeType{IntPos: at(1, 7), Lo: num(11, 0, "0"), Hi: num(14, 3, "3")},
			Name:     id(17, "Z"),
			Value:    num(21, 1, "1"),
		}}},
		{"struct msi_msg { cpu addr; int data[2]; bool seen[cpu]; }", []Decl{&StructDecl{
			StructPos: at(1, 1),
			Name:      id(8, "msi_msg"),
			Fields: []*Field{
				{Type: named(18, "cpu"), Name: id(22, "addr")},
				{Type: named(28, "int"), Name: id(32, "data"), Dims: []*ArrayDim{{Lbrack: at(1, 36), Size: num(37, 2, "2")}}},
				{Type: named(41, "bool"), Name: id(46, "seen"), Dims: []*ArrayDim{{Lbrack: at(1, 50), Index: CPU}}},
			},
		}}},
		{"struct s { }; cpus 1;", []Decl{
			&StructDecl{StructPos: at(1, 1), Name: id(8, "s")},
			&CpusDecl{CpusPos: at(1, 15), Count: num(20, 1, "1")},
		}},
		{"msi_msg msg = { addr: 0, data: OLD };", []Decl{&VarDecl{
			Type: named(1, "msi_msg"),
			Name: id(9, "msg"),
			Init: &CompositeLit{
				Lbrace: at(1, 15),
				Fields: []*KeyValue{{Key: id(17, "addr"), Value: num(23, 0, "0")}, {Key: id(26, "data"), Value: id(32, "OLD")}},
				Rbrace: at(1, 36),
			},
		}}},
		{"bool listed[cpu], done[thread] = {};", []Decl{
			&VarDecl{Type: boolT, Name: id(6, "listed"), Dims: []*ArrayDim{{Lbrack: at(1, 12), Index: CPU}}},
			&VarDecl{Type: boolT, Name: id(19, "done"), Dims: []*ArrayDim{{Lbrack: at(1, 23), Index: THREAD}},
				Init: &CompositeLit{Lbrace: at(1, 34), Elems: []Expr{}, Rbrace: at(1, 35)}},
		}},
		{"int a[4][2] = {{1, 2}, {3}, };", []Decl{&VarDecl{
			Type: named(1, "int"),
			Name: id(5, "a"),
			Dims: []*ArrayDim{{Lbrack: at(1, 6), Size: num(7, 4, "4")}, {Lbrack: at(1, 9), Size: num(10, 2, "2")}},
			Init: &CompositeLit{Lbrace: at(1, 15), Elems: []Expr{
				&CompositeLit{Lbrace: at(1, 16), Elems: []Expr{num(17, 1, "1"), num(20, 2, "2")}, Rbrace: at(1, 21)},
				&CompositeLit{Lbrace: at(1, 24), Elems: []Expr{num(25, 3, "3")}, Rbrace: at(1, 26)},
			}, Rbrace: at(1, 29)},
		}}},
		{"int x[cpu(1)];", []Decl{&VarDecl{Type: named(1, "int"), Name: id(5, "x"), Dims: []*ArrayDim{{
			Lbrack: at(1, 6),
			Size:   &CallExpr{Fun: id(7, "cpu"), Lparen: at(1, 10), Args: []Expr{num(11, 1, "1")}, Rparen: at(1, 12)},
		}}}}},
		{"thread owner = none;", []Decl{&VarDecl{Type: named(1, "thread"), Name: id(8, "owner"), Init: &NoneLit{NonePos: at(1, 16)}}}},
		{"int[0..3] level = 1;", []Decl{&VarDecl{
			Type: &RangeType{IntPos: at(1, 1), Lo: num(5, 0, "0"), Hi: num(8, 3, "3")},
			Name: id(11, "level"),
			Init: num(19, 1, "1"),
		}}},
		{"cpu t;", []Decl{&VarDecl{Type: named(1, "cpu"), Name: id(5, "t")}}},
		{"fn f() {}", []Decl{&FnDecl{FnPos: at(1, 1), Name: id(4, "f"), Body: block(8, 9)}}},
		{"atomic fn pick(cpu c, int n) -> bool { return true; }", []Decl{&FnDecl{
			FnPos:  at(1, 1),
			Atomic: true,
			Name:   id(11, "pick"),
			Params: []*Param{{Type: named(16, "cpu"), Name: id(20, "c")}, {Type: named(23, "int"), Name: id(27, "n")}},
			Result: named(33, "bool"),
			Body:   block(38, 53, &ReturnStmt{ReturnPos: at(1, 40), Result: &BoolLit{ValuePos: at(1, 47), Value: true}}),
		}}},
		{"fn g(cpu t) bool {}", []Decl{&FnDecl{
			FnPos:  at(1, 1),
			Name:   id(4, "g"),
			Params: []*Param{{Type: named(6, "cpu"), Name: id(10, "t")}},
			Result: named(13, "bool"),
			Body:   block(18, 19),
		}}},
		{"fn h() pair {}", []Decl{&FnDecl{FnPos: at(1, 1), Name: id(4, "h"), Result: named(8, "pair"), Body: block(13, 14)}}},
		{"handler nic { handled++; }", []Decl{&HandlerDecl{
			HandlerPos: at(1, 1),
			Name:       id(9, "nic"),
			Body:       block(13, 26, &IncDecStmt{X: id(15, "handled"), TokPos: at(1, 22), Op: INC}),
		}}},
		{"thread set_affinity on cpu 0 { }", []Decl{&ThreadDecl{
			ThreadPos: at(1, 1), Name: id(8, "set_affinity"), CPU: num(28, 0, "0"), Body: block(30, 32),
		}}},
		{"thread t on cpu 0 {} thread x;", []Decl{
			&ThreadDecl{ThreadPos: at(1, 1), Name: id(8, "t"), CPU: num(17, 0, "0"), Body: block(19, 20)},
			&VarDecl{Type: named(22, "thread"), Name: id(29, "x")},
		}},
		{"device d { }", []Decl{&DeviceDecl{DevicePos: at(1, 1), Name: id(8, "d"), Body: block(10, 12)}}},
		{"init { }", []Decl{&InitDecl{InitPos: at(1, 1), Body: block(6, 8)}}},
		{"invariant in_range: level >= 0;", []Decl{&InvariantDecl{
			InvariantPos: at(1, 1),
			Name:         id(11, "in_range"),
			Cond:         &BinaryExpr{X: id(21, "level"), OpPos: at(1, 27), Op: GEQ, Y: num(30, 0, "0")},
		}}},
		{"invariant a ? b : c;", []Decl{&InvariantDecl{
			InvariantPos: at(1, 1),
			Cond:         &CondExpr{Cond: id(11, "a"), Then: id(15, "b"), Else: id(19, "c"), Quest: at(1, 13)},
		}}},
		{"final handled == 1;", []Decl{&FinalDecl{
			FinalPos: at(1, 1),
			Cond:     &BinaryExpr{X: id(7, "handled"), OpPos: at(1, 15), Op: EQL, Y: num(18, 1, "1")},
		}}},
		{"final ok: x;", []Decl{&FinalDecl{FinalPos: at(1, 1), Name: id(7, "ok"), Cond: id(11, "x")}}},
		{"cpus 2;\n  final\n x;", []Decl{
			&CpusDecl{CpusPos: at(1, 1), Count: num(6, 2, "2")},
			&FinalDecl{FinalPos: at(2, 3), Cond: &Ident{NamePos: at(3, 2), Name: "x"}},
		}},
	}
	for _, tt := range tests {
		f := mustParse(t, tt.src)
		if f.Name != "t.irq" {
			t.Errorf("File.Name = %q", f.Name)
		}
		if diff := cmp.Diff(tt.want, f.Decls); diff != "" {
			t.Errorf("ParseFile(%q) (-want +got):\n%s", tt.src, diff)
		}
	}
}

// TestParseStmts parses each statement in an init block, whose '{' is at
// column 6, so the statement starts at column 8.
func TestParseStmts(t *testing.T) {
	intT := named(8, "int")
	tests := []struct {
		src  string
		want []Stmt
	}{
		{"x = 1;", []Stmt{&AssignStmt{LHS: id(8, "x"), TokPos: at(1, 10), Op: ASSIGN, RHS: num(12, 1, "1")}}},
		{"msg.addr += 2;", []Stmt{&AssignStmt{
			LHS: &SelectorExpr{X: id(8, "msg"), Sel: id(12, "addr")}, TokPos: at(1, 17), Op: ADDASN, RHS: num(20, 2, "2"),
		}}},
		{"q = {1, 2};", []Stmt{&AssignStmt{LHS: id(8, "q"), TokPos: at(1, 10), Op: ASSIGN,
			RHS: &CompositeLit{Lbrace: at(1, 12), Elems: []Expr{num(13, 1, "1"), num(16, 2, "2")}, Rbrace: at(1, 17)}}}},
		{"ran++;", []Stmt{&IncDecStmt{X: id(8, "ran"), TokPos: at(1, 11), Op: INC}}},
		{"a[i]--;", []Stmt{&IncDecStmt{X: &IndexExpr{X: id(8, "a"), Lbrack: at(1, 9), Index: id(10, "i")}, TokPos: at(1, 12), Op: DEC}}},
		{"send_ipi(t, CALL);", []Stmt{&ExprStmt{X: &CallExpr{
			Fun: id(8, "send_ipi"), Lparen: at(1, 16), Args: []Expr{id(17, "t"), id(20, "CALL")}, Rparen: at(1, 24),
		}}}},
		{"int x = 3;", []Stmt{&DeclStmt{Decl: &VarDecl{Type: intT, Name: id(12, "x"), Init: num(16, 3, "3")}}}},
		{"pair q;", []Stmt{&DeclStmt{Decl: &VarDecl{Type: named(8, "pair"), Name: id(13, "q")}}}},
		{"int a, b = 2;", []Stmt{
			&DeclStmt{Decl: &VarDecl{Type: intT, Name: id(12, "a")}},
			&DeclStmt{Decl: &VarDecl{Type: intT, Name: id(15, "b"), Init: num(19, 2, "2")}},
		}},
		{"bool seen[cpu];", []Stmt{&DeclStmt{Decl: &VarDecl{Type: named(8, "bool"), Name: id(13, "seen"),
			Dims: []*ArrayDim{{Lbrack: at(1, 17), Index: CPU}}}}}},
		{"thread t = none;", []Stmt{&DeclStmt{Decl: &VarDecl{Type: named(8, "thread"), Name: id(15, "t"), Init: &NoneLit{NonePos: at(1, 19)}}}}},
		{"cpu c = cpu(1);", []Stmt{&DeclStmt{Decl: &VarDecl{Type: named(8, "cpu"), Name: id(12, "c"),
			Init: &CallExpr{Fun: id(16, "cpu"), Lparen: at(1, 19), Args: []Expr{num(20, 1, "1")}, Rparen: at(1, 21)}}}}},
		{"int(x);", []Stmt{&ExprStmt{X: &CallExpr{Fun: id(8, "int"), Lparen: at(1, 11), Args: []Expr{id(12, "x")}, Rparen: at(1, 13)}}}},
		{"b.p.hi[1] ^= ~MASK;", []Stmt{&AssignStmt{
			LHS: &IndexExpr{
				X:      &SelectorExpr{X: &SelectorExpr{X: id(8, "b"), Sel: id(10, "p")}, Sel: id(12, "hi")},
				Lbrack: at(1, 14),
				Index:  num(15, 1, "1"),
			},
			TokPos: at(1, 18),
			Op:     XORASN,
			RHS:    &UnaryExpr{OpPos: at(1, 21), Op: TILDE, X: id(22, "MASK")},
		}}},
		{"if (queued) x = 1; else ;", []Stmt{&IfStmt{
			IfPos: at(1, 8),
			Cond:  id(12, "queued"),
			Then:  &AssignStmt{LHS: id(20, "x"), TokPos: at(1, 22), Op: ASSIGN, RHS: num(24, 1, "1")},
			Else:  &EmptyStmt{Semi: at(1, 32)},
		}}},
		{"if (a) {} else if (b) {}", []Stmt{&IfStmt{
			IfPos: at(1, 8), Cond: id(12, "a"), Then: block(15, 16),
			Else: &IfStmt{IfPos: at(1, 23), Cond: id(27, "b"), Then: block(30, 31)},
		}}},
		{"while (x < 3) { }", []Stmt{&WhileStmt{
			WhilePos: at(1, 8),
			Cond:     &BinaryExpr{X: id(15, "x"), OpPos: at(1, 17), Op: LSS, Y: num(19, 3, "3")},
			Body:     block(22, 24),
		}}},
		{"for (int i = 0; i < n; i++) ;", []Stmt{&ForStmt{
			ForPos: at(1, 8),
			Init:   &DeclStmt{Decl: &VarDecl{Type: named(13, "int"), Name: id(17, "i"), Init: num(21, 0, "0")}},
			Cond:   &BinaryExpr{X: id(24, "i"), OpPos: at(1, 26), Op: LSS, Y: id(28, "n")},
			Post:   &IncDecStmt{X: id(31, "i"), TokPos: at(1, 32), Op: INC},
			Body:   &EmptyStmt{Semi: at(1, 36)},
		}}},
		{"for (i = 0; ; f(i)) {}", []Stmt{&ForStmt{
			ForPos: at(1, 8),
			Init:   &AssignStmt{LHS: id(13, "i"), TokPos: at(1, 15), Op: ASSIGN, RHS: num(17, 0, "0")},
			Post:   &ExprStmt{X: &CallExpr{Fun: id(22, "f"), Lparen: at(1, 23), Args: []Expr{id(24, "i")}, Rparen: at(1, 25)}},
			Body:   block(28, 29),
		}}},
		{"for (;;) break;", []Stmt{&ForStmt{ForPos: at(1, 8), Body: &BranchStmt{TokPos: at(1, 17), Tok: BREAK}}}},
		{"await !locked;", []Stmt{&AwaitStmt{AwaitPos: at(1, 8), Cond: &UnaryExpr{OpPos: at(1, 14), Op: NOT, X: id(15, "locked")}}}},
		{"await (x);", []Stmt{&AwaitStmt{AwaitPos: at(1, 8), Cond: &ParenExpr{Lparen: at(1, 14), X: id(15, "x")}}}},
		{`assert x == 1, "a\"b";`, []Stmt{&AssertStmt{
			AssertPos: at(1, 8),
			Cond:      &BinaryExpr{X: id(15, "x"), OpPos: at(1, 17), Op: EQL, Y: num(20, 1, "1")},
			Msg:       `a"b`,
		}}},
		{"assert ok;", []Stmt{&AssertStmt{AssertPos: at(1, 8), Cond: id(15, "ok")}}},
		{"atomic { continue; }", []Stmt{&AtomicStmt{
			AtomicPos: at(1, 8), Body: block(15, 27, &BranchStmt{TokPos: at(1, 17), Tok: CONTINUE}),
		}}},
		{"either { } or { } or { }", []Stmt{&EitherStmt{
			EitherPos: at(1, 8), Branches: []*BlockStmt{block(15, 17), block(22, 24), block(29, 31)},
		}}},
		{"choose n in 0..3;", []Stmt{&ChooseStmt{ChoosePos: at(1, 8), X: id(15, "n"), Lo: num(20, 0, "0"), Hi: num(23, 3, "3")}}},
		{"return;", []Stmt{&ReturnStmt{ReturnPos: at(1, 8)}}},
		{"return x;", []Stmt{&ReturnStmt{ReturnPos: at(1, 8), Result: id(15, "x")}}},
		{";", []Stmt{&EmptyStmt{Semi: at(1, 8)}}},
		{"{ x; }", []Stmt{block(8, 13, &ExprStmt{X: id(10, "x")})}},
	}
	for _, tt := range tests {
		f := mustParse(t, "init { "+tt.src+" }")
		if len(f.Decls) != 1 {
			t.Errorf("%q: got %d declarations", tt.src, len(f.Decls))
			continue
		}
		got := f.Decls[0].(*InitDecl).Body.Stmts
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.src, diff)
		}
	}
}

func TestParseExprTrees(t *testing.T) {
	// The expression follows "final ", so it starts at column 7.
	tests := []struct {
		src  string
		want Expr
	}{
		{"a + b * c", &BinaryExpr{X: id(7, "a"), OpPos: at(1, 9), Op: ADD,
			Y: &BinaryExpr{X: id(11, "b"), OpPos: at(1, 13), Op: MUL, Y: id(15, "c")}}},
		{"a - b - c", &BinaryExpr{
			X:     &BinaryExpr{X: id(7, "a"), OpPos: at(1, 9), Op: SUB, Y: id(11, "b")},
			OpPos: at(1, 13), Op: SUB, Y: id(15, "c")}},
		{"a ? b : c ? d : e", &CondExpr{Cond: id(7, "a"), Then: id(11, "b"), Quest: at(1, 9),
			Else: &CondExpr{Cond: id(15, "c"), Then: id(19, "d"), Else: id(23, "e"), Quest: at(1, 17)}}},
		{"-x[1].f", &UnaryExpr{OpPos: at(1, 7), Op: SUB, X: &SelectorExpr{
			X: &IndexExpr{X: id(8, "x"), Lbrack: at(1, 9), Index: num(10, 1, "1")}, Sel: id(13, "f")}}},
		{"(a || b) && !c", &BinaryExpr{
			X:     &ParenExpr{Lparen: at(1, 7), X: &BinaryExpr{X: id(8, "a"), OpPos: at(1, 10), Op: LOR, Y: id(13, "b")}},
			OpPos: at(1, 16), Op: LAND,
			Y: &UnaryExpr{OpPos: at(1, 19), Op: NOT, X: id(20, "c")}}},
		{"f() == none", &BinaryExpr{X: &CallExpr{Fun: id(7, "f"), Lparen: at(1, 8), Rparen: at(1, 9)},
			OpPos: at(1, 11), Op: EQL, Y: &NoneLit{NonePos: at(1, 14)}}},
		{"true != false", &BinaryExpr{X: &BoolLit{ValuePos: at(1, 7), Value: true}, OpPos: at(1, 12), Op: NEQ,
			Y: &BoolLit{ValuePos: at(1, 15)}}},
		{"1 << 2 | 3 & 4 ^ 5", &BinaryExpr{
			X:     &BinaryExpr{X: num(7, 1, "1"), OpPos: at(1, 9), Op: SHL, Y: num(12, 2, "2")},
			OpPos: at(1, 14), Op: OR,
			Y: &BinaryExpr{
				X:     &BinaryExpr{X: num(16, 3, "3"), OpPos: at(1, 18), Op: AND, Y: num(20, 4, "4")},
				OpPos: at(1, 22), Op: XOR, Y: num(24, 5, "5")}}},
		{"f(g(1), -2)", &CallExpr{Fun: id(7, "f"), Lparen: at(1, 8), Args: []Expr{
			&CallExpr{Fun: id(9, "g"), Lparen: at(1, 10), Args: []Expr{num(11, 1, "1")}, Rparen: at(1, 12)},
			&UnaryExpr{OpPos: at(1, 15), Op: SUB, X: num(16, 2, "2")},
		}, Rparen: at(1, 17)}},
	}
	for _, tt := range tests {
		f := mustParse(t, "final "+tt.src+";")
		got := f.Decls[0].(*FinalDecl).Cond
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.src, diff)
		}
	}
}

// parenthesize prints x with every operation in parentheses.
func parenthesize(x Expr) string {
	switch x := x.(type) {
	case *BinaryExpr:
		return "(" + parenthesize(x.X) + " " + x.Op.String() + " " + parenthesize(x.Y) + ")"
	case *UnaryExpr:
		return "(" + x.Op.String() + parenthesize(x.X) + ")"
	case *CondExpr:
		return "(" + parenthesize(x.Cond) + " ? " + parenthesize(x.Then) + " : " + parenthesize(x.Else) + ")"
	case *ParenExpr:
		return "[" + parenthesize(x.X) + "]"
	case *IndexExpr:
		return parenthesize(x.X) + "[" + parenthesize(x.Index) + "]"
	case *SelectorExpr:
		return "(" + parenthesize(x.X) + "." + x.Sel.Name + ")"
	case *CallExpr:
		args := make([]string, len(x.Args))
		for i, a := range x.Args {
			args[i] = parenthesize(a)
		}
		return x.Fun.Name + "(" + strings.Join(args, ", ") + ")"
	}
	return ExprString(x)
}

func TestParsePrecedence(t *testing.T) {
	tests := []struct{ src, want string }{
		{"a || b && c", "(a || (b && c))"},
		{"a && b | c", "(a && (b | c))"},
		{"a | b ^ c", "(a | (b ^ c))"},
		{"a ^ b & c", "(a ^ (b & c))"},
		{"a & b == c", "(a & (b == c))"},
		{"a == b < c", "(a == (b < c))"},
		{"a != b <= c", "(a != (b <= c))"},
		{"a > b << c", "(a > (b << c))"},
		{"a >= b >> c", "(a >= (b >> c))"},
		{"a << b + c", "(a << (b + c))"},
		{"a - b * c", "(a - (b * c))"},
		{"a + b / c % d", "(a + ((b / c) % d))"},
		{"-a * b", "((-a) * b)"},
		{"!a.b[c]", "(!(a.b)[c])"},
		{"~-+!x", "(~(-(+(!x))))"},
		{"a * b + c * d", "((a * b) + (c * d))"},
		{"a < b == c > d", "((a < b) == (c > d))"},
		{"a || b ? c : d", "((a || b) ? c : d)"},
		{"a ? b ? c : d : e", "(a ? (b ? c : d) : e)"},
		{"a ? b : c ? d : e", "(a ? b : (c ? d : e))"},
		{"(a + b) * c", "([(a + b)] * c)"},
		{"f(a, b + c)[i].x", "(f(a, (b + c))[i].x)"},
		{"int(x) + cpu(y)", "(int(x) + cpu(y))"},
		{"a - -b", "(a - (-b))"},
	}
	for _, tt := range tests {
		f := mustParse(t, "final "+tt.src+";")
		if got := parenthesize(f.Decls[0].(*FinalDecl).Cond); got != tt.want {
			t.Errorf("%q parsed as %s, want %s", tt.src, got, tt.want)
		}
	}
}

func TestParseSharedType(t *testing.T) {
	f := mustParse(t, "int a, b;")
	if len(f.Decls) != 2 {
		t.Fatalf("got %d declarations, want 2", len(f.Decls))
	}
	if f.Decls[0].(*VarDecl).Type != f.Decls[1].(*VarDecl).Type {
		t.Errorf("declarators do not share their type node")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		src  string
		want string // all errors, one a line
	}{
		{"x = 3;", "t.irq:1:1: expected declaration, found 'x'"},
		{"forever int x;", "t.irq:1:9: expected thread or device after forever, found 'int'"},
		// C habits get errors that say what to write instead.
		{"thread t { }", "t.irq:1:1: a thread is bound to a cpu: write thread NAME on cpu C { } or thread NAME on each cpu { }"},
		{"void f() { }", "t.irq:1:1: irqcheck has no void: a fn without a result is written fn NAME(PARAMS) { }"},
		{"int x = 0777;", "t.irq:1:9: 0777: in C a leading 0 makes an octal literal, and irqcheck has none: write the decimal value, or hex (0x...)"},
		{"thread t on cpu 0 { switch (x) { case 1: break; } }", "t.irq:1:21: irqcheck has no switch: write if (...) { } else if (...) { } else { }"},
		{"thread t on cpu 0 { do { x++; } while (x < 3); }", "t.irq:1:21: irqcheck has no do { } while: write while (true) { ...; if (!(COND)) break; }"},
		{"thread t on cpu 0 { goto out; }", "t.irq:1:21: irqcheck has no goto: write a loop with break or continue, or an fn with return"},
		{"thread t on cpu 0 { unsigned int y; }", "t.irq:1:21: irqcheck's integers are int (32-bit signed) and int[LO..HI]: use a range for an unsigned value"},
		{"unsigned int y;", "t.irq:1:1: irqcheck's integers are int (32-bit signed) and int[LO..HI]: use a range for an unsigned value"},
		{"fn f(unsigned int y) { }", "t.irq:1:6: irqcheck's integers are int (32-bit signed) and int[LO..HI]: use a range for an unsigned value"},
		{"struct s { unsigned int f; }", "t.irq:1:12: irqcheck's integers are int (32-bit signed) and int[LO..HI]: use a range for an unsigned value"},
		{"forever handler h { }", "t.irq:1:9: expected thread or device after forever, found 'handler'"},
		{"liveness x == 1;", "t.irq:1:16: expected '~>' (liveness P ~> Q, always eventually P, or eventually always P), found ';'"},
		{"liveness always eventually;", "t.irq:1:27: expected expression, found ';'"},
		{"liveness p ~> ;", "t.irq:1:15: expected expression, found ';'"},
		{"cover;", "t.irq:1:6: expected expression, found ';'"},
		{"thread t on cpu 0 { x = x ~> 1; }", "t.irq:1:27: expected ';', found '~>'"},
		{";", "t.irq:1:1: expected declaration, found ';'"},
		{"42;", "t.irq:1:1: expected declaration, found '42'"},
		{"cpus 2", "t.irq:1:7: expected ';', found end of file"},
		{"cpus 2 3;", "t.irq:1:8: expected ';', found '3'"},
		{`cpus "two";`, `t.irq:1:6: expected expression, found "two"`},
		{"cpus 2 @;", "t.irq:1:8: invalid character U+0040 '@'"},
		{"cpus symmetric;", "t.irq:1:6: expected expression, found 'symmetric'"},
		{"inflight;", "t.irq:1:9: expected expression, found ';'"},
		{"const = 3;", "t.irq:1:7: expected identifier, found '='"},
		{"const X 3;", "t.irq:1:9: expected '=', found '3'"},
		{"const X = {1};", "t.irq:1:11: expected expression, found '{'"},
		{"struct s { int a, b; }", "t.irq:1:17: expected ';', found ','"},
		{"struct s { int a = 1; }", "t.irq:1:18: expected ';', found '='"},
		{"struct { }", "t.irq:1:8: expected identifier, found '{'"},
		{"struct s { 3 }", "t.irq:1:12: expected type, found '3'"},
		{"int;", "t.irq:1:4: expected identifier, found ';'"},
		{"int x = ;", "t.irq:1:9: expected expression, found ';'"},
		{"int x[] ;", "t.irq:1:7: expected expression, found ']'"},
		{"int x[cpu;", "t.irq:1:10: expected ']', found ';'"},
		{"int[0 3] x;", "t.irq:1:7: expected '..', found '3'"},
		{"x y z;", "t.irq:1:5: expected ';', found 'z'"},
		{"int a = {1: 2};", "t.irq:1:11: expected ',' or '}', found ':'"},
		{"int a = {x: 1, 2};", "t.irq:1:16: expected identifier, found '2'"},
		{"int a = {x: 1 y: 2};", "t.irq:1:15: expected ',' or '}', found 'y'"},
		{"int a = {1, 2;", "t.irq:1:14: expected ',' or '}', found ';'"},
		{"fn f(int) {}", "t.irq:1:9: expected identifier, found ')'"},
		{"fn f(int a int b) {}", "t.irq:1:12: expected ',' or ')', found 'int'"},
		{"fn f(int a,) {}", "t.irq:1:12: expected type, found ')'"},
		{"fn f() 3 {}", "t.irq:1:8: expected type, found '3'"},
		{"fn f() -> {}", "t.irq:1:11: expected type, found '{'"},
		{"fn f() int;", "t.irq:1:11: expected '{', found ';'"},
		{"fn (x) {}", "t.irq:1:4: expected identifier, found '('"},
		{"atomic x", "t.irq:1:8: expected 'fn', found 'x'"},
		{"handler { }", "t.irq:1:9: expected identifier, found '{'"},
		{"handler h x = 1;", "t.irq:1:11: expected '{', found 'x'"},
		{"thread t cpu 0 {}", "t.irq:1:10: expected ';', found 'cpu'"},
		{"int x[thread(1)];", "t.irq:1:13: expected ']', found '('"},
		{"thread t on 0 {}", "t.irq:1:13: expected 'cpu', found '0'"},
		{"thread t on cpu {}", "t.irq:1:17: expected expression, found '{'"},
		{"device {}", "t.irq:1:8: expected identifier, found '{'"},
		{"init ;", "t.irq:1:6: expected '{', found ';'"},
		{"init {", "t.irq:1:7: expected '}', found end of file"},
		{"init { x = 1 }", "t.irq:1:14: expected ';', found '}'"},
		{"init { x = 1 = 2; }", "t.irq:1:14: expected ';', found '='"},
		{"init { x += {1}; }", "t.irq:1:13: expected expression, found '{'"},
		{"init { f(; }", "t.irq:1:10: expected expression, found ';'"},
		{"init { f(a b); }", "t.irq:1:12: expected ',' or ')', found 'b'"},
		{"init { f(a,); }", "t.irq:1:12: expected expression, found ')'"},
		{"init { a.b(); }", "t.irq:1:11: cannot call a.b: only a named function can be called"},
		{"init { f()(); }", "t.irq:1:11: cannot call f(): only a named function can be called"},
		{"init { x.1; }", "t.irq:1:10: expected identifier, found '1'"},
		{"init { else; }", "t.irq:1:8: expected statement, found 'else'"},
		{"init { } }", "t.irq:1:10: expected declaration, found '}'"},
		{"init { int a = ; }", "t.irq:1:16: expected expression, found ';'"},
		{"init { int x }", "t.irq:1:14: expected ';', found '}'"},
		{"init { bool; }", "t.irq:1:12: expected identifier, found ';'"},
		{"init { if x {} }", "t.irq:1:11: expected '(', found 'x'"},
		{"init { if (x {} }", "t.irq:1:14: expected ')', found '{'"},
		{"init { if (x) }", "t.irq:1:15: expected statement, found '}'"},
		{"init { while () {} }", "t.irq:1:15: expected expression, found ')'"},
		{"init { for (i = 0, i < 3; i++) {} }", "t.irq:1:18: expected ';', found ','"},
		{"init { for (;; i++ {} }", "t.irq:1:20: expected ')', found '{'"},
		{"init { for (int a, b;;) {} }", "t.irq:1:18: expected ';', found ','"},
		{"init { await; }", "t.irq:1:13: expected expression, found ';'"},
		{"init { assert x, y; }", "t.irq:1:18: expected string, found 'y'"},
		{"init { assert x \"m\"; }", "t.irq:1:17: expected ';', found \"m\""},
		{"init { atomic x; }", "t.irq:1:15: expected '{', found 'x'"},
		{"init { atomic fn f() {} }", "t.irq:1:15: expected '{', found 'fn'"},
		{"init { either { } }", "t.irq:1:19: expected 'or', found '}'"},
		{"init { either { } or x; }", "t.irq:1:22: expected '{', found 'x'"},
		{"init { choose x 0..3; }", "t.irq:1:17: expected 'in', found '0'"},
		{"init { choose x in 0 3; }", "t.irq:1:22: expected '..', found '3'"},
		{"init { return }", "t.irq:1:15: expected expression, found '}'"},
		{"init { break }", "t.irq:1:14: expected ';', found '}'"},
		{"init { x ? y; }", "t.irq:1:13: expected ':', found ';'"},
		{"init { (x; }", "t.irq:1:10: expected ')', found ';'"},
		{"init { a[1; }", "t.irq:1:11: expected ']', found ';'"},
		{"init { x = 1; final y; }", "t.irq:1:15: expected '}', found 'final'"},
		{"init { int; }", "t.irq:1:11: expected identifier, found ';'"},
		{"invariant x: ;", "t.irq:1:14: expected expression, found ';'"},
		{"invariant x", "t.irq:1:12: expected ';', found end of file"},
		{"final a b;", "t.irq:1:9: expected ';', found 'b'"},
		{"int x = 99999999999999999999;", "t.irq:1:9: integer literal 99999999999999999999 overflows int64"},
		{"/* x", "t.irq:1:1: comment not terminated"},
		{"init { assert x, \"abc; }", "t.irq:1:18: string literal not terminated"},
		{"cpus 2;\nint x = 1\nhandler h {}", "t.irq:3:1: expected ';', found 'handler'"},
		{"cpus 2\nint x;", "t.irq:2:1: expected ';', found 'int'"},
	}
	for _, tt := range tests {
		f, err := ParseFile("t.irq", []byte(tt.src))
		if f == nil {
			t.Errorf("%q: nil file", tt.src)
		}
		list, ok := err.(ErrorList)
		if !ok || len(list) == 0 {
			t.Errorf("%q: error %v (%T), want an ErrorList", tt.src, err, err)
			continue
		}
		var got []string
		for _, e := range list {
			got = append(got, e.Error())
		}
		if g := strings.Join(got, "\n"); g != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.src, g, tt.want)
		}
	}
}

// TestParseRecovery checks that several errors are reported, one per bad
// statement or declaration, and that the good declarations survive.
func TestParseRecovery(t *testing.T) {
	src := `cpus 2
int x;
handler h {
  x = ;
  y = 1;
  if (x { z = 1; }
  w = 2
}
fn f( {}
final x == 1;
`
	f, err := ParseFile("t.irq", []byte(src))
	want := []string{
		"t.irq:2:1: expected ';', found 'int'",
		"t.irq:4:7: expected expression, found ';'",
		"t.irq:6:9: expected ')', found '{'",
		"t.irq:8:1: expected ';', found '}'",
		"t.irq:9:7: expected type, found '{'",
	}
	var got []string
	if list, ok := err.(ErrorList); ok {
		for _, e := range list {
			got = append(got, e.Error())
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	wantDecls := []Decl{
		&VarDecl{Type: &NamedType{NamePos: at(2, 1), Name: "int"}, Name: &Ident{NamePos: at(2, 5), Name: "x"}},
		&HandlerDecl{HandlerPos: at(3, 1), Name: &Ident{NamePos: at(3, 9), Name: "h"}, Body: &BlockStmt{
			Lbrace: at(3, 11),
			Stmts: []Stmt{&AssignStmt{
				LHS: &Ident{NamePos: at(5, 3), Name: "y"}, TokPos: at(5, 5), Op: ASSIGN,
				RHS: &IntLit{ValuePos: at(5, 7), Value: 1, Raw: "1"},
			}},
			Rbrace: at(8, 1),
		}},
		&FinalDecl{FinalPos: at(10, 1), Cond: &BinaryExpr{
			X: &Ident{NamePos: at(10, 7), Name: "x"}, OpPos: at(10, 9), Op: EQL,
			Y: &IntLit{ValuePos: at(10, 12), Value: 1, Raw: "1"},
		}},
	}
	if diff := cmp.Diff(wantDecls, f.Decls); diff != "" {
		t.Errorf("surviving declarations (-want +got):\n%s", diff)
	}
}

func TestParseErrorLimit(t *testing.T) {
	src := strings.Repeat("x;\n", 30)
	_, err := ParseFile("t.irq", []byte(src))
	list, ok := err.(ErrorList)
	if !ok || len(list) != maxErrors {
		t.Fatalf("got %d errors (%v), want %d", len(list), err, maxErrors)
	}
	want := "t.irq:1:1: expected declaration, found 'x' (and 9 more errors)"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if last := list[len(list)-1].Pos; last != at(10, 1) {
		t.Errorf("last error at %v, want t.irq:10:1", last)
	}
}

// TestParseDeepNesting checks that absurd nesting is an error, not a stack
// overflow.
func TestParseDeepNesting(t *testing.T) {
	const n = 100000
	tests := map[string]string{
		"parens":    "final " + strings.Repeat("(", n) + "x" + strings.Repeat(")", n) + ";",
		"unary":     "final " + strings.Repeat("- ", n) + "x;",
		"not":       "final " + strings.Repeat("!", n) + "x;",
		"cond":      "final " + strings.Repeat("a ? b : ", n) + "c;",
		"cond then": "final " + strings.Repeat("a ? ", n) + "b" + strings.Repeat(" : c", n) + ";",
		"index":     "final a" + strings.Repeat("[a", n) + strings.Repeat("]", n) + ";",
		"call":      "final " + strings.Repeat("f(", n) + strings.Repeat(")", n) + ";",
		"blocks":    "init " + strings.Repeat("{", n) + strings.Repeat("}", n),
		"ifs":       "init { " + strings.Repeat("if (x) ", n) + "; }",
		"else ifs":  "init { if (x) ;" + strings.Repeat(" else if (x) ;", n) + " }",
		"whiles":    "init { " + strings.Repeat("while (x) ", n) + "; }",
		"atomics":   "init { " + strings.Repeat("atomic {", n) + strings.Repeat("}", n) + " }",
		"composite": "int x = " + strings.Repeat("{", n) + strings.Repeat("}", n) + ";",
		"unclosed":  "init " + strings.Repeat("{", n),
	}
	for name, src := range tests {
		_, err := ParseFile("t.irq", []byte(src))
		list, ok := err.(ErrorList)
		if !ok || len(list) == 0 {
			t.Errorf("%s: error %v, want an ErrorList", name, err)
			continue
		}
		if !strings.Contains(err.Error(), "exceeded max nesting depth") {
			t.Errorf("%s: %v, want exceeded max nesting depth", name, err)
		}
	}
	// Long flat sequences are not nesting.
	flat := map[string]string{
		"sum":   "final x" + strings.Repeat(" + x", n) + ";",
		"stmts": "init {" + strings.Repeat(" x++;", n) + " }",
		"elems": "int a[2] = {" + strings.Repeat("1, ", n) + "};",
		"index": "final a" + strings.Repeat("[0]", n) + ";",
		"field": "final a" + strings.Repeat(".b", n) + ";",
	}
	for name, src := range flat {
		if _, err := ParseFile("t.irq", []byte(src)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Nesting just under the limit is fine.
	src := "final " + strings.Repeat("(", maxDepth/2-2) + "x" + strings.Repeat(")", maxDepth/2-2) + ";"
	if _, err := ParseFile("t.irq", []byte(src)); err != nil {
		t.Errorf("%d parentheses: %v", maxDepth/2-2, err)
	}
}

func TestErrorList(t *testing.T) {
	var l ErrorList
	if l.Err() != nil {
		t.Errorf("empty list: Err() = %v, want nil", l.Err())
	}
	l.Add(Pos{"b", 1, 1}, "z")
	l.Add(Pos{"a", 2, 5}, "y")
	l.Add(Pos{"a", 2, 3}, "x")
	l.Add(Pos{"a", 1, 9}, "w")
	l.Add(Pos{"a", 2, 3}, "v")
	l.Sort()
	var got []string
	for _, e := range l {
		got = append(got, e.Error())
	}
	want := []string{"a:1:9: w", "a:2:3: v", "a:2:3: x", "a:2:5: y", "b:1:1: z"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sorted (-want +got):\n%s", diff)
	}
	if got, want := l.Err().Error(), "a:1:9: w (and 4 more errors)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := l[:2].Error(), "a:1:9: w (and 1 more error)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := l[:1].Error(), "a:1:9: w"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	for _, tt := range []struct {
		e    Error
		want string
	}{
		{Error{Pos{"", 3, 4}, "m"}, "3:4: m"},
		{Error{Pos{"f", 0, 0}, "m"}, "f: m"},
		{Error{Pos{}, "m"}, "m"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%#v.Error() = %q, want %q", tt.e, got, tt.want)
		}
	}
}

// Keywords may name struct fields: the UPID of DESIGN.md has a field "on".
func TestKeywordFieldNames(t *testing.T) {
	src := `cpus 1;
struct upid { bool on; int in; cpu cpu; }
upid u = { on: true, in: 1, cpu: 0 };
thread t on cpu 0 { u.on = false; u.in = u.in + 1; }`
	f, err := ParseFile("kw.irq", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	sd := f.Decls[1].(*StructDecl)
	var names []string
	for _, fd := range sd.Fields {
		names = append(names, fd.Name.Name)
	}
	if got := strings.Join(names, ","); got != "on,in,cpu" {
		t.Errorf("fields %s, want on,in,cpu", got)
	}
	body := f.Decls[3].(*ThreadDecl).Body
	if got := StmtHeadline(body.Stmts[0]); got != "u.on = false" {
		t.Errorf("headline %q", got)
	}
}
