// Package syntax holds the scanner, the parser and the syntax tree of the
// irqcheck modelling language.
package syntax

import "fmt"

// Pos is a position in a source file. Line and Col count from 1; Col counts
// bytes. The zero Pos is "no position".
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether p names a real position.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats p as file:line:col, the form compilers use.
func (p Pos) String() string {
	if !p.IsValid() {
		if p.File != "" {
			return p.File
		}
		return "-"
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Token is a lexical token kind.
type Token int

// The tokens of the language.
const (
	ILLEGAL Token = iota
	EOF

	IDENT  // caller
	INT    // 42, 0x10, 0b101
	STRING // "msg"

	// COMMENT is a comment, // to the end of the line or /* ... */. The
	// scanner returns it only in ScanComments mode; the parser never sees
	// one.
	COMMENT

	// Operators and delimiters.
	ADD     // +
	SUB     // -
	MUL     // *
	QUO     // /
	REM     // %
	AND     // &
	OR      // |
	XOR     // ^
	SHL     // <<
	SHR     // >>
	LAND    // &&
	LOR     // ||
	NOT     // !
	TILDE   // ~
	EQL     // ==
	NEQ     // !=
	LSS     // <
	LEQ     // <=
	GTR     // >
	GEQ     // >=
	ASSIGN  // =
	ADDASN  // +=
	SUBASN  // -=
	MULASN  // *=
	QUOASN  // /=
	REMASN  // %=
	ANDASN  // &=
	ORASN   // |=
	XORASN  // ^=
	SHLASN  // <<=
	SHRASN  // >>=
	INC     // ++
	DEC     // --
	ARROW   // ->
	LPAREN  // (
	RPAREN  // )
	LBRACE  // {
	RBRACE  // }
	LBRACK  // [
	RBRACK  // ]
	COMMA   // ,
	SEMI    // ;
	COLON   // :
	DOT     // .
	DOTDOT  // ..
	QUEST   // ?
	LEADSTO // ~>

	keywordBeg
	ASSERT    // assert
	ATOMIC    // atomic
	AWAIT     // await
	BOOL      // bool
	BREAK     // break
	CHOOSE    // choose
	CONST     // const
	CONTINUE  // continue
	COVER     // cover
	CPU       // cpu
	CPUS      // cpus
	DEVICE    // device
	EITHER    // either
	ELSE      // else
	FALSE     // false
	FINAL     // final
	FN        // fn
	FOR       // for
	FOREVER   // forever
	HANDLER   // handler
	IF        // if
	IN        // in
	INFLIGHT  // inflight
	INIT      // init
	INT_T     // int
	INVARIANT // invariant
	LIVENESS  // liveness
	MEMORY    // memory
	NONE      // none
	ON        // on
	OR_KW     // or
	RETURN    // return
	STRUCT    // struct
	SYMMETRIC // symmetric
	THREAD    // thread
	TRUE      // true
	WHILE     // while
	keywordEnd
)

var tokenNames = [...]string{
	ILLEGAL: "ILLEGAL", EOF: "end of file", IDENT: "identifier", INT: "integer", STRING: "string", COMMENT: "comment",
	ADD: "+", SUB: "-", MUL: "*", QUO: "/", REM: "%", AND: "&", OR: "|", XOR: "^", SHL: "<<", SHR: ">>",
	LAND: "&&", LOR: "||", NOT: "!", TILDE: "~", EQL: "==", NEQ: "!=", LSS: "<", LEQ: "<=", GTR: ">", GEQ: ">=",
	ASSIGN: "=", ADDASN: "+=", SUBASN: "-=", MULASN: "*=", QUOASN: "/=", REMASN: "%=", ANDASN: "&=", ORASN: "|=",
	XORASN: "^=", SHLASN: "<<=", SHRASN: ">>=", INC: "++", DEC: "--", ARROW: "->",
	LPAREN: "(", RPAREN: ")", LBRACE: "{", RBRACE: "}", LBRACK: "[", RBRACK: "]", COMMA: ",", SEMI: ";",
	COLON: ":", DOT: ".", DOTDOT: "..", QUEST: "?", LEADSTO: "~>",
	ASSERT: "assert", ATOMIC: "atomic", AWAIT: "await", BOOL: "bool", BREAK: "break", CHOOSE: "choose",
	CONST: "const", CONTINUE: "continue", COVER: "cover", FOREVER: "forever", LIVENESS: "liveness", CPU: "cpu", CPUS: "cpus", DEVICE: "device", EITHER: "either",
	ELSE: "else", FALSE: "false", FINAL: "final", FN: "fn", FOR: "for", HANDLER: "handler", IF: "if", IN: "in",
	INFLIGHT: "inflight", MEMORY: "memory", INIT: "init", INT_T: "int", INVARIANT: "invariant", NONE: "none", ON: "on",
	OR_KW: "or", RETURN: "return", STRUCT: "struct", SYMMETRIC: "symmetric", THREAD: "thread", TRUE: "true",
	WHILE: "while",
}

// String returns the token's spelling, or a description for literal kinds.
func (t Token) String() string {
	if t >= 0 && int(t) < len(tokenNames) && tokenNames[t] != "" {
		return tokenNames[t]
	}
	return fmt.Sprintf("token(%d)", int(t))
}

// IsKeyword reports whether t is a reserved word.
func (t Token) IsKeyword() bool { return t > keywordBeg && t < keywordEnd }

var keywords = func() map[string]Token {
	m := make(map[string]Token)
	for t := keywordBeg + 1; t < keywordEnd; t++ {
		m[tokenNames[t]] = t
	}
	return m
}()

// Lookup maps an identifier to its keyword token, or IDENT.
func Lookup(ident string) Token {
	if t, ok := keywords[ident]; ok {
		return t
	}
	return IDENT
}
