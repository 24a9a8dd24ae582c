package explore

import (
	"encoding/binary"
	"runtime"
	"runtime/debug"
	"sync"
	"unsafe"

	"github.com/irqcheck/irqcheck/machine"
)

// A search that will be followed by the liveness check records the state
// graph as it goes, so that the check need not explore again; the search
// of a symmetric model without liveness declarations records the
// quotient's, to know whether it has a cycle (see acyclicQuotient). A
// worker records what a chunk's expansion finds (per state its number of
// edges and its rows of obligations and predicates, per edge its
// successor's fingerprint and its classes) and writes it to its own spill
// (spill.go) when the chunk is done; at the end of a level the chunks'
// places in the spills are noted in level order, and so are the
// fingerprints of the level's new states, in the order of their numbers.
// The search thus holds none of the graph beside its frontier. When it is
// done and its frontier is gone, the graph is read back chunk by chunk,
// and the successors' fingerprints become state numbers through the store,
// which learns the number of each of its fingerprints from the recorded
// order. States are numbered as the store numbers them, so the graph is
// the same whatever the number of workers. Read back, an edge costs 4
// bytes for its successor and 1 for its class (2 in a model of more than
// 254 classes); it keeps no transition number (see lgraph.trans). The BFS
// tree is the store's own parent links.

// recorder holds the graph recorded so far.
type recorder struct {
	g      *lgraph   // classes and bit-set sizes; its arrays are filled at the end
	spills []*spill  // per worker: the records of the chunks it expanded
	ids    *spill    // the states' fingerprints, in the order of their numbers
	chunks []chunkAt // where each chunk's records are, in the order of its states
	n      int32     // states recorded
	e      int64     // edges recorded
	buf    []byte
}

// chunkAt is where the records of a chunk are: its worker's spill, and
// the offset there of its state records, which its edge records follow.
type chunkAt struct {
	off           int64
	w             int32
	states, edges int32
}

const (
	stateRecord = 12 // bytes per state: edges, obligations row, predicates row (uint32 each)
	edgeRecord  = 14 // bytes per edge: successor's fingerprint (uint64), dense class (uint16), second class (int32, -1: none)
)

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

// chunkRecord is what a worker's expansion of one chunk recorded, in the
// order of its states, until the chunk is done.
type chunkRecord struct {
	deg   []int32
	fp    []uint64 // the edges' successors' fingerprints
	cls   []uint16
	cls2  []int32 // the second class, -1 for none
	obl   []uint64
	props []uint64
	buf   []byte
}

func (cr *chunkRecord) reset() {
	*cr = chunkRecord{deg: cr.deg[:0], fp: cr.fp[:0], cls: cr.cls[:0], cls2: cr.cls2[:0], obl: cr.obl[:0], props: cr.props[:0], buf: cr.buf[:0]}
}

func newRecorder(p *machine.Program, workers int) *recorder {
	r := &recorder{g: newLGraph(p, nil), ids: newSpill("ids")}
	for range workers {
		r.spills = append(r.spills, newSpill("graph"))
	}
	return r
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
func (r *recorder) edge(cr *chunkRecord, fp uint64, t *machine.Transition) {
	c1, c2 := r.g.classOf(t)
	cr.fp = append(cr.fp, fp)
	cr.cls2 = append(cr.cls2, c2)
	cr.cls = append(cr.cls, r.g.dense(c1))
	cr.deg[len(cr.deg)-1]++
}

// keepLast keeps, of the last n edges recorded (the state being
// expanded's), those for which keep(i) holds, i counting from the first of
// the n: the partial-order reduction leaves out the edges of the
// processes it does not take.
func (cr *chunkRecord) keepLast(n int, keep func(i int) bool) {
	base := len(cr.fp) - n
	j := base
	for i := range n {
		if keep(i) {
			cr.fp[j], cr.cls[j], cr.cls2[j] = cr.fp[base+i], cr.cls[base+i], cr.cls2[base+i]
			j++
		}
	}
	cr.deg[len(cr.deg)-1] -= int32(base + n - j)
	cr.fp, cr.cls, cr.cls2 = cr.fp[:j], cr.cls[:j], cr.cls2[:j]
}

// chunkDone writes what worker w recorded of chunk c to its spill. The
// rows of obligations and predicates are kept as indices into the
// distinct rows, which are few and stay in memory (interned under mu: the
// workers share them).
func (r *recorder) chunkDone(w int, cr *chunkRecord, c *chunk, mu *sync.Mutex) {
	g := r.g
	le := binary.LittleEndian
	b := cr.buf[:0]
	mu.Lock()
	for i, d := range cr.deg {
		b = le.AppendUint32(b, uint32(d))
		b = le.AppendUint32(b, g.obl.intern(cr.obl[i*g.owords:(i+1)*g.owords]))
		b = le.AppendUint32(b, g.props.intern(cr.props[i*g.pwords:(i+1)*g.pwords]))
	}
	mu.Unlock()
	for i, fp := range cr.fp {
		b = le.AppendUint64(b, fp)
		b = le.AppendUint16(b, cr.cls[i])
		b = le.AppendUint32(b, uint32(cr.cls2[i]))
	}
	c.at = chunkAt{off: r.spills[w].write(b), w: int32(w), states: int32(len(cr.deg)), edges: int32(len(cr.fp))}
	cr.reset()
	cr.buf = b[:0]
}

// numbered records that the state of fingerprint fp has the next number.
func (r *recorder) numbered(fp uint64) {
	r.buf = binary.LittleEndian.AppendUint64(r.buf[:0], fp)
	r.ids.write(r.buf)
}

// level notes a level's chunks, in order, and the fingerprints of its new
// states, in the order of their numbers.
func (r *recorder) level(chunks []*chunk, news *firsts) {
	le := binary.LittleEndian
	for _, c := range chunks {
		b := r.buf[:0]
		for i, fp := range c.fps {
			if news.has(c.base + i) {
				b = le.AppendUint64(b, fp)
			}
		}
		r.ids.write(b)
		r.buf = b
	}
	for _, c := range chunks {
		r.chunks = append(r.chunks, c.at)
		r.n += c.at.states
		r.e += int64(c.at.edges)
	}
}

// bytes is the memory the records hold.
func (r *recorder) bytes() int64 {
	n := r.g.obl.bytes() + r.g.props.bytes() + r.ids.bytes() + int64(cap(r.buf)) + int64(cap(r.chunks))*24
	for _, sp := range r.spills {
		n += sp.bytes()
	}
	return n
}

// graphBytes is the memory the graph will take once read back, with the
// store's numbers of its fingerprints while the edges are numbered.
func (r *recorder) graphBytes(st *store) int64 {
	n, e := int64(r.n), r.e
	cls := e
	if r.g.wide {
		cls *= 2
	}
	return (n+1)*4 + e*4 + cls + e/8 + n*8 + st.idBytes()
}

// close lets go of the spills.
func (r *recorder) close() {
	for _, sp := range r.spills {
		sp.close()
	}
	r.ids.close()
}

// graphBlock is about the number of records read back at a time.
const graphBlock = 1 << 16

// graph reads the recorded graph back and numbers its successors, with
// nw workers; its BFS tree is the store's parent links. The store's
// fingerprints are no longer needed, and go. It returns the name of the
// limit the graph would pass, "mem", if budget (bytes; 0: none) is too
// small for it, and an error if its spills cannot be read back.
func (r *recorder) graph(st *store, inits []machine.State, nw int, budget int64) (*lgraph, string, error) {
	defer r.close()
	if budget > 0 && r.graphBytes(st) > budget {
		return nil, "mem", nil
	}
	g := r.g
	g.inits = inits
	g.st, g.levels = st, st.levels
	n, ne := int(r.n), int(r.e)
	// The search's frontier and candidates are garbage by now: give
	// their memory back before the graph takes its own, so that the
	// process's peak is the larger of the two, not their sum. (A
	// recording that stayed in memory is small: collecting would only
	// cost time.)
	big := r.inFiles()
	if big {
		debug.FreeOSMemory()
	}
	le := binary.LittleEndian

	st.withIDs()
	var err error
	for id := 0; err == nil && id < n; id += graphBlock {
		k := min(n-id, graphBlock)
		var b []byte
		if b, err = r.ids.readAt(int64(8*id), 8*k); err != nil {
			break
		}
		parallel(nw, func(w int) {
			for i := range k {
				if fp := le.Uint64(b[8*i:]); shardOf(fp)%nw == w {
					st.setID(fp, int32(id+i))
				}
			}
		})
	}
	r.ids.close()

	// First the successors, numbered while the store knows its
	// fingerprints' numbers; then, the fingerprints gone, the rest. The
	// spills are read twice so that the fingerprints and the whole graph
	// are never in memory together. The edges' fingerprints are gathered
	// a block at a time and numbered by the workers together.
	g.dst = make([]int32, 0, ne)
	var fps []uint64
	number := func() {
		base := len(g.dst)
		g.dst = g.dst[:base+len(fps)]
		parallel(nw, func(w int) {
			for i := w * len(fps) / nw; i < (w+1)*len(fps)/nw; i++ {
				g.dst[base+i] = st.idOf(fps[i])
			}
		})
		fps = fps[:0]
	}
	for _, at := range r.chunks {
		var b []byte
		if err != nil {
			break
		}
		if b, err = r.spills[at.w].readAt(at.off+int64(at.states)*stateRecord, int(at.edges)*edgeRecord); err != nil {
			break
		}
		for range at.edges {
			fps = append(fps, le.Uint64(b))
			b = b[edgeRecord:]
		}
		if len(fps) >= graphBlock {
			number()
		}
	}
	number()
	fps = nil
	st.dropFingerprints()
	if big {
		debug.FreeOSMemory()
	}

	g.first = make([]int32, n+1)
	if g.owords > 0 {
		g.obl.flat = make([]uint32, n)
	}
	if g.pwords > 0 {
		g.props.flat = make([]uint32, n)
	}
	g.cls = make([]uint8, ne)
	if g.wide {
		g.clsHi = make([]uint8, ne)
	}
	s, e := 0, 0
	for _, at := range r.chunks {
		var b []byte
		if err != nil {
			break
		}
		if b, err = r.spills[at.w].readAt(at.off, int(at.states)*stateRecord+int(at.edges)*edgeRecord); err != nil {
			break
		}
		for range at.states {
			g.first[s+1] = g.first[s] + int32(le.Uint32(b))
			if g.owords > 0 {
				g.obl.flat[s] = le.Uint32(b[4:])
			}
			if g.pwords > 0 {
				g.props.flat[s] = le.Uint32(b[8:])
			}
			b = b[stateRecord:]
			s++
		}
		for range at.edges {
			d := le.Uint16(b[8:])
			g.cls[e] = uint8(d)
			if g.wide {
				g.clsHi[e] = uint8(d >> 8)
			}
			if c2 := int32(le.Uint32(b[10:])); c2 >= 0 {
				g.seconds.add(int32(e), c2)
			}
			b = b[edgeRecord:]
			e++
		}
	}
	if big {
		runtime.GC()
	}
	if err != nil {
		return nil, "", err
	}
	return g, "", nil
}

// inFiles reports whether some of the recording went to a temporary file.
func (r *recorder) inFiles() bool {
	for _, sp := range append(r.spills, r.ids) {
		if sp.f != nil {
			return true
		}
	}
	return false
}
