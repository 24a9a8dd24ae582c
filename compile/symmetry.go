package compile

import (
	"slices"

	"github.com/irqcheck/irqcheck/sema"
)

// Symmetry describes how permutations of the interchangeable CPUs of a
// `cpus N symmetric` model act on its states. A permutation π moves CPU
// c's block of slots to CPU π(c)'s, moves the copy on CPU c of each thread
// declared on each cpu to its copy on π(c), permutes the elements of every
// [cpu] array, and renames every cpu and thread value it finds. States
// that differ only by such a renaming behave alike, so the checker stores
// one of them: the canonical one (see Canonical).
type Symmetry struct {
	perms []symPerm // every permutation but the identity
	kinds []valueKind
	lay   *Layout

	// For Canonical.
	movable []int32 // the interchangeable CPUs, ascending
	posOf   []int32 // posOf[c]: the position of CPU c in movable, or -1
	family  []int32 // per thread: its family if it is a copy on an interchangeable CPU, else -1
	home    []int32 // per thread: the position in movable of the CPU it is the copy for, or -1
	// own[p*len(ownKind)+j] is slot j of those that move with CPU
	// movable[p]: every permutation π sends it to slot j of π(movable[p]).
	// The first nplain hold plain values.
	own     []int32
	ownKind []valueKind
	nplain  int
	fixed   []int32 // the slots no permutation moves that hold cpu or thread values
	byRank  []int32 // the index in perms of the permutation of each Lehmer rank; -1 for the identity
	swap    []int32 // swap[a*len(movable)+b]: the index in perms of the swap of movable[a] and movable[b]
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

// Permutations is the number of permutations of the interchangeable CPUs,
// the identity included (N! for N of them). Apply numbers the others from
// 0 to Permutations()-2.
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
			for r, to := range permuteType(t, pm.cpu, pm.thread) {
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
	sy.movable = movable
	sy.posOf = make([]int32, p.NCPUs)
	for cpu := range sy.posOf {
		sy.posOf[cpu] = -1
	}
	for k, cpu := range movable {
		sy.posOf[cpu] = int32(k)
	}
	for _, t := range c.prog.Threads {
		f, home := int32(-1), int32(-1)
		if t.Family >= 0 && !p.Distinguished[t.CPU] {
			f, home = int32(t.Family), sy.posOf[t.CPU]
		}
		sy.family = append(sy.family, f)
		sy.home = append(sy.home, home)
	}
	sy.findOwned()
	return sy
}

// findOwned fills in what Canonical needs: own, ownKind, nplain, fixed,
// byRank and swap.
//
// A slot moves with CPU c0 = movable[0] when where a permutation sends it
// depends on the image of c0 alone; each such slot gives one slot of
// every CPU. Slots of a kind that differs between CPUs are left out, and
// so is any slot that fails the check that every permutation maps the
// slots of each CPU onto those of its image: a signature may ignore
// slots, but must not depend on the names of the CPUs.
func (sy *Symmetry) findOwned() {
	m := len(sy.movable)
	if m < 2 {
		return
	}
	tail := int(sy.lay.Inflight)
	// at[p*tail+i]: where the permutations that send c0 to movable[p]
	// send slot i; -1 for none yet, -2 if they disagree.
	at := make([]int32, m*tail)
	for i := range at {
		at[i] = -1
	}
	for i := 0; i < tail; i++ {
		at[i] = int32(i) // the identity
	}
	c0 := sy.movable[0]
	for k := range sy.perms {
		pm := &sy.perms[k]
		row := at[int(sy.posOf[pm.cpu[c0]])*tail:][:tail]
		for i, x := range row {
			switch {
			case x == -1:
				row[i] = pm.dst[i]
			case x != pm.dst[i]:
				row[i] = -2
			}
		}
	}
	var plain, special []int
	for i := 0; i < tail; i++ {
		ok, moves := true, false
		for p := 0; p < m; p++ {
			x := at[p*tail+i]
			ok = ok && x >= 0 && sy.kinds[x] == sy.kinds[i]
			moves = moves || x != int32(i)
		}
		if ok && !moves && sy.kinds[i] != valPlain {
			sy.fixed = append(sy.fixed, int32(i))
		}
		if !ok || !moves {
			continue
		}
		for k := 0; k < len(sy.perms) && ok; k++ {
			pm := &sy.perms[k]
			for p, cpu := range sy.movable {
				to := int(sy.posOf[pm.cpu[cpu]])
				if pm.dst[at[p*tail+i]] != at[to*tail+i] {
					ok = false
					break
				}
			}
		}
		switch {
		case !ok:
		case sy.kinds[i] == valPlain:
			plain = append(plain, i)
		default:
			special = append(special, i)
		}
	}
	cols := append(plain, special...)
	sy.nplain = len(plain)
	sy.own = make([]int32, 0, m*len(cols))
	for p := 0; p < m; p++ {
		for _, i := range cols {
			sy.own = append(sy.own, at[p*tail+i])
		}
	}
	for _, i := range cols {
		sy.ownKind = append(sy.ownKind, sy.kinds[i])
	}

	sy.byRank = make([]int32, len(sy.perms)+1)
	sy.byRank[0] = -1 // the identity
	q := make([]int32, m)
	for k := range sy.perms {
		for p, cpu := range sy.movable {
			q[p] = sy.posOf[sy.perms[k].cpu[cpu]]
		}
		sy.byRank[lehmer(q)] = int32(k)
	}
	sy.swap = make([]int32, m*m)
	for a := range m {
		for b := range m {
			for p := range q {
				q[p] = int32(p)
			}
			q[a], q[b] = int32(b), int32(a)
			sy.swap[a*m+b] = sy.byRank[lehmer(q)]
		}
	}
}

// permuteType returns, for a value of type t, where each of its slots goes
// when the elements of its [cpu] arrays are permuted by cpu.
func permuteType(t *sema.Type, cpu, thread []int32) []int32 {
	switch t.Kind {
	case sema.Struct:
		var out []int32
		var off int32
		for _, f := range t.Struct.Fields {
			for _, r := range permuteType(f.Type, cpu, thread) {
				out = append(out, off+r)
			}
			off += int32(f.Type.Slots())
		}
		return out
	case sema.Array:
		inner := permuteType(t.Elem, cpu, thread)
		n := int32(t.Elem.Slots())
		out := make([]int32, 0, t.Len*int(n))
		for i := 0; i < t.Len; i++ {
			to := int32(i)
			switch t.Index {
			case sema.CPU:
				to = cpu[i]
			case sema.Thread: // element i belongs to thread i
				to = thread[i]
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

// imageAt is slot j of the image of s under pm (j before the in-flight
// messages, which must be sorted again).
func (sy *Symmetry) imageAt(pm *symPerm, s State, j int) int32 {
	i := pm.src[j]
	v := s[i]
	if kind := sy.kinds[i]; kind != valPlain {
		v = pm.rename(kind, v)
	}
	return v
}

// Apply writes the image of s under permutation k into out.
func (sy *Symmetry) Apply(k int, s, out State) {
	pm := &sy.perms[k]
	tail := sy.lay.Inflight
	for i, v := range s[:tail] {
		if kind := sy.kinds[i]; kind != valPlain {
			v = pm.rename(kind, v)
		}
		out[pm.dst[i]] = v
	}
	pm.messages(s[tail:], out[tail:])
}

// messages writes into out the in-flight messages m renamed, sorted again
// (descending, empties last).
func (pm *symPerm) messages(m, out State) {
	for i, v := range m {
		out[i] = pm.rename(valMessage, v)
		for j := i; j > 0 && out[j] > out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
}

// Canonical writes into out the canonical form of s, using scratch (both
// len(s)): a renaming of s that depends only on the class of s, so that s
// and every renaming of it give the same one.
//
// With up to maxLeast interchangeable CPUs it is the least image of s
// under every permutation. With more, Canonical first computes for each
// interchangeable CPU a signature that renaming carries along: a hash of
// the slots that move with the CPU (its own slots, the elements of [cpu]
// arrays at its index, the slots of its copies of the threads on each
// cpu), of the vectors in flight to it and of where other slots name it,
// with every cpu or thread value replaced by what renaming preserves: the
// same CPU, another one (and that one's signature), or a distinguished
// CPU or thread by name. It then tries only the permutations that put
// the CPUs in the order of their signatures, permuting CPUs of equal
// signature among themselves, and keeps the least image. The images of s
// under these permutations are exactly the states of its class whose
// CPUs are in signature order, so the least of them depends on the class
// alone. Of CPUs of equal signature that are twins (swapping them leaves
// s unchanged) only one order is tried, as the others give the same
// images.
func (sy *Symmetry) Canonical(s, out, scratch State) {
	m := len(sy.movable)
	if m <= maxLeast {
		sy.least(s, out, scratch)
		return
	}
	var w canonWork
	sig, tmp := w.sig[:], w.tmp[:]
	arr, lab, next, cur := w.arr[:], w.lab[:], w.next[:], w.cur[:]
	if m > maxSymCPUs {
		sig, tmp = make([]uint64, m), make([]uint64, m)
		arr, lab, next, cur = make([]int32, m), make([]int32, m), make([]int32, m), make([]int32, m)
	}
	sig, tmp = sig[:m], tmp[:m]
	arr, lab, next, cur = arr[:m], lab[:m], next[:m], cur[:m]
	sy.signatures(s, sig, tmp)

	// Positions in movable sorted by signature, ties in ascending order.
	for p := range arr {
		x := int32(p)
		k := p
		for ; k > 0 && sig[arr[k-1]] > sig[x]; k-- {
			arr[k] = arr[k-1]
		}
		arr[k] = x
	}
	// Within each run of equal signatures, lab lists the twin class of
	// each CPU, named by its least position, sorted; next links the
	// members of each class.
	ties := false
	for a := 0; a < m; {
		b := a + 1
		for b < m && sig[arr[b]] == sig[arr[a]] {
			b++
		}
		if sy.twinClasses(s, scratch, arr[a:b], lab[a:b], next) {
			ties = true
		}
		a = b
	}

	arrange(lab, next, cur, arr)
	sy.image(sy.permFor(arr, cur), s, out)
	for ties && nextArrangement(lab, sig) {
		arrange(lab, next, cur, arr)
		sy.improve(sy.permFor(arr, cur), s, out, scratch)
	}
}

// maxLeast is the largest number of interchangeable CPUs for which
// Canonical tries every permutation: with so few, that is faster than
// computing signatures. Tests lower it to check signatures on small
// models.
var maxLeast = 3

// least writes into out the least image of s under every permutation.
func (sy *Symmetry) least(s, out, scratch State) {
	copy(out, s)
	for k := range sy.perms {
		sy.improve(int32(k), s, out, scratch)
	}
}

// maxSymCPUs bounds the interchangeable CPUs for which Canonical needs no
// allocation.
const maxSymCPUs = 16

// canonWork is the working memory of Canonical.
type canonWork struct {
	sig, tmp            [maxSymCPUs]uint64
	arr, lab, next, cur [maxSymCPUs]int32
}

// signatures sets sig[p] to the signature of CPU movable[p] in s, using
// tmp (len(sig)).
func (sy *Symmetry) signatures(s State, sig, tmp []uint64) {
	w := len(sy.ownKind)
	for p := range sig {
		row := sy.own[p*w : (p+1)*w]
		h := uint64(fnvOffset)
		for _, i := range row[:sy.nplain] {
			h = mix(h, s[i])
		}
		for j, i := range row[sy.nplain:] {
			v := s[i]
			if x, class := sy.target(sy.ownKind[sy.nplain+j], v); x >= 0 {
				v = sameOrOther(x == int32(p), class)
			}
			h = mix(h, v)
		}
		tmp[p] = h
	}
	// Slots that stay in place and name a CPU, in slot order.
	for _, i := range sy.fixed {
		if x, class := sy.target(sy.kinds[i], s[i]); x >= 0 {
			tmp[x] = mix(mix(tmp[x], i), class)
		}
	}
	// The messages in flight are sorted descending, so those to a CPU
	// come in descending order of vector whatever the renaming.
	l := sy.lay
	for _, v := range s[l.Inflight : int(l.Inflight)+l.InflightCap] {
		if v == 0 {
			break
		}
		c, vec := UnpackMsg(v)
		if p := sy.position(c); p >= 0 {
			tmp[p] = mix(tmp[p], vec)
		}
	}
	// One round of refinement: add, for every value of CPU c's slots
	// that names another CPU x, x's signature to c's and c's to x's, as
	// sums so that the order of the CPUs does not matter.
	copy(sig, tmp)
	for p := range sig {
		row := sy.own[p*w+sy.nplain : (p+1)*w]
		for j, i := range row {
			x, class := sy.target(sy.ownKind[sy.nplain+j], s[i])
			if x < 0 || x == int32(p) {
				continue
			}
			e := mix(mix(0, int32(j)), class)
			sig[p] += fmix(e ^ tmp[x])
			sig[x] += fmix(^e ^ tmp[p])
		}
	}
}

// position returns the position of CPU c in movable, or -1 if c is
// distinguished or not a CPU.
func (sy *Symmetry) position(c int32) int32 {
	if c < 0 || int(c) >= len(sy.posOf) {
		return -1
	}
	return sy.posOf[c]
}

// target returns the position in movable of the interchangeable CPU that
// value v of a slot of kind k names, directly or as the CPU of a copy of
// a thread on each cpu, and the class of the value: 0 for a CPU, 1+f for
// a copy of thread family f. It returns -1 if v names no such CPU (a
// plain value, unset, none, a distinguished CPU or thread): permutations
// leave those in place. For every permutation π, target(π(v)) is
// π(target(v)), of the same class.
func (sy *Symmetry) target(k valueKind, v int32) (pos, class int32) {
	switch k {
	case valCPU:
		return sy.position(v), 0
	case valCPUVar:
		if v > 0 {
			return sy.position(v - 1), 0
		}
	case valThread:
		if v > 0 && int(v) <= len(sy.family) && sy.family[v-1] >= 0 {
			return sy.home[v-1], 1 + sy.family[v-1]
		}
	case valThreadIx:
		if v >= 0 && int(v) < len(sy.family) && sy.family[v] >= 0 {
			return sy.home[v], 1 + sy.family[v]
		}
	}
	return -1, 0
}

// sameOrOther encodes "the one of this CPU" or "one of another CPU" for
// class k (see target) as a negative number, which a value of the same
// slot could only be if invalid.
func sameOrOther(same bool, k int32) int32 {
	if same {
		return -1 - 2*k
	}
	return -2 - 2*k
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// mix adds v to hash h (FNV-1a over 32-bit words).
func mix(h uint64, v int32) uint64 {
	return (h ^ uint64(uint32(v))) * fnvPrime
}

// fmix scrambles the bits of h (the finalizer of MurmurHash3).
func fmix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// twinClasses partitions run, positions of CPUs of equal signature in
// ascending order, into classes of twins: CPUs whose swap leaves s
// unchanged. Twins form classes since the swaps of a with b and of b
// with c give that of a with c. It sets lab to the class of each CPU,
// named by its least member, sorted, and links the members of each class
// in ascending order through next. It reports whether the run has more
// than one class.
func (sy *Symmetry) twinClasses(s, scratch State, run, lab, next []int32) bool {
	for k, x := range run {
		lab[k] = x
		next[x] = -1
		for r, rep := range run[:k] {
			if lab[r] != rep || !sy.twins(rep, x, s, scratch) {
				continue
			}
			lab[k] = rep
			y := rep
			for next[y] >= 0 {
				y = next[y]
			}
			next[y] = x
			break
		}
	}
	slices.Sort(lab)
	return lab[0] != lab[len(lab)-1]
}

// twins reports whether swapping CPUs movable[a] and movable[b] leaves s
// unchanged, using the in-flight part of scratch.
func (sy *Symmetry) twins(a, b int32, s, scratch State) bool {
	pm := &sy.perms[sy.swap[int(a)*len(sy.movable)+int(b)]]
	tail := sy.lay.Inflight
	for j, want := range s[:tail] {
		if sy.imageAt(pm, s, j) != want {
			return false
		}
	}
	pm.messages(s[tail:], scratch[tail:])
	return slices.Equal(scratch[tail:], s[tail:])
}

// arrange sets arr[p] to the position of the CPU that goes to
// movable[p]: a member of twin class lab[p], taking the members of each
// class in ascending order; cur is scratch.
func arrange(lab, next, cur, arr []int32) {
	for _, c := range lab {
		cur[c] = c
	}
	for p, c := range lab {
		x := cur[c]
		arr[p] = x
		cur[c] = next[x]
	}
}

// permFor returns the index in perms of the permutation that sends CPU
// movable[arr[p]] to movable[p] for every p, or -1 for the identity; q is
// scratch of len(arr).
func (sy *Symmetry) permFor(arr, q []int32) int32 {
	for p, x := range arr {
		q[x] = int32(p)
	}
	return sy.byRank[lehmer(q)]
}

// lehmer returns the rank of permutation q of 0..len(q)-1 in
// lexicographic order.
func lehmer(q []int32) int {
	r := 0
	for k, x := range q {
		n := 0
		for _, y := range q[k+1:] {
			if y < x {
				n++
			}
		}
		r = r*(len(q)-k) + n
	}
	return r
}

// nextArrangement advances lab to its next arrangement that only
// permutes elements of equal signature among themselves, the last run of
// equal signatures varying fastest. It reports false, with lab back at
// the first arrangement, after the last one.
func nextArrangement(lab []int32, sig []uint64) bool {
	for b := len(lab); b > 0; {
		a := b - 1
		for a > 0 && sig[lab[a-1]] == sig[lab[b-1]] {
			a--
		}
		if nextPermutation(lab[a:b]) {
			return true
		}
		b = a
	}
	return false
}

// nextPermutation rearranges x into the next permutation in
// lexicographic order, equal elements being alike. It reports false, with
// x sorted ascending, if x was the last one.
func nextPermutation(x []int32) bool {
	i := len(x) - 2
	for i >= 0 && x[i] >= x[i+1] {
		i--
	}
	if i >= 0 {
		j := len(x) - 1
		for x[j] <= x[i] {
			j--
		}
		x[i], x[j] = x[j], x[i]
	}
	slices.Reverse(x[i+1:])
	return i >= 0
}

// image writes the image of s under permutation k (-1: the identity)
// into out.
func (sy *Symmetry) image(k int32, s, out State) {
	if k < 0 {
		copy(out, s)
		return
	}
	sy.Apply(int(k), s, out)
}

// improve replaces out with the image of s under permutation k (-1: the
// identity) if that is less. The image is compared slot by slot as it is
// computed, so it is usually rejected after a few slots; the in-flight
// messages, laid out last, must be sorted again and are compared whole,
// in scratch.
func (sy *Symmetry) improve(k int32, s, out, scratch State) {
	if k < 0 {
		if slices.Compare(s, out) < 0 {
			copy(out, s)
		}
		return
	}
	pm := &sy.perms[k]
	tail := sy.lay.Inflight
	for j, want := range out[:tail] {
		if v := sy.imageAt(pm, s, j); v != want {
			if v < want {
				sy.Apply(int(k), s, out)
			}
			return
		}
	}
	pm.messages(s[tail:], scratch[tail:])
	if slices.Compare(scratch[tail:], out[tail:]) < 0 {
		copy(out[tail:], scratch[tail:])
	}
}
