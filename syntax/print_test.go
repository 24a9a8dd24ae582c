package syntax

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// parseExpr parses src as the condition of a final declaration.
func parseExpr(t *testing.T, src string) Expr {
	t.Helper()
	f, err := ParseFile("t.irq", []byte("final "+src+";"))
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	return f.Decls[0].(*FinalDecl).Cond
}

func TestExprString(t *testing.T) {
	tests := []struct{ src, want string }{
		{"x", "x"},
		{"0x10", "0x10"},
		{"0b1_0", "0b1_0"},
		{"true", "true"},
		{"false", "false"},
		{"none", "none"},
		{"a+b*c", "a + b * c"},
		{"(a+b)*c", "(a + b) * c"},
		{"((x))", "((x))"},
		{"a-(b-c)", "a - (b - c)"},
		{"-x", "-x"},
		{"- -x", "- -x"},
		{"-(-x)", "-(-x)"},
		{"+ +x", "+ +x"},
		{"-+x", "-+x"},
		{"!locked", "!locked"},
		{"~ MASK & 0xff", "~MASK & 0xff"},
		{"a?b:c?d:e", "a ? b : c ? d : e"},
		{"a ? b ? c : d : e", "a ? b ? c : d : e"},
		{"(a ? b : c) ? d : e", "(a ? b : c) ? d : e"},
		{"msg . addr", "msg.addr"},
		{"a [ i ] [ j ].f", "a[i][j].f"},
		{"send_ipi( t , CALL )", "send_ipi(t, CALL)"},
		{"f()", "f()"},
		{"int(x) + cpu(1)", "int(x) + cpu(1)"},
	}
	for _, tt := range tests {
		if got := ExprString(parseExpr(t, tt.src)); got != tt.want {
			t.Errorf("ExprString(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
	if got := ExprString(nil); got != "" {
		t.Errorf("ExprString(nil) = %q", got)
	}
}

// TestExprStringSynthetic prints trees that did not come from the parser,
// where ExprString must add the parentheses the tree needs.
func TestExprStringSynthetic(t *testing.T) {
	a, b, c := &Ident{Name: "a"}, &Ident{Name: "b"}, &Ident{Name: "c"}
	bin := func(x Expr, op Token, y Expr) Expr { return &BinaryExpr{X: x, Op: op, Y: y} }
	tests := []struct {
		x    Expr
		want string
	}{
		{bin(bin(a, ADD, b), MUL, c), "(a + b) * c"},
		{bin(a, MUL, bin(b, ADD, c)), "a * (b + c)"},
		{bin(a, SUB, bin(b, SUB, c)), "a - (b - c)"},
		{bin(bin(a, SUB, b), SUB, c), "a - b - c"},
		{bin(a, LOR, bin(b, LAND, c)), "a || b && c"},
		{bin(bin(a, LOR, b), LAND, c), "(a || b) && c"},
		{&UnaryExpr{Op: SUB, X: bin(a, ADD, b)}, "-(a + b)"},
		{&UnaryExpr{Op: SUB, X: &UnaryExpr{Op: SUB, X: a}}, "- -a"},
		{&UnaryExpr{Op: ADD, X: &UnaryExpr{Op: ADD, X: a}}, "+ +a"},
		{&UnaryExpr{Op: SUB, X: &IntLit{Value: -3}}, "-(-3)"},
		{&UnaryExpr{Op: NOT, X: &CondExpr{Cond: a, Then: b, Else: c}}, "!(a ? b : c)"},
		{&CondExpr{Cond: &CondExpr{Cond: a, Then: b, Else: c}, Then: a, Else: b}, "(a ? b : c) ? a : b"},
		{&CondExpr{Cond: bin(a, LOR, b), Then: &CondExpr{Cond: a, Then: b, Else: c}, Else: &CondExpr{Cond: a, Then: b, Else: c}},
			"a || b ? a ? b : c : a ? b : c"},
		{bin(&CondExpr{Cond: a, Then: b, Else: c}, ADD, a), "(a ? b : c) + a"},
		{&IndexExpr{X: bin(a, ADD, b), Index: c}, "(a + b)[c]"},
		{&SelectorExpr{X: &UnaryExpr{Op: NOT, X: a}, Sel: b}, "(!a).b"},
		{&IndexExpr{X: &CallExpr{Fun: &Ident{Name: "f"}}, Index: &IntLit{Value: 7}}, "f()[7]"},
		{&CompositeLit{Elems: []Expr{}}, "{}"},
		{&CompositeLit{Elems: []Expr{a, &CompositeLit{Elems: []Expr{b}}}}, "{a, {b}}"},
		{&CompositeLit{Fields: []*KeyValue{{Key: a, Value: b}, {Key: c, Value: &IntLit{Raw: "0x1"}}}}, "{a: b, c: 0x1}"},
	}
	for _, tt := range tests {
		if got := ExprString(tt.x); got != tt.want {
			t.Errorf("ExprString = %q, want %q", got, tt.want)
		}
	}
}

func TestTypeString(t *testing.T) {
	tests := map[string]string{
		"bool":             "bool",
		"int":              "int",
		"cpu":              "cpu",
		"thread":           "thread",
		"msi_msg":          "msi_msg",
		"int[0..3]":        "int[0..3]",
		"int [ 0 .. N-1 ]": "int[0..N - 1]",
	}
	for src, want := range tests {
		f, err := ParseFile("t.irq", []byte(src+" x;"))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if got := TypeString(f.Decls[0].(*VarDecl).Type); got != want {
			t.Errorf("TypeString(%q) = %q, want %q", src, got, want)
		}
	}
	if got := TypeString(nil); got != "" {
		t.Errorf("TypeString(nil) = %q", got)
	}
}

func TestStmtHeadline(t *testing.T) {
	tests := []struct{ src, want string }{
		{"msg.addr = 1;", "msg.addr = 1"},
		{"ran++;", "ran++"},
		{"x--;", "x--"},
		{"x <<= 2;", "x <<= 2"},
		{"q = { lo: 1, hi: {0, 0} };", "q = {lo: 1, hi: {0, 0}}"},
		{"await !locked;", "await !locked"},
		{"await (x);", "await (x)"},
		{`assert x == 1, "msg";`, `assert x == 1, "msg"`},
		{`assert x, "say \"hi\"\n";`, `assert x, "say \"hi\"\n"`},
		{"assert ok;", "assert ok"},
		{"send_ipi(t, CALL);", "send_ipi(t, CALL)"},
		{"int x = 3;", "int x = 3"},
		{"bool seen[cpu][4];", "bool seen[cpu][4]"},
		{"int[0..3] lvl;", "int[0..3] lvl"},
		{"thread t = none;", "thread t = none"},
		{"return x;", "return x"},
		{"return;", "return"},
		{"break;", "break"},
		{"continue;", "continue"},
		{";", ";"},
		{"choose x in 0..3;", "choose x in 0..3"},
		{"if (queued) { queued = false; }", "if (queued)"},
		{"if (a) x++; else y++;", "if (a)"},
		{"while (x < 3) x++;", "while (x < 3)"},
		{"for (int i = 0; i < 3; i++) {}", "for (int i = 0; i < 3; i++)"},
		{"for (;;) {}", "for (;;)"},
		{"for (; i < 3;) {}", "for (; i < 3;)"},
		{"for (i = 0;;) {}", "for (i = 0;;)"},
		{"either { a(); } or { b(); }", "either"},
		{"atomic { x = 1; y = 2; }", "atomic { x = 1; y = 2; }"},
		{"atomic {}", "atomic {}"},
		{"atomic { if (a) { b = 1; } else c--; }", "atomic { if (a) { b = 1; } else c--; }"},
		{"atomic { either { a(); } or { b(); } }", "atomic { either { a(); } or { b(); } }"},
		{"atomic { for (;;) { ; } }", "atomic { for (;;) { ; } }"},
		{"atomic { while (x) x--; }", "atomic { while (x) x--; }"},
		{"atomic { last = this_thread(); done[last] = true; n = n + 1; }", "atomic { last = this_thread(); ... }"},
		{"atomic { if (a_long_condition_name) { b = 1; } else { c = 2; d = 3; } }", "atomic { if (a_long_condition_name) ... }"},
		{"{ x = 1; }", "{ x = 1; }"},
		{"{ int x = 1; atomic { y = 2; } z = a_much_longer_name_than_the_others; }", "{ int x = 1; ... }"},
	}
	for _, tt := range tests {
		f, err := ParseFile("t.irq", []byte("init { "+tt.src+" }"))
		if err != nil {
			t.Fatalf("%q: %v", tt.src, err)
		}
		stmts := f.Decls[0].(*InitDecl).Body.Stmts
		if len(stmts) != 1 {
			t.Fatalf("%q: %d statements", tt.src, len(stmts))
		}
		if got := StmtHeadline(stmts[0]); got != tt.want {
			t.Errorf("StmtHeadline(%q) = %q, want %q", tt.src, got, tt.want)
		}
		if got := StmtHeadline(stmts[0]); len(got) > maxHeadline+40 || strings.Contains(got, "\n") {
			t.Errorf("StmtHeadline(%q) = %q: too long or not one line", tt.src, got)
		}
	}
	if got := StmtHeadline(nil); got != "" {
		t.Errorf("StmtHeadline(nil) = %q", got)
	}
}

// TestRoundTrip prints every expression of every test model and of a list
// of tricky ones, parses the text again and checks that it prints the same.
func TestRoundTrip(t *testing.T) {
	exprs := []string{
		"- -x", "-(-x)", "+ +1", "a - -b", "a + +b", "!(!a)", "~~x", "a ? b ? c : d : e ? f : g",
		"(a ? b : c) ? d : e", "a < b == c >= d", "1 << 2 >> 3", "f(g(h(1)), a[b[c]].d)",
		"int(x) * cpu(y % 2)", "0x_1F + 0b1_0 - 1_000", "((a))", "a || b && c | d ^ e & f",
	}
	files, _ := filepath.Glob("testdata/*.irq")
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseFile(name, src)
		if err != nil {
			t.Fatal(err)
		}
		walkExprs(f, func(e Expr) {
			switch e := e.(type) {
			case *CompositeLit:
				return // not an expression on its own
			case *Ident:
				if Lookup(e.Name).IsKeyword() {
					return // the int of int(x)
				}
			}
			exprs = append(exprs, ExprString(e))
		})
	}
	if len(exprs) < 100 {
		t.Fatalf("only %d expressions to round-trip", len(exprs))
	}
	for _, src := range exprs {
		first := ExprString(parseExpr(t, src))
		second := ExprString(parseExpr(t, first))
		if first != second {
			t.Errorf("%q prints as %q, which prints as %q", src, first, second)
		}
	}
}
