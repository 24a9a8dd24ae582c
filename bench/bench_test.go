package bench

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/irqcheck/irqcheck/catalog"
	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
)

// BenchmarkCatalog checks every catalog model, its 3- and 4-CPU variants,
// the scaled models and the families, reporting states, transitions, states/s, bytes per stored
// state and peak storage, and the time and bytes per state of the liveness check. Run: go test -run '^$' -bench . -benchtime 1x ./bench
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
			b.ReportMetric(f.LiveSeconds, "liveness-s")
			b.ReportMetric(f.LiveBytesPerState, "liveness-B/state")
		})
	}
}

// TestCases checks that every case gives the verdict its model promises:
// the header's for the catalog as written and for the scaled models,
// verified for the variants of verified models and for the families.
// Cases with more than maxStates states (300,000 with -short, a million
// otherwise) and the 5-CPU families are left to the benchmarks.
func TestCases(t *testing.T) {
	cases, err := Cases(4)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	maxStates := int64(1_000_000)
	if testing.Short() {
		maxStates = 300_000
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if c.CPUs > 4 {
				t.Skip("5-CPU families are for -bench")
			}
			f, err := Run(c, explore.Options{MaxStates: maxStates, Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if f.Verdict == "incomplete max-states" {
				t.Skipf("more than %d states: left to -bench (or go test without -short)", maxStates)
			}
			if f.Verdict != c.Model.Expect {
				t.Errorf("%s, expected %s (%d states)", f.Verdict, c.Model.Expect, f.States)
			}
		})
	}
}

// Same model, same answer: every case of at most maxStates states (50,000
// with -short, 600,000 otherwise) gives the same verdict, state and
// transition counts, depth and liveness graph with 1, 2 and 4 workers.
func TestCasesWorkers(t *testing.T) {
	cases, err := Cases(4)
	if err != nil {
		t.Fatal(err)
	}
	maxStates := int64(600_000)
	if testing.Short() {
		maxStates = 50_000
	}
	for _, c := range cases {
		if c.CPUs > 4 {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			var first Figures
			for _, w := range []int{1, 2, 4} {
				f, err := Run(c, explore.Options{MaxStates: maxStates, Workers: w})
				if err != nil {
					t.Fatal(err)
				}
				if f.Verdict == "incomplete max-states" {
					t.Skipf("more than %d states", maxStates)
				}
				got := fmt.Sprintf("%s, %d states, %d transitions, depth %d, liveness graph %d states", f.Verdict, f.States, f.Transitions, f.Depth, f.LiveStates)
				if w == 1 {
					first = f
				}
				want := fmt.Sprintf("%s, %d states, %d transitions, depth %d, liveness graph %d states", first.Verdict, first.States, first.Transitions, first.Depth, first.LiveStates)
				if got != want {
					t.Errorf("%d workers: %s; 1 worker: %s", w, got, want)
				}
			}
		})
	}
}

// Every verified catalog protocol has a scaled model, with 4 CPUs and the
// same seed, and every scaled model scales a verified catalog model.
func TestScaledCoverage(t *testing.T) {
	sc, err := Scaled()
	if err != nil {
		t.Fatal(err)
	}
	scaledBy := map[string]string{}
	for _, c := range sc {
		m, ok := catalog.Lookup(c.Scales)
		if !ok {
			t.Errorf("%s scales %q, which is not in the catalog", c.Name, c.Scales)
			continue
		}
		if m.Expect != "verified" || c.Model.Expect != "verified" || m.Seed != c.Model.Seed {
			t.Errorf("%s (%s, seed %s) scales %s (%s, seed %s)", c.Name, c.Model.Expect, c.Model.Seed, m.Name, m.Expect, m.Seed)
		}
		p, err := compile.Load(c.Name, c.Source)
		if err != nil {
			t.Fatal(err)
		}
		if n := p.Layout.NCPUs; n != 4 {
			t.Errorf("%s has %d CPUs, want 4", c.Name, n)
		}
		scaledBy[m.Name] = c.Name
	}
	for _, m := range catalog.All() {
		// A tick form adds a timer to a protocol that is scaled already.
		base := strings.TrimSuffix(m.Name, "_tick")
		if m.Expect == "verified" && scaledBy[base] == "" {
			t.Errorf("verified catalog model %s has no scaled model in bench/scaled", m.Name)
		}
	}
}

// The scaled models can fail: each, with the protocol's fix undone or one
// step of it removed, gives the violation the comment names.
func TestScaledMutants(t *testing.T) {
	tests := []struct {
		model    string // in bench/scaled
		old, new string // the mutation: old must occur once
		want     string
	}{
		// the hotplug walk leaves the re-routed UPID on no list: a second
		// unplug strands it (the second hole of catalog:000_uintr_pcp_list)
		{"000_uintr_pcp_list_fixed_4cpu",
			"pcp_uintr[t] = { list: int(target), poisoned: false };",
			"pcp_uintr[t] = { list: LIST_NONE, poisoned: false };",
			"violation hang"},
		// under TSO, no barrier between the NV switch and the re-check
		// (catalog:001_uintr_switch_recheck_tso)
		{"001_uintr_switch_recheck_tso_mb_4cpu",
			"    smp_mb();                                      // order the switch before the re-check\n",
			"",
			"violation hang"},
		// under memory weak, csd_unlock() without the release
		// (catalog:004_csd_sync_release_weak_plain)
		{"004_csd_sync_release_weak_4cpu",
			"smp_store_release(csd[k].flags, 0);",
			"WRITE_ONCE(csd[k].flags, 0);",
			"violation assertion"},
		// under TSO, no barrier before the second device's IRR check
		// (catalog:003_msi_x86_fix_tso)
		{"003_msi_x86_fix_tso_mb_4cpu",
			"    smp_mb();                           // the writes reach the device before the IRR is read\n    if (pending(2, B_NEW_VECTOR))",
			"    if (pending(2, B_NEW_VECTOR))",
			"violation final"},
		// no re-check after the NV switch (catalog:001_uintr_switch_no_recheck)
		{"001_uintr_switch_recheck_4cpu",
			"if ((upid[me].status & UPID_ON) != 0 || upid[me].pir != 0) {",
			"if (false) {",
			"violation hang"},
		// kernel entry does not flush the deferred work
		{"002_ct_packed_4cpu",
			"run_work((seq & CT_WORK_MASK) >> CT_WORK_START);",
			"",
			"violation final"},
		// the IRTE written in two steps
		{"003_msi_remap_4cpu",
			"ir_table[B] = { dest: new_b, vector: B_NEW_VECTOR };",
			"ir_table[B].dest = new_b; ir_table[B].vector = B_NEW_VECTOR;",
			"violation spurious"},
		// no IRR check after the two writes: nothing retriggers
		{"003_msi_x86_fix_4cpu",
			"if (pending(2, B_NEW_VECTOR))",
			"if (false)",
			"violation final"},
		// cleanup without the IRR check (check_irr = false)
		{"003_vector_cleanup_first_arrival_4cpu",
			"if (pending(this_cpu, apicd[d].prev_vector)) return true;",
			"",
			"violation spurious"},
		// the dying CPU does not flush its queue (no smpcfd_dying_cpu())
		{"004_csd_conditional_4cpu",
			"atomic { flush_queue(1); cpu_down(1); }",
			"cpu_down(1);",
			"violation hang"},
		{"004_ipi_inflight_reonline_4cpu",
			"atomic { flush_queue(3); cpu_down(3); }",
			"cpu_down(3);",
			"violation hang"},
	}
	sc, err := Scaled()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Case{}
	for _, c := range sc {
		byName[c.Name] = c
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			c, ok := byName["scaled/"+tt.model]
			if !ok {
				t.Fatalf("no scaled model %s", tt.model)
			}
			if n := strings.Count(string(c.Source), tt.old); n != 1 {
				t.Fatalf("%q occurs %d times, want once", tt.old, n)
			}
			c.Source = []byte(strings.Replace(string(c.Source), tt.old, tt.new, 1))
			f, err := Run(c, explore.Options{MaxStates: 1_000_000, Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if f.Verdict != tt.want {
				t.Errorf("mutant: %s, want %s", f.Verdict, tt.want)
			}
		})
	}
}

// The full cross-call protocol of bench/protocol (bench/protocol.sh runs
// it with more CPUs): with 3 CPUs the fixed protocol is verified with and
// without symmetry reduction, and the buggy one hangs in csd_lock_wait().
func TestProtocol(t *testing.T) {
	for _, tc := range []struct {
		file, want string
		noSym      bool
	}{
		{"protocol/csd_protocol.irq", "verified", false},
		{"protocol/csd_protocol.irq", "verified", true},
		{"protocol/csd_protocol_buggy.irq", "violation hang", false},
	} {
		src, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		p, err := compile.Load(tc.file, src)
		if err != nil {
			t.Fatal(err)
		}
		r := explore.Explore(p, explore.Options{SafetyOnly: true, NoSymmetry: tc.noSym, MaxStates: 2_000_000})
		if got := r.Outcome(); got != tc.want {
			t.Errorf("%s (no symmetry %v): %s, want %s", tc.file, tc.noSym, got, tc.want)
		}
	}
}
