package explore

import (
	"runtime"
	"testing"
	"unsafe"

	"github.com/irqcheck/irqcheck/machine"
)

// TestAlone checks that what alone, aloneSlice and machine.NewState
// return shares no cache line with anything made next to it. Each object is made between byte
// slices of every size up to 512 bytes, so that some neighbours come from
// the object's own size class and lie right next to it.
func TestAlone(t *testing.T) {
	tests := []struct {
		name string
		// make returns a new object, its address and its size.
		make func() (obj any, addr, size uintptr)
	}{
		{"alone int64", func() (any, uintptr, uintptr) { p := alone[int64](); return p, uintptr(unsafe.Pointer(p)), 8 }},
		{"alone 40 bytes", func() (any, uintptr, uintptr) { p := alone[[5]uint64](); return p, uintptr(unsafe.Pointer(p)), 40 }},
		{"aloneSlice 3 bools", func() (any, uintptr, uintptr) { s := aloneSlice[bool](3); return s, uintptr(unsafe.Pointer(&s[0])), 3 }},
		{"aloneSlice 5 uint64s", func() (any, uintptr, uintptr) {
			s := aloneSlice[uint64](5)
			return s, uintptr(unsafe.Pointer(&s[0])), 40
		}},
		// 40-byte elements: a pad rounded down to whole elements would
		// leave 40 bytes, less than a line.
		{"aloneSlice 3 of 40 bytes", func() (any, uintptr, uintptr) {
			s := aloneSlice[[5]uint64](3)
			return s, uintptr(unsafe.Pointer(&s[0])), 120
		}},
		// The machine's step buffers (machine.New), and a worker's.
		{"machine.NewState 3", func() (any, uintptr, uintptr) { s := machine.NewState(3); return s, uintptr(unsafe.Pointer(&s[0])), 12 }},
		{"machine.NewState 70", func() (any, uintptr, uintptr) {
			s := machine.NewState(70)
			return s, uintptr(unsafe.Pointer(&s[0])), 280
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAlone(t, func() (any, uintptr, uintptr) { return tt.make() })
		})
	}
	if s := aloneSlice[uint64](0); len(s) != 0 || cap(s) != 0 {
		t.Errorf("aloneSlice(0): len %d cap %d, want 0 0", len(s), cap(s))
	}
	if s := aloneSlice[uint64](3); cap(s) != 3 {
		t.Errorf("aloneSlice(3): cap %d: an append would write into the padding", cap(s))
	}
	if s := machine.NewState(3); len(s) != 3 || cap(s) != 3 {
		t.Errorf("machine.NewState(3): len %d cap %d, want 3 3", len(s), cap(s))
	}
}

// checkAlone makes objects with make between byte slices of every size up
// to 512 bytes, and fails if one of the slices shares a cache line with
// an object's own bytes.
func checkAlone(t *testing.T, make func() (obj any, addr, size uintptr)) {
	t.Helper()
	type span struct{ lo, hi uintptr }
	var keep []any // all alive at once, so that none's memory is reused
	var objs, others []span
	for size := 1; size <= 512; size++ {
		for range 4 {
			b := newBytes(size)
			keep = append(keep, b)
			others = append(others, span{uintptr(unsafe.Pointer(&b[0])), uintptr(unsafe.Pointer(&b[0])) + uintptr(size)})
			obj, a, n := make()
			keep = append(keep, obj)
			objs = append(objs, span{a, a + n})
		}
	}
	line := func(a uintptr) uintptr { return a / cacheLine }
	lines := map[uintptr]bool{}
	for _, o := range objs {
		for l := line(o.lo); l <= line(o.hi-1); l++ {
			lines[l] = true
		}
	}
	for _, b := range others {
		for l := line(b.lo); l <= line(b.hi-1); l++ {
			if lines[l] {
				t.Fatalf("a %d-byte slice shares a cache line with an object", b.hi-b.lo)
			}
		}
	}
	runtime.KeepAlive(keep)
}

//go:noinline
func newBytes(n int) []byte { return make([]byte, n) }
