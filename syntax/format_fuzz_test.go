package syntax

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// FuzzFormat checks that Format never panics, that it formats every input
// that parses (its own checks find no change of the tree or the
// comments), and that its output is a fixed point.
func FuzzFormat(f *testing.F) {
	for _, pattern := range []string{"testdata/*.irq", "testdata/format/*.irq"} {
		files, _ := filepath.Glob(pattern)
		for _, name := range files {
			src, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	for _, tc := range formatTests {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		// Recording comments changes neither the tree nor the errors.
		plain, perr := ParseFile("fuzz.irq", src)
		withComments, cerr := ParseFileMode("fuzz.irq", src, ParseComments)
		if fmt.Sprint(perr) != fmt.Sprint(cerr) || dump(plain.Decls) != dump(withComments.Decls) {
			t.Fatalf("ParseComments changes the parse: errors %v and %v", perr, cerr)
		}
		if plain.Comments != nil {
			t.Fatalf("ParseFile recorded comments")
		}
		out, err := Format("fuzz.irq", src)
		if perr != nil {
			if err == nil {
				t.Fatalf("formatted a model with a syntax error (%v)", perr)
			}
			return
		}
		if err != nil {
			t.Fatalf("Format: %v\ninput:\n%s", err, src)
		}
		again, err := Format("fuzz.irq", out)
		if err != nil {
			t.Fatalf("formatting the output: %v\noutput:\n%s", err, out)
		}
		if !bytes.Equal(out, again) {
			t.Fatalf("not a fixed point\ninput:\n%s\nfirst:\n%s\nsecond:\n%s", src, out, again)
		}
	})
}
