package editors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/irqcheck/irqcheck/sema"
	"github.com/irqcheck/irqcheck/syntax"
)

const grammarFile = "irqcheck.tmLanguage.json"

// rule is a TextMate grammar rule: a match, a begin/end region, an include
// or a list of patterns.
type rule struct {
	Comment       string             `json:"comment"`
	Name          string             `json:"name"`
	ContentName   string             `json:"contentName"`
	Match         string             `json:"match"`
	Begin         string             `json:"begin"`
	End           string             `json:"end"`
	Include       string             `json:"include"`
	Captures      map[string]capture `json:"captures"`
	BeginCaptures map[string]capture `json:"beginCaptures"`
	EndCaptures   map[string]capture `json:"endCaptures"`
	Patterns      []*rule            `json:"patterns"`

	match, begin, end *regexp.Regexp
	leaves            []*rule // the rules Patterns stands for, includes resolved
}

type capture struct {
	Name string `json:"name"`
}

type grammar struct {
	Schema     string           `json:"$schema"`
	Name       string           `json:"name"`
	ScopeName  string           `json:"scopeName"`
	FileTypes  []string         `json:"fileTypes"`
	Patterns   []*rule          `json:"patterns"`
	Repository map[string]*rule `json:"repository"`

	leaves []*rule
}

// notOniguruma matches regexp syntax that Go accepts and Oniguruma, the
// engine of TextMate and VS Code, does not (or reads otherwise).
var notOniguruma = regexp.MustCompile(`\(\?P<|\\Q|\\E|\(\?[a-zA-Z]*U|\\C`)

// loadGrammar reads the grammar, refusing unknown fields, and compiles
// its regular expressions with Go's regexp: the grammar keeps to the
// syntax that both Go and Oniguruma accept.
func loadGrammar(t *testing.T) *grammar {
	t.Helper()
	data, err := os.ReadFile(grammarFile)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var g grammar
	if err := dec.Decode(&g); err != nil {
		t.Fatalf("%s: %v", grammarFile, err)
	}
	if g.Name == "" || g.ScopeName != "source.irq" || len(g.Patterns) == 0 || len(g.Repository) == 0 {
		t.Fatalf("%s: name %q, scopeName %q, %d patterns, %d repository entries", grammarFile, g.Name, g.ScopeName, len(g.Patterns), len(g.Repository))
	}
	if len(g.FileTypes) != 1 || g.FileTypes[0] != "irq" {
		t.Errorf("fileTypes %v, want [irq]", g.FileTypes)
	}
	compile := func(where, expr string) *regexp.Regexp {
		if expr == "" {
			return nil
		}
		if notOniguruma.MatchString(expr) {
			t.Errorf("%s: %q uses syntax Oniguruma does not read as Go does", where, expr)
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			t.Errorf("%s: %v", where, err)
		}
		return re
	}
	var resolve func(where string, list []*rule, depth int) []*rule
	resolve = func(where string, list []*rule, depth int) []*rule {
		if depth > 10 {
			t.Fatalf("%s: includes nest too deep", where)
		}
		var leaves []*rule
		for i, r := range list {
			at := fmt.Sprintf("%s[%d]", where, i)
			switch {
			case r.Include != "":
				name, ok := strings.CutPrefix(r.Include, "#")
				target := g.Repository[name]
				if !ok || target == nil {
					t.Errorf("%s: include %q names no repository entry", at, r.Include)
					continue
				}
				leaves = append(leaves, resolve("#"+name, []*rule{target}, depth+1)...)
			case r.Match != "":
				r.match = compile(at, r.Match)
				leaves = append(leaves, r)
			case r.Begin != "":
				r.begin, r.end = compile(at, r.Begin), compile(at, r.End)
				if r.end == nil {
					t.Errorf("%s: begin without end", at)
				}
				r.leaves = resolve(at, r.Patterns, depth+1)
				leaves = append(leaves, r)
			default:
				leaves = append(leaves, resolve(at, r.Patterns, depth+1)...)
			}
		}
		return leaves
	}
	g.leaves = resolve("patterns", g.Patterns, 0)
	for name, r := range g.Repository {
		if len(resolve("#"+name, []*rule{r}, 0)) == 0 {
			t.Errorf("repository entry %q has no rule", name)
		}
	}
	return &g
}

// tokenize applies the grammar to src as TextMate does, a line at a time,
// and returns the scope of every byte of every line ("" for none): at each
// point the earliest match wins, the first rule among those that match
// there, and the end of an open region before its inner rules.
func (g *grammar) tokenize(src string) [][]string {
	var stack []*rule
	var out [][]string
	for _, line := range strings.Split(src, "\n") {
		scopes := make([]string, len(line))
		fill := func(from, to int, name string) {
			if name == "" {
				return
			}
			for i := from; i < to; i++ {
				scopes[i] = name
			}
		}
		captures := func(loc []int, pos int, caps map[string]capture) {
			for k, c := range caps {
				var n int
				if _, err := fmt.Sscan(k, &n); err != nil || 2*n+1 >= len(loc) || loc[2*n] < 0 {
					continue
				}
				fill(pos+loc[2*n], pos+loc[2*n+1], c.Name)
			}
		}
		content := func() string {
			if len(stack) == 0 {
				return ""
			}
			top := stack[len(stack)-1]
			if top.ContentName != "" {
				return top.ContentName
			}
			return top.Name
		}
		for pos := 0; pos <= len(line); {
			rules := g.leaves
			var top *rule
			if len(stack) > 0 {
				top = stack[len(stack)-1]
				rules = top.leaves
			}
			var best *rule
			var bestLoc []int
			if top != nil {
				bestLoc = top.end.FindStringSubmatchIndex(line[pos:])
			}
			for _, r := range rules {
				re := r.match
				if re == nil {
					re = r.begin
				}
				loc := re.FindStringSubmatchIndex(line[pos:])
				if loc == nil || loc[0] == loc[1] {
					continue
				}
				if bestLoc == nil || loc[0] < bestLoc[0] {
					best, bestLoc = r, loc
				}
			}
			if bestLoc == nil {
				fill(pos, len(line), content())
				break
			}
			fill(pos, pos+bestLoc[0], content())
			switch {
			case best == nil: // the end of the open region
				fill(pos+bestLoc[0], pos+bestLoc[1], top.Name)
				captures(bestLoc, pos, top.EndCaptures)
				stack = stack[:len(stack)-1]
			case best.match != nil:
				fill(pos+bestLoc[0], pos+bestLoc[1], best.Name)
				captures(bestLoc, pos, best.Captures)
			default:
				fill(pos+bestLoc[0], pos+bestLoc[1], best.Name)
				captures(bestLoc, pos, best.BeginCaptures)
				stack = append(stack, best)
			}
			if bestLoc[1] == 0 && best == nil && pos == len(line) {
				continue // an empty end ($) closed a region at the end of the line
			}
			pos += bestLoc[1]
		}
		out = append(out, scopes)
	}
	return out
}

// scopeAt returns the scope of the token at pos, or a description of the
// mix when its bytes have different scopes.
func scopeAt(scopes [][]string, pos syntax.Pos, length int) string {
	line := scopes[pos.Line-1]
	first := line[pos.Col-1]
	for i := pos.Col - 1; i < pos.Col-1+length && i < len(line); i++ {
		if line[i] != first {
			return fmt.Sprintf("mixed %q and %q", first, line[i])
		}
	}
	return first
}

func hasPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// keywordScopes are the scopes a keyword may get.
var keywordScopes = []string{"keyword.control.", "keyword.other.", "storage.type.", "constant.language."}

// TestGrammarKeywords checks that the keyword rules match every keyword of
// the syntax package, and the contextual words, so that a new keyword
// without a rule fails here.
func TestGrammarKeywords(t *testing.T) {
	g := loadGrammar(t)
	kw := g.Repository["keywords"]
	if kw == nil || len(kw.Patterns) == 0 {
		t.Fatal("no keywords in the repository")
	}
	words := append(syntax.Keywords(), syntax.ContextualWords()...)
	if len(words) < 40 {
		t.Fatalf("only %d keywords", len(words))
	}
	for _, w := range words {
		matched := false
		for _, r := range kw.Patterns {
			if r.match != nil && r.match.FindString(w) == w {
				matched = true
				if !hasPrefix(r.Name, keywordScopes...) {
					t.Errorf("keyword %q gets scope %q", w, r.Name)
				}
			}
			if r.match != nil && r.match.MatchString(w+"x") {
				t.Errorf("keyword rule %q matches inside the word %q", r.Match, w+"x")
			}
		}
		if !matched {
			t.Errorf("no keyword rule matches %q", w)
		}
		// And in a line, as the editor sees it.
		if s := scopeAt(g.tokenize("x "+w+" y"), syntax.Pos{Line: 1, Col: 3}, len(w)); !hasPrefix(s, keywordScopes...) {
			t.Errorf("keyword %q in a line gets scope %q", w, s)
		}
	}
}

// TestGrammarLiterals checks builtins, numbers, strings, comments and
// operators on small lines.
func TestGrammarLiterals(t *testing.T) {
	g := loadGrammar(t)
	for name, b := range sema.Builtins {
		want := "support.function.builtin."
		line := "x = " + name + "(a);"
		if b.Value {
			want = "variable.language."
			line = "x = " + name + ";"
		}
		if s := scopeAt(g.tokenize(line), syntax.Pos{Line: 1, Col: 5}, len(name)); !strings.HasPrefix(s, want) {
			t.Errorf("built-in %s gets scope %q, want %s*", name, s, want)
		}
	}
	tests := []struct {
		line, token, scope string
	}{
		{"x = 0x1F;", "0x1F", "constant.numeric.hex."},
		{"x = 0X_ff_00;", "0X_ff_00", "constant.numeric.hex."},
		{"x = 0b1010_0101;", "0b1010_0101", "constant.numeric.binary."},
		{"x = 1_000;", "1_000", "constant.numeric.decimal."},
		{"choose x in 0..3;", "0", "constant.numeric.decimal."},
		{"choose x in 0..3;", "..", "keyword.operator.range."},
		{"liveness p ~> q;", "~>", "keyword.operator.leadsto."},
		{"liveness served: p ~> q;", "served", "entity.name.label."},
		{"x = a <<= b;", "<<=", "keyword.operator.assignment.compound."},
		{"x = a << b;", "<<", "keyword.operator.bitwise.shift."},
		{"x = a <= b;", "<=", "keyword.operator.comparison."},
		{"x = a && !b;", "&&", "keyword.operator.logical."},
		{"x = a && !b;", "!", "keyword.operator.logical."},
		{"x = ~a;", "~", "keyword.operator.bitwise."},
		{"x--;", "--", "keyword.operator.increment-decrement."},
		{"fn f() -> int { }", "->", "keyword.operator.arrow."},
		{`assert x, "a \"b\" c";`, `"a `, "string.quoted.double."},
		{`assert x, "a \"b\" c";`, `\"`, "constant.character.escape."},
		{`assert x, "a \"b\" c";`, `c"`, "string.quoted.double."},
		{"x = 1; // if while 0x10", "// if while 0x10", "comment.line.double-slash."},
		{"x = /* if */ 1;", "/* if */", "comment.block."},
		{"handler h_1 {", "h_1", "entity.name.function.handler."},
		{"forever thread idle on each cpu {", "idle", "entity.name.function.thread."},
		{"thread owner = none;", "thread", "storage.type."},
		{"thread owner = none;", "owner", ""},
		{"device nic {", "nic", "entity.name.function.device."},
		{"atomic fn pick(cpu c) int {", "pick", "entity.name.function."},
		{"struct msi_msg { cpu addr; }", "msi_msg", "entity.name.type.struct."},
		{"x = f(1);", "f", "entity.name.function.call."},
		{"const OLD = 0x10;", "OLD", "variable.other.constant."},
	}
	for _, tc := range tests {
		col := strings.Index(tc.line, tc.token)
		if col < 0 {
			t.Fatalf("%q not in %q", tc.token, tc.line)
		}
		s := scopeAt(g.tokenize(tc.line), syntax.Pos{Line: 1, Col: col + 1}, len(tc.token))
		if tc.scope == "" && s != "" || !strings.HasPrefix(s, tc.scope) {
			t.Errorf("%q in %q gets scope %q, want %s*", tc.token, tc.line, s, tc.scope)
		}
	}
	// A block comment over several lines.
	scopes := g.tokenize("x = 1; /* if\nwhile */ y")
	if s := scopeAt(scopes, syntax.Pos{Line: 2, Col: 1}, 8); !strings.HasPrefix(s, "comment.block.") {
		t.Errorf("second line of a block comment gets scope %q", s)
	}
	if s := scopeAt(scopes, syntax.Pos{Line: 2, Col: 10}, 1); s != "" {
		t.Errorf("the code after a block comment gets scope %q", s)
	}
}

// TestGrammarModels tokenizes every model of the catalog, the examples and
// the syntax tests, and checks what the scanner and the parser find in
// them: each keyword gets a keyword scope, each number, string and comment
// its scope, each operator an operator scope, each built-in a built-in
// scope, and each handler, thread, device, fn and struct name a
// declaration scope.
func TestGrammarModels(t *testing.T) {
	g := loadGrammar(t)
	var models []string
	for _, pattern := range []string{"../catalog/models/*.irq", "../examples/*.irq", "../syntax/testdata/*.irq", "../syntax/testdata/format/*.irq"} {
		m, _ := filepath.Glob(pattern)
		models = append(models, m...)
	}
	if len(models) < 30 {
		t.Fatalf("only %d models", len(models))
	}
	contextual := map[string]bool{}
	for _, w := range syntax.ContextualWords() {
		contextual[w] = true
	}
	keywords := 0
	for _, name := range models {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		scopes := g.tokenize(string(src))
		check := func(pos syntax.Pos, text, what string, prefixes ...string) {
			if s := scopeAt(scopes, pos, len(text)); !hasPrefix(s, prefixes...) {
				t.Errorf("%s: %s %q gets scope %q, want %v", pos, what, text, s, prefixes)
			}
		}
		var s syntax.Scanner
		s.Init(name, src, nil)
		s.Mode = syntax.ScanComments
		for {
			pos, tok, lit := s.Scan()
			if tok == syntax.EOF {
				break
			}
			text := lit
			if text == "" {
				text = tok.String()
			}
			switch {
			case tok.IsKeyword():
				keywords++
				check(pos, text, "keyword", keywordScopes...)
			case tok == syntax.IDENT && contextual[lit]:
				check(pos, text, "contextual keyword", "keyword.other.contextual.")
			case tok == syntax.IDENT && sema.Builtins[lit] != nil:
				check(pos, text, "built-in", "support.function.builtin.", "variable.language.")
			case tok == syntax.INT:
				check(pos, text, "number", "constant.numeric.")
			case tok == syntax.STRING:
				check(pos, text[:1], "string", "string.quoted.double.")
				check(syntax.Pos{Line: pos.Line, Col: pos.Col + len(text) - 1}, text[len(text)-1:], "string", "string.quoted.double.")
			case tok == syntax.COMMENT:
				check(pos, strings.SplitN(text, "\n", 2)[0], "comment", "comment.")
			case tok == syntax.LPAREN, tok == syntax.RPAREN, tok == syntax.LBRACE, tok == syntax.RBRACE, tok == syntax.LBRACK,
				tok == syntax.RBRACK, tok == syntax.COMMA, tok == syntax.SEMI, tok == syntax.DOT, tok == syntax.COLON:
			case tok > syntax.COMMENT && !tok.IsKeyword():
				check(pos, text, "operator", "keyword.operator.")
			}
		}
		f, err := syntax.ParseFile(name, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *syntax.HandlerDecl:
				check(d.Name.NamePos, d.Name.Name, "handler name", "entity.name.function.handler.")
			case *syntax.ThreadDecl:
				check(d.Name.NamePos, d.Name.Name, "thread name", "entity.name.function.thread.")
			case *syntax.DeviceDecl:
				check(d.Name.NamePos, d.Name.Name, "device name", "entity.name.function.device.")
			case *syntax.FnDecl:
				check(d.Name.NamePos, d.Name.Name, "fn name", "entity.name.function.")
			case *syntax.StructDecl:
				check(d.Name.NamePos, d.Name.Name, "struct name", "entity.name.type.struct.")
			}
		}
	}
	if keywords < 1000 {
		t.Errorf("only %d keywords in the models", keywords)
	}
}

// TestVSCodeExtension checks the extension's manifest and that its copy of
// the grammar is the grammar.
func TestVSCodeExtension(t *testing.T) {
	want, err := os.ReadFile(grammarFile)
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Name        string
		Engines     map[string]string
		Contributes struct {
			Languages []struct {
				ID            string
				Extensions    []string
				Configuration string
			}
			Grammars []struct {
				Language, ScopeName, Path string
			}
		}
	}
	data, err := os.ReadFile("vscode/package.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &manifest); err != nil {
		t.Fatalf("vscode/package.json: %v", err)
	}
	c := manifest.Contributes
	if manifest.Name == "" || manifest.Engines["vscode"] == "" || len(c.Languages) != 1 || len(c.Grammars) != 1 {
		t.Fatalf("vscode/package.json: %+v", manifest)
	}
	lang, gr := c.Languages[0], c.Grammars[0]
	if len(lang.Extensions) != 1 || lang.Extensions[0] != ".irq" || gr.Language != lang.ID || gr.ScopeName != "source.irq" {
		t.Errorf("vscode/package.json: language %+v, grammar %+v", lang, gr)
	}
	got, err := os.ReadFile(filepath.Join("vscode", gr.Path))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("vscode/%s differs from %s: copy %s there", gr.Path, grammarFile, grammarFile)
	}
	var conf map[string]any
	if data, err := os.ReadFile(filepath.Join("vscode", lang.Configuration)); err != nil || json.Unmarshal(data, &conf) != nil || conf["comments"] == nil {
		t.Errorf("vscode/%s: %v, %v", lang.Configuration, err, conf)
	}
}
