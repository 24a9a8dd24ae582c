package explore

import (
	"unsafe"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/zeebo/xxh3"
)

// Fingerprint hashes a state to 64 bits with xxh3 and its fixed default
// seed, so that fingerprints, and so runs, are reproducible. (A custom
// seed would make xxh3 derive a secret on every call.) Zero is reserved
// for empty table slots, so a state hashing to zero is given 1.
func Fingerprint(s compile.State) uint64 {
	if len(s) == 0 {
		return 1
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*4)
	h := xxh3.Hash(b)
	if h == 0 {
		h = 1
	}
	return h
}

// numShards is the number of independent fingerprint tables; workers
// insert into disjoint shards without locks.
const numShards = 64

func shardOf(fp uint64) int { return int(fp >> 58) }

// store holds the fingerprints of the states seen and, per state number,
// the parent and the transition that reached it.
type store struct {
	shards [numShards]*fpSet
	parent []int32 // per state: its parent, or -1 for an initial state
	tid    []int32 // per state: the transition from its parent (or the initial index)
}

func newStore() *store {
	st := &store{}
	for i := range st.shards {
		st.shards[i] = newFPSet(8)
	}
	return st
}

func (st *store) contains(fp uint64) bool { return st.shards[shardOf(fp)].contains(fp) }
func (st *store) insert(fp uint64) bool   { return st.shards[shardOf(fp)].insert(fp) }

// add numbers a new state.
func (st *store) add(parent, tid int32) int32 {
	id := int32(len(st.parent))
	st.parent = append(st.parent, parent)
	st.tid = append(st.tid, tid)
	return id
}

func (st *store) count() int64 { return int64(len(st.parent)) }

// bytes is the memory the store holds: tables and parent links.
func (st *store) bytes() int64 {
	n := int64(8 * (cap(st.parent) + cap(st.tid)) / 2)
	for _, s := range st.shards {
		n += int64(s.bytes())
	}
	return n
}

// fpSet is an open-addressing set of fingerprints with linear probing.
type fpSet struct {
	table []uint64
	mask  uint64
	n     int
}

func newFPSet(capacity int) *fpSet {
	size := 16
	for size < capacity*2 {
		size *= 2
	}
	return &fpSet{table: make([]uint64, size), mask: uint64(size - 1)}
}

func (s *fpSet) contains(fp uint64) bool {
	i := fp & s.mask
	for {
		v := s.table[i]
		if v == 0 {
			return false
		}
		if v == fp {
			return true
		}
		i = (i + 1) & s.mask
	}
}

// insert adds fp and reports whether it was new.
func (s *fpSet) insert(fp uint64) bool {
	if s.n*4 >= len(s.table)*3 {
		s.grow()
	}
	i := fp & s.mask
	for {
		v := s.table[i]
		if v == 0 {
			s.table[i] = fp
			s.n++
			return true
		}
		if v == fp {
			return false
		}
		i = (i + 1) & s.mask
	}
}

func (s *fpSet) grow() {
	old := s.table
	s.table = make([]uint64, len(old)*2)
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

// bytes is the memory the set holds.
func (s *fpSet) bytes() int { return len(s.table) * 8 }
