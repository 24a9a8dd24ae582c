package explore

import (
	"runtime"
	"unsafe"

	"github.com/irqcheck/irqcheck/machine"
)

// A search without symmetry reduction that will be followed by the
// liveness check records the state graph as it goes, so that the check
// need not explore again. Each chunk keeps what its states' expansion
// found (edges as successor fingerprints, obligations, liveness
// predicates). At the end of a level, once the level's new states have
// their numbers and the store knows the number of every fingerprint (see
// store.withIDs), each chunk's fingerprints become state numbers and the
// chunks are appended in order. States are numbered as the store numbers
// them, so the graph is the same whatever the number of workers, and an
// edge costs 4 bytes for its successor, 1 for its transition number and 2
// for its class. The BFS tree is the store's own parent links.

// recorder holds the graph recorded so far.
type recorder struct {
	g     *lgraph         // classes and bit-set sizes; its arrays are filled at the end
	deg   segments[int32] // the number of edges of each state, by number
	dst   segments[int32] // the edges' successors, in state order
	tid   segments[uint8] // the edges' transition numbers, 255 for those in bigTid
	cls   segments[uint8] // the edges' classes, low bytes (see lgraph.cls)
	clsHi segments[uint8] // and high bytes, for a model with more than 254
	// The rare: transition numbers of 255 and more, and the second class
	// of an edge that yields to another thread, by edge number.
	bigTid  map[int32]int32
	yieldTo map[int32]int32
}

// segments is an append-only array kept in blocks of a fixed size, so
// that it holds at most one block it does not use and is never copied as
// it grows (an append-grown slice may hold twice what it uses).
type segments[T uint8 | uint16 | int32 | uint32 | uint64] struct {
	blocks [][]T
	n      int
}

const segmentLen = 1 << 16

func (sg *segments[T]) append(vs ...T) {
	for len(vs) > 0 {
		if sg.n%segmentLen == 0 && sg.n/segmentLen == len(sg.blocks) {
			sg.blocks = append(sg.blocks, make([]T, 0, segmentLen))
		}
		b := &sg.blocks[len(sg.blocks)-1]
		k := min(len(vs), segmentLen-len(*b))
		*b = append(*b, vs[:k]...)
		vs = vs[k:]
		sg.n += k
	}
}

// bytes is the memory of the blocks.
func (sg *segments[T]) bytes() int64 {
	var zero T
	return int64(len(sg.blocks)) * segmentLen * int64(unsafe.Sizeof(zero))
}

// flatten returns the elements in one slice, letting go of each block as
// it is copied.
func (sg *segments[T]) flatten() []T {
	out := make([]T, 0, sg.n)
	for i, b := range sg.blocks {
		out = append(out, b...)
		sg.blocks[i] = nil
	}
	*sg = segments[T]{}
	return out
}

// chunkRecord is what the expansion of one chunk recorded, in the order
// of its states.
type chunkRecord struct {
	deg   []int32
	fp    []uint64 // the edges' successors' fingerprints, until they are numbered
	dst   []int32  // the same, numbered
	tid   []uint8
	cls   []uint16
	rare  []rareEdge
	obl   []uint64
	props []uint64
}

// rareEdge is an edge with a transition number of 255 or more, or a
// second class: its index in the chunk's edges.
type rareEdge struct{ e, tid, cls2 int32 }

func (cr *chunkRecord) reset() {
	*cr = chunkRecord{deg: cr.deg[:0], fp: cr.fp[:0], dst: cr.dst[:0], tid: cr.tid[:0], cls: cr.cls[:0], rare: cr.rare[:0], obl: cr.obl[:0], props: cr.props[:0]}
}

func newRecorder(p *machine.Program) *recorder {
	return &recorder{g: newLGraph(p, nil), bigTid: map[int32]int32{}, yieldTo: map[int32]int32{}}
}

// state records the obligations and predicates of the state s being
// expanded, before its edges.
func (r *recorder) state(cr *chunkRecord, m *machine.Machine, s machine.State) {
	g := r.g
	n, k := len(cr.obl), len(cr.props)
	cr.obl = append(cr.obl, make([]uint64, g.owords)...)
	cr.props = append(cr.props, make([]uint64, g.pwords)...)
	g.bits(m, s, cr.obl[n:], cr.props[k:])
	cr.deg = append(cr.deg, 0)
}

// edge records a transition of the state being expanded.
func (r *recorder) edge(cr *chunkRecord, fp uint64, tid int32, t *machine.Transition) {
	c1, c2 := r.g.classOf(t)
	if tid >= 255 || c2 >= 0 {
		cr.rare = append(cr.rare, rareEdge{int32(len(cr.fp)), tid, c2})
	}
	cr.fp = append(cr.fp, fp)
	cr.tid = append(cr.tid, uint8(min(tid, 255)))
	cr.cls = append(cr.cls, r.g.dense(c1))
	cr.deg[len(cr.deg)-1]++
}

// number turns a chunk's successor fingerprints into state numbers: every
// successor is in the store, with its number.
func (cr *chunkRecord) number(st *store) {
	for _, fp := range cr.fp {
		cr.dst = append(cr.dst, st.idOf(fp))
	}
	cr.fp = cr.fp[:0]
}

// level appends the records of a level's numbered chunks, in order.
func (r *recorder) level(chunks []*chunk) {
	for _, c := range chunks {
		cr := &c.rec
		base := int32(r.dst.n)
		for _, x := range cr.rare {
			if x.tid >= 255 {
				r.bigTid[base+x.e] = x.tid
			}
			if x.cls2 >= 0 {
				r.yieldTo[base+x.e] = x.cls2
			}
		}
		r.deg.append(cr.deg...)
		r.dst.append(cr.dst...)
		r.tid.append(cr.tid...)
		for _, d := range cr.cls {
			r.cls.append(uint8(d))
			if r.g.wide {
				r.clsHi.append(uint8(d >> 8))
			}
		}
		g := r.g
		for i := 0; i < len(cr.deg); i++ {
			g.obl.add(cr.obl[i*g.owords : (i+1)*g.owords])
			g.props.add(cr.props[i*g.pwords : (i+1)*g.pwords])
		}
		cr.reset()
	}
}

// bytes is the memory the records hold.
func (r *recorder) bytes() int64 {
	return r.dst.bytes() + r.g.obl.bytes() + r.g.props.bytes() + r.deg.bytes() + r.cls.bytes() + r.clsHi.bytes() + r.tid.bytes() +
		int64(len(r.bigTid)+len(r.yieldTo))*16
}

// graph turns the records into the state graph, its BFS tree the store's
// parent links. The store's fingerprints are no longer needed, and go.
func (r *recorder) graph(st *store, inits []machine.State) *lgraph {
	g := r.g
	g.inits = inits
	st.dropFingerprints()
	g.st, g.levels = st, st.levels
	// Each array is copied out of its blocks, and the blocks are
	// collected before the next is copied: left to the collector's own
	// pace, they would all be garbage at once, on top of the graph.
	// (Their memory holds no pointers, so a collection is quick.)
	n := r.deg.n
	g.dst = r.dst.flatten()
	runtime.GC()
	g.first = make([]int32, n+1)
	for i, d := range r.deg.flatten() {
		g.first[i+1] = g.first[i] + d
	}
	g.tid, g.bigTid, g.yieldTo = r.tid.flatten(), r.bigTid, r.yieldTo
	runtime.GC()
	g.cls = r.cls.flatten()
	if g.wide {
		g.clsHi = r.clsHi.flatten()
	}
	runtime.GC()
	g.obl.done()
	g.props.done()
	runtime.GC()
	return g
}
