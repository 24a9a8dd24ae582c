package explore

import (
	"fmt"
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
