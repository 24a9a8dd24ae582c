package explore

import (
	"bufio"
	"errors"
	"fmt"
	"os"
)

// A spill is an append-only store of bytes, written in order and read
// back later: the graph the search records for the liveness check waits
// in spills, so that it takes no memory beside the search's own frontier.
// A spill starts in memory and
// moves to a temporary file (under $TMPDIR, unlinked at once so that
// nothing is left behind) once it passes spillToFile bytes; it stays in
// memory if no file can be made.
type spill struct {
	name   string
	f      *os.File
	w      *bufio.Writer
	mem    [][]byte // while f is nil: blocks of memBlock bytes (the first grows to it)
	n      int64    // bytes written
	err    error    // the first write or read error
	noFile bool     // no file could be made: the spill stays in memory
	buf    []byte   // what readAt returned last
}

// spillToFile is the size past which a spill moves to a file: a small
// model's search never makes one. Tests set it to 0 to put every spill in
// a file.
var spillToFile int64 = 256 << 10

// spillReadFails, set only by tests, makes every read back of the
// recorded graph fail, as an I/O error would.
var spillReadFails = false

// spillBuffer is the size of a spill's write buffer.
const spillBuffer = 1 << 16

// memBlock is the size of the blocks of a spill kept in memory: past the
// first block it grows a block at a time, never copying itself.
const memBlock = 1 << 20

// newSpill makes an empty spill named after what it holds.
func newSpill(name string) *spill {
	sp := &spill{name: name}
	if spillToFile <= 0 {
		sp.toFile()
	}
	return sp
}

// toFile moves the spill to a temporary file, or leaves it in memory for
// good if none can be made.
func (sp *spill) toFile() {
	f, err := os.CreateTemp("", "irqcheck-"+sp.name+"-*")
	if err != nil {
		sp.noFile = true
		return
	}
	// Unlinked now, the file goes when it is closed, or when the
	// process ends however it ends. (A system that cannot unlink an
	// open file removes it at close.)
	os.Remove(f.Name())
	sp.f, sp.w = f, bufio.NewWriterSize(f, spillBuffer)
	for _, b := range sp.mem {
		if sp.err == nil {
			_, sp.err = sp.w.Write(b)
		}
	}
	sp.mem = nil
}

// write appends b and returns where it starts.
func (sp *spill) write(b []byte) int64 {
	at := sp.n
	if sp.f == nil && !sp.noFile && sp.n+int64(len(b)) > spillToFile {
		sp.toFile()
	}
	sp.n += int64(len(b))
	switch {
	case sp.f == nil:
		for len(b) > 0 {
			k := len(sp.mem) - 1
			if k < 0 || len(sp.mem[k]) == memBlock {
				size := memBlock
				if k < 0 {
					size = min(memBlock, max(4096, len(b)))
				}
				sp.mem = append(sp.mem, make([]byte, 0, size))
				k++
			}
			n := min(len(b), memBlock-len(sp.mem[k]))
			sp.mem[k] = append(sp.mem[k], b[:n]...) // the first block grows to memBlock
			b = b[n:]
		}
	case sp.err == nil:
		_, sp.err = sp.w.Write(b)
	}
	return at
}

// bytes is the memory the spill holds: its buffer, or all of it.
func (sp *spill) bytes() int64 {
	if sp.f == nil {
		n := int64(cap(sp.buf))
		for _, b := range sp.mem {
			n += int64(cap(b))
		}
		return n
	}
	return spillBuffer + int64(cap(sp.buf))
}

// inMemory reports whether the spill is kept in memory for good.
func (sp *spill) inMemory() bool { return sp.noFile }

// readAt returns the n bytes written at off, valid until the next call.
// The writing must be over.
func (sp *spill) readAt(off int64, n int) ([]byte, error) {
	if spillReadFails && sp.err == nil {
		sp.err = errors.New("read failed (test)")
	}
	if sp.f == nil && sp.err == nil {
		i, j := off/memBlock, off%memBlock
		if int(j)+n <= memBlock {
			return sp.mem[i][j : int(j)+n], nil
		}
	}
	if cap(sp.buf) < n {
		sp.buf = make([]byte, n)
	}
	b := sp.buf[:n]
	if sp.f == nil && sp.err == nil {
		for k := 0; k < n; { // across blocks
			i, j := (off+int64(k))/memBlock, (off+int64(k))%memBlock
			k += copy(b[k:], sp.mem[i][j:])
		}
		return b, nil
	}
	if sp.err == nil && sp.w.Buffered() > 0 {
		sp.err = sp.w.Flush()
	}
	if sp.err == nil {
		_, sp.err = sp.f.ReadAt(b, off)
	}
	if sp.err != nil {
		return nil, fmt.Errorf("the recorded graph's temporary file: %w", sp.err)
	}
	return b, nil
}

// close lets go of the spill and its file.
func (sp *spill) close() {
	if sp.f != nil {
		name := sp.f.Name()
		sp.f.Close()
		os.Remove(name) // already gone, unless unlinking an open file failed
	}
	*sp = spill{}
}
