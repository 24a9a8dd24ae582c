package machine

// The memory seam. Compiled code reads and writes the model's variables
// only through these methods, so that a memory model can stand between a
// process and shared memory: the globals, slots 0 to Layout.Globals-1.
// Locals (frames) are private to their process; compiled code may read
// and write those directly, and so may the machine's own bookkeeping
// (program counters, the IRR, the vector table, messages in flight),
// which is not memory that the model's code stores to.
//
// Under the default memory model, sequential consistency, a load reads
// the state and a store writes it.

// Load returns the value in slot i as the running process reads it.
func (x *Ctx) Load(i int32) int32 { return x.S[i] }

// Store writes v to slot i as the running process writes it.
func (x *Ctx) Store(i, v int32) { x.S[i] = v }

// LoadSlice reads len(dst) slots from slot from into dst.
func (x *Ctx) LoadSlice(from int32, dst []int32) {
	copy(dst, x.S[from:from+int32(len(dst))])
}

// StoreSlice writes src to the slots from slot to on.
func (x *Ctx) StoreSlice(to int32, src []int32) {
	copy(x.S[to:to+int32(len(src))], src)
}

// Copy copies n slots from slot from to slot to (a struct assignment).
func (x *Ctx) Copy(to, from, n int32) {
	copy(x.S[to:to+n], x.S[from:from+n])
}
