package compile

import (
	"github.com/irqcheck/irqcheck/sema"
)

// Symmetry describes how permutations of the interchangeable CPUs of a
// `cpus N symmetric` model act on its states. A permutation π moves CPU
// c's block of slots to CPU π(c)'s, moves the copy on CPU c of each thread
// declared on each cpu to its copy on π(c), permutes the elements of every
// [cpu] array, and renames every cpu and thread value it finds. States
// that differ only by such a renaming behave alike, so the checker stores
// one of them: the canonical one, the least under every permutation.
type Symmetry struct {
	perms []symPerm // every permutation but the identity
	kinds []valueKind
	lay   *Layout
}

type symPerm struct {
	cpu    []int32 // π(c)
	thread []int32 // σ(t): where the permutation sends thread t
	dst    []int32 // dst[i]: where slot i goes
	src    []int32 // src[j]: the slot that goes to j (dst inverted)
}

// valueKind says how a slot's value is renamed by a permutation.
type valueKind uint8

const (
	valPlain    valueKind = iota
	valCPU                // a cpu number
	valCPUVar             // a cpu variable: cpu + 1, 0 unset
	valThread             // a thread value: 0 none, i+1 thread i
	valThreadIx           // a thread index, -1 for none (current thread)
	valMessage            // an in-flight message: cpu<<8 | vector + 1, 0 empty
)

// Permutations is the number of permutations the symmetry tries per state
// (N! for N interchangeable CPUs).
func (sy *Symmetry) Permutations() int { return len(sy.perms) + 1 }

// symmetry builds the permutations of the non-distinguished CPUs.
func (c *compiler) symmetry() *Symmetry {
	l := c.lay
	p := c.sp
	sy := &Symmetry{lay: l, kinds: make([]valueKind, l.Size)}
	for i, in := range l.Slots {
		switch in.Kind {
		case SlotCPU:
			sy.kinds[i] = valCPUVar
		case SlotThread:
			sy.kinds[i] = valThread
		}
	}
	for _, cs := range l.CPUs {
		sy.kinds[cs.Cur] = valThreadIx
	}
	for _, ps := range l.Threads {
		sy.kinds[ps.CPU] = valCPU
	}
	for i := 0; i < l.InflightCap; i++ {
		sy.kinds[int(l.Inflight)+i] = valMessage
	}

	var movable []int32
	for cpu := 0; cpu < p.NCPUs; cpu++ {
		if !p.Distinguished[cpu] {
			movable = append(movable, int32(cpu))
		}
	}
	// The copies of each family, by CPU.
	copyOf := map[[2]int]int32{} // (family, cpu) -> thread
	for i, t := range c.prog.Threads {
		if t.Family >= 0 {
			copyOf[[2]int{t.Family, t.CPU}] = int32(i)
		}
	}
	cpuBlock := func(cpu int32) (int32, int32) {
		cs := l.CPUs[cpu]
		return cs.Online, cs.VT + int32(len(l.Vectors)) - cs.Online
	}
	threadBlock := func(t int32) (int32, int32) {
		ps := l.Threads[t]
		return ps.CPU, ps.Frame + c.prog.Threads[t].FrameSize - ps.CPU
	}
	permuteAll(movable, func(img []int32) {
		pm := symPerm{cpu: make([]int32, p.NCPUs), thread: make([]int32, len(c.prog.Threads)), dst: make([]int32, l.Size)}
		identity := true
		for cpu := range pm.cpu {
			pm.cpu[cpu] = int32(cpu)
		}
		for k, cpu := range movable {
			pm.cpu[cpu] = img[k]
			if img[k] != cpu {
				identity = false
			}
		}
		if identity {
			return
		}
		for i, t := range c.prog.Threads {
			pm.thread[i] = int32(i)
			if t.Family >= 0 {
				pm.thread[i] = copyOf[[2]int{t.Family, int(pm.cpu[t.CPU])}]
			}
		}
		for i := range pm.dst {
			pm.dst[i] = int32(i)
		}
		// [cpu] arrays inside variables: globals and frames.
		within := func(base int32, t *sema.Type) {
			for r, to := range permuteType(t, pm.cpu) {
				pm.dst[base+int32(r)] = base + to
			}
		}
		for _, g := range p.Globals {
			within(c.globs[g], g.Type)
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
		for cpu := range l.CPUs {
			from, n := cpuBlock(int32(cpu))
			to, _ := cpuBlock(pm.cpu[cpu])
			for i := from; i < from+n; i++ {
				pm.dst[i] += to - from
			}
		}
		for t := range c.prog.Threads {
			if pm.thread[t] == int32(t) {
				continue
			}
			from, n := threadBlock(int32(t))
			to, _ := threadBlock(pm.thread[t])
			for i := from; i < from+n; i++ {
				pm.dst[i] += to - from
			}
		}
		pm.src = make([]int32, len(pm.dst))
		for i, j := range pm.dst {
			pm.src[j] = int32(i)
		}
		sy.perms = append(sy.perms, pm)
	})
	return sy
}

// permuteType returns, for a value of type t, where each of its slots goes
// when the elements of its [cpu] arrays are permuted by cpu.
func permuteType(t *sema.Type, cpu []int32) []int32 {
	switch t.Kind {
	case sema.Struct:
		var out []int32
		var off int32
		for _, f := range t.Struct.Fields {
			for _, r := range permuteType(f.Type, cpu) {
				out = append(out, off+r)
			}
			off += int32(f.Type.Slots())
		}
		return out
	case sema.Array:
		inner := permuteType(t.Elem, cpu)
		n := int32(t.Elem.Slots())
		out := make([]int32, 0, t.Len*int(n))
		for i := 0; i < t.Len; i++ {
			to := int32(i)
			if t.Index == sema.CPU {
				to = cpu[i]
			}
			for _, r := range inner {
				out = append(out, to*n+r)
			}
		}
		return out
	}
	return make([]int32, t.Slots())
}

// permuteAll calls f with every permutation of xs (as the images of xs[0],
// xs[1], ...), in lexicographic order of positions.
func permuteAll(xs []int32, f func(img []int32)) {
	img := append([]int32(nil), xs...)
	var rec func(k int)
	rec = func(k int) {
		if k == len(img) {
			f(img)
			return
		}
		for i := k; i < len(img); i++ {
			img[k], img[i] = img[i], img[k]
			rec(k + 1)
			img[k], img[i] = img[i], img[k]
		}
	}
	rec(0)
}

// rename maps value v of a slot of kind k under permutation pm.
func (pm *symPerm) rename(k valueKind, v int32) int32 {
	switch k {
	case valCPU:
		if v >= 0 && int(v) < len(pm.cpu) {
			v = pm.cpu[v]
		}
	case valCPUVar:
		if v > 0 && int(v) <= len(pm.cpu) {
			v = pm.cpu[v-1] + 1
		}
	case valThread:
		if v > 0 {
			v = pm.thread[v-1] + 1
		}
	case valThreadIx:
		if v >= 0 {
			v = pm.thread[v]
		}
	case valMessage:
		if v != 0 {
			c, vec := UnpackMsg(v)
			v = msg(pm.cpu[c], vec)
		}
	}
	return v
}

// Apply writes the image of s under permutation k into out.
func (sy *Symmetry) Apply(k int, s, out State) {
	pm := &sy.perms[k]
	for i, v := range s {
		out[pm.dst[i]] = pm.rename(sy.kinds[i], v)
	}
	// Renamed messages must be sorted again (descending, empties last).
	m := out[sy.lay.Inflight : int(sy.lay.Inflight)+sy.lay.InflightCap]
	for i := 1; i < len(m) && m[i] != 0; i++ {
		for j := i; j > 0 && m[j] > m[j-1]; j-- {
			m[j], m[j-1] = m[j-1], m[j]
		}
	}
}

// Canonical writes into out the least image of s under the permutations
// (s itself included), using scratch (both len(s)). Each image is compared
// with the best so far slot by slot as it is computed, so most
// permutations are rejected after a few slots; the in-flight messages,
// laid out last, must be sorted again and are compared whole.
func (sy *Symmetry) Canonical(s, out, scratch State) {
	copy(out, s)
	tail := sy.lay.Inflight
	for k := range sy.perms {
		pm := &sy.perms[k]
		j := int32(0)
		better := false
		for ; j < tail; j++ {
			i := pm.src[j]
			v := pm.rename(sy.kinds[i], s[i])
			if v != out[j] {
				better = v < out[j]
				break
			}
		}
		if j < tail && !better {
			continue
		}
		sy.Apply(k, s, scratch)
		if j < tail || less(scratch[tail:], out[tail:]) {
			copy(out, scratch)
		}
	}
}

func less(a, b State) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}
