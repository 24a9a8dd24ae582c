package explore

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/machine"
)

func testLayout() *machine.Layout {
	p, err := compile.Load("t.irq", []byte(`cpus 3; int x; int y[8]; int big;
		thread a on cpu 0 { x = 1; send_ipi(1, 0x30); }
		thread b on cpu 1 { y[3] = 2; }
		handler h { big = 100000; }
		init { request_irq(1, 0x30, h); request_irq(2, 0x31, h); }`))
	if err != nil {
		panic(err)
	}
	return p.Layout
}

// TestCodecRoundTrip encodes random states, small and wide values mixed,
// and decodes them back.
func TestCodecRoundTrip(t *testing.T) {
	l := testLayout()
	c := newCodec(l)
	r := rand.New(rand.NewPCG(5, 6))
	values := []int32{-9, -8, -1, 0, 1, 2, 245, 246, 247, 255, 256, 1 << 20, -1 << 31, 1<<31 - 1}
	var buf []byte
	var want []machine.State
	for range 500 {
		s := make(machine.State, l.Size)
		for i := range s {
			s[i] = values[r.IntN(len(values))]
		}
		for _, i := range c.vector { // a vector slot holds 0..255
			s[i] = int32(r.IntN(256))
		}
		want = append(want, s)
		buf = c.append(buf, s)
	}
	// States that take the byte form: every narrow slot at a boundary.
	for k := range 50 {
		s := make(machine.State, l.Size)
		for i := range s {
			s[i] = []int32{-8, 247, 0, -1}[(i+k)%4]
		}
		for _, i := range c.vector {
			s[i] = []int32{0, 255}[(int(i)+k)%2]
		}
		for _, i := range c.wide {
			s[i] = values[r.IntN(len(values))]
		}
		want = append(want, s)
		before := len(buf)
		buf = c.append(buf, s)
		if n := len(buf) - before; n < c.fixedLen()+len(c.wide) || n > c.fixedLen()+5*len(c.wide) {
			t.Fatalf("a state of small values took %d bytes, want the byte form's %d and a varint per wide slot", n, c.fixedLen())
		}
	}
	got := make(machine.State, l.Size)
	rest := buf
	for i, s := range want {
		if n := c.skip(rest); n > len(rest) {
			t.Fatalf("state %d: skip says %d bytes, %d left", i, n, len(rest))
		}
		next := rest[c.skip(rest):]
		rest = c.decode(rest, got)
		if len(rest) != len(next) {
			t.Fatalf("state %d: decode and skip disagree on its length", i)
		}
		if !slices.Equal(got, s) {
			t.Fatalf("state %d: decoded %v, want %v", i, got, s)
		}
	}
	if len(rest) != 0 {
		t.Errorf("%d bytes left over", len(rest))
	}
	small := make(machine.State, l.Size)
	if n := len(c.append(nil, small)); n >= 2*l.Size {
		t.Errorf("a state of zeros took %d bytes for %d slots", n, l.Size)
	}
	if n := len(c.append(nil, want[0])); n != 1+4*l.Size {
		t.Errorf("a state with a large value took %d bytes, want the whole form's %d", n, 1+4*l.Size)
	}
	// Empty messages and an empty IRR take a byte each.
	if n := len(c.append(nil, small)); n != c.fixedLen()+len(c.wide) {
		t.Errorf("a state of zeros took %d bytes, want %d", n, c.fixedLen()+len(c.wide))
	}
}

// benchCodec returns a codec and a state of small values for benchmarks.
func benchCodec(b *testing.B) (*codec, machine.State) {
	l := testLayout()
	s := make(machine.State, l.Size)
	for i := range s {
		s[i] = int32(i % 7)
	}
	b.SetBytes(int64(4 * l.Size))
	return newCodec(l), s
}

func BenchmarkCodecAppend(b *testing.B) {
	c, s := benchCodec(b)
	buf := make([]byte, 0, 1<<20)
	for b.Loop() {
		buf = c.append(buf[:0], s)
	}
}

func BenchmarkCodecDecode(b *testing.B) {
	c, s := benchCodec(b)
	buf := c.append(nil, s)
	for b.Loop() {
		c.decode(buf, s)
	}
}
