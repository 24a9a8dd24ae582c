package explore

import (
	"math/rand/v2"
	"testing"
)

// sameShard returns random fingerprints of one shard, as a shard's set
// sees them (its order relies on the shard bits being equal).
func sameShard(r *rand.Rand, shard uint64) uint64 {
	for {
		fp := r.Uint64()>>shardBits | shard<<(64-shardBits)
		if fp != 0 {
			return fp
		}
	}
}

func TestFPSet(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 17, 1000, 100000} {
		for _, shard := range []uint64{0, 5, numShards - 1} {
			r := rand.New(rand.NewPCG(uint64(n), shard))
			s := newFPSet()
			want := map[uint64]bool{}
			for range n {
				fp := sameShard(r, shard)
				if got := s.insert(fp); got == want[fp] {
					t.Fatalf("n=%d: insert(%#x) = %v, already present: %v", n, fp, got, want[fp])
				}
				want[fp] = true
				if s.insert(fp) {
					t.Fatalf("n=%d: second insert(%#x) reported new", n, fp)
				}
			}
			if s.n != len(want) {
				t.Fatalf("n=%d: set holds %d, want %d", n, s.n, len(want))
			}
			for fp := range want {
				if !s.contains(fp) {
					t.Fatalf("n=%d: lost %#x", n, fp)
				}
			}
			for range 1000 {
				if fp := sameShard(r, shard); !want[fp] && s.contains(fp) {
					t.Fatalf("n=%d: contains(%#x) but it was never inserted", n, fp)
				}
			}
			// The occupied slots are in increasing order and none sits
			// before its home slot; the last slot is empty.
			var prev uint64
			for i, fp := range s.table {
				if fp == 0 {
					continue
				}
				if fp <= prev {
					t.Fatalf("n=%d: slot %d holds %#x after %#x", n, i, fp, prev)
				}
				if h := home(fp, s.size); uint64(i) < h {
					t.Fatalf("n=%d: %#x in slot %d before its home %d", n, fp, i, h)
				}
				prev = fp
			}
			if s.table[len(s.table)-1] != 0 {
				t.Fatalf("n=%d: last slot is occupied", n)
			}
			if n >= 1000 && float64(s.n) < float64(s.size)*7/12-1 {
				t.Errorf("n=%d: %d fingerprints in %d home slots: below 7/12 full", n, s.n, s.size)
			}
		}
	}
}

// TestStoreParentLinks numbers random levels the way Explore does and
// reads every parent and transition back.
func TestStoreParentLinks(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	st := newStore()
	var parents, tids []int32
	add := func(parent, tid int32) {
		if id := st.add(parent, tid); int(id) != len(parents) {
			t.Fatalf("add numbered %d, want %d", id, len(parents))
		}
		parents = append(parents, parent)
		tids = append(tids, tid)
	}
	st.beginLevel()
	for i := range 3 {
		add(-1, int32(i))
	}
	lo, hi := int32(0), int32(3)
	for depth := 1; depth < 12 && lo < hi; depth++ {
		st.beginLevel()
		next := int32(len(parents))
		for p := lo; p < hi; p++ {
			// Most states get no child or a few; some get many, and some
			// transition numbers need more than a byte.
			kids := r.IntN(4)
			if depth < 5 {
				kids = 2 + r.IntN(3)
			}
			if r.IntN(50) == 0 {
				kids = 300
			}
			for k := range kids {
				tid := int32(k + r.IntN(3))
				if r.IntN(20) == 0 {
					tid = 255 + int32(r.IntN(1000))
				}
				add(p, tid)
			}
			if len(parents) > 200000 {
				break
			}
		}
		lo, hi = next, int32(len(parents))
	}
	if len(parents) < 10000 {
		t.Fatalf("only %d states: the test does not exercise enough", len(parents))
	}
	for range 2000 {
		id := int32(r.IntN(len(parents)))
		if got := st.parent(id); got != parents[id] {
			t.Fatalf("parent(%d) = %d, want %d", id, got, parents[id])
		}
		if got := st.tid(id); got != tids[id] {
			t.Fatalf("tid(%d) = %d, want %d", id, got, tids[id])
		}
	}
}

// TestStoreBytesPerState holds the store to the budget: at most 16
// bytes per state, parent link included, at any size past the first
// chunks.
func TestStoreBytesPerState(t *testing.T) {
	n := 2_000_000
	if testing.Short() {
		n = 300_000
	}
	r := rand.New(rand.NewPCG(3, 4))
	st := newStore()
	st.beginLevel()
	worst := 0.0
	for i := range n {
		fp := r.Uint64() | 1
		if !st.insert(fp) {
			continue
		}
		st.add(int32(i/3)-1, int32(i%3))
		if i >= 200_000 && i%10_000 == 0 {
			worst = max(worst, float64(st.bytes())/float64(st.count()))
		}
	}
	if worst > 16 {
		t.Errorf("store held up to %.2f bytes per state, want at most 16", worst)
	}
	t.Logf("worst %.2f bytes per state over %d states", worst, st.count())
}
