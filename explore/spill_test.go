package explore

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// A spill gives back what was written at each offset, in a file, in
// memory, where records span the blocks it grows by, and when it moves
// from memory to a file on the way.
func TestSpill(t *testing.T) {
	defer func(n int64) { spillToFile = n }(spillToFile)
	for _, where := range []string{"file", "memory", "memory then file"} {
		t.Run(where, func(t *testing.T) {
			spillToFile = 0
			switch where {
			case "memory":
				t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
			case "memory then file":
				spillToFile = memBlock + 12345
			}
			sp := newSpill("test")
			defer sp.close()
			if (sp.f != nil) != (where == "file") {
				t.Fatalf("spill in a file at first: %v", sp.f != nil)
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
			if (sp.f != nil) != (where != "memory") {
				t.Fatalf("spill in a file at last: %v", sp.f != nil)
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
