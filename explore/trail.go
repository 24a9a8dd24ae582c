package explore

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/irqcheck/irqcheck/machine"
)

// TrailVersion is the version of the trail format that WriteTrail writes
// and ReadTrail reads.
const TrailVersion = 1

// A Trail is a run saved to a file: which initial state, and at each step
// which transition, by its number in the state's successor order. Each
// step also keeps its text (see StepText), so that a replay can tell
// when the model changed under the trail. The file is text:
//
//	irqcheck trail 1
//	model: examples/msi_naive.irq
//	verdict: violation: spurious at ...
//	init: 0
//	loop: 4
//	1 0 cpu 0: set_affinity: request_irq(1, NEW, nic)
//	2 1 cpu 0: set_affinity: msg.addr = 1
//
// loop, present for a lasso, is the number of the first step of the
// cycle; each step line is its number, its transition and its text.
type Trail struct {
	Model   string
	Verdict string
	Init    int
	Loop    int // the index of the first step of a lasso's cycle, or -1
	Steps   []TrailStep
}

// TrailStep is one step of a trail.
type TrailStep struct {
	Choice int32
	Text   string
}

// NewTrail makes the trail of a trace of p's.
func NewTrail(p *machine.Program, tr *Trace, verdict string, loop int) *Trail {
	t := &Trail{Model: p.Name, Verdict: verdict, Init: tr.Init, Loop: loop}
	for i, st := range tr.Steps {
		t.Steps = append(t.Steps, TrailStep{Choice: tr.Choices[i], Text: StepText(p, st)})
	}
	return t
}

// Write writes the trail in its file format.
func (t *Trail) Write(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "irqcheck trail %d\n", TrailVersion)
	fmt.Fprintf(b, "model: %s\n", t.Model)
	fmt.Fprintf(b, "verdict: %s\n", oneLine(t.Verdict))
	fmt.Fprintf(b, "init: %d\n", t.Init)
	if t.Loop >= 0 {
		fmt.Fprintf(b, "loop: %d\n", t.Loop+1)
	}
	for i, st := range t.Steps {
		fmt.Fprintf(b, "%d %d %s\n", i+1, st.Choice, oneLine(st.Text))
	}
	return b.Flush()
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// ReadTrail reads a trail file.
func ReadTrail(r io.Reader) (*Trail, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	t := &Trail{Loop: -1}
	line := 0
	bad := func(format string, args ...any) error {
		return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...))
	}
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			v, ok := strings.CutPrefix(text, "irqcheck trail ")
			if !ok {
				return nil, bad("not an irqcheck trail (it begins %q)", text)
			}
			if n, err := strconv.Atoi(v); err != nil || n != TrailVersion {
				return nil, bad("trail format %q; this irqcheck reads version %d", v, TrailVersion)
			}
			continue
		}
		if key, val, ok := strings.Cut(text, ": "); ok && key != "" && !strings.ContainsAny(key[:1], "0123456789") {
			var err error
			switch key {
			case "model":
				t.Model = val
			case "verdict":
				t.Verdict = val
			case "init":
				t.Init, err = strconv.Atoi(val)
			case "loop":
				t.Loop, err = strconv.Atoi(val)
				t.Loop--
			default:
				return nil, bad("unknown field %q", key)
			}
			if err != nil {
				return nil, bad("%s: %v", key, err)
			}
			continue
		}
		num, rest, _ := strings.Cut(text, " ")
		choice, text, _ := strings.Cut(rest, " ")
		n, err1 := strconv.Atoi(num)
		k, err2 := strconv.ParseInt(choice, 10, 32)
		if err1 != nil || err2 != nil || n != len(t.Steps)+1 || k < 0 {
			return nil, bad("expected step %d: NUMBER TRANSITION TEXT, found %q", len(t.Steps)+1, sc.Text())
		}
		t.Steps = append(t.Steps, TrailStep{Choice: int32(k), Text: text})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if line == 0 {
		return nil, fmt.Errorf("empty trail")
	}
	if t.Loop >= len(t.Steps) {
		return nil, fmt.Errorf("loop: step %d of %d", t.Loop+1, len(t.Steps))
	}
	return t, nil
}

// Replay runs the trail on p, checking at each step that the model still
// offers the transition the trail takes, with the same text; an error
// says where the model and the trail part.
func (t *Trail) Replay(p *machine.Program) (*Run, error) {
	r, err := NewRun(p, t.Init)
	if err != nil {
		return nil, fmt.Errorf("the model changed since the trail was written: %v", err)
	}
	for i, want := range t.Steps {
		choices := r.Choices()
		if int(want.Choice) >= len(choices) {
			if r.Violation != nil {
				return nil, fmt.Errorf("step %d: the run already broke a property (%v) where the trail goes on: the model changed since the trail was written", i+1, r.Violation)
			}
			return nil, fmt.Errorf("step %d: the trail takes transition %d, and the model offers %d: the model changed since the trail was written", i+1, want.Choice, len(choices))
		}
		if got := StepText(p, choices[want.Choice]); got != want.Text {
			return nil, fmt.Errorf("step %d: the trail has %q, and the model's transition %d is %q: the model changed since the trail was written", i+1, want.Text, want.Choice, got)
		}
		if err := r.Take(want.Choice); err != nil {
			return nil, fmt.Errorf("step %d: %v", i+1, err)
		}
	}
	return r, nil
}
