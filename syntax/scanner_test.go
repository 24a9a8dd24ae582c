package syntax

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// scanned is one token as Scan returns it, with its position as line:col.
type scanned struct {
	Pos string
	Tok Token
	Lit string
}

func (s scanned) String() string { return fmt.Sprintf("%s %v %q", s.Pos, s.Tok, s.Lit) }

// scanAll scans src to EOF (inclusive) and returns the tokens and the
// errors as "line:col: msg".
func scanAll(src string) (toks []scanned, errs []string) {
	var s Scanner
	s.Init("t.irq", []byte(src), func(pos Pos, msg string) {
		errs = append(errs, fmt.Sprintf("%d:%d: %s", pos.Line, pos.Col, msg))
	})
	for i := 0; i < len(src)+2; i++ {
		pos, tok, lit := s.Scan()
		if pos.File != "t.irq" {
			panic("bad file name in position")
		}
		toks = append(toks, scanned{fmt.Sprintf("%d:%d", pos.Line, pos.Col), tok, lit})
		if tok == EOF {
			break
		}
	}
	return toks, errs
}

// TestScanEveryToken scans the spelling of every operator and keyword.
func TestScanEveryToken(t *testing.T) {
	for tok := ADD; tok < keywordEnd; tok++ {
		if tok == keywordBeg {
			continue
		}
		src := " " + tok.String() + " "
		toks, errs := scanAll(src)
		lit := ""
		if tok.IsKeyword() {
			lit = tok.String()
		}
		want := []scanned{{"1:2", tok, lit}, {fmt.Sprintf("1:%d", len(src)+1), EOF, ""}}
		if diff := cmp.Diff(want, toks); diff != "" || errs != nil {
			t.Errorf("scan %q: errors %v, tokens (-want +got):\n%s", src, errs, diff)
		}
	}
}

func TestScan(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []scanned // EOF is checked separately
	}{
		{"empty", "", nil},
		{"ident", "caller _x x1 X_Y", []scanned{
			{"1:1", IDENT, "caller"}, {"1:8", IDENT, "_x"}, {"1:11", IDENT, "x1"}, {"1:14", IDENT, "X_Y"}}},
		{"keyword prefix is an ident", "iff cpus2 cpu_down", []scanned{
			{"1:1", IDENT, "iff"}, {"1:5", IDENT, "cpus2"}, {"1:11", IDENT, "cpu_down"}}},
		{"decimal", "0 42 1_000", []scanned{
			{"1:1", INT, "0"}, {"1:3", INT, "42"}, {"1:6", INT, "1_000"}}},
		{"hex", "0x1F 0XfB 0x_ff_00", []scanned{
			{"1:1", INT, "0x1F"}, {"1:6", INT, "0XfB"}, {"1:11", INT, "0x_ff_00"}}},
		{"binary", "0b101 0B1_0", []scanned{{"1:1", INT, "0b101"}, {"1:7", INT, "0B1_0"}}},
		{"max int64", "9223372036854775807 0x7fffffffffffffff", []scanned{
			{"1:1", INT, "9223372036854775807"}, {"1:21", INT, "0x7fffffffffffffff"}}},
		{"number then letters", "12ab 0x1g", []scanned{
			{"1:1", INT, "12"}, {"1:3", IDENT, "ab"}, {"1:6", INT, "0x1"}, {"1:9", IDENT, "g"}}},
		{"range", "0..3", []scanned{{"1:1", INT, "0"}, {"1:2", DOTDOT, ""}, {"1:4", INT, "3"}}},
		{"range of hex", "0x0..0xf", []scanned{{"1:1", INT, "0x0"}, {"1:4", DOTDOT, ""}, {"1:6", INT, "0xf"}}},
		{"three dots", "...", []scanned{{"1:1", DOTDOT, ""}, {"1:3", DOT, ""}}},
		{"selector", "msg.addr", []scanned{{"1:1", IDENT, "msg"}, {"1:4", DOT, ""}, {"1:5", IDENT, "addr"}}},
		{"string", `"" "a b" "q\"\\\n\t"`, []scanned{
			{"1:1", STRING, `""`}, {"1:4", STRING, `"a b"`}, {"1:10", STRING, `"q\"\\\n\t"`}}},
		{"string with utf-8", `"naïve"`, []scanned{{"1:1", STRING, `"naïve"`}}},
		{"longest match shifts", "a<<=b<<c<=d<e", []scanned{
			{"1:1", IDENT, "a"}, {"1:2", SHLASN, ""}, {"1:5", IDENT, "b"}, {"1:6", SHL, ""},
			{"1:8", IDENT, "c"}, {"1:9", LEQ, ""}, {"1:11", IDENT, "d"}, {"1:12", LSS, ""}, {"1:13", IDENT, "e"}}},
		{"longest match right", ">>=>>>=>", []scanned{
			{"1:1", SHRASN, ""}, {"1:4", SHR, ""}, {"1:6", GEQ, ""}, {"1:8", GTR, ""}}},
		{"minus family", "x-->y->-=-", []scanned{
			{"1:1", IDENT, "x"}, {"1:2", DEC, ""}, {"1:4", GTR, ""}, {"1:5", IDENT, "y"},
			{"1:6", ARROW, ""}, {"1:8", SUBASN, ""}, {"1:10", SUB, ""}}},
		{"plus family", "a+++b+=+", []scanned{
			{"1:1", IDENT, "a"}, {"1:2", INC, ""}, {"1:4", ADD, ""}, {"1:5", IDENT, "b"},
			{"1:6", ADDASN, ""}, {"1:8", ADD, ""}}},
		{"logic", "&&&=&|||=|!=! ===", []scanned{
			{"1:1", LAND, ""}, {"1:3", ANDASN, ""}, {"1:5", AND, ""}, {"1:6", LOR, ""}, {"1:8", ORASN, ""},
			{"1:10", OR, ""}, {"1:11", NEQ, ""}, {"1:13", NOT, ""}, {"1:15", EQL, ""}, {"1:17", ASSIGN, ""}}},
		{"line comment", "a // b c\nd", []scanned{{"1:1", IDENT, "a"}, {"2:1", IDENT, "d"}}},
		{"line comment at eof", "a //", []scanned{{"1:1", IDENT, "a"}}},
		{"block comment", "a /* b\n c */ d/**/e", []scanned{
			{"1:1", IDENT, "a"}, {"2:7", IDENT, "d"}, {"2:12", IDENT, "e"}}},
		{"block comment with stars", "/***/x/* * / **/y", []scanned{{"1:6", IDENT, "x"}, {"1:17", IDENT, "y"}}},
		{"comment holds utf-8", "// héllo\nx", []scanned{{"2:1", IDENT, "x"}}},
		{"quotient", "a/b/=c", []scanned{
			{"1:1", IDENT, "a"}, {"1:2", QUO, ""}, {"1:3", IDENT, "b"}, {"1:4", QUOASN, ""}, {"1:6", IDENT, "c"}}},
		{"columns count bytes", "\tx\r\n  y", []scanned{{"1:2", IDENT, "x"}, {"2:3", IDENT, "y"}}},
		{"statement", "msg.addr = 1;", []scanned{
			{"1:1", IDENT, "msg"}, {"1:4", DOT, ""}, {"1:5", IDENT, "addr"}, {"1:10", ASSIGN, ""},
			{"1:12", INT, "1"}, {"1:13", SEMI, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toks, errs := scanAll(tt.src)
			if errs != nil {
				t.Errorf("unexpected errors: %v", errs)
			}
			if n := len(toks); n == 0 || toks[n-1].Tok != EOF {
				t.Fatalf("no EOF at end: %v", toks)
			}
			got := toks[:len(toks)-1]
			if len(got) == 0 {
				got = nil
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("tokens (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScanEOF(t *testing.T) {
	var s Scanner
	s.Init("f", []byte("x\n  "), nil)
	s.Scan()
	for i := 0; i < 3; i++ {
		pos, tok, lit := s.Scan()
		if want := (Pos{"f", 2, 3}); pos != want || tok != EOF || lit != "" {
			t.Errorf("scan %d past end = %v %v %q, want %v EOF", i, pos, tok, lit, want)
		}
	}
}

func TestScanErrors(t *testing.T) {
	tests := []struct {
		src  string
		toks []Token // tokens before EOF
		errs []string
	}{
		{`"abc`, []Token{STRING}, []string{"1:1: string literal not terminated"}},
		{"x = \"ab\nc\";", []Token{IDENT, ASSIGN, STRING, IDENT, STRING},
			[]string{"1:5: string literal not terminated", "2:2: string literal not terminated"}},
		{`"ab\`, []Token{STRING}, []string{"1:1: string literal not terminated"}},
		{`"a\qb"`, []Token{STRING}, []string{"1:3: unknown escape sequence"}},
		{"a /* b\n c", []Token{IDENT}, []string{"1:3: comment not terminated"}},
		{"/*/", nil, []string{"1:1: comment not terminated"}},
		{"0x", []Token{INT}, []string{"1:1: hexadecimal literal has no digits"}},
		{"0x_;", []Token{INT, SEMI}, []string{"1:1: hexadecimal literal has no digits"}},
		{"0b", []Token{INT}, []string{"1:1: binary literal has no digits"}},
		{"x 0b1021", []Token{IDENT, INT}, []string{"1:7: invalid digit '2' in binary literal"}},
		{"1__0", []Token{INT}, []string{"1:2: '_' must separate successive digits"}},
		{"10_", []Token{INT}, []string{"1:3: '_' must separate successive digits"}},
		{"0x1_", []Token{INT}, []string{"1:4: '_' must separate successive digits"}},
		{"9223372036854775808", []Token{INT}, []string{"1:1: integer literal 9223372036854775808 overflows int64"}},
		{"0x8000_0000_0000_0000", []Token{INT}, []string{"1:1: integer literal 0x8000_0000_0000_0000 overflows int64"}},
		{"0b" + strings.Repeat("1", 64), []Token{INT}, []string{"1:1: integer literal 0b" + strings.Repeat("1", 64) + " overflows int64"}},
		{"a é b", []Token{IDENT, ILLEGAL, IDENT}, []string{"1:3: invalid character U+00E9 'é'"}},
		{"caf\xff", []Token{IDENT, ILLEGAL}, []string{"1:4: invalid UTF-8 encoding"}},
		{"x @ y", []Token{IDENT, ILLEGAL, IDENT}, []string{"1:3: invalid character U+0040 '@'"}},
		{"#", []Token{ILLEGAL}, []string{"1:1: invalid character U+0023 '#'"}},
		{"\x00", []Token{ILLEGAL}, []string{"1:1: invalid character U+0000"}},
		{"$`'", []Token{ILLEGAL, ILLEGAL, ILLEGAL}, []string{
			"1:1: invalid character U+0024 '$'", "1:2: invalid character U+0060 '`'", "1:3: invalid character U+0027 '''"}},
	}
	for _, tt := range tests {
		toks, errs := scanAll(tt.src)
		var kinds []Token
		for _, tk := range toks[:len(toks)-1] {
			kinds = append(kinds, tk.Tok)
		}
		if diff := cmp.Diff(tt.toks, kinds); diff != "" {
			t.Errorf("scan %q: tokens (-want +got):\n%s", tt.src, diff)
		}
		if diff := cmp.Diff(tt.errs, errs); diff != "" {
			t.Errorf("scan %q: errors (-want +got):\n%s", tt.src, diff)
		}
	}
}

func TestScanErrorCount(t *testing.T) {
	var s Scanner
	s.Init("f", []byte("@ # 0x"), nil) // a nil handler is allowed
	for _, tok, _ := s.Scan(); tok != EOF; _, tok, _ = s.Scan() {
	}
	if s.ErrorCount != 3 {
		t.Errorf("ErrorCount = %d, want 3", s.ErrorCount)
	}
}

func TestIntValue(t *testing.T) {
	tests := []struct {
		lit  string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"007", 7, true}, {"1_000", 1000, true}, {"0x1F", 31, true}, {"0XfB", 251, true},
		{"0b101", 5, true}, {"0B1_1", 3, true}, {"9223372036854775807", 1<<63 - 1, true},
		{"9223372036854775808", 0, false}, {"0x", 0, false},
	}
	for _, tt := range tests {
		got, ok := intValue(tt.lit)
		if got != tt.want || ok != tt.ok {
			t.Errorf("intValue(%q) = %d, %v; want %d, %v", tt.lit, got, ok, tt.want, tt.ok)
		}
	}
}

func TestQuoteUnquote(t *testing.T) {
	tests := []struct{ lit, val string }{
		{`""`, ""}, {`"abc"`, "abc"}, {`"a\"b"`, `a"b`}, {`"a\\"`, `a\`}, {`"\n\t"`, "\n\t"},
	}
	for _, tt := range tests {
		if got := unquote(tt.lit); got != tt.val {
			t.Errorf("unquote(%s) = %q, want %q", tt.lit, got, tt.val)
		}
		if got := quote(tt.val); got != tt.lit {
			t.Errorf("quote(%q) = %s, want %s", tt.val, got, tt.lit)
		}
	}
	// Malformed literals, already reported by the scanner, still unquote.
	for lit, val := range map[string]string{`"abc`: "abc", `"a\`: `a\`, `"a\"`: `a"`} {
		if got := unquote(lit); got != val {
			t.Errorf("unquote(%s) = %q, want %q", lit, got, val)
		}
	}
}
