package explore_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
)

// State counts worked out by hand. After its assertion, t's local a is
// read no more: the three states that differ only in a are one.
// Choose (3 states), assert (1 state with a reset, 3 without), g = 1 and
// the end (1): 6 states and 7 transitions, or 8 and 9 keeping dead
// values.
func TestDeadLocalsByHand(t *testing.T) {
	const src = `cpus 1; int g;
		thread t on cpu 0 { int a; choose a in 0..2; assert a < 3; g = 1; }`
	for _, tc := range []struct {
		keep                bool
		states, transitions int64
	}{{false, 6, 7}, {true, 8, 9}} {
		p := load(t, src)
		p.KeepDeadLocals = tc.keep
		r := explore.Explore(p, explore.Options{SafetyOnly: true, NoPOR: true})
		if r.Verdict != explore.Verified || r.States != tc.states || r.Transitions != tc.transitions {
			t.Errorf("keeping dead locals %v: %s, %d states, %d transitions; want verified, %d, %d",
				tc.keep, r.Verdict, r.States, r.Transitions, tc.states, tc.transitions)
		}
	}
}

// compareDead checks p with dead locals reset and kept: the reset merges
// states that have the same futures, so the verdict, the kind of
// violation and the depth of a safety violation are the same, and what a
// verified check never reached too. It reports whether the reset removed
// states.
func compareDead(t *testing.T, src string, opt explore.Options) bool {
	t.Helper()
	p := load(t, src)
	q := load(t, src)
	q.KeepDeadLocals = true
	opt.MaxStates = 1_000_000
	reset, kept := explore.Explore(p, opt), explore.Explore(q, opt)
	if kept.Verdict == explore.Incomplete {
		t.Skipf("too large: %d states", kept.States)
	}
	if got, want := porOutcome(reset), porOutcome(kept); got != want {
		if !bothLiveness(reset, kept) {
			t.Fatalf("dead locals reset: %s; kept: %s (%v)", got, want, kept.Violation)
		}
		p, q = load(t, withoutDecls(src)), load(t, withoutDecls(src))
		q.KeepDeadLocals = true
		if got, want := porOutcome(explore.Explore(p, opt)), porOutcome(explore.Explore(q, opt)); got != want {
			t.Fatalf("without the liveness declarations, dead locals reset: %s; kept: %s", got, want)
		}
	}
	if reset.Violation != nil && reset.Loop < 0 && reset.Depth != kept.Depth {
		t.Errorf("dead locals reset: a violation at depth %d; kept: at depth %d", reset.Depth, kept.Depth)
	}
	if kept.Verdict == explore.Verified {
		if got, want := strings.Join(reset.Unreached.Items(), ", "), strings.Join(kept.Unreached.Items(), ", "); got != want {
			t.Errorf("unreached with dead locals reset: %q; kept: %q", got, want)
		}
		if reset.States > kept.States {
			t.Errorf("the reset stored %d states, more than the %d without", reset.States, kept.States)
		}
	}
	return kept.Verdict == explore.Verified && reset.States < kept.States
}

// Every catalog model, scaled model and family gives the same verdict
// with dead locals reset and kept, safety alone and with the liveness
// check.
func TestDeadLocalsSameVerdict(t *testing.T) {
	reduced := 0
	for _, m := range differentialModels(t) {
		t.Run(m.name, func(t *testing.T) {
			if compareDead(t, m.src, explore.Options{SafetyOnly: true, NoPOR: true}) {
				reduced++
			}
			compareDead(t, m.src, explore.Options{})
		})
	}
	if reduced == 0 {
		t.Error("the reset removed states from no model: the test shows nothing")
	}
}

// Random small models (the partial-order reduction's, whose threads
// write locals in every way the language has: assignments, choose,
// fn returns and parameters, a built-in writing its argument, array
// elements) give the same verdicts with dead locals reset and kept.
func TestDeadLocalsRandomModels(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 80
	}
	r := rand.New(rand.NewPCG(17, 3))
	reduced := 0
	for i := range n {
		for f, src := range randomModel(r) {
			if _, err := compile.Load("random.irq", []byte(src)); err != nil {
				t.Fatalf("model %d does not compile: %v\n%s", i, err, src)
			}
			ok := t.Run(fmt.Sprintf("%d/%d", i, f), func(t *testing.T) {
				opt := explore.Options{SafetyOnly: f != 3, NoPOR: true}
				if compareDead(t, src, opt) {
					reduced++
				}
			})
			if !ok {
				t.Logf("model %d, form %d:\n%s", i, f, src)
			}
		}
	}
	t.Logf("%d models in 4 forms: the reset removed states from %d", n, reduced)
	if reduced < n/5 {
		t.Errorf("the reset removed states from %d of %d forms: the test shows too little", reduced, 4*n)
	}
}

// A trace shows what a step wrote into a local that nothing reads again
// (a failed try_cmpxchg writes what it found into its second argument),
// though the state keeps zero there.
func TestDeadWriteInTrace(t *testing.T) {
	p := load(t, `cpus 1; int g = 5; bool failed;
		thread t on cpu 0 { int seen; failed = !try_cmpxchg(g, seen, 1); g = 2; }
		final !failed;`)
	r := explore.Explore(p, explore.Options{})
	if r.Violation == nil || r.Violation.Kind != machine.Final || len(r.Trace.Steps) != 2 {
		t.Fatalf("%s %v, want a final violation after two steps", r.Verdict, r.Violation)
	}
	st := r.Trace.Steps[0]
	slot := p.Layout.Threads[0].Frame
	if len(st.Dead) != 1 || st.Dead[0].Slot != slot || st.Dead[0].Value != 5 || st.State[slot] != 0 {
		t.Errorf("step writes %+v into dead locals and leaves %d in seen; want seen = 5 written, 0 kept", st.Dead, st.State[slot])
	}
}
