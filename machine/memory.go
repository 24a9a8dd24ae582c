package machine

// The memory seam. Compiled code reads and writes the model's variables
// only through these methods, so that a memory model can stand between a
// process and shared memory: the globals, slots 0 to Layout.Globals-1.
// Locals (frames) are private to their process; compiled code may read
// and write those directly, and so may the machine's own bookkeeping
// (program counters, the IRR, the vector table, messages in flight),
// which is not memory that the model's code stores to.
//
// Under sequential consistency (memory sc;, the default) a load reads the
// state and a store writes it. Under x86-TSO (memory tso;), as Owens,
// Sarkar and Sewell define it, each CPU has a FIFO store buffer of
// Layout.SBSize entries: a store of a CPU's thread or handler goes into
// it, a load takes the newest buffered store to its slot if there is one
// and memory otherwise, and a Flush transition writes the oldest entry to
// memory. A full fence (smp_mb, a locked read-modify-write, an atomic
// step) drains the buffer. Devices and init have no buffer: their
// stores go to memory.
//
// Under memory weak (ARMv8, RISC-V) the buffer is not FIFO and loads may
// read older writes than memory's newest: see weak.go.

// FenceKind says which accesses a barrier orders.
type FenceKind uint8

// The barriers.
const (
	FenceFull    FenceKind = iota // smp_mb, and around locked instructions
	FenceStore                    // smp_wmb
	FenceLoad                     // smp_rmb
	FenceAcquire                  // after smp_load_acquire
	FenceRelease                  // before smp_store_release
)

// buffered reports whether slot i is stored through the running CPU's
// store buffer.
func (x *Ctx) buffered(i int32) bool {
	return x.L.SBSize > 0 && x.CPU >= 0 && i < x.L.Globals && x.locked == 0
}

// Load returns the value in slot i as the running process reads it.
func (x *Ctx) Load(i int32) int32 {
	if x.buffered(i) {
		if v, ok := x.L.Forward(x.S, x.CPU, i); ok {
			x.lastTS = 0
			return v
		}
		if x.L.Weak {
			return x.weakLoad(i)
		}
	} else if x.L.Weak && x.CPU >= 0 && i < x.L.Globals {
		return x.lockedLoad(i)
	}
	return x.S[i]
}

// Store writes v to slot i as the running process writes it. Under tso a
// store to a full buffer stalls the step until a flush makes room; a step
// that stores more globals than a buffer holds is a run-time error.
func (x *Ctx) Store(i, v int32) {
	if !x.buffered(i) {
		x.releaseNext = false
		if x.L.Weak && i < x.L.Globals && (x.CPU >= 0 || x.Direct) {
			// A device's store or a locked one: to memory, in the history.
			if x.L.weakStore(x.S, x.CPU, i, v) {
				x.HistoryFull = true
			}
			return
		}
		x.S[i] = v
		return
	}
	rel := x.releaseNext
	x.releaseNext = false
	if !x.L.Buffer(x.S, x.CPU, i, v) {
		if x.stored >= x.L.SBSize {
			x.Fail(ErrRuntime, x.pos, "one step stores more than %d globals, more than a store buffer holds (raise the bound: memory tso N;)", x.L.SBSize)
			return
		}
		x.BufferFull = true
		x.Block()
		return
	}
	if rel {
		x.L.markNewest(x.S, x.CPU, release)
	}
	x.stored++
}

// LoadSlice reads len(dst) slots from slot from into dst.
func (x *Ctx) LoadSlice(from int32, dst []int32) {
	if x.L.SBSize == 0 {
		copy(dst, x.S[from:from+int32(len(dst))])
		return
	}
	for k := range dst {
		dst[k] = x.Load(from + int32(k))
	}
}

// StoreSlice writes src to the slots from slot to on.
func (x *Ctx) StoreSlice(to int32, src []int32) {
	if x.L.SBSize == 0 {
		copy(x.S[to:to+int32(len(src))], src)
		return
	}
	for k, v := range src {
		x.Store(to+int32(k), v)
	}
}

// Copy copies n slots from slot from to slot to (a struct assignment).
func (x *Ctx) Copy(to, from, n int32) {
	if x.L.SBSize == 0 {
		copy(x.S[to:to+n], x.S[from:from+n])
		return
	}
	for k := int32(0); k < n; k++ {
		x.Store(to+k, x.Load(from+k))
	}
}

// Fence is a barrier of kind k. Under tso only a full fence does
// anything: it drains the running CPU's store buffer, as mfence and a
// locked instruction do. x86 keeps stores in order with stores and loads
// with loads, so smp_wmb and smp_rmb are compiler barriers there, and
// acquire and release are plain loads and stores.
//
// Under weak (dmb ish, dmb ishst, dmb ishld on ARMv8; fence rw,rw, w,w
// and r,r on RISC-V) a full fence drains the buffer and raises the floor
// to every write the CPU has read or written; smp_wmb and a release put
// a barrier after the newest buffered store; a release store reaches
// memory only after every older buffered store; smp_rmb raises the floor
// to the writes the CPU has read, and an acquire to the write its load
// read.
func (x *Ctx) Fence(k FenceKind) {
	if x.L.SBSize == 0 || x.CPU < 0 {
		return
	}
	l, s, c := x.L, x.S, x.CPU
	if !l.Weak {
		if k == FenceFull {
			l.Drain(s, c)
		}
		return
	}
	switch k {
	case FenceFull:
		if l.Drain(s, c) {
			x.HistoryFull = true
		}
		l.raise(s, c, viewFloor, max(l.view(s, c, viewSeenR), l.view(s, c, viewSeenW)))
	case FenceStore:
		l.fenceAfterNewest(s, c)
	case FenceRelease:
		x.releaseNext = true // the store that follows is marked
	case FenceLoad:
		l.raise(s, c, viewFloor, l.view(s, c, viewSeenR))
	case FenceAcquire:
		l.raise(s, c, viewFloor, x.lastTS)
	}
}

// Lock starts a locked sequence (an atomic step or fn, a locked
// read-modify-write): the running CPU's buffer is drained and the
// sequence's stores go to memory, so that it is a full barrier on both
// sides. Sequences nest; Unlock ends one.
func (x *Ctx) Lock() {
	if x.locked == 0 {
		x.Fence(FenceFull)
	}
	x.locked++
}

// Unlock ends a locked sequence begun by Lock; under weak the sequence
// is a full barrier after it too (the kernel's fully ordered
// read-modify-writes: smp_mb() on both sides).
func (x *Ctx) Unlock() {
	x.locked--
	if x.locked == 0 && x.L.Weak && x.CPU >= 0 {
		x.Fence(FenceFull)
	}
}

// The store buffers, in the state: CPU c's buffer is Layout.SBSize
// entries of two slots from CPUSlots.SB on, oldest first: the slot
// stored to plus one (0 for an empty entry; under weak, with afterFence
// set when a barrier follows the entry), and the value.

// BufferLen returns the number of stores in CPU c's buffer.
func (l *Layout) BufferLen(s State, c int32) int {
	base := l.CPUs[c].SB
	n := 0
	for n < l.SBSize && s[base+2*int32(n)] != 0 {
		n++
	}
	return n
}

// BufferEntry returns the k-th oldest store in CPU c's buffer.
func (l *Layout) BufferEntry(s State, c int32, k int) (slot, v int32) {
	at := l.CPUs[c].SB + 2*int32(k)
	return s[at]&^entryFlags - 1, s[at+1]
}

// Forward returns the newest store to slot i in CPU c's buffer.
func (l *Layout) Forward(s State, c, i int32) (int32, bool) {
	base := l.CPUs[c].SB
	for k := int32(l.BufferLen(s, c)) - 1; k >= 0; k-- {
		if s[base+2*k]&^entryFlags == i+1 {
			return s[base+2*k+1], true
		}
	}
	return 0, false
}

// Buffer appends a store of v to slot i to CPU c's buffer; it reports
// false if the buffer is full.
func (l *Layout) Buffer(s State, c, i, v int32) bool {
	n := l.BufferLen(s, c)
	if n == l.SBSize {
		return false
	}
	at := l.CPUs[c].SB + 2*int32(n)
	s[at], s[at+1] = i+1, v
	return true
}

// FlushOne writes the oldest store in CPU c's buffer to memory and
// returns its slot, or -1 if the buffer is empty.
func (l *Layout) FlushOne(s State, c int32) int32 {
	n := l.BufferLen(s, c)
	if n == 0 {
		return -1
	}
	base := l.CPUs[c].SB
	i := s[base] - 1
	s[i] = s[base+1]
	end := base + 2*int32(n)
	copy(s[base:end-2], s[base+2:end])
	s[end-2], s[end-1] = 0, 0
	return i
}

// Drain writes every store in CPU c's buffer to memory, oldest first.
// Under weak it reports whether the write history was full (see age).
func (l *Layout) Drain(s State, c int32) (aged bool) {
	if l.SBSize == 0 {
		return false
	}
	if l.Weak {
		for l.BufferLen(s, c) > 0 {
			_, a := l.flushAt(s, c, 0)
			aged = aged || a
		}
		return aged
	}
	for l.FlushOne(s, c) >= 0 {
	}
	return false
}
