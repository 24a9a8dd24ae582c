package explore_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/irqcheck/irqcheck/explore"
)

// A trail written is read back the same, and bad trails are refused
// with the line at fault.
func TestTrailFormat(t *testing.T) {
	p := load(t, `cpus 2; int x; thread a on cpu 0 { x = 1; } thread b on cpu 1 { assert x == 0; }`)
	r := explore.Explore(p, explore.Options{})
	if r.Trace == nil || len(r.Trace.Steps) == 0 {
		t.Fatalf("no trace: %s", r.Outcome())
	}
	tr := explore.NewTrail(p, r.Trace, "violation: assertion", -1)
	var b bytes.Buffer
	if err := tr.Write(&b); err != nil {
		t.Fatal(err)
	}
	got, err := explore.ReadTrail(&b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tr, got); diff != "" {
		t.Errorf("read back (-wrote +read):\n%s", diff)
	}
	run, err := got.Replay(p)
	if err != nil || run.Violation == nil || len(run.Trace.Steps) != len(r.Trace.Steps) {
		t.Errorf("replay: %v, %v", err, run)
	}

	for _, tc := range []struct{ in, err string }{
		{"", "empty trail"},
		{"hello\n", `line 1: not an irqcheck trail (it begins "hello")`},
		{"irqcheck trail 2\n", "line 1: trail format \"2\"; this irqcheck reads version 1"},
		{"irqcheck trail 1\ncolour: blue\n", `line 2: unknown field "colour"`},
		{"irqcheck trail 1\ninit: one\n", "line 2: init: "},
		{"irqcheck trail 1\n2 0 cpu 0: x\n", "line 2: expected step 1: NUMBER TRANSITION TEXT"},
		{"irqcheck trail 1\nloop: 3\n1 0 cpu 0: x\n", "loop: step 3 of 1"},
	} {
		_, err := explore.ReadTrail(strings.NewReader(tc.in))
		if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
			t.Errorf("ReadTrail(%q) = %v, want %q", tc.in, err, tc.err)
		}
	}
}
