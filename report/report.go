// Package report renders the outcome of a check: a verdict line, the
// figures of the run, and a violation's trace as per-CPU columns; or the
// same as one JSON object (json.go, described by schema.json); or as a
// self-contained HTML page whose state panel shows the machine's state
// at each step (html.go). StateRows (state.go) lists a state's parts for
// both.
package report

import (
	"fmt"
	"io"

	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
)

// VerdictLine is the first line of a report.
func VerdictLine(r *explore.Result) string {
	switch r.Verdict {
	case explore.Violated:
		v := r.Violation
		return fmt.Sprintf("violation: %s at %s: %s", v.Kind, v.Pos, v.Msg)
	case explore.Incomplete:
		return "incomplete: " + r.Limit
	}
	return "verified"
}

// Figures is the line of counts under the verdict.
func Figures(r *explore.Result) string {
	secs := r.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(r.States) / secs
	}
	line := fmt.Sprintf("states %d, transitions %d, depth %d, %.2fs, %.0f states/s", r.States, r.Transitions, r.Depth, secs, rate)
	if r.States >= perStateFrom {
		line += fmt.Sprintf(", %.1f B/state in the store", r.BytesPerState())
	}
	if r.PeakRSS > 0 {
		line += fmt.Sprintf(", peak RSS %.1f MB", float64(r.PeakRSS)/(1<<20))
	}
	if lv := r.Liveness; lv != nil && lv.Acyclic && lv.States == 0 {
		line += "\nliveness: nothing to check: no step of the reduced search goes back to a state of its depth or less, so no run loops"
	} else if lv != nil && lv.Acyclic {
		line += fmt.Sprintf("\nliveness: nothing to check: the reduced graph (%d states, %d edges, %.2fs) has no cycle, so no run loops", lv.States, lv.Edges, lv.Elapsed.Seconds())
	} else if lv != nil {
		line += fmt.Sprintf("\nliveness: states %d, edges %d, %.2fs, %.1f MB", lv.States, lv.Edges, lv.Elapsed.Seconds(), float64(lv.Bytes)/(1<<20))
	}
	return line
}

// perStateFrom is the state count from which the store's bytes per state
// are shown: below it the fixed size of the tables dominates.
const perStateFrom = 100_000

// Text writes the human-readable report, its traces laid out to width
// (see Columns).
func Text(w io.Writer, p *machine.Program, r *explore.Result, width int) {
	fmt.Fprintln(w, VerdictLine(r))
	fmt.Fprintln(w, Figures(r))
	notes(w, p, r)
	if r.Trace != nil && len(r.Trace.Steps) > 0 {
		fmt.Fprintln(w)
		Lasso(w, p, r.Trace, r.Loop, width)
	}
	Unreached(w, r.Unreached)
	Covers(w, p, r.Covers, width)
}

// safetyOnly reports whether r is verified without a liveness check.
func safetyOnly(r *explore.Result) bool { return r.Verdict == explore.Verified && r.Liveness == nil }

// notes writes what the verdict does not cover: a check of safety only,
// figures of a reduced graph, runs cut short by a full store buffer or write history.
func notes(w io.Writer, p *machine.Program, r *explore.Result) {
	if safetyOnly(r) {
		fmt.Fprintln(w, "safety only: livelocks and liveness declarations were not checked")
	}
	if r.PartialOrder {
		fmt.Fprintln(w, "partial-order reduction: the figures are the reduced graph's (--no-por counts them all)")
	}
	if r.NotShortest != "" {
		fmt.Fprintf(w, "not the shortest, perhaps: the search without the reduction for the shortest trace stopped at %s; this run is real\n", r.NotShortest)
	}
	if r.StoreBufferFull {
		entries := "entries"
		if p.Layout.SBSize == 1 {
			entries = "entry"
		}
		fmt.Fprintf(w, "note: a store buffer filled up (%d %s) and its CPU stalled: runs that need more buffered stores were not explored (raise the bound: memory %s N;)\n", p.Layout.SBSize, entries, p.Memory)
	}
	if r.HistoryFull {
		fmt.Fprintf(w, "note: the write history filled up (%d writes) and its oldest writes were made visible to every CPU: runs in which a CPU reads further behind memory were not explored (raise the bound: memory %s N; holds %dN writes)\n", p.Layout.HistCap, p.Memory, machine.HistoryPerEntry)
	}
}

// Unreached lists what a verified search never reached, if anything.
func Unreached(w io.Writer, u *explore.Unreached) {
	if u.Empty() {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "never reached (a property about these holds trivially):")
	for _, st := range u.Statements {
		fmt.Fprintf(w, "  %s: %s: %s\n", st.Pos, st.Proc, st.Text)
	}
	for _, h := range u.Handlers {
		fmt.Fprintf(w, "  handler %s: never entered\n", h)
	}
	for _, v := range u.Vectors {
		fmt.Fprintf(w, "  vector %#x: a handler is registered for it, but no cpu ever took it\n", v)
	}
	if u.FinalsUnchecked {
		fmt.Fprintln(w, "  final conditions: never evaluated (no terminal state where all finished)")
	}
	for _, t := range u.Triggers {
		fmt.Fprintf(w, "  %s\n", t)
	}
}

// Covers says where each cover was reached and draws the witnesses the
// run rebuilt.
func Covers(w io.Writer, p *machine.Program, cs []explore.CoverResult, width int) {
	for _, c := range cs {
		if !c.Reached {
			continue
		}
		name := c.Cover.Text
		if c.Cover.Name != "" {
			name = c.Cover.Name
		}
		if c.Trace == nil {
			continue
		}
		fmt.Fprintf(w, "\ncover %s reached in %d steps:\n\n", name, c.Depth)
		Columns(w, p, c.Trace, width)
	}
}
