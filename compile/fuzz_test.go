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
	for _, glob := range []string{"../examples/*.irq", "../cmd/irqcheck/testdata/check/*.irq", "../syntax/testdata/*.irq"} {
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
	// Models that reach the corners of the checker and the compiler, so
	// that mutations start from there.
	for _, src := range seedModels {
		f.Add([]byte(src))
	}
	// Symmetric models and threads on each cpu.
	f.Add([]byte("cpus 3 symmetric except 0;\nconst V = 0x30;\nbool marked[thread];\nthread last[cpu];\nhandler h { }\ninit { for (int i = 0; i < NCPUS; i++) request_irq(cpu(i), V, h); }\nthread w on each cpu { cpu c; choose c in 0..NCPUS-1; thread t = current(c); if (t != none) marked[t] = true; last[c] = current(this_cpu); send_ipi(c, V); }"))
	f.Add([]byte("cpus 2;\nthread w on each cpu { cpu c; choose c in 1..1; thread t = current(this_cpu); int n = 7; assert c == 1 && t != none && n == 7; }"))
	// An order-free loop over every cpu in a symmetric model (sema's
	// orderFree), and one that breaks its rules.
	f.Add([]byte("cpus 3 symmetric;\nbool f[cpu];\ncpu q[cpu];\nint n;\natomic fn flush(cpu me) { for (cpu c = 0; c < NCPUS; c++) { int k = n; if (f[c] && q[c] == me) { f[c] = false; q[c] = c; } } }\nthread w on each cpu { atomic { f[this_cpu] = true; q[this_cpu] = this_cpu; } flush(this_cpu); }"))
	f.Add([]byte("cpus 3 symmetric;\nbool f[cpu];\nthread w on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) { if (!f[c]) { f[c] = true; break; } } } }"))
	// Memory tso: buffered stores, barriers, locked steps, symmetry.
	f.Add([]byte("cpus 2;\nmemory tso 2;\nint x, y, r;\nthread a on cpu 0 { x = 1; smp_mb(); r = READ_ONCE(y); }\nthread b on cpu 1 { WRITE_ONCE(y, 1); smp_store_release(x, 2); int v = smp_load_acquire(x); xchg(y, v); }\nfinal r >= 0;"))
	f.Add([]byte("cpus 3 symmetric;\nmemory tso;\ncpu last[cpu];\nthread w on each cpu { cpu t; choose t in 0..NCPUS-1; last[this_cpu] = t; atomic { last[t] = this_cpu; } }"))
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

var seedModels = []string{
	`cpus 2; struct A { int x; } struct B { A a; A b[2]; } struct C { B b[cpu]; } C c[cpu];
thread t on cpu 0 { c[this_cpu].b[1].b[1].x = 3; c[1].b[0].a.x++; } final c[0].b[1].b[1].x == 3;`,
	`cpus 2; int x; atomic fn f(int a) -> int { return a + 1; } atomic fn g(int b) -> int { return f(b) * 2; }
thread t on cpu 0 { x = g(1) + f(2); } final x == 7;`,
	`cpus 2; struct m { cpu addr; int data; } m msg; int x; fn f(m v) { x = v.data; }
thread t on cpu 0 { msg = {addr: 1, data: 2}; f(msg); } final x == 2;`,
	`cpus 2; int x; atomic fn f() -> int { int v; choose v in 1..3; return v; }
thread t on cpu 0 { atomic { either { x = 1; } or { x = f(); } } while (true) { } }`,
	`cpus 2; int x; handler h { } init { choose x in 1..3; request_irq(0, 3, h); }
thread t on cpu 0 { for (;;); } thread u on cpu 1 { for (;;) { atomic { x++; } } }`,
	`cpus 2; thread arr[2]; int a[thread]; thread t on cpu 0 { arr[0] = t; a[t] = 1; yield(); }
thread u on cpu 0 { thread w = current(0); await w != none; a[w] = 2; } invariant arr[1] == none;`,
	`cpus 2; struct S { int a; thread o; } S p; S q; bool c; fn f() -> int[0..3] { return 2; }
thread t on cpu 0 { S l = c ? p : q; int y = (f()); int o; try_cmpxchg(y, o, 1); for (;;) { continue; } }`,
	`cpus 2 symmetric; inflight 2; const cpu C = 1; const N = NCPUS; bool seen[cpu];
handler h { seen[this_cpu] = true; } init { request_irq(0, 0x20, h); request_irq(1, 0x20, h); }
device d { send_ipi(C, 0x20); } thread t on cpu C { send_ipi(0, 0x20); cpu_down(0); cpu_up(0); }
final seen[1];`,
	`cpus 3; int n = 1; bool b; thread w; handler h { free_irq(this_cpu, this_vector); }
init { request_irq(cpu(n), 7, h); } thread t on cpu 0 { b = cpu_online(cpu(n)); w = current(cpu(n + 1));
clear_pending(cpu(n), 7); b = pending(cpu(n), 7); } invariant current(cpu(n)) == none || cpu_online(cpu(n));`,
	`cpus 2; const V = 0x20; bool armed = true; bool x; int[0..3] n; handler h { armed = true; n = (n + 1) % 4; }
init { request_irq(0, V, h); } forever device timer { while (true) atomic { await armed; armed = false; send_ipi(0, V); } }
forever thread idle on each cpu { while (true) { yield(); } } thread t on cpu 1 { while (!x) { } }
liveness ticks: n == 1 ~> n == 2; liveness always eventually armed; liveness eventually always !x; cover x; cover seen: n == 3;`,
	`cpus 1; int x; fn g() { return; } atomic fn f() -> int { for (;;) { for (;;) { g(); break; } return 1; } }
thread t on cpu 0 { for (;;) { for (int i = 0; i < 2; i++) { x = f(); continue; } break; } }`,
}
