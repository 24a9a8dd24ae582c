package explore

import (
	"unsafe"

	"github.com/irqcheck/irqcheck/machine"
)

// A search without symmetry reduction that will be followed by the
// liveness check records the state graph as it goes, so that the check
// need not explore again: each chunk keeps what its states' expansion
// found (edges as successor fingerprints, obligations, liveness
// predicates), the chunks of a level are appended in order, and at the
// end the fingerprints are turned into state numbers. States are
// numbered as the store numbers them, so the graph is the same whatever
// the number of workers.

// recorder holds the graph recorded so far.
type recorder struct {
	g     *lgraph          // classes and bit-set sizes; its arrays are filled at the end
	fps   segments[uint64] // the fingerprint of each state, by number
	deg   segments[int32]  // the number of edges of each state, by number
	dstfp segments[uint64] // the edges' successor fingerprints, in state order
	tid   segments[uint8]  // the edges' transition numbers, 255 for those in bigTid
	cls   segments[int32]
	// The rare: transition numbers of 255 and more, and the second class
	// of an edge that yields to another thread, by edge number.
	bigTid  map[int32]int32
	yieldTo map[int32]int32
	obl     segments[uint64]
	props   segments[uint64]
}

// segments is an append-only array kept in blocks of a fixed size, so
// that it holds at most one block it does not use and is never copied as
// it grows (an append-grown slice may hold twice what it uses).
type segments[T uint8 | int32 | uint64] struct {
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
	fp    []uint64
	tid   []uint8
	cls   []int32
	rare  []rareEdge
	obl   []uint64
	props []uint64
}

// rareEdge is an edge with a transition number of 255 or more, or a
// second class: its index in the chunk's edges.
type rareEdge struct{ e, tid, cls2 int32 }

func (cr *chunkRecord) reset() {
	*cr = chunkRecord{deg: cr.deg[:0], fp: cr.fp[:0], tid: cr.tid[:0], cls: cr.cls[:0], rare: cr.rare[:0], obl: cr.obl[:0], props: cr.props[:0]}
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
	cr.cls = append(cr.cls, c1)
	cr.deg[len(cr.deg)-1]++
}

// level appends the records of a level's chunks, in order.
func (r *recorder) level(chunks []*chunk) {
	for _, c := range chunks {
		cr := &c.rec
		base := int32(r.dstfp.n)
		for _, x := range cr.rare {
			if x.tid >= 255 {
				r.bigTid[base+x.e] = x.tid
			}
			if x.cls2 >= 0 {
				r.yieldTo[base+x.e] = x.cls2
			}
		}
		r.deg.append(cr.deg...)
		r.dstfp.append(cr.fp...)
		r.tid.append(cr.tid...)
		r.cls.append(cr.cls...)
		r.obl.append(cr.obl...)
		r.props.append(cr.props...)
		cr.reset()
	}
}

// bytes is the memory the records hold.
func (r *recorder) bytes() int64 {
	return r.fps.bytes() + r.dstfp.bytes() + r.obl.bytes() + r.props.bytes() + r.deg.bytes() + r.cls.bytes() + r.tid.bytes() +
		int64(len(r.bigTid)+len(r.yieldTo))*16
}

// graph turns the records into the state graph, its BFS tree taken from
// the store's parent links.
func (r *recorder) graph(st *store, inits []machine.State) *lgraph {
	g := r.g
	g.inits = inits
	n := r.fps.n
	g.dst = r.destinations()
	g.first = make([]int32, n+1)
	for i, d := range r.deg.flatten() {
		g.first[i+1] = g.first[i] + d
	}
	g.tid, g.bigTid, g.cls, g.yieldTo = r.tid.flatten(), r.bigTid, r.cls.flatten(), r.yieldTo
	g.obl, g.props = r.obl.flatten(), r.props.flatten()
	g.parent, g.ptid, g.depth = st.parents(), make([]int32, n), make([]int32, n)
	for id := int32(0); int(id) < n; id++ {
		g.ptid[id] = st.tid(id)
		if p := g.parent[id]; p >= 0 {
			g.depth[id] = g.depth[p] + 1
		}
	}
	return g
}

// destinations turns the edges' successor fingerprints into state
// numbers, letting go of the fingerprints as it goes.
func (r *recorder) destinations() []int32 {
	ids := newIDTable(r.fps.flatten())
	dst := make([]int32, 0, r.dstfp.n)
	for i, b := range r.dstfp.blocks {
		for _, fp := range b {
			dst = append(dst, ids.get(fp))
		}
		r.dstfp.blocks[i] = nil
	}
	r.dstfp = segments[uint64]{}
	return dst
}

// idTable maps fingerprints to state numbers: open addressing, at most
// half full.
type idTable struct {
	keys []uint64
	ids  []int32
	mask uint64
}

func newIDTable(fps []uint64) *idTable {
	size := 1
	for size < 2*len(fps)+2 {
		size <<= 1
	}
	t := &idTable{keys: make([]uint64, size), ids: make([]int32, size), mask: uint64(size - 1)}
	for id, fp := range fps {
		i := fp & t.mask
		for t.ids[i] != 0 {
			i = (i + 1) & t.mask
		}
		t.keys[i], t.ids[i] = fp, int32(id)+1
	}
	return t
}

// get returns the number of the state with fingerprint fp, which must be
// in the table.
func (t *idTable) get(fp uint64) int32 {
	for i := fp & t.mask; ; i = (i + 1) & t.mask {
		if t.keys[i] == fp && t.ids[i] != 0 {
			return t.ids[i] - 1
		}
		if t.ids[i] == 0 {
			panic("internal error: an edge leads to a state the search did not number")
		}
	}
}
