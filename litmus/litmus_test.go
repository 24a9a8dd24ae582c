package litmus

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
)

var update = flag.Bool("update", false, "rewrite RESULTS.md")

// models are the memory models the tests are run under, as written in
// a model's memory declaration and in the files' headers.
var models = []string{"sc", "tso", "weak"}

var (
	header     = regexp.MustCompile(`(?m)^// (litmus|source|weak source|gap weak|sc|tso|weak): (.*)$`)
	gapLine    = regexp.MustCompile(`^(allowed|forbidden): (.+)$`)
	memoryLine = regexp.MustCompile(`(?m)^memory [a-z]+;$`)
)

// A litmusTest is one file: its name, sources and published outcomes,
// and the outcomes irqcheck is known to differ on.
type litmusTest struct {
	file, name, source, weakSource string
	want                           map[string]string // memory model -> allowed or forbidden
	// gap: memory model -> irqcheck's outcome where it knowingly differs
	// from the published one, and why.
	gap    map[string]string
	gapWhy map[string]string
	src    []byte
}

func load(t *testing.T) []litmusTest {
	t.Helper()
	files, err := filepath.Glob("*.irq")
	if err != nil || len(files) < 20 {
		t.Fatalf("%d litmus tests (%v), want at least 20", len(files), err)
	}
	var tests []litmusTest
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lt := litmusTest{file: f, src: src, want: map[string]string{}, gap: map[string]string{}, gapWhy: map[string]string{}}
		for _, m := range header.FindAllSubmatch(src, -1) {
			switch k, v := string(m[1]), string(m[2]); k {
			case "litmus":
				lt.name = v
			case "source":
				lt.source = v
			case "weak source":
				lt.weakSource = v
			case "gap weak":
				g := gapLine.FindStringSubmatch(v)
				if g == nil {
					t.Fatalf("%s: gap weak: %q, want allowed or forbidden, a colon and why", f, v)
				}
				lt.gap["weak"], lt.gapWhy["weak"] = g[1], g[2]
			default:
				if v != "allowed" && v != "forbidden" {
					t.Fatalf("%s: %s: %q, want allowed or forbidden", f, k, v)
				}
				lt.want[k] = v
			}
		}
		if lt.name == "" || lt.source == "" || lt.weakSource == "" || len(lt.want) != len(models) || !memoryLine.Match(src) {
			t.Fatalf("%s: want litmus, source, weak source, %v lines and a memory declaration", f, models)
		}
		for m, g := range lt.gap {
			if g == lt.want[m] {
				t.Fatalf("%s: gap %s: %s is the published outcome, not a gap", f, m, g)
			}
		}
		tests = append(tests, lt)
	}
	return tests
}

// TestLitmus checks that irqcheck allows exactly the published outcomes,
// under every memory model, except where a file declares a gap: a
// behaviour the model knowingly leaves out (the README says which), whose
// outcome the test checks too, so that closing a gap shows. RESULTS.md is
// the table of them.
func TestLitmus(t *testing.T) {
	var table strings.Builder
	fmt.Fprintf(&table, "# Litmus tests\n\nMade by `go test ./litmus -update`. Each outcome is the published one, and irqcheck's agrees (the test fails otherwise) except where marked \"irqcheck:\", a behaviour the weak model knowingly leaves out (see the notes under the table); states are those irqcheck explores. The weak column is ARMv8 and RISC-V (RVWMO), which agree on every test here but MP+rel+po+acq, which RISC-V's fence-based release forbids and ARMv8 allows (irqcheck allows it: sound for both).\n\n")
	fmt.Fprintf(&table, "| test | %s | source | source (weak) |\n|---|%s---|---|\n", strings.Join(mapStrings(models, func(m string) string { return m + " | states (" + m + ")" }), " | "), strings.Repeat("---|---:|", len(models)))
	var gaps []string
	for _, lt := range load(t) {
		row := []string{lt.name}
		for _, m := range models {
			src := memoryLine.ReplaceAll(lt.src, []byte("memory "+m+";"))
			p, err := compile.Load(lt.file, src)
			if err != nil {
				t.Fatalf("%s: %v", lt.file, err)
			}
			r := explore.Explore(p, explore.Options{SafetyOnly: true})
			got := "forbidden"
			switch {
			case r.Verdict == explore.Violated && r.Violation.Kind == "final":
				got = "allowed"
			case r.Verdict != explore.Verified:
				t.Errorf("%s under %s: %s, want a verdict on the outcome", lt.file, m, r.Outcome())
				continue
			}
			if r.StoreBufferFull {
				t.Errorf("%s under %s: a store buffer filled up", lt.file, m)
			}
			shown := got
			if g, ok := lt.gap[m]; ok {
				if got != g {
					t.Errorf("%s under %s: the outcome is %s, but the file declares the gap %s (published %s): a closed gap is news, update the file", lt.file, m, got, g, lt.want[m])
				}
				shown = fmt.Sprintf("%s (irqcheck: %s)", lt.want[m], got)
				gaps = append(gaps, fmt.Sprintf("- %s under %s: published %s, irqcheck %s: %s.", lt.name, m, lt.want[m], got, lt.gapWhy[m]))
			} else if got != lt.want[m] {
				t.Errorf("%s under %s: the outcome is %s, published %s", lt.file, m, got, lt.want[m])
			}
			row = append(row, shown, fmt.Sprint(r.States))
		}
		row = append(row, lt.source, lt.weakSource)
		fmt.Fprintf(&table, "| %s |\n", strings.Join(row, " | "))
	}
	if len(gaps) > 0 {
		fmt.Fprintf(&table, "\nWhere irqcheck differs:\n\n%s\n", strings.Join(gaps, "\n"))
	}
	if *update {
		if err := os.WriteFile("RESULTS.md", []byte(table.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile("RESULTS.md")
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != table.String() {
		t.Errorf("RESULTS.md differs (run go test ./litmus -update after checking):\n%s", table.String())
	}
}

func mapStrings(xs []string, f func(string) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}
