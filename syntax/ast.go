package syntax

import "strings"

// This file defines the syntax tree. Every node records the position of its
// first token; the type checker (package sema) annotates nothing in place:
// its findings live in side tables keyed by node, as in go/types.

// Node is any syntax tree node.
type Node interface {
	Pos() Pos // position of the node's first token
}

// Expr is an expression node.
type Expr interface {
	Node
	exprNode()
}

// Stmt is a statement node.
type Stmt interface {
	Node
	stmtNode()
}

// Decl is a top-level declaration.
type Decl interface {
	Node
	declNode()
}

// TypeExpr is a written type: a named type or an integer range.
type TypeExpr interface {
	Node
	typeNode()
}

// File is a parsed model.
type File struct {
	Name  string
	Decls []Decl
	// Comments lists every comment of the source in order when the file
	// was parsed with ParseComments, and is nil otherwise. The comments
	// are not attached to nodes: Format places them by position.
	Comments []*Comment
}

// Comment is one comment: // to the end of the line, or /* ... */.
type Comment struct {
	Slash Pos    // position of the comment's first '/'
	Text  string // the comment with its // or /* */, without the line break that ends a // comment
}

// Pos returns the position of the comment's first '/'.
func (c *Comment) Pos() Pos { return c.Slash }

// EndLine returns the line of the comment's last character.
func (c *Comment) EndLine() int { return c.Slash.Line + strings.Count(c.Text, "\n") }

// ---------------------------------------------------------------------------
// Types

// NamedType is bool, int, cpu, thread or the name of a struct.
type NamedType struct {
	NamePos Pos
	Name    string
}

// RangeType is an integer with a declared range: int[lo..hi].
type RangeType struct {
	IntPos Pos
	Lo, Hi Expr
}

// ArrayDim is one array dimension of a declarator: [size], or [cpu] for one
// element per CPU indexed by cpu values, or [thread] for one per thread.
type ArrayDim struct {
	Lbrack Pos
	Size   Expr  // constant size; nil when Index is set
	Index  Token // CPU or THREAD for [cpu] / [thread]; ILLEGAL otherwise
}

func (t *NamedType) Pos() Pos { return t.NamePos }
func (t *RangeType) Pos() Pos { return t.IntPos }
func (d *ArrayDim) Pos() Pos  { return d.Lbrack }

func (*NamedType) typeNode() {}
func (*RangeType) typeNode() {}

// ---------------------------------------------------------------------------
// Expressions

// Ident is a name: a variable, constant, thread, handler, function or
// built-in (this_cpu, this_vector, NCPUS).
type Ident struct {
	NamePos Pos
	Name    string
}

// IntLit is an integer literal; Raw keeps its spelling (0x10 stays hex in traces).
type IntLit struct {
	ValuePos Pos
	Value    int64
	Raw      string
}

// BoolLit is true or false.
type BoolLit struct {
	ValuePos Pos
	Value    bool
}

// NoneLit is the literal none: no thread.
type NoneLit struct {
	NonePos Pos
}

// UnaryExpr is Op X for Op in - ! ~ +.
type UnaryExpr struct {
	OpPos Pos
	Op    Token
	X     Expr
}

// BinaryExpr is X Op Y.
type BinaryExpr struct {
	X     Expr
	OpPos Pos
	Op    Token
	Y     Expr
}

// CondExpr is Cond ? Then : Else.
type CondExpr struct {
	Cond, Then, Else Expr
	Quest            Pos
}

// ParenExpr is (X).
type ParenExpr struct {
	Lparen Pos
	X      Expr
}

// IndexExpr is X[Index].
type IndexExpr struct {
	X      Expr
	Lbrack Pos
	Index  Expr
}

// SelectorExpr is X.Sel, a struct field.
type SelectorExpr struct {
	X   Expr
	Sel *Ident
}

// CallExpr is Fun(Args): a built-in, a fn, or a conversion int(x) / cpu(x).
type CallExpr struct {
	Fun    *Ident
	Lparen Pos
	Args   []Expr
	Rparen Pos
}

// CompositeLit is a brace initialiser: {a, b} or {field: a, field: b}.
// Exactly one of Elems and Fields is used.
type CompositeLit struct {
	Lbrace Pos
	Elems  []Expr
	Fields []*KeyValue
	Rbrace Pos
}

// KeyValue is one field: value entry of a struct initialiser.
type KeyValue struct {
	Key   *Ident
	Value Expr
}

func (x *Ident) Pos() Pos        { return x.NamePos }
func (x *IntLit) Pos() Pos       { return x.ValuePos }
func (x *BoolLit) Pos() Pos      { return x.ValuePos }
func (x *NoneLit) Pos() Pos      { return x.NonePos }
func (x *UnaryExpr) Pos() Pos    { return x.OpPos }
func (x *BinaryExpr) Pos() Pos   { return x.X.Pos() }
func (x *CondExpr) Pos() Pos     { return x.Cond.Pos() }
func (x *ParenExpr) Pos() Pos    { return x.Lparen }
func (x *IndexExpr) Pos() Pos    { return x.X.Pos() }
func (x *SelectorExpr) Pos() Pos { return x.X.Pos() }
func (x *CallExpr) Pos() Pos     { return x.Fun.NamePos }
func (x *CompositeLit) Pos() Pos { return x.Lbrace }
func (x *KeyValue) Pos() Pos     { return x.Key.NamePos }

func (*Ident) exprNode()        {}
func (*IntLit) exprNode()       {}
func (*BoolLit) exprNode()      {}
func (*NoneLit) exprNode()      {}
func (*UnaryExpr) exprNode()    {}
func (*BinaryExpr) exprNode()   {}
func (*CondExpr) exprNode()     {}
func (*ParenExpr) exprNode()    {}
func (*IndexExpr) exprNode()    {}
func (*SelectorExpr) exprNode() {}
func (*CallExpr) exprNode()     {}
func (*CompositeLit) exprNode() {}

// ---------------------------------------------------------------------------
// Statements

// BlockStmt is { Stmts }.
type BlockStmt struct {
	Lbrace Pos
	Stmts  []Stmt
	Rbrace Pos
}

// DeclStmt declares a local variable.
type DeclStmt struct {
	Decl *VarDecl
}

// ExprStmt is an expression used as a statement (a call).
type ExprStmt struct {
	X Expr
}

// AssignStmt is LHS Op RHS for Op in = += -= *= /= %= &= |= ^= <<= >>=.
type AssignStmt struct {
	LHS    Expr
	TokPos Pos
	Op     Token
	RHS    Expr
}

// IncDecStmt is X++ or X--.
type IncDecStmt struct {
	X      Expr
	TokPos Pos
	Op     Token // INC or DEC
}

// IfStmt is if (Cond) Then [else Else].
type IfStmt struct {
	IfPos Pos
	Cond  Expr
	Then  Stmt
	Else  Stmt // nil, *IfStmt or any statement
}

// WhileStmt is while (Cond) Body.
type WhileStmt struct {
	WhilePos Pos
	Cond     Expr
	Body     Stmt
}

// ForStmt is for (Init; Cond; Post) Body; each part may be nil.
type ForStmt struct {
	ForPos Pos
	Init   Stmt // DeclStmt, AssignStmt, IncDecStmt or ExprStmt
	Cond   Expr
	Post   Stmt // AssignStmt, IncDecStmt or ExprStmt
	Body   Stmt
}

// AwaitStmt is await Cond; enabled only when Cond holds.
type AwaitStmt struct {
	AwaitPos Pos
	Cond     Expr
}

// AssertStmt is assert Cond [, "Msg"];.
type AssertStmt struct {
	AssertPos Pos
	Cond      Expr
	Msg       string // "" when absent
}

// AtomicStmt is atomic { ... }: the whole block is one step.
type AtomicStmt struct {
	AtomicPos Pos
	Body      *BlockStmt
}

// EitherStmt is either { } or { } ...: a nondeterministic choice.
type EitherStmt struct {
	EitherPos Pos
	Branches  []*BlockStmt // at least two
}

// ChooseStmt is choose X in Lo..Hi;: X takes any value of the range.
type ChooseStmt struct {
	ChoosePos Pos
	X         Expr
	Lo, Hi    Expr
}

// ReturnStmt is return [Result];.
type ReturnStmt struct {
	ReturnPos Pos
	Result    Expr // nil for a bare return
}

// BranchStmt is break; or continue;.
type BranchStmt struct {
	TokPos Pos
	Tok    Token // BREAK or CONTINUE
}

// EmptyStmt is a lone semicolon.
type EmptyStmt struct {
	Semi Pos
}

func (s *BlockStmt) Pos() Pos  { return s.Lbrace }
func (s *DeclStmt) Pos() Pos   { return s.Decl.Pos() }
func (s *ExprStmt) Pos() Pos   { return s.X.Pos() }
func (s *AssignStmt) Pos() Pos { return s.LHS.Pos() }
func (s *IncDecStmt) Pos() Pos { return s.X.Pos() }
func (s *IfStmt) Pos() Pos     { return s.IfPos }
func (s *WhileStmt) Pos() Pos  { return s.WhilePos }
func (s *ForStmt) Pos() Pos    { return s.ForPos }
func (s *AwaitStmt) Pos() Pos  { return s.AwaitPos }
func (s *AssertStmt) Pos() Pos { return s.AssertPos }
func (s *AtomicStmt) Pos() Pos { return s.AtomicPos }
func (s *EitherStmt) Pos() Pos { return s.EitherPos }
func (s *ChooseStmt) Pos() Pos { return s.ChoosePos }
func (s *ReturnStmt) Pos() Pos { return s.ReturnPos }
func (s *BranchStmt) Pos() Pos { return s.TokPos }
func (s *EmptyStmt) Pos() Pos  { return s.Semi }

func (*BlockStmt) stmtNode()  {}
func (*DeclStmt) stmtNode()   {}
func (*ExprStmt) stmtNode()   {}
func (*AssignStmt) stmtNode() {}
func (*IncDecStmt) stmtNode() {}
func (*IfStmt) stmtNode()     {}
func (*WhileStmt) stmtNode()  {}
func (*ForStmt) stmtNode()    {}
func (*AwaitStmt) stmtNode()  {}
func (*AssertStmt) stmtNode() {}
func (*AtomicStmt) stmtNode() {}
func (*EitherStmt) stmtNode() {}
func (*ChooseStmt) stmtNode() {}
func (*ReturnStmt) stmtNode() {}
func (*BranchStmt) stmtNode() {}
func (*EmptyStmt) stmtNode()  {}

// ---------------------------------------------------------------------------
// Declarations

// CpusDecl is cpus N [symmetric [except C, ...]];.
type CpusDecl struct {
	CpusPos   Pos
	Count     Expr
	Symmetric bool
	Except    []Expr // distinguished CPUs, fixed by the symmetry
}

// InflightDecl is inflight N;: the most messages in flight at once.
type InflightDecl struct {
	InflightPos Pos
	Count       Expr
}

// MemoryDecl is memory Model [Bound];: the memory model the CPUs see
// (sc or tso), and for tso the size of each CPU's store buffer.
type MemoryDecl struct {
	MemoryPos Pos
	Model     *Ident
	Bound     Expr // nil when omitted
}

// ConstDecl is const [Type] Name = Value;.
type ConstDecl struct {
	ConstPos Pos
	Type     TypeExpr // nil when omitted
	Name     *Ident
	Value    Expr
}

// StructDecl is struct Name { Fields }.
type StructDecl struct {
	StructPos Pos
	Name      *Ident
	Fields    []*Field
}

// Field is one struct field: Type Name [dims];.
type Field struct {
	Type TypeExpr
	Name *Ident
	Dims []*ArrayDim
}

// VarDecl declares a variable: Type Name [dims] [= Init]. Globals are
// VarDecls at top level; locals are wrapped in a DeclStmt.
type VarDecl struct {
	Type TypeExpr
	Name *Ident
	Dims []*ArrayDim
	Init Expr // nil when omitted
}

// FnDecl is [atomic] fn Name(Params) [[->] Result] Body.
type FnDecl struct {
	FnPos  Pos // position of "atomic" when Atomic, else of "fn"
	Atomic bool
	Name   *Ident
	Params []*Param
	Result TypeExpr // nil for no result
	Body   *BlockStmt
}

// Param is one fn parameter.
type Param struct {
	Type TypeExpr
	Name *Ident
}

// HandlerDecl is handler Name { }.
type HandlerDecl struct {
	HandlerPos Pos
	Name       *Ident
	Body       *BlockStmt
}

// ThreadDecl is thread Name on cpu CPU { }, or thread Name on each cpu { }
// for one copy per CPU.
type ThreadDecl struct {
	ThreadPos Pos
	Name      *Ident
	CPU       Expr // nil when EachCPU
	EachCPU   bool
	Forever   bool // forever thread ...: runs for ever by design (an idle loop, a poller)
	Body      *BlockStmt
}

// DeviceDecl is device Name { }: a thread bound to no CPU.
type DeviceDecl struct {
	DevicePos Pos
	Name      *Ident
	Forever   bool // forever device ...: runs for ever by design (a timer, a poller)
	Body      *BlockStmt
}

// InitDecl is init { }: run once, atomically, before exploration.
type InitDecl struct {
	InitPos Pos
	Body    *BlockStmt
}

// InvariantDecl is invariant [Name:] Cond;: checked in every state.
type InvariantDecl struct {
	InvariantPos Pos
	Name         *Ident // nil when unnamed
	Cond         Expr
}

// FinalDecl is final [Name:] Cond;: checked in every finished terminal state.
type FinalDecl struct {
	FinalPos Pos
	Name     *Ident // nil when unnamed
	Cond     Expr
}

// TemporalKind is the form of a liveness declaration.
type TemporalKind int

// The forms of liveness declarations.
const (
	LeadsTo          TemporalKind = iota // P ~> Q: whenever P holds, Q holds then or later
	AlwaysEventually                     // always eventually P: P holds again and again
	EventuallyAlways                     // eventually always P: from some point on, P holds for good
)

// LivenessDecl is liveness [Name:] P ~> Q;, liveness [Name:] always
// eventually P; or liveness [Name:] eventually always P;: checked on
// every fair run.
type LivenessDecl struct {
	LivenessPos Pos
	Name        *Ident // nil when unnamed
	Kind        TemporalKind
	P           Expr
	Q           Expr // LeadsTo only
}

// CoverDecl is cover [Name:] Cond;: some reachable state must satisfy Cond.
type CoverDecl struct {
	CoverPos Pos
	Name     *Ident // nil when unnamed
	Cond     Expr
}

func (d *CpusDecl) Pos() Pos      { return d.CpusPos }
func (d *InflightDecl) Pos() Pos  { return d.InflightPos }
func (d *MemoryDecl) Pos() Pos    { return d.MemoryPos }
func (d *ConstDecl) Pos() Pos     { return d.ConstPos }
func (d *StructDecl) Pos() Pos    { return d.StructPos }
func (d *Field) Pos() Pos         { return d.Type.Pos() }
func (d *VarDecl) Pos() Pos       { return d.Type.Pos() }
func (d *FnDecl) Pos() Pos        { return d.FnPos }
func (d *Param) Pos() Pos         { return d.Type.Pos() }
func (d *HandlerDecl) Pos() Pos   { return d.HandlerPos }
func (d *ThreadDecl) Pos() Pos    { return d.ThreadPos }
func (d *DeviceDecl) Pos() Pos    { return d.DevicePos }
func (d *InitDecl) Pos() Pos      { return d.InitPos }
func (d *InvariantDecl) Pos() Pos { return d.InvariantPos }
func (d *FinalDecl) Pos() Pos     { return d.FinalPos }
func (d *LivenessDecl) Pos() Pos  { return d.LivenessPos }
func (d *CoverDecl) Pos() Pos     { return d.CoverPos }

func (*CpusDecl) declNode()      {}
func (*InflightDecl) declNode()  {}
func (*MemoryDecl) declNode()    {}
func (*ConstDecl) declNode()     {}
func (*StructDecl) declNode()    {}
func (*VarDecl) declNode()       {}
func (*FnDecl) declNode()        {}
func (*HandlerDecl) declNode()   {}
func (*ThreadDecl) declNode()    {}
func (*DeviceDecl) declNode()    {}
func (*InitDecl) declNode()      {}
func (*InvariantDecl) declNode() {}
func (*FinalDecl) declNode()     {}
func (*LivenessDecl) declNode()  {}
func (*CoverDecl) declNode()     {}
