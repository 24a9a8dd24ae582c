package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// check --trail writes the counterexample; sim --replay draws the same
// trace again, lasso marks included, and exits as check did; a model
// that changed under the trail is refused with the step where they part.
func TestTrailReplay(t *testing.T) {
	dir := t.TempDir()
	for _, model := range []string{"../../examples/spinlock_irq_deadlock.irq", "../../examples/msi_naive.irq", "catalog:004_csd_sync_offline_tick"} {
		trail := filepath.Join(dir, "t.trail")
		var out, errOut bytes.Buffer
		if code := run([]string{"check", "--trail", trail, "--width", "80", model}, &out, &errOut); code != exitViolation {
			t.Fatalf("%s: check exit %d: %s", model, code, errOut.String())
		}
		_, checkTrace, _ := strings.Cut(out.String(), "\n\n")
		var rout, rerr bytes.Buffer
		if code := run([]string{"sim", "--replay", trail, "--width", "80", model}, &rout, &rerr); code != exitViolation {
			t.Fatalf("%s: replay exit %d: %s", model, code, rerr.String())
		}
		head, replayTrace, _ := strings.Cut(rout.String(), "\n\n")
		if !strings.HasPrefix(head, "replay of "+trail) || !strings.Contains(head, "violation: ") {
			t.Errorf("%s: replay says %q", model, head)
		}
		if replayTrace != checkTrace {
			t.Errorf("%s: replayed trace differs:\n%s\n--- check drew ---\n%s", model, replayTrace, checkTrace)
		}
	}

	// The same trail on a model whose worker now disables interrupts first.
	trail := filepath.Join(dir, "spin.trail")
	var out, errOut bytes.Buffer
	run([]string{"check", "--trail", trail, "../../examples/spinlock_irq_deadlock.irq"}, &out, &errOut)
	src, err := os.ReadFile("../../examples/spinlock_irq_deadlock.irq")
	if err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(dir, "changed.irq")
	fixed := strings.Replace(string(src), "thread worker on cpu 0 {\n", "thread worker on cpu 0 {\n    irq_disable();\n", 1)
	if err := os.WriteFile(changed, []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errOut.Reset()
	code := run([]string{"sim", "--replay", trail, changed}, &out, &errOut)
	want := `step 1: the trail has "cpu 0: worker: while (xchg(lock, true))", and the model's transition 0 is "cpu 0: worker: irq_disable()": the model changed since the trail was written`
	if code != exitUsage || !strings.Contains(errOut.String(), want) {
		t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut.String(), want)
	}

	// Not a trail.
	bad := filepath.Join(dir, "bad.trail")
	os.WriteFile(bad, []byte("irqcheck trail 9\n"), 0o644)
	errOut.Reset()
	if code := run([]string{"sim", "--replay", bad, changed}, &out, &errOut); code != exitUsage || !strings.Contains(errOut.String(), "this irqcheck reads version 1") {
		t.Errorf("version 9: exit %d, %q", code, errOut.String())
	}
}

// sim -i reads the user's choices: a number takes that transition, a
// wrong answer is said so and asked again, q stops; the run is drawn.
func TestSimInteractive(t *testing.T) {
	stdin = strings.NewReader("1\n0\nx\n0\nq\n")
	defer func() { stdin = os.Stdin }()
	var out, errOut bytes.Buffer
	code := run([]string{"sim", "-i", "--width", "80", "../../examples/msi_naive.irq"}, &out, &errOut)
	s := out.String()
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{
		"step 1: the enabled transitions are\n   0  cpu 0: set_affinity: request_irq(1, NEW, nic)\n   1  device: nic_dev: send_ipi(msg.addr, msg.data)\n",
		`"x" is not one of 0 to 0`,
		"the run so far (3 steps)",
		"  3  nic: handled++",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}
