package machine

import (
	"fmt"

	"github.com/irqcheck/irqcheck/syntax"
)

// Op is an instruction's operation.
type Op uint8

// The operations. Every non-free instruction is one step of its process
// (or part of one, inside an atomic region); free instructions (jumps and
// frame clears) run as the tail of the step before them.
const (
	OpExec   Op = iota // run Exec, go to Next
	OpBranch           // go to Next if Cond holds, else to Alt
	OpAwait            // enabled only if Cond holds; go to Next
	OpAssert           // violation unless Cond holds; go to Next
	OpChoice           // go to any of Targets (either/or)
	OpChoose           // Store any value of Lo..Hi; go to Next
	OpYield            // go to Next and let another thread of this CPU run
	OpJump             // free: go to Next
	OpClear            // free: zero frame slots ClearAt..ClearAt+ClearN; go to Next
	OpEnd              // the end of the process: done, or handler return
)

// successors returns the pcs a step at in may go on to.
func (in *Instr) successors() []int32 {
	switch in.Op {
	case OpBranch:
		return []int32{in.Next, in.Alt}
	case OpChoice:
		return in.Targets
	case OpEnd:
		return nil
	}
	return []int32{in.Next}
}

// Instr is one instruction.
type Instr struct {
	Op      Op
	ID      int32 // unique among the program's processes (see Program.Instrs)
	Free    bool  // runs as the tail of the previous step
	Region  int32 // atomic region: consecutive instructions of one region form one step; 0 = none
	Next    int32
	Alt     int32
	Targets []int32
	Exec    func(*Ctx)
	Cond    func(*Ctx) int64
	Lo, Hi  func(*Ctx) int64
	Store   func(*Ctx, int64)
	ClearAt int32 // frame-relative
	ClearN  int32
	Pos     syntax.Pos
	Text    string // the statement as shown in traces
	Msg     string // OpAssert: the assertion's message
	// Private: the instruction reads and writes nothing but its
	// process's own locals and constants (no global, no machine state, no
	// call), so that no other process can see it or change its outcome.
	// The compiler sets it; the partial-order reduction reads it (see
	// Machine.PrivateSteps).
	Private bool
	// MayDown: the instruction may call cpu_down, itself or in a fn it
	// calls (the compiler marks every instruction of a statement that
	// may). The partial-order reduction reads it to know when no thread
	// can move any more (see Machine.PrivateSteps).
	MayDown bool
	// Reads and Kills, when ReadsKnown, are the frame-relative slots of
	// the process's locals that the instruction may read, and those it
	// always writes in full (after its reads): the compiler sets them,
	// and the machine resets dead locals by them (dead.go). Without
	// ReadsKnown, an instruction that evaluates expressions may read
	// every local.
	Reads, Kills []int32
	ReadsKnown   bool
}

// Code is the instruction list of one process; it ends with OpEnd.
type Code []Instr

// Status tells how a step ended.
type Status uint8

// Step outcomes.
const (
	StepOK      Status = iota
	StepBlocked        // an await did not hold: the step is not enabled
	StepError          // a violation: assertion, run-time error
)

// ErrorKind classifies a violation raised while executing a step.
type ErrorKind uint8

// Kinds of errors raised by steps.
const (
	ErrAssert ErrorKind = iota + 1
	ErrRuntime
)

// RuntimeError is a violation raised while executing a step.
type RuntimeError struct {
	Kind ErrorKind
	Pos  syntax.Pos
	Msg  string
}

// Delivery is a message a device's send delivered at once.
type Delivery struct {
	CPU, Vector int32
	Dropped     bool // the CPU was offline
}

// StaleRead is a load that read an older write than memory's newest
// (memory weak): the value it read and the value memory holds.
type StaleRead struct {
	Slot, Value, Memory int32
}

// maxAtomicInstrs bounds the instructions of one atomic step, so that a
// loop that never ends inside atomic { } is reported, not run forever.
const maxAtomicInstrs = 100000

// maxChoice bounds the values of one choose.
const maxChoice = 4096

// maxOutcomes bounds the outcomes of one step: the product of the arities
// of the either and choose points it passes. The machine enumerates them
// all before the explorer can apply its limits.
const maxOutcomes = 1 << 14

// Ctx is the context of one step: the state being written and who runs.
type Ctx struct {
	S     State
	L     *Layout
	CPU   int32 // this_cpu, or -1
	Vec   int32 // this_vector, or -1
	Frame int32 // first slot of the running process's locals

	// Covered, when not nil, is a bit set over instruction IDs: each
	// instruction the context executes sets its bit.
	Covered []uint64

	// Direct is set while a device runs: its messages are posted writes
	// that land at once (pending on an online CPU, dropped at an offline
	// one) instead of going in flight.
	Direct bool
	// Delivered lists what direct sends did in this step.
	Delivered []Delivery

	// Stale lists the loads of this step that read a write older than
	// memory's newest (memory weak).
	Stale []StaleRead
	// Fresh is set when a load of this step that could have read an
	// older write read memory's newest (memory weak): see
	// Transition.Fresh.
	Fresh bool
	// HistoryFull is set when a store found the write history full and
	// made its oldest write visible to every CPU (memory weak).
	HistoryFull bool

	// BufferFull is set when a store found the CPU's store buffer full
	// (memory tso): the step stalled until a flush.
	BufferFull bool
	locked     int   // depth of locked sequences: stores go to memory
	stored     int   // stores buffered by this step
	lastTS     int32 // memory weak: the timestamp of the write the last load read
	// releaseNext: memory weak: the next buffered store is a release.
	releaseNext bool
	pos         syntax.Pos // the instruction being executed

	Status  Status
	Err     RuntimeError
	Yielded bool // the step executed yield()
	Ret     int64

	// The choice oracle: Choices[i] is taken at the i-th choice point of
	// the step; past the end, 0 is taken and the arity recorded.
	Choices []int32
	Arity   []int32
	cpos    int

	// Scratch for compiled code: the arguments of a call, evaluated
	// before any parameter is written, and a brace initialiser's value.
	Args    []int64
	Scratch []int32

	budget   int
	outcomes int64 // product of the arities of the choice points passed
}

// Reset prepares the context for a new step over state s.
func (x *Ctx) Reset(s State, cpu, vec, frame int32) {
	x.S = s
	x.CPU, x.Vec, x.Frame = cpu, vec, frame
	x.Status = StepOK
	x.Yielded = false
	x.Direct = false
	x.BufferFull, x.locked, x.stored, x.lastTS, x.releaseNext = false, 0, 0, 0, false
	x.Delivered = x.Delivered[:0]
	x.Stale = x.Stale[:0]
	x.Fresh, x.HistoryFull = false, false
	x.cpos = 0
	x.Arity = x.Arity[:0]
	x.Args = x.Args[:0]
	x.budget = maxAtomicInstrs
	x.outcomes = 1
}

// NextChoices advances the choice vector to the next unexplored one after
// a step; it reports false when every combination has been tried.
func (x *Ctx) NextChoices() bool {
	n := x.cpos
	if n > len(x.Choices) {
		n = len(x.Choices)
	}
	for i := n - 1; i >= 0; i-- {
		if x.Choices[i]+1 < x.Arity[i] {
			x.Choices[i]++
			x.Choices = x.Choices[:i+1]
			return true
		}
	}
	x.Choices = x.Choices[:0]
	return false
}

// ChoicesUsed returns the choices taken by the last step.
func (x *Ctx) ChoicesUsed() []int32 { return x.Choices[:x.cpos] }

// choose takes the next choice among n; it fails the step (and records no
// choice point) when the step would have more than maxOutcomes outcomes.
func (x *Ctx) choose(n int32, pos syntax.Pos) (int32, bool) {
	if x.outcomes*int64(n) > maxOutcomes {
		x.Fail(ErrRuntime, pos, "one step has more than %d possible outcomes (split the atomic step or narrow the choices)", maxOutcomes)
		return 0, false
	}
	x.outcomes *= int64(n)
	i := x.cpos
	x.cpos++
	if i >= len(x.Choices) {
		x.Choices = append(x.Choices, 0)
	}
	if i >= len(x.Arity) {
		x.Arity = append(x.Arity, n)
	} else {
		x.Arity[i] = n
	}
	if x.Choices[i] >= n { // defensive: a stale vector
		x.Choices[i] = 0
	}
	return x.Choices[i], true
}

// Fail records a violation and stops the step.
func (x *Ctx) Fail(kind ErrorKind, pos syntax.Pos, format string, args ...any) {
	if x.Status == StepError {
		return
	}
	x.Status = StepError
	x.Err = RuntimeError{Kind: kind, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// Block marks the step as not enabled (an await inside it did not hold).
func (x *Ctx) Block() {
	if x.Status == StepOK {
		x.Status = StepBlocked
	}
}

// Step executes one step of code starting at pc and returns the new pc,
// which is settled: it never points at a free instruction. x.Status tells
// whether the step ran, was not enabled, or raised a violation.
func (x *Ctx) Step(code Code, pc int32) int32 {
	region := code[pc].Region
	if region != 0 {
		// An atomic step is locked: a full barrier on both sides.
		x.Lock()
		defer x.Unlock()
	}
	for {
		pc = x.exec1(code, pc)
		if x.Status != StepOK {
			return pc
		}
		// Settle, noting whether a free instruction outside the region
		// was crossed: then the region was left and entered again (the
		// back edge of for (;;) atomic { }), and that is the next step.
		left := false
		for code[pc].Free {
			in := &code[pc]
			if in.Region != region {
				left = true
			}
			if in.Op == OpClear {
				base := x.Frame + in.ClearAt
				clear(x.S[base : base+in.ClearN])
			}
			pc = in.Next
		}
		if region == 0 || left || code[pc].Region != region || code[pc].Op == OpEnd {
			return pc
		}
		x.budget--
		if x.budget <= 0 {
			x.Fail(ErrRuntime, code[pc].Pos, "atomic step runs more than %d instructions (a loop that never ends?)", maxAtomicInstrs)
			return pc
		}
	}
}

// Run executes code from its start to its end in one step (an atomic fn
// called inside an expression, or init).
func (x *Ctx) Run(code Code) {
	x.Lock() // an atomic fn is locked, as an atomic step is
	defer x.Unlock()
	pc := x.Settle(code, 0)
	for code[pc].Op != OpEnd {
		pc = x.exec1(code, pc)
		if x.Status != StepOK {
			return
		}
		pc = x.Settle(code, pc)
		x.budget--
		if x.budget <= 0 {
			x.Fail(ErrRuntime, code[pc].Pos, "atomic step runs more than %d instructions (a loop that never ends?)", maxAtomicInstrs)
			return
		}
	}
}

// Settle runs the free instructions at pc and returns the first pc that
// is a step (or the end).
func (x *Ctx) Settle(code Code, pc int32) int32 {
	for {
		in := &code[pc]
		if !in.Free {
			return pc
		}
		if in.Op == OpClear {
			base := x.Frame + in.ClearAt
			clear(x.S[base : base+in.ClearN])
		}
		pc = in.Next
	}
}

func (x *Ctx) exec1(code Code, pc int32) int32 {
	in := &code[pc]
	x.pos = in.Pos
	if x.Covered != nil {
		// Written only the first time: the workers' sets are small and
		// may share a cache line.
		if w, bit := &x.Covered[in.ID>>6], uint64(1)<<(in.ID&63); *w&bit == 0 {
			*w |= bit
		}
	}
	switch in.Op {
	case OpExec:
		in.Exec(x)
		return in.Next
	case OpBranch:
		if in.Cond(x) != 0 {
			return in.Next
		}
		return in.Alt
	case OpAwait:
		if in.Cond(x) == 0 {
			x.Block()
		}
		return in.Next
	case OpAssert:
		if in.Cond(x) == 0 && x.Status == StepOK {
			x.Fail(ErrAssert, in.Pos, "%s", in.Msg)
		}
		return in.Next
	case OpChoice:
		k, ok := x.choose(int32(len(in.Targets)), in.Pos)
		if !ok {
			return pc
		}
		return in.Targets[k]
	case OpChoose:
		lo, hi := in.Lo(x), in.Hi(x)
		if x.Status != StepOK {
			return pc
		}
		if hi < lo {
			x.Fail(ErrRuntime, in.Pos, "choose from empty range %d..%d", lo, hi)
			return pc
		}
		if uint64(hi)-uint64(lo) >= maxChoice { // unsigned: hi-lo may overflow
			x.Fail(ErrRuntime, in.Pos, "choose from %d..%d: more than %d values", lo, hi, maxChoice)
			return pc
		}
		k, ok := x.choose(int32(hi-lo+1), in.Pos)
		if !ok {
			return pc
		}
		in.Store(x, lo+int64(k))
		return in.Next
	case OpYield:
		x.Yielded = true
		return in.Next
	case OpEnd:
		return pc
	}
	x.Fail(ErrRuntime, in.Pos, "internal error: bad instruction %d", in.Op)
	return pc
}

// String renders an instruction for debugging.
func (in *Instr) String() string {
	return fmt.Sprintf("op%d %q next=%d alt=%d region=%d", in.Op, in.Text, in.Next, in.Alt, in.Region)
}
