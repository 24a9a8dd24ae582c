package machine

// Dead locals.
//
// A local slot is dead at a pc when no run of its process from there
// reads it before it is written in full (or cleared): its value cannot
// matter. When a step leaves its process at a pc, the machine resets the
// slots dead there to zero, so that states that differ only in dead
// values are one state (SPIN's dead variable reduction). The reset is a
// rule of the machine's steps: every reachable state has zero in every
// slot dead at its process's pc, and two states that differ only there
// would have had the same futures.
//
// Liveness is the backward data-flow analysis over the process's code:
// a slot is live before an instruction if the instruction may read it
// (Instr.Reads), or if it is live after and the instruction does not
// write it in full (Instr.Kills; a clear kills what it clears). An
// instruction that does not say what it reads (ReadsKnown false) may read
// every slot.

// DeadWrite is a value a step wrote into a local that is dead after the
// step, which the machine then reset: the trace shows the write (a failed
// try_cmpxchg updating its expected value, say), not the reset.
type DeadWrite struct {
	Slot, Value int32
}

// deadLocals tells, per process and pc, the frame-relative slots that are
// dead there (only at pcs where a step may leave the process).
type deadLocals struct {
	threads, handlers, devices [][][]int32
}

// deadLocals returns the program's dead-slot tables, made on first use.
func (p *Program) deadLocals() *deadLocals {
	p.deadOnce.Do(func() {
		of := func(procs []*Proc) [][][]int32 {
			out := make([][][]int32, len(procs))
			for i, pr := range procs {
				out[i] = deadSlots(pr.Code, pr.FrameSize)
			}
			return out
		}
		p.dead = &deadLocals{threads: of(p.Threads), handlers: of(p.Handlers), devices: of(p.Devices)}
	})
	return p.dead
}

// of returns, per pc, the dead slots of the process that makes step t,
// or nil for a transition that is no process's step.
func (d *deadLocals) of(t Transition) [][]int32 {
	switch t.Kind {
	case ThreadStep:
		return d.threads[t.Proc]
	case HandlerStep:
		return d.handlers[t.Proc]
	case DeviceStep:
		return d.devices[t.Proc]
	}
	return nil
}

// DeadAt returns the frame-relative slots of the locals that are dead
// when the process that made step t is at pc: the slots the step reset to
// zero if they held anything else. It returns nil for a transition that
// is no process's step, and when the program keeps dead locals.
func (p *Program) DeadAt(t Transition, pc int32) []int32 {
	if p.KeepDeadLocals {
		return nil
	}
	tab := p.deadLocals().of(t)
	if pc < 0 || int(pc) >= len(tab) {
		return nil
	}
	return tab[pc]
}

// readsExprs reports whether instructions of op evaluate expressions,
// which may read locals; the others (jumps, clears, choices, yield, end)
// read none.
func readsExprs(op Op) bool {
	switch op {
	case OpJump, OpClear, OpChoice, OpYield, OpEnd:
		return false
	}
	return true
}

// deadSlots computes, for each pc of code at which a step may leave its
// process (an instruction that is not free and not the end, where the
// frame is let go anyway), the slots of a frame of size slots that are
// dead there.
func deadSlots(code Code, size int32) [][]int32 {
	out := make([][]int32, len(code))
	if size == 0 {
		return out
	}
	words := int(size+63) / 64
	live := make([]uint64, len(code)*words)
	row := func(pc int32) []uint64 { return live[int(pc)*words : (int(pc)+1)*words] }
	all := make([]uint64, words)
	for i := range size {
		all[i/64] |= 1 << (i % 64)
	}
	tmp := make([]uint64, words)
	for changed := true; changed; {
		changed = false
		for pc := int32(len(code)) - 1; pc >= 0; pc-- {
			in := &code[pc]
			clear(tmp)
			for _, q := range in.successors() {
				for w, v := range row(q) {
					tmp[w] |= v
				}
			}
			kill := func(at int32) {
				if at >= 0 && at < size {
					tmp[at/64] &^= 1 << (at % 64)
				}
			}
			if in.Op == OpClear {
				for at := in.ClearAt; at < in.ClearAt+in.ClearN; at++ {
					kill(at)
				}
			}
			for _, at := range in.Kills {
				kill(at)
			}
			if !in.ReadsKnown && readsExprs(in.Op) {
				copy(tmp, all)
			}
			for _, at := range in.Reads {
				if at >= 0 && at < size {
					tmp[at/64] |= 1 << (at % 64)
				}
			}
			r := row(pc)
			for w := range r {
				if r[w] != tmp[w] {
					r[w] = tmp[w]
					changed = true
				}
			}
		}
	}
	for pc := range code {
		in := &code[pc]
		if in.Free || in.Op == OpEnd {
			continue
		}
		r := row(int32(pc))
		for at := range size {
			if r[at/64]&(1<<(at%64)) == 0 {
				out[pc] = append(out[pc], at)
			}
		}
	}
	return out
}
