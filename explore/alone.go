package explore

import "unsafe"

// cacheLine is 64 bytes, the cache line of amd64 and of most arm64
// machines (Apple's are 128).
const cacheLine = 64

// alone returns a new zero T on cache lines of its own. The workers each
// write objects of their own for every state; made in a row (as they are
// when the workers start), two workers' small objects could share a
// cache line, and each write by one would cost the other a miss.
func alone[T any]() *T {
	return &new(struct {
		_ [cacheLine]byte
		v T
		_ [cacheLine]byte
	}).v
}

// aloneSlice returns n zero Ts on cache lines of their own (see alone).
func aloneSlice[T any](n int) []T {
	var zero T
	size := max(1, int(unsafe.Sizeof(zero)))
	pad := (cacheLine + size - 1) / size // elements enough to fill a line
	return make([]T, pad+n+pad)[pad : pad+n : pad+n]
}
