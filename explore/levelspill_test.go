package explore

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irqcheck/irqcheck/catalog"
)

// levelAnswer is what a check answers, in full: verdict, figures and
// trace.
func levelAnswer(r *Result) string {
	got, msg := outcome(r)
	s := fmt.Sprintf("%s %s states %d transitions %d depth %d", got, msg, r.States, r.Transitions, r.Depth)
	if r.Trace != nil {
		s += traceText(r.Trace)
	}
	if r.Liveness != nil {
		s += fmt.Sprintf(" liveness states %d edges %d", r.Liveness.States, r.Liveness.Edges)
	}
	return s
}

// A level's frontier and candidates wait in memory while the level is
// small and in temporary files past that. The answer is the same
// whichever holds them: in files from the first level, moving to files
// in the middle of a level, in memory when no file can be made, with one
// worker and with two.
func TestLevelSpills(t *testing.T) {
	defer func(n int64) { levelToFile = n }(levelToFile)
	models := catalog.All()
	if testing.Short() {
		models = models[:len(models)/3]
	}
	spilled := 0
	for _, m := range models {
		p := loadModel(t, string(m.Source))
		for _, workers := range []int{1, 2} {
			levelToFile = 8 << 20
			want := levelAnswer(Explore(p, Options{Workers: workers}))
			for _, where := range []string{"files", "memory then files", "memory, no file"} {
				t.Run(fmt.Sprintf("%s/%d/%s", m.Name, workers, where), func(t *testing.T) {
					levelToFile = 0
					switch where {
					case "memory then files":
						levelToFile = 2000 // a few levels, then files
					case "memory, no file":
						t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
					}
					r := Explore(p, Options{Workers: workers})
					if got := levelAnswer(r); got != want {
						t.Errorf("got  %s\nwant %s", got, want)
					}
					if where == "files" {
						spilled++
					}
				})
			}
		}
	}
	if spilled == 0 {
		t.Error("no model was checked with its levels in files")
	}
}

// A frontier or candidates that cannot be read back end the search as
// incomplete, with the reason.
func TestLevelSpillReadFails(t *testing.T) {
	levelReadFails = true
	defer func() { levelReadFails = false }()
	p := loadModel(t, "cpus 2; int x; thread a on cpu 0 { x = 1; } thread b on cpu 1 { x = 2; }")
	r := Explore(p, Options{Workers: 2})
	if r.Verdict != Incomplete || !strings.HasPrefix(r.Limit, "disk (reading back the frontier: ") {
		t.Errorf("got %s, want incomplete: disk (reading back the frontier: ...)", r.Outcome())
	}
}

// A max-states cut numbers the states in level order up to the limit,
// whatever the number of workers and wherever the levels wait, and a
// violation is reported only if it was among the states numbered or
// found from the states before the cut.
func TestMaxStatesCut(t *testing.T) {
	defer func(n int64) { levelToFile = n }(levelToFile)
	// An invariant (a violating state) and an assertion (a violating
	// transition).
	for _, name := range []string{"002_ct_two_atomics", "000_uintr_pcp_list"} {
		t.Run(name, func(t *testing.T) { maxStatesCut(t, name) })
	}
}

func maxStatesCut(t *testing.T, name string) {
	var m *catalog.Model
	for _, c := range catalog.All() {
		if c.Name == name {
			m = c
		}
	}
	if m == nil {
		t.Fatalf("catalog:%s is missing", name)
	}
	p := loadModel(t, string(m.Source))
	full := Explore(p, Options{Workers: 1, NoPOR: true})
	if full.Verdict != Violated {
		t.Fatalf("%s: %s, want a violation", m.Name, full.Outcome())
	}
	for limit := int64(1); limit <= full.States+5; limit += 1 + full.States/100 {
		levelToFile = 8 << 20
		want := Explore(p, Options{Workers: 1, NoPOR: true, MaxStates: limit})
		if want.Verdict == Incomplete && (want.States != limit || want.Limit != "max-states") {
			t.Fatalf("max-states %d: %s after %d states", limit, want.Outcome(), want.States)
		}
		if want.Verdict == Violated && traceText(want.Trace) != traceText(full.Trace) {
			t.Fatalf("max-states %d: got the trace %s\nwant the whole search's %s", limit, traceText(want.Trace), traceText(full.Trace))
		}
		for _, workers := range []int{2, 3} {
			for _, toFile := range []int64{8 << 20, 0} {
				levelToFile = toFile
				got := Explore(p, Options{Workers: workers, NoPOR: true, MaxStates: limit})
				if levelAnswer(got) != levelAnswer(want) {
					t.Errorf("max-states %d, %d workers, spill past %d: got %s\nwant %s", limit, workers, toFile, levelAnswer(got), levelAnswer(want))
				}
			}
		}
	}
}

// A frontier's pieces cover its states in order, each within one block
// of chunkSize numbers and one stretch of one part, and runs that go on
// where the last one ended, in the same part, share pieces: a level has
// as many pieces as blocks plus one for each break between parts.
func TestFrontierPieces(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		f := &frontier{parts: []*spill{newSpillAt("a", 1<<30), newSpillAt("b", 1<<30)}}
		id, breaks := int32(0), 0
		lastW := -1
		var want [][]byte
		for range 1 + rng.IntN(40) {
			w := lastW
			if lastW < 0 || rng.IntN(4) == 0 {
				w = rng.IntN(2)
			}
			if w != lastW && lastW >= 0 {
				breaks++
			}
			r := run{w: w}
			n := rng.IntN(300)
			for range n {
				enc := []byte(fmt.Sprintf("state %d;", id+int32(r.n)))
				want = append(want, enc)
				r.add(f.parts[w], id+int32(r.n), enc)
			}
			f.addRun(&r, id, n)
			id += int32(n)
			if n > 0 {
				lastW = w
			}
		}
		if f.n != int(id) {
			t.Fatalf("trial %d: %d states, want %d", trial, f.n, id)
		}
		next := int32(0)
		for k, pc := range f.pieces {
			if pc.first != next || pc.n <= 0 || pc.first/chunkSize != (pc.first+int32(pc.n)-1)/chunkSize {
				t.Fatalf("trial %d: piece %d %+v after state %d", trial, k, pc, next)
			}
			b, err := f.chunk(k, nil)
			if err != nil {
				t.Fatal(err)
			}
			var w []byte
			for _, enc := range want[pc.first : pc.first+int32(pc.n)] {
				w = append(w, enc...)
			}
			if string(b) != string(w) {
				t.Fatalf("trial %d: piece %d reads %q, want %q", trial, k, b, w)
			}
			next += int32(pc.n)
		}
		if blocks := (int(id) + chunkSize - 1) / chunkSize; len(f.pieces) > blocks+breaks {
			t.Errorf("trial %d: %d pieces for %d blocks and %d breaks", trial, len(f.pieces), blocks, breaks)
		}
		f.close()
	}
}
