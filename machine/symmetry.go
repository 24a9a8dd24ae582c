package machine

import (
	"slices"
	"sync"
)

// Symmetry describes how permutations of the interchangeable CPUs of a
// `cpus N symmetric` model act on its states. A permutation π moves CPU
// c's block of slots to CPU π(c)'s, moves the copy on CPU c of each thread
// declared on each cpu to its copy on π(c), permutes the elements of every
// [cpu] array, and renames every cpu and thread value it finds. States
// that differ only by such a renaming behave alike, so the checker stores
// one of them: the canonical one (see Canonical).
//
// With up to maxEager interchangeable CPUs every permutation is built
// when the model is compiled; with more, a permutation is built when it is
// needed, from a description of how each slot's place depends on the
// CPUs, so that a model of 64 CPUs starts at once.
type Symmetry struct {
	perms []symPerm // every permutation but the identity, if eager
	eager bool
	kinds []valueKind
	lay   *Layout

	// How a permutation moves the slots: slot i goes to i plus, for each
	// coord c of coords[coordStart[i]:coordStart[i+1]], c.off[π(c.idx)] -
	// c.off[c.idx].
	coordStart []int32
	coords     []Coord
	copies     [][]int32 // copies[f][c]: the copy of thread family f on CPU c, or -1
	placed     [][]int32 // placed[p]: the slots before the messages whose place depends on movable[p]
	named      []int32   // the slots before the messages that hold cpu or thread values
	nthreads   int
	ncpus      int
	pool       sync.Pool // of *symPerm, for permutations built on demand

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
	byRank  []int32 // if eager: the index in perms of the permutation of each Lehmer rank; -1 for the identity
	swap    []int32 // if eager: swap[a*len(movable)+b]: the index in perms of the swap of movable[a] and movable[b]
}

// A Coord is one way in which the place of a slot depends on the CPUs:
// the slot lies at index Idx of a [cpu] or [thread] array, or in the
// block of CPU Idx or of thread Idx. A permutation that sends Idx to Idx'
// moves the slot by Off[Idx'] - Off[Idx].
type Coord struct {
	ByThread bool // Idx is a thread, else a cpu
	Idx      int32
	Off      []int32
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
	valBufSlot            // a store buffer entry's slot: the slot stored to + 1, 0 empty
	valBufValue           // a store buffer entry's value: renamed as the slot it goes to
	valCPUMask            // a set of CPUs, a bit each (memory weak: a write's coherence marks)
)

// maxEager is the largest number of interchangeable CPUs for which every
// permutation is built when the model is compiled (8! = 40,320 of them).
// Tests lower it to check permutations built on demand on small models.
var maxEager = 8

// Permutations is the number of permutations of the interchangeable CPUs,
// the identity included (N! for N of them). Apply numbers the others from
// 0 to Permutations()-2. Meant for tests and small models: N! overflows
// an int past 20 CPUs.
func (sy *Symmetry) Permutations() int {
	n := 1
	for k := 2; k <= len(sy.movable); k++ {
		n *= k
	}
	return n
}

// SymmetrySpec describes, for NewSymmetry, the CPUs a renaming may move
// and how the slots of a layout move with them.
type SymmetrySpec struct {
	Layout  *Layout
	Movable []int32 // the interchangeable CPUs, ascending
	// Per thread: the CPU it starts on, and the family of threads on each
	// cpu it is a copy of, or -1.
	ThreadCPU, ThreadFamily []int
	// Coords[i] lists the ways in which the place of slot i depends on
	// the CPUs (see Coord).
	Coords [][]Coord
}

// NewSymmetry returns the symmetry that spec describes, with every
// permutation built if there are at most maxEager interchangeable CPUs.
func NewSymmetry(spec SymmetrySpec) *Symmetry {
	l := spec.Layout
	ncpus := l.NCPUs
	sy := &Symmetry{lay: l, kinds: make([]valueKind, l.Size), nthreads: len(spec.ThreadCPU), ncpus: ncpus}
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
	for _, cs := range l.CPUs {
		for k := int32(0); k < int32(l.SBSize); k++ {
			sy.kinds[cs.SB+2*k], sy.kinds[cs.SB+2*k+1] = valBufSlot, valBufValue
		}
	}
	if l.Weak {
		// A base is renamed as its global is; a write of the history
		// names its global, holds a value of that global's kind, and marks
		// CPUs.
		for i := int32(0); i < l.Globals; i++ {
			sy.kinds[l.Base+i] = sy.kinds[i]
		}
		for k := int32(0); k < int32(l.HistCap); k++ {
			at := l.Hist + histWords*k
			sy.kinds[at], sy.kinds[at+1], sy.kinds[at+3] = valBufSlot, valBufValue, valCPUMask
		}
	}

	movable := spec.Movable
	sy.movable = movable
	sy.posOf = make([]int32, ncpus)
	for cpu := range sy.posOf {
		sy.posOf[cpu] = -1
	}
	for k, cpu := range movable {
		sy.posOf[cpu] = int32(k)
	}
	for t, fam := range spec.ThreadFamily {
		cpu := spec.ThreadCPU[t]
		f, home := int32(-1), int32(-1)
		if fam >= 0 && sy.posOf[cpu] >= 0 {
			f, home = int32(fam), sy.posOf[cpu]
		}
		sy.family = append(sy.family, f)
		sy.home = append(sy.home, home)
		if fam >= 0 {
			for len(sy.copies) <= fam {
				sy.copies = append(sy.copies, slices.Repeat([]int32{-1}, ncpus))
			}
			sy.copies[fam][cpu] = int32(t)
		}
	}
	sy.coordStart = make([]int32, 0, l.Size+1)
	for _, cs := range spec.Coords {
		sy.coordStart = append(sy.coordStart, int32(len(sy.coords)))
		sy.coords = append(sy.coords, cs...)
	}
	sy.coordStart = append(sy.coordStart, int32(len(sy.coords)))
	sy.placed = make([][]int32, len(movable))
	for i, cs := range spec.Coords[:l.Inflight] {
		if sy.kinds[i] != valPlain {
			sy.named = append(sy.named, int32(i))
		}
		for _, c := range cs {
			p := int32(-1)
			switch {
			case c.ByThread && sy.family[c.Idx] >= 0:
				p = sy.home[c.Idx]
			case !c.ByThread:
				p = sy.posOf[c.Idx]
			}
			if p >= 0 && (len(sy.placed[p]) == 0 || sy.placed[p][len(sy.placed[p])-1] != int32(i)) {
				sy.placed[p] = append(sy.placed[p], int32(i))
			}
		}
	}

	sy.eager = len(movable) <= max(maxEager, maxLeast)
	if sy.eager {
		permuteAll(movable, func(img []int32) {
			if slices.Equal(img, movable) {
				return
			}
			pm := sy.newPerm()
			sy.build(pm, img)
			sy.perms = append(sy.perms, *pm)
		})
	}
	sy.findOwned()
	return sy
}

// newPerm returns a permutation with room for this model.
func (sy *Symmetry) newPerm() *symPerm {
	return &symPerm{cpu: make([]int32, sy.ncpus), thread: make([]int32, sy.nthreads),
		dst: make([]int32, sy.lay.Size), src: make([]int32, sy.lay.Size)}
}

// build makes pm the permutation that sends movable[p] to img[p].
func (sy *Symmetry) build(pm *symPerm, img []int32) {
	sy.buildMaps(pm, img)
	for i := range pm.dst {
		pm.dst[i] = sy.moved(pm, int32(i))
	}
	for i, j := range pm.dst {
		pm.src[j] = int32(i)
	}
}

// buildMaps sets only the CPU and thread maps of pm to those of the
// permutation that sends movable[p] to img[p]; see moved.
func (sy *Symmetry) buildMaps(pm *symPerm, img []int32) {
	for cpu := range pm.cpu {
		pm.cpu[cpu] = int32(cpu)
	}
	for p, cpu := range sy.movable {
		pm.cpu[cpu] = img[p]
	}
	sy.threadMap(pm)
}

// threadMap sets the thread map of pm from its CPU map.
func (sy *Symmetry) threadMap(pm *symPerm) {
	for t := range pm.thread {
		pm.thread[t] = int32(t)
		if f := sy.family[t]; f >= 0 {
			pm.thread[t] = sy.copies[f][pm.cpu[sy.movable[sy.home[t]]]]
		}
	}
}

// moved returns where the permutation whose CPU and thread maps are those
// of pm sends slot i.
func (sy *Symmetry) moved(pm *symPerm, i int32) int32 {
	d := i
	for _, c := range sy.coords[sy.coordStart[i]:sy.coordStart[i+1]] {
		var to int32
		if c.ByThread {
			to = pm.thread[c.Idx]
		} else {
			to = pm.cpu[c.Idx]
		}
		d += c.Off[to] - c.Off[c.Idx]
	}
	return d
}

// buildSwap makes pm the permutation that swaps movable[a] and movable[b].
func (sy *Symmetry) buildSwap(pm *symPerm, a, b int, img []int32) {
	copy(img, sy.movable)
	img[a], img[b] = img[b], img[a]
	sy.build(pm, img)
}

// findOwned fills in what Canonical needs: own, ownKind, nplain and
// fixed, and if every permutation is built, byRank and swap.
//
// A slot moves with CPU c0 = movable[0] when where a permutation sends it
// depends on the image of c0 alone: when the permutations that leave c0
// in place leave it in place, which it is enough to check on the swaps of
// neighbours in movable[1:], as they generate those permutations. Each
// such slot gives one slot of every CPU: where the swap of c0 and CPU c
// sends it. Slots of a kind that differs between CPUs are left out, and
// so is any slot that fails the check that every permutation maps the
// slots of each CPU onto those of its image (checked on the swaps of
// neighbours in movable, which generate every permutation): a signature
// may ignore slots, but must not depend on the names of the CPUs.
func (sy *Symmetry) findOwned() {
	m := len(sy.movable)
	if m < 2 {
		return
	}
	tail := int(sy.lay.Inflight)
	pm, img := sy.newPerm(), make([]int32, m)
	// at[p*tail+i]: where the swap of c0 and movable[p] sends slot i.
	at := make([]int32, m*tail)
	for i := 0; i < tail; i++ {
		at[i] = int32(i)
	}
	for p := 1; p < m; p++ {
		sy.buildSwap(pm, 0, p, img)
		copy(at[p*tail:(p+1)*tail], pm.dst)
	}
	stays := slices.Repeat([]bool{true}, tail)
	for k := 1; k+1 < m; k++ {
		sy.buildSwap(pm, k, k+1, img)
		for i := range stays {
			stays[i] = stays[i] && pm.dst[i] == int32(i)
		}
	}
	ok := make([]bool, tail)
	var plain, special []int
	for i := 0; i < tail; i++ {
		// A buffered store names a slot by its number, which a signature
		// could not rename: signatures leave store buffers out, and the
		// write history (memory weak) too.
		ok[i] = stays[i] && sy.kinds[i] != valBufSlot && sy.kinds[i] != valBufValue && sy.kinds[i] != valCPUMask
		moves := false
		for p := 0; p < m; p++ {
			x := at[p*tail+i]
			ok[i] = ok[i] && sy.kinds[x] == sy.kinds[i]
			moves = moves || x != int32(i)
		}
		if ok[i] && !moves && sy.kinds[i] != valPlain {
			sy.fixed = append(sy.fixed, int32(i))
		}
		ok[i] = ok[i] && moves
	}
	for k := 0; k+1 < m; k++ {
		sy.buildSwap(pm, k, k+1, img)
		for i := 0; i < tail; i++ {
			for p := 0; p < m && ok[i]; p++ {
				to := p
				switch p {
				case k:
					to = k + 1
				case k + 1:
					to = k
				}
				ok[i] = pm.dst[at[p*tail+i]] == at[to*tail+i]
			}
		}
	}
	for i := 0; i < tail; i++ {
		switch {
		case !ok[i]:
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
	if !sy.eager {
		return
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

// Closed reports whether the states are closed under renaming: whether
// every permutation maps each of them to one of them. It is enough to
// check the swaps of neighbouring interchangeable CPUs, which generate
// every permutation.
func (sy *Symmetry) Closed(states []State) bool {
	if len(sy.movable) < 2 || len(states) == 0 {
		return true
	}
	pm, img := sy.newPerm(), make([]int32, len(sy.movable))
	out := make(State, len(states[0]))
	for k := 0; k+1 < len(sy.movable); k++ {
		sy.buildSwap(pm, k, k+1, img)
		for _, s := range states {
			sy.apply(pm, s, out)
			if !slices.ContainsFunc(states, func(o State) bool { return slices.Equal(o, out) }) {
				return false
			}
		}
	}
	return true
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
	case valCPUMask:
		var out int32
		for c := range pm.cpu {
			if v&(1<<c) != 0 {
				out |= 1 << pm.cpu[c]
			}
		}
		v = out
	}
	return v
}

// imageAt is slot j of the image of s under pm (j before the in-flight
// messages, which must be sorted again).
func (sy *Symmetry) imageAt(pm *symPerm, s State, j int) int32 {
	return sy.renameAt(pm, s, pm.src[j])
}

// renameAt is the value of slot i of s renamed by pm. A store buffer
// entry names a slot, which the permutation moves, and holds a value of
// that slot's kind.
func (sy *Symmetry) renameAt(pm *symPerm, s State, i int32) int32 {
	v := s[i]
	switch k := sy.kinds[i]; k {
	case valPlain:
		return v
	case valBufSlot:
		if v == 0 {
			return 0
		}
		flags := v & entryFlags // memory weak: a barrier or a release
		return (sy.moved(pm, v&^entryFlags-1) + 1) | flags
	case valBufValue:
		if at := s[i-1] &^ entryFlags; at != 0 {
			return pm.rename(sy.kinds[at-1], v)
		}
		return v
	default:
		return pm.rename(k, v)
	}
}

// Apply writes into out the image of s under the permutation of Lehmer
// rank k+1 (rank 0 is the identity; see Permutations).
func (sy *Symmetry) Apply(k int, s, out State) {
	if sy.eager {
		sy.apply(&sy.perms[sy.byRank[k+1]], s, out)
		return
	}
	m := len(sy.movable)
	q, img := make([]int32, m), make([]int32, m)
	unrank(k+1, q)
	for x, p := range q {
		img[x] = sy.movable[p]
	}
	pm := sy.newPerm()
	sy.build(pm, img)
	sy.apply(pm, s, out)
}

// apply writes the image of s under pm into out.
func (sy *Symmetry) apply(pm *symPerm, s, out State) {
	tail := sy.lay.Inflight
	for i, v := range s[:tail] {
		if sy.kinds[i] != valPlain {
			v = sy.renameAt(pm, s, int32(i))
		}
		out[pm.dst[i]] = v
	}
	pm.messages(s[tail:], out[tail:])
}

// unrank sets q to the permutation of 0..len(q)-1 of Lehmer rank r (the
// inverse of lehmer).
func unrank(r int, q []int32) {
	n := len(q)
	digits := make([]int, n)
	for k := n - 1; k >= 0; k-- {
		base := n - k
		digits[k] = r % base
		r /= base
	}
	left := make([]int32, n)
	for i := range left {
		left[i] = int32(i)
	}
	for k, d := range digits {
		q[k] = left[d]
		left = slices.Delete(left, d, d+1)
	}
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
	sig, tmp, srt := w.sig[:], w.tmp[:], w.srt[:]
	arr, lab, next, cur, img := w.arr[:], w.lab[:], w.next[:], w.cur[:], w.img[:]
	if m > maxSymCPUs {
		sig, tmp, srt = make([]uint64, m), make([]uint64, m), make([]uint64, m)
		arr, lab, next, cur, img = make([]int32, m), make([]int32, m), make([]int32, m), make([]int32, m), make([]int32, m)
	}
	sig, tmp, srt = sig[:m], tmp[:m], srt[:m]
	arr, lab, next, cur, img = arr[:m], lab[:m], next[:m], cur[:m], img[:m]
	var lw *lazyWork // if the permutations are built on demand
	if !sy.eager {
		lw, _ = sy.pool.Get().(*lazyWork)
		if lw == nil {
			lw = &lazyWork{}
			for _, pm := range []*symPerm{&lw.pm, &lw.inv} {
				pm.cpu, pm.thread = make([]int32, sy.ncpus), make([]int32, sy.nthreads)
			}
		}
		defer sy.pool.Put(lw)
	}
	sy.signatures(s, sig, tmp, srt)

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
		if sy.twinClasses(s, scratch, arr[a:b], lab[a:b], next, img, lw) {
			ties = true
		}
		a = b
	}

	arrange(lab, next, cur, arr)
	if sy.eager {
		sy.image(sy.permFor(arr, cur), s, out)
		for ties && nextArrangement(lab, sig) {
			arrange(lab, next, cur, arr)
			sy.improve(sy.permFor(arr, cur), s, out, scratch)
		}
		return
	}
	sy.setMaps(lw, arr)
	sy.imageOnDemand(lw, s, out)
	for n := 1; ties && n < maxArrangements && nextArrangement(lab, sig); n++ {
		arrange(lab, next, cur, arr)
		sy.setMaps(lw, arr)
		sy.improveOnDemand(lw, s, out, scratch)
	}
}

// maxArrangements bounds the arrangements of tied CPUs that Canonical
// tries when the permutations are built on demand (more than 8 CPUs).
// Ties that refinement cannot split and that are not twins come from
// states with several alike groups of CPUs (two pairs of caller and
// callee), whose arrangements grow as a factorial. Past the bound the
// form is the least image under the arrangements tried: still a renaming
// of the state, so the search stays sound, but two states of one class
// may then be stored apart.
var maxArrangements = 720

// setMaps sets lw to the permutation that sends CPU movable[arr[p]] to
// movable[p] for every p, and its inverse.
func (sy *Symmetry) setMaps(lw *lazyWork, arr []int32) {
	for cpu := range lw.pm.cpu {
		lw.pm.cpu[cpu], lw.inv.cpu[cpu] = int32(cpu), int32(cpu)
	}
	for p, x := range arr {
		lw.pm.cpu[sy.movable[x]] = sy.movable[p]
		lw.inv.cpu[sy.movable[p]] = sy.movable[x]
	}
	sy.threadMap(&lw.pm)
	sy.threadMap(&lw.inv)
}

// imageOnDemand writes into out the image of s under lw.pm, finding the
// slot that goes to each slot j as where the inverse sends j.
func (sy *Symmetry) imageOnDemand(lw *lazyWork, s, out State) {
	tail := sy.lay.Inflight
	for j := range out[:tail] {
		out[j] = sy.imageAtOnDemand(lw, s, int32(j))
	}
	lw.pm.messages(s[tail:], out[tail:])
}

// imageAtOnDemand is slot j of the image of s under lw.pm.
func (sy *Symmetry) imageAtOnDemand(lw *lazyWork, s State, j int32) int32 {
	return sy.renameAt(&lw.pm, s, sy.moved(&lw.inv, j))
}

// improveOnDemand is improve for a permutation built on demand.
func (sy *Symmetry) improveOnDemand(lw *lazyWork, s, out, scratch State) {
	tail := sy.lay.Inflight
	for j, want := range out[:tail] {
		if v := sy.imageAtOnDemand(lw, s, int32(j)); v != want {
			if v < want {
				sy.imageOnDemand(lw, s, out)
			}
			return
		}
	}
	lw.pm.messages(s[tail:], scratch[tail:])
	if slices.Compare(scratch[tail:], out[tail:]) < 0 {
		copy(out[tail:], scratch[tail:])
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
		sy.improve(&sy.perms[k], s, out, scratch)
	}
}

// maxSymCPUs bounds the interchangeable CPUs for which Canonical needs no
// allocation.
const maxSymCPUs = 16

// canonWork is the working memory of Canonical.
type canonWork struct {
	sig, tmp, srt            [maxSymCPUs]uint64
	arr, lab, next, cur, img [maxSymCPUs]int32
}

// lazyWork is the working memory of Canonical when the permutations are
// built on demand: the CPU and thread maps of a permutation and of its
// inverse.
type lazyWork struct{ pm, inv symPerm }

// signatures sets sig[p] to the signature of CPU movable[p] in s, using
// tmp and srt (len(sig)).
func (sy *Symmetry) signatures(s State, sig, tmp, srt []uint64) {
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
	sy.refine(s, sig, tmp)
	if sy.eager {
		return
	}
	// With many CPUs, refine until the signatures split the CPUs no
	// further: every tie left costs arrangements to try.
	classes := distinct(sig, srt)
	for range len(sig) {
		copy(tmp, sig)
		sy.refine(s, sig, tmp)
		n := distinct(sig, srt)
		if n == classes {
			break
		}
		classes = n
	}
}

// distinct returns the number of distinct values in sig, using srt
// (len(sig)).
func distinct(sig, srt []uint64) int {
	copy(srt, sig)
	slices.Sort(srt)
	return len(slices.Compact(srt))
}

// refine is a round of refinement: it sets sig to tmp plus, for every
// value of CPU c's slots that names another CPU x, x's signature to c's
// and c's to x's, as sums so that the order of the CPUs does not matter.
func (sy *Symmetry) refine(s State, sig, tmp []uint64) {
	w := len(sy.ownKind)
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
func (sy *Symmetry) twinClasses(s, scratch State, run, lab, next, img []int32, lw *lazyWork) bool {
	for k, x := range run {
		lab[k] = x
		next[x] = -1
		for r, rep := range run[:k] {
			if lab[r] != rep || !sy.twins(rep, x, s, scratch, img, lw) {
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
// unchanged, using the in-flight part of scratch (and img and lw for the
// swap if the permutations are built on demand).
func (sy *Symmetry) twins(a, b int32, s, scratch State, img []int32, lw *lazyWork) bool {
	tail := sy.lay.Inflight
	var pm *symPerm
	if sy.eager {
		pm = &sy.perms[sy.swap[int(a)*len(sy.movable)+int(b)]]
		for j, want := range s[:tail] {
			if sy.imageAt(pm, s, j) != want {
				return false
			}
		}
	} else {
		// A swap is its own inverse: the slot that goes to j is where j
		// goes, found slot by slot so that a difference ends the check.
		// Only the slots placed by a or b move, and only the values that
		// name a CPU or thread change: the others need no look.
		pm = &lw.pm
		copy(img, sy.movable)
		img[a], img[b] = img[b], img[a]
		sy.buildMaps(pm, img)
		for _, slots := range [][]int32{sy.placed[a], sy.placed[b], sy.named} {
			for _, j := range slots {
				if sy.renameAt(pm, s, sy.moved(pm, j)) != s[j] {
					return false
				}
			}
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

// permFor returns the permutation that sends CPU movable[arr[p]] to
// movable[p] for every p, or nil for the identity; q is scratch of
// len(arr). Every permutation must have been built.
func (sy *Symmetry) permFor(arr, q []int32) *symPerm {
	for p, x := range arr {
		q[x] = int32(p)
	}
	if k := sy.byRank[lehmer(q)]; k >= 0 {
		return &sy.perms[k]
	}
	return nil
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

// image writes the image of s under pm (nil: the identity) into out.
func (sy *Symmetry) image(pm *symPerm, s, out State) {
	if pm == nil {
		copy(out, s)
		return
	}
	sy.apply(pm, s, out)
}

// improve replaces out with the image of s under pm (nil: the identity)
// if that is less. The image is compared slot by slot as it is
// computed, so it is usually rejected after a few slots; the in-flight
// messages, laid out last, must be sorted again and are compared whole,
// in scratch.
func (sy *Symmetry) improve(pm *symPerm, s, out, scratch State) {
	if pm == nil {
		if slices.Compare(s, out) < 0 {
			copy(out, s)
		}
		return
	}
	tail := sy.lay.Inflight
	for j, want := range out[:tail] {
		if v := sy.imageAt(pm, s, j); v != want {
			if v < want {
				sy.apply(pm, s, out)
			}
			return
		}
	}
	pm.messages(s[tail:], scratch[tail:])
	if slices.Compare(scratch[tail:], out[tail:]) < 0 {
		copy(out[tail:], scratch[tail:])
	}
}
