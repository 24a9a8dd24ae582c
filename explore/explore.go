// Package explore searches the state space of a compiled model breadth
// first, so that the first violation found has a shortest trace, and
// rebuilds that trace by replaying transitions from the initial state.
//
// The search is level-synchronous and parallel: workers expand chunks of
// the current level, the fingerprint set is sharded so that workers insert
// into disjoint shards, and new states are numbered in the order a single
// worker would have found them. The verdict, the state count and the trace
// are the same for any number of workers.
package explore

import (
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/machine"
)

// Verdict is the outcome of a run.
type Verdict string

// The verdicts.
const (
	Verified   Verdict = "verified"
	Violated   Verdict = "violation"
	Incomplete Verdict = "incomplete"
)

// Options bound a run. Zero means no limit.
type Options struct {
	MaxStates int64
	MaxDepth  int
	Time      time.Duration
	MaxMemory int64 // bytes of state storage (store and frontier)
	Workers   int   // 0: one per CPU
	// NoSymmetry explores a symmetric model without symmetry reduction.
	NoSymmetry bool
}

// Result is the outcome of a run with its figures.
type Result struct {
	Verdict     Verdict
	Limit       string // the limit that ended an incomplete run
	Violation   *machine.Violation
	Trace       *Trace // the shortest trace to the violation
	States      int64  // distinct states stored
	Transitions int64  // transitions generated
	Depth       int    // deepest level reached (the trace length for a violation)
	Elapsed     time.Duration
	Workers     int
	StoreBytes  int64 // bytes held by the fingerprint set and parent links
	PeakBytes   int64 // most bytes held at once by store, frontiers and candidates
}

// Outcome is the verdict as one phrase, the form a catalog header's
// expect line takes: "verified", "violation KIND" or "incomplete LIMIT".
func (r *Result) Outcome() string {
	switch r.Verdict {
	case Violated:
		return "violation " + string(r.Violation.Kind)
	case Incomplete:
		return "incomplete " + r.Limit
	}
	return string(r.Verdict)
}

// BytesPerState is the store's cost of one state, parent link included.
func (r *Result) BytesPerState() float64 {
	if r.States == 0 {
		return 0
	}
	return float64(r.StoreBytes) / float64(r.States)
}

// found is a violation with where it was found.
type found struct {
	v     *machine.Violation
	state int32 // the state it was found in (terminal, invariant) or from (a transition)
	tid   int32 // the transition that raised it, or -1
	depth int
}

// candidateBytes is the size of a candidate record, for memory accounting.
const candidateBytes = 32

// chunkSize is the number of frontier states a worker takes at a time.
const chunkSize = 128

// candidate is a successor that was not in the store when its level began.
type candidate struct {
	fp     uint64
	parent int32
	tid    int32
	bad    *machine.Violation // the state breaks an invariant
	isNew  bool               // set by the shard owner: first of its kind
}

// chunk holds what a worker found expanding frontier[lo:hi].
type chunk struct {
	lo, hi      int
	cands       []candidate
	states      []int32 // candidate states, back to back
	transitions int64
	// The first violation in enumeration order: a transition violation at
	// the next depth, or (terminal) one at this depth.
	deeper   *found
	deeperAt int // candidate index before which deeper was found
	terminal *found
	newCount int
}

// Explore checks p exhaustively within the limits of opt.
func Explore(p *compile.Program, opt Options) *Result {
	start := time.Now()
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	res := &Result{Workers: workers}
	size := p.Layout.Size
	ms := make([]*machine.Machine, workers)
	for i := range ms {
		ms[i] = machine.New(p)
	}
	sym := p.Symmetry
	if opt.NoSymmetry {
		sym = nil
	}
	fps := make([]fingerprinter, workers)
	for i := range fps {
		fps[i] = newFingerprinter(sym, size)
	}
	m := ms[0]

	inits, v := m.InitialStates()
	if v == nil && p.Symmetry != nil {
		v = asymmetricInit(p, inits)
	}
	if v != nil {
		res.Verdict = Violated
		res.Violation = v
		res.Trace = &Trace{}
		res.Elapsed = time.Since(start)
		return res
	}

	st := newStore()
	var frontier, next []int32
	var ids, nextIDs []int32
	var best *found
	for i, s := range inits {
		fp := fps[0].of(s)
		if !st.insert(fp) {
			continue
		}
		id := st.add(-1, int32(i))
		next = append(next, s...)
		nextIDs = append(nextIDs, id)
		if best == nil {
			if v := m.CheckInvariants(s); v != nil {
				best = &found{v: v, state: id, tid: -1, depth: 0}
			}
		}
	}

	depth := 0
	var limit string
	var chunks []*chunk
	for len(nextIDs) > 0 && best == nil && limit == "" {
		frontier, next = next, frontier[:0]
		ids, nextIDs = nextIDs, ids[:0]
		if opt.MaxDepth > 0 && depth >= opt.MaxDepth {
			limit = "max-depth"
			break
		}
		n := len(ids)
		nchunks := (n + chunkSize - 1) / chunkSize
		for len(chunks) < nchunks {
			chunks = append(chunks, &chunk{})
		}
		level := chunks[:nchunks]
		for i, c := range level {
			c.lo, c.hi = i*chunkSize, min((i+1)*chunkSize, n)
			c.cands, c.states = c.cands[:0], c.states[:0]
			c.transitions, c.deeper, c.terminal, c.newCount = 0, nil, nil, 0
		}

		// Phase 1: expand the level in parallel. Successors already in
		// the store (from earlier levels) are dropped here; the store is
		// only read in this phase.
		var nextChunk atomic.Int64
		var stop, memUp atomic.Bool
		var levelBytes atomic.Int64
		fixedBytes := st.bytes() + int64(4*(cap(frontier)+cap(next)))
		parallel(workers, func(w int) {
			mw := ms[w]
			for !stop.Load() {
				ci := int(nextChunk.Add(1) - 1)
				if ci >= nchunks {
					return
				}
				c := level[ci]
				expand(p, mw, fps[w], st, frontier, ids, size, depth, c)
				if c.terminal != nil {
					// A violation at this depth: chunks after this one
					// cannot beat it, and every chunk before it has been
					// taken and will finish.
					stop.Store(true)
				}
				if opt.Time > 0 && ci%64 == 0 && time.Since(start) > opt.Time {
					stop.Store(true)
				}
				if opt.MaxMemory > 0 {
					// The candidates of a wide level can outgrow the
					// budget before the level ends: count them as they
					// come, and watch the heap itself now and then.
					held := levelBytes.Add(int64(4*cap(c.states)) + int64(cap(c.cands))*candidateBytes)
					if fixedBytes+held > opt.MaxMemory || ci%16 == 0 && heapBytes() > opt.MaxMemory {
						memUp.Store(true)
						stop.Store(true)
					}
				}
			}
		})
		// The first terminal violation in frontier order wins outright.
		for _, c := range level {
			if c.terminal != nil {
				best = c.terminal
				break
			}
		}
		if best == nil && stop.Load() {
			// Stopped by the clock or the memory budget (a terminal
			// violation would be best).
			limit = "time"
			if memUp.Load() {
				limit = "mem"
			}
			break
		}
		if best != nil {
			break
		}
		for _, c := range level {
			res.Transitions += c.transitions
		}

		// Phase 2: worker w owns the shards sh with sh % workers == w and
		// inserts their candidates in level order, marking the first of
		// each state as new. One pass over the candidates per worker.
		parallel(workers, func(w int) {
			for _, c := range level {
				for i := range c.cands {
					cd := &c.cands[i]
					if sh := shardOf(cd.fp); sh%workers == w {
						cd.isNew = st.shards[sh].insert(cd.fp)
					}
				}
			}
		})

		// Phase 3: number the new states in order, stopping at the first
		// violation found one level down.
		var deeper *found
		for _, c := range level {
			for i := range c.cands {
				cd := &c.cands[i]
				if c.deeper != nil && i == c.deeperAt && deeper == nil {
					deeper = c.deeper
				}
				if !cd.isNew {
					continue
				}
				if opt.MaxStates > 0 && st.count() >= opt.MaxStates {
					limit = "max-states"
					break
				}
				id := st.add(cd.parent, cd.tid)
				next = append(next, c.states[i*size:(i+1)*size]...)
				nextIDs = append(nextIDs, id)
				if cd.bad != nil && deeper == nil {
					deeper = &found{v: cd.bad, state: id, tid: -1, depth: depth + 1}
				}
			}
			if c.deeper != nil && c.deeperAt >= len(c.cands) && deeper == nil {
				deeper = c.deeper
			}
			if limit != "" {
				break
			}
		}
		best = deeper
		if opt.MaxMemory > 0 && (st.bytes()+int64(4*(cap(frontier)+cap(next))) > opt.MaxMemory || heapBytes() > opt.MaxMemory) {
			limit = "mem"
		}
		if opt.Time > 0 && time.Since(start) > opt.Time {
			limit = "time"
		}
		peak := st.bytes() + int64(4*(cap(frontier)+cap(next)))
		for _, c := range level {
			peak += int64(4*cap(c.states)) + int64(cap(c.cands))*candidateBytes
		}
		res.PeakBytes = max(res.PeakBytes, peak)
		if len(nextIDs) > 0 && best == nil {
			depth++
		}
	}
	res.States = st.count()
	res.Depth = depth
	res.StoreBytes = st.bytes()
	switch {
	case best != nil:
		res.Verdict = Violated
		res.Violation = best.v
		res.Depth = best.depth
		res.Trace = rebuild(p, m, inits, st.parent, st.tid, best)
	case limit != "":
		res.Verdict = Incomplete
		res.Limit = limit
	default:
		res.Verdict = Verified
	}
	res.Elapsed = time.Since(start)
	return res
}

// expand generates the successors of frontier states c.lo..c.hi.
func expand(p *compile.Program, m *machine.Machine, fpr fingerprinter, st *store, frontier, ids []int32, size, depth int, c *chunk) {
	checkInv := len(p.Invariants) > 0
	for k := c.lo; k < c.hi; k++ {
		s := compile.State(frontier[k*size : (k+1)*size])
		id := ids[k]
		var t int32 = -1
		m.Successors(s, func(sc *machine.Successor) bool {
			t++
			c.transitions++
			if sc.Violation != nil {
				if c.deeper == nil {
					c.deeper = &found{v: sc.Violation, state: id, tid: t, depth: depth + 1}
					c.deeperAt = len(c.cands)
				}
				return true
			}
			fp := fpr.of(sc.Next)
			if st.contains(fp) {
				return true
			}
			cd := candidate{fp: fp, parent: id, tid: t}
			if checkInv && c.deeper == nil {
				cd.bad = m.CheckInvariants(sc.Next)
			}
			c.cands = append(c.cands, cd)
			c.states = append(c.states, sc.Next...)
			return true
		})
		if t < 0 { // terminal
			if v := m.Terminal(s); v != nil {
				c.terminal = &found{v: v, state: id, tid: -1, depth: depth}
				return
			}
		}
	}
}

// fingerprinter hashes states, modulo the model's symmetry if it has one:
// the stored state is the one found first, the fingerprint that of its
// canonical form, so traces keep the real CPU numbers.
type fingerprinter struct {
	sym            *compile.Symmetry
	canon, scratch compile.State
}

func newFingerprinter(sym *compile.Symmetry, size int) fingerprinter {
	f := fingerprinter{sym: sym}
	if sym != nil {
		f.canon = make(compile.State, size)
		f.scratch = make(compile.State, size)
	}
	return f
}

func (f fingerprinter) of(s compile.State) uint64 {
	if f.sym == nil {
		return Fingerprint(s)
	}
	f.sym.Canonical(s, f.canon, f.scratch)
	return Fingerprint(f.canon)
}

// asymmetricInit checks that the initial states of a symmetric model are
// closed under its permutations: init may name CPUs by number, so this is
// where an asymmetric one (a handler registered on some CPUs only) is
// caught.
func asymmetricInit(p *compile.Program, inits []compile.State) *machine.Violation {
	sym := p.Symmetry
	img := make(compile.State, p.Layout.Size)
	for _, s := range inits {
		for k := 0; k < sym.Permutations()-1; k++ {
			sym.Apply(k, s, img)
			found := false
			for _, o := range inits {
				if slices.Equal(o, img) {
					found = true
					break
				}
			}
			if !found {
				pos := p.Name
				if p.Init != nil {
					return &machine.Violation{Kind: machine.Runtime, Pos: p.Init.Pos, CPU: -1, Vector: -1,
						Msg: "init is not symmetric: renaming the CPUs of the initial state gives a state init cannot produce (register handlers and set per-CPU data on every CPU alike)"}
				}
				return &machine.Violation{Kind: machine.Runtime, CPU: -1, Vector: -1,
					Msg: pos + ": the initial state is not symmetric (initial values differ between CPUs)"}
			}
		}
	}
	return nil
}

// heapBytes is the memory held by Go heap objects, live or not yet swept.
func heapBytes() int64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(sample[0].Value.Uint64())
}

// parallel runs f(0..n-1) on n goroutines and waits for them; with n == 1
// it runs f(0) on the calling goroutine.
func parallel(n int, f func(w int)) {
	if n == 1 {
		f(0)
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			f(w)
		}(w)
	}
	wg.Wait()
}
