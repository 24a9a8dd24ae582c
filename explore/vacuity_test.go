package explore_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
)

// What a verified search never reached is reported, and nothing else.
func TestUnreached(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // "line N", "handler NAME", "vector 0xNN", "finals", or a liveness trigger
	}{
		{"everything reached", `cpus 1; int x; thread t on cpu 0 { x = 1; if (x == 1) { x = 2; } } final x == 2;`, nil},
		{"an assert behind a flag nobody sets",
			"cpus 1; bool f; int x;\nthread t on cpu 0 {\n  x = 1;\n  if (f) {\n    assert x == 2;\n  }\n}",
			[]string{"line 5"}},
		{"a handler whose vector is never sent",
			"cpus 1; const V = 0x40; int n;\nhandler h {\n  n++;\n}\ninit { request_irq(0, V, h); }\nthread t on cpu 0 { n = 0; }",
			[]string{"handler h", "vector 0x40"}},
		{"a final never evaluated: the only thread runs for ever",
			"cpus 1; bool x;\nforever thread t on cpu 0 { while (true) { x = !x; } }\nfinal x;",
			[]string{"finals"}},
		{"the else of a test that always holds",
			"cpus 1; int x;\nthread t on cpu 0 {\n  if (x == 0)\n    x = 1;\n  else\n    x = 2;\n}",
			[]string{"line 6"}},
		{"a liveness trigger that never holds",
			"cpus 1; int[0..3] x;\nthread t on cpu 0 { x = 1; }\nliveness never: x == 3 ~> x == 0;",
			[]string{"liveness never"}},
		{"copies of a thread on each cpu: a statement reached by one copy is reached",
			"cpus 2; bool x[cpu];\nthread t on each cpu {\n  if (this_cpu == 1)\n    x[this_cpu] = true;\n}",
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := explore.Explore(load(t, tt.src), explore.Options{})
			if r.Verdict != explore.Verified {
				t.Fatalf("%s: %v", r.Outcome(), r.Violation)
			}
			u := r.Unreached
			got := u.Items()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("unreached (-want +got):\n%s", diff)
			}
			if u.Empty() != (len(tt.want) == 0) {
				t.Errorf("Empty() = %v", u.Empty())
			}
		})
	}
}

// A cover that no reachable state satisfies fails the run; one that is
// reached is reported with the length of the shortest run to it, and
// that run when witnesses are asked for.
func TestCover(t *testing.T) {
	src := `cpus 2; int x; bool y;
		thread a on cpu 0 { x = 1; x = 2; x = 3; }
		thread b on cpu 1 { y = true; }
		cover three: x == 3;
		cover both: x == 1 && y;`
	r := explore.Explore(load(t, src), explore.Options{Witnesses: true})
	if r.Verdict != explore.Verified {
		t.Fatalf("%s: %v", r.Outcome(), r.Violation)
	}
	want := map[string]int{"three": 3, "both": 2}
	for _, c := range r.Covers {
		if !c.Reached || c.Depth != want[c.Cover.Name] || c.Trace == nil || len(c.Trace.Steps) != c.Depth {
			t.Errorf("cover %s: reached %v in %d steps, trace %v; want %d", c.Cover.Name, c.Reached, c.Depth, c.Trace, want[c.Cover.Name])
		}
	}

	r = explore.Explore(load(t, src+" cover never: x == 4;"), explore.Options{})
	if r.Verdict != explore.Violated || r.Violation.Kind != machine.Cover || r.Violation.Pos.Line != 5 {
		t.Fatalf("got %s %v, want a cover violation at line 5", r.Outcome(), r.Violation)
	}
	if r.Violation.Msg != "cover never: x == 4 holds in no reachable state" {
		t.Errorf("message %q", r.Violation.Msg)
	}
}
