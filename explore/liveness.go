package explore

import (
	"fmt"
	"slices"
	"time"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/machine"
	"github.com/irqcheck/irqcheck/syntax"
)

// The liveness check runs after a complete safety search found nothing.
// It builds the state graph explicitly (without symmetry reduction, so
// that every cycle it finds is a real one), then looks for fair cycles:
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
	States  int64 // states of the explicit graph (no symmetry reduction)
	Edges   int64
	Bytes   int64 // memory of the graph
	Elapsed time.Duration
	// untriggered lists the P ~> Q declarations whose P never holds.
	untriggered []string
}

// lgraph is the explicit state graph of a model.
type lgraph struct {
	p     *compile.Program
	inits []compile.State
	first []int32 // the edges of state s are first[s] .. first[s+1]-1
	dst   []int32
	tid   []uint8 // the edge's number in its source's successor order (see trans)
	cls   []int32 // the fairness class of the edge
	// bigTid holds the numbers of 255 and more; yieldTo the second class
	// of an edge that yields and switches to another thread (see second).
	bigTid  map[int32]int32
	yieldTo map[int32]int32
	// The BFS tree, for the shortest prefixes.
	parent []int32 // -1 for an initial state
	ptid   []int32 // the transition from the parent; for a root, the index of its initial state
	depth  []int32
	// obl holds, per state, owords words of bits: the obligations pending
	// there (see obligation numbers in newLGraph).
	obl    []uint64
	owords int
	// props holds, per state, two bits per liveness declaration: P, Q.
	props  []uint64
	pwords int

	nthreads, ndevices, ncpus int
	npending                  int // len(Layout.Pending)
	nclass                    int

	// Scratch for the component searches.
	mark  []int32
	stamp int32
	index []int32
	low   []int32
}

// The fairness classes: thread t is class t; device d is T+d; the
// handler of cpu c is T+D+c; interrupt entry of vector v on cpu c is
// T+D+N+256c+v, and the messages in flight to cpu c with vector v are
// T+D+N+256N+256c+v. Entry is fair per vector: a vector that could be
// taken infinitely often is taken infinitely often, even when a higher
// one keeps coming. The numbering is fixed, so that workers can class
// edges without sharing anything. A class is enabled in a state when the
// state has an edge of that class, and taken by the edges of that class.
// A thread is taken both by its own steps and by a switch to it.
func (g *lgraph) classOf(t *machine.Transition) (int32, int32) {
	if unfair[t.Kind] {
		return -1, -1
	}
	T, D := int32(g.nthreads), int32(g.ndevices)
	switch t.Kind {
	case machine.ThreadStep:
		if t.Yield && t.Proc2 >= 0 && t.Proc2 != t.Proc {
			return t.Proc, t.Proc2
		}
		return t.Proc, -1
	case machine.Switch:
		return t.Proc, -1
	case machine.DeviceStep:
		return T + t.Proc, -1
	case machine.HandlerStep:
		return T + D + t.CPU, -1
	case machine.Entry:
		return g.entryClass(t.CPU, t.Vector), -1
	}
	return g.entryClass(t.CPU, t.Vector) + int32(g.ncpus)*compile.NumVectors, -1
}

// entryClass is the class of interrupt entries of vector v on cpu c.
func (g *lgraph) entryClass(c, v int32) int32 {
	return int32(g.nthreads+g.ndevices+g.ncpus) + c*compile.NumVectors + v
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

// Obligations: thread t (not forever) unfinished is obligation t; device
// d (not forever) unfinished is T+d; a handler running on cpu c is
// T+D+c; the k-th vector of Layout.Pending pending on cpu c is
// T+D+N+c*P+k. An obligation pending on every state of a fair cycle is
// starvation.
func (g *lgraph) nobl() int { return g.nthreads + g.ndevices + g.ncpus + g.ncpus*g.npending }

func (g *lgraph) pending(s int32, o int) bool {
	return g.obl[int(s)*g.owords+o/64]&(1<<(o%64)) != 0
}

func (g *lgraph) prop(s int32, k int) bool {
	return g.props[int(s)*g.pwords+k/64]&(1<<(k%64)) != 0
}

func (g *lgraph) n() int { return len(g.first) - 1 }

// pendingVector returns the cpu and vector of a pending obligation.
func (g *lgraph) pendingVector(o int) (int32, int32) {
	k := o - g.nthreads - g.ndevices - g.ncpus
	return int32(k / g.npending), int32(g.p.Layout.Pending[k%g.npending])
}

// trans returns edge e's number in its source's successor order.
func (g *lgraph) trans(e int32) int32 {
	if t := g.tid[e]; t < 255 {
		return int32(t)
	}
	return g.bigTid[e]
}

// second returns the second class of edge e: the thread a yield switched
// to, or -1.
func (g *lgraph) second(e int32) int32 {
	if k, ok := g.yieldTo[e]; ok {
		return k
	}
	return -1
}

// newLGraph returns an empty graph of p's states: its classes and the
// sizes of its per-state bit sets are set.
func newLGraph(p *compile.Program, inits []compile.State) *lgraph {
	l := p.Layout
	g := &lgraph{p: p, inits: inits, nthreads: len(l.Threads), ndevices: len(l.Devices), ncpus: l.NCPUs, npending: len(l.Pending)}
	g.nclass = g.nthreads + g.ndevices + g.ncpus + 2*g.ncpus*compile.NumVectors
	g.owords = (g.nobl() + 63) / 64
	g.pwords = (2*len(p.Liveness) + 63) / 64
	g.bigTid, g.yieldTo = map[int32]int32{}, map[int32]int32{}
	return g
}

// buildGraph explores the state space breadth first and keeps every
// edge. It stops with a limit's name when opt's limits are passed.
//
// states and edges are the counts the safety search found: exact without
// symmetry reduction, a lower bound with it; the arrays start that big.
func buildGraph(p *compile.Program, opt Options, start time.Time, inits []compile.State, states, edges int64) (*lgraph, string) {
	l := p.Layout
	g := newLGraph(p, inits)
	g.first = make([]int32, 0, states+1)
	g.parent, g.ptid, g.depth = make([]int32, 0, states), make([]int32, 0, states), make([]int32, 0, states)
	g.obl = make([]uint64, 0, states*int64(g.owords))
	g.props = make([]uint64, 0, states*int64(g.pwords))
	g.dst, g.tid, g.cls = make([]int32, 0, edges), make([]uint8, 0, edges), make([]int32, 0, edges)
	m := machine.New(p)
	cd := newCodec(l)
	ids := make(map[uint64]int32, states)
	var queue []byte // encoded states not yet expanded, in id order
	head := 0
	add := func(s compile.State, parent, tid int32, depth int32) int32 {
		fp := Fingerprint(s)
		if id, ok := ids[fp]; ok {
			return id
		}
		id := int32(len(g.parent))
		ids[fp] = id
		g.parent = append(g.parent, parent)
		g.ptid = append(g.ptid, tid)
		g.depth = append(g.depth, depth)
		queue = cd.append(queue, s)
		return id
	}
	for i, s := range inits {
		add(s, -1, int32(i), 0)
	}
	s := make(compile.State, l.Size)
	g.first = append(g.first, 0)
	for id := int32(0); int(id) < len(g.parent); id++ {
		if id%1024 == 0 {
			if head > 1<<20 && head > len(queue)/2 { // let go of what was expanded
				queue = append(queue[:0], queue[head:]...)
				head = 0
			}
			if lim := g.limit(opt, start, len(ids)); lim != "" {
				return g, lim
			}
		}
		rest := cd.decode(queue[head:], s)
		head = len(queue) - len(rest)
		g.record(m, s)
		var t int32 = -1
		m.Successors(s, func(sc *machine.Successor) bool {
			t++
			if sc.Violation != nil {
				return true // not after a clean safety search
			}
			c1, c2 := g.classOf(&sc.T)
			to := add(sc.Next, id, t, g.depth[id]+1)
			g.dst = append(g.dst, to)
			e := int32(len(g.cls))
			if t >= 255 {
				g.bigTid[e] = t
			}
			g.tid = append(g.tid, uint8(min(t, 255)))
			g.cls = append(g.cls, c1)
			if c2 >= 0 {
				g.yieldTo[e] = c2
			}
			return true
		})
		g.first = append(g.first, int32(len(g.dst)))
	}
	return g, g.limit(opt, start, len(ids))
}

// limit names the limit of opt that the graph has passed, or "".
func (g *lgraph) limit(opt Options, start time.Time, states int) string {
	switch {
	case opt.MaxStates > 0 && int64(states) > opt.MaxStates:
		return "max-states"
	case opt.Time > 0 && time.Since(start) > opt.Time:
		return "time"
	case opt.interrupted():
		return "interrupted"
	case opt.MaxMemory > 0 && (g.bytes()+int64(states)*40 > opt.MaxMemory || heapBytes() > opt.MaxMemory):
		return "mem"
	}
	return ""
}

// bytes is the memory of the graph's arrays.
func (g *lgraph) bytes() int64 {
	return int64(cap(g.dst)+cap(g.cls))*4 + int64(cap(g.tid)) + int64(len(g.bigTid)+len(g.yieldTo))*16 +
		int64(cap(g.first)+cap(g.parent)+cap(g.ptid)+cap(g.depth))*4 +
		int64(cap(g.obl)+cap(g.props))*8
}

// record computes the obligations and liveness predicates of s, the
// state with the next id.
func (g *lgraph) record(m *machine.Machine, s compile.State) {
	n := len(g.obl)
	g.obl = append(g.obl, make([]uint64, g.owords)...)
	k := len(g.props)
	g.props = append(g.props, make([]uint64, g.pwords)...)
	g.bits(m, s, g.obl[n:], g.props[k:])
}

// bits sets in obl the obligations pending in s, and in props its
// liveness predicates (P, Q of each declaration); both start cleared.
func (g *lgraph) bits(m *machine.Machine, s compile.State, obl, props []uint64) {
	l := g.p.Layout
	set := func(o int) { obl[o/64] |= 1 << (o % 64) }
	for t := range l.Threads {
		if !g.p.Threads[t].Forever && !m.ThreadDone(s, int32(t)) {
			set(t)
		}
	}
	for d := range l.Devices {
		if !g.p.Devices[d].Forever && !m.DeviceDone(s, int32(d)) {
			set(g.nthreads + d)
		}
	}
	for c := range l.CPUs {
		if s[l.CPUs[c].Handler] != 0 {
			set(g.nthreads + g.ndevices + c)
		}
		if l.HighestPending(s, int32(c)) < 0 {
			continue
		}
		for k, v := range l.Pending {
			if l.IRRBit(s, int32(c), int32(v)) {
				set(g.nthreads + g.ndevices + g.ncpus + c*g.npending + k)
			}
		}
	}
	for i, lv := range g.p.Liveness {
		if r, v := m.Eval(s, lv.P); v == nil && r != 0 {
			props[(2*i)/64] |= 1 << ((2 * i) % 64)
		}
		if lv.Q != nil {
			if r, v := m.Eval(s, lv.Q); v == nil && r != 0 {
				props[(2*i+1)/64] |= 1 << ((2*i + 1) % 64)
			}
		}
	}
}

// components calls emit with each strongly connected component of the
// subgraph induced by states (which must carry mark stamp) over the
// edges ok allows, leaving out those without a cycle: a single state
// without a self-loop. Tarjan's algorithm, iterative.
func (g *lgraph) components(states []int32, stamp int32, ok func(e int32) bool, emit func([]int32)) {
	var stack, comp []int32
	type frame struct{ s, e int32 }
	var call []frame
	next := int32(0)
	for _, root := range states {
		if g.index[root] >= 0 {
			continue
		}
		call = append(call, frame{root, g.first[root]})
		g.index[root], g.low[root] = next, next
		next++
		stack = append(stack, root)
		for len(call) > 0 {
			f := &call[len(call)-1]
			s := f.s
			if f.e < g.first[s+1] {
				e := f.e
				f.e++
				d := g.dst[e]
				if g.mark[d] != stamp || !ok(e) {
					continue
				}
				if g.index[d] < 0 {
					g.index[d], g.low[d] = next, next
					next++
					stack = append(stack, d)
					call = append(call, frame{d, g.first[d]})
				} else if g.low[d] >= 0 { // on the stack
					g.low[s] = min(g.low[s], g.index[d])
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].s
				if g.low[s] >= 0 {
					g.low[p] = min(g.low[p], g.low[s])
				}
			}
			if g.low[s] != g.index[s] {
				continue
			}
			comp = comp[:0]
			for {
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				g.low[top] = -1 // off the stack
				comp = append(comp, top)
				if top == s {
					break
				}
			}
			if len(comp) > 1 || g.selfLoop(s, ok) {
				emit(comp)
			}
		}
	}
	for _, s := range states {
		g.index[s], g.low[s] = -1, 0
	}
}

func (g *lgraph) selfLoop(s int32, ok func(e int32) bool) bool {
	for e := g.first[s]; e < g.first[s+1]; e++ {
		if g.dst[e] == s && ok(e) {
			return true
		}
	}
	return false
}

// newStamp marks states with a fresh stamp and returns it.
func (g *lgraph) newStamp(states []int32) int32 {
	g.stamp++
	for _, s := range states {
		g.mark[s] = g.stamp
	}
	return g.stamp
}

// fair calls emit with every fair component within states over the
// edges ok allows: a maximal set of states in which there is a cycle
// through all of them that takes every class enabled at any of them. A
// class counts as enabled by every edge of the full graph, so a class
// whose edges ok forbids cannot be enabled on a fair cycle. Components
// are emitted in a fixed order; emit returns false to stop.
func (g *lgraph) fair(states []int32, ok func(e int32) bool, emit func([]int32) bool) {
	taken := make([]bool, g.nclass)
	var touched []int32 // the classes set in taken, to clear
	take := func(k int32) {
		if k >= 0 && !taken[k] {
			taken[k] = true
			touched = append(touched, k)
		}
	}
	reset := func() {
		for _, k := range touched {
			taken[k] = false
		}
		touched = touched[:0]
	}
	work := [][]int32{slices.Clone(states)}
	for len(work) > 0 {
		set := work[0]
		work = work[1:]
		stamp := g.newStamp(set)
		var comps [][]int32
		g.components(set, stamp, ok, func(c []int32) { comps = append(comps, slices.Clone(c)) })
		for _, c := range comps {
			slices.Sort(c)
			in := g.newStamp(c)
			for _, s := range c {
				for e := g.first[s]; e < g.first[s+1]; e++ {
					if g.mark[g.dst[e]] == in && ok(e) {
						take(g.cls[e])
						take(g.second(e))
					}
				}
			}
			if weakFairness {
				fair := g.weaklyFair(c, taken)
				reset()
				if fair && !emit(c) {
					return
				}
				continue
			}
			var rest []int32
			for _, s := range c {
				good := true
				for e := g.first[s]; e < g.first[s+1] && good; e++ {
					good = (g.cls[e] < 0 || taken[g.cls[e]]) && (g.second(e) < 0 || taken[g.second(e)])
				}
				if good {
					rest = append(rest, s)
				}
			}
			reset()
			if len(rest) == len(c) {
				if !emit(c) {
					return
				}
			} else if len(rest) > 0 {
				work = append(work, rest)
			}
		}
	}
}

// weaklyFair reports whether every class enabled in all states of c is
// taken inside c (weak fairness: then the cycle through all of c is
// fair; otherwise no cycle in c is).
func (g *lgraph) weaklyFair(c []int32, taken []bool) bool {
	count := map[int32]int{}
	for _, s := range c {
		seen := map[int32]bool{}
		for e := g.first[s]; e < g.first[s+1]; e++ {
			for _, k := range []int32{g.cls[e], g.second(e)} {
				if k >= 0 && !seen[k] {
					seen[k] = true
					count[k]++
				}
			}
		}
	}
	for k, n := range count {
		if n == len(c) && !taken[k] {
			return false
		}
	}
	return true
}

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
	via   map[int32]int32 // state -> edge it was reached by within W
	cost  int32           // the prefix length
	order int             // to break ties: the order candidates were found
	// obligation whose starvation this is, or -1
	obligation int
}

// checkLiveness runs the liveness check on a model whose safety search
// verified, and turns res into a violation or an incomplete run when it
// finds a lasso or passes a limit.
//
// recorded returns the graph the search recorded; without it (nil) the
// check explores the state space again, without symmetry reduction.
func checkLiveness(p *compile.Program, opt Options, start time.Time, inits []compile.State, res *Result, recorded func() *lgraph) {
	t0 := time.Now()
	var g *lgraph
	lim := ""
	if recorded != nil {
		g = recorded()
	} else {
		g, lim = buildGraph(p, opt, start, inits, res.States, res.Transitions)
	}
	if onGraph != nil {
		onGraph(g)
	}
	n := g.n()
	fig := &LivenessFigures{States: int64(len(g.parent)), Edges: int64(len(g.dst)), Bytes: g.bytes()}
	res.Liveness = fig
	defer func() { fig.Elapsed = time.Since(t0) }()
	if lim != "" {
		res.Verdict = Incomplete
		res.Limit = lim + " (liveness check; the safety search was complete)"
		return
	}
	g.mark = make([]int32, n)
	g.index = make([]int32, n)
	g.low = make([]int32, n)
	for i := range g.index {
		g.index[i] = -1
	}
	all := make([]int32, n)
	for i := range all {
		all[i] = int32(i)
	}
	anyEdge := func(int32) bool { return true }
	var cands []*lasso
	addCand := func(c *lasso) {
		c.order = len(cands)
		cands = append(cands, c)
	}

	// Starvation: fair components of the whole graph in which an
	// obligation stays pending.
	var fairAll [][]int32
	g.fair(all, anyEdge, func(c []int32) bool { fairAll = append(fairAll, c); return true })
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
		for o := T + D; o < g.nobl(); o++ {
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
				ok = func(e int32) bool { return g.cls[e] != entry }
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
		c.cost = g.depth[c.entry]
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
					addCand(&lasso{v: livenessViolation(lv, true), entry: s, cost: g.depth[s], obligation: -1})
					break
				}
			}
			for _, c := range fairAll {
				best := int32(-1)
				for _, s := range c {
					if notQ(s) && (best < 0 || g.depth[s] < g.depth[best]) {
						best = s
					}
				}
				if best >= 0 {
					addCand(&lasso{v: livenessViolation(lv, false), entry: best, comp: c, ok: anyEdge, cost: g.depth[best], obligation: -1})
					break
				}
			}
			continue
		}
		dist, via := g.reachWithin(seeds, notQ)
		// A run that ends while waiting.
		bestEnd := int32(-1)
		for s, d := range dist {
			if g.first[s] == g.first[s+1] && (bestEnd < 0 || d < dist[bestEnd] || d == dist[bestEnd] && s < bestEnd) {
				bestEnd = s
			}
		}
		if bestEnd >= 0 {
			addCand(&lasso{v: livenessViolation(lv, true), entry: bestEnd, via: via, cost: dist[bestEnd], obligation: -1})
		}
		var w []int32
		for s := range dist {
			if inFair[s] {
				w = append(w, s)
			}
		}
		slices.Sort(w)
		inW := func(e int32) bool { _, ok := dist[g.dst[e]]; return ok }
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
	tr := Replay(p, machine.New(p), inits[g.ptid[root]], append(g.treePath(path.start), path.edges...))
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

// livenessName is how a liveness declaration is named in messages.
func livenessName(lv *compile.Liveness) string {
	if lv.Name != "" {
		return "liveness " + lv.Name
	}
	return "liveness " + lv.Text
}

func livenessViolation(lv *compile.Liveness, ends bool) *machine.Violation {
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

// closest returns the state of c with the shortest BFS prefix (the
// lowest number among ties).
func (g *lgraph) closest(c []int32) int32 {
	best := c[0]
	for _, s := range c {
		if g.depth[s] < g.depth[best] || g.depth[s] == g.depth[best] && s < best {
			best = s
		}
	}
	return best
}

// reachWithin searches from seeds through states where in holds. A seed
// starts at its own BFS depth, so the distance of a state is the length
// of the shortest run that passes a seed and then stays in the set. It
// returns the distances and the edge each state was first reached by
// (-1 for a seed).
func (g *lgraph) reachWithin(seeds []int32, in func(int32) bool) (map[int32]int32, map[int32]int32) {
	dist := map[int32]int32{}
	via := map[int32]int32{}
	slices.SortStableFunc(seeds, func(a, b int32) int { return int(g.depth[a] - g.depth[b]) })
	var queue []int32
	k := 0
	for k < len(seeds) || len(queue) > 0 {
		var s int32
		if len(queue) == 0 || k < len(seeds) && g.depth[seeds[k]] <= dist[queue[0]] {
			s = seeds[k]
			k++
			if _, ok := dist[s]; ok {
				continue
			}
			dist[s], via[s] = g.depth[s], -1
		} else {
			s = queue[0]
			queue = queue[1:]
		}
		for e := g.first[s]; e < g.first[s+1]; e++ {
			d := g.dst[e]
			if _, ok := dist[d]; ok || !in(d) {
				continue
			}
			dist[d], via[d] = dist[s]+1, e
			queue = append(queue, d)
		}
	}
	return dist, via
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
	out := path{start: start}
	for _, e := range pre {
		out.edges = append(out.edges, g.trans(e))
	}
	loop := len(out.edges)
	for _, e := range g.cycle(c) {
		out.edges = append(out.edges, g.trans(e))
	}
	return out, loop
}

// src returns the source state of edge e.
func (g *lgraph) src(e int32) int32 {
	s, _ := slices.BinarySearch(g.first, e+1)
	return int32(s - 1)
}

// cycle builds a fair cycle through c.entry within c.comp: from the entry
// it walks to the nearest edge of each class that a visited state
// enables and the walk has not taken yet, then back to the entry, until
// nothing is owed. Every class enabled in a fair component is taken
// inside it, so the walk ends.
func (g *lgraph) cycle(c *lasso) []int32 {
	if c.comp == nil {
		return nil
	}
	in := g.newStamp(c.comp)
	ok := func(e int32) bool { return g.mark[g.dst[e]] == in && c.ok(e) }
	// Only classes taken somewhere inside can be owed: under strong
	// fairness that is every class enabled inside.
	inside := map[int32]bool{}
	for _, s := range c.comp {
		for e := g.first[s]; e < g.first[s+1]; e++ {
			if ok(e) {
				inside[g.cls[e]], inside[g.second(e)] = true, true
			}
		}
	}
	owed := map[int32]bool{}
	took := map[int32]bool{}
	visit := func(s int32) {
		for e := g.first[s]; e < g.first[s+1]; e++ {
			for _, k := range []int32{g.cls[e], g.second(e)} {
				if k >= 0 && !took[k] && inside[k] {
					owed[k] = true
				}
			}
		}
	}
	var out []int32
	take := func(e int32) {
		out = append(out, e)
		took[g.cls[e]] = true
		delete(owed, g.cls[e])
		if k := g.second(e); k >= 0 {
			took[k] = true
			delete(owed, k)
		}
		visit(g.dst[e])
	}
	cur := c.entry
	visit(cur)
	for len(out) == 0 || len(owed) > 0 || cur != c.entry {
		var want func(e int32) bool
		if len(owed) > 0 {
			want = func(e int32) bool { return owed[g.cls[e]] || g.second(e) >= 0 && owed[g.second(e)] }
		} else {
			want = func(e int32) bool { return g.dst[e] == c.entry }
		}
		steps := g.walk(cur, ok, want)
		for _, e := range steps {
			take(e)
		}
		cur = g.dst[steps[len(steps)-1]]
	}
	return out
}

// walk returns the shortest run from s over edges ok allows that ends
// with an edge want accepts (breadth first, edges in order).
func (g *lgraph) walk(s int32, ok, want func(e int32) bool) []int32 {
	via := map[int32]int32{s: -1}
	queue := []int32{s}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for e := g.first[u]; e < g.first[u+1]; e++ {
			if !ok(e) {
				continue
			}
			if want(e) {
				run := []int32{e}
				for x := u; via[x] >= 0; x = g.src(via[x]) {
					run = append(run, via[x])
				}
				slices.Reverse(run)
				return run
			}
			if _, seen := via[g.dst[e]]; !seen {
				via[g.dst[e]] = e
				queue = append(queue, g.dst[e])
			}
		}
	}
	panic("internal error: a fair component does not take an owed class")
}

// state rebuilds state id by replaying its BFS tree path.
func (g *lgraph) state(id int32) compile.State {
	m := machine.New(g.p)
	s := slices.Clone(g.inits[g.ptid[g.root(id)]])
	for _, want := range g.treePath(id) {
		var t int32 = -1
		m.Successors(s, func(sc *machine.Successor) bool {
			t++
			if t == want {
				copy(s, sc.Next)
				return false
			}
			return true
		})
	}
	return s
}

// root returns the initial state of s's BFS tree path.
func (g *lgraph) root(s int32) int32 {
	for g.parent[s] >= 0 {
		s = g.parent[s]
	}
	return s
}

// treePath returns the transition numbers from s's root to s.
func (g *lgraph) treePath(s int32) []int32 {
	var out []int32
	for ; g.parent[s] >= 0; s = g.parent[s] {
		out = append(out, g.ptid[s])
	}
	slices.Reverse(out)
	return out
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
	how := func(in *compile.Instr, moved bool) string {
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
		states := []compile.State{s}
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
