package compile_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/syntax"
)

func TestZZScratch(t *testing.T) {
	dir := os.Getenv("SCRATCH")
	if dir == "" {
		t.Skip()
	}
	src, _ := os.ReadFile(dir)
	for i, part := range strings.Split(string(src), "\n===\n") {
		func() {
			defer func() {
				if r := recover(); r != nil {
					fmt.Printf("#%d PANIC: %v\n", i, r)
				}
			}()
			p, err := compile.Load("test.irq", []byte(part))
			if err != nil {
				if l, ok := err.(syntax.ErrorList); ok {
					for _, e := range l {
						fmt.Printf("#%d ERR %s\n", i, e)
					}
				} else {
					fmt.Printf("#%d ERR(nonlist) %v\n", i, err)
				}
				return
			}
			st := time.Now()
			r := explore.Explore(p, explore.Options{MaxStates: 10000, MaxDepth: 200})
			v := ""
			if r.Violation != nil {
				v = r.Violation.Error()
			}
			fmt.Printf("#%d OK %s %s states=%d %v\n", i, r.Verdict, v, r.States, time.Since(st))
		}()
	}
}
