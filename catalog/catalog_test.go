package catalog_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/irqcheck/irqcheck/catalog"
	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/report"
)

var update = flag.Bool("update", false, "rewrite the golden counterexamples")

var timing = regexp.MustCompile(`[0-9]+\.[0-9]+s, [0-9]+ states/s`)

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
			r := explore.Explore(p, explore.Options{MaxStates: 5_000_000})
			if r.Violation != nil {
				explore.Blame(p, r.Violation, r.Trace)
			}
			if got := r.Outcome(); got != m.Expect {
				t.Fatalf("verdict %q, header expects %q", got, m.Expect)
			}
			var b bytes.Buffer
			report.Text(&b, p, r)
			got := timing.ReplaceAllString(b.String(), "T s, R states/s")
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

func TestLookupAndHeader(t *testing.T) {
	m, ok := catalog.Lookup("catalog:003_msi_naive")
	if !ok {
		t.Fatal("catalog:003_msi_naive not found")
	}
	if m.Seed != "003_2f03a3db5f8f30cf.txt" || m.Expect != "violation spurious" {
		t.Errorf("header parsed as seed %q expect %q", m.Seed, m.Expect)
	}
	if _, ok := catalog.Lookup("no_such_model"); ok {
		t.Error("found a model that does not exist")
	}
	src, err := m.WithCPUs(3)
	if err != nil || !bytes.Contains(src, []byte("\ncpus 3;")) {
		t.Errorf("WithCPUs(3): %v\n%s", err, src)
	}
}
