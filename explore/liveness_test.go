package explore

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/machine"
)

func loadModel(t *testing.T, src string) *machine.Program {
	t.Helper()
	p, err := compile.Load("test.irq", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// outcome is a run's verdict and kind as one phrase, with the message of
// a violation.
func outcome(r *Result) (string, string) {
	if r.Violation != nil {
		return r.Outcome(), r.Violation.Msg
	}
	return r.Outcome(), ""
}

// The liveness rules, each on a tiny model. steps and loop, where given,
// are the lasso worked out by hand: the number of steps and the index of
// the first step of the cycle (-1: no cycle, a run that ends).
var livenessTests = []struct {
	name        string
	src         string
	want        string // outcome
	msg         string // substring of the message
	steps, loop int    // -1, -1: not checked
}{
	{
		// One state, whose only step (the loop test) leads back to it.
		name:  "spin on a flag nobody sets",
		src:   `cpus 1; bool x; thread t on cpu 0 { while (!x) { } }`,
		want:  "violation livelock",
		msg:   "thread t on cpu 0 never finishes: it spins for ever at while (!x)",
		steps: 1, loop: 0,
	},
	{
		name: "the same thread declared forever",
		src:  `cpus 1; bool x; forever thread t on cpu 0 { while (!x) { } }`,
		want: "verified", steps: -1, loop: -1,
	},
	{
		// The device is enabled in every state of the spin, so it runs.
		name: "a spin that a device ends",
		src:  `cpus 1; bool x; thread t on cpu 0 { while (!x) { } } device d { x = true; }`,
		want: "verified", steps: -1, loop: -1,
	},
	{
		// A blocked waiter is a hang only in a terminal state; with an
		// idle loop running for ever it is a livelock. Prefix: none (the
		// initial state is in the cycle); cycle: the idle loop's test.
		name:  "a blocked waiter while an idle loop runs",
		src:   `cpus 1; bool x; forever device idle { while (true) { } } thread t on cpu 0 { await x; }`,
		want:  "violation livelock",
		msg:   "thread t on cpu 0 never finishes: it waits for ever at await x",
		steps: 1, loop: 0,
	},
	{
		name: "a waiter woken by an IPI while an idle loop runs",
		src: `cpus 2; const V = 0x20; bool x;
			handler h { x = true; }
			init { request_irq(1, V, h); }
			forever device idle { while (true) { } }
			thread s on cpu 0 { send_ipi(1, V); }
			thread t on cpu 1 { await x; }`,
		want: "verified", steps: -1, loop: -1,
	},
	{
		// The handler holds the lock the interrupted thread needs to
		// release: cpu 0 spins in the handler for ever.
		name: "spinlock in a thread and in its cpu's handler",
		src: `cpus 1; const V = 0x30; bool lock;
			handler h { while (xchg(lock, true)) { } lock = false; }
			init { request_irq(0, V, h); }
			thread t on cpu 0 { while (xchg(lock, true)) { } lock = false; }
			device d { send_ipi(0, V); }`,
		want: "violation livelock",
		msg:  "handler h on cpu 0 never returns: it spins for ever at while (xchg(lock, true))",
		// t takes the lock (1), d raises the vector (2), cpu 0 takes it
		// (3); the handler's test of the lock is the cycle (4).
		steps: 4, loop: 3,
	},
	{
		name: "spinlock taken with interrupts off",
		src: `cpus 1; const V = 0x30; bool lock;
			handler h { while (xchg(lock, true)) { } lock = false; }
			init { request_irq(0, V, h); }
			thread t on cpu 0 { irq_disable(); while (xchg(lock, true)) { } lock = false; irq_enable(); }
			device d { send_ipi(0, V); }`,
		want: "verified", steps: -1, loop: -1,
	},
	{
		// A timer that fires again while its handler runs: the thread
		// is never enabled again once the storm starts.
		name: "an interrupt storm starves a thread",
		src: `cpus 1; const T = 0xec; bool b; bool done;
			handler tick { b = !b; }
			init { request_irq(0, T, tick); }
			forever device timer { while (true) send_ipi(0, T); }
			thread t on cpu 0 { done = true; }`,
		want: "violation livelock", msg: "interrupts keep cpu 0 busy", steps: -1, loop: -1,
	},
	{
		// The same timer re-armed as its handler returns: between two
		// ticks the thread is enabled, and strong fairness runs it.
		name: "a timer re-armed by its handler does not starve a thread",
		src: `cpus 1; const T = 0xec; bool armed = true; bool done;
			handler tick { armed = true; }
			init { request_irq(0, T, tick); }
			forever device timer { while (true) atomic { await armed; armed = false; send_ipi(0, T); } }
			thread t on cpu 0 { done = true; }`,
		want: "verified", steps: -1, loop: -1,
	},
	{
		// Entry is fair per vector: a timer above the device's vector,
		// re-armed as its handler returns, can fire again between the
		// return and the next entry, but not for ever.
		name: "a higher timer vector does not starve a lower pending vector",
		src: `cpus 1; const DEV_VECTOR = 0x20; const LOCAL_TIMER_VECTOR = 0xec;
			bool timer_armed = true; bool done; bool handled;
			handler local_timer_interrupt { timer_armed = true; }
			handler dev_interrupt { handled = true; }
			init { request_irq(0, LOCAL_TIMER_VECTOR, local_timer_interrupt); request_irq(0, DEV_VECTOR, dev_interrupt); }
			forever device lapic_timer { while (true) atomic { await timer_armed; timer_armed = false; send_ipi(0, LOCAL_TIMER_VECTOR); } }
			device dev { send_ipi(0, DEV_VECTOR); }
			thread t on cpu 0 { done = true; }
			liveness taken: pending(0, DEV_VECTOR) ~> handled;`,
		want: "verified", steps: -1, loop: -1,
	},
	{
		// With interrupts off for ever, the vector stays pending.
		name: "a vector pending behind interrupts kept off",
		src: `cpus 1; const V = 0x20; bool x;
			handler h { x = true; }
			init { request_irq(0, V, h); }
			forever thread t on cpu 0 { irq_disable(); while (true) { yield(); } }
			device d { send_ipi(0, V); }`,
		want: "violation livelock", msg: "vector 0x20 stays pending on cpu 0 for ever: the cpu never takes it: interrupts stay disabled there", steps: -1, loop: -1,
	},
	{
		// Cooperative scheduling: a thread that never blocks or yields
		// keeps its cpu.
		name: "a thread that never yields keeps its cpu",
		src: `cpus 1; bool x;
			forever thread a on cpu 0 { while (true) { x = !x; } }
			thread b on cpu 0 { x = true; }`,
		want: "violation livelock", msg: "thread b on cpu 0 never finishes: it never gets the cpu: a keeps it", steps: -1, loop: -1,
	},
	{
		name: "a thread that yields lets the other run",
		src: `cpus 1; bool x;
			forever thread a on cpu 0 { while (true) { yield(); } }
			thread b on cpu 0 { x = true; }`,
		want: "verified", steps: -1, loop: -1,
	},
	{
		name: "a blocked thread lets the other run",
		src: `cpus 1; bool go;
			forever device idle { while (true) { } }
			thread a on cpu 0 { await go; }
			thread b on cpu 0 { go = true; }`,
		want: "verified", steps: -1, loop: -1,
	},
	{
		name: "a vector pending on a cpu that keeps interrupts off",
		src: `cpus 1; const V = 0x20; bool x;
			handler h { x = true; }
			init { request_irq(0, V, h); }
			forever thread t on cpu 0 { irq_disable(); while (true) { } }
			device d { send_ipi(0, V); }`,
		want: "violation livelock", msg: "vector 0x20 stays pending on cpu 0 for ever", steps: -1, loop: -1,
	},
	{
		// x = 1 (1), x = 2 (2), and the run ends with x never 0 again.
		name:  "leads-to broken by a run that ends",
		src:   `cpus 1; int[0..2] x; thread t on cpu 0 { x = 1; x = 2; } liveness back: x == 1 ~> x == 0;`,
		want:  "violation liveness",
		msg:   "liveness back (x == 1 ~> x == 0): the goal never comes after the trigger: the run ends without it",
		steps: 2, loop: -1,
	},
	{
		name: "leads-to kept",
		src:  `cpus 1; int[0..2] x; thread t on cpu 0 { x = 1; x = 2; } liveness x == 1 ~> x == 2;`,
		want: "verified", steps: -1, loop: -1,
	},
	{
		// x toggles for ever: x ~> !x and always eventually x hold;
		// eventually always x does not (cycle: the two toggles).
		name: "always eventually holds on a toggle",
		src: `cpus 1; bool x; forever thread t on cpu 0 { while (true) { x = !x; } }
			liveness x ~> !x; liveness always eventually x;`,
		want: "verified", steps: -1, loop: -1,
	},
	{
		name: "eventually always fails on a toggle",
		src: `cpus 1; bool x; forever thread t on cpu 0 { while (true) { x = !x; } }
			liveness settles: eventually always x;`,
		want: "violation liveness", msg: "liveness settles (eventually always x): the condition keeps failing on a fair run",
		// The initial state (x false) is on the cycle: test, toggle,
		// test, toggle.
		steps: 4, loop: 0,
	},
	{
		name: "always eventually fails once the toggling stops",
		src: `cpus 1; bool x; bool stop; forever thread t on cpu 0 { while (!stop) { x = !x; } while (true) { } }
			device d { stop = true; }
			liveness always eventually x;`,
		want: "violation liveness", msg: "the condition stops holding for good", steps: -1, loop: -1,
	},
}

func TestLiveness(t *testing.T) {
	for _, tt := range livenessTests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadModel(t, tt.src)
			var first string
			for _, w := range []int{1, 2} {
				r := Explore(p, Options{Workers: w})
				got, msg := outcome(r)
				if got != tt.want || !strings.Contains(msg, tt.msg) {
					t.Fatalf("%d workers: got %s: %s\nwant %s: ...%s...", w, got, msg, tt.want, tt.msg)
				}
				if tt.steps >= 0 && (len(r.Trace.Steps) != tt.steps || r.Loop != tt.loop) {
					t.Errorf("lasso of %d steps, cycle from step index %d; want %d, %d", len(r.Trace.Steps), r.Loop, tt.steps, tt.loop)
				}
				if r.Verdict == Violated && r.Violation.Kind == machine.Livelock && r.Loop < 0 {
					t.Errorf("a livelock without a cycle")
				}
				if r.Trace != nil {
					got += traceText(r.Trace)
				}
				if w == 1 {
					first = got
				} else if got != first {
					t.Errorf("2 workers: %s\n1 worker: %s", got, first)
				}
			}
		})
	}
}

func traceText(tr *Trace) string {
	var b strings.Builder
	for _, st := range tr.Steps {
		b.WriteString("\n" + st.Actor + ": " + st.Text)
	}
	return b.String()
}

// Each fairness rule is needed: without it, a model that the rule makes
// live has a livelock. And strong fairness is needed where a process is
// enabled only between interrupts.
func TestFairnessRulesMatter(t *testing.T) {
	byName := map[string]string{}
	for _, tt := range livenessTests {
		byName[tt.name] = tt.src
	}
	woken := byName["a waiter woken by an IPI while an idle loop runs"]
	tests := []struct {
		rule  machine.Kind
		model string
	}{
		{machine.DeviceStep, byName["a spin that a device ends"]},
		{machine.ThreadStep, woken}, // the sender never sends
		{machine.Arrival, woken},    // the IPI never arrives
		{machine.Entry, woken},      // it arrives but is never taken
		{machine.HandlerStep, woken},
		{machine.Switch, byName["a blocked thread lets the other run"]},
	}
	for _, tt := range tests {
		p := loadModel(t, tt.model)
		if r := Explore(p, Options{}); r.Verdict != Verified {
			t.Fatalf("rule %d: the model is not verified with every rule: %s", tt.rule, r.Outcome())
		}
		unfair[tt.rule] = true
		r := Explore(p, Options{})
		delete(unfair, tt.rule)
		if got, _ := outcome(r); got != "violation livelock" {
			t.Errorf("without fairness for transitions of kind %d: %s, want a livelock", tt.rule, got)
		}
	}

	p := loadModel(t, byName["a timer re-armed by its handler does not starve a thread"])
	weakFairness = true
	r := Explore(p, Options{})
	weakFairness = false
	if got, _ := outcome(r); got != "violation livelock" {
		t.Errorf("under weak fairness the re-armed timer gives %s, want the livelock strong fairness rules out", got)
	}
}

// The liveness check explores without symmetry reduction, so a symmetric
// model's verdict does not depend on it.
func TestLivenessSymmetric(t *testing.T) {
	src := `cpus 3 symmetric; bool x[cpu];
		forever device idle { while (true) { } }
		thread t on each cpu { while (!x[this_cpu]) { } }`
	for _, nosym := range []bool{false, true} {
		r := Explore(loadModel(t, src), Options{NoSymmetry: nosym})
		// The cycle takes the three spins and the idle loop.
		if got, _ := outcome(r); got != "violation livelock" || len(r.Trace.Steps) != 4 {
			t.Errorf("no-symmetry %v: %s, trace %d steps", nosym, got, len(r.Trace.Steps))
		}
	}
}

// SafetyOnly skips the check, and a limit in it makes the run incomplete.
func TestLivenessOptions(t *testing.T) {
	p := loadModel(t, `cpus 1; bool x; thread t on cpu 0 { while (!x) { } }`)
	if r := Explore(p, Options{SafetyOnly: true}); r.Verdict != Verified || r.Liveness != nil {
		t.Errorf("safety only: %s, liveness %v", r.Outcome(), r.Liveness)
	}
	// 5 states up to symmetry (how many threads are done), 16 without; the
	// idle loop makes the check explore again without the reduction.
	p = loadModel(t, `cpus 4 symmetric; bool x[cpu]; forever device idle { while (true) { } }
		thread t on each cpu { x[this_cpu] = true; }`)
	r := Explore(p, Options{MaxStates: 10})
	if r.Verdict != Incomplete || !strings.HasPrefix(r.Limit, "max-states (liveness") {
		t.Errorf("got %s, want incomplete in the liveness check", r.Outcome())
	}
}

// The fair components are checked against their definition on random
// small graphs: a state lies on a fair cycle iff some strongly connected
// set of states containing it, with an edge inside, takes inside every
// class that any of its states enables. The reference enumerates every
// subset of states.
func TestFairComponentsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	for iter := 0; iter < 3000; iter++ {
		n := 1 + rng.IntN(7)
		nclass := 1 + rng.IntN(4)
		g := &lgraph{nclass: nclass}
		g.first = []int32{0}
		for s := 0; s < n; s++ {
			deg := rng.IntN(4)
			for k := 0; k < deg; k++ {
				e := int32(len(g.dst))
				g.dst = append(g.dst, int32(rng.IntN(n)))
				g.cls = append(g.cls, uint8(rng.IntN(nclass)))
				if rng.IntN(8) == 0 {
					g.seconds.add(e, int32(rng.IntN(nclass)))
				}
			}
			g.first = append(g.first, int32(len(g.dst)))
		}
		g.rindex = make([]int32, n)
		var all []int32 // every state
		if rng.IntN(2) == 0 {
			all = make([]int32, n)
			for i := range all {
				all[i] = int32(i)
			}
		}
		got := make([]bool, n)
		g.fair(all, func(int32) bool { return true }, func(c []int32) bool {
			for _, s := range c {
				if got[s] {
					t.Fatalf("graph %d: state %d in two fair components", iter, s)
				}
				got[s] = true
			}
			// The cycle built through it is fair and closed.
			cyc := g.cycle(&lasso{entry: c[0], comp: c, ok: func(int32) bool { return true }})
			if !g.isFairCycle(c[0], cyc) {
				t.Fatalf("graph %d: cycle %v through %v is not a fair closed walk", iter, cyc, c)
			}
			return true
		})
		want := make([]bool, n)
		for set := 1; set < 1<<n; set++ {
			if g.fairSet(set) {
				for s := 0; s < n; s++ {
					if set&(1<<s) != 0 {
						want[s] = true
					}
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("graph %d (first %v dst %v cls %v yield %v): fair states %v, want %v", iter, g.first, g.dst, g.cls, g.seconds, got, want)
		}
	}
}

// fairSet reports whether the states of the bit set are strongly
// connected by edges inside it, have an edge inside, and take inside
// every class they enable.
func (g *lgraph) fairSet(set int) bool {
	in := func(s int32) bool { return set&(1<<s) != 0 }
	taken := map[int32]bool{}
	inner := false
	for s := int32(0); int(s) < g.n(); s++ {
		if !in(s) {
			continue
		}
		for e := g.first[s]; e < g.first[s+1]; e++ {
			if in(g.dst[e]) {
				inner = true
				taken[g.class(e)] = true
				k2, k3 := g.extra(e)
				taken[k2], taken[k3] = true, true
			}
		}
	}
	if !inner {
		return false
	}
	for s := int32(0); int(s) < g.n(); s++ {
		if !in(s) {
			continue
		}
		for e := g.first[s]; e < g.first[s+1]; e++ {
			if !g.allTaken(e, taken) {
				return false
			}
		}
		// every state of the set reaches every other inside it
		seen := map[int32]bool{s: true}
		stack := []int32{s}
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for e := g.first[u]; e < g.first[u+1]; e++ {
				if d := g.dst[e]; in(d) && !seen[d] {
					seen[d] = true
					stack = append(stack, d)
				}
			}
		}
		for u := int32(0); int(u) < g.n(); u++ {
			if in(u) && !seen[u] {
				return false
			}
		}
	}
	return true
}

// allTaken reports whether every class of edge e is in taken.
func (g *lgraph) allTaken(e int32, taken map[int32]bool) bool {
	k2, k3 := g.extra(e)
	return taken[g.class(e)] && (k2 < 0 || taken[k2]) && (k3 < 0 || taken[k3])
}

// isFairCycle reports whether the edges form a closed walk from start
// that takes every class enabled at a state it visits.
func (g *lgraph) isFairCycle(start int32, edges []int32) bool {
	if len(edges) == 0 {
		return false
	}
	taken := map[int32]bool{}
	visited := []int32{start}
	cur := start
	for _, e := range edges {
		if g.src(e) != cur {
			return false
		}
		taken[g.class(e)] = true
		k2, k3 := g.extra(e)
		taken[k2], taken[k3] = true, true
		cur = g.dst[e]
		visited = append(visited, cur)
	}
	if cur != start {
		return false
	}
	for _, s := range visited {
		for e := g.first[s]; e < g.first[s+1]; e++ {
			if !g.allTaken(e, taken) {
				return false
			}
		}
	}
	return true
}

// A closed Interrupt channel ends a run as incomplete: interrupted, in
// the safety search or in the liveness check.
func TestInterrupt(t *testing.T) {
	closed := make(chan struct{})
	close(closed)
	p := loadModel(t, `cpus 1; int[0..100] x; thread t on cpu 0 { while (x < 100) { x++; } }`)
	if r := Explore(p, Options{Interrupt: closed}); r.Verdict != Incomplete || r.Limit != "interrupted" {
		t.Errorf("got %s, want incomplete interrupted", r.Outcome())
	}
	g, lim := buildGraph(p, Options{Interrupt: closed}, time.Now(), []machine.State{p.Initial}, 0, 0)
	if lim != "interrupted" || g == nil {
		t.Errorf("liveness graph: limit %q, want interrupted", lim)
	}
}

// The graph a search records as it goes is the graph the liveness check
// explores again without it: the same numbering, edges, classes, BFS
// tree, obligations and predicates, on every catalog model and with one
// or two workers.
func TestRecordedGraph(t *testing.T) {
	files, err := filepath.Glob("../catalog/models/*.irq")
	if err != nil || len(files) == 0 {
		t.Fatalf("no catalog models: %v", err)
	}
	extra, _ := filepath.Glob("../examples/*.irq")
	// wide has more than 254 fairness classes (40 cpus, 3 vectors that
	// can be pending on each), so its edges' classes take two bytes; tso
	// has the classes of store buffers.
	const wide = `cpus 40; const A = 0x30; const B = 0x31; const C = 0x32; int n;
		handler h { n++; } init { request_irq(0, A, h); request_irq(0, B, h); request_irq(0, C, h); }
		thread t on cpu 0 { send_ipi(0, A); send_ipi(0, B); send_ipi(0, C); }`
	const tso = `cpus 2; memory tso; int x, y; thread a on cpu 0 { x = 1; while (y == 0) { } }
		thread b on cpu 1 { y = 1; await x == 1; }`
	for _, name := range append(append(files, extra...), "wide", "tso") {
		src, err := os.ReadFile(name)
		switch name {
		case "wide":
			src, err = []byte(wide), nil
		case "tso":
			src, err = []byte(tso), nil
		}
		if err != nil {
			t.Fatal(err)
		}
		p, err := compile.Load(name, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int{1, 2} {
			var got *lgraph
			onGraph = func(g *lgraph) { got = g }
			r := Explore(p, Options{Workers: w, NoSymmetry: true, NoPOR: true})
			if got == nil {
				onGraph = nil
				continue // a safety violation: no liveness check
			}
			m := machine.New(p)
			inits, _ := m.InitialStates()
			want, lim := buildGraph(p, Options{}, time.Now(), inits, r.States, r.Transitions)
			if lim != "" {
				t.Fatalf("%s: %s", name, lim)
			}
			if msg := sameGraph(got, want); msg != "" {
				t.Errorf("%s, %d workers: recorded graph differs: %s", name, w, msg)
			}
			if w == 1 && name != "wide" {
				r = Explore(p, Options{Workers: w, NoSymmetry: true})
				if msg := reducedSubgraph(got, want); r.PartialOrder && msg != "" {
					t.Errorf("%s: the reduced graph: %s", name, msg)
				}
			}
			onGraph = nil
		}
	}
}

// reducedSubgraph checks that a graph recorded with the partial-order
// reduction is the whole graph with, at some states, the edges of one
// class only: every state's edges are all of its edges in whole, or
// those of one class when there are others.
func reducedSubgraph(reduced, whole *lgraph) string {
	ids := map[uint64]int32{}
	for s := int32(0); int(s) < whole.n(); s++ {
		ids[Fingerprint(whole.state(s))] = s
	}
	type edge struct {
		dst uint64
		cls int32
	}
	edges := func(g *lgraph, s int32) []edge {
		var out []edge
		for e := g.first[s]; e < g.first[s+1]; e++ {
			out = append(out, edge{Fingerprint(g.state(g.dst[e])), g.class(e)})
		}
		return out
	}
	cut := 0
	for s := int32(0); int(s) < reduced.n(); s++ {
		w, ok := ids[Fingerprint(reduced.state(s))]
		if !ok {
			return fmt.Sprintf("state %d is not in the whole graph", s)
		}
		got, all := edges(reduced, s), edges(whole, w)
		if slices.Equal(got, all) {
			continue
		}
		cut++
		if len(got) == 0 {
			return fmt.Sprintf("state %d has no edges, the whole graph's has %d", s, len(all))
		}
		one := slices.DeleteFunc(slices.Clone(all), func(e edge) bool { return e.cls != got[0].cls })
		if !slices.Equal(got, one) {
			return fmt.Sprintf("state %d: its %d edges are not the %d of class %d of its %d", s, len(got), len(one), got[0].cls, len(all))
		}
	}
	if cut == 0 {
		return "no state's edges were cut"
	}
	return ""
}

// sameRows reports whether every state has the same row in x (of a) and
// y (of b).
func sameRows(a, b *lgraph, x, y *bitRows) bool {
	if x.words != y.words {
		return false
	}
	for s := int32(0); x.words > 0 && int(s) < a.n(); s++ {
		if !slices.Equal(x.row(s), y.row(s)) {
			return false
		}
	}
	return true
}

// sameTree reports whether a and b have the same BFS tree.
func sameTree(a, b *lgraph) bool {
	for s := int32(0); int(s) < a.n(); s++ {
		if a.parentOf(s) != b.parentOf(s) || a.ptidOf(s) != b.ptidOf(s) || a.depthOf(s) != b.depthOf(s) {
			return false
		}
	}
	return true
}

func sameGraph(a, b *lgraph) string {
	switch {
	case !slices.Equal(a.first, b.first):
		return "first"
	case !slices.Equal(a.dst, b.dst):
		return "dst"
	case !slices.Equal(a.cls, b.cls), !slices.Equal(a.clsHi, b.clsHi):
		return "cls"
	case !sameTree(a, b):
		return "BFS tree"
	case !sameRows(a, b, a.obl, b.obl):
		return "obligations"
	case !sameRows(a, b, a.props, b.props):
		return "predicates"
	}
	for e := int32(0); int(e) < len(a.dst); e++ {
		a2, a3 := a.extra(e)
		b2, b3 := b.extra(e)
		if a2 != b2 || a3 != b3 {
			return fmt.Sprintf("edge %d", e)
		}
	}
	return ""
}

// A memory budget the safety search fits in but the recorded graph may
// not: a recording kept in memory is let go and the safety search
// completes; the run then says if the liveness check is what ran out.
func TestRecordingYieldsToTheBudget(t *testing.T) {
	src, err := os.ReadFile("../bench/families/cross_calls.irq")
	if err != nil {
		t.Fatal(err)
	}
	src = regexp.MustCompile(`(?m)^cpus [0-9]+[^;]*;`).ReplaceAll(src, []byte("cpus 4;"))
	p := loadModel(t, string(src))
	safety := Explore(p, Options{Workers: 1, SafetyOnly: true, NoPOR: true})
	if safety.Verdict != Verified {
		t.Fatalf("safety alone: %s", safety.Outcome())
	}
	// The safety search takes about 25 MB here. The recorded graph
	// waits in temporary files, or in memory where none can be made;
	// there it would take about 20 MB more.
	defer func(n int64) { spillToFile = n }(spillToFile)
	spillToFile = 0
	for _, where := range []string{"files", "memory"} {
		if where == "memory" {
			t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
		}
		r := Explore(p, Options{Workers: 1, MaxMemory: 30 << 20, NoPOR: true})
		liveOut := r.Verdict == Incomplete && r.Limit == "mem (liveness check; the safety search was complete)"
		if r.States != safety.States || r.Verdict != Verified && !liveOut {
			t.Errorf("graph in %s: got %s after %d states, want the safety search's %d states and then verified or incomplete in the liveness check",
				where, r.Outcome(), r.States, safety.States)
		}
	}
}

// The dense class numbers: a model of many cpus and vectors needs two
// bytes per edge, a small one one byte, and every class a model can have
// has a number that maps back to it.
func TestDenseClasses(t *testing.T) {
	for _, tt := range []struct {
		src  string
		wide bool
	}{
		{"cpus 2; const A = 0x30; handler h { } init { request_irq(0, A, h); } thread t on cpu 0 { send_ipi(1, A); }", false},
		{"cpus 40; const A = 0x30; const B = 0x31; const C = 0x32; handler h { } init { request_irq(0, A, h); } thread t on cpu 0 { send_ipi(0, A); send_ipi(0, B); send_ipi(0, C); }", true},
	} {
		p := loadModel(t, tt.src)
		g := newLGraph(p, nil)
		if g.wide != tt.wide {
			t.Errorf("%d classes: wide %v, want %v", len(g.fixedOf), g.wide, tt.wide)
		}
		for d, c := range g.fixedOf {
			if g.dense(c) != uint16(d) {
				t.Fatalf("class %d: dense %d, want %d", c, g.dense(c), d)
			}
			g.addClass(c)
			if got := g.class(int32(len(g.cls) - 1)); got != c {
				t.Fatalf("class %d stored and read back as %d", c, got)
			}
		}
		g.addClass(-1)
		if got := g.class(int32(len(g.cls) - 1)); got != -1 {
			t.Fatalf("no class read back as %d", got)
		}
	}
}

// The recorded graph waits in memory while it is small and in temporary
// files past that; where no file can be made it stays in memory, and when
// it cannot be read back the check explores again: the answers are the
// same every way.
func TestLivenessSpills(t *testing.T) {
	for _, tt := range livenessTests {
		p := loadModel(t, tt.src)
		answer := func() string {
			r := Explore(p, Options{Workers: 2})
			got, msg := outcome(r)
			if r.Trace != nil {
				got += traceText(r.Trace)
			}
			return got + msg
		}
		want := answer()
		t.Run(tt.name+"/in files", func(t *testing.T) {
			defer func(n int64) { spillToFile = n }(spillToFile)
			spillToFile = 0
			if got := answer(); got != want {
				t.Errorf("got %s\nwant %s", got, want)
			}
		})
		t.Run(tt.name+"/in memory", func(t *testing.T) {
			defer func(n int64) { spillToFile = n }(spillToFile)
			spillToFile = 0
			t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
			if sp := newSpill("test"); sp.f != nil || !sp.inMemory() {
				t.Fatal("a spill file was made in a missing directory")
			}
			if got := answer(); got != want {
				t.Errorf("got %s\nwant %s", got, want)
			}
		})
		t.Run(tt.name+"/read fails", func(t *testing.T) {
			spillReadFails = true
			defer func() { spillReadFails = false }()
			if got := answer(); got != want {
				t.Errorf("got %s\nwant %s", got, want)
			}
		})
	}
}

// trans finds again the transition each edge of the liveness graph stands
// for: for every edge of every state, the transition number it gives is
// that of the successor the edge was made from (the k-th edge of a state
// is its k-th successor that raises no violation).
func TestTransFindsTheTransition(t *testing.T) {
	// Two spinners: each state has two self-loops, told apart by class.
	spinners := struct{ name, src string }{"spinners", `cpus 2; forever thread a on cpu 0 { while (true) { } }
		forever thread b on cpu 1 { while (true) { } }`}
	// Two IPIs of one vector in flight to one cpu: either arriving
	// makes the same state, by edges of the same class.
	twice := struct{ name, src string }{"twice", `cpus 2; const V = 0x30; handler h { } init { request_irq(1, V, h); }
		thread t on cpu 0 { send_ipi(1, V); send_ipi(1, V); }`}
	// Two branches that do the same: two edges of one class from one
	// state to one successor, told apart by their order.
	alike := struct{ name, src string }{"alike", `cpus 1; int x; thread t on cpu 0 { either { } or { } x = 1; }`}
	models := []struct{ name, src string }{spinners, twice, alike}
	for _, tt := range livenessTests {
		models = append(models, struct{ name, src string }{tt.name, tt.src})
	}
	for _, tt := range models {
		p := loadModel(t, tt.src)
		m := machine.New(p)
		inits, v := m.InitialStates()
		if v != nil {
			continue
		}
		g, lim := buildGraph(p, Options{}, time.Now(), inits, 0, 0)
		if lim != "" {
			t.Fatal(lim)
		}
		for s := int32(0); int(s) < g.n(); s++ {
			var want []int32
			var n int32 = -1
			m.Successors(g.state(s), func(sc *machine.Successor) bool {
				n++
				if sc.Violation == nil {
					want = append(want, n)
				}
				return true
			})
			for k, e := 0, g.first[s]; e < g.first[s+1]; k, e = k+1, e+1 {
				if got := g.trans(s, []int32{e}); got[0] != want[k] {
					t.Fatalf("%s: state %d, edge %d: transition %d, want %d", tt.name, s, e, got[0], want[k])
				}
			}
		}
	}
}

// The second classes of edges, kept as a bit per edge and the classes in
// edge order, read back as a map of them would.
func TestEdgeClasses(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for iter := 0; iter < 200; iter++ {
		var x edgeClasses
		want := map[int32]int32{}
		e := int32(-1)
		for range rng.IntN(300) {
			e += 1 + int32(rng.IntN(100))
			c := int32(rng.IntN(1 << 20))
			x.add(e, c)
			want[e] = c
		}
		for f := int32(0); f <= e+200; f++ {
			w, ok := want[f]
			if !ok {
				w = -1
			}
			if got := x.get(f); got != w {
				t.Fatalf("iteration %d, edge %d: %d, want %d", iter, f, got, w)
			}
		}
	}
}
