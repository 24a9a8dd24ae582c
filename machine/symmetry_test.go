package machine_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/machine"
)

// symmetricTestModels are the models of testdata/symmetric, declared
// `cpus 3 symmetric`, and the cross-call family. Between them they put cpu
// and thread values in globals, frames, structs, [cpu] and [thread] arrays
// (in globals and in thread and handler frames, nested), messages in
// flight, migrated threads and distinguished CPUs.
var symmetricTestModels = []string{"cross_calls", "lost_update", "hotplug", "owners", "marked"}

// symmetricTestSource returns the source of a symmetric test model with n
// CPUs.
func symmetricTestSource(t testing.TB, name string, n int) []byte {
	t.Helper()
	file := "../compile/testdata/symmetric/" + name + ".irq"
	if name == "cross_calls" {
		file = "../bench/families/cross_calls.irq"
	}
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return cpusLine.ReplaceAll(src, fmt.Appendf(nil, "cpus %d", n))
}

var cpusLine = regexp.MustCompile(`(?m)^cpus [0-9]+`)

func symmetricTestModel(t testing.TB, name string, n int) *machine.Program {
	t.Helper()
	p, err := compile.Load("test.irq", symmetricTestSource(t, name, n))
	if err != nil {
		t.Fatal(err)
	}
	if p.Symmetry == nil {
		t.Fatal("no symmetry")
	}
	return p
}

// randomStates returns up to n distinct states of p met on random runs
// from its initial states.
func randomStates(t testing.TB, p *machine.Program, n int, seed uint64) []machine.State {
	t.Helper()
	m := machine.New(p)
	inits, v := m.InitialStates()
	if v != nil {
		t.Fatal(v)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	seen := map[string]bool{}
	var out []machine.State
	add := func(s machine.State) {
		if k := fmt.Sprint(s); !seen[k] {
			seen[k] = true
			out = append(out, slices.Clone(s))
		}
	}
	for runs := 0; len(out) < n && runs < 2*n; runs++ {
		s := slices.Clone(inits[rng.IntN(len(inits))])
		add(s)
		for steps := 0; steps < 200 && len(out) < n; steps++ {
			var next []machine.State
			m.Successors(s, func(sc *machine.Successor) bool {
				if sc.Violation == nil {
					next = append(next, slices.Clone(sc.Next))
				}
				return true
			})
			if len(next) == 0 {
				break
			}
			s = next[rng.IntN(len(next))]
			add(s)
		}
	}
	return out
}

// checkCanonical checks that Canonical(s) is a renaming of s and that
// every renaming of s has the same canonical form.
func checkCanonical(t *testing.T, p *machine.Program, s machine.State) bool {
	t.Helper()
	sy := p.Symmetry
	size := len(s)
	canon := make(machine.State, size)
	scratch := make(machine.State, size)
	img := make(machine.State, size)
	other := make(machine.State, size)
	sy.Canonical(s, canon, scratch)
	inOrbit := slices.Equal(canon, s)
	for k := 0; k < sy.Permutations()-1; k++ {
		sy.Apply(k, s, img)
		inOrbit = inOrbit || slices.Equal(canon, img)
		sy.Canonical(img, other, scratch)
		if !slices.Equal(other, canon) {
			t.Errorf("state %v: its image %v under permutation %d has canonical form\n%v, want\n%v", s, img, k, other, canon)
			return false
		}
	}
	if !inOrbit {
		t.Errorf("state %v: canonical form %v is no renaming of it", s, canon)
		return false
	}
	return true
}

// Canonical is a canonical form: it maps every renaming of a state to one
// and the same renaming of it, in each of its modes (see canonicalMode;
// "on demand" is how it works for more than 8 CPUs).
func TestCanonicalInvariant(t *testing.T) {
	for _, mode := range []string{"signatures", "default", "on demand"} {
		for _, name := range symmetricTestModels {
			for n := 2; n <= 5; n++ {
				t.Run(fmt.Sprintf("%s/%s/%d", mode, name, n), func(t *testing.T) {
					defer canonicalMode(mode)()
					p := symmetricTestModel(t, name, n)
					for _, s := range randomStates(t, p, 300, uint64(n)) {
						if !checkCanonical(t, p, s) {
							return
						}
					}
				})
			}
		}
	}
}

// On every reachable state of the 3-CPU models, ordering the CPUs by
// signature gives as many canonical forms as there are classes of
// states, counted with the least renaming of each state; so does it with
// the permutations built on demand. With at most one
// arrangement of tied CPUs tried, the forms are renamings of the states,
// and there are at least as many as classes.
func TestCanonicalCountsClasses(t *testing.T) {
	defer machine.SetMaxLeast(1)()
	for _, mode := range []string{"signatures", "on demand", "one arrangement"} {
		for _, name := range symmetricTestModels {
			t.Run(mode+"/"+name, func(t *testing.T) {
				if mode != "signatures" {
					defer machine.SetMaxEager(1)()
				}
				if mode == "one arrangement" {
					defer machine.SetMaxArrangements(1)()
				}
				countClasses(t, symmetricTestModel(t, name, 3), mode == "one arrangement")
			})
		}
	}
}

func countClasses(t *testing.T, p *machine.Program, atLeast bool) {
	t.Helper()
	states := reachable(t, p, 50000)
	sy := p.Symmetry
	size := p.Layout.Size
	canon := make(machine.State, size)
	scratch := make(machine.State, size)
	img := make(machine.State, size)
	forms, least := map[string]bool{}, map[string]bool{}
	for _, s := range states {
		sy.Canonical(s, canon, scratch)
		forms[fmt.Sprint(canon)] = true
		min := slices.Clone(s)
		renaming := slices.Equal(canon, s)
		for k := 0; k < sy.Permutations()-1; k++ {
			sy.Apply(k, s, img)
			renaming = renaming || slices.Equal(canon, img)
			if slices.Compare(img, min) < 0 {
				copy(min, img)
			}
		}
		if !renaming {
			t.Fatalf("state %v: canonical form %v is no renaming of it", s, canon)
		}
		least[fmt.Sprint(min)] = true
	}
	if len(forms) != len(least) && !(atLeast && len(forms) > len(least)) {
		t.Errorf("%d states: %d canonical forms, %d classes", len(states), len(forms), len(least))
	}
	t.Logf("%d states, %d forms, %d classes", len(states), len(forms), len(least))
}

// Permutations built on demand are those built when the model is
// compiled.
func TestPermutationsOnDemand(t *testing.T) {
	defer machine.SetMaxLeast(1)()
	for _, name := range symmetricTestModels {
		for n := 2; n <= 5; n++ {
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				eager := symmetricTestModel(t, name, n)
				restore := machine.SetMaxEager(1)
				lazy := symmetricTestModel(t, name, n)
				restore()
				size := eager.Layout.Size
				a, b := make(machine.State, size), make(machine.State, size)
				for _, s := range randomStates(t, eager, 200, uint64(n)) {
					for k := 0; k < eager.Symmetry.Permutations()-1; k++ {
						eager.Symmetry.Apply(k, s, a)
						lazy.Symmetry.Apply(k, s, b)
						if !slices.Equal(a, b) {
							t.Fatalf("state %v, permutation %d: built at compile time %v, on demand %v", s, k, a, b)
						}
					}
				}
			})
		}
	}
}

// Closed, which checks only the swaps of neighbouring CPUs, agrees with
// a check of every permutation.
func TestClosed(t *testing.T) {
	for _, name := range symmetricTestModels {
		p := symmetricTestModel(t, name, 4)
		sy := p.Symmetry
		states := randomStates(t, p, 30, 7)
		img := make(machine.State, p.Layout.Size)
		var orbit []machine.State
		for _, s := range states[:3] {
			orbit = append(orbit, s)
			for k := 0; k < sy.Permutations()-1; k++ {
				sy.Apply(k, s, img)
				if !slices.ContainsFunc(orbit, func(o machine.State) bool { return slices.Equal(o, img) }) {
					orbit = append(orbit, slices.Clone(img))
				}
			}
		}
		if !sy.Closed(orbit) {
			t.Errorf("%s: the orbits of 3 states are not closed", name)
		}
		// Take away a state that some renaming moves: no longer closed.
		moved := slices.IndexFunc(orbit, func(s machine.State) bool {
			for k := 0; k < sy.Permutations()-1; k++ {
				if sy.Apply(k, s, img); !slices.Equal(img, s) {
					return true
				}
			}
			return false
		})
		if moved < 0 {
			t.Fatalf("%s: no renaming moves any of the states", name)
		}
		if sy.Closed(slices.Delete(orbit, moved, moved+1)) {
			t.Errorf("%s: the orbits less one state are closed", name)
		}
	}
}

// canonicalMode sets how Canonical works for a test: "signatures" orders
// the CPUs by signature even for 2 or 3 of them, "on demand" also builds
// the permutations as it needs them, "default" leaves both alone. It
// returns a function that restores the defaults.
func canonicalMode(mode string) (restore func()) {
	switch mode {
	case "signatures":
		return machine.SetMaxLeast(1)
	case "on demand":
		r1, r2 := machine.SetMaxLeast(1), machine.SetMaxEager(1)
		return func() { r2(); r1() }
	}
	return func() {}
}

// reachable returns every reachable state of p, failing if there are more
// than max.
func reachable(t *testing.T, p *machine.Program, max int) []machine.State {
	t.Helper()
	m := machine.New(p)
	frontier, v := m.InitialStates()
	if v != nil {
		t.Fatal(v)
	}
	seen := map[string]bool{}
	var all []machine.State
	for _, s := range frontier {
		seen[fmt.Sprint(s)] = true
		all = append(all, s)
	}
	for len(frontier) > 0 {
		var next []machine.State
		for _, s := range frontier {
			m.Successors(s, func(sc *machine.Successor) bool {
				if sc.Violation == nil {
					if k := fmt.Sprint(sc.Next); !seen[k] {
						seen[k] = true
						next = append(next, slices.Clone(sc.Next))
					}
				}
				return true
			})
		}
		all = append(all, next...)
		if len(all) > max {
			t.Fatalf("more than %d states", max)
		}
		frontier = next
	}
	return all
}

// BenchmarkCanonical canonicalises states met on random runs of the
// cross-call model.
func BenchmarkCanonical(b *testing.B) {
	for n := 3; n <= 5; n++ {
		b.Run(fmt.Sprintf("cpus=%d", n), func(b *testing.B) {
			p := symmetricTestModel(b, "cross_calls", n)
			states := randomStates(b, p, 1000, 1)
			canon := make(machine.State, p.Layout.Size)
			scratch := make(machine.State, p.Layout.Size)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				p.Symmetry.Canonical(states[i%len(states)], canon, scratch)
			}
		})
	}
}

// Under memory tso and weak the canonical form is still invariant:
// renamings carry the store buffers and views with their CPUs and rename
// the write history, and the signatures leave them out.
func TestCanonicalInvariantMemory(t *testing.T) {
	for _, mode := range []string{"signatures", "default", "on demand"} {
		for _, name := range []string{"cross_calls", "owners", "buffered"} {
			for n := 2; n <= 4; n++ {
				for _, mem := range []string{"tso", "weak"} {
					t.Run(fmt.Sprintf("%s/%s/%d/%s", mode, name, n, mem), func(t *testing.T) {
						defer canonicalMode(mode)()
						src := cpusLine.ReplaceAllFunc(symmetricTestSource(t, name, n), func(b []byte) []byte {
							return append([]byte("memory "+mem+";\n"), b...)
						})
						p, err := compile.Load("test.irq", src)
						if err != nil {
							t.Fatal(err)
						}
						buffered := 0
						for _, s := range randomStates(t, p, 300, uint64(n)) {
							for c := range p.Layout.CPUs {
								buffered += p.Layout.BufferLen(s, int32(c))
							}
							if !checkCanonical(t, p, s) {
								return
							}
						}
						if buffered == 0 {
							t.Fatal("no buffered store in the states checked")
						}
					})
				}
			}
		}
	}
}
