package explore

import (
	"runtime"
	"slices"
	"testing"
	"unsafe"
)

// TestAlone checks that what alone and aloneSlice return shares no cache
// line with anything made next to it: made in a row, the objects lie at
// least a cache line apart.
func TestAlone(t *testing.T) {
	const n = 64
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type span struct{ lo, hi int }
			var spans []span
			var keep []any // all alive at once, so that none's memory is reused
			for range n {
				obj, a, size := tt.make()
				keep = append(keep, obj)
				spans = append(spans, span{int(a), int(a + size)})
			}
			slices.SortFunc(spans, func(x, y span) int { return x.lo - y.lo })
			for i := 1; i < len(spans); i++ {
				if gap := spans[i].lo - spans[i-1].hi; gap < cacheLine {
					t.Fatalf("two objects %d bytes apart: they can share a cache line", gap)
				}
			}
			runtime.KeepAlive(keep)
		})
	}
	if s := aloneSlice[uint64](0); len(s) != 0 || cap(s) != 0 {
		t.Errorf("aloneSlice(0): len %d cap %d, want 0 0", len(s), cap(s))
	}
	if s := aloneSlice[uint64](3); cap(s) != 3 {
		t.Errorf("aloneSlice(3): cap %d: an append would write into the padding", cap(s))
	}
}
