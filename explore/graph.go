package explore

import (
	"math/bits"
	"slices"
	"time"

	"github.com/irqcheck/irqcheck/machine"
)

// lgraph is the explicit state graph of a model.
type lgraph struct {
	p     *machine.Program
	inits []machine.State
	first []int32 // the edges of state s are first[s] .. first[s+1]-1
	dst   []int32
	// cls and clsHi hold each edge's fairness class as a dense number
	// (see dense): its low byte, and its high byte if the model has more
	// than 254 classes (clsHi is nil otherwise).
	cls   []uint8
	clsHi []uint8
	// seconds holds the other classes of an edge that yields and
	// switches to another thread or loads fresh (see extra). An edge does
	// not keep its transition number: the lasso's are found again (see
	// trans).
	seconds edgeClasses
	// The BFS tree, for the shortest prefixes: states are numbered level
	// by level, levels[k] the first of depth k. The parent links are
	// parent and ptid (a graph the liveness check explored itself), or
	// the safety search's store (a recorded graph).
	levels []int32
	parent []int32 // -1 for an initial state
	ptid   []int32 // the transition from the parent; for a root, the index of its initial state
	st     *store
	// obl holds, per state, owords words of bits: the obligations pending
	// there (see obligation numbers in newLGraph).
	obl    *bitRows
	owords int
	// props holds, per state, two bits per liveness declaration: P, Q.
	props  *bitRows
	pwords int

	nthreads, ndevices, ncpus int
	npending                  int // len(Layout.Pending)
	nclass                    int
	denseOf                   []uint16 // class -> dense number, noClass for a class the model cannot have
	fixedOf                   []int32  // dense number -> class
	wide                      bool     // more than 254 classes: two bytes per edge

	// Scratch for the component searches.
	marks     []uint64 // a bit per state: the marked set (see mark)
	markedSet []int32
	markedAll bool
	rindex    []int32 // see components
}

// The fairness classes: thread t is class t; device d is T+d; the
// handler of cpu c is T+D+c; interrupt entry of vector v on cpu c is
// T+D+N+256c+v, and the messages in flight to cpu c with vector v are
// T+D+N+256N+256c+v; the store buffer of cpu c (memory tso) is
// T+D+N+512N+c: a buffered store eventually reaches memory; and the
// fresh loads of cpu c (memory weak) are T+D+N+513N+c: a load that could
// read memory's newest write infinitely often does so infinitely often,
// so a CPU does not read behind memory for ever. Entry is fair per vector: a vector that could be
// taken infinitely often is taken infinitely often, even when a higher
// one keeps coming. The numbering is fixed, so that workers can class
// edges without sharing anything. A class is enabled in a state when the
// state has an edge of that class, and taken by the edges of that class.
// A thread is taken both by its own steps and by a switch to it.
func (g *lgraph) classOf(t *machine.Transition) (int32, int32) {
	c1, c2 := g.kindClass(t)
	if t.Fresh && c1 >= 0 {
		// A fresh load (memory weak) also takes its CPU's fresh class; a
		// yield's second class and it share the second word.
		f := g.freshClass(t.CPU)
		if c2 < 0 {
			return c1, f
		}
		return c1, c2 | (f+1)<<16
	}
	return c1, c2
}

// freshClass is the class of CPU c's fresh loads (memory weak).
func (g *lgraph) freshClass(c int32) int32 {
	return int32(g.nthreads+g.ndevices+g.ncpus+2*g.ncpus*machine.NumVectors+g.ncpus) + c
}

// kindClass is the class of transition t by its kind, and a yield's second.
func (g *lgraph) kindClass(t *machine.Transition) (int32, int32) {
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
	case machine.Flush:
		return int32(g.nthreads+g.ndevices+g.ncpus+2*g.ncpus*machine.NumVectors) + t.CPU, -1
	}
	return g.entryClass(t.CPU, t.Vector) + int32(g.ncpus)*machine.NumVectors, -1
}

// entryClass is the class of interrupt entries of vector v on cpu c.
func (g *lgraph) entryClass(c, v int32) int32 {
	return int32(g.nthreads+g.ndevices+g.ncpus) + c*machine.NumVectors + v
}

// Obligations: thread t (not forever) unfinished is obligation t; device
// d (not forever) unfinished is T+d; a handler running on cpu c is
// T+D+c; the k-th vector of Layout.Pending pending on cpu c is
// T+D+N+c*P+k. An obligation pending on every state of a fair cycle is
// starvation.
func (g *lgraph) nobl() int { return g.nthreads + g.ndevices + g.ncpus + g.ncpus*g.npending }

func (g *lgraph) pending(s int32, o int) bool { return g.obl.bit(s, o) }

func (g *lgraph) prop(s int32, k int) bool { return g.props.bit(s, k) }

func (g *lgraph) n() int { return len(g.first) - 1 }

// pendingVector returns the cpu and vector of a pending obligation.
func (g *lgraph) pendingVector(o int) (int32, int32) {
	k := o - g.nthreads - g.ndevices - g.ncpus
	return int32(k / g.npending), int32(g.p.Layout.Pending[k%g.npending])
}

// trans returns the transition numbers of a run of edges from state
// start: each edge's number in its source's successor order. It takes the
// successors of each state of the run again and picks the one the edge
// stands for: the successor state and the classes match, and among
// several edges alike it counts them in order.
func (g *lgraph) trans(start int32, edges []int32) []int32 {
	m := machine.New(g.p)
	s := g.state(start)
	src := start
	out := make([]int32, 0, len(edges))
	for _, e := range edges {
		d := g.dst[e]
		want := g.state(d)
		c1, c2 := g.class(e), g.rawExtra(e)
		alike := 0 // earlier edges of src that look the same
		for f := g.first[src]; f < e; f++ {
			if g.dst[f] == d && g.class(f) == c1 && g.rawExtra(f) == c2 {
				alike++
			}
		}
		var t, found int32 = -1, -1
		m.Successors(s, func(sc *machine.Successor) bool {
			t++
			if sc.Violation != nil {
				return true
			}
			if k1, k2 := g.classOf(&sc.T); k1 != c1 || k2 != c2 || !slices.Equal(sc.Next, want) {
				return true
			}
			if alike > 0 {
				alike--
				return true
			}
			found = t
			return false
		})
		if found < 0 {
			panic("internal error: an edge of the liveness graph is no transition of its state")
		}
		out = append(out, found)
		s, src = want, d
	}
	return out
}

// rawExtra is the second class of edge e as classOf returns it, or -1.
func (g *lgraph) rawExtra(e int32) int32 {
	return g.seconds.get(e)
}

// extra returns the other classes of edge e, -1 for none: the thread a
// yield switched to, or the CPU of a fresh load (memory weak), or both.
func (g *lgraph) extra(e int32) (int32, int32) {
	k := g.seconds.get(e)
	if k < 0 {
		return -1, -1
	}
	return k & 0xffff, k>>16 - 1
}

// noClass is the dense number of an edge that belongs to no class: all
// ones, in one byte or in two.
const noClass = 0xffff

// class is the fairness class of edge e, or -1.
func (g *lgraph) class(e int32) int32 {
	d := uint16(g.cls[e])
	if g.clsHi != nil {
		d |= uint16(g.clsHi[e]) << 8
	} else if d == 0xff {
		d = noClass
	}
	switch {
	case d == noClass:
		return -1
	case g.fixedOf == nil: // a graph built by a test: dense is fixed
		return int32(d)
	}
	return g.fixedOf[d]
}

// addClass appends the class of the next edge: c, or -1 for none.
func (g *lgraph) addClass(c int32) {
	d := g.dense(c)
	g.cls = append(g.cls, uint8(d))
	if g.wide {
		g.clsHi = append(g.clsHi, uint8(d>>8))
	}
}

// depthOf is the depth of state s in the BFS tree.
func (g *lgraph) depthOf(s int32) int32 {
	k, found := slices.BinarySearch(g.levels, s)
	if !found {
		k--
	}
	return int32(k)
}

// parentOf is s's parent in the BFS tree, or -1 for an initial state.
func (g *lgraph) parentOf(s int32) int32 {
	if g.parent != nil {
		return g.parent[s]
	}
	return g.st.parent(s)
}

// ptidOf is the transition from s's parent to s; for an initial state,
// its index among the initial states.
func (g *lgraph) ptidOf(s int32) int32 {
	if g.ptid != nil {
		return g.ptid[s]
	}
	return g.st.tid(s)
}

// dense is the dense number of class c (-1: none). The classes a model
// can have are numbered densely, so that a model with at most 254 of them
// (every model of a few CPUs) stores an edge's class in one byte.
func (g *lgraph) dense(c int32) uint16 {
	if c < 0 {
		return noClass
	}
	return g.denseOf[c]
}

// numberClasses numbers densely the classes the model can have: every
// thread, device and handler, interrupt entry and messages in flight of
// each vector that can be pending on each cpu, under memory tso and weak
// each cpu's store buffer, and under weak each cpu's observing.
func (g *lgraph) numberClasses(l *machine.Layout) {
	g.denseOf = make([]uint16, g.nclass)
	for i := range g.denseOf {
		g.denseOf[i] = noClass
	}
	add := func(c int32) {
		g.denseOf[c] = uint16(len(g.fixedOf))
		g.fixedOf = append(g.fixedOf, c)
	}
	for c := 0; c < g.nthreads+g.ndevices+g.ncpus; c++ {
		add(int32(c))
	}
	for c := int32(0); c < int32(g.ncpus); c++ {
		for _, v := range l.Pending {
			e := g.entryClass(c, int32(v))
			add(e)
			add(e + int32(g.ncpus)*machine.NumVectors)
		}
	}
	if l.SBSize > 0 {
		for c := 0; c < g.ncpus; c++ {
			add(int32(g.nthreads + g.ndevices + g.ncpus + 2*g.ncpus*machine.NumVectors + c))
		}
	}
	if l.Weak {
		for c := 0; c < g.ncpus; c++ {
			add(int32(g.nthreads + g.ndevices + g.ncpus + 2*g.ncpus*machine.NumVectors + g.ncpus + c))
		}
	}
	g.wide = len(g.fixedOf) > 0xfe
}

// newLGraph returns an empty graph of p's states: its classes and the
// sizes of its per-state bit sets are set.
func newLGraph(p *machine.Program, inits []machine.State) *lgraph {
	l := p.Layout
	g := &lgraph{p: p, inits: inits, nthreads: len(l.Threads), ndevices: len(l.Devices), ncpus: l.NCPUs, npending: len(l.Pending)}
	g.nclass = g.nthreads + g.ndevices + g.ncpus + 2*g.ncpus*machine.NumVectors + 2*g.ncpus
	if g.nclass >= noClass {
		// The layout's bound on slots keeps threads and devices far fewer.
		panic("internal error: too many fairness classes for 16 bits")
	}
	g.numberClasses(l)
	g.owords = (g.nobl() + 63) / 64
	g.pwords = (2*len(p.Liveness) + 63) / 64
	g.obl, g.props = newBitRows(g.owords), newBitRows(g.pwords)
	return g
}

// buildGraph explores the state space breadth first and keeps every
// edge. It stops with a limit's name when opt's limits are passed.
//
// states and edges are the counts the safety search found: exact without
// symmetry reduction, a lower bound with it; the arrays start that big.
func buildGraph(p *machine.Program, opt Options, start time.Time, inits []machine.State, states, edges int64) (*lgraph, string) {
	l := p.Layout
	g := newLGraph(p, inits)
	g.first = make([]int32, 0, states+1)
	g.parent, g.ptid = make([]int32, 0, states), make([]int32, 0, states)
	g.dst, g.cls = make([]int32, 0, edges), make([]uint8, 0, edges)
	m := machine.New(p)
	cd := newCodec(l)
	ids := make(map[uint64]int32, states)
	var queue []byte // encoded states not yet expanded, in id order
	head := 0
	add := func(s machine.State, parent, tid int32, depth int32) int32 {
		fp := Fingerprint(s)
		if id, ok := ids[fp]; ok {
			return id
		}
		id := int32(len(g.parent))
		ids[fp] = id
		g.parent = append(g.parent, parent)
		g.ptid = append(g.ptid, tid)
		if int(depth) == len(g.levels) {
			g.levels = append(g.levels, id)
		}
		queue = cd.append(queue, s)
		return id
	}
	for i, s := range inits {
		add(s, -1, int32(i), 0)
	}
	s := make(machine.State, l.Size)
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
			to := add(sc.Next, id, t, g.depthOf(id)+1)
			g.dst = append(g.dst, to)
			e := int32(len(g.dst) - 1)
			g.addClass(c1)
			if c2 >= 0 {
				g.seconds.add(e, c2)
			}
			return true
		})
		g.first = append(g.first, int32(len(g.dst)))
	}
	g.obl.done()
	g.props.done()
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
	return int64(cap(g.dst))*4 + int64(cap(g.cls)+cap(g.clsHi)) + g.seconds.bytes() +
		int64(cap(g.first)+cap(g.parent)+cap(g.ptid)+cap(g.levels))*4 +
		g.obl.bytes() + g.props.bytes()
}

// record computes the obligations and liveness predicates of s, the
// state with the next id.
func (g *lgraph) record(m *machine.Machine, s machine.State) {
	obl, props := make([]uint64, g.owords), make([]uint64, g.pwords)
	g.bits(m, s, obl, props)
	g.obl.add(obl)
	g.props.add(props)
}

// bits sets in obl the obligations pending in s, and in props its
// liveness predicates (P, Q of each declaration); both start cleared.
func (g *lgraph) bits(m *machine.Machine, s machine.State, obl, props []uint64) {
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

// src returns the source state of edge e.
func (g *lgraph) src(e int32) int32 {
	s, _ := slices.BinarySearch(g.first, e+1)
	return int32(s - 1)
}

// state rebuilds state id by replaying its BFS tree path.
func (g *lgraph) state(id int32) machine.State {
	m := machine.New(g.p)
	s := slices.Clone(g.inits[g.ptidOf(g.root(id))])
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
	for p := g.parentOf(s); p >= 0; p = g.parentOf(s) {
		s = p
	}
	return s
}

// treePath returns the transition numbers from s's root to s.
func (g *lgraph) treePath(s int32) []int32 {
	var out []int32
	for p := g.parentOf(s); p >= 0; s, p = p, g.parentOf(p) {
		out = append(out, g.ptidOf(s))
	}
	slices.Reverse(out)
	return out
}

// edgeClasses holds the second classes of the edges that have one, added
// in the order of the edges: a bit per edge says whether it has one, and
// the classes of those that do follow in edge order, so that an edge's
// is found by counting the bits before it. Under memory weak most fresh
// loads have one: a map would cost more than the rest of the graph.
type edgeClasses struct {
	has  []uint64 // bit per edge, up to the last edge with a class
	rank []int32  // per word of has: the classes before its first edge
	cls  []int32
}

// add gives edge e the second class c; e must follow every edge added.
func (x *edgeClasses) add(e, c int32) {
	for int(e/64) >= len(x.has) {
		x.has = append(x.has, 0)
		x.rank = append(x.rank, int32(len(x.cls)))
	}
	x.has[e/64] |= 1 << (e % 64)
	x.cls = append(x.cls, c)
}

// get returns the second class of edge e, or -1.
func (x *edgeClasses) get(e int32) int32 {
	w := int(e / 64)
	if w >= len(x.has) || x.has[w]&(1<<(e%64)) == 0 {
		return -1
	}
	return x.cls[x.rank[w]+int32(bits.OnesCount64(x.has[w]&(1<<(e%64)-1)))]
}

func (x *edgeClasses) bytes() int64 {
	return int64(cap(x.has))*8 + int64(cap(x.rank)+cap(x.cls))*4
}
