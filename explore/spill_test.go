package explore

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// A spill gives back what was written at each offset, in a file and in
// memory, where records span the blocks it grows by.
func TestSpill(t *testing.T) {
	for _, where := range []string{"file", "memory"} {
		t.Run(where, func(t *testing.T) {
			if where == "memory" {
				t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
			}
			sp := newSpill("test")
			defer sp.close()
			if (sp.f != nil) != (where == "file") {
				t.Fatalf("spill in a file: %v", sp.f != nil)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			var recs [][]byte
			var offs []int64
			for total := 0; total < 3*memBlock; {
				b := make([]byte, 1+rng.IntN(100000))
				for i := range b {
					b[i] = byte(rng.Uint32())
				}
				offs = append(offs, sp.write(b))
				recs = append(recs, b)
				total += len(b)
			}
			for _, i := range rng.Perm(len(recs)) {
				got, err := sp.readAt(offs[i], len(recs[i]))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, recs[i]) {
					t.Fatalf("record %d at %d: read back differs", i, offs[i])
				}
			}
		})
	}
}
