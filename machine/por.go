package machine

// Partial-order reduction: private steps.
//
// A step is private when every instruction it may execute is private
// (Instr.Private: it reads and writes only its process's own locals,
// constants and what cannot change: a global no code writes, this_cpu
// where nothing moves the process), it is not part of an atomic region,
// it does not yield, it cannot end its process (a thread's end changes
// what current() and the context switches of its CPU see; a handler's
// end sets IF and, under tso, drains the store buffer), and, for a
// thread that may share its CPU, it cannot bring its thread to a step
// that can block (a blocked current thread lets another thread of its
// CPU be switched in; see mayShareCPU, and Machine.alone for the states
// where it no longer matters). A private step commutes with
// every transition of every other process and of the machine: none of
// them reads or writes what it reads or writes, it enables or disables
// none of them, and its own enabledness (an await on locals) is its
// own. An interrupt entry or cpu_down on its CPU may put it off, but
// not change it: it runs later with the same locals, and a handler
// cannot see them. And it is invisible: invariants, finals, covers and
// liveness declarations read globals only, and the liveness check's
// obligations (a process unfinished, a handler running, a vector
// pending) are not changed by a step that cannot end its process.
//
// So at a state where some process's next step is private, the search
// may take that step's outcomes alone (an ample set of one process, in
// the sense of Peled's conditions C0 to C2) and leave the other
// transitions to the successors, provided the step is not taken round a
// cycle for ever while the others wait (C3): the explorer's proviso.
// See the README's "Partial-order reduction".

// Mover names a process whose next step is private: the thread current
// on a CPU, the handler a CPU runs, or a device.
type Mover struct {
	Kind Kind  // ThreadStep, HandlerStep or DeviceStep
	CPU  int32 // -1 for a device
	Proc int32
}

// Owns reports whether transition t is a step of the mover's process.
func (mv Mover) Owns(t *Transition) bool {
	return t.Kind == mv.Kind && t.CPU == mv.CPU && t.Proc == mv.Proc
}

// privateSteps tells, per process and pc, whether the step at pc is
// private.
type privateSteps struct {
	threads, handlers, devices [][]bool
	// alone tells, per thread and pc, whether the step is private in a
	// state where it matters to no one whether the thread is blocked
	// (see Machine.alone); nil for a thread whose blocking never matters,
	// whose threads table says so already.
	alone [][]bool
	// downFrom tells, per thread or device and pc, whether the process
	// may still call cpu_down from pc on; handlerDowns, whether some
	// handler may.
	threadDownFrom, deviceDownFrom [][]bool
	handlerDowns                   bool
}

// PrivateSteps appends to dst the processes whose next step in s is
// private, in the order Successors emits their steps: per CPU the
// handler it runs or, when no interrupt is taken first, its current
// thread; then the devices. A mover's step may still be blocked (an
// await on its locals that does not hold).
func (m *Machine) PrivateSteps(s State, dst []Mover) []Mover {
	ps := m.P.privateSteps()
	l := m.L
	for c := int32(0); c < int32(l.NCPUs); c++ {
		cs := &l.CPUs[c]
		if s[cs.Online] == 0 {
			continue
		}
		if h := s[cs.Handler]; h != 0 {
			if ps.handlers[h-1][s[cs.HPC]] {
				dst = append(dst, Mover{Kind: HandlerStep, CPU: c, Proc: h - 1})
			}
			continue
		}
		if s[cs.IF] != 0 && l.HighestPending(s, c) >= 0 {
			continue // the CPU takes an interrupt first
		}
		if cur := s[cs.Cur]; cur >= 0 {
			pc := s[l.Threads[cur].PC]
			if ps.threads[cur][pc] || ps.alone[cur] != nil && ps.alone[cur][pc] && m.alone(s, cur) {
				dst = append(dst, Mover{Kind: ThreadStep, CPU: c, Proc: cur})
			}
		}
	}
	for d := range l.Devices {
		if ps.devices[d][s[l.Devices[d].PC]] {
			dst = append(dst, Mover{Kind: DeviceStep, CPU: -1, Proc: int32(d)})
		}
	}
	return dst
}

// privateSteps returns the program's private-step tables, made on first
// use.
func (p *Program) privateSteps() *privateSteps {
	p.privOnce.Do(func() {
		of := func(procs []*Proc, blocking func(i int) bool) [][]bool {
			out := make([][]bool, len(procs))
			for i, pr := range procs {
				out[i] = privateCode(pr.Code, blocking(i))
			}
			return out
		}
		never := func(int) bool { return false }
		ps := &privateSteps{
			threads:  of(p.Threads, p.mayShareCPU),
			handlers: of(p.Handlers, never),
			devices:  of(p.Devices, never),
			alone:    make([][]bool, len(p.Threads)),
		}
		for i, th := range p.Threads {
			if p.mayShareCPU(i) {
				ps.alone[i] = privateCode(th.Code, false)
			}
		}
		for _, th := range p.Threads {
			ps.threadDownFrom = append(ps.threadDownFrom, downFrom(th.Code))
		}
		for _, d := range p.Devices {
			ps.deviceDownFrom = append(ps.deviceDownFrom, downFrom(d.Code))
		}
		for _, h := range p.Handlers {
			for _, in := range h.Code {
				ps.handlerDowns = ps.handlerDowns || in.MayDown
			}
		}
		p.priv = ps
	})
	return p.priv
}

// alone reports whether, from s on, it matters to no one whether thread
// t is blocked: no process can call cpu_down any more (so no thread
// moves), and every other thread on t's CPU has finished. Then no switch
// on t's CPU can ever be enabled, and t is never moved, so a private
// step may bring t to a step that can block.
func (m *Machine) alone(s State, t int32) bool {
	ps := m.P.priv
	if ps.handlerDowns {
		return false
	}
	l := m.L
	for u := range l.Threads {
		if m.threadDone(s, int32(u)) {
			continue
		}
		if ps.threadDownFrom[u][s[l.Threads[u].PC]] || int32(u) != t && s[l.Threads[u].CPU] == s[l.Threads[t].CPU] {
			return false
		}
	}
	for d := range l.Devices {
		if ps.deviceDownFrom[d][s[l.Devices[d].PC]] {
			return false
		}
	}
	return true
}

// downFrom tells, for each pc of code, whether a run from pc may execute
// an instruction that may call cpu_down.
func downFrom(code Code) []bool {
	out := make([]bool, len(code))
	for pc := range code {
		out[pc] = code[pc].MayDown
	}
	for changed := true; changed; {
		changed = false
		for pc := len(code) - 1; pc >= 0; pc-- {
			if out[pc] {
				continue
			}
			for _, q := range code[pc].successors() {
				if out[q] {
					out[pc], changed = true, true
					break
				}
			}
		}
	}
	return out
}

// mayShareCPU reports whether thread t may ever have another thread on
// its CPU: another thread is declared there, or some code calls cpu_down,
// which moves threads (init too: a thread may start the search on
// another CPU than it names). Only then does it matter when t is blocked: a
// blocked current thread lets another thread of its CPU be switched in,
// and a thread moved by cpu_down is switched in only if its next step
// is enabled. A handler's or a device's blocking enables nothing (no
// one else runs on a CPU while it runs a handler, and cpu_down waits for
// the handler to return, not for it to be able to move).
func (p *Program) mayShareCPU(t int) bool {
	if p.MovesThreads || p.InitMovesThreads {
		return true
	}
	for u, th := range p.Threads {
		if u != t && th.CPU == p.Threads[t].CPU {
			return true
		}
	}
	return false
}

// privateCode tells, for each pc of code, whether the step at pc is
// private; blocking says whether the process's being blocked can matter
// to others (see mayShareCPU).
func privateCode(code Code, blocking bool) []bool {
	out := make([]bool, len(code))
	for pc := range code {
		out[pc] = privateStep(code, int32(pc), blocking)
	}
	return out
}

func privateStep(code Code, pc int32, blocking bool) bool {
	in := &code[pc]
	if in.Free || !in.Private || in.Region != 0 {
		return false
	}
	if in.Op == OpYield || in.Op == OpEnd {
		return false
	}
	for _, q := range in.successors() {
		// The step settles through jumps and clears of its own frame
		// (cycles of them are broken by the compiler); it must not end
		// the process.
		for code[q].Free {
			q = code[q].Next
		}
		if code[q].Op == OpEnd {
			return false
		}
		// Where it matters when the process is blocked, the step must
		// not bring it to a step that can block: taking the private step
		// early would change when the thread is blocked. Branches,
		// asserts, yields, choices and the other private instructions
		// cannot block; an await can, even on locals (it then blocks for
		// ever), and so can a store into a full buffer, a call, and an
		// atomic block.
		if blocking && !cannotBlock(&code[q]) {
			return false
		}
	}
	return true
}

// cannotBlock reports whether a step that starts at in is always
// enabled.
func cannotBlock(in *Instr) bool {
	if in.Region != 0 {
		return false
	}
	switch in.Op {
	case OpBranch, OpAssert, OpYield, OpChoice:
		return true
	case OpAwait:
		return false
	}
	return in.Private
}
