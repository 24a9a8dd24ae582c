package machine

import "slices"

// memory weak: the weak order of ARMv8 and RISC-V (RVWMO), both of which
// are multi-copy atomic, as one operational model in the style of the
// view-based semantics of Pulte et al. ("Promising-ARM/RISC-V", PLDI
// 2019), without promises.
//
// Memory is a history of writes in the order they became visible to all
// CPUs (one order: multi-copy atomicity), each with a timestamp. A CPU
// keeps views, timestamps that bound how far back its loads may read:
//
//   - floor: a load reads, for its location, the last write at or before
//     floor, or a later one. Barriers and acquire loads raise it.
//   - seenR and seenW: the newest write it has read and written, which
//     smp_rmb (seenR) and smp_mb (both) move floor up to.
//   - coherence: per location, the newest write it has read or written
//     (the mask bit of that write): it never reads an older one.
//
// Stores go into a store buffer per CPU, as under tso, but leave it in
// any order: an entry may reach memory when no older entry stores to its
// location and no barrier (smp_wmb, the one a release store implies)
// stands between them. A store reaching memory is appended to the
// history, so a store is always later than every load its CPU has done:
// loads are never reordered after later stores (no load buffering, LB;
// see the README for what the model leaves out).
//
// The state keeps only the writes some CPU may still read, renumbered
// densely, so that equal histories are equal states (normalize). The
// history holds the writes that reached memory while it was not empty,
// with timestamps from 1; the value a location had before its oldest
// write held is its base (timestamp 0), kept in a slot of its own
// (Layout.Base) while some CPU may still read it. Every slot of the
// history names its location or a CPU by value and stays in place, and
// each base sits at a fixed offset from its global, so renaming the CPUs
// of a symmetric model moves and renames them slot by slot.

// Flags in a buffer entry's slot word (memory weak): afterFence says a
// barrier follows the entry, so no younger entry reaches memory before
// it; release marks a release store, which reaches memory only after
// every older entry (later stores may pass it, as ARMv8's stlr lets
// them). entryFlags is both.
const (
	afterFence = 1 << 30
	release    = 1 << 29
	entryFlags = afterFence | release
)

// The views of a CPU, at CPUSlots.View.
const (
	viewFloor = iota
	viewSeenR
	viewSeenW
	// NumViews is the number of view slots per CPU under memory weak.
	NumViews
)

// A history entry is four slots: the location plus one (0: empty), the
// value, the timestamp (from 1) and a bit per CPU whose coherence point
// is this write.
const histWords = 4

func (l *Layout) histLen(s State) int {
	n := 0
	for n < l.HistCap && s[l.Hist+int32(histWords*n)] != 0 {
		n++
	}
	return n
}

// HistoryLen returns the number of writes in the history.
func (l *Layout) HistoryLen(s State) int { return l.histLen(s) }

// baseLive reports whether some CPU may still read global i's base: the
// value it had before the oldest write of it the history holds.
func (l *Layout) baseLive(s State, i int32) bool { return s[l.BaseLive+i] != 0 }

// setBase makes v global i's base (live), or drops it (dead: 0, 0).
func (l *Layout) setBase(s State, i int32, live bool, v int32) {
	if !live {
		s[l.Base+i], s[l.BaseLive+i] = 0, 0
		return
	}
	s[l.Base+i], s[l.BaseLive+i] = v, 1
}

func (l *Layout) maxTS(s State) int32 {
	n := l.histLen(s)
	if n == 0 {
		return 0
	}
	return s[l.Hist+int32(histWords*(n-1))+2]
}

func (l *Layout) view(s State, c int32, k int) int32 { return s[l.CPUs[c].View+int32(k)] }

func (l *Layout) raise(s State, c int32, k int, v int32) {
	at := l.CPUs[c].View + int32(k)
	s[at] = max(s[at], v)
}

// lowerBound returns the oldest timestamp of a write to slot i that CPU c
// may read: its coherence point, or the last write at or before its floor
// (the base at 0, or the oldest write held if the base is dead). ok is
// false when the history holds no write to i: then memory's value is the
// only one.
func (l *Layout) lowerBound(s State, c, i int32) (lb int32, ok bool) {
	return l.lowerBoundIn(s, c, i, l.histLen(s))
}

// lowerBoundIn is lowerBound in a history of n writes.
func (l *Layout) lowerBoundIn(s State, c, i int32, n int) (lb int32, ok bool) {
	floor := l.view(s, c, viewFloor)
	coh, le, oldest := int32(-1), int32(-1), int32(-1)
	if l.baseLive(s, i) {
		le = 0
	}
	bit := int32(1) << c
	for k := 0; k < n; k++ {
		at := l.Hist + int32(histWords*k)
		if s[at] != i+1 {
			continue
		}
		ts := s[at+2]
		if oldest < 0 {
			oldest = ts
		}
		if ts <= floor {
			le = ts
		}
		if s[at+3]&bit != 0 {
			coh = ts
		}
	}
	if oldest < 0 {
		return 0, false
	}
	if le < 0 {
		le = oldest
	}
	return max(coh, le), true
}

// latestTS returns the timestamp of the newest write to slot i the
// history holds, or -1.
func (l *Layout) latestTS(s State, i int32) int32 {
	ts := int32(-1)
	for k, n := 0, l.histLen(s); k < n; k++ {
		at := l.Hist + int32(histWords*k)
		if s[at] == i+1 {
			ts = s[at+2]
		}
	}
	return ts
}

// weakLoad is a load of global i by the running CPU from memory: any
// write it may read (see lowerBound), one successor each.
func (x *Ctx) weakLoad(i int32) int32 {
	l, s, c := x.L, x.S, x.CPU
	x.lastTS = 0
	lb, ok := l.lowerBound(s, c, i)
	if !ok {
		return s[i]
	}
	// The writes it may read, oldest first: -1 stands for the base.
	var cand [64]int32
	n := int32(0)
	if lb == 0 && l.baseLive(s, i) {
		cand[n] = -1
		n++
	}
	for k, hn := 0, l.histLen(s); k < hn && n < int32(len(cand)); k++ {
		at := l.Hist + int32(histWords*k)
		if s[at] == i+1 && s[at+2] >= lb {
			cand[n] = at
			n++
		}
	}
	at := cand[0]
	if n > 1 {
		k, ok := x.choose(n, x.pos)
		if !ok {
			return 0
		}
		at = cand[k]
		if k == n-1 {
			x.Fresh = true
		}
	}
	if at < 0 { // the base: older than every write held
		v := s[l.Base+i]
		x.Stale = append(x.Stale, StaleRead{Slot: i, Value: v, Memory: s[i]})
		return v
	}
	s[at+3] |= 1 << c
	ts := s[at+2]
	l.raise(s, c, viewSeenR, ts)
	x.lastTS = ts
	if ts < l.latestTS(s, i) {
		x.Stale = append(x.Stale, StaleRead{Slot: i, Value: s[at+1], Memory: s[i]})
	}
	return s[at+1]
}

// lockedLoad is a load of global i inside a locked sequence (memory
// weak): it reads memory's newest write, as a read-modify-write does, and
// the CPU has seen it, as after any load.
func (x *Ctx) lockedLoad(i int32) int32 {
	l, s, c := x.L, x.S, x.CPU
	x.lastTS = 0
	for k, n := l.histLen(s)-1, 0; k >= n; k-- {
		at := l.Hist + int32(histWords*k)
		if s[at] == i+1 {
			s[at+3] |= 1 << c
			x.lastTS = s[at+2]
			l.raise(s, c, viewSeenR, x.lastTS)
			break
		}
	}
	return s[i]
}

// weakStore writes v to global i in memory now (a device, a locked
// sequence, or a flush): it is appended to the history. c is the writing
// CPU, or -1 for a device. When the history is full its oldest writes
// are made visible to every CPU first (see age); aged reports that.
func (l *Layout) weakStore(s State, c, i, v int32) (aged bool) {
	if !l.CPULoaded[i] {
		// No CPU loads it, so its older values are never read and it
		// needs no entry; but the write still happens after every write
		// memory holds, which the writer's later barriers order after.
		s[i] = v
		if c >= 0 {
			l.raise(s, c, viewSeenW, l.maxTS(s))
		}
		return false
	}
	for l.histLen(s) == l.HistCap {
		// Full: the oldest write reaches every CPU now (see age).
		if !l.age(s) {
			panic("internal error: a full write history holds no write")
		}
		aged = true
	}
	if l.latestTS(s, i) < 0 {
		l.setBase(s, i, true, s[i]) // the value it overwrites stays readable
	}
	n := l.histLen(s)
	ts := l.maxTS(s) + 1
	at := l.Hist + int32(histWords*n)
	s[at], s[at+1], s[at+2], s[at+3] = i+1, v, ts, 0
	s[i] = v
	if c >= 0 {
		s[at+3] = 1 << c
		l.raise(s, c, viewSeenW, ts)
	}
	return aged
}

// flushable reports whether entry k of CPU c's buffer may reach memory
// (memory weak): no older entry stores to its location or is followed by
// a barrier, and a release store is the oldest.
func (l *Layout) flushable(s State, c int32, k int) bool {
	base := l.CPUs[c].SB
	w := s[base+2*int32(k)]
	if w&release != 0 && k > 0 {
		return false
	}
	slot := w &^ entryFlags
	for j := 0; j < k; j++ {
		w := s[base+2*int32(j)]
		if w&afterFence != 0 || w&^entryFlags == slot {
			return false
		}
	}
	return true
}

// flushAt writes entry k of CPU c's buffer to memory and takes it out; a
// barrier that followed it now follows the entry before it. It returns
// the slot written, and whether the history was full (see age).
func (l *Layout) flushAt(s State, c int32, k int) (slot int32, aged bool) {
	base := l.CPUs[c].SB
	at := base + 2*int32(k)
	w, v := s[at], s[at+1]
	i := w&^entryFlags - 1
	aged = l.weakStore(s, c, i, v)
	n := l.BufferLen(s, c)
	end := base + 2*int32(n)
	copy(s[at:end-2], s[at+2:end])
	s[end-2], s[end-1] = 0, 0
	if w&afterFence != 0 && k > 0 {
		s[at-2] |= afterFence
	}
	return i, aged
}

// fenceAfterNewest puts a barrier after the newest entry of CPU c's
// buffer: smp_wmb.
func (l *Layout) fenceAfterNewest(s State, c int32) { l.markNewest(s, c, afterFence) }

// markNewest sets flag on the newest entry of CPU c's buffer, if any.
func (l *Layout) markNewest(s State, c int32, flag int32) {
	if n := l.BufferLen(s, c); n > 0 {
		s[l.CPUs[c].SB+2*int32(n-1)] |= flag
	}
}

// age makes the oldest writes of the history visible to every online
// CPU: their floors are raised to the oldest write, then the next, until
// some write is one no CPU may read any more and goes. A bounded history
// thus bounds how far behind memory a CPU may read: runs in which one
// reads further back are not explored, and the report says so. It
// reports false if nothing could go (a history of no writes).
func (l *Layout) age(s State) bool {
	n := l.histLen(s)
	for k := 0; k < n; k++ {
		ts := s[l.Hist+int32(histWords*k)+2]
		var active [32]bool
		l.activeCPUs(s, active[:len(l.CPUs)])
		for c := range l.CPUs {
			if active[c] {
				l.raise(s, int32(c), viewFloor, ts)
			}
		}
		l.Normalize(s)
		if l.histLen(s) < n {
			return true
		}
		// Nothing went, so nothing moved: on to the next write.
	}
	return false
}

// observe raises CPU c's floor to the newest write: its later loads read
// what memory holds now. Interrupt entry does it (no load of the handler
// is satisfied before the interrupt is taken), and so do cpu_up and the
// migration of a thread by cpu_down.
func (l *Layout) observe(s State, c int32) {
	l.raise(s, c, viewFloor, l.maxTS(s))
	l.Normalize(s)
}

// Normalize keeps in the history only the writes some online CPU may
// still read, renumbers their timestamps densely and keeps only the
// views and coherence marks that still constrain a load, so that states
// that allow the same loads are equal. A write is dropped when every
// online CPU may read a later write to its location; the last write to a
// location left alone is dropped too once every online CPU's floor has
// passed it (memory's value is then the one every load reads). Only
// CPUs that may load before they observe memory count (see runsCode);
// the others' views are cleared.
func (l *Layout) Normalize(s State) {
	if !l.Weak {
		return
	}
	var active [32]bool // a history mask has a bit per CPU in one slot
	l.activeCPUs(s, active[:len(l.CPUs)])
	n := l.histLen(s)
	// The entries of each location, oldest first, linked through next;
	// locations in the order of their oldest entry.
	var (
		// Scratch on the stack for the usual small history.
		headA, nextA, tailA [64]int16
		locsA, oldA         [64]int32
		keepA               [64]bool
	)
	head, next, tail, locs, old, keep := headA[:], nextA[:], tailA[:], locsA[:], oldA[:], keepA[:]
	if n > len(headA) {
		head, next, tail = make([]int16, n), make([]int16, n), make([]int16, n)
		locs, old, keep = make([]int32, n), make([]int32, n), make([]bool, n)
	}
	ng := 0
	for k := 0; k < n; k++ {
		i := s[l.Hist+int32(histWords*k)]
		g := 0
		for g < ng && locs[g] != i {
			g++
		}
		if g == ng {
			locs[g], head[g] = i, int16(k)
			ng++
		} else {
			next[tail[g]] = int16(k)
		}
		tail[g], next[k], keep[k] = int16(k), -1, true
	}
	ts := func(k int16) int32 { return s[l.Hist+int32(histWords)*int32(k)+2] }
	mask := func(k int16) *int32 { return &s[l.Hist+int32(histWords)*int32(k)+3] }
	for g := 0; g < ng; g++ {
		i := locs[g] - 1
		// The oldest write any active CPU may read; older ones go.
		minLB, any := int32(1<<30), false
		for c := range l.CPUs {
			if active[c] {
				any = true
				lb, _ := l.lowerBoundIn(s, int32(c), i, n)
				minLB = min(minLB, lb)
			}
		}
		count := 0
		if l.baseLive(s, i) {
			if minLB > 0 {
				l.setBase(s, i, false, 0)
			} else {
				count++
			}
		}
		last := int16(-1)
		for k := head[g]; k >= 0; k = next[k] {
			if ts(k) < minLB {
				keep[k] = false
				continue
			}
			last, count = k, count+1
		}
		if count == 1 && last >= 0 {
			// The newest write alone: it goes once every active floor has
			// passed it, and memory's value is then the one to read.
			passed := true
			for c := range l.CPUs {
				if active[c] && s[l.CPUs[c].View+viewFloor] < ts(last) {
					passed = false
				}
			}
			if passed || !any {
				keep[last] = false
			}
		}
	}
	// Renumber: the kept timestamps, ascending, become 1, 2, ...
	m := 0
	for k := 0; k < n; k++ {
		if keep[k] {
			old[m] = ts(int16(k))
			m++
		}
	}
	rank := func(v int32) int32 { // kept timestamps at or before v
		r, _ := slices.BinarySearch(old[:m], v+1)
		return int32(r)
	}
	// Coherence marks, before the entries move: a CPU's mark stays only
	// on its newest marked write of a location, and only if that write is
	// later than what its floor already lets it read.
	for g := 0; g < ng; g++ {
		base := l.baseLive(s, locs[g]-1)
		for c := range l.CPUs {
			bit := int32(1) << c
			newest, le := int16(-1), int16(-1)
			floor := s[l.CPUs[c].View+viewFloor]
			for k := head[g]; k >= 0; k = next[k] {
				if !keep[k] {
					*mask(k) &^= bit
					continue
				}
				if *mask(k)&bit != 0 {
					newest = k
					*mask(k) &^= bit
				}
				if ts(k) <= floor || le < 0 && !base {
					le = k
				}
			}
			if newest >= 0 && newest > le && active[c] {
				*mask(newest) |= bit
			}
		}
	}
	w := 0
	for k := 0; k < n; k++ {
		if !keep[k] {
			continue
		}
		from, to := l.Hist+int32(histWords*k), l.Hist+int32(histWords*w)
		s[to], s[to+1], s[to+2], s[to+3] = s[from], s[from+1], rank(s[from+2]), s[from+3]
		w++
	}
	clear(s[l.Hist+int32(histWords*w) : l.Hist+int32(histWords*n)])
	// A location whose writes all went keeps no base.
	for g := 0; g < ng; g++ {
		i, any := locs[g]-1, false
		for k := head[g]; k >= 0 && !any; k = next[k] {
			any = keep[k]
		}
		if !any {
			l.setBase(s, i, false, 0)
		}
	}
	for c := range l.CPUs {
		v := l.CPUs[c].View
		if !active[c] {
			clear(s[v : v+NumViews])
			continue
		}
		floor := rank(s[v+viewFloor])
		s[v+viewFloor] = floor
		s[v+viewSeenR] = max(rank(s[v+viewSeenR]), floor)
		s[v+viewSeenW] = max(rank(s[v+viewSeenW]), floor)
	}
}

// sameMemory reports whether b agrees with a on everything Normalize
// reads: the history, the views, and which CPUs run code. A successor
// that agrees with its normalized state needs no normalizing.
func (l *Layout) sameMemory(a, b State) bool {
	h := l.Hist + int32(histWords*l.HistCap)
	if !slices.Equal(a[l.Hist:h], b[l.Hist:h]) || !slices.Equal(a[l.Base:l.Base+l.Globals], b[l.Base:l.Base+l.Globals]) ||
		!slices.Equal(a[l.BaseLive:l.BaseLive+l.Globals], b[l.BaseLive:l.BaseLive+l.Globals]) {
		return false
	}
	for c := range l.CPUs {
		cs := &l.CPUs[c]
		if a[cs.Online] != b[cs.Online] || a[cs.Handler] != b[cs.Handler] ||
			!slices.Equal(a[cs.View:cs.View+NumViews], b[cs.View:cs.View+NumViews]) {
			return false
		}
	}
	for t := range l.Threads {
		if a[l.Threads[t].CPU] != b[l.Threads[t].CPU] {
			return false
		}
	}
	return true
}

// activeCPUs sets active[c] to runsCode(s, c) for every CPU.
func (l *Layout) activeCPUs(s State, active []bool) {
	for c := range active {
		cs := &l.CPUs[c]
		active[c] = s[cs.Online] != 0 && s[cs.Handler] != 0
	}
	for t := range l.Threads {
		if c := s[l.Threads[t].CPU]; c >= 0 && s[l.CPUs[c].Online] != 0 {
			active[c] = true
		}
	}
}

// runsCode reports whether CPU c may load before it next observes
// memory: it is online and runs a handler or has an unfinished thread.
// An idle CPU's next load comes after an interrupt entry (or cpu_up, or
// a thread moved to it by cpu_down), each of which observes memory, so
// its views constrain nothing and are dropped: states that differ only in
// them are one.
func (l *Layout) runsCode(s State, c int32) bool {
	var active [32]bool
	l.activeCPUs(s, active[:len(l.CPUs)])
	return active[c]
}

// firstOf returns the index of the oldest write to slot i in the history.
func (l *Layout) firstOf(s State, i int32) int {
	for k, n := 0, l.histLen(s); k < n; k++ {
		if s[l.Hist+int32(histWords*k)] == i+1 {
			return k
		}
	}
	return -1
}

// HistoryPerEntry is the size of the write history per store buffer
// entry: memory weak N holds HistoryPerEntry*N writes.
const HistoryPerEntry = 8

// Behind lists, for each location the history holds, the older values
// CPU c may still read there instead of memory's newest (memory weak):
// what its loads may see that memory no longer holds. An idle CPU may
// read nothing behind: its next load comes after it observes memory. Locations come in
// the order of their oldest write held, values oldest first.
func (l *Layout) Behind(s State, c int32) []StaleRead {
	var out []StaleRead
	if !l.runsCode(s, c) {
		return nil // its next load observes memory first
	}
	n := l.histLen(s)
	for k := 0; k < n; k++ {
		i := s[l.Hist+int32(histWords*k)] - 1
		if l.firstOf(s, i) != k {
			continue
		}
		lb, _ := l.lowerBound(s, c, i)
		latest := l.latestTS(s, i)
		if lb == 0 && l.baseLive(s, i) {
			out = append(out, StaleRead{Slot: i, Value: s[l.Base+i], Memory: s[i]})
		}
		for j := k; j < n; j++ {
			at := l.Hist + int32(histWords*j)
			if s[at] == i+1 && s[at+2] >= lb && s[at+2] < latest {
				out = append(out, StaleRead{Slot: i, Value: s[at+1], Memory: s[i]})
			}
		}
	}
	return out
}
