package machine

import (
	"runtime"
	"slices"
	"testing"
	"unsafe"
)

// TestNewStateAlone checks that states made by NewState in a row lie at
// least a cache line apart, so that two workers' buffers share no line.
func TestNewStateAlone(t *testing.T) {
	for _, n := range []int{1, 3, 16, 70} {
		var keep []State // all alive at once, so that none's memory is reused
		var lo []int
		for range 32 {
			s := NewState(n)
			if len(s) != n || cap(s) != n {
				t.Fatalf("NewState(%d): len %d cap %d", n, len(s), cap(s))
			}
			keep = append(keep, s)
			lo = append(lo, int(uintptr(unsafe.Pointer(&s[0]))))
		}
		slices.Sort(lo)
		for i := 1; i < len(lo); i++ {
			if gap := lo[i] - (lo[i-1] + 4*n); gap < cacheLine {
				t.Fatalf("NewState(%d): two states %d bytes apart: they can share a cache line", n, gap)
			}
		}
		runtime.KeepAlive(keep)
	}
}
