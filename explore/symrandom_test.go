package explore_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
)

var (
	symModels = flag.Int("sym-models", 150, "how many random models TestSymmetryRandomModels compares")
	symSeed   = flag.Uint64("sym-seed", 0, "added to the seed of the random symmetric models, to draw others")
)

// randomSymmetricModel writes a small random model declared cpus N
// symmetric: a thread on each cpu with per-cpu flags and counters, a
// shared counter, a cpu-valued global, IPIs to a cpu the thread picks, a
// handler, interrupts off and on, awaits, hotplug, and (under memory sc)
// loops over every cpu whose order cannot matter. Its property is an
// assertion, a final condition or an invariant; threads that wait for
// ever make hangs, and spins make livelocks.
func randomSymmetricModel(r *rand.Rand) string {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	var b strings.Builder
	n := 2 + r.IntN(2)
	tso := r.IntN(4) == 0
	fmt.Fprintf(&b, "cpus %d symmetric;\nconst V = 0x30;\nint cnt[cpu];\nbool flag[cpu];\ncpu owner;\nint g;\n", n)
	if tso {
		b.WriteString("memory tso;\n")
	}
	b.WriteString(pick(
		"handler h { flag[this_cpu] = false; cnt[this_cpu] = (cnt[this_cpu] + 1) % 3; }\n",
		"handler h { g = (g + 1) % 3; }\n",
		"handler h { if (owner == this_cpu) { cnt[this_cpu] = 2; } }\n"))
	// Every cpu may start as the owner: a set of initial states that
	// renaming keeps.
	b.WriteString("init { for (cpu c = 0; c < NCPUS; c++) { request_irq(c, V, h); } choose owner in 0..NCPUS-1; }\n")
	var stmt func(depth int, atomic bool) string
	stmt = func(depth int, atomic bool) string {
		switch k := r.IntN(20); {
		case k == 0:
			return pick("flag[this_cpu] = true;", "flag[d] = true;", "flag[this_cpu] = !flag[d];")
		case k == 1:
			return pick("cnt[this_cpu] = (cnt[this_cpu] + 1) % 3;", "cnt[d] = (cnt[d] + 1) % 3;")
		case k == 2:
			return pick("g = (g + 1) % 3;", "a = xchg(g, 1);", "a = g; g = (a + 1) % 3;")
		case k == 3:
			return pick("owner = this_cpu;", "d = owner;")
		case k == 4:
			return pick("choose d in 0..NCPUS-1;", "d = this_cpu;")
		case k == 5:
			return "send_ipi(d, V);"
		case k == 6 && !atomic:
			return pick("await !flag[this_cpu];", "await cnt[d] != 1;", "await owner == this_cpu;")
		case k == 7 && !tso:
			// order-free loops over every cpu, one step each
			return pick(
				"atomic { for (cpu c = 0; c < NCPUS; c++) { if (flag[c]) { flag[c] = false; cnt[c] = (cnt[c] + 1) % 3; } } }",
				"atomic { for (cpu c = 0; c < NCPUS; c++) { int k = cnt[c]; if (c == this_cpu) continue; cnt[c] = (k + 1) % 3; } }",
				"atomic { for (cpu c = 0; c < NCPUS; c++) { if (cpu_online(c) && owner == c) { flag[c] = true; } } }",
				"atomic { for (cpu c = 0; c < NCPUS; c++) { either { flag[c] = true; } or { } } }")
		case k == 8:
			return pick("irq_disable();", "irq_enable();")
		case k == 9:
			return pick("assert cnt[this_cpu] != 2;", "assert !(flag[this_cpu] && g == 2);", "assert owner != d || g != 1;")
		case k == 10 && depth < 2:
			return fmt.Sprintf("either { %s } or { %s }", stmt(depth+1, atomic), stmt(depth+1, atomic))
		case k == 11 && depth < 2:
			return fmt.Sprintf("if (%s) { %s } else { %s }", pick("owner == this_cpu", "flag[d]", "cnt[this_cpu] == g"), stmt(depth+1, atomic), stmt(depth+1, atomic))
		case k == 12 && depth < 2:
			return fmt.Sprintf("atomic { %s %s }", stmt(depth+1, true), stmt(depth+1, true))
		case k == 13:
			return pick("a = cnt[d]; g = a;", "a = cnt[owner];", "a = (a + 1) % 3;")
		case k == 14 && r.IntN(3) == 0:
			return pick("if (d != this_cpu) { cpu_down(d); }", "cpu_up(d);")
		case k == 15 && !atomic:
			// a spin that only another cpu ends: a livelock if none does
			return pick("while (flag[this_cpu]) { a = (a + 1) % 3; }", "while (g == 1) { }")
		}
		return "a = (a + 1) % 3;"
	}
	b.WriteString("thread t on each cpu {\n\tint a;\n\tcpu d = this_cpu;\n")
	for range 3 + r.IntN(5) {
		b.WriteString("\t" + stmt(0, false) + "\n")
	}
	b.WriteString("}\n")
	b.WriteString(pick("", fmt.Sprintf("final g != %d;\n", r.IntN(3)), fmt.Sprintf("invariant g != %d;\n", 1+r.IntN(2)), "final cnt[owner] != 1;\n"))
	return b.String()
}

// Random small symmetric models give the same verdict, violation and
// trace length with and without symmetry reduction (the liveness check
// included), the same counts with one worker and two, and every renaming
// of the CPUs commutes with their successors on a quarter of them.
func TestSymmetryRandomModels(t *testing.T) {
	n := *symModels
	if testing.Short() {
		n = min(n, 40)
	}
	r := rand.New(rand.NewPCG(29+*symSeed, 2))
	verified, violated, skipped, reduced, commuted := 0, 0, 0, 0, 0
	kinds := map[string]int{}
	for i := range n {
		src := randomSymmetricModel(r)
		p, err := compile.Load("random.irq", []byte(src))
		if err != nil {
			t.Fatalf("model %d does not compile: %v\n%s", i, err, src)
		}
		ok := t.Run(fmt.Sprint(i), func(t *testing.T) {
			opt := explore.Options{MaxStates: 200_000, Workers: 2}
			with := explore.Explore(p, opt)
			// Any number of workers gives the same answer and counts.
			one := opt
			one.Workers = 1
			if w1 := explore.Explore(p, one); w1.Verdict != with.Verdict || w1.States != with.States || w1.Depth != with.Depth {
				t.Fatalf("with symmetry, 1 worker: %s, %d states, depth %d; 2 workers: %s, %d, %d", w1.Verdict, w1.States, w1.Depth, with.Verdict, with.States, with.Depth)
			}
			opt.NoSymmetry = true
			without := explore.Explore(p, opt)
			if with.Verdict == explore.Incomplete || without.Verdict == explore.Incomplete {
				skipped++
				return
			}
			// A search for the shortest trace cut by the state limit
			// shows a real, perhaps longer one: only its verdict counts.
			cut := with.NotShortest != "" || without.NotShortest != ""
			if with.Verdict != without.Verdict || !cut && with.Depth != without.Depth {
				t.Fatalf("with symmetry %s depth %d (%v), without %s depth %d (%v)", with.Verdict, with.Depth, with.Violation, without.Verdict, without.Depth, without.Violation)
			}
			if with.Violation != nil && (with.Violation.Kind != without.Violation.Kind || with.Violation.Pos != without.Violation.Pos) {
				t.Fatalf("violations differ: %v / %v", with.Violation, without.Violation)
			}
			switch {
			case with.Verdict == explore.Verified:
				verified++
			default:
				violated++
				kinds[string(with.Violation.Kind)]++
			}
			if with.States < without.States {
				reduced++
			}
			if i%4 == 0 && without.States >= 40 { // checkCommutes wants 20 states at least
				checkCommutes(t, src, 300)
				commuted++
			}
		})
		if !ok {
			t.Logf("model %d:\n%s", i, src)
		}
	}
	t.Logf("%d random symmetric models: %d verified, %d violated, %d over 200,000 states; symmetry stored fewer states in %d; renamings commute in %d; violations by kind: %v", n, verified, violated, skipped, reduced, commuted, kinds)
	if verified < n/10 || violated < n/10 || skipped > n/4 || reduced < n/2 || commuted < n/8 {
		t.Errorf("%d verified, %d violated, %d skipped, %d reduced, %d commuted of %d: the test shows too little", verified, violated, skipped, reduced, commuted, n)
	}
}
