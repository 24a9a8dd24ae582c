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
var models = []string{"sc", "tso"}

var (
	header     = regexp.MustCompile(`(?m)^// (litmus|source|sc|tso): (.*)$`)
	memoryLine = regexp.MustCompile(`(?m)^memory [a-z]+;$`)
)

// A litmusTest is one file: its name, source and published outcomes.
type litmusTest struct {
	file, name, source string
	want               map[string]string // memory model -> allowed or forbidden
	src                []byte
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
		lt := litmusTest{file: f, src: src, want: map[string]string{}}
		for _, m := range header.FindAllSubmatch(src, -1) {
			switch k, v := string(m[1]), string(m[2]); k {
			case "litmus":
				lt.name = v
			case "source":
				lt.source = v
			default:
				if v != "allowed" && v != "forbidden" {
					t.Fatalf("%s: %s: %q, want allowed or forbidden", f, k, v)
				}
				lt.want[k] = v
			}
		}
		if lt.name == "" || lt.source == "" || len(lt.want) != len(models) || !memoryLine.Match(src) {
			t.Fatalf("%s: want litmus, source, %v lines and a memory declaration", f, models)
		}
		tests = append(tests, lt)
	}
	return tests
}

// TestLitmus checks that irqcheck allows exactly the published outcomes,
// under every memory model, and that RESULTS.md is the table of them.
func TestLitmus(t *testing.T) {
	var table strings.Builder
	fmt.Fprintf(&table, "# Litmus tests\n\nMade by `go test ./litmus -update`. Each outcome is the published one, and irqcheck's agrees (the test fails otherwise); states are those irqcheck explores.\n\n")
	fmt.Fprintf(&table, "| test | %s | source |\n|---|%s---|\n", strings.Join(mapStrings(models, func(m string) string { return m + " | states (" + m + ")" }), " | "), strings.Repeat("---|---:|", len(models)))
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
			if got != lt.want[m] {
				t.Errorf("%s under %s: the outcome is %s, published %s", lt.file, m, got, lt.want[m])
			}
			row = append(row, got, fmt.Sprint(r.States))
		}
		row = append(row, lt.source)
		fmt.Fprintf(&table, "| %s |\n", strings.Join(row, " | "))
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
