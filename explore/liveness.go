package explore

import (
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/irqcheck/irqcheck/machine"
	"github.com/irqcheck/irqcheck/syntax"
)

// The liveness check runs after a complete safety search found nothing.
// It works on the state graph with every edge (graph.go: recorded by the
// search, or explored again without symmetry reduction, so that every
// cycle it finds is a real one), and looks for fair cycles (fair.go):
// runs that go on for ever, in which every process that can move
// infinitely often does move infinitely often (strong fairness per
// process, see fairness classes below), and in which something is
// starved: a thread or device that never finishes, a handler that never
// returns, a vector that stays pending, or a liveness declaration whose
// goal never comes.
//
// Fair cycles are found with the Emerson-Lei refinement of strongly
// connected components: compute the SCCs of the candidate states; in an
// SCC, a class that is enabled at some state but taken by no edge inside
// the SCC cannot be enabled on a fair cycle there, so the states that
// enable it are removed and the rest split into SCCs again. What remains
// are the fair components: every state of one lies on a fair cycle that
// visits all of them.

// LivenessFigures are the figures of the liveness check.
type LivenessFigures struct {
	States  int64 // states of the graph (no symmetry reduction)
	Edges   int64
	Bytes   int64 // memory of the graph
	Elapsed time.Duration
	// Acyclic says that the check had nothing to do: the graph that the
	// search of a symmetric model without liveness declarations recorded,
	// its quotient, has no cycle, so no run can loop (see acyclicQuotient).
	Acyclic bool
	// untriggered lists the P ~> Q declarations whose P never holds.
	untriggered []string
}

// unfair lists kinds of transitions that get no fairness (class -1):
// empty, except in the tests that take one fairness rule away at a time
// to show that each one matters.
var unfair = map[machine.Kind]bool{}

// onGraph, set only by tests, sees the graph the liveness check works
// on.
var onGraph func(*lgraph)

// weakFairness, set only by tests, checks weak fairness instead of strong:
// a class need only be taken when it is enabled in every state of the
// cycle. The tests use it to show where strong fairness matters.
var weakFairness = false

// lasso is a candidate counterexample: a way to reach a fair component
// and go round it, or to reach a terminal state.
type lasso struct {
	v     *machine.Violation
	entry int32   // where the cycle starts (or the terminal state)
	comp  []int32 // the fair component; nil for a run that ends
	ok    func(e int32) bool
	// For a liveness declaration P ~> Q, the prefix passes through a
	// state where P holds: via is the predecessor map of the search from
	// those states (see reachWithin); nil when the BFS tree is the prefix.
	via   []int32 // per state: the edge it was reached by within W (-1: a seed or not reached)
	cost  int32   // the prefix length
	order int     // to break ties: the order candidates were found
	// obligation whose starvation this is, or -1
	obligation int
}

// checkLiveness runs the liveness check on a model whose safety search
// verified, and turns res into a violation or an incomplete run when it
// finds a lasso or passes a limit.
//
// recorded returns the graph the search recorded, or the limit it would
// pass; without it (nil), or when the recording cannot be read back, the
// check explores the state space again, without symmetry reduction.
func checkLiveness(p *machine.Program, opt Options, start time.Time, inits []machine.State, res *Result, recorded func() (*lgraph, string, error)) {
	t0 := time.Now()
	// The graph is large, long-lived and holds no pointers, so a
	// collection costs little; what the check allocates besides is
	// short-lived. Collecting when the heap has grown by a quarter, not
	// doubled, keeps the garbage from adding a second graph's worth to
	// the process's peak.
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	var g *lgraph
	lim := ""
	if recorded != nil {
		// A recording that cannot be read back (its temporary file
		// failed) costs time, not the answer: explore again.
		g, lim, _ = recorded()
	}
	switch {
	case g == nil && lim != "": // the recorded graph would not fit
		res.Liveness = &LivenessFigures{Elapsed: time.Since(t0)}
		res.Verdict, res.Limit = Incomplete, lim+livenessLimit
		return
	case g == nil:
		g, lim = buildGraph(p, opt, start, inits, res.States, res.Transitions)
	}
	if onGraph != nil {
		onGraph(g)
	}
	if opt.Progress != nil && lim == "" {
		opt.Progress(Progress{Liveness: true, States: int64(g.n()), Edges: int64(len(g.dst)), Elapsed: time.Since(start), Left: -1})
	}
	n := g.n()
	fig := &LivenessFigures{States: int64(g.n()), Edges: int64(len(g.dst)), Bytes: g.bytes()}
	res.Liveness = fig
	defer func() { fig.Elapsed = time.Since(t0) }()
	if lim != "" {
		res.Verdict = Incomplete
		res.Limit = lim + livenessLimit
		return
	}
	g.rindex = make([]int32, n)
	anyEdge := func(int32) bool { return true }
	var cands []*lasso
	addCand := func(c *lasso) {
		c.order = len(cands)
		cands = append(cands, c)
	}

	// Starvation: fair components of the whole graph in which an
	// obligation stays pending.
	var fairAll [][]int32
	g.fair(nil, anyEdge, func(c []int32) bool { fairAll = append(fairAll, c); return true })
	inFair := make([]bool, n)
	for _, c := range fairAll {
		for _, s := range c {
			inFair[s] = true
		}
	}
	T, D, N := g.nthreads, g.ndevices, g.ncpus
	l := p.Layout
	for _, c := range fairAll {
		// Handlers first: a cpu stuck in a handler starves its threads
		// too, and the handler is the cause worth reporting.
		stuck := map[int32]bool{}
		// The obligations pending somewhere in c, in one pass.
		some := make([]uint64, g.owords)
		for _, s := range c {
			for w, x := range g.obl.row(s) {
				some[w] |= x
			}
		}
		for o := T + D; o < g.nobl(); o++ {
			if some[o/64]&(1<<(o%64)) == 0 {
				continue
			}
			var sub []int32
			for _, s := range c {
				if g.pending(s, o) {
					sub = append(sub, s)
				}
			}
			if len(sub) == 0 {
				continue
			}
			ok := anyEdge
			if o >= T+D+N {
				// A vector stays pending: no entry of it on that cpu.
				entry := g.entryClass(g.pendingVector(o))
				ok = func(e int32) bool { return g.class(e) != entry }
			}
			g.fair(sub, ok, func(fc []int32) bool {
				addCand(&lasso{entry: g.closest(fc), comp: fc, ok: ok, obligation: o})
				if o < T+D+N {
					stuck[int32(o-T-D)] = true
				}
				return false // the first is enough
			})
		}
		entry := g.closest(c)
		st := g.state(entry)
		for o := 0; o < T+D; o++ {
			if !g.pending(c[0], o) { // finishing is for good: pending on all of c or none
				continue
			}
			if o < T && stuck[st[l.Threads[o].CPU]] {
				continue // its cpu never leaves a handler: reported as such
			}
			addCand(&lasso{entry: entry, comp: c, ok: anyEdge, obligation: o})
		}
	}
	for _, c := range cands {
		c.cost = g.depthOf(c.entry)
	}

	// Liveness declarations.
	for i, lv := range p.Liveness {
		var seeds []int32
		notQ := func(s int32) bool { return !g.prop(s, 2*i) }
		switch lv.Kind {
		case syntax.LeadsTo:
			notQ = func(s int32) bool { return !g.prop(s, 2*i+1) }
			for s := int32(0); int(s) < n; s++ {
				if g.prop(s, 2*i) && notQ(s) {
					seeds = append(seeds, s)
				}
			}
			triggered := false
			for s := int32(0); int(s) < n && !triggered; s++ {
				triggered = g.prop(s, 2*i)
			}
			if !triggered {
				fig.untriggered = append(fig.untriggered, livenessName(lv)+": its left side never holds")
			}
		case syntax.AlwaysEventually:
			for s := int32(0); int(s) < n; s++ {
				if notQ(s) {
					seeds = append(seeds, s)
				}
			}
		case syntax.EventuallyAlways:
			// A run that ends in a state where P fails, or a fair cycle
			// through one.
			for s := int32(0); int(s) < n; s++ {
				if notQ(s) && g.first[s] == g.first[s+1] {
					addCand(&lasso{v: livenessViolation(lv, true), entry: s, cost: g.depthOf(s), obligation: -1})
					break
				}
			}
			for _, c := range fairAll {
				best := int32(-1)
				for _, s := range c {
					if notQ(s) && (best < 0 || g.depthOf(s) < g.depthOf(best)) {
						best = s
					}
				}
				if best >= 0 {
					addCand(&lasso{v: livenessViolation(lv, false), entry: best, comp: c, ok: anyEdge, cost: g.depthOf(best), obligation: -1})
					break
				}
			}
			continue
		}
		dist, via := g.reachWithin(seeds, notQ)
		// A run that ends while waiting.
		bestEnd := int32(-1)
		for s, d := range dist {
			if d >= 0 && g.first[s] == g.first[s+1] && (bestEnd < 0 || d < dist[bestEnd]) {
				bestEnd = int32(s)
			}
		}
		if bestEnd >= 0 {
			addCand(&lasso{v: livenessViolation(lv, true), entry: bestEnd, via: via, cost: dist[bestEnd], obligation: -1})
		}
		var w []int32
		for s, d := range dist {
			if d >= 0 && inFair[s] {
				w = append(w, int32(s))
			}
		}
		inW := func(e int32) bool { return dist[g.dst[e]] >= 0 }
		var best *lasso
		g.fair(w, inW, func(c []int32) bool {
			e := c[0]
			for _, s := range c {
				if dist[s] < dist[e] {
					e = s
				}
			}
			if best == nil || dist[e] < best.cost {
				best = &lasso{v: livenessViolation(lv, false), entry: e, comp: c, ok: inW, via: via, cost: dist[e], obligation: -1}
			}
			return true
		})
		if best != nil {
			addCand(best)
		}
	}
	if len(cands) == 0 {
		return
	}
	best := slices.MinFunc(cands, func(a, b *lasso) int {
		if a.cost != b.cost {
			return int(a.cost - b.cost)
		}
		return a.order - b.order
	})
	path, loop := g.lassoPath(best)
	root := g.root(path.start)
	tr := Replay(p, machine.New(p), inits[g.ptidOf(root)], append(g.treePath(path.start), path.edges...))
	tr.Init = int(g.ptidOf(root))
	v := best.v
	if v == nil {
		v = g.starvation(best.obligation, tr, len(tr.Steps)-len(path.edges)+loop)
	}
	res.Verdict = Violated
	res.Violation = v
	res.Trace = tr
	res.Depth = len(tr.Steps)
	if best.comp != nil {
		res.Loop = len(tr.Steps) - len(path.edges) + loop
	}
}

// livenessLimit ends the name of a limit that the liveness check passed.
const livenessLimit = " (liveness check; the safety search was complete)"

// livenessUnreduced runs the liveness check of a symmetric model whose
// reduced safety search verified: a search of the model without the
// reduction (a cycle of the quotient need not be one of the machine),
// with the workers, recording the graph as it goes. Its whole time is
// the liveness check's.
func livenessUnreduced(p *machine.Program, opt Options, start time.Time, res *Result) {
	o := opt
	o.NoSymmetry = true
	o.Witnesses = false
	if opt.Time > 0 {
		if o.Time = opt.Time - time.Since(start); o.Time <= 0 {
			res.Verdict, res.Limit = Incomplete, "time"+livenessLimit
			return
		}
	}
	r := Explore(p, o)
	res.Liveness = r.Liveness
	if res.Liveness == nil { // stopped before its liveness check
		res.Liveness = &LivenessFigures{States: r.States, Edges: r.Transitions}
	}
	res.Liveness.Elapsed = r.Elapsed
	switch r.Verdict {
	case Violated:
		res.Verdict, res.Violation, res.Trace, res.Loop, res.Depth = Violated, r.Violation, r.Trace, r.Loop, r.Depth
	case Incomplete:
		res.Verdict, res.Limit = Incomplete, strings.TrimSuffix(r.Limit, livenessLimit)+livenessLimit
	}
}

// livenessName is how a liveness declaration is named in messages.
func livenessName(lv *machine.LivenessDecl) string {
	if lv.Name != "" {
		return "liveness " + lv.Name
	}
	return "liveness " + lv.Text
}

func livenessViolation(lv *machine.LivenessDecl, ends bool) *machine.Violation {
	var msg string
	switch lv.Kind {
	case syntax.LeadsTo:
		msg = "the goal never comes after the trigger"
	case syntax.AlwaysEventually:
		msg = "the condition stops holding for good"
	case syntax.EventuallyAlways:
		msg = "the condition keeps failing"
	}
	if ends {
		msg += ": the run ends without it"
	} else {
		msg += " on a fair run that goes on for ever"
	}
	name := livenessName(lv)
	if lv.Name != "" {
		name += " (" + lv.Text + ")"
	}
	return &machine.Violation{Kind: machine.Liveness, Pos: lv.Pos, CPU: -1, Vector: -1, Msg: name + ": " + msg}
}

// path is a run in the graph: a start state and the edges after it.
type path struct {
	start int32
	edges []int32 // transition numbers (tids), not edge indices
}

// lassoPath returns the run from the prefix's start state: the part
// within the waiting set of a liveness declaration if any, then the
// cycle; and the index in edges where the cycle starts.
func (g *lgraph) lassoPath(c *lasso) (path, int) {
	var pre []int32 // edge indices, reversed
	start := c.entry
	if c.via != nil {
		for e := c.via[start]; e >= 0; e = c.via[start] {
			pre = append(pre, e)
			start = g.src(e)
		}
	}
	slices.Reverse(pre)
	loop := len(pre)
	return path{start: start, edges: g.trans(start, append(pre, g.cycle(c)...))}, loop
}

// starvation describes the starvation of obligation o on the lasso tr,
// whose cycle starts at step loop.
func (g *lgraph) starvation(o int, tr *Trace, loop int) *machine.Violation {
	p := g.p
	l := p.Layout
	T, D, N := g.nthreads, g.ndevices, g.ncpus
	s := tr.Initial
	if loop > 0 {
		s = tr.Steps[loop-1].State
	}
	cyc := tr.Steps[loop:]
	moves := func(kind machine.Kind, proc, cpu int32) bool {
		for _, st := range cyc {
			if st.T.Kind == kind && (proc < 0 || st.T.Proc == proc) && (cpu < 0 || st.T.CPU == cpu) {
				return true
			}
		}
		return false
	}
	how := func(in *machine.Instr, moved bool) string {
		if moved {
			return "it spins for ever at " + in.Text
		}
		return "it waits for ever at " + in.Text
	}
	v := &machine.Violation{Kind: machine.Livelock, CPU: -1, Vector: -1}
	switch {
	case o < T:
		in := &p.Threads[o].Code[s[l.Threads[o].PC]]
		c := s[l.Threads[o].CPU]
		v.Pos, v.CPU = in.Pos, c
		var what string
		m := machine.New(p)
		switch cur := s[l.CPUs[c].Cur]; {
		case moves(machine.ThreadStep, int32(o), -1):
			what = how(in, true)
		case !m.CanRun(s, int32(o)):
			what = how(in, false)
		case cur != int32(o) && cur >= 0:
			what = fmt.Sprintf("it never gets the cpu: %s keeps it (it is at %s)", p.Threads[cur].Name, in.Text)
		case cur != int32(o):
			what = "it never gets the cpu (it is at " + in.Text + ")"
		default:
			what = fmt.Sprintf("interrupts keep cpu %d busy, so it never runs again (it is at %s): an interrupt storm", c, in.Text)
		}
		where := fmt.Sprintf("on cpu %d", c)
		if home := p.Threads[o].CPU; home != int(c) {
			where = fmt.Sprintf("(moved from cpu %d to cpu %d)", home, c)
		}
		v.Msg = fmt.Sprintf("thread %s %s never finishes: %s", p.Threads[o].Name, where, what)
	case o < T+D:
		d := o - T
		in := &p.Devices[d].Code[s[l.Devices[d].PC]]
		v.Pos = in.Pos
		v.Msg = fmt.Sprintf("device %s never finishes: %s", p.Devices[d].Name, how(in, moves(machine.DeviceStep, int32(d), -1)))
	case o < T+D+N:
		c := o - T - D
		h := s[l.CPUs[c].Handler] - 1
		in := &p.Handlers[h].Code[s[l.CPUs[c].HPC]]
		v.Pos, v.CPU, v.Vector = in.Pos, int32(c), s[l.CPUs[c].HVec]
		v.Msg = fmt.Sprintf("handler %s on cpu %d never returns: %s", p.Handlers[h].Name, c, how(in, moves(machine.HandlerStep, -1, int32(c))))
	default:
		c, vec := g.pendingVector(o)
		v.CPU, v.Vector = c, vec
		why := "interrupts stay disabled there, or a handler keeps running"
		states := []machine.State{s}
		for _, st := range cyc {
			states = append(states, st.State)
		}
		for _, st := range states {
			if st[l.CPUs[c].IF] != 0 && st[l.CPUs[c].Handler] == 0 {
				why = "it is never the highest pending vector while interrupts are enabled there"
			}
		}
		v.Msg = fmt.Sprintf("vector %#x stays pending on cpu %d for ever: the cpu never takes it: %s", vec, c, why)
	}
	return v
}

// acyclicQuotient reads back the graph that the search of a symmetric
// model recorded, the quotient of the machine's graph, and returns figures
// that say Acyclic if it has no cycle: then neither has the machine's
// graph, whose cycles the quotient would map to closed walks. Without an
// edge back to a state of the same depth or less (revisits false) there is
// nothing to read back, and rec may be nil (the search let the recording
// go for the budget). It returns nil if the quotient has a cycle or it
// cannot tell (no recording, the time is up or the check was interrupted,
// or its spill cannot be read back): the liveness check then explores
// again without symmetry, which stops at once for the clock or the
// interrupt. If the quotient would pass the memory budget, so would the
// machine's graph, which is larger: it returns the limit, "mem", and the
// check stops there.
func acyclicQuotient(rec *recorder, st *store, inits []machine.State, nw int, opt Options, start time.Time, revisits bool) (*LivenessFigures, string) {
	if !revisits {
		if rec != nil {
			rec.close()
		}
		return &LivenessFigures{Acyclic: true}, ""
	}
	if rec == nil {
		return nil, ""
	}
	if opt.Time > 0 && time.Since(start) > opt.Time || opt.interrupted() {
		rec.close()
		return nil, ""
	}
	begin := time.Now()
	budget := opt.MaxMemory
	if opt.graphBudget > 0 {
		budget = opt.graphBudget
	}
	g, limit, err := rec.graph(st, inits, nw, budget)
	if limit != "" {
		return &LivenessFigures{Elapsed: time.Since(begin)}, limit
	}
	if g == nil || err != nil || !g.acyclic() {
		return nil, ""
	}
	n := int64(len(g.first) - 1)
	// The graph, and the peel's two numbers per state.
	return &LivenessFigures{Acyclic: true, States: n, Edges: int64(len(g.dst)), Bytes: g.bytes() + 8*n, Elapsed: time.Since(begin)}, ""
}

// acyclic reports whether the graph has no cycle. It peels off, as Kahn's
// topological sort does, the states that no edge from a state still there
// enters; a cycle is what remains.
func (g *lgraph) acyclic() bool {
	n := len(g.first) - 1
	in := make([]int32, n)
	for _, d := range g.dst {
		in[d]++
	}
	peeled := make([]int32, 0, n)
	for s := range n {
		if in[s] == 0 {
			peeled = append(peeled, int32(s))
		}
	}
	for i := 0; i < len(peeled); i++ {
		s := peeled[i]
		for _, d := range g.dst[g.first[s]:g.first[s+1]] {
			if in[d]--; in[d] == 0 {
				peeled = append(peeled, d)
			}
		}
	}
	return len(peeled) == n
}
