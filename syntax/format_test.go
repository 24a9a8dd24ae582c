package syntax

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// formatTests are models and their canonical layout. FuzzFormat starts
// from them too.
var formatTests = []struct {
	name, in, want string
}{
	{"empty", "", ""},
	{"only space", " \n\n\t\n", ""},
	{"spacing", "cpus 2;int x=1+2*3;final x==7&&!(x<0)?true:false;",
		"cpus 2;\nint x = 1 + 2 * 3;\nfinal x == 7 && !(x < 0) ? true : false;\n"},
	{"unary operators kept apart", "final - -x + - (-x) - ~x;", "final - -x + -(-x) - ~x;\n"},
	{"literals as written", "const A = 0X1_0 + 0b1_0 + 1_000;", "const A = 0X1_0 + 0b1_0 + 1_000;\n"},
	{"one statement a line", "init { x = 1; x++; }\ninit {\n    x = 1; x++; x += 2;\n}\n",
		"init { x = 1; x++; }\ninit {\n    x = 1;\n    x++;\n    x += 2;\n}\n"},
	{"indentation", "init {\n\tif (x == 0) {\n\t  x = 1;\n\t}\n}\n",
		"init {\n    if (x == 0) {\n        x = 1;\n    }\n}\n"},
	{"blank lines", "cpus 1;\n\n\nint x;\nint y;\n\ninit {\n\n    x = 1;\n\n\n    x = 2;\n\n}\n\n\n",
		"cpus 1;\n\nint x;\nint y;\n\ninit {\n    x = 1;\n\n    x = 2;\n}\n"},
	{"comments before and after declarations", "// about cpus\ncpus 1; // trailing\n\n/* about x */\nint x;\n// at the end\n",
		"// about cpus\ncpus 1; // trailing\n\n/* about x */\nint x;\n// at the end\n"},
	{"comments only", "// just a comment\n\n\n/* and another */", "// just a comment\n\n/* and another */\n"},
	{"trailing comments aligned",
		"int a; // a\nint bbbbbb; // b\n\nint c; // c\ninit {\n    a = 1; // one\n    bbbbbb = 22; // two\n    if (a == 1) { // three\n        c = 3; // four\n    }\n}\n",
		"int a;      // a\nint bbbbbb; // b\n\nint c; // c\ninit {\n    a = 1;        // one\n    bbbbbb = 22;  // two\n    if (a == 1) { // three\n        c = 3; // four\n    }\n}\n"},
	{"a much longer line is aligned alone",
		"int a = 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12; // long\nint b; // short\nint cc; // short too\n",
		"int a = 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12; // long\nint b;  // short\nint cc; // short too\n"},
	{"a comment line ends a section", "int a; // a\n// own\nint bbbbbb; // b\n", "int a; // a\n// own\nint bbbbbb; // b\n"},
	{"comments inside statements",
		"init {\n    x = x + // why\n        1;\n    x = (x /* inside */) * 2;\n    x = f(/* first */ 1, 2 /* second */);\n}\n",
		"init {\n    x = x + // why\n        1;\n    x = (x /* inside */) * 2;\n    x = f(/* first */ 1, 2 /* second */);\n}\n"},
	{"an own-line comment inside a call", "init { f(0,\n// the cpu\n1); }",
		"init {\n    f(0,\n        // the cpu\n        1);\n}\n"},
	{"a comment before the semicolon", "cpus 2 /* two */;int x = 1 /* one */ ;", "cpus 2 /* two */;\nint x = 1 /* one */;\n"},
	{"a comment in front of a statement", "init {\n    /* first */ x = 1;\n    /* a */ /* b */ y = 2;\n}\n",
		"init {\n    /* first */ x = 1;\n    /* a */ /* b */ y = 2;\n}\n"},
	{"a comment between statements of a line", "init {\n    x = 1; /* one */ y = 2; // two\n}\n",
		"init {\n    x = 1; /* one */\n    y = 2; // two\n}\n"},
	{"comments at the edges of a block", "init { // opens\n\n    // first\n    x = 1;\n    // last\n\n}\n",
		"init { // opens\n    // first\n    x = 1;\n    // last\n}\n"},
	{"a comment opens a one-line block", "init { x = 1; /* why */ }", "init {\n    x = 1; /* why */\n}\n"},
	{"multi-line block comments",
		"init {\n\t/* two\n\t   lines */\n    x = 1;   /* also\n  two */\n}\n",
		"init {\n    /* two\n\t   lines */\n    x = 1; /* also\n  two */\n}\n"},
	{"comment trailing white space", "cpus 1;   // spaces   \n/* a block   \n   comment   */\n",
		"cpus 1; // spaces\n/* a block\n   comment   */\n"},
	{"crlf and tabs", "cpus 1;\r\nint x;\t// tab\r\ninit {\r\n\tx = 1;\r\n}\r\n", "cpus 1;\nint x; // tab\ninit {\n    x = 1;\n}\n"},
	{"else on the line of the closing brace",
		"init {\n    if (x == 0) {\n        x = 1;\n    }\n    else if (x == 1) {\n        x = 2;\n    }\n    else x = 3;\n    if (x) { x = 1; }\n    else { x = 2; }\n}\n",
		"init {\n    if (x == 0) {\n        x = 1;\n    } else if (x == 1) {\n        x = 2;\n    } else x = 3;\n    if (x) { x = 1; } else { x = 2; }\n}\n"},
	{"bodies stay where they are",
		"init {\n    if (x == 0) x = 1; else x = 2;\n    if (x == 0)\n        x = 1;\n    else\n        x = 2;\n    for (int i = 0; i < 2; i++)\n    x++;\n    while (x) // spin\n        x--;\n}\n",
		"init {\n    if (x == 0) x = 1; else x = 2;\n    if (x == 0)\n        x = 1;\n    else\n        x = 2;\n    for (int i = 0; i < 2; i++)\n        x++;\n    while (x) // spin\n        x--;\n}\n"},
	{"either", "init {\n    either {\n        x = 1;\n    }\n    or { x = 2; }\n    either { x = 3; } or { }\n}\n",
		"init {\n    either {\n        x = 1;\n    } or { x = 2; }\n    either { x = 3; } or {}\n}\n"},
	{"one-line blocks stay on one line",
		"fn f() int { return 1; }\nforever thread t on each cpu { while (true) atomic { x = 1; x = 0; } }\nhandler h {\n}\n",
		"fn f() int { return 1; }\nforever thread t on each cpu { while (true) atomic { x = 1; x = 0; } }\nhandler h {\n}\n"},
	{"structs", "struct a { int x; bool y[cpu]; };\nstruct b {\n    int x;   // x\n    cpu c;\n\n    int[0..3] r;\n    /* end */\n}\nstruct e { }",
		"struct a { int x; bool y[cpu]; }\nstruct b {\n    int x; // x\n    cpu c;\n\n    int[0..3] r;\n    /* end */\n}\nstruct e {}\n"},
	{"variables declared together", "bool a[cpu],b=true;\ninit { int i = 0, j; for (int k = 0; k < 2; k++) { i += k; } }",
		"bool a[cpu], b = true;\ninit { int i = 0, j; for (int k = 0; k < 2; k++) { i += k; } }\n"},
	{"composite literals", "s one = {a: 1, b: {}};\nint grid[2][2] = {\n    {1, 2}, {3, 4} // rows\n};\n",
		"s one = { a: 1, b: {} };\nint grid[2][2] = {\n    { 1, 2 },\n    { 3, 4 }, // rows\n};\n"},
	{"fn result without arrow", "atomic fn f(int a,cpu c)->bool{return a==0;}", "atomic fn f(int a, cpu c) bool { return a == 0; }\n"},
	{"labels and liveness",
		"invariant ok:x>=0;\nfinal x == 0;\ncover seen : x == 1;\nliveness p: x == 1 ~> x == 0;\nliveness always eventually x == 0;\nliveness settles: eventually always x == 0;\n",
		"invariant ok: x >= 0;\nfinal x == 0;\ncover seen: x == 1;\nliveness p: x == 1 ~> x == 0;\nliveness always eventually x == 0;\nliveness settles: eventually always x == 0;\n"},
	{"declarations of every kind",
		"cpus 2 symmetric except 0,1;\ninflight 4;\nconst int N = 0x1_0;\ndevice d { send_ipi(cpu(1), N); }\nforever device tick { }\nthread t on cpu 1 { await x; }\nhandler h { x = this_vector; }\ninit{choose x in 0 .. NCPUS-1;assert x >= 0, \"x\\t\\\"y\\\"\";return;}",
		"cpus 2 symmetric except 0, 1;\ninflight 4;\nconst int N = 0x1_0;\ndevice d { send_ipi(cpu(1), N); }\nforever device tick {}\nthread t on cpu 1 { await x; }\nhandler h { x = this_vector; }\ninit { choose x in 0..NCPUS - 1; assert x >= 0, \"x\\t\\\"y\\\"\"; return; }\n"},
	{"keywords as field names", "init{upid={on:1};}final upid.on;", "init { upid = { on: 1 }; }\nfinal upid.on;\n"},
}

func TestFormat(t *testing.T) {
	for _, tc := range formatTests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Format("t.irq", []byte(tc.in))
			if err != nil {
				t.Fatalf("Format: %v", err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("Format(%q) (-want +got):\n%s", tc.in, diff)
			}
			again, err := Format("t.irq", got)
			if err != nil || string(again) != string(got) {
				t.Errorf("not a fixed point (%v):\n%s", err, again)
			}
		})
	}
}

func TestFormatSyntaxError(t *testing.T) {
	for _, src := range []string{"cpus 2", "init { x = ; }", "/* open", "int x = 0x;", "é"} {
		out, err := Format("bad.irq", []byte(src))
		var list ErrorList
		if !errors.As(err, &list) || out != nil {
			t.Errorf("Format(%q) = %q, %v; want no output and an ErrorList", src, out, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "bad.irq:1:") {
			t.Errorf("Format(%q): error %q, want bad.irq:1:col: message", src, err)
		}
	}
}

// formatInputs lists the models Format is tested on: the catalog, the
// examples, the command's test models and the syntax package's own.
func formatInputs(t *testing.T) []string {
	var files []string
	for _, pattern := range []string{"../catalog/models/*.irq", "../examples/*.irq", "../cmd/irqcheck/testdata/check/*.irq", "testdata/*.irq", "testdata/format/*.irq"} {
		m, err := filepath.Glob(pattern)
		if err != nil || len(m) == 0 {
			t.Fatalf("no models in %s: %v", pattern, err)
		}
		files = append(files, m...)
	}
	return files
}

var dumpPos = regexp.MustCompile(`\b[0-9]+:[0-9]+\b`)

// TestFormatModels formats every model and checks that the result is a
// fixed point, parses to the same tree (positions aside) and holds the
// same comments in the same order.
func TestFormatModels(t *testing.T) {
	comments := 0
	for _, name := range formatInputs(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			f, err := ParseFileMode(name, src, ParseComments)
			if err != nil {
				if _, ferr := Format(name, src); ferr == nil {
					t.Errorf("formatted a model with a syntax error (%v)", err)
				}
				return // syntax_error.irq
			}
			out, err := Format(name, src)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Format(name, out)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(out), string(again)); diff != "" {
				t.Errorf("not a fixed point (-first +second):\n%s", diff)
			}
			g, err := ParseFileMode(name, out, ParseComments)
			if err != nil {
				t.Fatalf("the formatted model does not parse: %v", err)
			}
			if diff := cmp.Diff(dumpPos.ReplaceAllString(dump(f.Decls), "-"), dumpPos.ReplaceAllString(dump(g.Decls), "-")); diff != "" {
				t.Errorf("the formatted model has another tree (-want +got):\n%s", diff)
			}
			var want, got []string
			for _, c := range f.Comments {
				want = append(want, CommentText(c.Text))
			}
			for _, c := range g.Comments {
				got = append(got, c.Text)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("comments differ (-want +got):\n%s", diff)
			}
			comments += len(want)
		})
	}
	if comments < 500 {
		t.Errorf("only %d comments in all the models", comments)
	}
}

// TestFormatGolden compares the formatted models of testdata and
// testdata/format with testdata/format/NAME.golden. Run with -update to
// rewrite them.
func TestFormatGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.irq")
	more, _ := filepath.Glob("testdata/format/*.irq")
	files = append(files, more...)
	if len(more) == 0 {
		t.Fatal("no models in testdata/format")
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Format(filepath.Base(name), src)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata/format", strings.TrimSuffix(filepath.Base(name), ".irq")+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("formatted %s differs from %s (-want +got):\n%s", name, golden, diff)
			}
		})
	}
}

func TestScanComments(t *testing.T) {
	src := "a // one\n/* two\n */ b /**/"
	var s Scanner
	s.Init("t.irq", []byte(src), nil)
	s.Mode = ScanComments
	var got []scanned
	for {
		pos, tok, lit := s.Scan()
		got = append(got, scanned{pos.String(), tok, lit})
		if tok == EOF {
			break
		}
	}
	want := []scanned{
		{"t.irq:1:1", IDENT, "a"}, {"t.irq:1:3", COMMENT, "// one"}, {"t.irq:2:1", COMMENT, "/* two\n */"},
		{"t.irq:3:5", IDENT, "b"}, {"t.irq:3:7", COMMENT, "/**/"}, {"t.irq:3:11", EOF, ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tokens (-want +got):\n%s", diff)
	}
	// Without the mode, the same source has no COMMENT.
	toks, _ := scanAll(src)
	for _, tk := range toks {
		if tk.Tok == COMMENT {
			t.Errorf("COMMENT without ScanComments: %v", tk)
		}
	}
	// An unterminated comment is reported, and returned.
	var errs []string
	s.Init("t.irq", []byte("/* open"), func(pos Pos, msg string) { errs = append(errs, pos.String()+": "+msg) })
	s.Mode = ScanComments
	if _, tok, lit := s.Scan(); tok != COMMENT || lit != "/* open" || len(errs) != 1 {
		t.Errorf("unterminated: %v %q, errors %v", tok, lit, errs)
	}
}

func TestParseComments(t *testing.T) {
	// The thread declaration makes the parser look ahead past comments.
	src := "// head\ncpus 1; /* a */\nthread /* b */ t /* c */ on cpu 0 { } // d\n"
	f, err := ParseFileMode("t.irq", []byte(src), ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range f.Comments {
		got = append(got, c.Pos().String()+" "+c.Text)
	}
	want := []string{"t.irq:1:1 // head", "t.irq:2:9 /* a */", "t.irq:3:8 /* b */", "t.irq:3:18 /* c */", "t.irq:3:39 // d"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("comments (-want +got):\n%s", diff)
	}
	plain, err := ParseFile("t.irq", []byte(src))
	if err != nil || plain.Comments != nil {
		t.Fatalf("ParseFile: comments %v, error %v", plain.Comments, err)
	}
	if dump(plain.Decls) != dump(f.Decls) {
		t.Errorf("the tree depends on the mode")
	}
	if c := f.Comments[0]; c.EndLine() != 1 {
		t.Errorf("EndLine of %q = %d", c.Text, c.EndLine())
	}
	if c := (&Comment{Slash: Pos{Line: 4}, Text: "/*\n\n*/"}); c.EndLine() != 6 {
		t.Errorf("EndLine of %q = %d", c.Text, c.EndLine())
	}
}

func TestKeywords(t *testing.T) {
	words := Keywords()
	if len(words) != int(keywordEnd-keywordBeg-1) {
		t.Fatalf("%d keywords", len(words))
	}
	for _, w := range words {
		if !Lookup(w).IsKeyword() {
			t.Errorf("%q is not a keyword", w)
		}
	}
	for _, w := range ContextualWords() {
		if Lookup(w) != IDENT {
			t.Errorf("contextual word %q is reserved", w)
		}
	}
}
