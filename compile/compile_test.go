package compile_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
	"github.com/irqcheck/irqcheck/syntax"
)

func load(t *testing.T, src string) *machine.Program {
	t.Helper()
	p, err := compile.Load("test.irq", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// slot returns the index of the slot named name.
func slot(t *testing.T, p *machine.Program, name string) int32 {
	t.Helper()
	for i, s := range p.Layout.Slots {
		if s.Name == name {
			return int32(i)
		}
	}
	t.Fatalf("no slot %q", name)
	return -1
}

// frameNames lists the names of a thread's frame slots.
func frameNames(p *machine.Program, thread int) []string {
	ps := p.Layout.Threads[thread]
	var out []string
	for i := int32(0); i < p.Threads[thread].FrameSize; i++ {
		out = append(out, p.Layout.Slots[ps.Frame+i].Name)
	}
	return out
}

func TestFrameLayout(t *testing.T) {
	tests := []struct {
		name, src string
		frame     []string
	}{
		{"fns called one after the other share slots", `cpus 1; int x;
			fn f() { int a; a = 1; x = a; }
			fn g() { int b; bool c; b = 2; x = b; }
			thread t on cpu 0 { int own; f(); g(); }`,
			[]string{"t.own", "f.a/g.b", "g.c"}},
		{"a callee does not overlap its caller", `cpus 1; int x;
			fn g() { int b; b = 2; }
			fn f() { int a; a = 1; g(); x = a; }
			thread t on cpu 0 { f(); }`,
			[]string{"f.a", "g.b"}},
		{"a callee goes after its deepest caller", `cpus 1; int x;
			fn h(int v) { x = v; }
			fn f() { int a; int b; h(a); }
			fn g() { int c; h(c); }
			thread t on cpu 0 { f(); g(); }`,
			[]string{"f.a/g.c", "f.b", "h.v"}},
		{"struct locals take all their slots", `cpus 2;
			struct msi { cpu addr; int data[2]; }
			fn f(msi m) { msi n = m; }
			thread t on cpu 0 { msi g; f(g); }`,
			[]string{"t.g.addr", "t.g.data[0]", "t.g.data[1]", "f.m.addr", "f.m.data[0]", "f.m.data[1]", "f.n.addr", "f.n.data[0]", "f.n.data[1]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := load(t, tt.src)
			got := frameNames(p, 0)
			if strings.Join(got, " ") != strings.Join(tt.frame, " ") {
				t.Errorf("frame %q, want %q", got, tt.frame)
			}
		})
	}
}

// inc's parameter must not share twice's parameter: twice is still active
// while inc runs. The test above only looks at the first slot; this one
// checks the whole frame.
func TestFrameLayoutNested(t *testing.T) {
	p := load(t, `cpus 1; int x;
		atomic fn inc(int v) -> int { return v + 1; }
		atomic fn twice(int w) -> int { return inc(inc(w)); }
		thread t on cpu 0 { x = twice(x) + inc(1); }`)
	got := frameNames(p, 0)
	if want := []string{"twice.w", "inc.v"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("frame %q, want %q", got, want)
	}
}

// Handler frames are per CPU, as large as the largest handler's.
func TestHandlerFrames(t *testing.T) {
	p := load(t, `cpus 2; int x;
		handler small { int a; a = 1; }
		handler big { int b; int c[3]; b = 1; }`)
	if p.Layout.HFrameSize != 4 {
		t.Errorf("handler frame of %d slots, want 4", p.Layout.HFrameSize)
	}
	if p.Layout.CPUs[0].HFrame == p.Layout.CPUs[1].HFrame {
		t.Error("cpus share a handler frame")
	}
	if n := p.Layout.Slots[p.Layout.CPUs[1].HFrame].Name; n != "cpu1.small.a/big.b" {
		t.Errorf("shared handler slot named %q", n)
	}
}

// ops renders a code listing compactly: one letter per instruction, lower
// case for free ones, with the atomic region after a colon when not 0.
func ops(code machine.Code) string {
	var b strings.Builder
	for i, in := range code {
		if i > 0 {
			b.WriteByte(' ')
		}
		name := map[machine.Op]string{
			machine.OpExec: "E", machine.OpBranch: "B", machine.OpAwait: "W", machine.OpAssert: "A",
			machine.OpChoice: "C", machine.OpChoose: "H", machine.OpYield: "Y", machine.OpJump: "J",
			machine.OpClear: "Z", machine.OpEnd: "End",
		}[in.Op]
		if in.Free {
			name = strings.ToLower(name)
		}
		b.WriteString(name)
		if in.Region != 0 {
			b.WriteString(":r")
		}
	}
	return b.String()
}

func TestCode(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"assignments", "x = 1; x = 2;", "E E End"},
		{"if else", "if (x) x = 1; else x = 2;", "B E j E End"},
		{"while", "while (x < 3) x++;", "B E j End"},
		{"for", "for (int i = 0; i < 2; i++) x += i;", "E B E E j End"},
		{"empty for spins", "for (;;) { }", "E j End"},
		{"for with only continue spins", "for (;;) { continue; }", "j E j End"},
		{"for around a loop that breaks: its back edge spins", "for (;;) { for (;;) { break; } }", "j E j E End"},
		{"atomic block is one region", "atomic { x = 1; if (x) x = 2; } x = 3;", "E:r B:r E:r E End"},
		{"await, assert, choose", "await x == 0; assert x == 0; choose x in 0..2;", "W A H End"},
		{"either", "either { x = 1; } or { x = 2; }", "C E j E j End"},
		{"yield", "yield();", "Y End"},
		{"fn inlined: bind, body, clear", "f(1);", "E E z End"},
		{"atomic fn inlined in a region", "g();", "E:r E:r End"},
		{"fn result to a variable", "x = h();", "E j End"},
		{"atomic fn in an expression is one step", "x = k(1) + k(2);", "E End"},
		{"empty statements emit nothing", "; {} atomic { }", "End"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := load(t, `cpus 1; int x;
				fn f(int a) { x = a; }
				atomic fn g() { x = 1; x = 2; }
				fn h() -> int { return 3; }
				atomic fn k(int v) -> int { return v; }
				thread t on cpu 0 { `+tt.body+` }`)
			if got := ops(p.Threads[0].Code); got != tt.want {
				t.Errorf("code %s, want %s", got, tt.want)
			}
		})
	}
}

// step runs one step of thread 0 from state s.
func step(p *machine.Program, s machine.State, pc int32) (*machine.Ctx, int32) {
	x := &machine.Ctx{L: p.Layout}
	ps := p.Layout.Threads[0]
	x.Reset(s, int32(p.Threads[0].CPU), -1, ps.Frame)
	return x, x.Step(p.Threads[0].Code, pc)
}

// The back edge of a loop without a condition enters the atomic region
// at the loop's head again: that is a new step, not the same one.
func TestAtomicRegionReentered(t *testing.T) {
	for _, body := range []string{"for (;;) atomic { x++; }", "for (;;) g();"} {
		p := load(t, `cpus 1; int x; atomic fn g() { x++; } thread t on cpu 0 { `+body+` }`)
		s := append(machine.State(nil), p.Initial...)
		pc := s[p.Layout.Threads[0].PC]
		x, pc := step(p, s, pc)
		if x.Status != machine.StepOK {
			t.Fatalf("%s: step failed: %s", body, x.Err.Msg)
		}
		if v := s[slot(t, p, "x")]; v != 1 {
			t.Errorf("%s: one step made x %d, want 1", body, v)
		}
		step(p, s, pc)
		if v := s[slot(t, p, "x")]; v != 2 {
			t.Errorf("%s: two steps made x %d, want 2", body, v)
		}
	}
}

// A step with too many outcomes fails instead of being enumerated.
func TestTooManyOutcomes(t *testing.T) {
	p := load(t, `cpus 1; int x; thread t on cpu 0 {
		atomic { choose x in 0..4095; choose x in 0..4095; } }`)
	s := append(machine.State(nil), p.Initial...)
	x, _ := step(p, s, s[p.Layout.Threads[0].PC])
	if x.Status != machine.StepError || !strings.Contains(x.Err.Msg, "possible outcomes") {
		t.Errorf("status %d, error %q", x.Status, x.Err.Msg)
	}
	if len(x.ChoicesUsed()) != 1 {
		t.Errorf("%d choice points recorded, want 1", len(x.ChoicesUsed()))
	}
}

// Thread-typed locals start as none, in arrays and structs too.
func TestThreadLocalsStartNone(t *testing.T) {
	p := load(t, `cpus 1; struct S { int a; thread o; }
		thread t on cpu 0 { thread a[2]; S s; a[0] = t; }`)
	s := append(machine.State(nil), p.Initial...)
	f := p.Layout.Threads[0].Frame
	// Thread values are 0 for none and i+1 for thread i, so a zeroed
	// frame holds none in every thread-typed slot. The declarations are
	// no steps of their own: the first step is a[0] = t.
	if got := s[f : f+4]; got[0] != 0 || got[1] != 0 || got[2] != 0 || got[3] != 0 {
		t.Errorf("frame %v, want [0 0 0 0]", got)
	}
	if v := machine.FormatValue(machine.SlotThread, false, s[f+1], &p.Names); v != "none" {
		t.Errorf("a[1] shows as %q, want none", v)
	}
	step(p, s, s[p.Layout.Threads[0].PC])
	if got := s[f : f+4]; got[0] != 1 || got[1] != 0 || got[2] != 0 || got[3] != 0 {
		t.Errorf("after the first step: frame %v, want [1 0 0 0] (a[0] = t)", got)
	}
}

// Inputs that crashed, hung or were mis-compiled: each must now load and
// explore to the given verdict, or be rejected with the given error.
var regressions = []struct {
	name, src string
	want      string // a first error, or a verdict and the start of the violation
}{
	{"structs containing each other",
		"cpus 2; struct A { B b; } struct B { A a; } A g; thread t on cpu 0 { }",
		"test.irq:1:38: struct A contains itself (A -> B -> A)"},
	{"struct containing an array of itself",
		"cpus 2; struct A { A x[2]; } A g;",
		"test.irq:1:20: struct A contains itself"},
	{"struct used before its declaration",
		"cpus 2; S g = {x: 1}; struct S { int x; } thread t on cpu 0 { g.x++; } final g.x == 2;",
		"verified"},
	{"[cpu] array before cpus",
		"int a[cpu]; cpus 2; thread t on cpu 0 { a[1] = 1; } final a[1] == 1;",
		"verified"},
	{"empty structs nested",
		"cpus 2; struct E { } struct F { E a; E b; } F f;",
		"test.irq:1:16: struct E has no fields"},
	{"huge global array",
		"cpus 2; int a[4096][4096][4096]; thread t on cpu 0 { }",
		"test.irq:1:20: array int[4096][4096] is too large: 16777216 slots, at most 16384"},
	{"huge local array",
		"cpus 2; thread t on cpu 0 { int a[4096][4096]; a[1][2] = 1; }",
		"test.irq:1:34: array int[4096][4096] is too large: 16777216 slots, at most 16384"},
	{"state too large",
		"cpus 64; handler h { int a[4096]; int b[4096]; }",
		"test.irq:1:1: the model's state is too large: more than 65536 slots (64 cpus, globals, frames of threads, devices and handlers)"},
	{"for with only continue",
		"cpus 2; int x; forever thread t on cpu 0 { for (;;) { continue; } }",
		"verified"},
	{"for around atomic",
		"cpus 2; int[0..3] x; forever thread t on cpu 0 { for (;;) { atomic { x = (x + 1) % 4; } } }",
		"verified"},
	{"for around atomic fn",
		"cpus 2; int x; atomic fn f() { x = 1 - x; } forever thread t on cpu 0 { for (;;) f(); }",
		"verified"},
	{"for ever around a loop that breaks at once",
		"cpus 2; forever thread t on cpu 0 { for (;;) { for (;;) { break; } } }",
		"verified"},
	{"the same inside atomic",
		"cpus 2; thread t on cpu 0 { atomic { for (;;) { for (;;) { break; } } } }",
		"violation runtime at test.irq:1:38: atomic step runs more than 100000 instructions"},
	{"the same in an atomic fn in an expression",
		"cpus 1; int x; atomic fn f() -> int { for (;;) { for (;;) { break; } } } thread t on cpu 0 { x = f() + 1; }",
		"violation runtime at test.irq:1:39: atomic step runs more than 100000 instructions"},
	{"while true inside atomic",
		"cpus 2; thread t on cpu 0 { atomic { while (true) { } } }",
		"violation runtime at test.irq:1:29: atomic step runs more than 100000 instructions"},
	{"the C loop over cpus in init",
		"cpus 3; bool seen[cpu]; init { for (cpu c = 0; c < NCPUS; c++) seen[c] = true; } thread t on cpu 0 { } final seen[0] && seen[1] && seen[2];",
		"verified"},
	{"the C loop over cpus in a thread, from cpu 1, one step per test and per increment",
		"cpus 3; int n; thread t on cpu 0 { for (cpu c = 1; c < NCPUS; c++) { n++; } } final n == 2;",
		"verified"},
	{"the C loop over cpus in a symmetric init",
		"cpus 3 symmetric; const V = 0x30; handler h { } init { for (cpu c = 0; c < NCPUS; c++) request_irq(c, V, h); } thread t on each cpu { send_ipi(this_cpu, V); }",
		"verified"},
	{"a cpu loop's variable after the loop is one past the last cpu",
		"cpus 2; cpu g; thread t on cpu 0 { for (g = 0; g < NCPUS; g++) { } } thread u on cpu 1 { cpu h = g; }",
		"violation runtime at test.irq:1:98: value 2 is not a cpu (storing to h)"},
	{"xchg of an unset cpu reads cpu 0",
		"cpus 2; cpu c; cpu d; thread t on cpu 0 { d = xchg(c, 1); } final d == 0 && c == 1;",
		"verified"},
	{"cmpxchg of an unset cpu compares cpu 0",
		"cpus 2; cpu c; cpu d; thread t on cpu 0 { d = cmpxchg(c, 0, 1); } final d == 0 && c == 1;",
		"verified"},
	{"try_cmpxchg of an unset cpu against cpu 0",
		"cpus 2; cpu c; cpu d = 0; bool b; thread t on cpu 0 { b = try_cmpxchg(c, d, 1); } final b && c == 1;",
		"verified"},
	{"xchg of an unset cpu in a symmetric model",
		"cpus 2 symmetric; cpu c[cpu]; cpu d[cpu]; thread t on each cpu { d[this_cpu] = xchg(c[this_cpu], this_cpu); }",
		"violation runtime at test.irq:1:80: c[this_cpu] is read before it is set"},
	{"for ever in a thread that should finish",
		"cpus 2; thread t on cpu 0 { for (;;); }",
		"violation livelock at test.irq:1:29: thread t on cpu 0 never finishes: it spins for ever at for (;;)"},
	{"for ever in a thread",
		"cpus 2; forever thread t on cpu 0 { for (;;); }",
		"verified"},
	{"choices multiplied in one step",
		"cpus 2; int x; thread t on cpu 0 { atomic { choose x in 0..4095; choose x in 0..4095; choose x in 0..4095; } }",
		"violation runtime at test.irq:1:66: one step has more than 16384 possible outcomes"},
	{"init with too many outcomes",
		"cpus 1; int x; int y; init { choose x in 0..255; choose y in 0..255; }",
		"violation runtime at test.irq:1:50: in init: one step has more than 16384 possible outcomes"},
	{"choose over the whole int64 range",
		"cpus 1; int x; thread t on cpu 0 { choose x in -9223372036854775807..9223372036854775807; }",
		"violation runtime at test.irq:1:36: choose from -9223372036854775807..9223372036854775807: more than 4096 values"},
	{"struct ?: on the right",
		"cpus 2; struct S { int a; } S p = {1}; S q = {2}; bool c; thread t on cpu 0 { S l = c ? p : q; q = c ? q : p; } final q.a == 1;",
		"verified"},
	{"thread array local starts none",
		"cpus 2; thread t on cpu 0 { thread a[2]; assert a[0] == none && a[1] == none; }",
		"verified"},
	{"fn result out of its range",
		"cpus 2; int x; fn f() -> int[0..3] { return x; } thread t on cpu 0 { x = 10; x = f(); }",
		"violation runtime at test.irq:1:45: value 10 out of range int[0..3] of the result of f"},
	{"try_cmpxchg writing back out of range",
		"cpus 2; int x; int[0..3] o; thread t on cpu 0 { x = 10; try_cmpxchg(x, o, 1); }",
		"violation runtime at test.irq:1:57: value 10 out of range int[0..3] of o"},
	{"fn call in parentheses",
		"cpus 2; int x; fn f() -> int { return 1; } thread t on cpu 0 { x = (f()); int y = ((f())); x += y; } final x == 2;",
		"verified"},
	{"composite assignment",
		"cpus 2; struct m { cpu addr; int data; } m msg; thread t on cpu 0 { msg = {addr: 1, data: 2}; } final msg.addr == 1 && msg.data == 2;",
		"verified"},
	{"either inside atomic",
		"cpus 2; int x; thread t on cpu 0 { atomic { either { x = 1; } or { x = 2; } } } final x == 1;",
		"violation final"},
	{"choose inside an atomic fn in an expression",
		"cpus 2; int x; atomic fn f() -> int { int v; choose v in 1..3; return v; } thread t on cpu 0 { x = f() + 1; } final x == 2;",
		"violation final"},
	{"init with choose",
		"cpus 2; int x; init { choose x in 1..3; } thread t on cpu 0 { x++; } final x >= 2 && x <= 4;",
		"verified"},
	{"empty handler",
		"cpus 2; handler h { } init { request_irq(0, 3, h); } thread t on cpu 0 { send_ipi(0, 3); }",
		"verified"},
	{"current and none",
		"cpus 2; thread arr[2]; thread t on cpu 0 { arr[0] = t; assert arr[1] == none; assert current(0) == t; } thread u on cpu 1 { assert current(1) == u; }",
		"verified"},
	{"[thread] array indexed by none at run time",
		"cpus 2; int a[thread]; thread t on cpu 0 { a[t] = 1; thread w = current(1); a[w] = 2; }",
		"violation runtime at test.irq:1:79: a indexed by none"},
	{"cpu_online of a failed conversion",
		"cpus 2; int n = 5; bool b; thread t on cpu 0 { b = cpu_online(cpu(n)); }",
		"violation runtime at test.irq:1:63: cpu(5): not a cpu (this model has cpus 0..1)"},
	{"current of a failed conversion in an invariant",
		"cpus 2; int n = 5; invariant current(cpu(n)) == none;",
		"violation runtime at test.irq:1:38: cpu(5): not a cpu (this model has cpus 0..1)"},
	{"deeply nested structs",
		"cpus 2; struct A { int x; } struct B { A a; A b[2]; } struct C { B b[cpu]; } C c[cpu]; " +
			"thread t on cpu 0 { c[this_cpu].b[1].b[1].x = 3; c[1].b[0].a.x++; } final c[0].b[1].b[1].x == 3 && c[1].b[0].a.x == 1;",
		"verified"},
	{"atomic fn calling an atomic fn in an expression",
		"cpus 2; int x; atomic fn f(int a) -> int { return a + 1; } atomic fn g(int b) -> int { return f(b) * 2; } thread t on cpu 0 { x = g(1) + f(2); } final x == 7;",
		"verified"},
	{"struct parameter",
		"cpus 2; struct m { cpu addr; int data; } int x; fn f(m v) { x = v.data; } m g = {addr: 1, data: 5}; thread t on cpu 0 { f(g); } final x == 5;",
		"verified"},
}

// Inlining a chain of fns each calling the next twice doubles the code at
// every link: the compiler must give up with an error, not run out of memory.
func TestInliningExplosion(t *testing.T) {
	var b strings.Builder
	b.WriteString("cpus 1; int x;\nfn f0() { x++; }\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "fn f%d() { f%d(); f%d(); }\n", i, i-1, i-1)
	}
	b.WriteString("thread t on cpu 0 { f30(); }\n")
	_, err := compile.Load("test.irq", []byte(b.String()))
	const want = "test.irq:33:1: thread t is too large: with its fns inlined the model has more than 65536 instructions"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

func TestRegressions(t *testing.T) {
	for _, tt := range regressions {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan string, 1)
			go func() {
				p, err := compile.Load("test.irq", []byte(tt.src))
				if err != nil {
					var list syntax.ErrorList
					if !errors.As(err, &list) {
						done <- "not a list: " + err.Error()
						return
					}
					done <- list[0].Error()
					return
				}
				r := explore.Explore(p, explore.Options{MaxStates: 10000})
				got := string(r.Verdict)
				if r.Violation != nil {
					got += " " + r.Violation.Error()
				}
				done <- got
			}()
			select {
			case got := <-done:
				if !strings.HasPrefix(got, tt.want) {
					t.Errorf("got  %s\nwant %s", got, tt.want)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("hangs")
			}
		})
	}
}
