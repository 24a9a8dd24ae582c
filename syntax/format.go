package syntax

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Format returns the model in src in canonical layout, the layout of the
// catalog: 4-space indentation, one statement per line, binary operators
// spaced as ExprString prints them, an opening brace at the end of the line
// that introduces it, "} else {", "} or {", "{ a, b }" composite
// literals, and "fn f() int" (without the optional ->). It keeps what the
// tree does not hold and the author chose:
//
//   - every comment, where it was: on its own line before a declaration or
//     statement, at the end of a line, or inside a line (a /* */ comment
//     between two tokens; next to a token the tree has no position for,
//     such as the ':' of ?:, it may move past that token). The comments
//     that end consecutive lines of one indentation are aligned one space
//     after the longest line, as gofmt aligns them, except that a line much
//     longer or shorter than the others starts a new group;
//   - blank lines between declarations and between statements, at most one;
//   - a block, a struct or a composite literal written on one line stays on
//     one line (a block that holds a comment is always laid out in full),
//     and a multi-line composite literal gets one element a line;
//   - the body of an if, while, for or else that is not a block stays on the
//     header's line or goes on the next, indented, as written;
//   - several variables declared in one declaration (bool a, b;) stay one
//     declaration.
//
// The output parses to the same tree (positions aside) and holds the same
// comments in the same order (trailing white space of comment lines
// aside); Format checks both and returns an error rather than text that
// would change the model. Formatting its output again changes nothing.
//
// filename is used only in positions. A src with a syntax error is not
// formatted: the error is the parser's ErrorList.
func Format(filename string, src []byte) ([]byte, error) {
	f, err := ParseFileMode(filename, src, ParseComments)
	if err != nil {
		return nil, err
	}
	out := format(f, src)
	g, err := ParseFileMode(filename, out, ParseComments)
	if err != nil {
		return nil, fmt.Errorf("%s: internal error: the formatted model does not parse: %v", filename, err)
	}
	if !sameTree(reflect.ValueOf(f.Decls), reflect.ValueOf(g.Decls)) {
		return nil, errors.New(filename + ": internal error: formatting would change the model")
	}
	if !sameComments(f.Comments, g.Comments) {
		return nil, errors.New(filename + ": internal error: formatting would lose or reorder a comment")
	}
	return out, nil
}

// CommentText returns the text of a comment as Format writes it: every
// line without its trailing white space.
func CommentText(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return strings.Join(lines, "\n")
}

func sameComments(a, b []*Comment) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if CommentText(a[i].Text) != CommentText(b[i].Text) {
			return false
		}
	}
	return true
}

// sameTree reports whether two syntax trees are equal, positions aside.
func sameTree(a, b reflect.Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case reflect.Interface, reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		if a.Elem().Type() != b.Elem().Type() {
			return false
		}
		return sameTree(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !sameTree(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		if a.Type() == posReflectType {
			return true
		}
		for i := 0; i < a.NumField(); i++ {
			if !sameTree(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return a.Interface() == b.Interface()
}

var posReflectType = reflect.TypeFor[Pos]()

// ---------------------------------------------------------------------------
// The source's tokens and comments

// srcItem is a token or a comment of the source.
type srcItem struct {
	pos     Pos
	endLine int
	tok     Token // COMMENT for a comment
}

// fmtComment is a comment with what Format needs to know of its place.
type fmtComment struct {
	*Comment
	lines  []string // its text, a line each, trailing white space removed
	trail  bool     // a token ends on the line where it starts: it ends a line of code
	follow bool     // a token starts on the line where it ends
	line   *fmtLine // the line where it ends, if it was printed on a line of its own
}

// inline reports whether c is a /* */ comment on one line, which may sit
// between two tokens.
func (c *fmtComment) inline() bool {
	return strings.HasPrefix(c.Text, "/*") && len(c.lines) == 1
}

func before(a, b Pos) bool { return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col }

// ---------------------------------------------------------------------------
// The printer

// fmtLine is one line of output.
type fmtLine struct {
	indent  int
	code    []byte
	comment string // the comments that end the line, aligned with its neighbours'
	slashes bool   // comment ends with a // comment: nothing may follow it
	space   bool   // code ends with a /* */ comment: space the next token from it
	closed  bool   // nothing more may be written on the line
	raw     bool   // a later line of a multi-line comment: printed as it is
	blank   bool
}

type printer struct {
	items    []srcItem // every token and comment of the source, in order
	comments []*fmtComment
	next     int // the first comment not yet printed

	lines    []*fmtLine
	lastCode *fmtLine // the line of the last token printed

	prevComment *fmtComment // the last comment printed on a line of its own
	indent      int
	cont        bool // in a statement whose first line is written: new lines are indented once more
	noBlank     bool // no blank line here: the start of the file or of a block
	oneLine     int  // > 0 while printing a block on one line
}

func format(f *File, src []byte) []byte {
	p := &printer{noBlank: true}
	var s Scanner
	s.Init(f.Name, src, nil)
	s.Mode = ScanComments
	for {
		pos, tok, lit := s.Scan()
		if tok == EOF {
			break
		}
		end := pos.Line
		if tok == COMMENT {
			end += strings.Count(lit, "\n")
		}
		p.items = append(p.items, srcItem{pos: pos, endLine: end, tok: tok})
	}
	p.comments = make([]*fmtComment, len(f.Comments))
	for i, c := range f.Comments {
		fc := &fmtComment{Comment: c, lines: strings.Split(CommentText(c.Text), "\n")}
		k := p.find(c.Slash)
		for j := k - 1; j >= 0; j-- {
			if p.items[j].tok != COMMENT {
				fc.trail = p.items[j].endLine == c.Slash.Line
				break
			}
		}
		for j := k + 1; j < len(p.items); j++ {
			if p.items[j].tok != COMMENT {
				fc.follow = p.items[j].pos.Line == c.EndLine()
				break
			}
		}
		p.comments[i] = fc
	}
	p.decls(f.Decls)
	p.flush(Pos{Line: math.MaxInt}, false)
	return p.render()
}

// find returns the index of the first source item at or after pos.
func (p *printer) find(pos Pos) int {
	lo, hi := 0, len(p.items)
	for lo < hi {
		m := (lo + hi) / 2
		if before(p.items[m].pos, pos) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// blankBefore reports whether the source has a blank line before pos.
func (p *printer) blankBefore(pos Pos) bool {
	k := p.find(pos)
	return k > 0 && pos.Line-p.items[k-1].endLine > 1
}

// tokenBefore returns the token before pos (comments aside).
func (p *printer) tokenBefore(pos Pos) srcItem {
	for k := p.find(pos) - 1; k >= 0; k-- {
		if p.items[k].tok != COMMENT {
			return p.items[k]
		}
	}
	return srcItem{}
}

// findToken returns the position of the first token tok at or after pos,
// or the zero Pos.
func (p *printer) findToken(pos Pos, tok Token) Pos {
	for k := p.find(pos); k < len(p.items); k++ {
		if p.items[k].tok == tok {
			return p.items[k].pos
		}
	}
	return Pos{}
}

// at returns the position of the first token tok at or after pos that is
// outside the brackets opened from pos on, or the zero Pos if there is
// none before a bracket opened before pos closes. The printer uses it to
// find the tokens the tree does not place ('; ) ] ,'), so that a comment
// before one of them is printed before it.
func (p *printer) at(pos Pos, tok Token) Pos { return p.nextToken(p.find(pos), tok) }

// after is at for the tokens after the one at pos.
func (p *printer) after(pos Pos, tok Token) Pos { return p.nextToken(p.find(pos)+1, tok) }

func (p *printer) nextToken(k int, tok Token) Pos {
	depth := 0
	for ; k < len(p.items); k++ {
		t := p.items[k].tok
		if depth == 0 && t == tok {
			return p.items[k].pos
		}
		switch t {
		case LPAREN, LBRACK, LBRACE:
			depth++
		case RPAREN, RBRACK, RBRACE:
			if depth--; depth < 0 {
				return Pos{}
			}
		}
	}
	return Pos{}
}

// condColon returns the position of the ':' of the conditional
// expression whose '?' is at quest: the first ':' after it, outside
// brackets, that no other '?' claims.
func (p *printer) condColon(quest Pos) Pos {
	depth, open := 0, 0
	for k := p.find(quest) + 1; k < len(p.items); k++ {
		switch p.items[k].tok {
		case LPAREN, LBRACK, LBRACE:
			depth++
		case RPAREN, RBRACK, RBRACE:
			if depth--; depth < 0 {
				return Pos{}
			}
		case QUEST:
			if depth == 0 {
				open++
			}
		case COLON:
			if depth == 0 {
				if open == 0 {
					return p.items[k].pos
				}
				open--
			}
		}
	}
	return Pos{}
}

// hasComment reports whether a comment lies between from and to.
func (p *printer) hasComment(from, to Pos) bool {
	for k := p.find(from); k < len(p.items) && before(p.items[k].pos, to); k++ {
		if p.items[k].tok == COMMENT {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// Lines

// last returns the last line, or nil.
func (p *printer) last() *fmtLine {
	if len(p.lines) == 0 {
		return nil
	}
	return p.lines[len(p.lines)-1]
}

// open returns the line to write code on: the last one if it is open, else
// a new one.
func (p *printer) open() *fmtLine {
	if l := p.last(); l != nil && !l.closed {
		return l
	}
	indent := p.indent
	if p.cont {
		indent++
	}
	l := &fmtLine{indent: indent}
	p.lines = append(p.lines, l)
	return l
}

// endLine ends the last line: what is written next goes on a new one.
func (p *printer) endLine() {
	if l := p.last(); l != nil {
		l.closed = true
	}
}

// blank adds a blank line, unless one is there.
func (p *printer) blank() {
	if l := p.last(); l != nil && !l.blank {
		l.closed = true
		p.lines = append(p.lines, &fmtLine{blank: true, closed: true})
	}
}

// raw adds the later lines of a multi-line comment.
func (p *printer) raw(lines []string) {
	for _, s := range lines {
		p.lines = append(p.lines, &fmtLine{code: []byte(s), raw: true, closed: true})
	}
}

// token prints text, the spelling of a token and the spaces around it,
// after the comments before pos (when pos is valid). A leading space is
// dropped at the start of a line and after a space.
func (p *printer) token(pos Pos, text string) {
	if pos.IsValid() {
		p.flush(pos, true)
	}
	l := p.open()
	if l.space {
		l.space = false
		if text != "" && !strings.ContainsRune(" ;,)]", rune(text[0])) {
			text = " " + text
		}
	}
	if strings.HasPrefix(text, " ") && (len(l.code) == 0 || l.code[len(l.code)-1] == ' ') {
		text = text[1:]
	}
	l.code = append(l.code, text...)
	p.lastCode = l
	p.cont = true
}

// flush prints the comments before pos. more tells whether the token at
// pos may follow a /* */ comment on the comment's line.
func (p *printer) flush(pos Pos, more bool) {
	for p.next < len(p.comments) && before(p.comments[p.next].Slash, pos) {
		p.comment(p.comments[p.next], more)
		p.next++
	}
}

// comment prints c, at the end of the last line if it ended a line of code
// in the source, else on a line of its own.
func (p *printer) comment(c *fmtComment, more bool) {
	text := c.lines[0]
	if l := p.last(); c.trail && l != nil && l == p.lastCode && !l.slashes {
		if c.inline() && c.follow && more && l.comment == "" && !l.closed {
			if n := len(l.code); n > 0 && l.code[n-1] != ' ' && l.code[n-1] != '(' && l.code[n-1] != '[' {
				l.code = append(l.code, ' ')
			}
			l.code = append(l.code, text...)
			l.space = true
			return
		}
		if l.comment != "" {
			l.comment += " "
		}
		l.comment += text
		l.closed = true
		l.slashes = strings.HasPrefix(c.Text, "//")
		p.raw(c.lines[1:])
		return
	}
	var l *fmtLine
	if prev := p.prevComment; prev != nil && prev.line == p.last() && prev.EndLine() == c.Slash.Line && !prev.line.slashes && !prev.line.raw {
		// After a comment that has a line of its own, on the same line.
		l = prev.line
		if n := len(l.code); n > 0 && l.code[n-1] != ' ' {
			l.code = append(l.code, ' ')
		}
	} else {
		p.endLine()
		if !p.noBlank && p.blankBefore(c.Slash) {
			p.blank()
		}
		l = p.open()
	}
	p.noBlank = false
	l.code = append(l.code, text...)
	l.closed = false
	if c.inline() && c.follow && more {
		l.space = true
	} else {
		l.closed = true
		l.slashes = strings.HasPrefix(c.Text, "//")
		p.raw(c.lines[1:])
	}
	c.line = p.last()
	p.prevComment = c
}

// render lays the lines out, aligning the comments that end consecutive
// lines of code of one indentation, one space after the longest.
func (p *printer) render() []byte {
	lines := p.lines
	for len(lines) > 0 && lines[0].blank {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1].blank {
		lines = lines[:len(lines)-1]
	}
	code := make([]string, len(lines))
	for i, l := range lines {
		code[i] = strings.TrimRight(string(l.code), " ")
	}
	aligned := func(i int) bool { return lines[i].comment != "" && !lines[i].raw && code[i] != "" }
	var b strings.Builder
	for i := 0; i < len(lines); {
		if !aligned(i) {
			l := lines[i]
			if !l.raw && code[i] != "" {
				b.WriteString(strings.Repeat("    ", l.indent))
			}
			b.WriteString(code[i])
			if l.comment != "" {
				if code[i] != "" {
					b.WriteByte(' ')
				}
				b.WriteString(l.comment)
			}
			b.WriteByte('\n')
			i++
			continue
		}
		// A section of aligned comments: the following lines of the same
		// indentation that end in a comment, up to a line much longer or
		// much shorter than the section so far (go/printer's rule for
		// aligning key: value lists), so that one long line does not push
		// the comments of its short neighbours far to the right.
		j, width := i, 0
		lnsum := 0.0
		for ; j < len(lines) && aligned(j) && lines[j].indent == lines[i].indent; j++ {
			w := utf8.RuneCountInString(code[j])
			if j > i {
				mean := math.Exp(lnsum / float64(j-i))
				if r := float64(w) / mean; (r >= 2.5 || r <= 1/2.5) && math.Abs(float64(w)-mean) > 16 {
					break
				}
			}
			lnsum += math.Log(float64(w))
			width = max(width, w)
		}
		for ; i < j; i++ {
			b.WriteString(strings.Repeat("    ", lines[i].indent))
			b.WriteString(code[i])
			b.WriteString(strings.Repeat(" ", width-utf8.RuneCountInString(code[i])+1))
			b.WriteString(lines[i].comment)
			b.WriteByte('\n')
		}
	}
	return []byte(b.String())
}

// startLine begins a line for the declaration, statement, struct field
// or element of a composite literal at pos: it ends the current line and
// prints the comments before pos, and a blank line if the source has one
// there. A /* */ comment that shares pos's line in the source stays in
// front of it.
func (p *printer) startLine(pos Pos) {
	p.endLine()
	p.cont = false
	p.flush(pos, true)
	if l := p.last(); (l == nil || l.closed) && !p.noBlank && p.blankBefore(pos) {
		p.blank()
	}
	p.noBlank = false
}

// ---------------------------------------------------------------------------
// Declarations

func (p *printer) decls(list []Decl) {
	for i := 0; i < len(list); {
		d := list[i]
		p.startLine(d.Pos())
		if v, ok := d.(*VarDecl); ok {
			group := []*VarDecl{v}
			for i+len(group) < len(list) {
				w, ok := list[i+len(group)].(*VarDecl)
				if !ok || w.Type != v.Type {
					break
				}
				group = append(group, w)
			}
			p.varDecls(group)
			p.token(p.at(d.Pos(), SEMI), ";")
			i += len(group)
		} else {
			p.decl(d)
			i++
		}
		p.cont = false
	}
}

func (p *printer) decl(d Decl) {
	switch d := d.(type) {
	case *CpusDecl:
		p.token(d.CpusPos, "cpus ")
		p.expr(d.Count)
		if d.Symmetric {
			p.token(Pos{}, " symmetric")
			for i, e := range d.Except {
				if i == 0 {
					p.token(Pos{}, " except ")
				} else {
					p.token(p.at(d.Except[i-1].Pos(), COMMA), ", ")
				}
				p.expr(e)
			}
		}
		p.token(p.at(d.Pos(), SEMI), ";")
	case *InflightDecl:
		p.token(d.InflightPos, "inflight ")
		p.expr(d.Count)
		p.token(p.at(d.Pos(), SEMI), ";")
	case *MemoryDecl:
		p.token(d.MemoryPos, "memory ")
		p.ident(d.Model)
		if d.Bound != nil {
			p.token(Pos{}, " ")
			p.expr(d.Bound)
		}
		p.token(p.at(d.Pos(), SEMI), ";")
	case *ConstDecl:
		p.token(d.ConstPos, "const ")
		if d.Type != nil {
			p.typ(d.Type)
			p.token(Pos{}, " ")
		}
		p.ident(d.Name)
		p.token(p.at(d.Name.NamePos, ASSIGN), " = ")
		p.expr(d.Value)
		p.token(p.at(d.Pos(), SEMI), ";")
	case *StructDecl:
		p.structDecl(d)
	case *FnDecl:
		if d.Atomic {
			p.token(d.FnPos, "atomic fn ")
		} else {
			p.token(d.FnPos, "fn ")
		}
		p.ident(d.Name)
		lparen := p.after(d.Name.NamePos, LPAREN)
		p.token(lparen, "(")
		for i, par := range d.Params {
			if i > 0 {
				p.token(p.at(d.Params[i-1].Pos(), COMMA), ", ")
			}
			p.typ(par.Type)
			p.token(Pos{}, " ")
			p.ident(par.Name)
		}
		p.token(p.after(lparen, RPAREN), ")")
		if d.Result != nil {
			p.token(Pos{}, " ")
			p.typ(d.Result)
		}
		p.block(d.Body)
	case *HandlerDecl:
		p.token(d.HandlerPos, "handler ")
		p.ident(d.Name)
		p.block(d.Body)
	case *ThreadDecl:
		if d.Forever {
			p.token(d.ThreadPos, "forever thread ")
		} else {
			p.token(d.ThreadPos, "thread ")
		}
		p.ident(d.Name)
		if d.EachCPU {
			p.token(Pos{}, " on each cpu")
		} else {
			p.token(Pos{}, " on cpu ")
			p.expr(d.CPU)
		}
		p.block(d.Body)
	case *DeviceDecl:
		if d.Forever {
			p.token(d.DevicePos, "forever device ")
		} else {
			p.token(d.DevicePos, "device ")
		}
		p.ident(d.Name)
		p.block(d.Body)
	case *InitDecl:
		p.token(d.InitPos, "init")
		p.block(d.Body)
	case *InvariantDecl:
		p.labeled(d.InvariantPos, "invariant", d.Name)
		p.expr(d.Cond)
		p.token(p.at(d.Pos(), SEMI), ";")
	case *FinalDecl:
		p.labeled(d.FinalPos, "final", d.Name)
		p.expr(d.Cond)
		p.token(p.at(d.Pos(), SEMI), ";")
	case *CoverDecl:
		p.labeled(d.CoverPos, "cover", d.Name)
		p.expr(d.Cond)
		p.token(p.at(d.Pos(), SEMI), ";")
	case *LivenessDecl:
		p.labeled(d.LivenessPos, "liveness", d.Name)
		word := d.LivenessPos // the position of always or eventually
		if d.Name != nil {
			word = p.findToken(d.Name.NamePos, COLON)
		}
		word = p.findToken(word, IDENT)
		switch d.Kind {
		case AlwaysEventually:
			p.token(word, "always eventually ")
			p.expr(d.P)
		case EventuallyAlways:
			p.token(word, "eventually always ")
			p.expr(d.P)
		default:
			p.expr(d.P)
			p.token(p.at(d.P.Pos(), LEADSTO), " ~> ")
			p.expr(d.Q)
		}
		p.token(p.at(d.Pos(), SEMI), ";")
	}
}

// labeled prints the keyword of an invariant, final, cover or liveness
// declaration and its name, if any.
func (p *printer) labeled(pos Pos, kw string, name *Ident) {
	p.token(pos, kw+" ")
	if name != nil {
		p.ident(name)
		p.token(p.at(name.NamePos, COLON), ": ")
	}
}

// structDecl prints struct Name { Fields }, on one line if the source has
// it on one line with no comment inside.
func (p *printer) structDecl(d *StructDecl) {
	p.token(d.StructPos, "struct ")
	p.ident(d.Name)
	lbrace := p.findToken(d.Name.NamePos, LBRACE)
	rbrace := p.after(lbrace, RBRACE)
	if len(d.Fields) == 0 && lbrace.Line == rbrace.Line {
		p.token(lbrace, " {}")
		return
	}
	if lbrace.Line == rbrace.Line && !p.hasComment(lbrace, rbrace) {
		p.token(lbrace, " {")
		for _, f := range d.Fields {
			p.token(Pos{}, " ")
			p.field(f)
		}
		p.token(rbrace, " }")
		return
	}
	p.token(lbrace, " {")
	p.indent++
	p.cont = false
	p.noBlank = true
	for _, f := range d.Fields {
		p.startLine(f.Pos())
		p.field(f)
	}
	p.cont = false
	p.flush(rbrace, false)
	p.indent--
	p.cont = false
	p.noBlank = false
	p.endLine()
	p.token(rbrace, "}")
}

func (p *printer) field(f *Field) {
	p.typ(f.Type)
	p.token(Pos{}, " ")
	p.ident(f.Name)
	p.dims(f.Dims)
	p.token(p.at(f.Pos(), SEMI), ";")
}

// varDecls prints Type Name Dims [= Init], ... for variables declared
// together (sharing their type), without the ';'.
func (p *printer) varDecls(group []*VarDecl) {
	p.typ(group[0].Type)
	for i, d := range group {
		if i > 0 {
			p.token(p.at(group[i-1].Name.NamePos, COMMA), ",")
		}
		p.token(Pos{}, " ")
		p.ident(d.Name)
		p.dims(d.Dims)
		if d.Init != nil {
			p.token(p.at(d.Name.NamePos, ASSIGN), " = ")
			p.expr(d.Init)
		}
	}
}

func (p *printer) typ(t TypeExpr) {
	switch t := t.(type) {
	case *NamedType:
		p.token(t.NamePos, t.Name)
	case *RangeType:
		p.token(t.IntPos, "int[")
		lbrack := p.after(t.IntPos, LBRACK)
		p.expr(t.Lo)
		p.token(p.after(lbrack, DOTDOT), "..")
		p.expr(t.Hi)
		p.token(p.after(lbrack, RBRACK), "]")
	}
}

func (p *printer) dims(dims []*ArrayDim) {
	for _, d := range dims {
		p.token(d.Lbrack, "[")
		if d.Index == CPU || d.Index == THREAD {
			p.token(Pos{}, d.Index.String())
		} else {
			p.expr(d.Size)
		}
		p.token(p.after(d.Lbrack, RBRACK), "]")
	}
}

func (p *printer) ident(id *Ident) { p.token(id.NamePos, id.Name) }

// ---------------------------------------------------------------------------
// Statements

// block prints " {", the statements a line each, and "}"; or, if the
// source has the block on one line with no comment in it, all on the
// current line.
func (p *printer) block(b *BlockStmt) {
	if p.oneLine > 0 || b.Lbrace.Line == b.Rbrace.Line && !p.hasComment(b.Lbrace, b.Rbrace) {
		if len(b.Stmts) == 0 {
			p.token(b.Lbrace, " {")
			p.token(b.Rbrace, "}")
			return
		}
		p.oneLine++
		p.token(b.Lbrace, " {")
		p.stmts(b.Stmts)
		p.token(b.Rbrace, " }")
		p.oneLine--
		return
	}
	p.token(b.Lbrace, " {")
	indent := p.indent
	p.indent++
	p.cont = false
	p.noBlank = true
	p.stmts(b.Stmts)
	p.cont = false
	p.flush(b.Rbrace, false)
	p.indent = indent
	p.cont = false
	p.noBlank = false
	p.endLine()
	p.token(b.Rbrace, "}")
}

// stmts prints a statement list: a statement a line, or all on the current
// line in one-line mode.
func (p *printer) stmts(list []Stmt) {
	for i := 0; i < len(list); {
		s := list[i]
		if p.oneLine > 0 {
			p.token(Pos{}, " ")
		} else {
			p.startLine(s.Pos())
		}
		p.cont = false
		if d, ok := s.(*DeclStmt); ok {
			group := []*VarDecl{d.Decl}
			for i+len(group) < len(list) {
				e, ok := list[i+len(group)].(*DeclStmt)
				if !ok || e.Decl.Type != d.Decl.Type {
					break
				}
				group = append(group, e.Decl)
			}
			p.varDecls(group)
			p.token(p.at(s.Pos(), SEMI), ";")
			i += len(group)
		} else {
			p.stmt(s)
			i++
		}
		p.cont = false
	}
}

// body prints the body of an if, while, for or else: a block after the
// header, or a statement on the header's line or on the next, indented,
// as in the source.
func (p *printer) body(s Stmt) {
	if b, ok := s.(*BlockStmt); ok {
		p.block(b)
		return
	}
	if p.oneLine == 0 && s.Pos().Line > p.tokenBefore(s.Pos()).endLine {
		p.endLine()
		p.indent++
		p.cont = false
		p.flush(s.Pos(), true)
		p.stmt(s)
		p.indent--
		return
	}
	p.token(Pos{}, " ")
	p.stmt(s)
}

func (p *printer) stmt(s Stmt) {
	p.cont = false
	switch s := s.(type) {
	case *BlockStmt:
		p.block(s)
	case *AtomicStmt:
		p.token(s.AtomicPos, "atomic")
		p.block(s.Body)
	case *IfStmt:
		p.token(s.IfPos, "if (")
		p.expr(s.Cond)
		p.token(p.after(p.after(s.IfPos, LPAREN), RPAREN), ")")
		p.body(s.Then)
		if s.Else == nil {
			break
		}
		elseTok := p.tokenBefore(s.Else.Pos())
		prev := p.tokenBefore(elseTok.pos)
		if p.oneLine == 0 && prev.tok != RBRACE && elseTok.pos.Line > prev.endLine {
			p.endLine()
			p.cont = false
			p.token(elseTok.pos, "else")
		} else {
			p.cont = false // if a comment ends the line, else starts the next one
			p.token(elseTok.pos, " else")
		}
		if elif, ok := s.Else.(*IfStmt); ok {
			p.token(Pos{}, " ")
			p.stmt(elif)
		} else {
			p.body(s.Else)
		}
	case *WhileStmt:
		p.token(s.WhilePos, "while (")
		p.expr(s.Cond)
		p.token(p.after(p.after(s.WhilePos, LPAREN), RPAREN), ")")
		p.body(s.Body)
	case *ForStmt:
		p.token(s.ForPos, "for (")
		lparen := p.after(s.ForPos, LPAREN)
		semi := p.after(lparen, SEMI)
		if s.Init != nil {
			p.simple(s.Init)
		}
		p.token(semi, ";")
		if s.Cond != nil {
			p.token(Pos{}, " ")
			p.expr(s.Cond)
		}
		p.token(p.after(semi, SEMI), ";")
		if s.Post != nil {
			p.token(Pos{}, " ")
			p.simple(s.Post)
		}
		p.token(p.after(lparen, RPAREN), ")")
		p.body(s.Body)
	case *EitherStmt:
		p.token(s.EitherPos, "either")
		for i, b := range s.Branches {
			if i > 0 {
				p.cont = false // as for else
				p.token(p.tokenBefore(b.Lbrace).pos, " or")
			}
			p.block(b)
		}
	case *EmptyStmt:
		p.token(s.Semi, ";")
	default:
		p.simple(s)
		p.token(p.at(s.Pos(), SEMI), ";")
	}
	p.cont = false
}

// simple prints a statement that has no sub-statements, without its ';'.
func (p *printer) simple(s Stmt) {
	switch s := s.(type) {
	case *DeclStmt:
		p.varDecls([]*VarDecl{s.Decl})
	case *ExprStmt:
		p.expr(s.X)
	case *AssignStmt:
		p.expr(s.LHS)
		p.token(s.TokPos, " "+s.Op.String()+" ")
		p.expr(s.RHS)
	case *IncDecStmt:
		p.expr(s.X)
		p.token(s.TokPos, s.Op.String())
	case *AwaitStmt:
		p.token(s.AwaitPos, "await ")
		p.expr(s.Cond)
	case *AssertStmt:
		p.token(s.AssertPos, "assert ")
		p.expr(s.Cond)
		if s.Msg != "" {
			p.token(Pos{}, ", ")
			p.token(p.findToken(s.AssertPos, STRING), quote(s.Msg))
		}
	case *ChooseStmt:
		p.token(s.ChoosePos, "choose ")
		p.expr(s.X)
		p.token(p.at(s.X.Pos(), IN), " in ")
		p.expr(s.Lo)
		p.token(p.at(s.Lo.Pos(), DOTDOT), "..")
		p.expr(s.Hi)
	case *ReturnStmt:
		p.token(s.ReturnPos, "return")
		if s.Result != nil {
			p.token(Pos{}, " ")
			p.expr(s.Result)
		}
	case *BranchStmt:
		p.token(s.TokPos, s.Tok.String())
	}
}

// ---------------------------------------------------------------------------
// Expressions

func (p *printer) expr(x Expr) { p.exprPrec(x, condPrec) }

// exprPrec prints x as writeExpr does, in parentheses if its operator binds
// less tightly than prec, placing the comments of the source among its
// tokens.
func (p *printer) exprPrec(x Expr, prec int) {
	if x == nil {
		return
	}
	if exprPrec(x) < prec {
		p.token(Pos{}, "(")
		p.exprPrec(x, condPrec)
		p.token(Pos{}, ")")
		return
	}
	switch x := x.(type) {
	case *Ident:
		p.ident(x)
	case *IntLit, *BoolLit, *NoneLit:
		p.token(x.Pos(), ExprString(x))
	case *UnaryExpr:
		p.token(x.OpPos, x.Op.String())
		// Keep - -x and + +x apart, as writeExpr does.
		var sub strings.Builder
		writeExpr(&sub, x.X, unaryPrec)
		if operand := sub.String(); operand != "" && (x.Op == SUB && operand[0] == '-' || x.Op == ADD && operand[0] == '+') {
			p.token(Pos{}, " ")
		}
		p.exprPrec(x.X, unaryPrec)
	case *BinaryExpr:
		prec := precedence(x.Op)
		p.exprPrec(x.X, prec)
		p.token(x.OpPos, " "+x.Op.String()+" ")
		p.exprPrec(x.Y, prec+1)
	case *CondExpr:
		p.exprPrec(x.Cond, lowestBinaryPrec)
		p.token(x.Quest, " ? ")
		p.exprPrec(x.Then, condPrec)
		p.token(p.condColon(x.Quest), " : ")
		p.exprPrec(x.Else, condPrec)
	case *ParenExpr:
		p.token(x.Lparen, "(")
		p.expr(x.X)
		p.token(p.after(x.Lparen, RPAREN), ")")
	case *IndexExpr:
		p.exprPrec(x.X, postfixPrec)
		p.token(x.Lbrack, "[")
		p.expr(x.Index)
		p.token(p.after(x.Lbrack, RBRACK), "]")
	case *SelectorExpr:
		p.exprPrec(x.X, postfixPrec)
		p.token(x.Sel.NamePos, "."+x.Sel.Name)
	case *CallExpr:
		p.ident(x.Fun)
		p.token(x.Lparen, "(")
		for i, a := range x.Args {
			if i > 0 {
				p.token(p.at(x.Args[i-1].Pos(), COMMA), ", ")
			}
			p.expr(a)
		}
		p.token(x.Rparen, ")")
	case *CompositeLit:
		p.compositeLit(x)
	}
}

// compositeLit prints {} or { a, b } or, when the source has the closing
// brace on a later line than the opening one, an element a line.
func (p *printer) compositeLit(x *CompositeLit) {
	n := len(x.Elems) + len(x.Fields)
	elem := func(i int) {
		if i < len(x.Elems) {
			p.expr(x.Elems[i])
			return
		}
		kv := x.Fields[i-len(x.Elems)]
		p.ident(kv.Key)
		p.token(p.at(kv.Key.NamePos, COLON), ": ")
		p.expr(kv.Value)
	}
	elemPos := func(i int) Pos {
		if i < len(x.Elems) {
			return x.Elems[i].Pos()
		}
		return x.Fields[i-len(x.Elems)].Pos()
	}
	if n == 0 {
		p.token(x.Lbrace, "{")
		p.token(x.Rbrace, "}")
		return
	}
	if p.oneLine > 0 || x.Rbrace.Line == x.Lbrace.Line {
		p.token(x.Lbrace, "{ ")
		for i := range n {
			if i > 0 {
				p.token(p.at(elemPos(i-1), COMMA), ", ")
			}
			elem(i)
		}
		p.token(x.Rbrace, " }")
		return
	}
	p.token(x.Lbrace, "{")
	indent, cont := p.indent, p.cont
	base := p.open().indent
	p.indent, p.cont = base+1, false
	for i := range n {
		p.startLine(elemPos(i))
		elem(i)
		p.token(Pos{}, ",")
	}
	p.cont = false
	p.flush(x.Rbrace, false)
	p.endLine()
	p.indent, p.cont = base, false
	p.token(x.Rbrace, "}")
	p.indent, p.cont = indent, cont
}
