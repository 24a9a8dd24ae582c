package syntax

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that ParseFile never panics and always reports either a
// file or well-formed errors; and that printing the expressions of a parsed
// file gives text that parses and prints the same again.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.irq")
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, s := range []string{
		"", "cpus 2;", "const OLD = 0x10; const NEW = 0x20;", "struct s { int a[2]; bool b[cpu]; };",
		"int[0..3] x = 1, y[thread] = {};", "msi_msg msg = { addr: 0, data: {1, 2,}, };",
		"atomic fn f(cpu c, int n) -> bool { return c == cpu(n) ? true : false; }",
		"handler h { either { x++; } or { choose x in 0..3; } }",
		"init { for (int i = 0; i < 3; i++) { if (a[i]) break; else continue; } }",
		"thread t on cpu 0 { atomic { await !l; l = true; } assert x, \"m\\n\"; }",
		"invariant i: x >= 0; final y; final f: -~!+x;", "device d { send_ipi(msg.addr, msg.data); }",
		"final a.b();", "init { x = 1 }", "/* unterminated", "\"unterminated", "int x = 0x;",
		"9223372036854775808", "fn f(", "init { if (", "{{{{", "((((", "é", "\xff", "0..3", "a->b",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := ParseFile("fuzz.irq", src)
		if file == nil {
			t.Fatalf("nil file (error %v)", err)
		}
		if err != nil {
			list, ok := err.(ErrorList)
			if !ok {
				t.Fatalf("error of type %T, want ErrorList", err)
			}
			if len(list) == 0 || len(list) > maxErrors {
				t.Fatalf("%d errors", len(list))
			}
			for _, e := range list {
				if e.Pos.Line < 1 || e.Pos.Col < 1 || e.Pos.File != "fuzz.irq" {
					t.Errorf("bad position %v for %q", e.Pos, e.Msg)
				}
				if e.Msg == "" || strings.Contains(e.Msg, "internal error") {
					t.Errorf("bad message %q", e.Msg)
				}
			}
			return
		}
		// A good file: every expression must print as text that parses
		// back and prints the same, and every statement must have a
		// one-line headline.
		walkExprs(file, func(e Expr) {
			if _, ok := e.(*CompositeLit); ok {
				return
			}
			if id, ok := e.(*Ident); ok && Lookup(id.Name).IsKeyword() {
				return
			}
			s1 := ExprString(e)
			f2, err := ParseFile("fuzz.irq", []byte("final "+s1+";"))
			if err != nil {
				t.Fatalf("printed expression %q does not parse: %v", s1, err)
			}
			if s2 := ExprString(f2.Decls[0].(*FinalDecl).Cond); s1 != s2 {
				t.Fatalf("%q prints as %q", s1, s2)
			}
		})
		walkNodes(file, func(n Node) {
			if s, ok := n.(Stmt); ok {
				if h := StmtHeadline(s); h == "" || strings.Contains(h, "\n") {
					t.Fatalf("bad headline %q", h)
				}
			}
		})
	})
}
