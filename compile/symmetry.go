package compile

import (
	"slices"

	"github.com/irqcheck/irqcheck/machine"
	"github.com/irqcheck/irqcheck/sema"
)

// symmetry describes to the machine how renaming the non-distinguished
// CPUs moves the slots of the layout.
func (c *compiler) symmetry() *machine.Symmetry {
	spec := machine.SymmetrySpec{Layout: c.lay, Coords: c.slotCoords()}
	for cpu := 0; cpu < c.sp.NCPUs; cpu++ {
		if !c.sp.Distinguished[cpu] {
			spec.Movable = append(spec.Movable, int32(cpu))
		}
	}
	for _, t := range c.prog.Threads {
		spec.ThreadCPU = append(spec.ThreadCPU, t.CPU)
		spec.ThreadFamily = append(spec.ThreadFamily, t.Family)
	}
	return machine.NewSymmetry(spec)
}

// slotCoords returns for each slot how its place depends on the CPUs.
func (c *compiler) slotCoords() [][]machine.Coord {
	l := c.lay
	per := make([][]machine.Coord, l.Size)
	// [cpu] and [thread] arrays inside variables: globals and frames.
	within := func(base int32, t *sema.Type) {
		walkCoords(t, nil, func(r int32, cs []machine.Coord) {
			per[base+r] = append(per[base+r], cs...)
		})
	}
	for _, g := range c.sp.Globals {
		within(c.globs[g], g.Type)
		if l.Weak { // a global's base moves as it does
			within(l.Base+c.globs[g], g.Type)
			within(l.BaseLive+c.globs[g], g.Type)
		}
	}
	for cpu := range l.CPUs {
		for _, f := range c.handlerFrames {
			for o, off := range f.offs {
				within(l.CPUs[cpu].HFrame+off, o.Type)
			}
		}
	}
	for t, f := range c.threadFrames {
		for o, off := range f.offs {
			within(l.Threads[t].Frame+off, o.Type)
		}
	}
	for d, f := range c.deviceFrames {
		for o, off := range f.offs {
			within(l.Devices[d].Frame+off, o.Type)
		}
	}
	// Whole blocks: CPUs, then the copies of threads on each cpu.
	cpuStart := make([]int32, len(l.CPUs))
	for cpu, cs := range l.CPUs {
		cpuStart[cpu] = cs.Online
	}
	for cpu, cs := range l.CPUs {
		end := cs.VT + int32(len(l.Vectors))
		if l.SBSize > 0 {
			end = cs.SB + 2*int32(l.SBSize) // the store buffer follows the vector table
		}
		if l.Weak {
			end = cs.View + machine.NumViews // and the views follow the store buffer
		}
		for i := cs.Online; i < end; i++ {
			per[i] = append(per[i], machine.Coord{Idx: int32(cpu), Off: cpuStart})
		}
	}
	threadStart := make([]int32, len(l.Threads))
	for t, ps := range l.Threads {
		threadStart[t] = ps.CPU
	}
	for t, ps := range l.Threads {
		if c.prog.Threads[t].Family < 0 {
			continue
		}
		for i := ps.CPU; i < ps.Frame+c.prog.Threads[t].FrameSize; i++ {
			per[i] = append(per[i], machine.Coord{ByThread: true, Idx: int32(t), Off: threadStart})
		}
	}
	return per
}

// walkCoords calls f with the offset of each slot of a value of type t
// and the [cpu] and [thread] array indices, outer ones first, that it
// lies at (appended to cs).
func walkCoords(t *sema.Type, cs []machine.Coord, f func(r int32, cs []machine.Coord)) {
	var walk func(t *sema.Type, at int32, cs []machine.Coord)
	walk = func(t *sema.Type, at int32, cs []machine.Coord) {
		switch t.Kind {
		case sema.Struct:
			for _, fl := range t.Struct.Fields {
				walk(fl.Type, at, cs)
				at += int32(fl.Type.Slots())
			}
		case sema.Array:
			n := int32(t.Elem.Slots())
			var off []int32
			if t.Index == sema.CPU || t.Index == sema.Thread {
				off = make([]int32, t.Len)
				for i := range off {
					off[i] = int32(i) * n
				}
			}
			for i := 0; i < t.Len; i++ {
				inner := cs
				if off != nil {
					inner = append(slices.Clip(cs), machine.Coord{ByThread: t.Index == sema.Thread, Idx: int32(i), Off: off})
				}
				walk(t.Elem, at+int32(i)*n, inner)
			}
		default:
			for r := int32(0); r < int32(t.Slots()); r++ {
				f(at+r, cs)
			}
		}
	}
	walk(t, 0, cs)
}
