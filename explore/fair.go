package explore

import (
	"iter"
	"math"
	"slices"
)

// components calls emit with each strongly connected component of the
// subgraph induced by states (nil: every state; they must be the marked
// set, see mark) over the edges ok allows, leaving out those without a cycle: a
// single state without a self-loop. Components come in the order of
// Tarjan's algorithm; this is Pearce's variant of it ("A space-efficient
// algorithm for finding strongly connected components", IPL 2016), made
// iterative, which keeps one number per state instead of two: rindex[s]
// is 0 before s is visited, its visit number (from 1) while it is on the
// DFS path or the stack, lowered to the least visit number it reaches,
// and once its component is done, that component's number, counting down
// from the largest int32, above every visit number.
func (g *lgraph) components(states []int32, ok func(e int32) bool, emit func([]int32)) {
	// A frame of the DFS path: a state and its next edge, whose top bit
	// says that some edge from the state's subtree reaches a state
	// visited before it (so it roots no component).
	type frame struct {
		s int32
		e uint32
	}
	const notRoot = 1 << 31
	var call blockStack[frame]
	var stack blockStack[int32]
	var comp []int32
	next := int32(1)
	done := int32(math.MaxInt32)
	visit := func(s int32) {
		g.rindex[s] = next
		next++
		call.push(frame{s, uint32(g.first[s])})
	}
	n := len(states)
	if states == nil {
		n = g.n()
	}
	for i := range n {
		root := int32(i)
		if states != nil {
			root = states[i]
		}
		if g.rindex[root] != 0 {
			continue
		}
		visit(root)
		for call.len() > 0 {
			f := call.top()
			s := f.s
			if e := int32(f.e &^ notRoot); e < g.first[s+1] {
				f.e++
				d := g.dst[e]
				if !g.marked(d) || !ok(e) {
					continue
				}
				if g.rindex[d] == 0 {
					visit(d)
				} else if g.rindex[d] < g.rindex[s] {
					g.rindex[s] = g.rindex[d]
					f.e |= notRoot
				}
				continue
			}
			isRoot := f.e&notRoot == 0
			call.pop()
			if isRoot {
				comp = append(comp[:0], s)
				for stack.len() > 0 && g.rindex[s] <= g.rindex[*stack.top()] {
					top := *stack.top()
					stack.pop()
					g.rindex[top] = done
					comp = append(comp, top)
				}
				g.rindex[s] = done
				done--
				if len(comp) > 1 || g.selfLoop(s, ok) {
					emit(comp)
				}
			} else {
				stack.push(s)
			}
			if call.len() > 0 {
				if p := call.top(); g.rindex[s] < g.rindex[p.s] {
					g.rindex[p.s] = g.rindex[s]
					p.e |= notRoot
				}
			}
		}
	}
	if states == nil {
		clear(g.rindex)
		return
	}
	for _, s := range states {
		g.rindex[s] = 0
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

// mark makes states (nil: every state) the marked set, in place of the
// one marked before, which must not have changed since.
func (g *lgraph) mark(states []int32) {
	if g.marks == nil {
		g.marks = make([]uint64, (g.n()+63)/64)
	}
	g.unmark()
	g.markedSet, g.markedAll = states, states == nil
	if states == nil {
		for i := range g.marks {
			g.marks[i] = ^uint64(0)
		}
		return
	}
	for _, s := range states {
		g.marks[s/64] |= 1 << (s % 64)
	}
}

// unmark empties the marked set.
func (g *lgraph) unmark() {
	if g.markedAll {
		clear(g.marks)
	} else {
		for _, s := range g.markedSet {
			g.marks[s/64] &^= 1 << (s % 64)
		}
	}
	g.markedSet, g.markedAll = nil, false
}

// marked reports whether s is in the marked set.
func (g *lgraph) marked(s int32) bool { return g.marks[s/64]&(1<<(s%64)) != 0 }

// fair calls emit with every fair component within states (nil: every
// state; fair keeps the slice, and does not change it) over the
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
	work := [][]int32{states}
	for len(work) > 0 {
		set := work[0]
		work = work[1:]
		g.mark(set)
		var comps compList
		g.components(set, ok, comps.add)
		for c := range comps.all() {
			slices.Sort(c)
			g.mark(c)
			for _, s := range c {
				for e := g.first[s]; e < g.first[s+1]; e++ {
					if g.marked(g.dst[e]) && ok(e) {
						take(g.class(e))
						k2, k3 := g.extra(e)
						take(k2)
						take(k3)
					}
				}
			}
			g.unmark()
			if weakFairness {
				fair := g.weaklyFair(c, taken)
				reset()
				if fair && !emit(slices.Clone(c)) {
					return
				}
				continue
			}
			rest := c[:0] // c is read ahead of where rest is written; rest stays in c's place
			for _, s := range c {
				good := true
				for e := g.first[s]; e < g.first[s+1] && good; e++ {
					k2, k3 := g.extra(e)
					good = (g.class(e) < 0 || taken[g.class(e)]) && (k2 < 0 || taken[k2]) && (k3 < 0 || taken[k3])
				}
				if good {
					rest = append(rest, s)
				}
			}
			reset()
			if len(rest) == len(c) {
				if !emit(slices.Clone(c)) {
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
			k2, k3 := g.extra(e)
			for _, k := range []int32{g.class(e), k2, k3} {
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

// closest returns the state of c with the shortest BFS prefix (the
// lowest number among ties).
func (g *lgraph) closest(c []int32) int32 {
	best := c[0]
	for _, s := range c {
		if g.depthOf(s) < g.depthOf(best) || g.depthOf(s) == g.depthOf(best) && s < best {
			best = s
		}
	}
	return best
}

// reachWithin searches from seeds through states where in holds. A seed
// starts at its own BFS depth, so the distance of a state is the length
// of the shortest run that passes a seed and then stays in the set. It
// returns the distances, -1 for a state not reached, and the edge each
// state was first reached by (-1 for a seed).
func (g *lgraph) reachWithin(seeds []int32, in func(int32) bool) (dist, via []int32) {
	dist, via = make([]int32, g.n()), make([]int32, g.n())
	for i := range dist {
		dist[i], via[i] = -1, -1
	}
	slices.SortStableFunc(seeds, func(a, b int32) int { return int(g.depthOf(a) - g.depthOf(b)) })
	var queue []int32
	k := 0
	for k < len(seeds) || len(queue) > 0 {
		var s int32
		if len(queue) == 0 || k < len(seeds) && g.depthOf(seeds[k]) <= dist[queue[0]] {
			s = seeds[k]
			k++
			if dist[s] >= 0 {
				continue
			}
			dist[s] = g.depthOf(s)
		} else {
			s = queue[0]
			queue = queue[1:]
		}
		for e := g.first[s]; e < g.first[s+1]; e++ {
			d := g.dst[e]
			if dist[d] >= 0 || !in(d) {
				continue
			}
			dist[d], via[d] = dist[s]+1, e
			queue = append(queue, d)
		}
	}
	return dist, via
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
	g.mark(c.comp)
	ok := func(e int32) bool { return g.marked(g.dst[e]) && c.ok(e) }
	// Only classes taken somewhere inside can be owed: under strong
	// fairness that is every class enabled inside.
	inside := map[int32]bool{}
	for _, s := range c.comp {
		for e := g.first[s]; e < g.first[s+1]; e++ {
			if ok(e) {
				k2, k3 := g.extra(e)
				inside[g.class(e)], inside[k2], inside[k3] = true, true, true
			}
		}
	}
	owed := map[int32]bool{}
	took := map[int32]bool{}
	visit := func(s int32) {
		for e := g.first[s]; e < g.first[s+1]; e++ {
			k2, k3 := g.extra(e)
			for _, k := range []int32{g.class(e), k2, k3} {
				if k >= 0 && !took[k] && inside[k] {
					owed[k] = true
				}
			}
		}
	}
	var out []int32
	take := func(e int32) {
		out = append(out, e)
		took[g.class(e)] = true
		delete(owed, g.class(e))
		k2, k3 := g.extra(e)
		for _, k := range []int32{k2, k3} {
			if k >= 0 {
				took[k] = true
				delete(owed, k)
			}
		}
		visit(g.dst[e])
	}
	cur := c.entry
	visit(cur)
	for len(out) == 0 || len(owed) > 0 || cur != c.entry {
		var want func(e int32) bool
		if len(owed) > 0 {
			want = func(e int32) bool {
				k2, k3 := g.extra(e)
				return owed[g.class(e)] || k2 >= 0 && owed[k2] || k3 >= 0 && owed[k3]
			}
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

// blockStack is a stack kept in blocks of a fixed size: a deep search's
// stack grows without copying itself, so it leaves no garbage behind.
type blockStack[T any] struct {
	blocks [][]T
	n      int
}

const stackBlock = 1 << 14

func (bs *blockStack[T]) len() int { return bs.n }

func (bs *blockStack[T]) push(v T) {
	if bs.n == len(bs.blocks)*stackBlock {
		bs.blocks = append(bs.blocks, make([]T, stackBlock))
	}
	bs.blocks[bs.n/stackBlock][bs.n%stackBlock] = v
	bs.n++
}

// top returns the top element, which must exist.
func (bs *blockStack[T]) top() *T {
	k := bs.n - 1
	return &bs.blocks[k/stackBlock][k%stackBlock]
}

func (bs *blockStack[T]) pop() { bs.n-- }

// compList holds components back to back, each after its length, in
// blocks that no component spans: most components are small, and a slice
// each would cost more than their states.
type compList struct{ blocks [][]int32 }

const compBlock = 1 << 14

// add appends a copy of c.
func (cl *compList) add(c []int32) {
	need := len(c) + 1
	if k := len(cl.blocks) - 1; k < 0 || cap(cl.blocks[k])-len(cl.blocks[k]) < need {
		cl.blocks = append(cl.blocks, make([]int32, 0, max(compBlock, need)))
	}
	b := &cl.blocks[len(cl.blocks)-1]
	*b = append(*b, int32(len(c)))
	*b = append(*b, c...)
}

// all yields the components in order, each in its place in the list.
func (cl *compList) all() iter.Seq[[]int32] {
	return func(yield func([]int32) bool) {
		for _, b := range cl.blocks {
			for len(b) > 0 {
				n := int(b[0])
				if !yield(b[1 : 1+n : 1+n]) {
					return
				}
				b = b[1+n:]
			}
		}
	}
}
