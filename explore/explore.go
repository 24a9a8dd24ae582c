// Package explore searches the state space of a compiled model breadth
// first, so that the first violation found has a shortest trace, and
// rebuilds that trace by replaying transitions from the initial state.
//
// The search is level-synchronous and parallel: workers expand chunks of
// the current level, the fingerprint set is sharded so that workers insert
// into disjoint shards, and new states are numbered in the order a single
// worker would have found them. The verdict, the state count and the trace
// are the same for any number of workers.
//
// Where a process's next step is private (machine.PrivateSteps), the
// search takes that step alone: a partial-order reduction, with a cycle
// proviso checked level by level. The liveness check (liveness.go)
// explores the graph the search recorded, reduced alike.
package explore

import (
	"encoding/binary"
	"math/bits"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/irqcheck/irqcheck/machine"
)

// Verdict is the outcome of a run.
type Verdict string

// The verdicts.
const (
	Verified   Verdict = "verified"
	Violated   Verdict = "violation"
	Incomplete Verdict = "incomplete"
	// The verdicts of one random run (sim), which proves nothing: it
	// ended in a state where nothing can move, or the step limit stopped it.
	Ended   Verdict = "ended"
	Stopped Verdict = "stopped"
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
	// NoPOR explores without the partial-order reduction (which applies
	// to a model without covers: see Result.PartialOrder).
	NoPOR bool
	// SafetyOnly skips the liveness check: no livelocks, no liveness
	// declarations.
	SafetyOnly bool
	// Witnesses rebuilds the shortest run to every reached cover.
	Witnesses bool
	// Interrupt, when closed, ends the run as incomplete with the limit
	// "interrupted" (Ctrl-C, SIGTERM).
	Interrupt <-chan struct{}
	// Progress, when set, is called at the end of every level of the
	// search, from the goroutine that called Explore.
	Progress func(Progress)

	// visit (tests), if not nil, is called with every state the search
	// expands, from the workers' goroutines at once.
	visit func(machine.State)
	// reducedOnly (tests) keeps the reduced search's violation instead of
	// looking again without the reduction.
	reducedOnly bool
	// noRecording (tests) lets the liveness graph's recording go after
	// the first level, as a tight budget would.
	noRecording bool
	// graphBudget (tests), if not 0, is the budget of reading a recorded
	// quotient back, in place of MaxMemory.
	graphBudget int64
}

// Progress is where a search stands at the end of a level, or (Liveness
// set) that the liveness check has begun on its graph.
type Progress struct {
	Liveness bool  // the safety search is over; the liveness check runs
	Edges    int64 // Liveness: the graph's edges
	Depth    int   // the level just done
	States   int64 // states stored so far
	Frontier int   // states of the next level, to expand
	Elapsed  time.Duration
	Bytes    int64 // the search's storage: store, frontier blocks and level sets
	// Left estimates the states still to find, once the frontier shrinks
	// from level to level (a geometric tail); -1 while it grows.
	Left int64
}

// interrupted reports whether opt.Interrupt is closed.
func (opt *Options) interrupted() bool {
	select {
	case <-opt.Interrupt:
		return true
	default:
		return false
	}
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
	PeakBytes   int64 // most bytes held at once in memory by store, frontiers and candidates (not what their temporary files hold)
	// PeakRSS is the process's peak resident set size, what top shows
	// (VmHWM; 0 where it cannot be read). It covers the whole process,
	// so it is meaningful for one run per process.
	PeakRSS int64
	// Unreached is the vacuity report of a verified run: what the search
	// never reached.
	Unreached *Unreached
	// Covers tells, for each cover declaration, whether and where it was
	// reached.
	Covers []CoverResult
	// Liveness has the figures of the liveness check; nil when it did not
	// run (a violation or a limit came first, or Options.SafetyOnly).
	Liveness *LivenessFigures
	// StoreBufferFull says that under memory tso or weak some step found its
	// CPU's store buffer full and stalled until a flush: behaviours that
	// need more buffered stores were not explored.
	StoreBufferFull bool
	// HistoryFull says that under memory weak some store found the write
	// history full and made its oldest writes visible to every CPU: runs
	// in which a CPU reads further behind memory were not explored.
	HistoryFull bool
	// Loop is the index in Trace.Steps where the cycle of a lasso starts;
	// -1 when the trace is not a lasso.
	Loop int
	// PartialOrder says that the search took a private step alone where
	// it could (machine.PrivateSteps), so that States, Transitions, Depth
	// and the liveness check's graph are those of the reduced graph. A
	// violation, a livelock's included, is looked for
	// again without the reduction, so that its trace is the shortest;
	// PartialOrder is then false, unless that search hit a limit and the
	// reduced search's trace is the one shown.
	PartialOrder bool
	// NotShortest, if not "", is the limit at which the search without
	// the reduction, which looks for the shortest trace of a violation
	// the reduced search found, stopped: the trace shown is the reduced
	// search's, a real run but perhaps not the shortest.
	NotShortest string
}

// CoverResult is the outcome of one cover declaration.
type CoverResult struct {
	Cover   *machine.Property
	Reached bool
	Depth   int    // the length of the shortest run that reaches it
	Trace   *Trace // that run, when Options.Witnesses asked for it
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

// chunkSize is the number of frontier states a worker takes at a time.
const chunkSize = 128

// frontier holds the states of a level, numbered consecutively, encoded
// in the workers' parts: each worker writes the new states of the chunks
// it numbers to its own spill (in memory while the level is small, in a
// temporary file once it is wide). The pieces say, in level order, where
// each run of up to chunkSize states is; a piece is the work of a chunk
// of the next level.
type frontier struct {
	parts  []*spill // per worker
	pieces []piece
	n      int
}

// piece is where up to chunkSize consecutive states of a frontier are.
type piece struct {
	w        int   // the part
	first    int32 // the number of its first state
	n        int   // how many
	off, end int64 // its bytes in the part
}

// chunk reads the states of piece k into buf (grown as needed) and
// returns them. After the parts are flushed it is safe for concurrent
// use.
func (f *frontier) chunk(k int, buf []byte) ([]byte, error) {
	pc := &f.pieces[k]
	n := int(pc.end - pc.off)
	buf = slices.Grow(buf[:0], n)[:n]
	return buf, f.parts[pc.w].readInto(pc.off, buf)
}

// flush makes the frontier ready to be read.
func (f *frontier) flush() {
	for _, sp := range f.parts {
		sp.flush()
	}
}

// bytes is the memory the frontier's parts hold.
func (f *frontier) bytes() int64 {
	n := int64(cap(f.pieces)) * int64(unsafe.Sizeof(piece{}))
	for _, sp := range f.parts {
		n += sp.bytes()
	}
	return n
}

// reset empties the frontier, to hold the level after next.
func (f *frontier) reset() {
	for _, sp := range f.parts {
		sp.reset()
	}
	f.pieces = f.pieces[:0]
	f.n = 0
}

// close lets go of the frontier's parts.
func (f *frontier) close() {
	for _, sp := range f.parts {
		sp.close()
	}
}

// firsts marks the candidates of a level that are the first of their
// kind, by their place in the level (chunk.base + their index in the
// chunk). Each worker sets the bits of its own shards' candidates in a
// bitset of its own: with one array of flags for all, the workers would
// write to the same cache lines all through phase 2.
type firsts struct {
	bits [][]uint64 // per worker
}

// reset clears the marks for a level of n candidates.
func (f *firsts) reset(n int) {
	words := (n + 63) / 64
	for w := range f.bits {
		f.bits[w] = slices.Grow(f.bits[w][:0], words)[:words]
		clear(f.bits[w])
	}
}

// set marks candidate i, for worker w.
func (f *firsts) set(w, i int) { f.bits[w][i/64] |= 1 << (i % 64) }

// has reports whether candidate i is marked.
func (f *firsts) has(i int) bool {
	for _, b := range f.bits {
		if b[i/64]&(1<<(i%64)) != 0 {
			return true
		}
	}
	return false
}

// count returns the number of marked candidates from lo up to hi.
func (f *firsts) count(lo, hi int) int {
	n := 0
	for k := lo / 64; k*64 < hi; k++ {
		var word uint64
		for _, b := range f.bits {
			word |= b[k]
		}
		if k*64 < lo {
			word &^= 1<<(lo-k*64) - 1
		}
		if (k+1)*64 > hi {
			word &= 1<<(hi-k*64) - 1
		}
		n += bits.OnesCount64(word)
	}
	return n
}

// run is the new states of one chunk, as the worker that numbers them
// writes them to its part of the next frontier.
type run struct {
	w          int
	start, end int64   // where its states are in the part
	marks      []int64 // where those of its states after the first whose numbers are multiples of chunkSize start
	n          int
}

// add appends state id, encoded, to the run in part sp.
func (r *run) add(sp *spill, id int32, enc []byte) {
	if r.n == 0 {
		r.start = sp.n
	} else if id%chunkSize == 0 {
		r.marks = append(r.marks, sp.n)
	}
	sp.write(enc)
	r.n++
	r.end = sp.n
}

// addRun appends the first n states of r, numbered from first, to f. A
// piece holds states of one block of chunkSize numbers (k*chunkSize up
// to (k+1)*chunkSize) that lie back to back in one part: a run that
// goes on where the last piece ends, in the same part, within the same
// block, extends it. So a level has about as many pieces as it has
// blocks, however its states were written.
func (f *frontier) addRun(r *run, first int32, n int) {
	id, off, end, mi := first, r.start, first+int32(n), 0
	for id < end {
		next, stop := (id/chunkSize+1)*chunkSize, r.end
		if next < end {
			stop = r.marks[mi]
			mi++
		} else {
			next = end
		}
		last := len(f.pieces) - 1
		if last >= 0 && id%chunkSize != 0 && f.pieces[last].w == r.w && f.pieces[last].end == off {
			f.pieces[last].n += int(next - id)
			f.pieces[last].end = stop
		} else {
			f.pieces = append(f.pieces, piece{w: r.w, first: id, n: int(next - id), off: off, end: stop})
		}
		id, off = next, stop
	}
	f.n += n
}

// chunk is a unit of work: up to chunkSize states of the frontier to
// expand, and what expanding them found: its candidates, the successors
// that were not in the store when the level began and that its worker had
// not found before in the level. A candidate's fingerprint is kept in
// memory; the rest of it (see appendCandidate) waits in its worker's
// spill.
type chunk struct {
	k           int                  // expands the frontier's piece k
	fps         []uint64             // the candidates' fingerprints
	base        int                  // the place of its first candidate among the level's (see firsts)
	w           int                  // the worker that expanded it
	off, end    int64                // where its candidates' records are in the worker's spill
	err         error                // reading the frontier failed
	bad         []*machine.Violation // invariant violations of candidates
	transitions int64
	reduced     int64 // states of which the partial-order reduction took one process's step alone
	revisits    bool  // some edge leads to a state of this depth or less
	overBudget  bool  // expand stopped early: the memory budget ran out
	// The first violation in enumeration order: a transition violation at
	// the next depth, or (terminal) one at this depth.
	deeper   *found
	deeperAt int // candidate index before which deeper was found
	terminal *found
	at       chunkAt // when the graph is recorded: where the records of the chunk's states are
	// Its new states: the number of the first, how many, the candidates
	// numbered (those after a max-states cut are not), where they are in
	// the next frontier, and the first that breaks an invariant: its
	// index among the new states (or -1), its candidate index, and the
	// invariant.
	first                  int32
	newN, cut              int
	out                    run
	badNew, badCand, badIn int32
}

// bytes is the memory the chunk's candidates hold.
func (c *chunk) bytes() int64 {
	return int64(cap(c.fps)) * 8
}

// A candidate's record in its worker's spill: the index in the chunk of
// the state it was reached from (one byte: chunkSize is 128), the
// transition number and the invariant it breaks plus one (0: none) as
// unsigned varints, and its state, encoded.
func appendCandidate(b []byte, cd *codec, parent int, tid int32, bad int32, s machine.State) []byte {
	b = append(b, byte(parent))
	b = binary.AppendUvarint(b, uint64(tid))
	b = binary.AppendUvarint(b, uint64(bad+1))
	return cd.append(b, s)
}

// readCandidate reads the record at the start of b and returns what follows it.
func readCandidate(b []byte, cd *codec) (parent int, tid, bad int32, enc, rest []byte) {
	parent = int(b[0])
	t, n := binary.Uvarint(b[1:])
	b = b[1+n:]
	v, n := binary.Uvarint(b)
	b = b[n:]
	size := cd.skip(b)
	return parent, int32(t), int32(v) - 1, b[:size], b[size:]
}

// chunkRange is a run of a level's chunks that workers take from the
// front.
type chunkRange struct {
	next atomic.Int64 // the next chunk to take
	hi   int64        // the end of the range
}

// worker is what one worker expands states with.
type worker struct {
	// Workers sit side by side in a slice, and each writes its own for
	// every successor: the padding at both ends keeps two workers off
	// one cache line (5 % faster with two workers on the largest
	// benchmark run).
	_      [cacheLine]byte
	id     int
	m      *machine.Machine
	cd     *codec
	fpr    fingerprinter
	cur    machine.State // the state being expanded, decoded
	cands  *spill        // the records of its candidates of the level
	data   []byte        // the chunk being expanded, encoded
	record []byte        // a candidate's record
	// counted is how much of cands' memory the level's budget has counted.
	counted int64
	// seen holds the fingerprints of the successors this worker found in
	// the level: it takes its chunks in level order, so a state it finds
	// again is never the first of its kind in the level and is dropped at
	// once.
	seen *levelSet
	// The successors of the state being expanded, and their states back
	// to back.
	batch  []pending
	states []int32
	// por: the partial-order reduction is on; movers are the processes
	// whose next step in the state being expanded is private.
	por    bool
	movers []machine.Mover
	cov    *coverage   // what this worker's steps reached
	rec    *recorder   // records the graph for the liveness check, or nil
	crec   chunkRecord // what rec records of the chunk being expanded
	recMu  *sync.Mutex // held while the workers' rows are interned
	// overBudget, if not nil, reports whether the memory held, with
	// pending bytes not yet counted, passes the budget: a chunk of a model
	// with many CPUs can hold hundreds of megabytes of candidates, so
	// expand asks as it goes.
	overBudget func(pending int64) bool
	// coverDone marks the covers reached in an earlier level (shared,
	// written between levels).
	coverDone []bool
	visit     func(machine.State) // see Options.visit
	_         [cacheLine]byte
}

// Explore checks p exhaustively within the limits of opt.
func Explore(p *machine.Program, opt Options) *Result {
	start := time.Now()
	nw := opt.Workers
	if nw <= 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	res := &Result{Workers: nw, Loop: -1}
	size := p.Layout.Size
	sym := p.Symmetry
	if opt.NoSymmetry {
		sym = nil
	}
	workers := make([]worker, nw)
	coder := newCodec(p.Layout)
	coverDone := make([]bool, len(p.Covers))
	// Without symmetry reduction the search records the graph for the
	// liveness check as it goes; with it, the check explores again
	// without the reduction (a cycle of the quotient need not be one of
	// the machine), unless the model declares no liveness and the
	// recorded quotient has no cycle (see acyclic).
	var rec *recorder
	if !opt.SafetyOnly && (sym == nil || len(p.Liveness) == 0) {
		rec = newRecorder(p, nw)
	}
	// The partial-order reduction keeps every reachable violation and
	// terminal state, and a fair cycle wherever the machine has one (see
	// checkLiveness), but not the shortest run to a cover, whose depth the
	// report gives.
	por := !opt.NoPOR && len(p.Covers) == 0
	var recMu sync.Mutex
	// Each worker makes what it writes to for every state in a
	// goroutine of its own: the allocator then takes it from that
	// goroutine's own spans, and no two workers' small objects share a
	// cache line.
	frontier, next := &frontier{parts: make([]*spill, nw)}, &frontier{parts: make([]*spill, nw)}
	parallel(nw, func(i int) {
		frontier.parts[i] = newSpillAt("frontier", levelToFile)
		next.parts[i] = newSpillAt("frontier", levelToFile)
		workers[i] = worker{id: i, m: machine.New(p), cd: coder, fpr: newFingerprinter(sym, size), cur: machine.NewState(size),
			cands: newSpillAt("candidates", levelToFile), seen: newLevelSet(), cov: newCoverage(p), coverDone: coverDone, rec: rec, recMu: &recMu, por: por, visit: opt.visit}
		workers[i].m.Coverage(workers[i].cov.instrs)
	})
	m := workers[0].m
	// letGo lets go of the level's spills and the workers' level sets
	// once the search is over.
	letGo := func() {
		frontier.close()
		next.close()
		for i := range workers {
			workers[i].cands.close()
			workers[i].seen = nil
		}
	}
	defer letGo()

	inits, v := m.InitialStates()
	if v == nil && p.Symmetry != nil {
		v = asymmetricInit(p, inits)
	}
	if v != nil {
		res.Verdict = Violated
		res.Violation = v
		res.Trace = &Trace{}
		res.Elapsed = time.Since(start)
		if rec != nil {
			rec.close()
		}
		return res
	}

	st := newStore()
	var best *found
	st.beginLevel()
	var enc []byte
	var initial run
	for i, s := range inits {
		fp := workers[0].fpr.of(s)
		if !st.insert(fp) {
			continue
		}
		id := st.add(-1, int32(i))
		if rec != nil {
			rec.numbered(fp)
		}
		enc = coder.append(enc[:0], s)
		initial.add(next.parts[0], id, enc)
		if best == nil {
			if v := m.CheckInvariants(s); v != nil {
				best = &found{v: v, state: id, tid: -1, depth: 0}
			}
		}
	}
	next.addRun(&initial, 0, initial.n)

	depth := 0
	prevFrontier := 0
	var limit string
	var revisits bool       // some edge of the search leads back to a state of its depth or less
	var reducedStates int64 // states whose successors the reduction cut down
	var chunks []*chunk     // reused from level to level
	news := firsts{bits: make([][]uint64, nw)}
	// The garbage collector's target: lowered once the store is large,
	// and set back when the search is over.
	gcLowered, gcBefore := false, 0
	defer func() {
		if gcLowered {
			debug.SetGCPercent(gcBefore)
		}
	}()
	for next.n > 0 && best == nil && limit == "" {
		next.flush()
		frontier, next = next, frontier
		next.reset()
		if opt.MaxDepth > 0 && depth >= opt.MaxDepth {
			limit = "max-depth"
			break
		}
		nchunks := len(frontier.pieces)
		for len(chunks) < nchunks {
			chunks = append(chunks, &chunk{})
		}
		level := chunks[:nchunks]
		for k, c := range level {
			c.k = k
			c.fps, c.bad, c.err = c.fps[:0], c.bad[:0], nil
			c.transitions, c.reduced, c.deeper, c.terminal, c.revisits, c.overBudget = 0, 0, nil, nil, false, false
			c.at = chunkAt{}
		}
		for i := range workers {
			workers[i].seen.reset()
			workers[i].cands.reset()
			workers[i].counted = 0
		}

		// Phase 1: expand the level in parallel. Successors already in
		// the store (from earlier levels) are dropped here; the store is
		// only read in this phase.
		// Worker w starts on the w-th of nw contiguous ranges of chunks,
		// then helps with the ranges after it, then those before it.
		// Neighbouring states share many successors (a diamond of two
		// independent steps has sibling parents), so contiguous ranges
		// keep most duplicates within one worker, where its level set
		// drops them. A worker takes chunks in increasing order, except
		// when it wraps around to the first ranges: then it empties its
		// level set (see worker.seen).
		ranges := make([]chunkRange, nw)
		for i := range ranges {
			ranges[i].hi = int64((i + 1) * len(level) / nw)
			ranges[i].next.Store(int64(i * len(level) / nw))
		}
		var stop, memUp atomic.Bool
		var firstTerminal atomic.Int64 // chunks after it need not run
		firstTerminal.Store(int64(len(level)))
		var levelBytes atomic.Int64 // the chunks' candidates and the workers' spills
		storeBytes := st.bytes() + seenBytes(workers) + frontier.bytes() + next.bytes()
		if rec != nil {
			storeBytes += rec.bytes()
		}
		// After the level, its new states are copied into the next
		// frontier, which may take as much memory as the candidates'
		// spills (until it moves to a file).
		levelHeld := func(pending int64) int64 {
			return 2*levelBytes.Load() + pending + storeBytes
		}
		overBudget := func(pending int64) bool {
			return levelHeld(pending) > opt.MaxMemory || heapBytes() > opt.MaxMemory
		}
		for i := range workers {
			workers[i].overBudget = nil
			if opt.MaxMemory > 0 {
				workers[i].overBudget = overBudget
			}
		}
		parallel(nw, func(w int) {
			wk := &workers[w]
			for k := range nw {
				r := &ranges[(w+k)%nw]
				if k > 0 && (w+k)%nw == 0 {
					wk.seen.restart() // wrapped around to earlier chunks
				}
				for !stop.Load() {
					ci := r.next.Add(1) - 1
					if ci >= r.hi || ci > firstTerminal.Load() {
						break
					}
					c := level[ci]
					expand(p, wk, st, frontier, depth, c)
					if wk.rec != nil {
						wk.rec.chunkDone(w, &wk.crec, c, wk.recMu)
					}
					if c.terminal != nil {
						// A violation at this depth: chunks after this
						// one cannot beat it; those before it still run.
						for t := firstTerminal.Load(); ci < t && !firstTerminal.CompareAndSwap(t, ci); t = firstTerminal.Load() {
						}
					}
					// After every chunk: a chunk of a model with many
					// CPUs can take a tenth of a second.
					if opt.Time > 0 && time.Since(start) > opt.Time || opt.interrupted() {
						stop.Store(true)
					}
					if opt.MaxMemory > 0 {
						// The candidates of a wide level can outgrow the
						// budget before the level ends: count them as they
						// come, and watch the heap itself.
						spilled := wk.cands.bytes()
						levelBytes.Add(c.bytes() + spilled - wk.counted)
						wk.counted = spilled
						// The heap's statistics take a lock: read them
						// every 16 chunks, the counters every chunk.
						if c.overBudget || levelHeld(0) > opt.MaxMemory || ci%16 == 0 && heapBytes() > opt.MaxMemory {
							memUp.Store(true)
							stop.Store(true)
						}
					}
				}
			}
		})
		for i := range workers {
			workers[i].cands.flush()
		}
		for _, c := range level {
			reducedStates += c.reduced
			if c.err != nil && limit == "" {
				limit = diskLimit(c.err)
			}
		}
		if limit != "" {
			break
		}
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
			if opt.interrupted() {
				limit = "interrupted"
			}
			break
		}
		if best != nil {
			break
		}
		for _, c := range level {
			res.Transitions += c.transitions
			revisits = revisits || c.revisits
		}

		// Phase 2: worker w owns the shards sh with sh % nw == w and
		// inserts their candidates in level order, marking the first of
		// each state as new. One pass over the candidates per worker.
		candidates := 0
		for _, c := range level {
			c.base = candidates
			candidates += len(c.fps)
		}
		news.reset(candidates)
		parallel(nw, func(w int) {
			for _, c := range level {
				for i, fp := range c.fps {
					if sh := shardOf(fp); sh%nw == w && st.shards[sh].insert(fp) {
						news.set(w, c.base+i)
					}
				}
			}
		})

		// Phase 3: number the new states in level order: each chunk's
		// come after the earlier chunks'.
		st.beginLevel()
		peak := int64(0)
		for _, c := range level {
			peak += c.bytes()
		}
		total := int64(0)
		numbered := level // the chunks up to a max-states cut
		for ci, c := range level {
			c.first, c.newN, c.cut = int32(st.count()+total), news.count(c.base, c.base+len(c.fps)), len(c.fps)
			if opt.MaxStates > 0 && st.count()+total+int64(c.newN) > opt.MaxStates {
				// Number the chunk's new states up to the limit, and
				// none after it.
				c.newN = int(opt.MaxStates - st.count() - total)
				for i, n := 0, 0; i < len(c.fps); i++ {
					if news.has(c.base + i) {
						if n == c.newN {
							c.cut = i
							break
						}
						n++
					}
				}
				limit = "max-states"
				numbered = level[:ci+1]
			}
			total += int64(c.newN)
			if limit != "" {
				break
			}
		}
		st.reserve(int32(total))

		// Phase 4: the workers read the chunks' candidates back, store
		// the new states' links at their numbers and write each chunk's
		// new states to their own parts of the next frontier, as one
		// run. Worker w starts on the w-th of nw contiguous ranges of
		// chunks and then helps with the others, as in phase 1:
		// neighbouring states' links share words and cache lines, and a
		// worker's runs from neighbouring chunks join into one piece.
		for i := range ranges {
			ranges[i].hi = int64((i + 1) * len(numbered) / nw)
			ranges[i].next.Store(int64(i * len(numbered) / nw))
		}
		parallel(nw, func(w int) {
			wk := &workers[w]
			for k := 0; k < nw; {
				r := &ranges[(w+k)%nw]
				ci := int(r.next.Add(1) - 1)
				if ci >= int(r.hi) {
					k++
					continue
				}
				c := numbered[ci]
				c.out = run{w: w, marks: c.out.marks[:0]}
				c.badNew = -1
				if c.newN == 0 {
					continue
				}
				recs := slices.Grow(wk.data[:0], int(c.end-c.off))[:c.end-c.off]
				wk.data = recs
				if err := workers[c.w].cands.readInto(c.off, recs); err != nil {
					c.err = err
					continue
				}
				parents := frontier.pieces[c.k].first
				b := recs
				last := -1 // the parent of the chunk's last new state
				for i := range c.cut {
					parent, tid, bad, enc, rest := readCandidate(b, coder)
					b = rest
					if !news.has(c.base + i) {
						continue
					}
					j := int32(c.out.n)
					if bad >= 0 && c.badNew < 0 {
						c.badNew, c.badCand, c.badIn = j, int32(i), bad
					}
					st.addAt(c.first+j, parents+int32(parent), tid, parent != last)
					last = parent
					c.out.add(next.parts[w], c.first+j, enc)
				}
			}
		})

		// The new states in order, and the first violation found one
		// level down.
		var deeper *found
		for _, c := range numbered {
			if c.err != nil {
				limit = diskLimit(c.err)
				break
			}
			next.addRun(&c.out, c.first, c.newN)
			if deeper == nil {
				switch {
				case c.deeper != nil && c.deeperAt <= c.cut && (c.badNew < 0 || c.deeperAt <= int(c.badCand)):
					deeper = c.deeper
				case c.badNew >= 0:
					deeper = &found{v: c.bad[c.badIn], state: c.first + c.badNew, tid: -1, depth: depth + 1}
				}
			}
		}
		if strings.HasPrefix(limit, "disk") {
			break
		}
		best = deeper
		if rec != nil && best == nil && limit == "" {
			// Phase 5: the level's new states' fingerprints, in the
			// order of their numbers, and the chunks' edges are recorded.
			rec.level(level, &news)
		}
		spills := frontier.bytes() + next.bytes()
		for i := range workers {
			spills += workers[i].cands.bytes()
		}
		peak += st.bytes() + spills + seenBytes(workers)
		held := st.bytes() + spills
		if rec != nil {
			held += rec.bytes()
			if opt.MaxMemory > 0 && held > opt.MaxMemory/2 || opt.noRecording {
				// The recorded graph would crowd the safety search out
				// of its budget: let it go. The liveness check will
				// explore again, within the whole budget, once the
				// search is done.
				held -= rec.bytes()
				rec.close()
				rec = nil
				for i := range workers {
					workers[i].rec = nil
				}
				runtime.GC()
			}
		}
		if opt.MaxMemory > 0 && (held > opt.MaxMemory || heapBytes() > opt.MaxMemory) {
			limit = "mem"
		}
		if opt.Time > 0 && time.Since(start) > opt.Time {
			limit = "time"
		}
		if opt.interrupted() {
			limit = "interrupted"
		}
		res.PeakBytes = max(res.PeakBytes, peak)
		if !gcLowered && st.bytes() > leanGCStore {
			// What the search holds is the store, which only grows, so
			// the heap's garbage is mostly the store's outgrown tables:
			// collecting it sooner keeps the peak close to the store.
			// The store's tables have no pointers, so a collection costs
			// little.
			gcLowered = true
			if gcBefore = debug.SetGCPercent(25); gcBefore <= 25 {
				debug.SetGCPercent(gcBefore) // GOGC was off or lower already
			}
		}
		if opt.Progress != nil {
			pr := Progress{Depth: depth, States: st.count(), Frontier: next.n, Elapsed: time.Since(start), Bytes: held + seenBytes(workers), Left: -1}
			if prevFrontier > 0 && next.n < prevFrontier {
				r := float64(next.n) / float64(prevFrontier)
				pr.Left = int64(float64(next.n) * r / (1 - r))
			}
			opt.Progress(pr)
		}
		prevFrontier = next.n
		if next.n > 0 && best == nil {
			depth++
		}
		for i := range coverDone {
			for w := range workers {
				coverDone[i] = coverDone[i] || workers[w].cov.coverAt[i] >= 0
			}
		}
	}
	res.States = st.count()
	res.Depth = depth
	res.StoreBytes = st.bytes()
	cov := workers[0].cov
	for w := 1; w < nw; w++ {
		cov.merge(workers[w].cov)
	}
	var trace *Trace
	if best != nil {
		trace = rebuild(p, m, inits, st, best)
	}
	// A search that never reduced a state explored the whole graph.
	res.PartialOrder = reducedStates > 0
	if best != nil && res.PartialOrder && !opt.reducedOnly {
		// The reduced graph's run to the violation is a real run, but
		// maybe not the shortest: look again without the reduction, which
		// stops at the first violating level, no deeper than this one.
		// If that search hits a limit, this run's trace is shown. The
		// search's own storage is let go first.
		st = nil
		letGo()
		if rec != nil {
			rec.close()
			rec = nil
		}
		full := again(p, opt, start)
		if full.Verdict == Violated {
			return full
		}
		res.NotShortest = full.Limit
	}
	switch {
	case best != nil:
		res.Verdict = Violated
		res.Violation = best.v
		res.Depth = best.depth
		res.Trace = trace
	case limit != "":
		res.Verdict = Incomplete
		res.Limit = limit
	default:
		res.Verdict = Verified
	}
	if res.Verdict != Violated {
		res.Covers = coverResults(p, m, inits, st, cov, opt.Witnesses)
	}
	if res.Verdict == Verified {
		for _, cr := range res.Covers {
			if !cr.Reached {
				res.Verdict = Violated
				res.Violation = &machine.Violation{Kind: machine.Cover, Pos: cr.Cover.Pos, CPU: -1, Vector: -1,
					Msg: coverName(cr.Cover) + " holds in no reachable state"}
				if cr.Cover.Name != "" {
					res.Violation.Msg = "cover " + cr.Cover.Name + ": " + cr.Cover.Text + " holds in no reachable state"
				}
				if v := cov.coverErr[slices.Index(res.Covers, cr)]; v != nil {
					res.Violation.Msg += " (evaluating it failed at " + v.Pos.String() + ": " + v.Msg + ")"
				}
				res.Trace = &Trace{}
				break
			}
		}
	}
	if res.Verdict == Verified && !opt.SafetyOnly {
		var recorded func() (*lgraph, string, error)
		// The quotient's recording may have been let go for the budget
		// (rec nil): without an edge back, there is still nothing to read.
		quotient := sym != nil && len(p.Liveness) == 0
		var quotientLimit string
		if quotient {
			letGo()
			res.Liveness, quotientLimit = acyclicQuotient(rec, st, inits, nw, opt, start, revisits)
			rec = nil
		} else if rec != nil {
			// The search's own blocks and sets are spent: let them go
			// before the graph is built.
			letGo()
			recorded = func() (*lgraph, string, error) { return rec.graph(st, inits, nw, opt.MaxMemory) }
		}
		switch {
		case quotientLimit != "":
			// The quotient would not fit: nor would the machine's graph.
			res.Verdict, res.Limit = Incomplete, quotientLimit+livenessLimit
		case quotient && res.Liveness != nil:
			// The quotient has no cycle, and neither has the real graph,
			// whose cycles it would map to closed walks: no run loops, so
			// none is a livelock, and there is nothing to explore again.
		case sym != nil:
			livenessUnreduced(p, opt, start, res)
		default:
			checkLiveness(p, opt, start, inits, res, recorded)
			if res.Verdict == Violated && res.PartialOrder && !opt.reducedOnly {
				// As for a safety violation: the reduced graph's lasso
				// is a real one, but its prefix may not be the shortest.
				full := again(p, opt, start)
				if full.Verdict == Violated {
					return full
				}
				res.NotShortest = full.Limit
			}
		}
	}
	if rec != nil {
		// The search ended short of verified, or the liveness check read
		// the graph back (which closed it already): let its spills go.
		rec.close()
	}
	if res.Verdict == Verified {
		res.Unreached = unreached(p, cov)
		if res.Liveness != nil {
			res.Unreached.Triggers = res.Liveness.untriggered
		}
	}
	for i := range workers {
		res.StoreBufferFull = res.StoreBufferFull || workers[i].m.BufferFull
		res.HistoryFull = res.HistoryFull || workers[i].m.HistoryFull
	}
	res.Elapsed = time.Since(start)
	res.PeakRSS = peakRSS()
	return res
}

// leanGCStore is the size of the store past which the search has the
// heap collected at a quarter of its live size, not at all of it.
const leanGCStore = 32 << 20

// diskLimit is the limit of a search whose temporary files failed.
func diskLimit(err error) string {
	return "disk (" + err.Error() + ")"
}

// again checks p once more without the partial-order reduction, within
// what is left of opt's time, for the shortest counterexample; its
// Elapsed counts from start.
func again(p *machine.Program, opt Options, start time.Time) *Result {
	o := opt
	o.NoPOR = true
	if opt.Time > 0 {
		o.Time = max(opt.Time-time.Since(start), time.Millisecond)
	}
	full := Explore(p, o)
	full.Elapsed = time.Since(start)
	return full
}

// peakRSS reads the process's peak resident set size (VmHWM) from
// /proc/self/status, or returns 0.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// coverName is how a cover is named in messages: "cover NAME" or
// "cover EXPR".
func coverName(c *machine.Property) string {
	if c.Name != "" {
		return "cover " + c.Name
	}
	return "cover " + c.Text
}

// coverResults says which covers the search reached, with the shortest
// run to each when witnesses are asked for.
func coverResults(p *machine.Program, m *machine.Machine, inits []machine.State, st *store, cov *coverage, witnesses bool) []CoverResult {
	var out []CoverResult
	for i, c := range p.Covers {
		cr := CoverResult{Cover: c}
		if at := cov.coverAt[i]; at >= 0 {
			cr.Reached = true
			for id := at; st.parent(id) >= 0; id = st.parent(id) {
				cr.Depth++
			}
			if witnesses {
				cr.Trace = rebuild(p, m, inits, st, &found{state: at, tid: -1})
			}
		}
		out = append(out, cr)
	}
	return out
}

// expand generates the successors of the states of c.
func expand(p *machine.Program, wk *worker, st *store, frontier *frontier, depth int, c *chunk) {
	checkInv := len(p.Invariants) > 0
	m := wk.m
	s := wk.cur
	size := len(s)
	c.w, c.off = wk.id, wk.cands.n
	defer func() { c.end = wk.cands.n }()
	data, err := frontier.chunk(c.k, wk.data)
	wk.data = data
	if err != nil {
		c.err = err
		return
	}
	pc := &frontier.pieces[c.k]
	checked := wk.held(c)
	for k := range pc.n {
		// A chunk of a model with many CPUs can hold hundreds of
		// megabytes of candidates: ask about the budget whenever the
		// chunk has grown by budgetStep since it last asked (the question
		// takes a lock and reads the heap's statistics, too slow to ask
		// for every state).
		if wk.overBudget != nil && wk.held(c)-checked > budgetStep {
			checked = wk.held(c)
			if wk.overBudget(c.bytes() + wk.cands.bytes() - wk.counted) {
				c.overBudget = true
				return
			}
		}
		data = wk.cd.decode(data, s)
		id := pc.first + int32(k)
		if wk.visit != nil {
			wk.visit(s)
		}
		if len(p.Covers) > 0 {
			wk.cov.covers(p, m, s, id, wk.coverDone)
		}
		if wk.rec != nil {
			wk.rec.state(&wk.crec, m, s)
		}
		// The successors are gathered first and looked up together: the
		// lookups miss the cache, and independent ones overlap.
		var t int32 = -1
		var bad *found // the first violating transition of this state
		wk.batch = wk.batch[:0]
		wk.states = wk.states[:0]
		if wk.por {
			wk.movers = m.PrivateSteps(s, wk.movers[:0])
		}
		m.Successors(s, func(sc *machine.Successor) bool {
			t++
			wk.cov.transition(&sc.T)
			if sc.Violation != nil {
				if bad == nil && c.deeper == nil {
					bad = &found{v: sc.Violation, state: id, tid: t, depth: depth + 1}
				}
				return true
			}
			fp := wk.fpr.of(sc.Next)
			if wk.rec != nil {
				wk.rec.edge(&wk.crec, fp, &sc.T)
			}
			owner := int16(-1)
			for k := range wk.movers {
				if wk.movers[k].Owns(&sc.T) {
					owner = int16(k)
					break
				}
			}
			wk.batch = append(wk.batch, pending{fp: fp, tid: t, owner: owner})
			wk.states = append(wk.states, sc.Next...)
			return true
		})
		taken := int64(t + 1)
		mover := -1
		if len(wk.movers) > 0 && bad == nil {
			mover = wk.ample(st)
		}
		if mover >= 0 {
			c.reduced++
			if wk.rec != nil {
				wk.crec.keepLast(len(wk.batch), func(i int) bool { return int(wk.batch[i].owner) == mover })
			}
		}
		for i := range wk.batch {
			if mover >= 0 && int(wk.batch[i].owner) != mover {
				wk.batch[i].old = true // left to the successors
				taken--
				continue
			}
			// Most successors were found before in this level: the
			// worker's own set, smaller than the store, drops those first.
			wk.batch[i].old = !wk.seen.insert(wk.batch[i].fp)
		}
		c.transitions += taken
		for i := range wk.batch {
			// A state stored before is of this depth or less; the first
			// edge of the level to it is enough to know that one exists.
			if b := &wk.batch[i]; !b.old && st.contains(b.fp) {
				b.old, c.revisits = true, true
			}
		}
		for i := range wk.batch {
			b := &wk.batch[i]
			if bad != nil && b.tid > bad.tid {
				c.deeper, c.deeperAt, bad = bad, len(c.fps), nil
			}
			if b.old {
				continue
			}
			next := machine.State(wk.states[i*size : (i+1)*size])
			broken := int32(-1)
			if checkInv && c.deeper == nil {
				if v := m.CheckInvariants(next); v != nil {
					broken = int32(len(c.bad))
					c.bad = append(c.bad, v)
				}
			}
			wk.record = appendCandidate(wk.record[:0], wk.cd, k, b.tid, broken, next)
			wk.cands.write(wk.record)
			c.fps = append(c.fps, b.fp)
		}
		if bad != nil {
			c.deeper, c.deeperAt = bad, len(c.fps)
		}
		if t < 0 { // terminal
			if v := m.Terminal(s); v != nil {
				c.terminal = &found{v: v, state: id, tid: -1, depth: depth}
				return
			}
			wk.cov.finished = true
		}
	}
}

// ample returns the index in wk.movers of the process whose private step
// alone the search takes from the state whose successors are in wk.batch,
// or -1 to take them all. A mover qualifies when its step is enabled,
// some other transition is too, and none of its successors is stored
// already. That is the cycle proviso (C3) for a breadth-first search:
// during a level's expansion the store holds exactly the levels up to
// this one, so a reduced state's successors all lie one level down, and
// every cycle of the reduced graph has an edge that does not go down,
// from a state that was expanded in full. It depends only on the state
// and the levels before, so any number of workers reduce alike.
func (wk *worker) ample(st *store) int {
	for k := range wk.movers {
		n := 0
		stored := false
		for i := range wk.batch {
			if b := &wk.batch[i]; int(b.owner) == k {
				n++
				if st.contains(b.fp) {
					stored = true
					break
				}
			}
		}
		if n > 0 && n < len(wk.batch) && !stored {
			return k
		}
	}
	return -1
}

// budgetStep is how much a chunk's candidates may grow between two
// questions about the memory budget.
const budgetStep = 32 << 20

// held is the memory the worker's candidates hold: its chunk's
// fingerprints and its spill.
func (wk *worker) held(c *chunk) int64 {
	return c.bytes() + wk.cands.bytes()
}

// pending is a successor waiting for its lookup.
type pending struct {
	fp  uint64
	tid int32
	// owner is the index in worker.movers of the process whose private
	// step this is, or -1.
	owner int16
	old   bool // already found by this worker in this level, or stored; or left out by the reduction
}

// fingerprinter hashes states, modulo the model's symmetry if it has one:
// the stored state is the one found first, the fingerprint that of its
// canonical form, so traces keep the real CPU numbers.
type fingerprinter struct {
	sym            *machine.Symmetry
	canon, scratch machine.State
}

func newFingerprinter(sym *machine.Symmetry, size int) fingerprinter {
	f := fingerprinter{sym: sym}
	if sym != nil {
		f.canon = machine.NewState(size)
		f.scratch = machine.NewState(size)
	}
	return f
}

func (f fingerprinter) of(s machine.State) uint64 {
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
func asymmetricInit(p *machine.Program, inits []machine.State) *machine.Violation {
	if p.Symmetry.Closed(inits) {
		return nil
	}
	if p.Init != nil {
		return &machine.Violation{Kind: machine.Runtime, Pos: p.Init.Pos, CPU: -1, Vector: -1,
			Msg: "init is not symmetric: renaming the CPUs of the initial state gives a state init cannot produce (register handlers and set per-CPU data on every CPU alike)"}
	}
	return &machine.Violation{Kind: machine.Runtime, CPU: -1, Vector: -1,
		Msg: p.Name + ": the initial state is not symmetric (initial values differ between CPUs)"}
}

// seenBytes is the memory of the workers' level sets.
func seenBytes(workers []worker) int64 {
	n := int64(0)
	for i := range workers {
		n += int64(workers[i].seen.bytes())
	}
	return n
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
