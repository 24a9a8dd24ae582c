package syntax

import (
	"bytes"
	"os"
	"testing"
)

// TestFormatCommentEverywhere puts a comment at every token boundary of a
// model, one at a time, in each of the forms a comment can take there,
// and checks that the model formats (so the tree and the comments are
// kept) to a fixed point.
func TestFormatCommentEverywhere(t *testing.T) {
	for _, name := range []string{"testdata/everything.irq", "testdata/format/layout.irq"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			commentEverywhere(t, name)
		})
	}
}

func commentEverywhere(t *testing.T, name string) {
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var s Scanner
	s.Init(name, src, nil)
	var offs []int
	for {
		pos, tok, _ := s.Scan()
		if tok == EOF {
			break
		}
		offs = append(offs, offsetOf(src, pos))
	}
	offs = append(offs, len(src))
	forms := []string{"/* c */", "// c\n", "\n\n/* c */\n\n", "/* c\n c */", " /* a */ /* b */ // c\n"}
	for _, off := range offs {
		for _, form := range forms {
			in := append(append(append([]byte{}, src[:off]...), form...), src[off:]...)
			out, err := Format(name, in)
			if err != nil {
				t.Fatalf("comment %q at offset %d: %v\ninput:\n%s", form, off, err, in)
			}
			again, err := Format(name, out)
			if err != nil || !bytes.Equal(out, again) {
				t.Fatalf("comment %q at offset %d: not a fixed point (%v)\ninput:\n%s\nfirst:\n%s\nsecond:\n%s", form, off, err, in, out, again)
			}
		}
	}
	if len(offs) < 100 {
		t.Errorf("%s: only %d token boundaries", name, len(offs))
	}
}

// offsetOf returns the byte offset of pos in src.
func offsetOf(src []byte, pos Pos) int {
	line, off := 1, 0
	for line < pos.Line {
		off += bytes.IndexByte(src[off:], '\n') + 1
		line++
	}
	return off + pos.Col - 1
}
