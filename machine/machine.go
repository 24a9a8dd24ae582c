// Package machine is the interrupt machine of DESIGN.md section 1, and
// the one owner of its rules. It defines the state (Layout, State), the
// program format the compiler targets (Program, Code, Instr) and the
// context its instructions run in (Ctx), with one seam for every load and
// store of shared memory (memory.go); it implements the built-ins that
// act on the machine (send_ipi, the IRR, the vector table, IF, hotplug:
// builtins.go), the transition relation (thread, handler and device
// steps, interrupt entry, arrivals and drops, context switches), the
// classification of terminal states (hang, final) and invariants, the
// renamings of a symmetric model's CPUs (symmetry.go), and which steps
// are private, for the partial-order reduction (por.go).
package machine

import (
	"fmt"
	"slices"

	"github.com/irqcheck/irqcheck/syntax"
)

// Kind classifies a transition.
type Kind uint8

// The kinds of transitions.
const (
	ThreadStep  Kind = iota // a statement of the current thread of a CPU
	HandlerStep             // a statement of the handler a CPU is running
	DeviceStep              // a statement of a device
	Entry                   // a CPU takes its highest pending vector
	Arrival                 // a message in flight reaches an online CPU
	Drop                    // a message in flight reaches an offline CPU
	Switch                  // another thread becomes current on a CPU
	Flush                   // memory tso and weak: a CPU's buffered store reaches memory
)

// Transition says what a transition did, for traces.
type Transition struct {
	Kind   Kind
	CPU    int32 // the CPU whose column shows it; -1 for a device step
	Proc   int32 // thread, handler or device index; Switch: the new thread; Flush: the slot written
	Instr  *Instr
	Vector int32 // Entry, Arrival, Drop
	Yield  bool  // a thread step that yielded and switched to Proc2
	Proc2  int32 // Yield: the thread that became current, or -1
	// Fresh: under memory weak, a load of the step that could have read
	// an older write read memory's newest. The liveness check's fairness
	// uses it: a CPU does not read behind memory for ever.
	Fresh bool
}

// ViolationKind names a kind of violation.
type ViolationKind string

// The kinds of violations.
const (
	Assertion ViolationKind = "assertion"
	Invariant ViolationKind = "invariant"
	Final     ViolationKind = "final"
	Hang      ViolationKind = "hang"
	Spurious  ViolationKind = "spurious"
	Runtime   ViolationKind = "runtime"
	// Livelock: in a fair infinite run a thread or device never finishes,
	// a handler never returns, or a vector stays pending for ever.
	Livelock ViolationKind = "livelock"
	// Liveness: a liveness declaration fails on a fair run.
	Liveness ViolationKind = "liveness"
	// Cover: a cover condition holds in no reachable state.
	Cover ViolationKind = "cover"
)

// Violation is a broken property.
type Violation struct {
	Kind ViolationKind
	Pos  syntax.Pos
	Msg  string
	// For a spurious interrupt or a stuck vector: where it happened, so
	// that the trace can name the step that caused it.
	CPU    int32
	Vector int32
}

func (v *Violation) Error() string {
	return fmt.Sprintf("%s at %s: %s", v.Kind, v.Pos, v.Msg)
}

// Successor is one outgoing transition of a state.
type Successor struct {
	T         Transition
	Next      State      // valid only during the callback
	Violation *Violation // the transition itself breaks a property; Next is meaningless
	// Delivered lists the messages a device step delivered at once
	// (valid only during the callback).
	Delivered []Delivery
	// Dead lists the values the step wrote into locals that are dead
	// after it, which Next has reset to zero (valid until the emit
	// callback returns).
	Dead []DeadWrite
	// Stale lists the loads that read behind memory (memory weak; valid
	// only during the callback).
	Stale []StaleRead
}

// Machine generates successors of states of one program. It is not safe
// for concurrent use; make one per worker.
type Machine struct {
	P     *Program
	L     *Layout
	x     Ctx // the step being enumerated
	probe Ctx // dry runs that decide whether a thread can run
	buf   State
	buf2  State
	pbuf  State
	succ  Successor
	dead  *deadLocals // nil with Program.KeepDeadLocals
	deadW []DeadWrite // what the step being emitted wrote into dead locals

	// BufferFull is set once a step has stalled on a full store buffer
	// (memory tso): runs that need deeper buffers were cut short.
	BufferFull bool
	// HistoryFull is set once a store found the write history full
	// (memory weak): runs in which a CPU reads further behind were cut.
	HistoryFull bool
}

// New returns a machine for p.
func New(p *Program) *Machine {
	// Workers each step a machine of their own, writing its buffers for
	// every successor: on cache lines of its own, no worker's writes
	// slow another's reads (false sharing cost two workers a tenth of
	// their speed on the largest benchmark run: bench/RESULTS.md, "Both
	// cores").
	m := &new(struct {
		_ [cacheLine]byte
		m Machine
		_ [cacheLine]byte
	}).m
	m.P, m.L = p, p.Layout
	m.x.L = p.Layout
	m.probe.L = p.Layout
	if !p.KeepDeadLocals {
		m.dead = p.deadLocals()
	}
	m.buf = NewState(p.Layout.Size)
	m.buf2 = NewState(p.Layout.Size)
	m.pbuf = NewState(p.Layout.Size)
	return m
}

// cacheLine is 64 bytes, the cache line of amd64 and of most arm64
// machines (Apple's are 128).
const cacheLine = 64

// NewState returns a zero state of n slots on cache lines of its own:
// for a buffer that one worker writes for every state.
func NewState(n int) State {
	const pad = cacheLine / 4 // slots of 4 bytes
	return make(State, pad+n+pad)[pad : pad+n : pad+n]
}

// Emit receives successors; returning false stops the enumeration.
type Emit func(*Successor) bool

// Successors calls emit for every transition enabled in s, in a fixed
// order: per CPU (handler step, or interrupt entry, or the current
// thread's step and context switches), then devices, then arrivals. It
// returns the number of successors and whether emit stopped it.
func (m *Machine) Successors(s State, emit Emit) (n int, stopped bool) {
	l := m.L
	if l.Weak {
		// Every successor's history is normalized before it is seen
		// (s is: a successor that left all Normalize reads alone is too).
		outer := emit
		emit = func(sc *Successor) bool {
			if sc.Violation == nil && !l.sameMemory(s, sc.Next) {
				l.Normalize(sc.Next)
			}
			return outer(sc)
		}
	}
	for c := int32(0); c < int32(l.NCPUs); c++ {
		cs := &l.CPUs[c]
		if s[cs.Online] == 0 {
			continue
		}
		if h := s[cs.Handler]; h != 0 {
			k, stop := m.step(s, Transition{Kind: HandlerStep, CPU: c, Proc: h - 1}, m.P.Handlers[h-1].Code, cs.HPC, cs.HFrame, s[cs.HVec], emit)
			n += k
			if stop {
				return n, true
			}
			continue
		}
		if s[cs.IF] != 0 {
			if v := l.HighestPending(s, c); v >= 0 {
				n++
				if !m.entry(s, c, v, emit) {
					return n, true
				}
				continue // a pending, unmasked interrupt is taken before the CPU runs on
			}
		}
		cur := s[cs.Cur]
		blocked := true
		if cur >= 0 && !m.threadDone(s, cur) {
			ps := &l.Threads[cur]
			k, stop := m.step(s, Transition{Kind: ThreadStep, CPU: c, Proc: cur, Proc2: -1}, m.P.Threads[cur].Code, ps.PC, ps.Frame, -1, emit)
			n += k
			if stop {
				return n, true
			}
			blocked = k == 0
		}
		if blocked {
			for t := int32(0); t < int32(len(l.Threads)); t++ {
				if t == cur || s[l.Threads[t].CPU] != c || !m.canRun(s, t) {
					continue
				}
				copy(m.buf, s)
				m.switchTo(m.buf, c, t)
				n++
				m.succ = Successor{T: Transition{Kind: Switch, CPU: c, Proc: t}, Next: m.buf}
				if !emit(&m.succ) {
					return n, true
				}
			}
		}
	}
	for d := range l.Devices {
		ps := &l.Devices[d]
		code := m.P.Devices[d].Code
		if code[s[ps.PC]].Op == OpEnd {
			continue
		}
		k, stop := m.step(s, Transition{Kind: DeviceStep, CPU: -1, Proc: int32(d)}, code, ps.PC, ps.Frame, -1, emit)
		n += k
		if stop {
			return n, true
		}
	}
	base := int(l.Inflight)
	prev := int32(0)
	for i := 0; i < l.InflightCap; i++ {
		mv := s[base+i]
		if mv == 0 {
			break
		}
		if mv == prev {
			continue // the same message again: the same successor
		}
		prev = mv
		c, v := UnpackMsg(mv)
		copy(m.buf, s)
		l.RemoveMessageAt(m.buf, i)
		kind := Drop
		if m.buf[l.CPUs[c].Online] != 0 {
			kind = Arrival
			l.SetIRR(m.buf, c, v, true)
		}
		n++
		m.succ = Successor{T: Transition{Kind: kind, CPU: c, Vector: v}, Next: m.buf}
		if !emit(&m.succ) {
			return n, true
		}
	}
	if l.Weak {
		return m.weakMemory(s, n, emit)
	}
	if l.SBSize > 0 {
		for c := int32(0); c < int32(l.NCPUs); c++ {
			if l.BufferLen(s, c) == 0 {
				continue
			}
			copy(m.buf, s)
			slot := l.FlushOne(m.buf, c)
			n++
			m.succ = Successor{T: Transition{Kind: Flush, CPU: c, Proc: slot}, Next: m.buf}
			if !emit(&m.succ) {
				return n, true
			}
		}
	}
	return n, false
}

// weakMemory emits the memory transitions of memory weak, after the n
// successors emitted so far: per CPU, each buffered store that may reach
// memory.
func (m *Machine) weakMemory(s State, n int, emit Emit) (int, bool) {
	l := m.L
	for c := int32(0); c < int32(l.NCPUs); c++ {
		for k := range l.BufferLen(s, c) {
			if !l.flushable(s, c, k) {
				continue
			}
			copy(m.buf, s)
			slot, aged := l.flushAt(m.buf, c, k)
			m.HistoryFull = m.HistoryFull || aged
			n++
			m.succ = Successor{T: Transition{Kind: Flush, CPU: c, Proc: slot}, Next: m.buf}
			if !emit(&m.succ) {
				return n, true
			}
		}
	}
	return n, false
}

// Coverage makes the machine set the bit of every instruction its steps
// execute in bits (see Ctx.Covered); nil stops it.
func (m *Machine) Coverage(bits []uint64) { m.x.Covered = bits }

// ThreadDone reports whether thread t has finished in s.
func (m *Machine) ThreadDone(s State, t int32) bool { return m.threadDone(s, t) }

// CanRun reports whether thread t has not finished and its next step is
// enabled in s (whether or not it is current).
func (m *Machine) CanRun(s State, t int32) bool { return m.canRun(s, t) }

// DeviceDone reports whether device d has finished in s.
func (m *Machine) DeviceDone(s State, d int32) bool {
	return m.P.Devices[d].Code[s[m.L.Devices[d].PC]].Op == OpEnd
}

// Eval evaluates a property's expression in s; a run-time error in it
// comes back as a violation of kind Runtime.
func (m *Machine) Eval(s State, f func(*Ctx) int64) (int64, *Violation) {
	x := &m.probe
	x.Reset(s, -1, -1, 0)
	r := f(x)
	if x.Status == StepError {
		return 0, &Violation{Kind: Runtime, Pos: x.Err.Pos, Msg: x.Err.Msg, CPU: -1, Vector: -1}
	}
	return r, nil
}

func (m *Machine) threadDone(s State, t int32) bool {
	return m.P.Threads[t].Code[s[m.L.Threads[t].PC]].Op == OpEnd
}

// canRun reports whether thread t is not finished and has an enabled step.
func (m *Machine) canRun(s State, t int32) bool {
	if m.threadDone(s, t) {
		return false
	}
	ps := &m.L.Threads[t]
	code := m.P.Threads[t].Code
	x := &m.probe
	x.Choices = x.Choices[:0]
	for {
		copy(m.pbuf, s)
		x.Reset(m.pbuf, s[ps.CPU], -1, ps.Frame)
		x.Direct = false
		x.Step(code, s[ps.PC])
		if x.Status != StepBlocked {
			x.Choices = x.Choices[:0]
			return true
		}
		if !x.NextChoices() {
			return false
		}
	}
}

// step enumerates the outcomes of one step of a process (every choice of
// its either/choose points) and emits the enabled ones.
func (m *Machine) step(s State, t Transition, code Code, pcSlot, frame, vec int32, emit Emit) (n int, stopped bool) {
	l := m.L
	x := &m.x
	x.Choices = x.Choices[:0]
	cpu := t.CPU
	if t.Kind == ThreadStep {
		cpu = s[l.Threads[t.Proc].CPU]
	}
	pc := s[pcSlot]
	t.Instr = &code[pc]
	var dead [][]int32 // per pc, the locals to reset there
	if m.dead != nil {
		dead = m.dead.of(t)
	}
	for {
		copy(m.buf, s)
		x.Reset(m.buf, cpu, vec, frame)
		x.Direct = t.Kind == DeviceStep
		newpc := x.Step(code, pc)
		m.BufferFull = m.BufferFull || x.BufferFull
		m.HistoryFull = m.HistoryFull || x.HistoryFull
		t.Fresh = x.Fresh
		switch x.Status {
		case StepOK:
			m.buf[pcSlot] = newpc
			m.deadW = m.deadW[:0]
			if dead != nil {
				for _, at := range dead[newpc] {
					i := frame + at
					if v := m.buf[i]; v != 0 {
						if v != s[i] {
							m.deadW = append(m.deadW, DeadWrite{Slot: i, Value: v})
						}
						m.buf[i] = 0
					}
				}
			}
			if code[newpc].Op == OpEnd {
				m.finish(t, frame)
			}
			if x.Yielded && t.Kind == ThreadStep {
				k, stop := m.yield(t, emit)
				n += k
				if stop {
					return n, true
				}
				break
			}
			n++
			m.succ = Successor{T: t, Next: m.buf, Delivered: x.Delivered, Stale: x.Stale, Dead: m.deadW}
			if !emit(&m.succ) {
				return n, true
			}
		case StepError:
			kind := Runtime
			if x.Err.Kind == ErrAssert {
				kind = Assertion
			}
			n++
			m.succ = Successor{T: t, Violation: &Violation{Kind: kind, Pos: x.Err.Pos, Msg: x.Err.Msg, CPU: cpu, Vector: -1}, Stale: x.Stale}
			if !emit(&m.succ) {
				return n, true
			}
		}
		if !x.NextChoices() {
			return n, false
		}
	}
}

// switchTo makes thread t current on CPU c. Each thread keeps its own
// interrupt flag, as a task's saved flags are restored when it runs again:
// the outgoing thread's flag is saved and the incoming one's restored. A
// thread that finished leaves the CPU's flag as it was.
func (m *Machine) switchTo(s State, c, t int32) {
	l := m.L
	cs := &l.CPUs[c]
	if old := s[cs.Cur]; old >= 0 {
		s[l.Threads[old].IF] = s[cs.IF]
	}
	s[cs.IF] = s[l.Threads[t].IF]
	s[l.Threads[t].IF] = 1 // unused while current: kept canonical
	s[cs.Cur] = t
}

// finish ends a process that reached its end: a thread or device is done
// (its locals cleared), a handler returns (frame popped, IF=1).
func (m *Machine) finish(t Transition, frame int32) {
	l := m.L
	switch t.Kind {
	case HandlerStep:
		cs := &l.CPUs[t.CPU]
		m.buf[cs.Handler] = 0
		m.buf[cs.HPC] = 0
		m.buf[cs.HVec] = 0
		m.buf[cs.IF] = 1
		clear(m.buf[cs.HFrame : cs.HFrame+int32(l.HFrameSize)])
		// IRET is serializing (Intel SDM vol. 3, "Serializing
		// Instructions"): the handler's stores reach memory before the
		// interrupted code runs on. An exception return on ARMv8 or
		// RISC-V is no memory barrier.
		if !l.Weak {
			l.Drain(m.buf, t.CPU)
		}
	case ThreadStep:
		n := m.P.Threads[t.Proc].FrameSize
		clear(m.buf[frame : frame+n])
		// The CPU has no current thread any more (current(c) is none),
		// and the thread is on no CPU: cpu_down has nothing of it to
		// move, so states that differ only in where a finished thread
		// last ran are one (lean states).
		ps := &l.Threads[t.Proc]
		cs := &l.CPUs[m.buf[ps.CPU]]
		if m.buf[cs.Cur] == t.Proc {
			m.buf[cs.Cur] = -1
		}
		m.buf[ps.CPU] = -1
	case DeviceStep:
		n := m.P.Devices[t.Proc].FrameSize
		clear(m.buf[frame : frame+n])
	}
}

// yield emits the outcomes of a step that called yield(): the thread stays
// current, or any other runnable thread of its CPU becomes current.
func (m *Machine) yield(t Transition, emit Emit) (n int, stopped bool) {
	l := m.L
	cpu := m.buf[l.Threads[t.Proc].CPU]
	t.Yield = true
	t.Proc2 = t.Proc
	n++
	m.succ = Successor{T: t, Next: m.buf, Stale: m.x.Stale, Dead: m.deadW}
	if !emit(&m.succ) {
		return n, true
	}
	copy(m.buf2, m.buf)
	for u := int32(0); u < int32(len(l.Threads)); u++ {
		if u == t.Proc || m.buf2[l.Threads[u].CPU] != cpu || !m.canRun(m.buf2, u) {
			continue
		}
		copy(m.buf, m.buf2)
		m.switchTo(m.buf, cpu, u)
		t.Proc2 = u
		n++
		m.succ = Successor{T: t, Next: m.buf, Stale: m.x.Stale, Dead: m.deadW}
		if !emit(&m.succ) {
			return n, true
		}
	}
	return n, false
}

// entry makes CPU c take vector v.
func (m *Machine) entry(s State, c, v int32, emit Emit) bool {
	l := m.L
	cs := &l.CPUs[c]
	copy(m.buf, s)
	l.SetIRR(m.buf, c, v, false)
	h := l.HandlerFor(m.buf, c, v)
	t := Transition{Kind: Entry, CPU: c, Vector: v, Proc: int32(h)}
	if h < 0 {
		m.succ = Successor{T: t, Violation: &Violation{
			Kind: Spurious, CPU: c, Vector: v,
			Msg: fmt.Sprintf("interrupt on cpu %d vector %#x, which has no handler there: it is lost", c, v),
		}}
		return emit(&m.succ)
	}
	code := m.P.Handlers[h].Code
	m.buf[cs.Handler] = int32(h) + 1
	m.buf[cs.HVec] = v
	m.buf[cs.IF] = 0
	if l.Weak {
		// No load of the handler is satisfied before the interrupt is
		// taken: it reads memory as it is now, or newer. (The handler is
		// installed first: observe keeps views only of CPUs that run
		// code.)
		l.observe(m.buf, c)
	}
	m.x.Reset(m.buf, c, v, cs.HFrame)
	pc := m.x.Settle(code, 0)
	m.buf[cs.HPC] = pc
	if code[pc].Op == OpEnd { // an empty handler returns at once
		m.finish(Transition{Kind: HandlerStep, CPU: c}, cs.HFrame)
	}
	m.succ = Successor{T: t, Next: m.buf}
	return emit(&m.succ)
}

// InitialStates runs init (every outcome of its choices) and returns the
// distinct initial states, or the violation init raised.
func (m *Machine) InitialStates() ([]State, *Violation) {
	p := m.P
	if p.Init == nil {
		return []State{slices.Clone(p.Initial)}, nil
	}
	size := int32(m.L.Size)
	buf := make(State, size+p.Init.FrameSize)
	var out []State
	x := &Ctx{L: m.L}
	for {
		clear(buf)
		copy(buf, p.Initial)
		x.Reset(buf, -1, -1, size)
		x.Run(p.Init.Code)
		switch x.Status {
		case StepError:
			kind := Runtime
			if x.Err.Kind == ErrAssert {
				kind = Assertion
			}
			return nil, &Violation{Kind: kind, Pos: x.Err.Pos, Msg: "in init: " + x.Err.Msg, CPU: -1, Vector: -1}
		case StepOK:
			s := slices.Clone(buf[:size])
			dup := false
			for _, o := range out {
				if slices.Equal(o, s) {
					dup = true
					break
				}
			}
			if !dup {
				out = append(out, s)
			}
		}
		if !x.NextChoices() {
			break
		}
	}
	if len(out) == 0 {
		return nil, &Violation{Kind: Hang, Pos: p.Init.Pos, Msg: "init never completes: every outcome blocks in an await", CPU: -1, Vector: -1}
	}
	return out, nil
}

// CheckInvariants returns the first invariant s breaks, or nil.
func (m *Machine) CheckInvariants(s State) *Violation {
	for _, inv := range m.P.Invariants {
		if v := m.evalProperty(s, inv); v != nil {
			if v.Kind == "" { // false, not a run-time error in it
				v.Kind = Invariant
			}
			return v
		}
	}
	return nil
}

func (m *Machine) evalProperty(s State, p *Property) *Violation {
	x := &m.probe
	x.Reset(s, -1, -1, 0)
	r := p.Eval(x)
	if x.Status == StepError {
		return &Violation{Kind: Runtime, Pos: x.Err.Pos, Msg: x.Err.Msg, CPU: -1, Vector: -1}
	}
	if r != 0 {
		return nil
	}
	name := ""
	if p.Name != "" {
		name = p.Name + ": "
	}
	return &Violation{Pos: p.Pos, Msg: fmt.Sprintf("%s%s does not hold", name, p.Text), CPU: -1, Vector: -1}
}

// Terminal classifies a state with no successors: a hang if a thread,
// device or handler is blocked or a vector is pending for good, otherwise
// the first final condition that does not hold, or nil. A thread or
// device declared forever may be blocked: it waits for work by design.
func (m *Machine) Terminal(s State) *Violation {
	l := m.L
	p := m.P
	// A blocked handler first: the thread it interrupted cannot run
	// either, but the handler is what waits.
	for c := range l.CPUs {
		cs := &l.CPUs[c]
		if h := s[cs.Handler]; h != 0 {
			in := &p.Handlers[h-1].Code[s[cs.HPC]]
			return &Violation{Kind: Hang, Pos: in.Pos, CPU: int32(c), Vector: s[cs.HVec],
				Msg: fmt.Sprintf("handler %s is blocked forever on cpu %d at %s", p.Handlers[h-1].Name, c, in.Text)}
		}
	}
	for t := range l.Threads {
		if m.threadDone(s, int32(t)) || p.Threads[t].Forever {
			continue
		}
		in := &p.Threads[t].Code[s[l.Threads[t].PC]]
		c := s[l.Threads[t].CPU]
		return &Violation{Kind: Hang, Pos: in.Pos, CPU: c, Vector: -1,
			Msg: fmt.Sprintf("thread %s is blocked forever on cpu %d at %s", p.Threads[t].Name, c, in.Text)}
	}
	for d := range l.Devices {
		code := p.Devices[d].Code
		in := &code[s[l.Devices[d].PC]]
		if in.Op == OpEnd || p.Devices[d].Forever {
			continue
		}
		return &Violation{Kind: Hang, Pos: in.Pos, CPU: -1, Vector: -1,
			Msg: fmt.Sprintf("device %s is blocked forever at %s", p.Devices[d].Name, in.Text)}
	}
	for c := range l.CPUs {
		if v := l.HighestPending(s, int32(c)); v >= 0 {
			return &Violation{Kind: Hang, CPU: int32(c), Vector: v,
				Msg: fmt.Sprintf("vector %#x is pending on cpu %d but can never be taken: interrupts stay disabled there", v, c)}
		}
	}
	for _, f := range p.Finals {
		if v := m.evalProperty(s, f); v != nil {
			if v.Kind == "" {
				v.Kind = Final
			}
			return v
		}
	}
	return nil
}
