package explore

import (
	"encoding/binary"
	"slices"

	"github.com/irqcheck/irqcheck/machine"
)

// codec encodes states for the frontier and the candidates of a level.
//
// Most slots hold small values: flags, program counters, CPU and thread
// numbers, small negative error codes. A state is coded as one byte per
// slot, v+bias, followed by the slots that hold a vector number (one byte,
// 0..255, as it is) and those that hold wide values by nature
// (pending-vector bitmaps, in-flight messages), each as a varint: one
// byte for an empty message slot or an empty IRR, two for most messages.
// In the byte part, those slots are placeholders. A state with some other
// slot outside [-bias, 255-bias] is coded whole instead, four bytes a
// slot. A leading byte tells which.
//
// The byte part is coded and decoded by one loop over the slots without a
// branch per slot.
type codec struct {
	mask   []uint32 // per slot: the bits of v+bias that must be zero for the byte form
	vector []int32  // slots holding a vector, 0..255
	wide   []int32
	size   int
}

// bias is added to a slot's value to make its byte.
const bias = 8

// The leading byte.
const (
	formBytes = 0
	formWhole = 1
)

func newCodec(l *machine.Layout) *codec {
	c := &codec{size: l.Size, mask: make([]uint32, l.Size)}
	for i := range c.mask {
		c.mask[i] = ^uint32(0xff)
	}
	for _, cs := range l.CPUs {
		c.vector = append(c.vector, cs.HVec)
		for i := range int32(l.IRRWords) {
			c.wide = append(c.wide, cs.IRR+i)
		}
	}
	for i := range int32(l.InflightCap) {
		c.wide = append(c.wide, l.Inflight+i)
	}
	for _, i := range c.vector {
		c.mask[i] = 0
	}
	for _, i := range c.wide {
		c.mask[i] = 0
	}
	return c
}

// maxBytes is the most bytes a state can take.
func (c *codec) maxBytes() int {
	return 1 + max(4*c.size, c.size+len(c.vector)+binary.MaxVarintLen32*len(c.wide))
}

// fixedLen is the length of the byte form before its varints.
func (c *codec) fixedLen() int { return 1 + c.size + len(c.vector) }

// append appends the encoding of s to b.
func (c *codec) append(b []byte, s machine.State) []byte {
	b = slices.Grow(b, c.maxBytes())
	n := len(b)
	b = b[:n+c.maxBytes()]
	if byteForm(b[n+1:n+1+len(s)], s, c.mask[:len(s)]) != 0 {
		b[n] = formWhole
		n++
		for _, v := range s {
			binary.LittleEndian.PutUint32(b[n:], uint32(v))
			n += 4
		}
		return b[:n]
	}
	b[n] = formBytes
	n += 1 + len(s)
	for _, i := range c.vector {
		b[n] = byte(s[i])
		n++
	}
	for _, i := range c.wide {
		n += binary.PutUvarint(b[n:], uint64(uint32(s[i])))
	}
	return b[:n]
}

// byteForm writes the byte part of s into dst (both of s's length) and
// returns nonzero if some slot does not fit. It is a function of its own
// so that its loop keeps everything in registers.
//
//go:noinline
func byteForm(dst []byte, s machine.State, mask []uint32) uint32 {
	dst, mask = dst[:len(s)], mask[:len(s)]
	var over uint32
	for i, v := range s {
		u := uint32(v + bias)
		dst[i] = byte(u)
		over |= u & mask[i]
	}
	return over
}

// decode decodes the state at the start of b into s and returns the bytes
// after it.
func (c *codec) decode(b []byte, s machine.State) []byte {
	if b[0] == formWhole {
		b = b[1:]
		for i := range s {
			s[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
		}
		return b[4*len(s):]
	}
	src := b[1 : 1+len(s)]
	for i, u := range src {
		s[i] = int32(u) - bias
	}
	n := 1 + len(s)
	for _, i := range c.vector {
		s[i] = int32(b[n])
		n++
	}
	for _, i := range c.wide {
		v, k := binary.Uvarint(b[n:])
		s[i] = int32(uint32(v))
		n += k
	}
	return b[n:]
}

// skip returns the length of the encoded state at the start of b.
func (c *codec) skip(b []byte) int {
	if b[0] == formWhole {
		return 1 + 4*c.size
	}
	n := c.fixedLen()
	for range c.wide {
		for b[n] >= 0x80 {
			n++
		}
		n++
	}
	return n
}
