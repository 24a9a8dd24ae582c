package explore

import "slices"

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
						take(g.class(e))
						k2, k3 := g.extra(e)
						take(k2)
						take(k3)
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
					k2, k3 := g.extra(e)
					good = (g.class(e) < 0 || taken[g.class(e)]) && (k2 < 0 || taken[k2]) && (k3 < 0 || taken[k3])
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
	in := g.newStamp(c.comp)
	ok := func(e int32) bool { return g.mark[g.dst[e]] == in && c.ok(e) }
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
