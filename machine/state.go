package machine

import (
	"fmt"
	"math/bits"
	"strings"
)

// NumVectors is the number of interrupt vectors per CPU (x86: 8 bits).
const NumVectors = 256

// State is a machine state: a flat vector of slots whose meaning is given
// by a Layout. Two states are equal exactly when their slots are equal.
type State []int32

// SlotKind says how a slot's value is displayed.
type SlotKind uint8

// The kinds of slots.
const (
	SlotInt SlotKind = iota
	SlotBool
	SlotCPU
	SlotThread
	SlotHandler // a vector table entry: handler index + 1, or 0
	SlotHidden  // machine bookkeeping not shown as a variable change
)

// SlotInfo names one slot for traces.
type SlotInfo struct {
	Name  string
	Kind  SlotKind
	Hex   bool
	Owner int // for locals: the process that owns it (see Layout.Procs); -1 otherwise
}

// CPUSlots gives the offsets of one CPU's slots.
type CPUSlots struct {
	Online  int32
	IF      int32 // interrupts enabled
	Cur     int32 // current thread index, or -1
	Handler int32 // running handler index + 1, or 0
	HPC     int32 // handler program counter
	HVec    int32 // vector being handled
	HFrame  int32 // first slot of the handler frame
	IRR     int32 // first of Layout.IRRWords slots: pending vectors as a bitmap over Layout.Pending
	VT      int32 // first of len(Vectors) slots: handler index + 1 per vector, or 0
	SB      int32 // memory tso and weak: the first of 2*Layout.SBSize slots of the store buffer (see BufferLen)
	View    int32 // memory weak: the first of NumViews slots, the CPU's views (see weak.go)
}

// ProcSlots gives the offsets of a thread's or device's slots.
type ProcSlots struct {
	CPU   int32 // bound CPU (threads only; -1 for devices)
	PC    int32
	IF    int32 // threads: the interrupt flag saved while not current (-1 for devices)
	Frame int32 // first slot of its locals
}

// Layout fixes where everything lives in the state vector.
type Layout struct {
	NCPUs   int
	Size    int   // number of slots
	Globals int32 // slots 0 to Globals-1 hold the globals: shared memory
	SBSize  int   // memory tso and weak: the entries of each CPU's store buffer; 0 under sc
	// Weak selects memory weak (ARMv8, RISC-V): the buffers are not FIFO
	// and the write history, HistCap entries of four slots from Hist on,
	// holds the writes a CPU may still read behind memory's newest.
	Weak    bool
	Hist    int32
	HistCap int
	// Base and BaseLive, under weak, are Globals slots each: global i's
	// base value (what it held before the oldest write of it in the
	// history) and whether some CPU may still read it.
	Base, BaseLive int32
	// CPULoaded marks, under weak, the globals that code on a CPU may
	// load; the others (read only by devices, init and properties) keep
	// no history, since no CPU can read an older write of them.
	CPULoaded []bool
	CPUs      []CPUSlots
	Threads   []ProcSlots
	Devices   []ProcSlots
	Inflight  int32 // first of InflightCap slots, sorted descending, 0 = empty
	// InflightCap is the capacity of the in-flight multiset.
	InflightCap int
	// Vectors lists the vectors that can have a handler, ascending; VT
	// slots follow this order. VectorIndex maps a vector to its position,
	// or -1.
	Vectors     []int
	VectorIndex [NumVectors]int16
	// Pending lists the vectors that can ever be pending, ascending: the
	// IRR of a CPU is a bitmap over them, IRRWords slots long, and
	// PendingIndex maps a vector to its bit, or -1.
	Pending      []int
	PendingIndex [NumVectors]int16
	IRRWords     int
	HFrameSize   int
	Slots        []SlotInfo
	// AnyTarget makes cpu_down move threads to any online CPU rather than
	// the lowest (symmetric models).
	AnyTarget bool
}

// msg packs an in-flight message into a slot value (never 0).
func msg(cpu, vec int32) int32 { return cpu<<8 | vec + 1 }

// UnpackMsg splits an in-flight slot value into cpu and vector.
func UnpackMsg(m int32) (cpu, vec int32) { m--; return m >> 8, m & 0xff }

// IRRBit reports whether vector v is pending on CPU c.
func (l *Layout) IRRBit(s State, c, v int32) bool {
	if v < 0 || v >= NumVectors || l.PendingIndex[v] < 0 {
		return false
	}
	i := int32(l.PendingIndex[v])
	return uint32(s[l.CPUs[c].IRR+i/32])&(1<<(uint(i)%32)) != 0
}

// CanPend reports whether vector v has a bit in the IRR.
func (l *Layout) CanPend(v int32) bool {
	return v >= 0 && v < NumVectors && l.PendingIndex[v] >= 0
}

// SetIRR sets or clears vector v's pending bit on CPU c; a vector that can
// never be pending (see CanPend) is ignored.
func (l *Layout) SetIRR(s State, c, v int32, on bool) {
	if !l.CanPend(v) {
		return
	}
	b := int32(l.PendingIndex[v])
	i := l.CPUs[c].IRR + b/32
	bit := uint32(1) << (uint(b) % 32)
	if on {
		s[i] = int32(uint32(s[i]) | bit)
	} else {
		s[i] = int32(uint32(s[i]) &^ bit)
	}
}

// HighestPending returns the highest pending vector on CPU c, or -1.
func (l *Layout) HighestPending(s State, c int32) int32 {
	base := l.CPUs[c].IRR
	for w := int32(l.IRRWords - 1); w >= 0; w-- {
		x := uint32(s[base+w])
		if x != 0 {
			return int32(l.Pending[w*32+int32(bits.Len32(x))-1])
		}
	}
	return -1
}

// HandlerFor returns the handler index registered for vector v on CPU c, or -1.
func (l *Layout) HandlerFor(s State, c, v int32) int {
	i := l.VectorIndex[v]
	if i < 0 {
		return -1
	}
	return int(s[l.CPUs[c].VT+int32(i)]) - 1
}

// AddMessage puts (c, v) in flight; it reports false when the multiset is full.
func (l *Layout) AddMessage(s State, c, v int32) bool {
	m := msg(c, v)
	base := l.Inflight
	n := int32(l.InflightCap)
	if s[base+n-1] != 0 {
		return false
	}
	// Insert keeping the slots sorted descending, empties (0) last.
	i := base
	for i < base+n && s[i] >= m {
		i++
	}
	copy(s[i+1:base+n], s[i:base+n-1])
	s[i] = m
	return true
}

// RemoveMessageAt takes the message in in-flight position i out of flight.
func (l *Layout) RemoveMessageAt(s State, i int) {
	base := int(l.Inflight)
	n := l.InflightCap
	copy(s[base+i:base+n-1], s[base+i+1:base+n])
	s[base+n-1] = 0
}

// Name returns a printable name for slot i.
func (l *Layout) Name(i int) string { return l.Slots[i].Name }

// Names holds the names that slot values refer to.
type Names struct {
	Threads  []string
	Handlers []string
}

// Format renders the value v of slot i.
func (l *Layout) Format(i int, v int32, names *Names) string {
	return FormatValue(l.Slots[i].Kind, l.Slots[i].Hex, v, names)
}

// FormatValue renders a slot value of the given kind.
func FormatValue(k SlotKind, hex bool, v int32, names *Names) string {
	switch k {
	case SlotHandler:
		if v <= 0 || int(v) > len(names.Handlers) {
			return "none"
		}
		return names.Handlers[v-1]
	case SlotBool:
		if v != 0 {
			return "true"
		}
		return "false"
	case SlotThread: // 0 is none, i+1 is thread i
		if v <= 0 || int(v) > len(names.Threads) {
			return "none"
		}
		return names.Threads[v-1]
	case SlotCPU: // variables store a cpu + 1; 0 is unset
		if v == 0 {
			return "unset"
		}
		return fmt.Sprintf("%d", v-1)
	}
	if hex && v >= 0 {
		return fmt.Sprintf("%#x", v)
	}
	return fmt.Sprintf("%d", v)
}

// DescribeVectors renders a vector list for messages.
func DescribeVectors(vs []int) string {
	var parts []string
	for _, v := range vs {
		parts = append(parts, fmt.Sprintf("%#x", v))
	}
	return strings.Join(parts, ", ")
}

// MessagesAdded lists the messages in flight in b beyond those in a (a
// multiset difference): what a step sent.
func (l *Layout) MessagesAdded(a, b State) []int32 {
	count := map[int32]int{}
	base := int(l.Inflight)
	for i := 0; i < l.InflightCap; i++ {
		if a[base+i] != 0 {
			count[a[base+i]]++
		}
	}
	var out []int32
	for i := 0; i < l.InflightCap; i++ {
		mv := b[base+i]
		if mv == 0 {
			continue
		}
		if count[mv] > 0 {
			count[mv]--
			continue
		}
		out = append(out, mv)
	}
	return out
}
