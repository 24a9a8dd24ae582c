package machine

import "github.com/irqcheck/irqcheck/syntax"

// The built-in functions that act on the machine rather than on memory:
// interrupts, IPIs and hotplug (DESIGN.md section 1). Compiled code calls
// them once its operands are evaluated; each checks its operands and
// fails the step with a run-time error if they are out of range.

// vectorCheck validates a vector operand.
func (x *Ctx) vectorCheck(v int64, pos syntax.Pos, what string) bool {
	if v < 0 || v >= NumVectors {
		x.Fail(ErrRuntime, pos, "%s: vector %d out of range 0..%d", what, v, NumVectors-1)
		return false
	}
	return true
}

// SendIPI is send_ipi(cpu, v): the message goes in flight, or, from a
// device, is a posted write that lands at once: pending on an online CPU,
// dropped at an offline one.
func (x *Ctx) SendIPI(cpu, v int64, pos syntax.Pos) int64 {
	if !x.vectorCheck(v, pos, "send_ipi") {
		return 0
	}
	if !x.L.CanPend(int32(v)) {
		x.Fail(ErrRuntime, pos, "send_ipi: vector %#x is not one the model names as a constant (vectors it can send: %s)", v, DescribeVectors(x.L.Pending))
		return 0
	}
	if x.Direct {
		online := x.S[x.L.CPUs[cpu].Online] != 0
		if online {
			x.L.SetIRR(x.S, int32(cpu), int32(v), true)
		}
		x.Delivered = append(x.Delivered, Delivery{CPU: int32(cpu), Vector: int32(v), Dropped: !online})
		return 0
	}
	if !x.L.AddMessage(x.S, int32(cpu), int32(v)) {
		x.Fail(ErrRuntime, pos, "more than %d messages in flight (raise the limit with: inflight N;)", x.L.InflightCap)
	}
	return 0
}

// Pending is pending(cpu, v): 1 if v is pending in cpu's IRR.
func (x *Ctx) Pending(cpu, v int64, pos syntax.Pos) int64 {
	if !x.vectorCheck(v, pos, "pending") {
		return 0
	}
	if x.L.IRRBit(x.S, int32(cpu), int32(v)) {
		return 1
	}
	return 0
}

// ClearPending is clear_pending(cpu, v): v's IRR bit on cpu is cleared.
func (x *Ctx) ClearPending(cpu, v int64, pos syntax.Pos) int64 {
	if x.vectorCheck(v, pos, "clear_pending") {
		x.L.SetIRR(x.S, int32(cpu), int32(v), false)
	}
	return 0
}

// RequestIRQ is request_irq(cpu, v, h): handler h serves v on cpu.
func (x *Ctx) RequestIRQ(cpu, v int64, h int32, pos syntax.Pos) {
	if !x.vectorCheck(v, pos, "request_irq") {
		return
	}
	i := x.L.VectorIndex[v]
	if i < 0 {
		x.Fail(ErrRuntime, pos, "request_irq: vector %#x is not one of the model's handler vectors (%s)", v, DescribeVectors(x.L.Vectors))
		return
	}
	x.S[x.L.CPUs[cpu].VT+int32(i)] = h + 1
}

// FreeIRQ is free_irq(cpu, v): v has no handler on cpu any more.
func (x *Ctx) FreeIRQ(cpu, v int64, pos syntax.Pos) int64 {
	if !x.vectorCheck(v, pos, "free_irq") {
		return 0
	}
	if i := x.L.VectorIndex[v]; i >= 0 {
		x.S[x.L.CPUs[cpu].VT+int32(i)] = 0
	}
	return 0
}

// SetIF sets the interrupt flag of the running CPU (local_irq_enable and
// local_irq_disable).
func (x *Ctx) SetIF(on bool) {
	v := int32(0)
	if on {
		v = 1
	}
	x.S[x.L.CPUs[x.CPU].IF] = v
}

// IF reports the interrupt flag of the running CPU.
func (x *Ctx) IF() bool { return x.S[x.L.CPUs[x.CPU].IF] != 0 }

// CPUOnline is cpu_online(cpu).
func (x *Ctx) CPUOnline(cpu int64, _ syntax.Pos) int64 {
	return int64(x.S[x.L.CPUs[cpu].Online])
}

// Current is current(cpu): the thread value of cpu's current thread
// (0 is none, i+1 is thread i).
func (x *Ctx) Current(cpu int64, _ syntax.Pos) int64 {
	return int64(x.S[x.L.CPUs[cpu].Cur]) + 1
}

// CPUDown is cpu_down(cpu): it takes cpu offline (DESIGN.md section 1).
// Its pending vectors are dropped, its threads move to the lowest online
// CPU. It is not enabled
// while cpu runs a handler (offlining waits for the handler, as
// stop_machine does), and taking the last online CPU down is an error.
func (x *Ctx) CPUDown(cpu64 int64, pos syntax.Pos) int64 {
	cpu := int32(cpu64)
	l := x.L
	cs := l.CPUs[cpu]
	if x.S[cs.Online] == 0 {
		return 0
	}
	if x.S[cs.Handler] != 0 {
		x.Block()
		return 0
	}
	// Offlining takes locks and the dying CPU stops in serializing
	// instructions: neither buffer holds a store past it.
	x.Fence(FenceFull)
	if l.Drain(x.S, cpu) {
		x.HistoryFull = true
	}
	target := int32(-1)
	if l.AnyTarget {
		// Symmetric model: "the lowest" would name a CPU by its number, so
		// the threads move to any online CPU (one successor each).
		var online [64]int32
		n := 0
		for i := range l.CPUs {
			if int32(i) != cpu && x.S[l.CPUs[i].Online] != 0 {
				online[n] = int32(i)
				n++
			}
		}
		if n > 0 {
			k, ok := x.choose(int32(n), pos)
			if !ok {
				return 0
			}
			target = online[k]
		}
	} else {
		for i := range l.CPUs {
			if int32(i) != cpu && x.S[l.CPUs[i].Online] != 0 {
				target = int32(i)
				break
			}
		}
	}
	if target < 0 {
		x.Fail(ErrRuntime, pos, "cpu_down(%d): cannot take the last online cpu offline", cpu)
		return 0
	}
	if cur := x.S[cs.Cur]; cur >= 0 {
		x.S[l.Threads[cur].IF] = x.S[cs.IF] // it leaves with its interrupt flag
	}
	x.S[cs.Online] = 0
	x.S[cs.IF] = 1
	x.S[cs.Cur] = -1
	clear(x.S[cs.IRR : cs.IRR+int32(l.IRRWords)])
	for i := range l.Threads {
		if x.S[l.Threads[i].CPU] == cpu {
			x.S[l.Threads[i].CPU] = target
		}
	}
	if l.Weak {
		// A migrated thread reads on from memory as it is now: the
		// migration takes the run-queue locks.
		l.observe(x.S, target)
	}
	return 0
}

// CPUUp is cpu_up(cpu): it brings cpu back online with an empty IRR and no current thread.
func (x *Ctx) CPUUp(cpu int64, _ syntax.Pos) int64 {
	cs := x.L.CPUs[cpu]
	if x.S[cs.Online] != 0 {
		return 0
	}
	x.S[cs.Online] = 1
	x.S[cs.IF] = 1
	x.S[cs.Cur] = -1
	if x.L.Weak {
		x.L.observe(x.S, int32(cpu)) // bring-up is a full barrier
	}
	return 0
}
