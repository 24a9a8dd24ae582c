// Command benchtable runs the benchmark cases (the catalog and its
// scaling families) with one and with several workers and prints the
// figures as a Markdown table: the table that opens bench/RESULTS.md,
// whose later sections are written by hand from the scripts in bench/.
//
//	go run ./bench/cmd/benchtable [-cpus 4] [-workers 2] [-time 5m] > /tmp/table.md
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/irqcheck/irqcheck/bench"
	"github.com/irqcheck/irqcheck/explore"
)

func main() {
	maxCPUs := flag.Int("cpus", 4, "largest CPU count of the scaling families")
	workers := flag.Int("workers", runtime.NumCPU(), "workers of the parallel run")
	limit := flag.Duration("time", 5*time.Minute, "time limit per run")
	match := flag.String("run", "", "only cases whose name contains this")
	liveMax := flag.Int64("liveness-max", 3_000_000, "run the liveness check only on cases with at most this many states (without symmetry)")
	flag.Parse()
	cases, err := bench.Cases(*maxCPUs)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("# Benchmark results\n\n")
	fmt.Printf("Made by `go run ./bench/cmd/benchtable -cpus %d -workers %d` on %s, Go %s, %d CPUs, %s.\n",
		*maxCPUs, *workers, time.Now().UTC().Format("2006-01-02"), runtime.Version(), runtime.NumCPU(), runtime.GOARCH)
	fmt.Printf("One run each: this machine is shared and noisy, so read ratios, not digits.\n")
	fmt.Printf("The safety columns come from runs with --safety-only; the liveness columns from one more run with one worker, ")
	fmt.Printf("in which the search records the graph for the liveness check (\"-\": not run: a safety violation, a symmetric row, whose check ")
	fmt.Printf("explores the no-symmetry row's graph, or more than %d states).\n\n", *liveMax)
	fmt.Printf("| model | verdict | states | transitions | depth | s (1 worker) | states/s (1) | states/s (%d) | speedup | B/state | peak MB | liveness verdict | liveness states | liveness s | liveness / safety | liveness B/state |\n", *workers)
	fmt.Printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|\n")
	for _, c := range cases {
		if *match != "" && !strings.Contains(c.Name, *match) {
			continue
		}
		f1, err := bench.Run(c, explore.Options{Time: *limit, Workers: 1, SafetyOnly: true, NoPOR: true})
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", c.Name, err)
			continue
		}
		fw := f1
		if *workers > 1 {
			fw, err = bench.Run(c, explore.Options{Time: *limit, Workers: *workers, SafetyOnly: true, NoPOR: true})
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", c.Name, err)
				continue
			}
		}
		speedup := 0.0
		if f1.StatesPerSec > 0 {
			speedup = fw.StatesPerSec / f1.StatesPerSec
		}
		live := "| - | - | - | - | - |"
		verdict := f1.Verdict
		if f1.Verdict == "verified" && f1.States <= *liveMax && (c.NoSymmetry || !strings.Contains(c.Name, "/symmetric")) {
			fl, err := bench.Run(c, explore.Options{Time: *limit, Workers: 1, MaxStates: *liveMax})
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", c.Name, err)
				continue
			}
			ratio := 0.0
			if f1.Seconds > 0 {
				ratio = fl.Seconds / f1.Seconds
			}
			verdict = fl.Verdict
			live = fmt.Sprintf("| %s | %d | %.2f | %.2f | %.1f |", fl.Verdict, fl.LiveStates, fl.LiveSeconds, ratio, fl.LiveBytesPerState)
		}
		fmt.Printf("| %s | %s | %d | %d | %d | %.2f | %.0f | %.0f | %.2f | %.1f | %.1f %s\n",
			c.Name, verdict, f1.States, f1.Transitions, f1.Depth, f1.Seconds, f1.StatesPerSec, fw.StatesPerSec, speedup, f1.BytesPerState, f1.PeakMB, live)
	}
	memoryTable(*limit, *match)
}

// memoryTable prints the cost of memory tso and weak over memory sc on
// the catalog.
func memoryTable(limit time.Duration, match string) {
	rows, err := bench.MemoryCosts(explore.Options{Time: limit, Workers: 1, SafetyOnly: true, NoPOR: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Printf("\n## memory tso and weak against memory sc\n\n")
	fmt.Printf("Every catalog model checked under `memory sc;`, `memory tso;` and `memory weak;` (store buffers of 4 entries, a write history of 32), all without symmetry reduction, so that the counts compare; one worker, safety only. ")
	fmt.Printf("\"full\": a store buffer or the write history filled up, so runs that need more buffered stores or reads further behind memory were not explored.\n\n")
	fmt.Printf("| model | sc | states (sc) | tso | states (tso) | tso / sc | weak | states (weak) | weak / sc | s (sc) | s (tso) | s (weak) |\n|---|---|---:|---|---:|---:|---|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		if match != "" && !strings.Contains(r.Name, match) {
			continue
		}
		sc, tso, weak := r.Runs[0], r.Runs[1], r.Runs[2]
		verdict := func(x bench.MemoryRun) string {
			if x.Full {
				return x.Verdict + " (full)"
			}
			return x.Verdict
		}
		ratio := func(x bench.MemoryRun) float64 { return float64(x.States) / float64(max(sc.States, 1)) }
		fmt.Printf("| %s | %s | %d | %s | %d | %.2f | %s | %d | %.2f | %.3f | %.3f | %.3f |\n", r.Name, verdict(sc), sc.States, verdict(tso), tso.States, ratio(tso),
			verdict(weak), weak.States, ratio(weak), sc.Seconds, tso.Seconds, weak.Seconds)
	}
}
