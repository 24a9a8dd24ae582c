package sema

import "github.com/irqcheck/irqcheck/syntax"

// ObjKind classifies a named entity.
type ObjKind int

// The kinds of named entities.
const (
	ObjConst   ObjKind = iota // const NAME = value
	ObjGlobal                 // a global variable
	ObjLocal                  // a local variable or fn parameter
	ObjFn                     // fn or atomic fn
	ObjHandler                // handler NAME
	ObjThread                 // thread NAME on cpu C
	ObjDevice                 // device NAME
	ObjStruct                 // struct NAME
	ObjBuiltin                // a built-in function or name
	ObjFamily                 // thread NAME on each cpu: one thread per CPU
)

var objKindNames = [...]string{
	ObjConst: "constant", ObjGlobal: "variable", ObjLocal: "local variable", ObjFn: "function",
	ObjHandler: "handler", ObjThread: "thread", ObjDevice: "device", ObjStruct: "struct type",
	ObjBuiltin: "built-in", ObjFamily: "thread on each cpu",
}

func (k ObjKind) String() string { return objKindNames[k] }

// Object is a named entity of a model.
type Object struct {
	Kind    ObjKind
	Name    string
	Pos     syntax.Pos
	Type    *Type    // type of a variable, constant or fn result
	Value   int64    // ObjConst: the value
	Hex     bool     // ObjConst or variable: shown in hex in traces
	Index   int      // index among the objects of its kind (threads, handlers, devices, globals)
	Fn      *Fn      // ObjFn
	Proc    *Proc    // ObjThread, ObjDevice, ObjHandler
	Builtin *Builtin // ObjBuiltin
	Init    syntax.Expr
}

// Fn is a checked fn declaration.
type Fn struct {
	Name   string
	Decl   *syntax.FnDecl
	Atomic bool
	Params []*Object
	Result *Type     // TypVoid when the fn returns nothing
	Locals []*Object // every local of the body, parameters first
}

// ProcKind tells what kind of process runs a body of code.
type ProcKind int

// The kinds of processes.
const (
	ProcThread  ProcKind = iota // bound to a CPU, scheduled cooperatively
	ProcDevice                  // bound to no CPU, always runnable
	ProcHandler                 // runs on the CPU that took the interrupt
	ProcInit                    // runs once before exploration
)

// Proc is a thread, device, handler or the init block.
type Proc struct {
	Kind   ProcKind
	Name   string
	Pos    syntax.Pos
	Body   *syntax.BlockStmt
	CPU    int       // ProcThread: the CPU it starts on
	Index  int       // index among procs of the same kind
	Family int       // ProcThread: index in Program.Families of a thread on each cpu, or -1
	Locals []*Object // locals declared in the body (not those of called fns)
	// Forever marks a thread or device that runs for ever by design (a
	// timer, an idle loop, a poller): it is not expected to finish.
	Forever bool
}

// Liveness is a checked liveness declaration: P ~> Q, always eventually
// P, or eventually always P.
type Liveness struct {
	Name string // "" when unnamed
	Pos  syntax.Pos
	Kind syntax.TemporalKind
	P, Q syntax.Expr // Q is nil unless Kind is syntax.LeadsTo
}

// Property is an invariant, final or cover condition.
type Property struct {
	Name string // "" when unnamed
	Pos  syntax.Pos
	Cond syntax.Expr
}

// Program is a resolved and type-checked model.
type Program struct {
	File      *syntax.File
	NCPUs     int
	Symmetric bool
	// Distinguished marks the CPUs a symmetric model names (cpus N
	// symmetric except C, ...); permutations leave them in place.
	Distinguished []bool
	// Families names the threads declared on each cpu; each has one copy
	// per CPU in Threads, in CPU order.
	Families []string
	Inflight int // most messages in flight at once
	// Memory is the memory model the CPUs see (memory sc|tso|weak;),
	// and StoreBuffer, under tso and weak, the entries of each CPU's
	// store buffer.
	Memory      MemoryModel
	MemoryName  string // as written: sc (also when not declared), tso, weak, arm or riscv
	StoreBuffer int
	Globals     []*Object
	Threads     []*Proc
	Devices     []*Proc
	Handlers    []*Proc
	Init        *Proc // nil when the model has no init block
	Fns         []*Fn
	Invariants  []*Property
	Finals      []*Property
	Covers      []*Property
	Liveness    []*Liveness
	Info        *Info
}

// Info records what the checker found about each expression and name.
type Info struct {
	Types  map[syntax.Expr]*Type        // type of every checked expression
	Consts map[syntax.Expr]int64        // value of every constant expression
	Uses   map[*syntax.Ident]*Object    // object each identifier refers to
	Defs   map[*syntax.Ident]*Object    // object each declaring identifier defines
	Calls  map[*syntax.CallExpr]*Type   // conversion target for int(x) / cpu(x) calls
	Fields map[*syntax.SelectorExpr]int // field index of each selector
	// CPULoops holds the loops over cpus: for (cpu c = E; c < NCPUS;
	// c++), whose variable goes one past the last cpu to end the loop.
	CPULoops map[*syntax.ForStmt]*Object
}

// MemoryModel names a memory model.
type MemoryModel uint8

// The memory models.
const (
	MemorySC   MemoryModel = iota // sequential consistency, the default
	MemoryTSO                     // x86-TSO: a FIFO store buffer per CPU
	MemoryWeak                    // ARMv8 and RISC-V: buffers out of order, loads that read behind
)

// DefaultStoreBuffer is the size of a store buffer under memory tso when
// the model gives none.
const DefaultStoreBuffer = 4

// MaxWeakCPUs bounds the CPUs of a model under memory weak: a write in
// its history keeps a bit per CPU in one slot.
const MaxWeakCPUs = 31

// MaxStoreBuffer bounds the size of a store buffer.
const MaxStoreBuffer = 64

// DefaultInflight is the capacity of the in-flight multiset when the model
// declares none.
const DefaultInflight = 8
