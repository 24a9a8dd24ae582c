package catalog_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/irqcheck/irqcheck/catalog"
	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
	"github.com/irqcheck/irqcheck/report"
)

var update = flag.Bool("update", false, "rewrite the golden counterexamples")

var timing = regexp.MustCompile(`[0-9]+\.[0-9]+s, [0-9]+ states/s(, [0-9.]+ B/state in the store)?(, peak RSS [0-9.]+ MB)?`)

// liveTiming matches the same in the liveness check's figures.
var liveTiming = regexp.MustCompile(`(liveness: states [0-9]+, edges [0-9]+), [0-9]+\.[0-9]+s, [0-9.]+ MB`)

// Every catalog model gives the verdict its header promises, and its
// report (with the counterexample, for a violation) matches the reviewed
// golden file testdata/NAME.golden.
func TestCatalog(t *testing.T) {
	models := catalog.All()
	if len(models) == 0 {
		t.Fatal("empty catalog")
	}
	for _, m := range models {
		t.Run(m.Name, func(t *testing.T) {
			p, err := compile.Load(m.Filename(), m.Source)
			if err != nil {
				t.Fatal(err)
			}
			// Same model, same answer: the report is the same with 1, 2 and
			// 4 workers, counts, verdict and trace alike.
			var reports [3]string
			for i, w := range []int{1, 2, 4} {
				reports[i] = catalogReport(t, p, m, w)
			}
			for i, w := range []int{2, 4} {
				if reports[i+1] != reports[0] {
					t.Fatalf("the report with %d workers differs from one worker's:\n--- %d ---\n%s\n--- 1 ---\n%s", w, w, reports[i+1], reports[0])
				}
			}
			got := reports[0]
			golden := filepath.Join("testdata", m.Name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update after reading the trace)", err)
			}
			if got != string(want) {
				t.Errorf("report differs from %s:\n--- got ---\n%s\n--- want ---\n%s", golden, got, want)
			}
		})
	}
}

// Verified models marked cpus3: yes stay verified with three CPUs.
func TestCatalogThreeCPUs(t *testing.T) {
	if testing.Short() {
		t.Skip("3-CPU runs are slower")
	}
	for _, m := range catalog.All() {
		if v, _ := m.ExpectVerdict(); v != "verified" || !m.CPUs3 {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			src, err := m.WithCPUs(3)
			if err != nil {
				t.Fatal(err)
			}
			p, err := compile.Load(m.Filename(), src)
			if err != nil {
				t.Fatal(err)
			}
			r := explore.Explore(p, explore.Options{MaxStates: 20_000_000})
			if r.Verdict != explore.Verified {
				t.Fatalf("with 3 cpus: %s %v", r.Verdict, r.Violation)
			}
		})
	}
}

// Every model with a symmetric header line is checked, as written and
// with 3 to 5 CPUs, under that symmetric declaration with and without
// symmetry reduction. The verdict, the violation (kind, position and
// message) and the trace must be the same either way, and the reduced run
// may store no more states. The trace of a symmetric run is a real run,
// replayed from an initial state: it must name the same CPUs as the trace
// found without reduction, which today is the very same run (breadth
// first, the first real state of each class is kept).
func TestCatalogSymmetry(t *testing.T) {
	var models, reduced int
	for _, m := range catalog.All() {
		if m.Symmetric == "" {
			continue
		}
		models++
		for _, n := range []int{2, 3, 4, 5} {
			t.Run(fmt.Sprintf("%s/cpus%d", m.Name, n), func(t *testing.T) {
				src, err := m.SymmetricCPUs(n)
				if err != nil {
					t.Fatal(err)
				}
				sym, symReport := checkCatalogSource(t, m, src, false)
				plain, plainReport := checkCatalogSource(t, m, src, true)
				if got := sym.Outcome(); got != plain.Outcome() || got != m.Expect {
					t.Fatalf("with symmetry %q, without %q, header expects %q", got, plain.Outcome(), m.Expect)
				}
				if sym.Depth != plain.Depth {
					t.Errorf("depth %d with symmetry, %d without", sym.Depth, plain.Depth)
				}
				if symReport != plainReport {
					t.Errorf("report with symmetry differs:\n--- symmetry ---\n%s\n--- no symmetry ---\n%s", symReport, plainReport)
				}
				if sym.States > plain.States {
					t.Errorf("symmetry stored %d states, more than the %d without", sym.States, plain.States)
				}
				if sym.States < plain.States {
					reduced++
				}
				t.Logf("%s: %d states with symmetry, %d without", sym.Outcome(), sym.States, plain.States)
			})
		}
	}
	if models == 0 || reduced == 0 {
		t.Errorf("%d models have a symmetric line and symmetry reduced %d of their runs: the test shows nothing", models, reduced)
	}
}

// checkCatalogSource explores a catalog model's (rewritten) source, which
// must be declared symmetric, and returns the result and its report
// without the figures line.
func checkCatalogSource(t *testing.T, m *catalog.Model, src []byte, noSymmetry bool) (*explore.Result, string) {
	t.Helper()
	p, err := compile.Load(m.Filename(), src)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Symmetric {
		t.Fatalf("%s is not declared symmetric", firstLine(src, "cpus "))
	}
	r := explore.Explore(p, explore.Options{MaxStates: 1_000_000, NoSymmetry: noSymmetry})
	if r.Violation != nil {
		explore.Blame(p, r.Violation, r.Trace)
	}
	var b strings.Builder
	b.WriteString(report.VerdictLine(r) + "\n")
	if r.Trace != nil {
		report.Columns(&b, p, r.Trace, report.DefaultWidth)
	}
	return r, b.String()
}

// firstLine returns the first line of src that begins with prefix.
func firstLine(src []byte, prefix string) string {
	for line := range strings.SplitSeq(string(src), "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}

func TestLookupAndHeader(t *testing.T) {
	m, ok := catalog.Lookup("catalog:003_msi_naive")
	if !ok {
		t.Fatal("catalog:003_msi_naive not found")
	}
	if m.Seed != "003_2f03a3db5f8f30cf.txt" || m.Expect != "violation spurious" || m.Symmetric != "symmetric except 0, 1" {
		t.Errorf("header parsed as seed %q expect %q symmetric %q", m.Seed, m.Expect, m.Symmetric)
	}
	if _, ok := catalog.Lookup("no_such_model"); ok {
		t.Error("found a model that does not exist")
	}
}

func TestParse(t *testing.T) {
	const head = "// seed: s\n// title: t\n// expect: verified\n"
	tests := []struct {
		header, symmetric, err string
	}{
		{"", "", ""},
		{"// symmetric: all\n", "symmetric", ""},
		{"// symmetric: except 0,  1\n", "symmetric except 0, 1", ""},
		{"// symmetric: except 0, NCPUS - 1\n", "symmetric except 0, NCPUS - 1", ""},
		{"// symmetric: yes\n", "", `symmetric must be "all" or "except C, ...", not "yes"`},
		{"// symmetric: except\n", "", `symmetric must be "all" or "except C, ...", not "except"`},
	}
	for _, tt := range tests {
		m, err := catalog.Parse("m", []byte(head+tt.header+"cpus 2;\n"))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.header, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.header, err)
			continue
		}
		if m.Symmetric != tt.symmetric {
			t.Errorf("%q: Symmetric %q, want %q", tt.header, m.Symmetric, tt.symmetric)
		}
	}
	if _, err := catalog.Parse("m", []byte("// seed: s\n// expect: verified\ncpus 2;\n")); err == nil {
		t.Error("a header without a title was accepted")
	}
}

func TestRewriteCPUs(t *testing.T) {
	const head = "// seed: s\n// title: t\n// expect: verified\n"
	tests := []struct {
		header, cpus string
		symmetric    bool // SymmetricCPUs rather than WithCPUs
		n            int
		want, err    string
	}{
		{"", "cpus 2;", false, 3, "cpus 3;", ""},
		{"", "cpus 2 ;", false, 4, "cpus 4;", ""},
		{"", "cpus 3 symmetric;", false, 5, "cpus 5 symmetric;", ""},
		{"", "cpus 3 symmetric except 0, 2;", false, 4, "cpus 4 symmetric except 0, 2;", ""},
		{"// symmetric: except 0, 1\n", "cpus 2;", false, 4, "cpus 4;", ""},
		{"// symmetric: except 0, 1\n", "cpus 2;", true, 4, "cpus 4 symmetric except 0, 1;", ""},
		{"// symmetric: all\n", "cpus 2;", true, 3, "cpus 3 symmetric;", ""},
		{"", "cpus 2;", true, 3, "", "has no symmetric header line"},
		{"", "", false, 3, "", "has no cpus line"},
	}
	for _, tt := range tests {
		m, err := catalog.Parse("m", []byte(head+tt.header+tt.cpus+"\nint x;\n"))
		if err != nil {
			t.Fatal(err)
		}
		rewrite := m.WithCPUs
		if tt.symmetric {
			rewrite = m.SymmetricCPUs
		}
		src, err := rewrite(tt.n)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q, %q, %d: error %v, want %q", tt.header, tt.cpus, tt.n, err, tt.err)
			}
			continue
		}
		want := head + tt.header + tt.want + "\nint x;\n"
		if err != nil || string(src) != want {
			t.Errorf("%q, %q, %d: got %q, %v; want %q", tt.header, tt.cpus, tt.n, src, err, want)
		}
	}
}

func TestHeaderValue(t *testing.T) {
	src := []byte("// seed: x\n//  scales :  002_ct_packed \ncpus 2;\n// after: no\n")
	for key, want := range map[string]string{"scales": "002_ct_packed", "seed": "x", "after": "", "missing": ""} {
		if got := catalog.HeaderValue(src, key); got != want {
			t.Errorf("HeaderValue(%q) = %q, want %q", key, got, want)
		}
	}
}

// catalogReport checks m with the given number of workers against its
// header and returns its report, its timing figures masked.
func catalogReport(t *testing.T, p *machine.Program, m *catalog.Model, workers int) string {
	t.Helper()
	r := explore.Explore(p, explore.Options{MaxStates: 5_000_000, Workers: workers})
	if r.Violation != nil {
		explore.Blame(p, r.Violation, r.Trace)
	}
	if got := r.Outcome(); got != m.Expect {
		t.Fatalf("verdict %q, header expects %q", got, m.Expect)
	}
	if got, want := r.Unreached.Items(), m.UnreachedKeys(); !slices.Equal(got, want) {
		t.Errorf("never reached: %q; the header's unreached lines explain %q", got, want)
	}
	var b bytes.Buffer
	report.Text(&b, p, r, report.DefaultWidth)
	// The trace fits a mail: every line of it within 80 columns.
	if _, trace, ok := strings.Cut(b.String(), "\n\n"); ok && r.Trace != nil {
		trace, _, _ = strings.Cut(trace, "never reached")
		for _, line := range strings.Split(trace, "\n") {
			if n := utf8.RuneCountInString(line); n > report.DefaultWidth {
				t.Errorf("trace line of %d columns: %q", n, line)
			}
		}
	}
	return liveTiming.ReplaceAllString(timing.ReplaceAllString(b.String(), "T s, R states/s"), "$1, T s")
}

// The README's catalog table gives each model's verdict, states and trace
// length, and the states with three CPUs, as irqcheck demo --cpus3 prints
// them: every row must still be true, and every model must have a row.
func TestCatalogTableInREADME(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rowRE := regexp.MustCompile("(?m)^\\| `([0-9a-z_]+)` \\| [0-9]+ \\| .* \\| ([a-z ]+) \\| ([0-9]+) \\| [^|]+ \\| ([0-9]+|-) \\| ([0-9]+|-) \\| [^|]+ \\|$")
	rows := map[string][]string{}
	for _, m := range rowRE.FindAllStringSubmatch(string(readme), -1) {
		if _, dup := rows[m[1]]; dup {
			t.Errorf("two rows for %s", m[1])
		}
		if _, ok := catalog.Lookup(m[1]); !ok {
			t.Errorf("a row for %s, which is not in the catalog", m[1])
		}
		rows[m[1]] = m[2:]
	}
	for _, m := range catalog.All() {
		t.Run(m.Name, func(t *testing.T) {
			row, ok := rows[m.Name]
			if !ok {
				t.Fatal("no row in the README's catalog table")
			}
			p, err := compile.Load(m.Filename(), m.Source)
			if err != nil {
				t.Fatal(err)
			}
			r := explore.Explore(p, explore.Options{})
			trace := "-"
			if r.Trace != nil {
				trace = fmt.Sprint(len(r.Trace.Steps))
			}
			three := "-"
			if v, _ := m.ExpectVerdict(); v == "verified" && m.CPUs3 {
				src, err := m.WithCPUs(3)
				if err != nil {
					t.Fatal(err)
				}
				p3, err := compile.Load(m.Filename(), src)
				if err != nil {
					t.Fatal(err)
				}
				three = fmt.Sprint(explore.Explore(p3, explore.Options{}).States)
			}
			got := []string{r.Outcome(), fmt.Sprint(r.States), trace, three}
			if !slices.Equal(got, row) {
				t.Errorf("README says %q (verdict, states, trace, states with 3 cpus); irqcheck demo --cpus3 gives %q", row, got)
			}
		})
	}
}
