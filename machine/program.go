package machine

import (
	"sync"

	"github.com/irqcheck/irqcheck/sema"
	"github.com/irqcheck/irqcheck/syntax"
)

// Proc is a compiled thread, device, handler or init block.
type Proc struct {
	Kind      sema.ProcKind
	Name      string
	Index     int
	CPU       int // threads: the CPU it starts on
	Family    int // threads: the thread-on-each-cpu family it belongs to, or -1
	Code      Code
	FrameSize int32
	Pos       syntax.Pos
	// Forever marks a thread or device that runs for ever by design: it
	// is not expected to finish (no hang, no livelock when it does not).
	Forever bool
}

// LivenessDecl is a compiled liveness declaration (see syntax.TemporalKind).
type LivenessDecl struct {
	Name string
	Pos  syntax.Pos
	Kind syntax.TemporalKind
	Text string // the formula as written
	P, Q func(*Ctx) int64
}

// Property is a compiled invariant, final or cover condition.
type Property struct {
	Name string
	Pos  syntax.Pos
	Text string
	Eval func(*Ctx) int64
}

// Program is a compiled model, ready for the machine.
type Program struct {
	Name       string // file name
	Layout     *Layout
	Threads    []*Proc
	Devices    []*Proc
	Handlers   []*Proc
	Init       *Proc // nil when the model has none
	Invariants []*Property
	Finals     []*Property
	Covers     []*Property
	Liveness   []*LivenessDecl
	// Instrs bounds the instruction IDs of all processes (see
	// Ctx.Covered).
	Instrs    int
	Symmetric bool
	// Memory is the memory model as the model names it: sc, tso, weak,
	// arm or riscv.
	Memory string
	// Symmetry is how CPU permutations act on states; nil unless the
	// model is declared symmetric.
	Symmetry *Symmetry
	// Initial is the state before init runs: globals at their initial
	// values, all CPUs online with IF=1, threads at their first step.
	Initial State
	// Names lists thread and handler names by index, for display.
	Names Names
	// KeepDeadLocals turns off the reset of dead locals (dead.go), to
	// compare: the machine then keeps values that nothing reads again.
	KeepDeadLocals bool
	// MovesThreads is set when some code calls cpu_down, which moves
	// threads from one CPU to another.
	MovesThreads bool
	// InitMovesThreads is set when init calls cpu_down: threads then
	// start the search on other CPUs than they name.
	InitMovesThreads bool

	privOnce sync.Once
	priv     *privateSteps // see PrivateSteps
	deadOnce sync.Once
	dead     *deadLocals // see DeadAt
}
