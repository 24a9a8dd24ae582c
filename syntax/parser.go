package syntax

import (
	"fmt"
	"unicode/utf8"
)

// Limits that keep the parser's work bounded on any input.
const (
	maxErrors = 10   // ParseFile stops after this many errors
	maxDepth  = 1000 // deepest nesting of expressions and statements
)

// A Mode controls what ParseFileMode records beyond the syntax tree.
type Mode uint

// The parse modes.
const (
	// ParseComments records every comment of the source in File.Comments.
	ParseComments Mode = 1 << iota
)

// ParseFile parses the model in src; filename is used only in positions.
// Comments are skipped: ParseFile(name, src) is ParseFileMode(name, src, 0).
//
// On success it returns the file and a nil error. On failure the error is
// an ErrorList, sorted by position, of at most 10 errors, and the file holds
// the declarations that did parse: a declaration or statement with an error
// in it is left out, so every node in the tree is complete. ParseFile does
// not panic and always returns, whatever src holds.
func ParseFile(filename string, src []byte) (f *File, err error) {
	return ParseFileMode(filename, src, 0)
}

// ParseFileMode is ParseFile with a mode: with ParseComments, the file's
// Comments field lists the comments of src in order (on failure, those
// before the point where the parse stopped). The tree and the errors do not
// depend on the mode.
func ParseFileMode(filename string, src []byte, mode Mode) (f *File, err error) {
	var p parser
	f = &File{Name: filename}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				// A parser bug: report it rather than crash the caller.
				p.errors.Add(p.pos, fmt.Sprintf("internal error: %v", r))
			}
		}
		p.errors.Sort()
		err = p.errors.Err()
		f.Comments = p.comments
	}()
	p.init(filename, src, mode)
	for p.tok != EOF {
		f.Decls = p.parseDeclSync(f.Decls)
	}
	return f, nil
}

// bailout is the panic value that abandons the whole parse: too many errors
// or too deep a nesting.
type bailout struct{}

// syncPanic is the panic value that abandons the current statement or
// declaration after an error has been reported; the nearest enclosing
// statement list or the declaration loop recovers and resynchronises.
type syncPanic struct{}

type token struct {
	pos Pos
	tok Token
	lit string
}

type parser struct {
	scanner Scanner
	errors  ErrorList

	// The current token.
	pos Pos
	tok Token
	lit string

	ahead    []token    // tokens scanned beyond the current one
	comments []*Comment // the comments scanned so far, in ParseComments mode
	ntok     int        // tokens consumed so far, to detect progress
	depth    int        // current nesting depth
}

func (p *parser) init(filename string, src []byte, mode Mode) {
	p.scanner.Init(filename, src, p.error)
	if mode&ParseComments != 0 {
		p.scanner.Mode = ScanComments
	}
	p.next()
}

// scan returns the next token from the scanner, recording the comments
// before it. Tokens are scanned in source order (next and peek both scan
// through here), so the comments are recorded in order.
func (p *parser) scan() (Pos, Token, string) {
	for {
		pos, tok, lit := p.scanner.Scan()
		if tok != COMMENT {
			return pos, tok, lit
		}
		p.comments = append(p.comments, &Comment{Slash: pos, Text: lit})
	}
}

// next advances to the next token.
func (p *parser) next() {
	if len(p.ahead) > 0 {
		t := p.ahead[0]
		p.ahead = p.ahead[1:]
		p.pos, p.tok, p.lit = t.pos, t.tok, t.lit
	} else {
		p.pos, p.tok, p.lit = p.scan()
	}
	p.ntok++
}

// peek returns the kind of the token n places after the current one (n >= 1).
func (p *parser) peek(n int) Token {
	for len(p.ahead) < n {
		var t token
		t.pos, t.tok, t.lit = p.scan()
		p.ahead = append(p.ahead, t)
	}
	return p.ahead[n-1].tok
}

// peekLit returns the literal of the n-th token after the current one.
func (p *parser) peekLit(n int) string {
	p.peek(n)
	return p.ahead[n-1].lit
}

// ---------------------------------------------------------------------------
// Errors

// error records an error. Like go/parser it drops an error on the same line
// as the previous one, which is most likely a consequence of it, and it
// abandons the parse once maxErrors errors are recorded.
func (p *parser) error(pos Pos, msg string) {
	if n := len(p.errors); n > 0 && p.errors[n-1].Pos.Line == pos.Line {
		return
	}
	p.errors.Add(pos, msg)
	if len(p.errors) >= maxErrors {
		panic(bailout{})
	}
}

// found describes the current token for an error message.
func (p *parser) found() string {
	switch p.tok {
	case EOF:
		return "end of file"
	case STRING:
		return p.lit
	case IDENT, INT:
		return "'" + p.lit + "'"
	case ILLEGAL:
		if !utf8.ValidString(p.lit) {
			return "invalid UTF-8"
		}
		return "'" + p.lit + "'"
	}
	return "'" + p.tok.String() + "'"
}

// fail reports that what was expected at the current token and abandons the
// current statement or declaration.
func (p *parser) fail(what string) {
	p.error(p.pos, "expected "+what+", found "+p.found())
	panic(syncPanic{})
}

// describe returns the way an expected token is named in messages.
func describe(tok Token) string {
	switch tok {
	case IDENT, INT, STRING, EOF:
		return tok.String()
	}
	return "'" + tok.String() + "'"
}

// expect consumes a token of kind tok and returns its position, or fails.
func (p *parser) expect(tok Token) Pos {
	pos := p.pos
	if p.tok != tok {
		p.fail(describe(tok))
	}
	p.next()
	return pos
}

// got consumes the current token if it is tok and reports whether it did.
func (p *parser) got(tok Token) bool {
	if p.tok == tok {
		p.next()
		return true
	}
	return false
}

// enter notes one more level of nesting; the caller must defer p.leave().
func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.errors.Add(p.pos, "exceeded max nesting depth")
		panic(bailout{})
	}
}

func (p *parser) leave() { p.depth-- }

// synced is called with the value recovered by the parse loops: it
// restores the nesting depth and reports whether r is a syncPanic (true) or
// no panic at all (false). Any other panic goes on.
func (p *parser) synced(r any, depth int) bool {
	if r == nil {
		return false
	}
	if _, ok := r.(syncPanic); !ok {
		panic(r)
	}
	p.depth = depth
	return true
}

// declStart reports whether tok can only begin a top-level declaration
// (thread and atomic also begin other things, but are good places to
// resume after an error).
func declStart(tok Token) bool {
	switch tok {
	case CPUS, INFLIGHT, MEMORY, CONST, STRUCT, FN, ATOMIC, HANDLER, THREAD, DEVICE, INIT, INVARIANT, FINAL, LIVENESS, COVER, FOREVER:
		return true
	}
	return false
}

// typeKeyword reports whether tok is bool, int or cpu, which likely begin
// a variable declaration (thread is in declStart).
func typeKeyword(tok Token) bool { return tok == BOOL || tok == INT_T || tok == CPU }

// blockEnd reports whether tok ends a statement list: a closing brace, the
// end of the input, or a keyword that only begins a declaration.
func blockEnd(tok Token) bool {
	switch tok {
	case RBRACE, EOF, CPUS, INFLIGHT, MEMORY, CONST, STRUCT, FN, HANDLER, DEVICE, INIT, INVARIANT, FINAL, LIVENESS, COVER, FOREVER:
		return true
	}
	return false
}

// stmtStart reports whether tok is a keyword that begins a statement.
func stmtStart(tok Token) bool {
	switch tok {
	case IF, WHILE, FOR, AWAIT, ASSERT, ATOMIC, EITHER, CHOOSE, RETURN, BREAK, CONTINUE:
		return true
	}
	return false
}

// syncDecl skips tokens after an error in a declaration that began at token
// number start: it stops before a declaration or type keyword, or after a
// ';' or a '}' at the outer brace level. It consumes at least one token if
// the declaration did not, so that the declaration loop makes progress.
func (p *parser) syncDecl(start int) {
	if p.ntok == start {
		p.next()
	}
	depth := 0
	for ; p.tok != EOF; p.next() {
		switch p.tok {
		case LBRACE:
			depth++
		case RBRACE:
			if depth <= 1 {
				p.next()
				return
			}
			depth--
		case SEMI:
			if depth == 0 {
				p.next()
				return
			}
		default:
			if depth == 0 && (declStart(p.tok) || typeKeyword(p.tok)) {
				return
			}
		}
	}
}

// syncStmt skips tokens after an error in a statement that began at token
// number start: it stops after a ';' or a balanced '}', or before a '}'
// that closes the enclosing block or a keyword that begins a statement, a
// declaration or a type. It consumes at least one token if the statement
// did not, so that the statement loop makes progress.
func (p *parser) syncStmt(start int) {
	if p.ntok == start {
		p.next()
	}
	depth := 0
	for ; p.tok != EOF; p.next() {
		switch p.tok {
		case LBRACE:
			depth++
		case RBRACE:
			if depth == 0 {
				return
			}
			depth--
			if depth == 0 {
				p.next()
				return
			}
		case SEMI:
			if depth == 0 {
				p.next()
				return
			}
		default:
			if depth == 0 && (stmtStart(p.tok) || declStart(p.tok) || typeKeyword(p.tok)) {
				return
			}
		}
	}
}

// ---------------------------------------------------------------------------
// Declarations

// parseDeclSync parses one top-level declaration and appends it to list;
// after an error it skips to a likely start of the next declaration.
func (p *parser) parseDeclSync(list []Decl) (out []Decl) {
	start, depth := p.ntok, p.depth
	defer func() {
		if p.synced(recover(), depth) {
			p.syncDecl(start)
			out = list
		}
	}()
	return p.parseDecl(list)
}

// parseDecl parses one declaration (several for a multi-name variable
// declaration) and appends it to list.
func (p *parser) parseDecl(list []Decl) []Decl {
	switch p.tok {
	case CPUS:
		d := &CpusDecl{CpusPos: p.pos}
		p.next()
		d.Count = p.parseExpr()
		d.Symmetric = p.got(SYMMETRIC)
		if d.Symmetric && p.tok == IDENT && p.lit == "except" {
			// cpus N symmetric except C, C...; the listed CPUs are distinguished.
			p.next()
			d.Except = append(d.Except, p.parseExpr())
			for p.got(COMMA) {
				d.Except = append(d.Except, p.parseExpr())
			}
		}
		p.expect(SEMI)
		return append(list, d)
	case INFLIGHT:
		d := &InflightDecl{InflightPos: p.pos}
		p.next()
		d.Count = p.parseExpr()
		p.expect(SEMI)
		return append(list, d)
	case MEMORY:
		d := &MemoryDecl{MemoryPos: p.pos}
		p.next()
		d.Model = p.parseIdent()
		if p.tok != SEMI {
			d.Bound = p.parseExpr()
		}
		p.expect(SEMI)
		return append(list, d)
	case CONST:
		return append(list, p.parseConstDecl())
	case STRUCT:
		return append(list, p.parseStructDecl())
	case ATOMIC, FN:
		return append(list, p.parseFnDecl())
	case HANDLER:
		d := &HandlerDecl{HandlerPos: p.pos}
		p.next()
		d.Name = p.parseIdent()
		d.Body = p.parseBlock()
		return append(list, d)
	case FOREVER:
		// forever thread ... or forever device ...: a process that runs
		// for ever by design.
		pos := p.pos
		p.next()
		switch p.tok {
		case DEVICE:
			d := p.parseDeviceDecl()
			d.DevicePos, d.Forever = pos, true
			return append(list, d)
		case THREAD:
			d := p.parseThreadDecl()
			d.ThreadPos, d.Forever = pos, true
			return append(list, d)
		}
		p.fail("thread or device after forever")
	case DEVICE:
		return append(list, p.parseDeviceDecl())
	case INIT:
		d := &InitDecl{InitPos: p.pos}
		p.next()
		d.Body = p.parseBlock()
		return append(list, d)
	case INVARIANT:
		d := &InvariantDecl{InvariantPos: p.pos}
		p.next()
		d.Name, d.Cond = p.parseLabeledCond()
		return append(list, d)
	case FINAL:
		d := &FinalDecl{FinalPos: p.pos}
		p.next()
		d.Name, d.Cond = p.parseLabeledCond()
		return append(list, d)
	case COVER:
		d := &CoverDecl{CoverPos: p.pos}
		p.next()
		d.Name, d.Cond = p.parseLabeledCond()
		return append(list, d)
	case LIVENESS:
		return append(list, p.parseLivenessDecl())
	case THREAD:
		if p.threadDeclStart() {
			return append(list, p.parseThreadDecl())
		}
		if p.peek(1) == IDENT && p.peek(2) == LBRACE {
			p.habit("a thread is bound to a cpu: write thread NAME on cpu C { } or thread NAME on each cpu { }")
		}
		return p.parseGlobals(list)
	case BOOL, INT_T, CPU:
		return p.parseGlobals(list)
	case IDENT:
		if p.lit == "void" && p.peek(1) == IDENT {
			p.habit("irqcheck has no void: a fn without a result is written fn NAME(PARAMS) { }")
		}
		p.unsignedInt()
		if p.peek(1) == IDENT {
			return p.parseGlobals(list)
		}
	}
	p.fail("declaration")
	return nil
}

// habit reports a C habit the language does not share, saying what to
// write instead, and abandons the declaration or statement.
func (p *parser) habit(msg string) {
	p.error(p.pos, msg)
	panic(syncPanic{})
}

// checkHabits reports a C statement irqcheck does not have (see
// cHabits) at the current token.
func (p *parser) checkHabits() {
	if p.tok != IDENT {
		return
	}
	for _, h := range cHabits {
		if p.lit == h.word && p.peek(1) == h.next {
			p.habit(h.msg)
		}
	}
}

// cHabits names the C statements irqcheck does not have, by the word that
// begins them and the token after it, with what to write instead.
var cHabits = []struct {
	word string
	next Token
	msg  string
}{
	{"switch", LPAREN, "irqcheck has no switch: write if (...) { } else if (...) { } else { }"},
	{"do", LBRACE, "irqcheck has no do { } while: write while (true) { ...; if (!(COND)) break; }"},
	{"goto", IDENT, "irqcheck has no goto: write a loop with break or continue, or an fn with return"},
	{"unsigned", INT_T, UnsignedHint},
	{"unsigned", IDENT, UnsignedHint},
}

// UnsignedHint says what to write for C's unsigned.
const UnsignedHint = "irqcheck's integers are int (32-bit signed) and int[LO..HI]: use a range for an unsigned value"

// unsignedInt reports C's unsigned int where a declaration or a type
// begins. (unsigned NAME may name a struct called unsigned: sema gives
// the hint if there is none.)
func (p *parser) unsignedInt() {
	if p.tok == IDENT && p.lit == "unsigned" && p.peek(1) == INT_T {
		p.habit(UnsignedHint)
	}
}

// parseConstDecl parses const [Type] Name = Value;.
func (p *parser) parseConstDecl() *ConstDecl {
	d := &ConstDecl{ConstPos: p.pos}
	p.next()
	if typeKeyword(p.tok) || p.tok == THREAD || p.tok == IDENT && p.peek(1) == IDENT {
		d.Type = p.parseType()
	}
	d.Name = p.parseIdent()
	p.expect(ASSIGN)
	d.Value = p.parseExpr()
	p.expect(SEMI)
	return d
}

// parseStructDecl parses struct Name { Type Name Dims; ... } [;].
func (p *parser) parseStructDecl() *StructDecl {
	d := &StructDecl{StructPos: p.pos}
	p.next()
	d.Name = p.parseIdent()
	p.expect(LBRACE)
	for p.tok != RBRACE {
		f := &Field{Type: p.parseType()}
		f.Name = p.parseFieldName()
		f.Dims = p.parseDims()
		p.expect(SEMI)
		d.Fields = append(d.Fields, f)
	}
	p.next()
	p.got(SEMI)
	return d
}

// parseFnDecl parses [atomic] fn Name(Params) [[->] Result] Body.
func (p *parser) parseFnDecl() *FnDecl {
	d := &FnDecl{FnPos: p.pos}
	if p.got(ATOMIC) {
		d.Atomic = true
	}
	p.expect(FN)
	d.Name = p.parseIdent()
	p.expect(LPAREN)
	for p.tok != RPAREN {
		if len(d.Params) > 0 {
			p.expectListSep(RPAREN)
		}
		par := &Param{Type: p.parseType()}
		par.Name = p.parseIdent()
		d.Params = append(d.Params, par)
	}
	p.next()
	if p.got(ARROW) || p.tok != LBRACE {
		d.Result = p.parseType()
	}
	d.Body = p.parseBlock()
	return d
}

// expectListSep consumes the ',' between list items, or fails saying that
// a ',' or the closing token was expected.
func (p *parser) expectListSep(closing Token) {
	if !p.got(COMMA) {
		p.fail("',' or " + describe(closing))
	}
}

// parseThreadDecl parses thread Name on cpu CPU Body.
func (p *parser) parseThreadDecl() *ThreadDecl {
	d := &ThreadDecl{ThreadPos: p.pos}
	p.next()
	d.Name = p.parseIdent()
	p.expect(ON)
	if p.tok == IDENT && p.lit == "each" {
		// thread NAME on each cpu { }: one copy per CPU.
		p.next()
		p.expect(CPU)
		d.EachCPU = true
	} else {
		p.expect(CPU)
		d.CPU = p.parseExpr()
	}
	d.Body = p.parseBlock()
	return d
}

// parseDeviceDecl parses device Name Body.
func (p *parser) parseDeviceDecl() *DeviceDecl {
	d := &DeviceDecl{DevicePos: p.pos}
	p.expect(DEVICE)
	d.Name = p.parseIdent()
	d.Body = p.parseBlock()
	return d
}

// parseLivenessDecl parses liveness [Name :] Formula; where Formula is
// P ~> Q, always eventually P, or eventually always P. The words always
// and eventually are not reserved: they mean this only here.
func (p *parser) parseLivenessDecl() *LivenessDecl {
	d := &LivenessDecl{LivenessPos: p.pos}
	p.next()
	if p.tok == IDENT && p.peek(1) == COLON {
		d.Name = p.parseIdent()
		p.next()
	}
	word := func(i int, w string) bool {
		if i == 0 {
			return p.tok == IDENT && p.lit == w
		}
		return p.peek(i) == IDENT && p.peekLit(i) == w
	}
	switch {
	case word(0, "always") && word(1, "eventually"):
		p.next()
		p.next()
		d.Kind = AlwaysEventually
		d.P = p.parseExpr()
	case word(0, "eventually") && word(1, "always"):
		p.next()
		p.next()
		d.Kind = EventuallyAlways
		d.P = p.parseExpr()
	default:
		d.Kind = LeadsTo
		d.P = p.parseExpr()
		if p.tok != LEADSTO {
			p.fail("'~>' (liveness P ~> Q, always eventually P, or eventually always P)")
		}
		p.next()
		d.Q = p.parseExpr()
	}
	p.expect(SEMI)
	return d
}

// parseLabeledCond parses [Name :] Cond; for invariant, final and cover.
func (p *parser) parseLabeledCond() (*Ident, Expr) {
	var name *Ident
	if p.tok == IDENT && p.peek(1) == COLON {
		name = p.parseIdent()
		p.next()
	}
	cond := p.parseExpr()
	p.expect(SEMI)
	return name, cond
}

// parseGlobals parses Type Name Dims [= Init] {, Name Dims [= Init]};
// and appends one VarDecl per name to list.
func (p *parser) parseGlobals(list []Decl) []Decl {
	typ := p.parseType()
	for {
		list = append(list, p.parseDeclarator(typ))
		if !p.got(COMMA) {
			break
		}
	}
	p.expect(SEMI)
	return list
}

// parseDeclarator parses Name Dims [= Init] for a variable of type typ.
func (p *parser) parseDeclarator(typ TypeExpr) *VarDecl {
	d := &VarDecl{Type: typ}
	d.Name = p.parseIdent()
	d.Dims = p.parseDims()
	if p.got(ASSIGN) {
		d.Init = p.parseInit()
	}
	return d
}

// ---------------------------------------------------------------------------
// Types

// parseType parses bool, int, cpu, thread, a struct name or int[lo..hi].
func (p *parser) parseType() TypeExpr {
	pos := p.pos
	switch p.tok {
	case INT_T:
		p.next()
		if p.tok != LBRACK {
			return &NamedType{NamePos: pos, Name: "int"}
		}
		p.next()
		t := &RangeType{IntPos: pos}
		t.Lo = p.parseExpr()
		p.expect(DOTDOT)
		t.Hi = p.parseExpr()
		p.expect(RBRACK)
		return t
	case BOOL, CPU, THREAD:
		name := p.tok.String()
		p.next()
		return &NamedType{NamePos: pos, Name: name}
	case IDENT:
		p.unsignedInt()
		name := p.lit
		p.next()
		return &NamedType{NamePos: pos, Name: name}
	}
	p.fail("type")
	return nil
}

// parseDims parses zero or more [size], [cpu] or [thread].
func (p *parser) parseDims() []*ArrayDim {
	var dims []*ArrayDim
	for p.tok == LBRACK {
		d := &ArrayDim{Lbrack: p.pos}
		p.next()
		if p.tok == THREAD || p.tok == CPU && p.peek(1) != LPAREN {
			d.Index = p.tok
			p.next()
		} else {
			d.Size = p.parseExpr()
		}
		p.expect(RBRACK)
		dims = append(dims, d)
	}
	return dims
}

// ---------------------------------------------------------------------------
// Statements

// parseBlock parses { Stmts }.
func (p *parser) parseBlock() *BlockStmt {
	p.enter()
	defer p.leave()
	b := &BlockStmt{Lbrace: p.expect(LBRACE)}
	b.Stmts = p.parseStmtList()
	b.Rbrace = p.expect(RBRACE)
	return b
}

// parseStmtList parses statements up to a closing brace. A statement with
// an error is left out and parsing resumes after it.
func (p *parser) parseStmtList() []Stmt {
	var list []Stmt
	for !blockEnd(p.tok) && !p.threadDeclStart() {
		list = p.parseStmtSync(list)
	}
	return list
}

func (p *parser) parseStmtSync(list []Stmt) (out []Stmt) {
	start, depth := p.ntok, p.depth
	defer func() {
		if p.synced(recover(), depth) {
			p.syncStmt(start)
			out = list
		}
	}()
	p.checkHabits()
	if p.localDeclStart() {
		// Type Name [= Init] {, Name [= Init]}; one DeclStmt per name.
		typ := p.parseType()
		for {
			list = append(list, &DeclStmt{Decl: p.parseDeclarator(typ)})
			if !p.got(COMMA) {
				break
			}
		}
		p.expect(SEMI)
		return list
	}
	return append(list, p.parseStmt())
}

// localDeclStart reports whether the current token begins a local variable
// declaration: a type keyword (but not a conversion such as int(x)), or a
// struct name followed by the variable's name.
func (p *parser) localDeclStart() bool {
	switch p.tok {
	case BOOL, THREAD:
		return true
	case INT_T, CPU:
		return p.peek(1) != LPAREN
	case IDENT:
		return p.peek(1) == IDENT
	}
	return false
}

// threadDeclStart reports whether the current token begins a thread
// declaration rather than a variable of type thread.
func (p *parser) threadDeclStart() bool {
	return p.tok == THREAD && p.peek(1) == IDENT && p.peek(2) == ON
}

// exprStart reports whether the current token can begin an expression.
func (p *parser) exprStart() bool {
	switch p.tok {
	case IDENT, INT, TRUE, FALSE, NONE, LPAREN, ADD, SUB, NOT, TILDE:
		return true
	case INT_T, CPU:
		return p.peek(1) == LPAREN
	}
	return false
}

// parseStmt parses one statement.
func (p *parser) parseStmt() Stmt {
	p.enter()
	defer p.leave()
	pos := p.pos
	switch p.tok {
	case LBRACE:
		return p.parseBlock()
	case IF:
		p.next()
		s := &IfStmt{IfPos: pos, Cond: p.parseParenCond()}
		s.Then = p.parseStmt()
		if p.got(ELSE) {
			s.Else = p.parseStmt()
		}
		return s
	case WHILE:
		p.next()
		s := &WhileStmt{WhilePos: pos, Cond: p.parseParenCond()}
		s.Body = p.parseStmt()
		return s
	case FOR:
		return p.parseForStmt()
	case AWAIT:
		p.next()
		s := &AwaitStmt{AwaitPos: pos, Cond: p.parseExpr()}
		p.expect(SEMI)
		return s
	case ASSERT:
		p.next()
		s := &AssertStmt{AssertPos: pos, Cond: p.parseExpr()}
		if p.got(COMMA) {
			if p.tok != STRING {
				p.fail("string")
			}
			s.Msg = unquote(p.lit)
			p.next()
		}
		p.expect(SEMI)
		return s
	case ATOMIC:
		p.next()
		return &AtomicStmt{AtomicPos: pos, Body: p.parseBlock()}
	case EITHER:
		p.next()
		s := &EitherStmt{EitherPos: pos, Branches: []*BlockStmt{p.parseBlock()}}
		if p.tok != OR_KW {
			p.fail("'or'")
		}
		for p.got(OR_KW) {
			s.Branches = append(s.Branches, p.parseBlock())
		}
		return s
	case CHOOSE:
		p.next()
		s := &ChooseStmt{ChoosePos: pos, X: p.parseExpr()}
		p.expect(IN)
		s.Lo = p.parseExpr()
		p.expect(DOTDOT)
		s.Hi = p.parseExpr()
		p.expect(SEMI)
		return s
	case RETURN:
		p.next()
		s := &ReturnStmt{ReturnPos: pos}
		if p.tok != SEMI {
			s.Result = p.parseExpr()
		}
		p.expect(SEMI)
		return s
	case BREAK, CONTINUE:
		s := &BranchStmt{TokPos: pos, Tok: p.tok}
		p.next()
		p.expect(SEMI)
		return s
	case SEMI:
		p.next()
		return &EmptyStmt{Semi: pos}
	}
	p.checkHabits()
	if p.localDeclStart() {
		s := &DeclStmt{Decl: p.parseDeclarator(p.parseType())}
		p.expect(SEMI)
		return s
	}
	if !p.exprStart() {
		p.fail("statement")
	}
	s := p.parseSimpleStmt()
	p.expect(SEMI)
	return s
}

// parseParenCond parses ( Expr ) for if and while; the parentheses belong
// to the statement, not to the condition.
func (p *parser) parseParenCond() Expr {
	p.expect(LPAREN)
	x := p.parseExpr()
	p.expect(RPAREN)
	return x
}

// parseForStmt parses for ( [Init] ; [Cond] ; [Post] ) Body.
func (p *parser) parseForStmt() Stmt {
	s := &ForStmt{ForPos: p.pos}
	p.next()
	p.expect(LPAREN)
	if p.tok != SEMI {
		if p.localDeclStart() {
			s.Init = &DeclStmt{Decl: p.parseDeclarator(p.parseType())}
		} else {
			s.Init = p.parseSimpleStmt()
		}
	}
	p.expect(SEMI)
	if p.tok != SEMI {
		s.Cond = p.parseExpr()
	}
	p.expect(SEMI)
	if p.tok != RPAREN {
		s.Post = p.parseSimpleStmt()
	}
	p.expect(RPAREN)
	s.Body = p.parseStmt()
	return s
}

// parseSimpleStmt parses an expression, assignment or increment statement
// without its terminating ';'.
func (p *parser) parseSimpleStmt() Stmt {
	x := p.parseExpr()
	switch p.tok {
	case ASSIGN:
		s := &AssignStmt{LHS: x, TokPos: p.pos, Op: p.tok}
		p.next()
		s.RHS = p.parseInit()
		return s
	case ADDASN, SUBASN, MULASN, QUOASN, REMASN, ANDASN, ORASN, XORASN, SHLASN, SHRASN:
		s := &AssignStmt{LHS: x, TokPos: p.pos, Op: p.tok}
		p.next()
		s.RHS = p.parseExpr()
		return s
	case INC, DEC:
		s := &IncDecStmt{X: x, TokPos: p.pos, Op: p.tok}
		p.next()
		return s
	}
	return &ExprStmt{X: x}
}

// ---------------------------------------------------------------------------
// Expressions

// parseIdent parses an identifier.
func (p *parser) parseIdent() *Ident {
	if p.tok != IDENT {
		p.fail("identifier")
	}
	id := &Ident{NamePos: p.pos, Name: p.lit}
	p.next()
	return id
}

// parseFieldName parses a struct field name. Field names live in their
// own space, so keywords are allowed there: a UPID has a field "on".
func (p *parser) parseFieldName() *Ident {
	if p.tok.IsKeyword() {
		id := &Ident{NamePos: p.pos, Name: p.tok.String()}
		p.next()
		return id
	}
	return p.parseIdent()
}

// parseInit parses an initialiser: an expression or a composite literal.
func (p *parser) parseInit() Expr {
	if p.tok == LBRACE {
		return p.parseCompositeLit()
	}
	return p.parseExpr()
}

// parseCompositeLit parses { e, ... } or { name: e, ... }; a trailing comma
// is allowed and {} has empty, non-nil Elems.
func (p *parser) parseCompositeLit() *CompositeLit {
	p.enter()
	defer p.leave()
	lit := &CompositeLit{Lbrace: p.expect(LBRACE)}
	if (p.tok == IDENT || p.tok.IsKeyword()) && p.peek(1) == COLON {
		for p.tok != RBRACE {
			kv := &KeyValue{Key: p.parseFieldName()}
			p.expect(COLON)
			kv.Value = p.parseInit()
			lit.Fields = append(lit.Fields, kv)
			if p.tok != RBRACE {
				p.expectListSep(RBRACE)
			}
		}
	} else {
		lit.Elems = []Expr{}
		for p.tok != RBRACE {
			lit.Elems = append(lit.Elems, p.parseInit())
			if p.tok != RBRACE {
				p.expectListSep(RBRACE)
			}
		}
	}
	lit.Rbrace = p.pos
	p.next()
	return lit
}

// parseExpr parses an expression: a conditional expression, the lowest
// precedence level.
func (p *parser) parseExpr() Expr {
	p.enter()
	defer p.leave()
	x := p.parseBinaryExpr(lowestBinaryPrec)
	if p.tok != QUEST {
		return x
	}
	c := &CondExpr{Cond: x, Quest: p.pos}
	p.next()
	c.Then = p.parseExpr()
	p.expect(COLON)
	c.Else = p.parseExpr()
	return c
}

// Operator precedences: binary operators from 1 (||) to 10 (* / %); the
// conditional operator is below them and unary operators above.
const (
	condPrec         = 0
	lowestBinaryPrec = 1
	unaryPrec        = 11
	postfixPrec      = 12
)

// precedence returns the precedence of tok as a binary operator, or 0 if
// tok is not one.
func precedence(tok Token) int {
	switch tok {
	case LOR:
		return 1
	case LAND:
		return 2
	case OR:
		return 3
	case XOR:
		return 4
	case AND:
		return 5
	case EQL, NEQ:
		return 6
	case LSS, LEQ, GTR, GEQ:
		return 7
	case SHL, SHR:
		return 8
	case ADD, SUB:
		return 9
	case MUL, QUO, REM:
		return 10
	}
	return 0
}

// parseBinaryExpr parses a left-associative chain of binary operators of
// precedence prec1 or higher.
func (p *parser) parseBinaryExpr(prec1 int) Expr {
	x := p.parseUnaryExpr()
	for {
		op := p.tok
		prec := precedence(op)
		if prec < prec1 {
			return x
		}
		pos := p.pos
		p.next()
		y := p.parseBinaryExpr(prec + 1)
		x = &BinaryExpr{X: x, OpPos: pos, Op: op, Y: y}
	}
}

// parseUnaryExpr parses a unary or postfix expression.
func (p *parser) parseUnaryExpr() Expr {
	p.enter()
	defer p.leave()
	switch p.tok {
	case SUB, ADD, NOT, TILDE:
		x := &UnaryExpr{OpPos: p.pos, Op: p.tok}
		p.next()
		x.X = p.parseUnaryExpr()
		return x
	}
	return p.parsePostfixExpr()
}

// parsePostfixExpr parses a primary expression followed by any number of
// [index], .field and (args).
func (p *parser) parsePostfixExpr() Expr {
	x := p.parsePrimaryExpr()
	for {
		switch p.tok {
		case LBRACK:
			ix := &IndexExpr{X: x, Lbrack: p.pos}
			p.next()
			ix.Index = p.parseExpr()
			p.expect(RBRACK)
			x = ix
		case DOT:
			p.next()
			x = &SelectorExpr{X: x, Sel: p.parseFieldName()}
		case LPAREN:
			fun, ok := x.(*Ident)
			if !ok {
				p.error(p.pos, "cannot call "+ExprString(x)+": only a named function can be called")
				panic(syncPanic{})
			}
			x = p.parseCall(fun)
		default:
			return x
		}
	}
}

// parseCall parses the argument list of a call of fun.
func (p *parser) parseCall(fun *Ident) *CallExpr {
	c := &CallExpr{Fun: fun, Lparen: p.expect(LPAREN)}
	for p.tok != RPAREN {
		if len(c.Args) > 0 {
			p.expectListSep(RPAREN)
		}
		c.Args = append(c.Args, p.parseExpr())
	}
	c.Rparen = p.pos
	p.next()
	return c
}

// parsePrimaryExpr parses a name, a literal, a parenthesised expression or
// the name of a conversion (int or cpu, when followed by '(').
func (p *parser) parsePrimaryExpr() Expr {
	pos := p.pos
	switch p.tok {
	case IDENT:
		return p.parseIdent()
	case INT:
		v, _ := intValue(p.lit) // a bad literal was reported by the scanner
		x := &IntLit{ValuePos: pos, Value: v, Raw: p.lit}
		p.next()
		return x
	case TRUE, FALSE:
		x := &BoolLit{ValuePos: pos, Value: p.tok == TRUE}
		p.next()
		return x
	case NONE:
		p.next()
		return &NoneLit{NonePos: pos}
	case LPAREN:
		p.next()
		x := &ParenExpr{Lparen: pos, X: p.parseExpr()}
		p.expect(RPAREN)
		return x
	case INT_T, CPU:
		if p.peek(1) == LPAREN {
			x := &Ident{NamePos: pos, Name: p.tok.String()}
			p.next()
			return x
		}
	}
	p.fail("expression")
	return nil
}
