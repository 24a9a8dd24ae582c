package compile_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/syntax"
)

// FuzzLoad feeds arbitrary text through the whole front end (scanner,
// parser, checker, compiler) and, when it compiles, through a small
// exploration. It must never panic; a rejected model must come back as a
// syntax.ErrorList of positioned messages.
func FuzzLoad(f *testing.F) {
	for _, glob := range []string{"../examples/*.irq", "../cmd/irqcheck/testdata/check/*.irq"} {
		files, _ := filepath.Glob(glob)
		for _, name := range files {
			src, err := os.ReadFile(name)
			if err == nil {
				f.Add(src)
			}
		}
	}
	f.Add([]byte("cpus 1; thread t on cpu 0 { }"))
	f.Add([]byte("cpus 2; int a[cpu]; thread t on cpu 1 { a[this_cpu] = 1; }"))
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := compile.Load("fuzz.irq", src)
		if err != nil {
			var list syntax.ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error is not a positioned list: %v", err)
			}
			for _, e := range list {
				if e.Pos.Line < 1 || e.Pos.Col < 1 || e.Msg == "" {
					t.Fatalf("bad error %q at %v", e.Msg, e.Pos)
				}
			}
			return
		}
		if p == nil {
			t.Fatal("no program and no error")
		}
		explore.Explore(p, explore.Options{MaxStates: 200, MaxDepth: 50})
	})
}
