package explore

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/irqcheck/irqcheck/machine"
	"github.com/zeebo/xxh3"
)

// Fingerprint hashes a state to 64 bits with xxh3 and its fixed default
// seed, so that fingerprints, and so runs, are reproducible. (A custom
// seed would make xxh3 derive a secret on every call.) Zero is reserved
// for empty table slots, so a state hashing to zero is given 1.
func Fingerprint(s machine.State) uint64 {
	if len(s) == 0 {
		return 1
	}
	return fingerprintBytes(unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*4))
}

// fingerprintBytes is Fingerprint of an encoded state.
func fingerprintBytes(b []byte) uint64 {
	h := xxh3.Hash(b)
	if h == 0 {
		h = 1
	}
	return h
}

// numShards is the number of independent fingerprint tables; workers
// insert into disjoint shards without locks.
const numShards = 64

// shardBits is log2(numShards): a fingerprint's top bits pick its shard.
const shardBits = 6

func shardOf(fp uint64) int { return int(fp >> (64 - shardBits)) }

// store holds the fingerprints of the states seen and, per state number,
// how it was reached. States are numbered level by level, and within a
// level in the order their parents were expanded, so the children of one
// parent have consecutive numbers and the parents of a level's states
// never decrease. The parent link therefore needs no parent number: one
// bit per state says whether it starts a new family (its parent differs
// from its predecessor's), and one bit per state says whether it has
// children at all. With the transition number (one byte, rarely more)
// that is about 1.25 bytes per state.
type store struct {
	shards [numShards]*fpSet

	n          int32
	levels     []int32 // levels[k]: the first state of depth k
	tids       chunked[uint8]
	wideTids   map[int32]int32 // transition numbers of 255 and above
	wideMu     sync.Mutex      // held while wideTids is written
	firstChild chunked[uint64] // bit per state: its parent differs from the previous state's
	hasChild   chunked[uint64] // bit per state: it is the parent of some state
	lastParent int32
}

func newStore() *store {
	st := &store{lastParent: -1, wideTids: map[int32]int32{}}
	for i := range st.shards {
		st.shards[i] = newFPSet()
	}
	return st
}

func (st *store) contains(fp uint64) bool { return st.shards[shardOf(fp)].contains(fp) }

// withIDs makes the store keep the number of each fingerprint (see setID
// and idOf), for the recorded graph, once the search is done.
func (st *store) withIDs() {
	for _, s := range st.shards {
		s.ids = make([]int32, len(s.table))
	}
}

// setID records that the state of fingerprint fp, stored, is number id.
func (st *store) setID(fp uint64, id int32) {
	s := st.shards[shardOf(fp)]
	s.ids[s.slot(fp)] = id
}

// idOf returns the number of the stored state of fingerprint fp.
func (st *store) idOf(fp uint64) int32 {
	s := st.shards[shardOf(fp)]
	return s.ids[s.slot(fp)]
}

// idBytes is the memory withIDs takes.
func (st *store) idBytes() int64 {
	n := int64(0)
	for _, s := range st.shards {
		n += int64(len(s.table)) * 4
	}
	return n
}

// dropFingerprints lets go of the fingerprint tables once the search is
// over: only the parent links remain (parent, tid, levels).
func (st *store) dropFingerprints() {
	for i := range st.shards {
		st.shards[i] = &fpSet{}
	}
}
func (st *store) insert(fp uint64) bool { return st.shards[shardOf(fp)].insert(fp) }

// beginLevel starts numbering the states of the next depth.
func (st *store) beginLevel() {
	st.levels = append(st.levels, st.n)
}

// add numbers a new state of the current level, reached from parent (a
// state of the previous level, or -1 for an initial state) by transition
// tid (for an initial state: its index among the initial states). Within
// a level, parents must come in non-decreasing order.
func (st *store) add(parent, tid int32) int32 {
	id := st.n
	st.reserve(1)
	st.addAt(id, parent, tid, parent != st.lastParent || id == st.levels[len(st.levels)-1])
	st.lastParent = parent
	return id
}

// reserve numbers the next n states of the current level, whose links
// addAt then sets.
func (st *store) reserve(n int32) {
	if n <= 0 {
		return
	}
	st.n += n
	last := st.n - 1
	st.tids.ensure(last)
	st.firstChild.ensure(last / 64)
	st.hasChild.ensure(last / 64)
}

// addAt records that state id, reserved, was reached from parent by
// transition tid (as add); starts says that its parent differs from that
// of state id-1 or that it is the first state of its level. It is safe
// for concurrent use on distinct states.
func (st *store) addAt(id, parent, tid int32, starts bool) {
	if tid >= 0xff {
		st.tids.set(id, 0xff)
		st.wideMu.Lock()
		st.wideTids[id] = tid
		st.wideMu.Unlock()
	} else {
		st.tids.set(id, uint8(tid))
	}
	if parent >= 0 && starts {
		orWord(&st.firstChild, id/64, 1<<(id%64))
		orWord(&st.hasChild, parent/64, 1<<(parent%64))
	}
}

func (st *store) count() int64 { return int64(st.n) }

// tid is the transition that reached state id (for an initial state, its
// index among the initial states).
func (st *store) tid(id int32) int32 {
	if t := st.tids.get(id); t != 0xff {
		return int32(t)
	}
	return st.wideTids[id]
}

// level is the depth of state id.
func (st *store) level(id int32) int {
	k := len(st.levels) - 1
	for st.levels[k] > id {
		k--
	}
	return k
}

// parent is the state that state id was reached from, or -1 for an
// initial state. It counts the families before id in its level and finds
// the parent with that many children-bearing states before it in the
// previous level: a scan of both levels' bits, which traces need only
// once per step.
func (st *store) parent(id int32) int32 {
	k := st.level(id)
	if k == 0 {
		return -1
	}
	families := countBits(&st.firstChild, st.levels[k], id+1) // id's family is the last one
	lo, hi := st.levels[k-1], st.levels[k]
	for p := lo; p < hi; p++ {
		if st.hasChild.get(p/64)&(1<<(p%64)) != 0 {
			families--
			if families == 0 {
				return p
			}
		}
	}
	panic("internal error: store parent links are inconsistent")
}

// countBits counts the set bits of b in [lo, hi).
func countBits(b *chunked[uint64], lo, hi int32) int {
	n := 0
	for i := lo; i < hi; i++ {
		if b.get(i/64)&(1<<(i%64)) != 0 {
			n++
		}
	}
	return n
}

// bytes is the memory the store holds: tables and parent links.
func (st *store) bytes() int64 {
	n := st.tids.bytes() + st.firstChild.bytes() + st.hasChild.bytes()
	n += int64(len(st.wideTids)) * 16
	for _, s := range st.shards {
		n += int64(s.bytes())
	}
	return n
}

// chunkBytes is the size of a chunk of a chunked array.
const chunkBytes = 64 << 10

// chunked is an array that grows a chunk at a time, so that it never
// holds more than one partly used chunk (a slice grown by append may hold
// twice what it uses).
type chunked[T uint8 | uint64] struct {
	chunks [][]T
}

// perChunk is the number of elements in a chunk.
func (c *chunked[T]) perChunk() int32 {
	var zero T
	return chunkBytes / int32(unsafe.Sizeof(zero))
}

// ensure makes element i addressable.
func (c *chunked[T]) ensure(i int32) {
	for int(i/c.perChunk()) >= len(c.chunks) {
		c.chunks = append(c.chunks, make([]T, c.perChunk()))
	}
}

func (c *chunked[T]) get(i int32) T    { return c.chunks[i/c.perChunk()][i%c.perChunk()] }
func (c *chunked[T]) set(i int32, v T) { c.chunks[i/c.perChunk()][i%c.perChunk()] = v }
func (c *chunked[T]) bytes() int64     { return int64(len(c.chunks)) * chunkBytes }

// fpSet is a set of nonzero fingerprints kept in an ordered linear-probing
// table (Amble and Knuth): a fingerprint's home slot grows with its value,
// and the occupied slots hold the fingerprints in increasing order. A
// search stops at the first slot holding a value not below the one
// sought, so a miss costs no more than a hit, and the table can run 7/8
// full. It grows by half (not double) when it reaches that, so it is never
// less than 7/12 full: at most 14 bytes per fingerprint. Growing is one
// ordered pass. The home slot comes from the bits below the shard bits.
type fpSet struct {
	table []uint64 // size home slots, then spare slots; the last is always empty
	ids   []int32  // if not nil: the state number of each fingerprint (see store.withIDs)
	size  uint64
	n     int
	limit int // grow when n reaches it
}

const (
	minSetSize = 16
	// A cluster may run past the last home slot into the spare slots.
	minSpare = 32
)

// newFPSet makes the set of one shard: its fingerprints share their top
// shardBits bits.
func newFPSet() *fpSet {
	s := &fpSet{}
	s.resize(minSetSize)
	return s
}

// home is fp's home slot in a table of size home slots: the 32 bits below
// the shard bits, scaled to [0, size). It never decreases as fp grows
// (within a shard, where the shard bits are equal).
func home(fp, size uint64) uint64 {
	return (fp << shardBits >> 32) * size >> 32
}

func (s *fpSet) contains(fp uint64) bool {
	t := s.table
	i := home(fp, s.size)
	for t[i] != 0 && t[i] < fp {
		i++
	}
	return t[i] == fp
}

// insert adds fp and reports whether it was new.
func (s *fpSet) insert(fp uint64) bool {
	if s.n >= s.limit {
		s.resize(s.size + s.size/2)
	}
	for {
		t := s.table
		i := home(fp, s.size)
		for t[i] != 0 && t[i] < fp {
			i++
		}
		if t[i] == fp {
			return false
		}
		j := i
		for t[j] != 0 {
			j++
		}
		if j == uint64(len(t)-1) {
			// The cluster would reach the last slot, which must stay
			// empty to end every search: grow, rarely, before the limit.
			s.resize(s.size + s.size/2)
			continue
		}
		copy(t[i+1:j+1], t[i:j])
		t[i] = fp
		s.n++
		return true
	}
}

// resize moves the fingerprints into a table of size home slots.
func (s *fpSet) resize(size uint64) {
	spare := max(minSpare, size/256)
	for {
		t := make([]uint64, size+spare)
		next := uint64(0) // the first free slot
		ok := true
		for _, fp := range s.table {
			if fp == 0 {
				continue
			}
			i := max(home(fp, size), next)
			if i >= uint64(len(t)-1) {
				ok = false
				break
			}
			t[i] = fp
			next = i + 1
		}
		if ok {
			s.table, s.size = t, size
			s.limit = int(size - size/8)
			return
		}
		spare *= 2
	}
}

// bytes is the memory the set holds.
func (s *fpSet) bytes() int { return len(s.table)*8 + len(s.ids)*4 }

// slot returns the slot of fp, which must be in the set.
func (s *fpSet) slot(fp uint64) uint64 {
	t := s.table
	i := home(fp, s.size)
	for t[i] != fp {
		if t[i] == 0 || t[i] > fp {
			panic("internal error: a state the search did not store")
		}
		i++
	}
	return i
}

// levelSet is a plain set of fingerprints for one level's work of one
// worker: linear probing at most half full, emptied for each level. It
// trades memory (it is small and short-lived) for short probes.
type levelSet struct {
	// Each worker writes its own set for every successor: the padding
	// keeps two workers' sets off one cache line.
	_     [cacheLine]byte
	table []uint64
	mask  uint64
	n     int
	peak  int // the most fingerprints it held since the level began
	_     [cacheLine]byte
}

func newLevelSet() *levelSet {
	return &levelSet{table: make([]uint64, 1024), mask: 1023}
}

// insert adds fp and reports whether it was new.
func (s *levelSet) insert(fp uint64) bool {
	if 2*s.n >= len(s.table) {
		s.grow()
	}
	for i := fp & s.mask; ; i = (i + 1) & s.mask {
		switch s.table[i] {
		case 0:
			s.table[i] = fp
			s.n++
			return true
		case fp:
			return false
		}
	}
}

func (s *levelSet) grow() {
	old := s.table
	s.table = make([]uint64, 2*len(old))
	s.mask = uint64(len(s.table) - 1)
	for _, fp := range old {
		if fp == 0 {
			continue
		}
		i := fp & s.mask
		for s.table[i] != 0 {
			i = (i + 1) & s.mask
		}
		s.table[i] = fp
	}
}

// reset empties the set for a new level, keeping its table unless it is
// far larger than the last level needed at its peak.
func (s *levelSet) reset() {
	s.peak = max(s.peak, s.n)
	if len(s.table) > 1024 && 8*s.peak < len(s.table) {
		s.table = make([]uint64, len(s.table)/2)
		s.mask = uint64(len(s.table) - 1)
	} else {
		clear(s.table)
	}
	s.n, s.peak = 0, 0
}

// restart empties the set within a level (a worker that wraps around to
// earlier chunks), keeping its table: the level may need it again, and
// growing it anew would rehash every fingerprint.
func (s *levelSet) restart() {
	s.peak = max(s.peak, s.n)
	clear(s.table)
	s.n = 0
}

// bytes is the memory the set holds.
func (s *levelSet) bytes() int { return len(s.table) * 8 }

// orWord sets the bits v in word i of b, atomically: the bits of
// neighbouring states share a word.
func orWord(b *chunked[uint64], i int32, v uint64) {
	atomic.OrUint64(&b.chunks[i/b.perChunk()][i%b.perChunk()], v)
}
