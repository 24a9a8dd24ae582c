package explore

import (
	"encoding/binary"
	"slices"

	"github.com/irqcheck/irqcheck/compile"
)

// codec encodes states for the frontier. Most slots hold small values
// (flags, program counters, CPU and thread numbers, small negative error
// codes): such a slot holding v in [-bias, 254-bias] takes the byte
// v+bias, and any other value the byte 0xff and its four bytes,
// little-endian. The slots that hold a vector number take a byte as it
// is, and those that hold wide values by nature (pending-vector bitmaps,
// in-flight messages) always take four bytes. A state of n slots then
// takes about n bytes instead of 4n.
//
// The narrow slots are coded in groups of groupLen: a group whose values
// all fit in a byte is coded without a branch per slot, and only a group
// holding a larger value takes the slower, escaping path.
type codec struct {
	narrow []int32 // the narrow slots, in groups of groupLen (the last may be short)
	vector []int32 // slots holding a vector, 0..255
	wide   []int32
	size   int
}

// bias is added to a narrow slot's value to make its byte.
const bias = 8

const groupLen = 16

func newCodec(l *compile.Layout) *codec {
	wide := make([]bool, l.Size)
	for _, cs := range l.CPUs {
		for i := range l.IRRWords {
			wide[int(cs.IRR)+i] = true
		}
	}
	for i := range l.InflightCap {
		wide[int(l.Inflight)+i] = true
	}
	vector := make([]bool, l.Size)
	for _, cs := range l.CPUs {
		vector[cs.HVec] = true
	}
	c := &codec{size: l.Size}
	for i := range l.Size {
		switch {
		case wide[i]:
			c.wide = append(c.wide, int32(i))
		case vector[i]:
			c.vector = append(c.vector, int32(i))
		default:
			c.narrow = append(c.narrow, int32(i))
		}
	}
	return c
}

// maxBytes is the most bytes a state can take.
func (c *codec) maxBytes() int { return 5 * c.size }

// append appends the encoding of s to b.
func (c *codec) append(b []byte, s compile.State) []byte {
	b = slices.Grow(b, c.maxBytes())
	n := len(b)
	b = b[:n+c.maxBytes()]
	for lo := 0; lo < len(c.narrow); lo += groupLen {
		group := c.narrow[lo:min(lo+groupLen, len(c.narrow))]
		dst := b[n : n+len(group)]
		var over uint32
		for k, i := range group {
			u := uint32(s[i] + bias)
			dst[k] = byte(u)
			over |= (u+1)>>8 | u>>31 // u >= 0xff
		}
		if over == 0 {
			n += len(group)
			continue
		}
		for _, i := range group {
			v := s[i]
			if u := uint32(v + bias); u < 0xff {
				b[n] = byte(u)
				n++
				continue
			}
			b[n] = 0xff
			binary.LittleEndian.PutUint32(b[n+1:], uint32(v))
			n += 5
		}
	}
	for _, i := range c.vector {
		b[n] = byte(s[i])
		n++
	}
	for _, i := range c.wide {
		binary.LittleEndian.PutUint32(b[n:], uint32(s[i]))
		n += 4
	}
	return b[:n]
}

// decode decodes the state at the start of b into s and returns the bytes
// after it.
func (c *codec) decode(b []byte, s compile.State) []byte {
	n := 0
	for lo := 0; lo < len(c.narrow); lo += groupLen {
		group := c.narrow[lo:min(lo+groupLen, len(c.narrow))]
		if len(b)-n >= len(group) {
			src := b[n : n+len(group)]
			var esc uint32
			for k, i := range group {
				u := src[k]
				s[i] = int32(u) - bias
				esc |= (uint32(u) + 1) >> 8 // u == 0xff
			}
			if esc == 0 {
				n += len(group)
				continue
			}
		}
		for _, i := range group {
			if u := b[n]; u != 0xff {
				s[i] = int32(u) - bias
				n++
				continue
			}
			s[i] = int32(binary.LittleEndian.Uint32(b[n+1:]))
			n += 5
		}
	}
	for _, i := range c.vector {
		s[i] = int32(b[n])
		n++
	}
	for _, i := range c.wide {
		s[i] = int32(binary.LittleEndian.Uint32(b[n:]))
		n += 4
	}
	return b[n:]
}

// skip returns the length of the encoded state at the start of b.
func (c *codec) skip(b []byte) int {
	n := 0
	for lo := 0; lo < len(c.narrow); lo += groupLen {
		k := min(groupLen, len(c.narrow)-lo)
		if len(b)-n >= k {
			var esc uint32
			for _, u := range b[n : n+k] {
				esc |= (uint32(u) + 1) >> 8 // u == 0xff
			}
			if esc == 0 {
				n += k
				continue
			}
		}
		for range k {
			if b[n] != 0xff {
				n++
			} else {
				n += 5
			}
		}
	}
	return n + len(c.vector) + 4*len(c.wide)
}
