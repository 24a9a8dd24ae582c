package sema

// BuiltinID names a built-in function or value.
type BuiltinID int

// The built-ins of the language.
const (
	BSendIPI BuiltinID = iota
	BPending
	BClearPending
	BRequestIRQ
	BFreeIRQ
	BIRQDisable
	BIRQEnable
	BIRQsDisabled
	BCPUOnline
	BCPUDown
	BCPUUp
	BCurrent
	BYield
	BCmpxchg
	BTryCmpxchg
	BXchg
	BFetchOr
	BFetchAnd
	BFetchXor
	BFetchAdd
	BFetchSub
	BSmpMB
	BSmpWMB
	BSmpRMB
	BStoreRelease
	BLoadAcquire
	BReadOnce
	BWriteOnce
	BThisCPU    // this_cpu
	BThisVector // this_vector
	BNCPUs      // NCPUS
)

// Builtin describes a built-in.
type Builtin struct {
	ID   BuiltinID
	Name string
	// Params lists the parameter kinds; Invalid stands for "any scalar T"
	// (the same T for every such parameter and the result).
	Params []Kind
	// LValue marks parameters that must be assignable (the atomics' target).
	LValue []bool
	Result Kind // Invalid: the same T as the generic parameters
	Pure   bool // no effect on the state: allowed in invariants
	Value  bool // a name, not a function (this_cpu, this_vector, NCPUS)
}

var builtinList = []*Builtin{
	{ID: BSendIPI, Name: "send_ipi", Params: []Kind{CPU, Int}, Result: Void},
	{ID: BPending, Name: "pending", Params: []Kind{CPU, Int}, Result: Bool, Pure: true},
	{ID: BClearPending, Name: "clear_pending", Params: []Kind{CPU, Int}, Result: Void},
	{ID: BRequestIRQ, Name: "request_irq", Params: []Kind{CPU, Int, Handler}, Result: Void},
	{ID: BFreeIRQ, Name: "free_irq", Params: []Kind{CPU, Int}, Result: Void},
	{ID: BIRQDisable, Name: "irq_disable", Result: Void},
	{ID: BIRQEnable, Name: "irq_enable", Result: Void},
	{ID: BIRQsDisabled, Name: "irqs_disabled", Result: Bool, Pure: true},
	{ID: BCPUOnline, Name: "cpu_online", Params: []Kind{CPU}, Result: Bool, Pure: true},
	{ID: BCPUDown, Name: "cpu_down", Params: []Kind{CPU}, Result: Void},
	{ID: BCPUUp, Name: "cpu_up", Params: []Kind{CPU}, Result: Void},
	{ID: BCurrent, Name: "current", Params: []Kind{CPU}, Result: Thread, Pure: true},
	{ID: BYield, Name: "yield", Result: Void},
	{ID: BCmpxchg, Name: "cmpxchg", Params: []Kind{Invalid, Invalid, Invalid}, LValue: []bool{true, false, false}, Result: Invalid},
	{ID: BTryCmpxchg, Name: "try_cmpxchg", Params: []Kind{Invalid, Invalid, Invalid}, LValue: []bool{true, true, false}, Result: Bool},
	{ID: BXchg, Name: "xchg", Params: []Kind{Invalid, Invalid}, LValue: []bool{true, false}, Result: Invalid},
	{ID: BFetchOr, Name: "fetch_or", Params: []Kind{Int, Int}, LValue: []bool{true, false}, Result: Int},
	{ID: BFetchAnd, Name: "fetch_and", Params: []Kind{Int, Int}, LValue: []bool{true, false}, Result: Int},
	{ID: BFetchXor, Name: "fetch_xor", Params: []Kind{Int, Int}, LValue: []bool{true, false}, Result: Int},
	{ID: BFetchAdd, Name: "fetch_add", Params: []Kind{Int, Int}, LValue: []bool{true, false}, Result: Int},
	{ID: BFetchSub, Name: "fetch_sub", Params: []Kind{Int, Int}, LValue: []bool{true, false}, Result: Int},
	{ID: BSmpMB, Name: "smp_mb", Result: Void},
	{ID: BSmpWMB, Name: "smp_wmb", Result: Void},
	{ID: BSmpRMB, Name: "smp_rmb", Result: Void},
	{ID: BStoreRelease, Name: "smp_store_release", Params: []Kind{Invalid, Invalid}, LValue: []bool{true, false}, Result: Void},
	{ID: BLoadAcquire, Name: "smp_load_acquire", Params: []Kind{Invalid}, LValue: []bool{true}, Result: Invalid, Pure: true},
	{ID: BReadOnce, Name: "READ_ONCE", Params: []Kind{Invalid}, LValue: []bool{true}, Result: Invalid, Pure: true},
	{ID: BWriteOnce, Name: "WRITE_ONCE", Params: []Kind{Invalid, Invalid}, LValue: []bool{true, false}, Result: Void},
	{ID: BThisCPU, Name: "this_cpu", Result: CPU, Pure: true, Value: true},
	{ID: BThisVector, Name: "this_vector", Result: Int, Pure: true, Value: true},
	{ID: BNCPUs, Name: "NCPUS", Result: UntypedInt, Pure: true, Value: true},
}

// Builtins maps each built-in's name to its description.
var Builtins = func() map[string]*Builtin {
	m := make(map[string]*Builtin, len(builtinList))
	for _, b := range builtinList {
		m[b.Name] = b
	}
	return m
}()
