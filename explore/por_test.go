package explore_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/irqcheck/irqcheck/catalog"
	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
)

// porOutcome is what the reduction must keep: the verdict and, for a
// violation, its kind.
func porOutcome(r *explore.Result) string {
	if r.Violation != nil {
		return fmt.Sprintf("%s %s", r.Verdict, r.Violation.Kind)
	}
	return string(r.Verdict) + " " + r.Limit
}

// eitherHang reports whether both runs found a violation and one of them
// a hang: the reduced graph keeps every terminal state and every
// violation, but its levels are not the machine's, so the first violation
// it meets may be another that the machine also has.
func eitherHang(a, b *explore.Result) bool {
	return a.Violation != nil && b.Violation != nil && (a.Violation.Kind == machine.Hang || b.Violation.Kind == machine.Hang)
}

// comparePOR checks p's safety verdict with and without the reduction.
// The reduced search alone (not the search again without it that gives
// the shortest trace) must reach a violation when there is one, and
// store no more states; the default run's violation must be the one
// found without the reduction, trace and all. It reports whether the
// reduction removed states from a verified model.
func comparePOR(t *testing.T, p *machine.Program, workers int) bool {
	t.Helper()
	opt := explore.Options{SafetyOnly: true, MaxStates: 2_000_000, Workers: workers}
	full := opt
	full.NoPOR = true
	plain := explore.Explore(p, full)
	reduced := explore.Explore(p, explore.ReducedOnly(opt))
	if plain.Verdict == explore.Incomplete {
		t.Skipf("too large without the reduction: %d states", plain.States)
	}
	if reduced.PartialOrder && reduced.States == plain.States && reduced.Transitions == plain.Transitions && plain.Verdict == explore.Verified {
		t.Error("the reduced search says it reduced the graph, but has its counts")
	}
	if got, want := porOutcome(reduced), porOutcome(plain); got != want && !eitherHang(reduced, plain) {
		t.Fatalf("reduced search: %s; without the reduction: %s (%v)", got, want, plain.Violation)
	}
	// (Where there is a violation the reduced search may find it deeper,
	// after more states.)
	if plain.Verdict == explore.Verified {
		// What a verified search never reached is the same: every step
		// the machine can take is taken somewhere in the reduced graph.
		if got, want := strings.Join(reduced.Unreached.Items(), ", "), strings.Join(plain.Unreached.Items(), ", "); got != want {
			t.Errorf("unreached with the reduction: %q; without: %q", got, want)
		}
	}
	if plain.Verdict == explore.Verified && reduced.States > plain.States {
		t.Errorf("the reduction stored %d states, more than the %d without", reduced.States, plain.States)
	}
	if plain.Violation != nil {
		def := explore.Explore(p, opt)
		if def.Violation.Pos != plain.Violation.Pos || def.Violation.Msg != plain.Violation.Msg ||
			def.Depth != plain.Depth || len(def.Trace.Steps) != len(plain.Trace.Steps) {
			t.Errorf("default run: %v at depth %d; without the reduction: %v at depth %d", def.Violation, def.Depth, plain.Violation, plain.Depth)
		}
		for i := range def.Trace.Steps {
			if def.Trace.Steps[i].T != plain.Trace.Steps[i].T {
				t.Fatalf("step %d of the trace differs: %+v / %+v", i, def.Trace.Steps[i].T, plain.Trace.Steps[i].T)
			}
		}
	}
	return plain.Verdict == explore.Verified && reduced.States < plain.States
}

// bothLiveness reports whether both runs broke a liveness rule, one by
// a livelock and the other a liveness declaration (or the other way
// round): a graph may break both, and which is reported depends on the
// order of its states. withoutDecls then tells whether the two agree on
// the livelocks alone.
func bothLiveness(a, b *explore.Result) bool {
	live := func(r *explore.Result) bool {
		return r.Violation != nil && (r.Violation.Kind == machine.Livelock || r.Violation.Kind == machine.Liveness)
	}
	return live(a) && live(b) && a.Violation.Kind != b.Violation.Kind
}

// withoutDecls is src without its liveness declarations.
func withoutDecls(src string) string {
	return livenessDecl.ReplaceAllString(src, "")
}

var livenessDecl = regexp.MustCompile(`(?m)^liveness [^;]*;`)

// comparePORLiveness checks p's whole verdict, the liveness check's
// included, with and without the reduction: the reduced graph must have
// a fair cycle that breaks a rule wherever the machine has one, and no
// other. The default run's violation must be the one found without the
// reduction, lasso and all. It reports whether the reduction removed
// states from a model whose liveness check ran.
func comparePORLiveness(t *testing.T, src string, workers int) bool {
	t.Helper()
	p := load(t, src)
	opt := explore.Options{MaxStates: 500_000, Workers: workers}
	full := opt
	full.NoPOR = true
	plain := explore.Explore(p, full)
	if plain.Verdict == explore.Incomplete {
		t.Skipf("too large without the reduction: %d states", plain.States)
	}
	reduced := explore.Explore(p, explore.ReducedOnly(opt))
	if got, want := porOutcome(reduced), porOutcome(plain); got != want && !eitherHang(reduced, plain) {
		if !bothLiveness(reduced, plain) {
			t.Fatalf("reduced search: %s; without the reduction: %s (%v)", got, want, plain.Violation)
		}
		q := load(t, withoutDecls(src))
		if got, want := porOutcome(explore.Explore(q, explore.ReducedOnly(opt))), porOutcome(explore.Explore(q, full)); got != want {
			t.Fatalf("without the liveness declarations, reduced search: %s; without the reduction: %s", got, want)
		}
	}
	if plain.Verdict == explore.Verified {
		if got, want := strings.Join(reduced.Unreached.Items(), ", "), strings.Join(plain.Unreached.Items(), ", "); got != want {
			t.Errorf("unreached with the reduction: %q; without: %q", got, want)
		}
	}
	if plain.Violation != nil {
		def := explore.Explore(p, opt)
		if def.Violation.Pos != plain.Violation.Pos || def.Violation.Msg != plain.Violation.Msg ||
			def.Depth != plain.Depth || def.Loop != plain.Loop || len(def.Trace.Steps) != len(plain.Trace.Steps) {
			t.Errorf("default run: %v at depth %d, loop %d; without the reduction: %v at depth %d, loop %d",
				def.Violation, def.Depth, def.Loop, plain.Violation, plain.Depth, plain.Loop)
		}
		for i := range def.Trace.Steps {
			if def.Trace.Steps[i].T != plain.Trace.Steps[i].T {
				t.Fatalf("step %d of the trace differs: %+v / %+v", i, def.Trace.Steps[i].T, plain.Trace.Steps[i].T)
			}
		}
	}
	return plain.Liveness != nil && reduced.PartialOrder && reduced.Liveness != nil && reduced.Liveness.States < plain.Liveness.States
}

// namedModel is a model's source and the name a test gives it.
type namedModel struct{ name, src string }

// differentialModels are the models a reduction is checked on against
// the plain search: the catalog, the scaled models (not with -short) and
// the symmetric families at 3 CPUs.
func differentialModels(t *testing.T) []namedModel {
	var models []namedModel
	for _, m := range catalog.All() {
		models = append(models, namedModel{"catalog/" + m.Name, string(m.Source)})
	}
	if !testing.Short() {
		files, _ := filepath.Glob("../bench/scaled/*.irq")
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			models = append(models, namedModel{"scaled/" + filepath.Base(f), string(src)})
		}
	}
	for _, name := range symmetricModels {
		models = append(models, namedModel{"family/" + name, symmetricSource(t, name, 3)})
	}
	return models
}

// Every catalog model, scaled model and family gives the same safety
// verdict with and without the partial-order reduction, with one worker
// and with two.
func TestPORSameVerdict(t *testing.T) {
	reducedSome, reducedLive := 0, 0
	for _, m := range differentialModels(t) {
		for _, workers := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/workers%d", m.name, workers), func(t *testing.T) {
				if comparePOR(t, load(t, m.src), workers) {
					reducedSome++
				}
			})
			t.Run(fmt.Sprintf("%s/liveness/workers%d", m.name, workers), func(t *testing.T) {
				if comparePORLiveness(t, m.src, workers) {
					reducedLive++
				}
			})
		}
	}
	if reducedSome == 0 || reducedLive == 0 {
		t.Errorf("the reduction removed states from %d models' safety searches and %d liveness checks: the test shows too little", reducedSome, reducedLive)
	}
}

// The reduced graph is the same whatever the number of workers, the
// liveness check's included.
func TestPORWorkers(t *testing.T) {
	src, err := os.ReadFile("../bench/scaled/002_ct_packed_4cpu.irq")
	if err != nil {
		t.Fatal(err)
	}
	p := load(t, string(src))
	var first *explore.Result
	for _, w := range []int{1, 2, 4} {
		r := explore.Explore(p, explore.Options{SafetyOnly: true, Workers: w, MaxStates: 100_000})
		if first == nil {
			first = r
			continue
		}
		if r.States != first.States || r.Transitions != first.Transitions || r.Depth != first.Depth || r.Verdict != first.Verdict {
			t.Errorf("%d workers: %s, %d states, %d transitions, depth %d; 1 worker: %s, %d, %d, %d",
				w, r.Verdict, r.States, r.Transitions, r.Depth, first.Verdict, first.States, first.Transitions, first.Depth)
		}
	}
	// The liveness check's reduced graph too, on a model whose whole
	// check is quick.
	p = load(t, symmetricSource(t, "cross_calls", 4))
	var live *explore.Result
	for _, w := range []int{1, 2, 4} {
		r := explore.Explore(p, explore.Options{Workers: w, NoSymmetry: true})
		if r.Verdict != explore.Verified || !r.PartialOrder || r.Liveness == nil {
			t.Fatalf("cross_calls, 4 cpus, %d workers: %s, reduced %v, liveness %v; want verified by a reduced search with a liveness check", w, r.Verdict, r.PartialOrder, r.Liveness)
		}
		if live == nil {
			live = r
			continue
		}
		if r.States != live.States || r.Liveness.States != live.Liveness.States || r.Liveness.Edges != live.Liveness.Edges {
			t.Errorf("cross_calls, %d workers: %d states, liveness graph %d states, %d edges; 1 worker: %d, %d, %d",
				w, r.States, r.Liveness.States, r.Liveness.Edges, live.States, live.Liveness.States, live.Liveness.Edges)
		}
	}
}

// randomModel writes a small random model: two or three threads on two
// CPUs with locals, private steps among steps on globals, awaits,
// choices, an IPI and its handler, interrupts off and on, current(), and
// some models under tso, sometimes with a device. It comes in four
// safety forms, each with one kind of property that may break:
// assertions, an invariant, a final condition, or an invariant on
// current() in a model that moves a thread by cpu_down; the threads are
// declared forever, so that a blocked thread is no violation: the first
// violation a search finds is then of the form's kind, or a vector left
// pending with interrupts off (a hang). The fifth form, at index 3, is
// for the liveness check.
func randomModel(r *rand.Rand) (forms [5]string) {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	var b strings.Builder
	// k0 is set by init and, in most models, never written again: reading
	// it is then private.
	b.WriteString("cpus 2;\nconst V = 0x30;\nint g0, g1;\nint k0 = 1;\n")
	if r.IntN(4) == 0 {
		b.WriteString("memory tso;\n") // a handler's return drains the buffer
	}
	// The handler's private step may bring it to an await.
	b.WriteString(pick("handler h { g1 = (g1 + 1) % 3; int z = g0; z++; }\n",
		"handler h { int z = g0; z = (z + 1) % 3; await g1 != z; g1 = z; }\n",
		"handler h { int z = int(this_cpu); z = (z + k0) % 3; await g1 != z; g1 = z; }\n"))
	// A fn with a parameter and a local of its own, inlined where it is
	// called as a statement and run inside the step where it is called in
	// an expression.
	b.WriteString("fn f(int p) int { int q = p + 1; if (q == 2) { g0 = q % 3; } return q % 3; }\n")
	b.WriteString("atomic fn fa(int p) int { int q = p + g1; return q % 3; }\n")
	b.WriteString("init { request_irq(cpu(0), V, h); request_irq(cpu(1), V, h); k0 = 2; }\n")
	glob := func() string { return pick("g0", "g1") }
	local := func() string { return pick("a", "b") }
	val := func() string { return pick("0", "1", "2", "a", "b", "k0", glob()) }
	device := false // a device has no CPU: no interrupts, yield or hotplug
	var stmt func(depth int, atomic bool) string
	stmt = func(depth int, atomic bool) string {
		k := r.IntN(22)
		if device && (k == 10 || k == 14 || k == 15 || k == 16) {
			k = 21
		}
		switch {
		case k < 3:
			return fmt.Sprintf("%s = (%s + %s) %% 3;", local(), val(), pick("1", "a", "b"))
		case k < 5:
			return fmt.Sprintf("%s = %s %% 3;", glob(), val())
		case k == 5:
			return fmt.Sprintf("await %s != %s;", pick(local(), glob()), pick("0", "1", "2"))
		case k == 6:
			return fmt.Sprintf("choose %s in 0..2;", local())
		case k == 7 && depth < 2:
			return fmt.Sprintf("if (%s == %s) { %s } else { %s }", pick(local(), glob()), val(), stmt(depth+1, atomic), stmt(depth+1, atomic))
		case k == 8 && depth < 2:
			return fmt.Sprintf("either { %s } or { %s }", stmt(depth+1, atomic), stmt(depth+1, atomic))
		case k == 9:
			return fmt.Sprintf("send_ipi(cpu(%d), V);", r.IntN(2))
		case k == 10:
			return pick("irq_disable();", "irq_enable();")
		case k == 11:
			return fmt.Sprintf("assert %s != %d;", pick(local(), glob()), 1+r.IntN(2))
		case k == 12 && depth < 2:
			return fmt.Sprintf("atomic { %s %s }", stmt(depth+1, true), stmt(depth+1, true))
		case k == 13:
			return fmt.Sprintf("%s = %s;", local(), local())
		case k == 14 && !atomic:
			return "yield();"
		case k == 15:
			// what current() sees changes when a thread ends
			return fmt.Sprintf("%s = current(cpu(%d)) == none ? 0 : 1;", glob(), r.IntN(2))
		case k == 16:
			// a thread moved by cpu_down sees another this_cpu
			return pick("cpu_down(cpu(1));", "cpu_up(cpu(1));", "a = int(this_cpu); g1 = a;", "a = cpu_online(cpu(1)) ? 1 : 0; g1 = a;",
				"a = int(this_cpu); b = a;", "if (this_cpu == cpu(0)) { a = 1; }",
				// k0 is read-only unless some code writes it
				"k0 = (k0 + 1) % 3;", "a = xchg(k0, 1);")
		case k == 17:
			return fmt.Sprintf("%s = xchg(%s, %s);", local(), glob(), pick("0", "1", "a"))
		case k == 18 && !atomic:
			// a private loop that never ends: the cycle proviso's case
			return fmt.Sprintf("while (%s != 3) { %s = (%s + 1) %% 3; }", local(), local(), local())
		case k == 19 && !atomic:
			// a spin on a global, with private steps inside: a livelock
			// if nothing ends it
			return fmt.Sprintf("while (%s == %s) { %s = (%s + 1) %% 3; }", glob(), pick("0", "1"), local(), local())
		case k == 20:
			// locals written by a fn's return, by a built-in (a failed
			// try_cmpxchg writes what it found into its second argument),
			// and an array written in part
			return pick(
				fmt.Sprintf("%s = f(%s);", local(), val()),
				fmt.Sprintf("arr[%s %% 2] = f(%s); assert arr[0] + arr[1] != 3;", local(), val()),
				fmt.Sprintf("%s = fa(%s) + 1;", local(), local()),
				fmt.Sprintf("%s = try_cmpxchg(%s, %s, 1) ? 1 : 2;", local(), glob(), local()),
				fmt.Sprintf("arr[%s %% 2] = %s;", local(), val()),
				fmt.Sprintf("arr[%d] = %s;", r.IntN(2), pick("1", "2", glob())),
				fmt.Sprintf("%s = arr[%d];", local(), r.IntN(2)),
				fmt.Sprintf("%s = arr[%d] %% 3;", glob(), r.IntN(2)),
				// a write of one element leaves the other as it was
				fmt.Sprintf("arr[0] = %s; arr[1] = %s; assert arr[0] != 0;", pick("1", "2"), val()))
		}
		return fmt.Sprintf("%s++; %s = %s %% 3;", local(), local(), local())
	}
	nthreads := 2 + r.IntN(2)
	for i := range nthreads {
		fmt.Fprintf(&b, "forever thread t%d on cpu %d {\n\tint a, b;\n\tint arr[2];\n", i, i%2)
		for range 2 + r.IntN(4) {
			b.WriteString("\t" + stmt(0, false) + "\n")
		}
		b.WriteString("}\n")
	}
	if r.IntN(3) == 0 {
		device = true
		b.WriteString("forever device d {\n\tint a, b;\n\tint arr[2];\n")
		for range 2 + r.IntN(3) {
			b.WriteString("\t" + stmt(0, false) + "\n")
		}
		b.WriteString("}\n")
	}
	src := b.String()
	noAsserts := assertStmt.ReplaceAllString(src, ";")
	forms[0] = src
	forms[1] = noAsserts + fmt.Sprintf("invariant g0 + g1 != %d;\n", 2+r.IntN(3))
	forms[2] = noAsserts + fmt.Sprintf("final g%d != %d;\n", r.IntN(2), r.IntN(3))
	// The liveness form: some threads must finish, and a liveness
	// declaration holds or not.
	live := noAsserts
	for i := range nthreads {
		if r.IntN(2) == 0 {
			live = strings.Replace(live, fmt.Sprintf("forever thread t%d ", i), fmt.Sprintf("thread t%d ", i), 1)
		}
	}
	forms[3] = live + pick(
		fmt.Sprintf("liveness g0 == %d ~> g1 == %d;\n", r.IntN(3), r.IntN(3)),
		fmt.Sprintf("liveness always eventually g%d != %d;\n", r.IntN(2), r.IntN(3)),
		fmt.Sprintf("liveness eventually always g%d != %d;\n", r.IntN(2), r.IntN(3)),
		"")
	// The hotplug form: a thread takes cpu 1 down, which moves t1 to
	// cpu 0, where it runs only when t0 blocks, yields or ends.
	forms[4] = noAsserts + "thread hp on cpu 0 { cpu_down(cpu(1)); }\ninvariant current(cpu(0)) != t1;\n"
	return forms
}

var assertStmt = regexp.MustCompile(`assert [^;]*;`)

var (
	porModels = flag.Int("por-models", 600, "how many random models TestPORRandomModels compares")
	porSeed   = flag.Uint64("por-seed", 0, "added to the seeds of the random models, to draw others")
)

// Random small models give the same safety verdict with and without the
// reduction, and the reduction removes states from some of them.
func TestPORRandomModels(t *testing.T) {
	n := *porModels
	if testing.Short() {
		n = min(n, 80)
	}
	r := rand.New(rand.NewPCG(13+*porSeed, 1))
	reduced, violations := 0, 0
	reducedLive, liveVerified, lassos := 0, 0, 0
	for i := range n {
		for f, src := range randomModel(r) {
			p, err := compile.Load("random.irq", []byte(src))
			if err != nil {
				t.Fatalf("model %d does not compile: %v\n%s", i, err, src)
			}
			ok := t.Run(fmt.Sprintf("%d/%d", i, f), func(t *testing.T) {
				if f == 3 {
					if comparePORLiveness(t, src, 1) {
						reducedLive++
					}
					switch r := explore.Explore(p, explore.Options{NoPOR: true}); {
					case r.Violation == nil:
						liveVerified++
					case r.Loop >= 0:
						lassos++
					}
					return
				}
				if comparePOR(t, p, 1) {
					reduced++
				}
				if r := explore.Explore(p, explore.Options{SafetyOnly: true, NoPOR: true}); r.Violation != nil {
					violations++
				}
			})
			if !ok {
				t.Logf("model %d, form %d:\n%s", i, f, src)
			}
		}
	}
	t.Logf("%d models in 4 safety forms: the reduction removed states from %d; %d have a violation", n, reduced, violations)
	t.Logf("the liveness form: the reduction removed states from %d; %d verified, %d broken on a lasso", reducedLive, liveVerified, lassos)
	if reduced < n/10 || violations < n/5 || violations > 3*n*9/10 {
		t.Errorf("%d of %d forms reduced, %d violated: the test shows too little", reduced, 4*n, violations)
	}
	if reducedLive < n/10 || liveVerified < n/10 || lassos < n/10 {
		t.Errorf("liveness form: %d reduced, %d verified, %d lassos: the test shows too little", reducedLive, liveVerified, lassos)
	}
}

// project keeps of s what no private step changes: everything but the
// processes' locals and program counters.
func project(p *machine.Program, s machine.State) string {
	l := p.Layout
	v := slices.Clone(s)
	hide := func(ps machine.ProcSlots, pr *machine.Proc) {
		v[ps.PC] = 0
		clear(v[ps.Frame : ps.Frame+pr.FrameSize])
	}
	for i, ps := range l.Threads {
		hide(ps, p.Threads[i])
	}
	for i, ps := range l.Devices {
		hide(ps, p.Devices[i])
	}
	for _, cs := range l.CPUs {
		v[cs.HPC] = 0
		clear(v[cs.HFrame : cs.HFrame+int32(l.HFrameSize)])
	}
	return fmt.Sprint(v)
}

// reachedProjections returns the projections (see project) of the states
// a search of p with opt expands, and its result.
func reachedProjections(p *machine.Program, opt explore.Options) (map[string]bool, *explore.Result) {
	var mu sync.Mutex
	seen := map[string]bool{}
	r := explore.Explore(p, explore.Visiting(opt, func(s machine.State) {
		k := project(p, s)
		mu.Lock()
		seen[k] = true
		mu.Unlock()
	}))
	return seen, r
}

// setDiff counts the keys of a that b lacks.
func setDiff(a, b map[string]bool) int {
	n := 0
	for k := range a {
		if !b[k] {
			n++
		}
	}
	return n
}

// The reduction keeps every value of what private steps cannot change:
// a reduced search reaches a state with the same globals, CPUs, vectors,
// messages, buffers and thread placement as each state the whole search
// reaches (and no other, since its states are real). This is what the
// reduction's argument promises (a stuttering-equivalent run for every
// run), and it is a stronger check than comparing verdicts: a hole in
// the reduction shows whether or not a property happens to read what
// it hides. Random models without properties, in the random test's
// invariant and hotplug forms, whose whole search finds no violation.
func TestPORReachesEveryProjection(t *testing.T) {
	n := *porModels / 2
	if testing.Short() {
		n = min(n, 40)
	}
	r := rand.New(rand.NewPCG(17+*porSeed, 1))
	compared, reduced := 0, 0
	for i := range n {
		forms := randomModel(r)
		for _, f := range []int{1, 4} {
			// Drop the property: the last line.
			src := strings.TrimSuffix(forms[f], "\n")
			src = src[:strings.LastIndex(src, "\n")+1]
			p, err := compile.Load("random.irq", []byte(src))
			if err != nil {
				t.Fatalf("model %d does not compile: %v\n%s", i, err, src)
			}
			whole, wr := reachedProjections(p, explore.Options{SafetyOnly: true, NoPOR: true, NoSymmetry: true, Workers: 1})
			if wr.Violation != nil || wr.Verdict != explore.Verified {
				continue
			}
			compared++
			for _, w := range []int{1, 2} {
				got, rr := reachedProjections(p, explore.ReducedOnly(explore.Options{SafetyOnly: true, NoSymmetry: true, Workers: w}))
				if rr.PartialOrder && w == 1 {
					reduced++
				}
				missing, extra := setDiff(whole, got), setDiff(got, whole)
				if missing > 0 || extra > 0 || rr.Verdict != explore.Verified {
					t.Errorf("model %d, form %d, %d workers: %s; the reduced search misses %d of the %d projections of the whole search and has %d more\n%s",
						i, f, w, rr.Outcome(), missing, len(whole), extra, src)
				}
			}
		}
	}
	t.Logf("%d models compared, %d of them reduced", compared, reduced)
	if compared < n/2 || reduced < n/4 {
		t.Errorf("%d of %d forms compared, %d reduced: the test shows too little", compared, 2*n, reduced)
	}
}

var propertyDecl = regexp.MustCompile(`(?m)^(invariant|final|cover|liveness)\b[^;]*;`)

// The same on the catalog's models and the examples, stripped of their
// properties (asserts, invariants, finals, covers, liveness), wherever
// the whole search then finds no violation: models with hotplug, fns
// with locals, context switches, tso and weak memory.
func TestPORReachesEveryProjectionCatalog(t *testing.T) {
	files, _ := filepath.Glob("../catalog/models/*.irq")
	extra, _ := filepath.Glob("../examples/*.irq")
	compared, reduced := 0, 0
	for _, name := range append(files, extra...) {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		stripped := propertyDecl.ReplaceAllString(assertStmt.ReplaceAllString(string(src), ";"), "")
		p, err := compile.Load(name, []byte(stripped))
		if err != nil {
			t.Fatalf("%s without its properties does not compile: %v", name, err)
		}
		whole, wr := reachedProjections(p, explore.Options{SafetyOnly: true, NoPOR: true, NoSymmetry: true, Workers: 1})
		if wr.Verdict != explore.Verified {
			continue
		}
		compared++
		got, rr := reachedProjections(p, explore.ReducedOnly(explore.Options{SafetyOnly: true, NoSymmetry: true, Workers: 2}))
		if rr.PartialOrder {
			reduced++
		}
		missing, extraN := setDiff(whole, got), setDiff(got, whole)
		if missing > 0 || extraN > 0 || rr.Verdict != explore.Verified {
			t.Errorf("%s: %s; the reduced search misses %d of the %d projections of the whole search and has %d more",
				filepath.Base(name), rr.Outcome(), missing, len(whole), extraN)
		}
	}
	t.Logf("%d models compared, %d of them reduced", compared, reduced)
	if compared < 20 || reduced < 5 {
		t.Errorf("%d models compared, %d reduced: the test shows too little", compared, reduced)
	}
}

// Steps that look private but are not: each model breaks its final
// condition only in a run where another process acts between a thread's
// two steps, which a reduction that took the first step alone would
// never explore. The reduced search must find each violation.
func TestPORNotPrivate(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"this_cpu moves with cpu_down", `cpus 2; int seen;
			thread t1 on cpu 1 { int a; a = int(this_cpu); if (a == 1) { seen = 2; } else { seen = 1; } }
			thread t0 on cpu 0 { cpu_down(cpu(1)); }
			final seen == 2;`},
		{"a built-in reads the machine", `cpus 2; int seen;
			thread t1 on cpu 1 { int a; a = cpu_online(cpu(0)) ? 1 : 0; seen = a + 1; }
			thread t0 on cpu 0 { cpu_down(cpu(0)); }
			final seen == 2;`},
		{"a fn reads a global", `cpus 2; int g; int seen;
			atomic fn get() int { return g; }
			thread t1 on cpu 1 { int a; a = get(); seen = a + 1; }
			thread t0 on cpu 0 { g = 1; }
			final seen == 2;`},
		{"yield lets a thread run that a global woke", `cpus 2; int g; int seen;
			thread t0 on cpu 0 { yield(); seen = 1; }
			thread u on cpu 0 { await g == 1; seen = 2; }
			thread w on cpu 1 { g = 1; }
			final seen == 2;`},
		{"a thread's end changes current()", `cpus 2; int seen;
			thread t0 on cpu 0 { int a; a = 1; }
			thread w on cpu 1 { seen = current(cpu(0)) == none ? 1 : 2; }
			final seen == 2;`},
		// A global that no code writes is a constant, and reading it is
		// private; each of these writes it in another way.
		{"an atomic writes a global", `cpus 2; int k; int seen;
			thread t1 on cpu 1 { int a; a = k; seen = a + 1; }
			thread t0 on cpu 0 { int o; o = xchg(k, 1); }
			final seen == 1;`},
		{"a failed try_cmpxchg writes its second argument", `cpus 2; int x = 3; int k; int seen;
			thread t1 on cpu 1 { int a; a = k; seen = a + 1; }
			thread t0 on cpu 0 { bool ok; ok = try_cmpxchg(x, k, 1); }
			final seen == 1;`},
		{"a fn writes a global", `cpus 2; int k; int seen;
			fn set() { k = 1; }
			thread t1 on cpu 1 { int a; a = k; seen = a + 1; }
			thread t0 on cpu 0 { set(); }
			final seen == 1;`},
		{"a handler increments a global", `cpus 2; const V = 0x30; int k; int seen;
			handler h { k++; }
			init { request_irq(cpu(0), V, h); }
			thread t1 on cpu 1 { int a; a = k; seen = a + 1; }
			thread t0 on cpu 0 { send_ipi(cpu(0), V); }
			final seen == 1;`},
		{"a device chooses a global", `cpus 2; int k; int seen;
			thread t1 on cpu 1 { int a; a = k; seen = a + 1; }
			device d { choose k in 1..1; }
			final seen == 1;`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := load(t, tc.src)
			plain := explore.Explore(p, explore.Options{SafetyOnly: true, NoPOR: true})
			if plain.Violation == nil || plain.Violation.Kind != machine.Final {
				t.Fatalf("without the reduction: %s %v, want a final violation", plain.Verdict, plain.Violation)
			}
			r := explore.Explore(p, explore.ReducedOnly(explore.Options{SafetyOnly: true}))
			if r.Violation == nil || r.Violation.Kind != machine.Final {
				t.Errorf("reduced search (%v): %s %v, want the final violation", r.PartialOrder, r.Verdict, r.Violation)
			}
		})
	}
}

// movedA is a thread a on cpu 1 that waits for ever after a private step,
// and staysOff an invariant that a never runs on cpu 0: the models of
// TestPORBlockingNext that take cpu 1 down break it when a is switched
// in there before its private step.
const (
	movedA = `forever thread a on cpu 1 {
    int x = 1;
    await g;
}
`
	staysOff = `invariant a_stays_off_cpu0: current(0) != a;`
)

// awaitFlip is a thread a that takes g and a device b that gives it
// back, for ever; the models add a thread q on a's CPU, which runs only
// when a blocks at its await.
const awaitFlip = `cpus 1;
bool g = true;
bool run = true;
bool done = false;
forever thread a on cpu 0 {
    bool k = true;
    while (k) {
        await g;
        g = false;
    }
    g = true;
}
forever device b {
    while (run) {
        await !g;
        g = true;
    }
}
`

// A private step that brings its thread to a step that can block (an
// await) is not taken alone: it changes when the thread is blocked, which
// decides whether another thread of its CPU may be switched in, and
// whether a thread moved by cpu_down may run. Each of these models, found
// by a review, was verified with the reduction and violated without it.
func TestPORBlockingNext(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"a private step before an await hides the switch cpu_down allows", `cpus 2;
bool g = false;
` + movedA + `thread h on cpu 0 {
    cpu_down(1);
}
` + staysOff},
		// The rule holds as long as some process may still call
		// cpu_down, however it gets there.
		{"cpu_down after a loop", `cpus 2;
bool g = false;
` + movedA + `int r;
thread h on cpu 0 {
    while (r < 2) { r++; }
    cpu_down(1);
}
` + staysOff},
		{"cpu_down in a fn", `cpus 2;
bool g = false;
fn off(cpu c) { cpu_down(c); }
fn offTwice(cpu c) { off(c); off(c); }
` + movedA + `thread h on cpu 0 {
    offTwice(1);
}
` + staysOff},
		{"cpu_down in a fn called in an expression", `cpus 2;
bool g = false;
int r;
atomic fn down() int { cpu_down(1); return 1; }
atomic fn off() int { return down() + 1; }
` + movedA + `thread h on cpu 0 {
    r = off() + 1;
}
` + staysOff},
		{"cpu_down in a handler", `cpus 2;
const V = 0x40;
bool g = false;
handler off { cpu_down(1); }
init { request_irq(0, V, off); }
` + movedA + `thread h on cpu 0 {
    send_ipi(0, V);
}
` + staysOff},
		{"a private step before an await on a local hides the switch", `cpus 2;
forever thread a on cpu 1 {
    int x = 1;
    await x == 2;
}
thread h on cpu 0 {
    cpu_down(1);
}
` + staysOff},
		{"a private step before an atomic block hides the switch", `cpus 2;
bool g = false;
forever thread a on cpu 1 {
    int x = 1;
    atomic { x = 2; await g; }
}
thread h on cpu 0 {
    cpu_down(1);
}
` + staysOff},
		{"a private step before an await hides a hang", `cpus 2;
const V = 0x40;
bool g = false;
bool ready = false;
bool handled = false;
handler hh { handled = true; }
init { request_irq(0, V, hh); }
forever thread a on cpu 1 {
    atomic { irq_disable(); ready = true; }
    int x = 1;
    await g;
}
thread h on cpu 0 {
    await ready;
    cpu_down(1);
    send_ipi(0, V);
}`},
		{"a private step before an await hides a livelock", awaitFlip + `thread q on cpu 0 { done = true; }`},
		// init's cpu_down moves q onto a's CPU before the search begins
		// (found by a review).
		{"init's cpu_down puts a second thread on the CPU", strings.Replace(awaitFlip, "cpus 1;", "cpus 2;", 1) + `thread q on cpu 1 { done = true; }
init { cpu_down(1); }`},
		{"a private step before an await hides a liveness violation", awaitFlip + `forever thread q on cpu 0 { done = true; }
liveness served: always eventually done;`},
		{"a symmetric model's self-IPI livelock", `cpus 2 symmetric;
const V = 0x40;
bool g[cpu];
bool done[cpu];
handler kick { g[this_cpu] = true; }
init {
    for (cpu c = 0; c < NCPUS; c++) { request_irq(c, V, kick); g[c] = true; }
}
forever thread a on each cpu {
    bool k = true;
    while (k) {
        await g[this_cpu];
        g[this_cpu] = false;
        send_ipi(this_cpu, V);
    }
    g[this_cpu] = true;
}
thread q on each cpu {
    done[this_cpu] = true;
}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := load(t, tc.src)
			for _, workers := range []int{1, 2} {
				plain := explore.Explore(p, explore.Options{NoPOR: true, Workers: workers})
				r := explore.Explore(p, explore.ReducedOnly(explore.Options{Workers: workers}))
				if plain.Violation == nil || r.Violation == nil || r.Violation.Kind != plain.Violation.Kind {
					t.Errorf("%d workers: reduced %s, without the reduction %s", workers, r.Outcome(), plain.Outcome())
				}
			}
		})
	}
}

// State counts worked out by hand. Thread t0's private steps a = 1 and
// a = 2 are taken alone; from the state after them, t0's store and t1's
// are taken in both orders: 7 states and 6 transitions, against the 4 x 2
// + 1 = 9 states (the two orders of the stores end in two states) and 10
// transitions of the whole graph. When another unfinished thread is on
// t0's CPU (t2, which waits for ever for a value g never takes, so it is
// never switched in), it matters when t0 blocks, so a = 2, which brings
// t0 to a store, a step that could block, is not taken alone: 8 states
// and 8 transitions. (A thread there that has finished, or nothing to
// do, does not count.)
func TestPORStateCountsByHand(t *testing.T) {
	const src = `cpus 2; int g;
		thread t0 on cpu 0 { int a; a = 1; a = 2; g = a; }
		thread t1 on cpu 1 { g = 5; }`
	for _, tc := range []struct {
		name                string
		src                 string
		noPOR               bool
		states, transitions int64
	}{
		{"alone", src, false, 7, 6},
		{"alone, no reduction", src, true, 9, 10},
		{"sharing its cpu", src + `forever thread t2 on cpu 0 { await g == 7; }`, false, 8, 8},
		{"sharing its cpu, no reduction", src + `forever thread t2 on cpu 0 { await g == 7; }`, true, 9, 10},
		{"sharing its cpu with a finished thread", src + `thread t2 on cpu 0 { }`, false, 7, 6},
	} {
		p := load(t, tc.src)
		r := explore.Explore(p, explore.Options{SafetyOnly: true, NoPOR: tc.noPOR})
		if r.Verdict != explore.Verified || r.States != tc.states || r.Transitions != tc.transitions || r.PartialOrder == tc.noPOR {
			t.Errorf("%s: %s, %d states, %d transitions, reduced %v; want verified, %d, %d",
				tc.name, r.Verdict, r.States, r.Transitions, r.PartialOrder, tc.states, tc.transitions)
		}
		if tc.noPOR {
			continue
		}
		// The liveness check explores the same reduced graph.
		if r := explore.Explore(p, explore.Options{}); r.Verdict != explore.Verified || !r.PartialOrder || r.States != tc.states ||
			r.Liveness == nil || r.Liveness.States != tc.states || r.Liveness.Edges != tc.transitions {
			t.Errorf("%s, with the liveness check: %s, %d states, reduced %v, liveness %+v; want verified, %d states, reduced, a graph of %d states and edges",
				tc.name, r.Verdict, r.States, r.PartialOrder, r.Liveness, tc.states, tc.transitions)
		}
	}
}
