package explore_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
)

// symmetricModels are small protocols declared `cpus N symmetric`: the
// cross-call family and models of compile/testdata/symmetric.
var symmetricModels = []string{"cross_calls", "lost_update", "hotplug"}

// symmetricSource returns a symmetric model's source with n CPUs.
func symmetricSource(t testing.TB, name string, n int) string {
	t.Helper()
	file := "../compile/testdata/symmetric/" + name + ".irq"
	if name == "cross_calls" {
		file = "../bench/families/cross_calls.irq"
	}
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return cpusLine.ReplaceAllString(string(src), fmt.Sprintf("cpus %d", n))
}

var cpusLine = regexp.MustCompile(`(?m)^cpus [0-9]+`)

// Symmetry reduction changes the number of states, never the verdict,
// the violation or the length of the trace.
func TestSymmetrySameVerdict(t *testing.T) {
	for _, mem := range []string{"sc", "tso", "weak"} {
		for _, name := range append(symmetricModels, "buffered") {
			for n := 2; n <= 3; n++ {
				t.Run(fmt.Sprintf("%s/%d/%s", name, n, mem), func(t *testing.T) {
					sameVerdict(t, load(t, withMemory(symmetricSource(t, name, n), mem)))
				})
			}
		}
	}
}

// sameVerdict checks p with and without symmetry reduction.
func sameVerdict(t *testing.T, p *machine.Program) {
	t.Helper()
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
}

// For N = 3 and 4 interchangeable CPUs the stored states shrink by at
// least N!/2.
func TestSymmetryReduction(t *testing.T) {
	for n := 3; n <= 4; n++ {
		p := load(t, symmetricSource(t, "cross_calls", n))
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
	p := load(t, symmetricSource(t, "lost_update", 3))
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
// and with two, are those of the least renaming over every permutation
// (machine.SetMaxLeast(8), checked again when bare declarations stopped
// being steps, cross_calls with 5 CPUs going from 187,610 states to
// 150,583, and when finished threads stopped being moved by cpu_down,
// hotplug with 4 CPUs going from 50,149 to 44,374). The liveness check, which explores without the reduction, is
// left out: it is not what is counted.
func TestSymmetryStateCounts(t *testing.T) {
	tests := []struct {
		name                string
		n                   int
		states, transitions int64
	}{
		{"cross_calls", 2, 66, 108},
		{"cross_calls", 3, 965, 2354},
		{"cross_calls", 4, 12675, 42039},
		{"cross_calls", 5, 150583, 638902},
		{"lost_update", 4, 48, 95},
		{"lost_update", 5, 112, 271},
		{"hotplug", 3, 2400, 6899},
		{"hotplug", 4, 44374, 181616},
	}
	for _, tt := range tests {
		if testing.Short() && tt.states > 100000 {
			continue
		}
		p := load(t, symmetricSource(t, tt.name, tt.n))
		for _, w := range []int{1, 2} {
			r := explore.Explore(p, explore.Options{Workers: w, SafetyOnly: true, NoPOR: true})
			if r.States != tt.states || r.Transitions != tt.transitions {
				t.Errorf("%s with %d cpus, %d workers: %d states, %d transitions; want %d, %d",
					tt.name, tt.n, w, r.States, r.Transitions, tt.states, tt.transitions)
			}
		}
	}
}

// TestSymmetryCommutes checks that each permutation is a symmetry of the
// machine: on reachable states s, the successors of π(s) are exactly the
// images under π of the successors of s. A renaming that missed some
// kind of slot would merge states that behave differently.
//
// Under memory tso the store buffers move with their CPUs, and each
// buffered store's slot is renamed with it: the "/tso" forms check that.
// Under memory weak the views move with their CPUs too, and the write
// history's locations, values and CPU marks are renamed, and the bases
// move with their globals: the "/weak" forms check that.
// The stores of marked and hotplug are all in atomic steps; owners,
// cross_calls and buffered must buffer some (buffered stores cpu values
// into a [cpu] array, whose element, and so the buffered slot, a renaming
// moves, and whose value it renames).
func TestSymmetryCommutes(t *testing.T) {
	for _, mem := range []string{"sc", "tso", "weak"} {
		for _, name := range []string{"marked", "owners", "hotplug", "cross_calls", "buffered"} {
			for n := 2; n <= 3; n++ {
				t.Run(fmt.Sprintf("%s/%d/%s", name, n, mem), func(t *testing.T) {
					buffered, history := checkCommutes(t, withMemory(symmetricSource(t, name, n), mem), 400)
					if mem != "sc" && (name == "owners" || name == "cross_calls" || name == "buffered") && buffered == 0 {
						t.Fatal("no state with a buffered store among those checked")
					}
					if mem == "weak" && (name == "owners" || name == "buffered") && history == 0 {
						t.Fatal("no state with a write history among those checked")
					}
				})
			}
		}
	}
}

// A loop over every cpu that a symmetric model may have outside init
// (its order cannot matter: sema's orderFree) keeps the successor
// relation closed under renaming: the cross-call protocol, whose flush
// unlocks every csd on a queue in such a loop, checked as above and with
// the same verdict as without the reduction.
func TestSymmetryOrderFreeLoop(t *testing.T) {
	for _, file := range []string{"../bench/protocol/csd_protocol.irq", "../bench/protocol/csd_protocol_buggy.irq"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for n := 2; n <= 3; n++ {
			t.Run(fmt.Sprintf("%s/%d", filepath.Base(file), n), func(t *testing.T) {
				src := cpusLine.ReplaceAllString(string(src), fmt.Sprintf("cpus %d", n))
				checkCommutes(t, src, 400)
				sameVerdict(t, load(t, src))
			})
		}
	}
}

// withMemory declares memory model mem after a model's cpus line.
func withMemory(src, mem string) string {
	return cpusLine.ReplaceAllStringFunc(src, func(cpus string) string { return "memory " + mem + ";\n" + cpus })
}

// checkCommutes checks that each permutation commutes with the successor
// relation on the first limit states of src, and returns how many of
// them have a buffered store, and how many a write history.
func checkCommutes(t *testing.T, src string, limit int) (buffered, history int) {
	t.Helper()
	p := load(t, src)
	m := machine.New(p)
	sym := p.Symmetry
	succ := func(s machine.State) []string {
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
	img := make(machine.State, p.Layout.Size)
	checked := 0
	for len(queue) > 0 && checked < limit {
		s := queue[0]
		queue = queue[1:]
		if seen[fmt.Sprint(s)] {
			continue
		}
		seen[fmt.Sprint(s)] = true
		checked++
		for c := range p.Layout.CPUs {
			if p.Layout.SBSize > 0 && p.Layout.BufferLen(s, int32(c)) > 0 {
				buffered++
			}
		}
		if p.Layout.Weak && p.Layout.HistoryLen(s) > 0 {
			history++
		}
		for k := 0; k < sym.Permutations()-1; k++ {
			sym.Apply(k, s, img)
			var mapped []string
			m.Successors(s, func(sc *machine.Successor) bool {
				if sc.Violation != nil {
					mapped = append(mapped, "violation "+string(sc.Violation.Kind))
				} else {
					out := make(machine.State, len(img))
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
	return buffered, history
}

// Many CPUs, worked by hand: each of N CPUs sets its own flag once. A
// state is the set of CPUs done, 2^N of them, from each of which every
// CPU not done can step: N·2^(N-1) transitions. With symmetry a class is
// the number of CPUs done: N+1 states, and from the class of k done
// N-k transitions, N(N+1)/2 in all. With 12 and 64 CPUs the permutations
// are built on demand (12! and 64! are too many to build), and
// asymmetricInit checks the initial state with them.
func TestSymmetryManyCPUs(t *testing.T) {
	const src = "cpus %d symmetric;\nint x[cpu];\nthread t on each cpu { x[this_cpu] = 1; }\n"
	tests := []struct {
		n                   int
		noSymmetry          bool
		states, transitions int64
	}{
		{n: 4, states: 5, transitions: 10},
		{n: 4, noSymmetry: true, states: 16, transitions: 32},
		{n: 12, states: 13, transitions: 78},
		{n: 12, noSymmetry: true, states: 4096, transitions: 24576},
		{n: 64, states: 65, transitions: 2080},
	}
	for _, tt := range tests {
		p := load(t, fmt.Sprintf(src, tt.n))
		r := explore.Explore(p, explore.Options{NoSymmetry: tt.noSymmetry})
		if r.Verdict != explore.Verified || r.States != tt.states || r.Transitions != tt.transitions {
			t.Errorf("%d cpus, no symmetry %v: %s, %d states, %d transitions; want verified, %d, %d",
				tt.n, tt.noSymmetry, r.Verdict, r.States, r.Transitions, tt.states, tt.transitions)
		}
	}
	p := load(t, `cpus 12 symmetric; const V = 0x30; handler h { }
		init { request_irq(0, V, h); }
		thread w on each cpu { send_ipi(this_cpu, V); }`)
	if r := explore.Explore(p, explore.Options{}); r.Verdict != explore.Violated || !strings.Contains(r.Violation.Msg, "init is not symmetric") {
		t.Errorf("12 cpus, a handler on cpu 0 only: %s %v, want init is not symmetric", r.Verdict, r.Violation)
	}
}

// A symmetric model's liveness check explores again without the
// reduction, unless the reduced graph (the quotient) has no cycle: then
// no run loops, and there is nothing to check. Without a step back to a
// state of its depth or less there is not even a graph to read back
// (readBack 0); with one (paths of different lengths that meet) the
// recorded quotient is read back and found acyclic. The spinning form
// must still be checked, and found.
func TestSymmetryAcyclic(t *testing.T) {
	tests := []struct {
		name, src string
		acyclic   bool
		readBack  int64 // states of the quotient read back
		verdict   explore.Verdict
	}{
		{"straight", "cpus 6 symmetric;\nint x[cpu];\nthread t on each cpu { x[this_cpu] = 1; }\n", true, 0, explore.Verified},
		// Each thread either does nothing or sets and clears its flag:
		// a CPU is at the either, before the set, before the clear or
		// done (either way), and 2 CPUs up to renaming are the 10
		// multisets of 2 of these 4.
		{"paths that meet", "cpus 2 symmetric;\nint x[cpu];\nthread t on each cpu { either { } or { x[this_cpu] = 1; x[this_cpu] = 0; } }\n", true, 10, explore.Verified},
		{"spin", "cpus 3 symmetric;\nint x[cpu];\nthread t on each cpu { while (x[this_cpu] == 0) { } }\n", false, 0, explore.Violated},
		{"a liveness declaration", "cpus 3 symmetric;\nint x[cpu];\nint n;\nthread t on each cpu { x[this_cpu] = 1; n++; }\nliveness always eventually n == NCPUS;\n", false, 0, explore.Verified},
	}
	for _, tt := range tests {
		r := explore.Explore(load(t, tt.src), explore.Options{})
		if r.Verdict != tt.verdict || r.Liveness == nil || r.Liveness.Acyclic != tt.acyclic {
			t.Errorf("%s: %s, liveness %+v; want %s, acyclic %v", tt.name, r.Verdict, r.Liveness, tt.verdict, tt.acyclic)
			continue
		}
		if tt.acyclic && r.Liveness.States != tt.readBack {
			t.Errorf("%s: the liveness check read back %d states, want %d", tt.name, r.Liveness.States, tt.readBack)
		}
		if tt.acyclic && tt.readBack > 0 && r.Liveness.Bytes == 0 {
			t.Errorf("%s: the figures of the quotient read back give no bytes", tt.name)
		}
		// With the recording let go (as a tight budget would), a
		// search with no edge back still needs nothing read back; one
		// with edges back explores again without symmetry, to the same
		// verdict.
		d := explore.Explore(load(t, tt.src), explore.NoRecording(explore.Options{}))
		wantAcyclic := tt.acyclic && tt.readBack == 0
		if d.Verdict != tt.verdict || d.Liveness == nil || d.Liveness.Acyclic != wantAcyclic {
			t.Errorf("%s, recording let go: %s, liveness %+v; want %s, acyclic %v", tt.name, d.Verdict, d.Liveness, tt.verdict, wantAcyclic)
		}
		// A quotient that would pass the budget stops the check: the
		// machine's graph is larger still.
		if tt.readBack > 0 {
			m := explore.Explore(load(t, tt.src), explore.GraphBudget(explore.Options{}, 1))
			if want := "mem (liveness check; the safety search was complete)"; m.Verdict != explore.Incomplete || m.Limit != want || m.Liveness == nil {
				t.Errorf("%s, quotient over budget: %s, limit %q, liveness %+v; want incomplete, %q, and figures", tt.name, m.Verdict, m.Limit, m.Liveness, want)
			}
		}
	}
}

// Under memory weak a global's base moves and is renamed as the global
// is: here a cpu global that every CPU stores to and loads again, so that
// its base, once an older write is dropped, is a cpu value.
func TestSymmetryCommutesWeakBase(t *testing.T) {
	src := `cpus 3 symmetric; memory weak;
		cpu last;
		thread w on each cpu {
			last = this_cpu;
			smp_mb();
			cpu seen = last;
			last = this_cpu;
		}`
	p := load(t, src)
	l := p.Layout
	checkCommutes(t, src, 3000) // every state: 2,282 without the reduction
	// Some state checked there has a live base holding a cpu value.
	found := false
	for _, s := range reachableStates(t, p, 3000) {
		if s[l.BaseLive] != 0 && s[l.Base] != 0 {
			found = true
			break
		}
	}
	if !found {
		t.Fatal("no state with a cpu value as a live base")
	}
}

// reachableStates returns the first n states of p, breadth first.
func reachableStates(t *testing.T, p *machine.Program, n int) []machine.State {
	t.Helper()
	m := machine.New(p)
	queue, v := m.InitialStates()
	if v != nil {
		t.Fatal(v)
	}
	seen := map[string]bool{}
	var out []machine.State
	for len(queue) > 0 && len(out) < n {
		s := queue[0]
		queue = queue[1:]
		if seen[fmt.Sprint(s)] {
			continue
		}
		seen[fmt.Sprint(s)] = true
		out = append(out, s)
		m.Successors(s, func(sc *machine.Successor) bool {
			if sc.Violation == nil {
				queue = append(queue, slices.Clone(sc.Next))
			}
			return true
		})
	}
	return out
}

// Under memory weak a buffered store carries flags (a barrier follows
// it, or it is a release) that renaming keeps while it moves the store.
func TestSymmetryCommutesWeakFlags(t *testing.T) {
	src := `cpus 2 symmetric; memory weak;
		int data[cpu];
		cpu last;
		thread w on each cpu {
			data[this_cpu] = 1;
			smp_wmb();
			last = this_cpu;
			smp_store_release(data[this_cpu], 2);
			int x = data[this_cpu];
		}`
	buffered, _ := checkCommutes(t, src, 3000)
	if buffered == 0 {
		t.Fatal("no state with a buffered store")
	}
}
