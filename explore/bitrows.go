package explore

import "unsafe"

// bitRows holds a row of bits per state (its pending obligations, or its
// liveness predicates), interned: the states of a model share few
// distinct rows, so a state costs the 4 bytes of its row's index.
type bitRows struct {
	words int               // words per row; 0: no rows, nothing kept
	rows  []uint64          // the distinct rows, words each
	index map[string]uint32 // a row's words, as bytes: its index
	of    segments[uint32]  // per state: the index of its row, while states are added
	flat  []uint32          // the same, once done
	last  []uint64          // the row added last, and its index:
	lastI uint32            // consecutive states often share their row
}

func newBitRows(words int) *bitRows {
	return &bitRows{words: words, index: map[string]uint32{}}
}

// add appends the row of the next state.
func (b *bitRows) add(row []uint64) {
	if b.words == 0 {
		return
	}
	b.of.append(b.intern(row))
}

// intern returns the index of row among the distinct rows, adding it if
// it is new.
func (b *bitRows) intern(row []uint64) uint32 {
	if b.words == 0 {
		return 0
	}
	if b.last == nil || !equalWords(row, b.last) {
		key := unsafe.String((*byte)(unsafe.Pointer(&row[0])), len(row)*8)
		i, ok := b.index[key]
		if !ok {
			i = uint32(len(b.rows) / b.words)
			b.rows = append(b.rows, row...)
			b.index[string([]byte(key))] = i
		}
		b.last, b.lastI = b.rows[int(i)*b.words:int(i+1)*b.words], i
	}
	return b.lastI
}

// done ends the adding: the indices go into one array.
func (b *bitRows) done() {
	if b.words > 0 && b.flat == nil {
		b.flat = b.of.flatten()
	}
}

// row returns state s's row (after done).
func (b *bitRows) row(s int32) []uint64 {
	i := int(b.flat[s])
	return b.rows[i*b.words : (i+1)*b.words]
}

// bit reports bit k of state s's row.
func (b *bitRows) bit(s int32, k int) bool {
	return b.row(s)[k/64]&(1<<(k%64)) != 0
}

// bytes is the memory the rows hold.
func (b *bitRows) bytes() int64 {
	return int64(len(b.rows))*8 + int64(len(b.index))*(int64(b.words)*8+32) + b.of.bytes() + int64(cap(b.flat))*4
}

func equalWords(a, b []uint64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
