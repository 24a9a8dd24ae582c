package explore

import (
	"bytes"
	"fmt"
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
			recs, offs := writeRandom(sp, rng, 3*memBlock, 100000)
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

// A spill that is reset and written again gives back what was written
// since, through readInto as well, from several goroutines at once once
// it is flushed: in a file, in memory, and moving from one to the other
// in the second round.
func TestSpillReset(t *testing.T) {
	for _, where := range []string{"file", "memory", "memory then file"} {
		t.Run(where, func(t *testing.T) {
			var limit int64
			switch where {
			case "memory":
				t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
			case "memory then file":
				limit = 2*memBlock + 777
			}
			sp := newSpillAt("test", limit)
			defer sp.close()
			rng := rand.New(rand.NewPCG(3, 4))
			for round := range 3 {
				if round > 0 {
					sp.reset()
				}
				recs, offs := writeRandom(sp, rng, (round+1)*memBlock, 50000)
				if offs[0] != 0 {
					t.Fatalf("round %d starts at %d", round, offs[0])
				}
				sp.flush()
				errs := make(chan error, 4)
				for g := range 4 {
					go func() {
						for i := g; i < len(recs); i += 4 {
							got := make([]byte, len(recs[i]))
							if err := sp.readInto(offs[i], got); err != nil {
								errs <- err
								return
							}
							if !bytes.Equal(got, recs[i]) {
								errs <- fmt.Errorf("round %d, record %d at %d: read back differs", round, i, offs[i])
								return
							}
						}
						errs <- nil
					}()
				}
				for range 4 {
					if err := <-errs; err != nil {
						t.Fatal(err)
					}
				}
			}
			if (sp.f != nil) != (where != "memory") {
				t.Fatalf("spill in a file at last: %v", sp.f != nil)
			}
		})
	}
}

// writeRandom writes random records of up to most bytes to sp until they
// pass total bytes, and returns them and their offsets.
func writeRandom(sp *spill, rng *rand.Rand, total, most int) (recs [][]byte, offs []int64) {
	for n := 0; n < total; {
		b := make([]byte, 1+rng.IntN(most))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		offs = append(offs, sp.write(b))
		recs = append(recs, b)
		n += len(b)
	}
	return recs, offs
}
