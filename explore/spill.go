package explore

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// A spill is an append-only store of bytes, written in order and read
// back later: the graph the search records for the liveness check waits
// in spills, and so do a wide level's frontier and candidates, so that
// they take little memory beside the store. A spill starts in memory and
// moves to a temporary file (under $TMPDIR, unlinked at once so that
// nothing is left behind) once it passes its toFile bytes; it stays in
// memory if no file can be made. A spill can be emptied and written again
// (reset), keeping its memory or its file.
type spill struct {
	name   string
	limit  int64 // the size past which it moves to a file
	f      *os.File
	w      *bufio.Writer
	mem    [][]byte // while f is nil: blocks of memBlock bytes (the first grows to it)
	spare  [][]byte // emptied blocks, for reuse after a reset
	n      int64    // bytes written
	err    error    // the first write or read error
	noFile bool     // no file could be made: the spill stays in memory
	buf    []byte   // what readAt returned last
}

// spillToFile is the size past which a spill of the recorded graph moves
// to a file: a small model's search never makes one. Tests set it to 0 to
// put every spill in a file.
var spillToFile int64 = 256 << 10

// levelToFile is the size past which a worker's part of a level's
// frontier, or its candidates of a level, move to a file. It is larger
// than spillToFile, so that a model of a few hundred thousand states
// makes no file, and small beside a memory budget: a search keeps three
// such spills per worker. Tests set it to 0.
var levelToFile int64 = 2 << 20

// spillReadFails, set only by tests, makes every read back of the
// recorded graph fail, as an I/O error would.
var spillReadFails = false

// levelReadFails, set only by tests, makes every read back of a level's
// frontier or candidates fail, as an I/O error would.
var levelReadFails = false

// spillBuffer is the size of a spill's write buffer.
const spillBuffer = 1 << 16

// memBlock is the size of the blocks of a spill kept in memory: past the
// first block it grows a block at a time, never copying itself.
const memBlock = 1 << 20

// newSpill makes an empty spill of the recorded graph named after what
// it holds.
func newSpill(name string) *spill { return newSpillAt(name, spillToFile) }

// newSpillAt makes an empty spill that moves to a file past toFile bytes.
func newSpillAt(name string, toFile int64) *spill {
	sp := alone[spill]()
	sp.name, sp.limit = name, toFile
	if toFile <= 0 {
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
	sp.f, sp.w = f, bufio.NewWriterSize(io.NewOffsetWriter(f, 0), spillBuffer)
	for _, b := range sp.mem {
		if sp.err == nil {
			_, sp.err = sp.w.Write(b)
		}
	}
	sp.mem, sp.spare = nil, nil
}

// write appends b and returns where it starts.
func (sp *spill) write(b []byte) int64 {
	at := sp.n
	if sp.f == nil && !sp.noFile && sp.n+int64(len(b)) > sp.limit {
		sp.toFile()
	}
	sp.n += int64(len(b))
	switch {
	case sp.f == nil:
		for len(b) > 0 {
			k := len(sp.mem) - 1
			if k < 0 || len(sp.mem[k]) == memBlock {
				if n := len(sp.spare); n > 0 {
					sp.mem = append(sp.mem, sp.spare[n-1])
					sp.spare = sp.spare[:n-1]
				} else {
					size := memBlock
					if k < 0 {
						size = min(memBlock, max(4096, len(b)))
					}
					sp.mem = append(sp.mem, make([]byte, 0, size))
				}
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
		for _, b := range sp.spare {
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
		sp.copyMem(off, b)
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

// flush writes out what the file's buffer holds, so that readInto may be
// called from several goroutines.
func (sp *spill) flush() {
	if sp.f != nil && sp.err == nil && sp.w.Buffered() > 0 {
		sp.err = sp.w.Flush()
	}
}

// readInto fills b with the bytes written at off. After flush, and until
// the next write, it is safe for concurrent use.
func (sp *spill) readInto(off int64, b []byte) error {
	if levelReadFails {
		return fmt.Errorf("reading back the %s: read failed (test)", sp.name)
	}
	if sp.err != nil {
		return fmt.Errorf("writing the %s: %w", sp.name, sp.err)
	}
	if sp.f == nil {
		sp.copyMem(off, b)
		return nil
	}
	if _, err := sp.f.ReadAt(b, off); err != nil {
		return fmt.Errorf("reading back the %s: %w", sp.name, err)
	}
	return nil
}

// copyMem fills b with the bytes written at off into the memory blocks,
// across blocks.
func (sp *spill) copyMem(off int64, b []byte) {
	for k := 0; k < len(b); {
		i, j := (off+int64(k))/memBlock, (off+int64(k))%memBlock
		k += copy(b[k:], sp.mem[i][j:])
	}
}

// reset empties the spill to be written again from the start. It keeps
// its memory blocks, or its file (which keeps its size on disk, the
// largest it has held).
func (sp *spill) reset() {
	sp.n = 0
	if sp.f != nil {
		sp.w.Reset(io.NewOffsetWriter(sp.f, 0))
		return
	}
	for i := len(sp.mem) - 1; i >= 0; i-- {
		sp.spare = append(sp.spare, sp.mem[i][:0])
	}
	clear(sp.mem)
	sp.mem = sp.mem[:0]
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
