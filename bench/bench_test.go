package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/irqcheck/irqcheck/explore"
)

// BenchmarkCatalog checks every catalog model and its 3- and 4-CPU
// variants, reporting states, transitions, states/s, bytes per stored
// state and peak storage. Run: go test -run '^$' -bench . -benchtime 1x ./bench
func BenchmarkCatalog(b *testing.B) {
	cases, err := Cases(4)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range cases {
		b.Run(c.Name, func(b *testing.B) {
			var f Figures
			for i := 0; i < b.N; i++ {
				f, err = Run(c, explore.Options{Time: 5 * time.Minute, Workers: 1})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(f.States), "states")
			b.ReportMetric(float64(f.Transitions), "transitions")
			b.ReportMetric(f.StatesPerSec, "states/s")
			b.ReportMetric(f.BytesPerState, "B/state")
			b.ReportMetric(f.PeakMB, "peak-MB")
		})
	}
}

// TestCasesExpected keeps the scaling families honest: every variant of a
// verified model stays verified (small ones only, to keep go test fast).
func TestCasesExpected(t *testing.T) {
	cases, err := Cases(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range cases {
		if c.CPUs == 0 || strings.HasPrefix(c.Name, "family/") && c.CPUs > 3 {
			continue // the catalog's own tests check these; big families are for -bench
		}
		f, err := Run(c, explore.Options{MaxStates: 2_000_000, Workers: 1})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if f.Verdict != "verified" && f.Verdict != "incomplete max-states" {
			t.Errorf("%s: %s", c.Name, f.Verdict)
		}
	}
}
