// Package explore searches the state space of a compiled model breadth
// first, so that the first violation found has a shortest trace, and
// rebuilds that trace by replaying transitions from the initial state.
package explore

import (
	"runtime"
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
}

// Result is the outcome of a run with its figures.
type Result struct {
	Verdict     Verdict
	Limit       string // the limit that ended an incomplete run
	Violation   *machine.Violation
	Trace       *Trace // the shortest trace to the violation
	States      int64  // distinct states stored
	Transitions int64  // transitions generated
	Depth       int    // deepest level reached
	Elapsed     time.Duration
	StoreBytes  int64 // bytes held by the fingerprint set and parent links
	PeakHeap    uint64
}

// found is a violation with where it was found.
type found struct {
	v     *machine.Violation
	state int32 // the state it was found in (terminal, invariant) or from (a transition)
	tid   int32 // the transition that raised it, or -1
	depth int
}

// Explore checks p exhaustively within the limits of opt.
func Explore(p *compile.Program, opt Options) *Result {
	start := time.Now()
	m := machine.New(p)
	res := &Result{}
	size := p.Layout.Size

	inits, v := m.InitialStates()
	if v != nil {
		res.Verdict = Violated
		res.Violation = v
		res.Trace = &Trace{}
		res.Elapsed = time.Since(start)
		return res
	}

	set := newFPSet(1 << 16)
	var parent []int32 // per state: its parent, or -1 for an initial state
	var tid []int32    // per state: the transition from its parent (or initial index)
	var frontier, next []int32
	var ids, nextIDs []int32 // state numbers of frontier entries

	var best *found
	add := func(s compile.State, par, t int32) (int32, bool) {
		if !set.insert(Fingerprint(s)) {
			return 0, false
		}
		id := int32(len(parent))
		parent = append(parent, par)
		tid = append(tid, t)
		next = append(next, s...)
		nextIDs = append(nextIDs, id)
		return id, true
	}
	for i, s := range inits {
		id, ok := add(s, -1, int32(i))
		if ok && best == nil {
			if v := m.CheckInvariants(s); v != nil {
				best = &found{v: v, state: id, tid: -1, depth: 0}
			}
		}
	}
	depth := 0
	checkEvery := 0
	var limit string
	for len(nextIDs) > 0 && best == nil && limit == "" {
		frontier, next = next, frontier[:0]
		ids, nextIDs = nextIDs, ids[:0]
		if opt.MaxDepth > 0 && depth >= opt.MaxDepth {
			limit = "max-depth"
			break
		}
		var deeper *found // first violation one level down, in discovery order
		for k, id := range ids {
			s := compile.State(frontier[k*size : (k+1)*size])
			var t int32 = -1
			_, _ = m.Successors(s, func(sc *machine.Successor) bool {
				t++
				res.Transitions++
				if sc.Violation != nil {
					if deeper == nil {
						deeper = &found{v: sc.Violation, state: id, tid: t, depth: depth + 1}
					}
					return true
				}
				nid, isNew := add(sc.Next, id, t)
				if isNew && deeper == nil && len(p.Invariants) > 0 {
					if v := m.CheckInvariants(sc.Next); v != nil {
						deeper = &found{v: v, state: nid, tid: -1, depth: depth + 1}
					}
				}
				return true
			})
			if t < 0 { // terminal
				if v := m.Terminal(s); v != nil {
					best = &found{v: v, state: id, tid: -1, depth: depth}
					break
				}
			}
			checkEvery++
			if checkEvery&1023 == 0 {
				if opt.Time > 0 && time.Since(start) > opt.Time {
					limit = "time"
					break
				}
				if opt.MaxMemory > 0 && int64(set.bytes()+8*len(parent)+4*(cap(frontier)+cap(next))) > opt.MaxMemory {
					limit = "mem"
					break
				}
			}
			if opt.MaxStates > 0 && int64(len(parent)) >= opt.MaxStates {
				limit = "max-states"
				break
			}
		}
		if best == nil {
			best = deeper
		}
		if len(nextIDs) > 0 {
			depth++
		}
	}
	res.States = int64(len(parent))
	res.Depth = depth
	res.StoreBytes = int64(set.bytes() + 8*len(parent))
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.PeakHeap = ms.HeapSys
	switch {
	case best != nil:
		res.Verdict = Violated
		res.Violation = best.v
		res.Depth = best.depth
		res.Trace = rebuild(p, m, inits, parent, tid, best)
	case limit != "":
		res.Verdict = Incomplete
		res.Limit = limit
	default:
		res.Verdict = Verified
	}
	res.Elapsed = time.Since(start)
	return res
}
