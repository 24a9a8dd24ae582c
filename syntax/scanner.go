package syntax

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// An ErrorHandler is called by a Scanner for each error it finds, with the
// position of the offending text and a message.
type ErrorHandler func(pos Pos, msg string)

// A ScanMode controls what a Scanner reports beyond the tokens of the
// language.
type ScanMode uint

// The scan modes.
const (
	// ScanComments makes Scan return each comment as a COMMENT token
	// instead of skipping it.
	ScanComments ScanMode = 1 << iota
)

// A Scanner turns source text into tokens. White space is skipped, and so
// are comments unless Mode has ScanComments. Use Init to prepare a Scanner
// and Scan to read tokens.
type Scanner struct {
	file string
	src  []byte
	err  ErrorHandler

	// Mode selects what Scan reports; Init sets it to 0 (comments are
	// skipped), so set it after Init.
	Mode ScanMode

	offs      int // offset of the next unread byte
	line      int // line of src[offs]
	lineStart int // offset of the first byte of line

	// ErrorCount counts the errors reported so far.
	ErrorCount int
}

// Init prepares s to scan src, reporting positions in the file filename
// and errors to err (which may be nil).
func (s *Scanner) Init(filename string, src []byte, err ErrorHandler) {
	*s = Scanner{file: filename, src: src, err: err, line: 1}
}

func (s *Scanner) posAt(offs int) Pos {
	return Pos{File: s.file, Line: s.line, Col: offs - s.lineStart + 1}
}

func (s *Scanner) error(offs int, msg string) {
	s.ErrorCount++
	if s.err != nil {
		s.err(s.posAt(offs), msg)
	}
}

// newline records that the byte at offs is a line break.
func (s *Scanner) newline(offs int) {
	s.line++
	s.lineStart = offs + 1
}

// peekByte returns the byte k bytes after the next unread one, or 0.
func (s *Scanner) peekByte(k int) byte {
	if s.offs+k < len(s.src) {
		return s.src[s.offs+k]
	}
	return 0
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// Scan reads the next token and returns its position, its kind and its
// literal text. The literal is the spelling for identifiers, keywords and
// integers, the quoted text for strings, the offending character for
// ILLEGAL, the whole text of a COMMENT (with its // or /* */, without the
// line break that ends a // comment), and empty otherwise. At the end of
// the input Scan returns EOF, as often as it is called.
func (s *Scanner) Scan() (pos Pos, tok Token, lit string) {
	for {
		s.skipSpace()
		if s.offs+1 < len(s.src) && s.src[s.offs] == '/' {
			switch s.src[s.offs+1] {
			case '/', '*':
				start := s.offs
				pos := s.posAt(start)
				if s.src[s.offs+1] == '/' {
					s.skipLineComment()
				} else {
					s.skipBlockComment()
				}
				if s.Mode&ScanComments != 0 {
					return pos, COMMENT, string(s.src[start:s.offs])
				}
				continue
			}
		}
		break
	}

	start := s.offs
	pos = s.posAt(start)
	if start >= len(s.src) {
		return pos, EOF, ""
	}
	c := s.src[start]
	switch {
	case isLetter(c):
		for s.offs < len(s.src) && (isLetter(s.src[s.offs]) || isDigit(s.src[s.offs])) {
			s.offs++
		}
		lit = string(s.src[start:s.offs])
		return pos, Lookup(lit), lit
	case isDigit(c):
		return pos, INT, s.scanNumber()
	case c == '"':
		return pos, STRING, s.scanString()
	case c >= utf8.RuneSelf:
		r, size := utf8.DecodeRune(s.src[start:])
		s.offs += size
		if r == utf8.RuneError && size == 1 {
			s.error(start, "invalid UTF-8 encoding")
		} else {
			s.error(start, fmt.Sprintf("invalid character %#U", r))
		}
		return pos, ILLEGAL, string(s.src[start:s.offs])
	}

	s.offs++
	next := s.peekByte(0)
	switch c {
	case '+':
		tok = s.pick2(next, '+', INC, '=', ADDASN, ADD)
	case '-':
		switch next {
		case '-':
			s.offs++
			tok = DEC
		case '=':
			s.offs++
			tok = SUBASN
		case '>':
			s.offs++
			tok = ARROW
		default:
			tok = SUB
		}
	case '*':
		tok = s.pick1(next, '=', MULASN, MUL)
	case '/':
		tok = s.pick1(next, '=', QUOASN, QUO)
	case '%':
		tok = s.pick1(next, '=', REMASN, REM)
	case '&':
		tok = s.pick2(next, '&', LAND, '=', ANDASN, AND)
	case '|':
		tok = s.pick2(next, '|', LOR, '=', ORASN, OR)
	case '^':
		tok = s.pick1(next, '=', XORASN, XOR)
	case '<':
		if next == '<' {
			s.offs++
			tok = s.pick1(s.peekByte(0), '=', SHLASN, SHL)
		} else {
			tok = s.pick1(next, '=', LEQ, LSS)
		}
	case '>':
		if next == '>' {
			s.offs++
			tok = s.pick1(s.peekByte(0), '=', SHRASN, SHR)
		} else {
			tok = s.pick1(next, '=', GEQ, GTR)
		}
	case '=':
		tok = s.pick1(next, '=', EQL, ASSIGN)
	case '!':
		tok = s.pick1(next, '=', NEQ, NOT)
	case '.':
		tok = s.pick1(next, '.', DOTDOT, DOT)
	case '~':
		tok = s.pick1(next, '>', LEADSTO, TILDE)
	case '(':
		tok = LPAREN
	case ')':
		tok = RPAREN
	case '{':
		tok = LBRACE
	case '}':
		tok = RBRACE
	case '[':
		tok = LBRACK
	case ']':
		tok = RBRACK
	case ',':
		tok = COMMA
	case ';':
		tok = SEMI
	case ':':
		tok = COLON
	case '?':
		tok = QUEST
	default:
		s.error(start, fmt.Sprintf("invalid character %#U", rune(c)))
		return pos, ILLEGAL, string(rune(c))
	}
	return pos, tok, ""
}

// pick1 returns yes (consuming next) if next is c, else no.
func (s *Scanner) pick1(next, c byte, yes, no Token) Token {
	if next == c {
		s.offs++
		return yes
	}
	return no
}

// pick2 is pick1 with two alternatives.
func (s *Scanner) pick2(next, c1 byte, t1 Token, c2 byte, t2, no Token) Token {
	switch next {
	case c1:
		s.offs++
		return t1
	case c2:
		s.offs++
		return t2
	}
	return no
}

func (s *Scanner) skipSpace() {
	for s.offs < len(s.src) {
		switch s.src[s.offs] {
		case '\n':
			s.newline(s.offs)
		case ' ', '\t', '\r':
		default:
			return
		}
		s.offs++
	}
}

func (s *Scanner) skipLineComment() {
	for s.offs < len(s.src) && s.src[s.offs] != '\n' {
		s.offs++
	}
}

func (s *Scanner) skipBlockComment() {
	start := s.offs
	startPos := s.posAt(start)
	s.offs += 2 // "/*"
	for s.offs < len(s.src) {
		c := s.src[s.offs]
		if c == '*' && s.peekByte(1) == '/' {
			s.offs += 2
			return
		}
		if c == '\n' {
			s.newline(s.offs)
		}
		s.offs++
	}
	// Report at the comment's start, which may lie on an earlier line.
	s.ErrorCount++
	if s.err != nil {
		s.err(startPos, "comment not terminated")
	}
}

// scanNumber scans an integer literal and returns its spelling. It stops
// before anything that is not a digit or '_', so 0..3 scans as 0 .. 3.
func (s *Scanner) scanNumber() string {
	start := s.offs
	base, prefix := 10, 0
	if s.src[start] == '0' {
		switch s.peekByte(1) {
		case 'x', 'X':
			base, prefix = 16, 2
		case 'b', 'B':
			base, prefix = 2, 2
		}
	}
	s.offs += prefix
	digits := s.offs
	invalid := -1 // offset of the first digit not valid in base
	for s.offs < len(s.src) {
		c := s.src[s.offs]
		switch {
		case c == '_':
		case base == 16 && isHex(c):
		case base != 16 && isDigit(c):
			if base == 2 && c > '1' && invalid < 0 {
				invalid = s.offs
			}
		default:
			goto done
		}
		s.offs++
	}
done:
	lit := string(s.src[start:s.offs])
	body := s.src[digits:s.offs]
	if base == 10 && len(lit) > 1 && lit[0] == '0' && isDigit(lit[1]) {
		s.error(start, fmt.Sprintf("%s: in C a leading 0 makes an octal literal, and irqcheck has none: write the decimal value, or hex (0x...)", lit))
		return lit
	}
	if !strings.ContainsAny(string(body), "0123456789abcdefABCDEF") {
		name := map[int]string{16: "hexadecimal", 2: "binary", 10: "decimal"}[base]
		s.error(start, name+" literal has no digits")
		return lit
	}
	if invalid >= 0 {
		s.error(invalid, fmt.Sprintf("invalid digit %q in binary literal", s.src[invalid]))
		return lit
	}
	if i := badSeparator(lit, prefix); i >= 0 {
		s.error(start+i, "'_' must separate successive digits")
		return lit
	}
	if _, ok := intValue(lit); !ok {
		s.error(start, "integer literal "+lit+" overflows int64")
	}
	return lit
}

// badSeparator returns the index of the first '_' in lit that does not sit
// between two digits (the base prefix counts as a digit), or -1.
func badSeparator(lit string, prefix int) int {
	for i := prefix; i < len(lit); i++ {
		if lit[i] != '_' {
			continue
		}
		before := i == prefix && prefix > 0 || i > 0 && lit[i-1] != '_'
		after := i+1 < len(lit) && lit[i+1] != '_'
		if !before || !after {
			return i
		}
	}
	return -1
}

// intValue returns the value of a well-formed integer literal spelling, and
// false if the spelling is malformed or the value does not fit an int64.
func intValue(lit string) (int64, bool) {
	base := 10
	if len(lit) > 2 && lit[0] == '0' {
		switch lit[1] {
		case 'x', 'X':
			base, lit = 16, lit[2:]
		case 'b', 'B':
			base, lit = 2, lit[2:]
		}
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(lit, "_", ""), base, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

// scanString scans a double-quoted string literal and returns its quoted
// spelling. A string ends at the closing quote; a newline or the end of the
// input before it is an error.
func (s *Scanner) scanString() string {
	start := s.offs
	s.offs++ // opening quote
	for {
		if s.offs >= len(s.src) || s.src[s.offs] == '\n' {
			s.error(start, "string literal not terminated")
			return string(s.src[start:s.offs])
		}
		c := s.src[s.offs]
		if c == '"' {
			s.offs++
			return string(s.src[start:s.offs])
		}
		if c == '\\' {
			if s.offs+1 >= len(s.src) || s.src[s.offs+1] == '\n' {
				s.offs++
				continue // reported as not terminated
			}
			switch s.src[s.offs+1] {
			case '"', '\\', 'n', 't':
				s.offs += 2
				continue
			}
			s.error(s.offs, "unknown escape sequence")
		}
		s.offs++
	}
}

// unquote returns the value of a string literal as produced by Scan. It is
// lenient: a malformed literal (already reported by the scanner) yields its
// best-effort contents.
func unquote(lit string) string {
	var b strings.Builder
	for i := 1; i < len(lit); i++ { // skip the opening quote
		c := lit[i]
		switch {
		case c == '"':
			return b.String()
		case c == '\\' && i+1 < len(lit):
			i++
			switch c = lit[i]; c {
			case 'n':
				c = '\n'
			case 't':
				c = '\t'
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// quote returns s as a string literal that Scan accepts and unquote maps
// back to s.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
