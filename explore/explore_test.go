package explore_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
)

func load(t *testing.T, src string) *machine.Program {
	t.Helper()
	p, err := compile.Load("test.irq", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The first violation found is one with a shortest trace: here a long
// path and a short path reach the same broken assertion.
func TestShortestTrace(t *testing.T) {
	p := load(t, `cpus 2; int x; int y;
		thread slow on cpu 0 { x = 1; x = 2; x = 3; y = 1; }
		thread fast on cpu 1 { either { y = 1; } or { x = 5; } }
		invariant y == 0;`)
	r := explore.Explore(p, explore.Options{})
	if r.Verdict != explore.Violated {
		t.Fatalf("verdict %s", r.Verdict)
	}
	// fast: either (1), y = 1 (2).
	if len(r.Trace.Steps) != 2 || r.Depth != 2 {
		t.Errorf("trace of %d steps (depth %d), want 2", len(r.Trace.Steps), r.Depth)
	}
}

// A terminal violation at depth d wins over a transition violation at
// depth d+1 found earlier in the same level.
func TestTerminalBeatsDeeper(t *testing.T) {
	p := load(t, `cpus 2; bool go;
		thread a on cpu 0 { await go; }
		thread b on cpu 1 { either { assert false, "deep"; } or { } }`)
	r := explore.Explore(p, explore.Options{})
	if r.Verdict != explore.Violated || r.Violation.Kind != "hang" {
		t.Fatalf("got %s %v, want the hang after 1 step", r.Verdict, r.Violation)
	}
	// Level 1 holds first "b at assert" (whose successor breaks the
	// assertion at depth 2) and then "b done, a blocked" (a hang at depth 1).
	if len(r.Trace.Steps) != 1 {
		t.Errorf("trace of %d steps, want 1", len(r.Trace.Steps))
	}
}

// Same model, same answer, whatever the number of workers: levels wide
// enough to be split into many chunks give the same figures, the same
// verdict and the same trace with 1 to 4 workers.
func TestWorkersAgree(t *testing.T) {
	models := []string{
		// verified, wide levels
		`cpus 3; int a; int b; int c;
		thread x on cpu 0 { choose a in 0..5; choose b in 0..5; a++; }
		thread y on cpu 1 { choose c in 0..5; b = c; c++; }
		device d { either { a = 7; } or { b = 7; } c = 3; }`,
		// a violation found deep in a wide level
		`cpus 3; int a; int b; int c;
		thread x on cpu 0 { choose a in 0..5; choose b in 0..5; a++; }
		thread y on cpu 1 { choose c in 0..5; b = c; c++; }
		device d { either { a = 7; } or { b = 7; } c = 3; }
		invariant a + b + c != 13;`,
		// a hang
		`cpus 3; int a; int b; bool go;
		thread x on cpu 0 { choose a in 0..9; choose b in 0..9; await go; }
		thread y on cpu 1 { choose b in 0..9; if (a == 9 && b == 3) go = true; }`,
	}
	for i, src := range models {
		var first *explore.Result
		for w := 1; w <= 4; w++ {
			r := explore.Explore(load(t, src), explore.Options{Workers: w})
			if first == nil {
				first = r
				continue
			}
			if r.States != first.States || r.Transitions != first.Transitions || r.Verdict != first.Verdict || r.Depth != first.Depth {
				t.Fatalf("model %d, %d workers: %s %d states %d transitions depth %d; 1 worker: %s %d %d %d",
					i, w, r.Verdict, r.States, r.Transitions, r.Depth, first.Verdict, first.States, first.Transitions, first.Depth)
			}
			if first.Trace != nil {
				if d := cmp.Diff(render(first.Trace), render(r.Trace)); d != "" {
					t.Fatalf("model %d, %d workers: trace differs:\n%s", i, w, d)
				}
			}
		}
		if first.Verdict == explore.Verified && first.States < 1000 {
			t.Errorf("model %d has only %d states: too small to split the levels", i, first.States)
		}
	}
}

// Same model, same answer: two runs agree on every figure and trace.
func TestDeterministic(t *testing.T) {
	src := `cpus 2; const V = 0x30; int n;
		handler h { n++; }
		init { request_irq(0, V, h); request_irq(1, V, h); }
		thread a on cpu 0 { send_ipi(1, V); send_ipi(1, V); cpu_down(1); }
		device d { send_ipi(0, V); send_ipi(1, V); }
		final n == 4;`
	var prev *explore.Result
	for i := 0; i < 3; i++ {
		r := explore.Explore(load(t, src), explore.Options{})
		if prev != nil {
			if r.States != prev.States || r.Transitions != prev.Transitions || r.Verdict != prev.Verdict {
				t.Fatalf("run %d: %d/%d %s, before %d/%d %s", i, r.States, r.Transitions, r.Verdict, prev.States, prev.Transitions, prev.Verdict)
			}
			if d := cmp.Diff(render(prev.Trace), render(r.Trace)); d != "" {
				t.Fatalf("traces differ:\n%s", d)
			}
		}
		prev = r
	}
}

func TestLimits(t *testing.T) {
	p := load(t, `cpus 1; int[0..100000] n; thread t on cpu 0 { while (true) n++; }`)
	for _, tc := range []struct {
		opt   explore.Options
		limit string
	}{
		{explore.Options{MaxStates: 100}, "max-states"},
		{explore.Options{MaxDepth: 7}, "max-depth"},
		{explore.Options{MaxMemory: 1 << 20}, "mem"},
	} {
		r := explore.Explore(p, tc.opt)
		if r.Verdict != explore.Incomplete || r.Limit != tc.limit {
			t.Errorf("%+v: %s %q, want incomplete %q", tc.opt, r.Verdict, r.Limit, tc.limit)
		}
	}
	r := explore.Explore(p, explore.Options{MaxStates: 100})
	if r.States != 100 {
		t.Errorf("stopped at %d states, want 100", r.States)
	}
}

func TestSimulate(t *testing.T) {
	p := load(t, `cpus 2; int x; thread a on cpu 0 { x = 1; } thread b on cpu 1 { x = 2; } final x == 2;`)
	seen := map[string]bool{}
	for seed := uint64(0); seed < 20; seed++ {
		r := explore.Simulate(p, seed, 100)
		if r.Violation != nil {
			seen["violation"] = true
		} else if r.Terminal {
			seen["ok"] = true
		}
		if r.Steps != 2 {
			t.Errorf("seed %d: %d steps, want 2", seed, r.Steps)
		}
	}
	if !seen["violation"] || !seen["ok"] {
		t.Errorf("20 seeds did not reach both outcomes: %v", seen)
	}
}

// render keeps what a trace is: who did what, in which column, and the
// state after.
func render(tr *explore.Trace) []string {
	var out []string
	for _, st := range tr.Steps {
		line := fmt.Sprintf("%d %s: %s %v", st.Column, st.Actor, st.Text, st.State)
		out = append(out, line)
	}
	return out
}

func loadB(b *testing.B, src string) *machine.Program {
	b.Helper()
	p, err := compile.Load("bench.irq", []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// The copies of a thread on each cpu share their body's locals: each copy
// has its own slots for every one of them (a later local once landed on
// the first's slot).
func TestFamilyLocals(t *testing.T) {
	p := load(t, `cpus 2;
		thread w on each cpu {
			cpu c;
			choose c in 1..1;
			thread t = current(this_cpu);
			int n = 7;
			assert c == 1 && t != none && n == 7;
		}`)
	r := explore.Explore(p, explore.Options{})
	if r.Verdict != explore.Verified {
		t.Fatalf("got %s %v, want verified", r.Verdict, r.Violation)
	}
}

// The memory budget is watched by the workers while they expand: with
// several of them it still ends the run as incomplete (and, under -race,
// without a data race).
func TestMemLimitParallel(t *testing.T) {
	p := load(t, `cpus 3; int a; int b; int c;
		thread x on cpu 0 { choose a in 0..9; choose b in 0..9; a++; }
		thread y on cpu 1 { choose c in 0..9; b = c; c++; }
		device d { either { a = 7; } or { b = 7; } c = 3; }`)
	r := explore.Explore(p, explore.Options{MaxMemory: 1 << 20, Workers: 2})
	if r.Verdict != explore.Incomplete || r.Limit != "mem" {
		t.Errorf("%s %q, want incomplete mem", r.Verdict, r.Limit)
	}
}

// Indexing by a local or by this_cpu takes a fast path; what it cannot
// handle must still fail the step with the right message.
func TestIndexErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"cpus 2; int a[cpu]; thread t on cpu 0 { cpu c; a[c] = 1; assert a[0] == 1; }", ""},
		{"cpus 2; int a[cpu]; thread t on cpu 1 { cpu c = 1; a[c] = 1; a[this_cpu]++; assert a[1] == 2; }", ""},
		{"cpus 2 symmetric; int a[cpu]; thread t on each cpu { cpu c; a[c] = 1; }",
			"c is read before it is set (a cpu has no default value in a symmetric model)"},
		{"cpus 2; bool m[thread]; thread t on cpu 0 { thread x; m[x] = true; }", "m indexed by none"},
		{"cpus 2; int a[4]; thread t on cpu 0 { int i = 5; a[i] = 1; }", "index 5 out of range 0..3 of a"},
		{"cpus 2; int a[4]; thread t on cpu 0 { int i = -1; int v = a[i]; }", "index -1 out of range 0..3 of a"},
	} {
		r := explore.Explore(load(t, tc.src), explore.Options{})
		switch {
		case tc.want == "" && r.Verdict != explore.Verified:
			t.Errorf("%s: %s %v, want verified", tc.src, r.Verdict, r.Violation)
		case tc.want != "" && (r.Violation == nil || r.Violation.Msg != tc.want):
			t.Errorf("%s: %s %v, want the error %q", tc.src, r.Verdict, r.Violation, tc.want)
		}
	}
}

// When the search without the reduction, which looks for the shortest
// trace of a violation the reduced search found, stops at a limit, the
// reduced search's trace is shown and the result says it may not be the
// shortest.
func TestNotShortestUnderALimit(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "not_shortest.irq"))
	if err != nil {
		t.Fatal(err)
	}
	p := load(t, string(src))
	whole := explore.Explore(p, explore.Options{})
	if whole.Verdict != explore.Violated || whole.NotShortest != "" || whole.Depth != 15 {
		t.Fatalf("no limit: %s at depth %d, not shortest %q; want a violation at depth 15, the shortest", whole.Verdict, whole.Depth, whole.NotShortest)
	}
	cut := explore.Explore(p, explore.Options{MaxStates: 200_000})
	if cut.Verdict != explore.Violated || cut.NotShortest != "max-states" || cut.Depth <= whole.Depth || cut.Trace == nil || len(cut.Trace.Steps) != cut.Depth {
		t.Fatalf("--max-states 200000: %s at depth %d, not shortest %q; want the reduced search's deeper violation, marked max-states", cut.Verdict, cut.Depth, cut.NotShortest)
	}
}
