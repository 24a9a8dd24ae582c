package explore_test

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
)

// symmetricModels are small protocols declared `cpus N symmetric`; %d is
// the CPU count.
var symmetricModels = map[string]string{
	// Every CPU sends one cross-call to any CPU (itself: a local call).
	"cross calls": "",
	// The same with a lost update: two callers race on a shared counter.
	"lost update": `cpus %d symmetric;
		int hits;
		thread w on each cpu { int h = hits; hits = h + 1; }
		final hits == NCPUS;`,
	// A CPU goes down while others send to it: threads migrate to any
	// online CPU, IPIs to it are dropped.
	"hotplug": `cpus %d symmetric;
		const V = 0x30; int got;
		handler h { got++; }
		init { for (int i = 0; i < NCPUS; i++) request_irq(cpu(i), V, h); }
		thread w on each cpu {
			cpu t;
			choose t in 0..NCPUS-1;
			either { send_ipi(t, V); } or { if (t != this_cpu) cpu_down(t); }
		}
		invariant got <= NCPUS;`,
}

func symmetricSource(t *testing.T, name string, n int) string {
	t.Helper()
	src := symmetricModels[name]
	if src == "" {
		b, err := os.ReadFile("../bench/families/cross_calls.irq")
		if err != nil {
			t.Fatal(err)
		}
		return strings.Replace(string(b), "cpus 3 symmetric;", fmt.Sprintf("cpus %d symmetric;", n), 1)
	}
	return fmt.Sprintf(src, n)
}

// Symmetry reduction changes the number of states, never the verdict,
// the violation or the length of the trace.
func TestSymmetrySameVerdict(t *testing.T) {
	for name := range symmetricModels {
		for n := 2; n <= 3; n++ {
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				p := load(t, symmetricSource(t, name, n))
				with := explore.Explore(p, explore.Options{})
				without := explore.Explore(p, explore.Options{NoSymmetry: true})
				if with.Verdict != without.Verdict || with.Depth != without.Depth {
					t.Fatalf("with symmetry %s depth %d, without %s depth %d", with.Verdict, with.Depth, without.Verdict, without.Depth)
				}
				if (with.Violation == nil) != (without.Violation == nil) ||
					with.Violation != nil && (with.Violation.Kind != without.Violation.Kind || with.Violation.Pos != without.Violation.Pos) {
					t.Fatalf("violations differ: %v / %v", with.Violation, without.Violation)
				}
				if with.States > without.States {
					t.Errorf("symmetry stored more states: %d > %d", with.States, without.States)
				}
			})
		}
	}
}

// For N = 3 and 4 interchangeable CPUs the stored states shrink by at
// least N!/2.
func TestSymmetryReduction(t *testing.T) {
	for n := 3; n <= 4; n++ {
		p := load(t, symmetricSource(t, "cross calls", n))
		with := explore.Explore(p, explore.Options{})
		without := explore.Explore(p, explore.Options{NoSymmetry: true})
		if with.Verdict != explore.Verified || without.Verdict != explore.Verified {
			t.Fatalf("n=%d: %s / %s", n, with.Verdict, without.Verdict)
		}
		fact := math.Gamma(float64(n + 1))
		ratio := float64(without.States) / float64(with.States)
		t.Logf("n=%d: %d states without symmetry, %d with: %.1fx (n!/2 = %.0f)", n, without.States, with.States, ratio, fact/2)
		if ratio < fact/2 {
			t.Errorf("n=%d: reduction %.1fx, want at least %.0f", n, ratio, fact/2)
		}
	}
}

// The trace of a violation found with symmetry names the real CPUs: it
// replays from the initial state.
func TestSymmetryTraceRealCPUs(t *testing.T) {
	p := load(t, symmetricSource(t, "lost update", 3))
	r := explore.Explore(p, explore.Options{})
	if r.Verdict != explore.Violated || r.Violation.Kind != "final" {
		t.Fatalf("%s %v", r.Verdict, r.Violation)
	}
	for _, st := range r.Trace.Steps {
		want := fmt.Sprintf("w[%d]", st.Column)
		if st.Actor != want {
			t.Errorf("step %q in column %d is by %s, want %s", st.Text, st.Column, st.Actor, want)
		}
	}
}

func TestSymmetryAsymmetricInit(t *testing.T) {
	p := load(t, `cpus 3 symmetric; const V = 0x30; handler h { }
		init { request_irq(0, V, h); }
		thread w on each cpu { send_ipi(this_cpu, V); }`)
	r := explore.Explore(p, explore.Options{})
	if r.Verdict != explore.Violated || !strings.Contains(r.Violation.Msg, "init is not symmetric") {
		t.Fatalf("%s %v, want init is not symmetric", r.Verdict, r.Violation)
	}
}

func TestSymmetryUnsetCPU(t *testing.T) {
	p := load(t, `cpus 2 symmetric; const V = 0x30; cpu target; handler h { }
		init { for (int i = 0; i < NCPUS; i++) request_irq(cpu(i), V, h); }
		thread w on each cpu { send_ipi(target, V); }`)
	r := explore.Explore(p, explore.Options{})
	if r.Verdict != explore.Violated || !strings.Contains(r.Violation.Msg, "target is read before it is set") {
		t.Fatalf("%s %v", r.Verdict, r.Violation)
	}
}

// Symmetry reduction stores one state per class of states, whichever
// state of the class its canonical form is: these counts, with one worker
// and with two, are those of the first implementation, which took the
// least renaming over every permutation.
func TestSymmetryStateCounts(t *testing.T) {
	tests := []struct {
		name                string
		n                   int
		states, transitions int64
	}{
		{"cross calls", 2, 78, 128},
		{"cross calls", 3, 1154, 2815},
		{"cross calls", 4, 15451, 51154},
		{"cross calls", 5, 187610, 793430},
		{"lost update", 4, 48, 95},
		{"lost update", 5, 112, 271},
		{"hotplug", 3, 2902, 8162},
		{"hotplug", 4, 58065, 228120},
	}
	for _, tt := range tests {
		if testing.Short() && tt.states > 100000 {
			continue
		}
		p := load(t, symmetricSource(t, tt.name, tt.n))
		for _, w := range []int{1, 2} {
			r := explore.Explore(p, explore.Options{Workers: w})
			if r.States != tt.states || r.Transitions != tt.transitions {
				t.Errorf("%s with %d cpus, %d workers: %d states, %d transitions; want %d, %d",
					tt.name, tt.n, w, r.States, r.Transitions, tt.states, tt.transitions)
			}
		}
	}
}

// ownersModel exercises every kind of value a permutation must rename:
// [cpu] and [thread] arrays, thread values, cpu values, messages in
// flight, per-cpu thread copies.
const ownersModel = `cpus %d symmetric;
	const V = 0x30;
	bool marked[thread];
	thread last[cpu];
	int count[cpu];
	handler h { count[this_cpu]++; }
	init { for (int i = 0; i < NCPUS; i++) request_irq(cpu(i), V, h); }
	thread w on each cpu {
		cpu c;
		choose c in 0..NCPUS-1;
		thread t = current(c);
		if (t != none) marked[t] = true;
		last[c] = current(this_cpu);
		send_ipi(c, V);
		if (marked[current(this_cpu)]) count[this_cpu]++;
	}`

// TestSymmetryCommutes checks that each permutation is a symmetry of the
// machine: on reachable states s, the successors of π(s) are exactly the
// images under π of the successors of s. A renaming that missed some
// kind of slot would merge states that behave differently.
func TestSymmetryCommutes(t *testing.T) {
	models := map[string]string{"owners": ownersModel, "hotplug": symmetricModels["hotplug"], "cross calls": ""}
	for _, name := range []string{"owners", "hotplug", "cross calls"} {
		for n := 2; n <= 3; n++ {
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				src := models[name]
				if src == "" {
					src = symmetricSource(t, name, n)
				} else {
					src = fmt.Sprintf(src, n)
				}
				p := load(t, src)
				m := machine.New(p)
				sym := p.Symmetry
				succ := func(s compile.State) []string {
					var out []string
					m.Successors(s, func(sc *machine.Successor) bool {
						if sc.Violation != nil {
							out = append(out, "violation "+string(sc.Violation.Kind))
						} else {
							out = append(out, fmt.Sprint(sc.Next))
						}
						return true
					})
					slices.Sort(out)
					return slices.Compact(out)
				}
				inits, v := m.InitialStates()
				if v != nil {
					t.Fatal(v)
				}
				// Breadth first over the first few hundred states.
				seen := map[string]bool{}
				queue := inits
				img := make(compile.State, p.Layout.Size)
				checked := 0
				for len(queue) > 0 && checked < 400 {
					s := queue[0]
					queue = queue[1:]
					if seen[fmt.Sprint(s)] {
						continue
					}
					seen[fmt.Sprint(s)] = true
					checked++
					for k := 0; k < sym.Permutations()-1; k++ {
						sym.Apply(k, s, img)
						var mapped []string
						m.Successors(s, func(sc *machine.Successor) bool {
							if sc.Violation != nil {
								mapped = append(mapped, "violation "+string(sc.Violation.Kind))
							} else {
								out := make(compile.State, len(img))
								sym.Apply(k, sc.Next, out)
								mapped = append(mapped, fmt.Sprint(out))
							}
							return true
						})
						slices.Sort(mapped)
						mapped = slices.Compact(mapped)
						if got := succ(slices.Clone(img)); !slices.Equal(got, mapped) {
							t.Fatalf("state %v, permutation %d: successors of its image\n%v\nare not the images of its successors\n%v", s, k, got, mapped)
						}
					}
					m.Successors(s, func(sc *machine.Successor) bool {
						if sc.Violation == nil {
							queue = append(queue, slices.Clone(sc.Next))
						}
						return true
					})
				}
				if checked < 20 {
					t.Fatalf("only %d states checked", checked)
				}
			})
		}
	}
}
