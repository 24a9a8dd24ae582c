// Package report renders the outcome of a check: a verdict line, the
// figures of the run, and a violation's trace as per-CPU columns; or the
// same as one JSON object.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
	"github.com/irqcheck/irqcheck/syntax"
)

// VerdictLine is the first line of a report.
func VerdictLine(r *explore.Result) string {
	switch r.Verdict {
	case explore.Violated:
		v := r.Violation
		return fmt.Sprintf("violation: %s at %s: %s", v.Kind, v.Pos, v.Msg)
	case explore.Incomplete:
		return "incomplete: " + r.Limit
	}
	return "verified"
}

// Figures is the line of counts under the verdict.
func Figures(r *explore.Result) string {
	secs := r.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(r.States) / secs
	}
	return fmt.Sprintf("states %d, transitions %d, depth %d, %.2fs, %.0f states/s, %.1f B/state, peak %.1f MB",
		r.States, r.Transitions, r.Depth, secs, rate, r.BytesPerState(), float64(r.PeakBytes)/(1<<20))
}

// Text writes the human-readable report.
func Text(w io.Writer, p *compile.Program, r *explore.Result) {
	fmt.Fprintln(w, VerdictLine(r))
	fmt.Fprintln(w, Figures(r))
	if r.Trace != nil && len(r.Trace.Steps) > 0 {
		fmt.Fprintln(w)
		Columns(w, p, r.Trace)
	}
}

// columnWidth is the width of one column of a trace.
const columnWidth = 40

// Columns draws a trace as one column per CPU and one per device; each
// row is a step, numbered, with its text and the values it changed.
func Columns(w io.Writer, p *compile.Program, tr *explore.Trace) {
	l := p.Layout
	ncols := l.NCPUs + len(p.Devices)
	heads := make([]string, ncols)
	for c := 0; c < l.NCPUs; c++ {
		heads[c] = fmt.Sprintf("cpu %d", c)
	}
	for d, dev := range p.Devices {
		heads[l.NCPUs+d] = dev.Name
	}
	var b strings.Builder
	row := func(num string, cells []string) {
		last := len(cells) - 1
		for last > 0 && cells[last] == "" {
			last--
		}
		b.WriteString(fmt.Sprintf("%4s ", num))
		for i, cell := range cells[:last+1] {
			if i > 0 {
				b.WriteString(" | ")
			}
			if i == last {
				b.WriteString(cell)
			} else {
				b.WriteString(pad(cell, columnWidth))
			}
		}
		b.WriteString("\n")
	}
	row("", heads)
	sep := make([]string, ncols)
	for i := range sep {
		sep[i] = strings.Repeat("-", columnWidth)
	}
	row("", sep)
	for i, st := range tr.Steps {
		cols := map[int][]string{}
		if st.Column >= 0 && st.Column < ncols {
			cols[st.Column] = StepLines(st)
		}
		for _, a := range st.Also {
			if a.Column >= 0 && a.Column < ncols && a.Column != st.Column {
				cols[a.Column] = append(cols[a.Column], wrap(a.Text, columnWidth)...)
			}
		}
		height := 0
		for _, ls := range cols {
			height = max(height, len(ls))
		}
		for k := 0; k < height; k++ {
			cells := make([]string, ncols)
			for c, ls := range cols {
				if k < len(ls) {
					cells[c] = ls[k]
				}
			}
			num := ""
			if k == 0 {
				num = fmt.Sprintf("%d", i+1)
			}
			row(num, cells)
		}
	}
	// Trim the padding at the end of each line.
	for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}

// StepLines renders one step as the lines of its cell, wrapped to the
// column width: who acts and what, then one line per change.
func StepLines(st explore.Step) []string {
	var out []string
	head := st.Text
	if st.Actor != "" {
		head = st.Actor + ": " + head
	}
	out = append(out, wrap(head, columnWidth)...)
	for _, c := range st.Changes {
		var s string
		if c.Old == "" {
			s = fmt.Sprintf("  %s %s", c.Name, c.New)
		} else {
			s = fmt.Sprintf("  %s: %s -> %s", c.Name, c.Old, c.New)
		}
		out = append(out, wrap(s, columnWidth)...)
	}
	if st.Violation != "" {
		out = append(out, "  => "+string(st.Violation))
	}
	return out
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

// wrap breaks s into lines of at most n bytes, at spaces where it can;
// continuation lines are indented.
func wrap(s string, n int) []string {
	const indent = "    "
	var out []string
	prefix := ""
	for {
		room := max(n-len(prefix), 1)
		if len(s) <= room {
			return append(out, prefix+s)
		}
		cut := strings.LastIndex(s[:room+1], " ")
		if cut <= 0 {
			cut = room
		}
		out = append(out, prefix+strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[cut:], " ")
		if s == "" {
			return out
		}
		prefix = indent
	}
}

// JSON types: the report as one object.
type jsonReport struct {
	Verdict     string     `json:"verdict"`
	Kind        string     `json:"kind,omitempty"`
	Message     string     `json:"message,omitempty"`
	Position    *jsonPos   `json:"position,omitempty"`
	Limit       string     `json:"limit,omitempty"`
	Model       string     `json:"model"`
	States      int64      `json:"states"`
	Transitions int64      `json:"transitions"`
	Depth       int        `json:"depth"`
	Seconds     float64    `json:"seconds"`
	StatesPerS  float64    `json:"states_per_second"`
	StoreBytes  int64      `json:"store_bytes"` // fingerprint tables and parent links
	PeakBytes   int64      `json:"peak_bytes"`  // most held at once by store, frontier and candidates
	Columns     []string   `json:"columns"`
	Trace       []jsonStep `json:"trace"`
}

type jsonPos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

type jsonStep struct {
	Step     int          `json:"step"`
	Column   string       `json:"column"`
	Kind     string       `json:"kind"`
	Actor    string       `json:"actor,omitempty"`
	Text     string       `json:"text"`
	Position *jsonPos     `json:"position,omitempty"`
	Changes  []jsonChange `json:"changes,omitempty"`
}

type jsonChange struct {
	Name string `json:"name"`
	Old  string `json:"old,omitempty"`
	New  string `json:"new"`
}

var kindNames = map[machine.Kind]string{
	machine.ThreadStep: "thread", machine.HandlerStep: "handler", machine.DeviceStep: "device",
	machine.Entry: "entry", machine.Arrival: "arrival", machine.Drop: "drop", machine.Switch: "switch",
}

func posJSON(p syntax.Pos) *jsonPos {
	if !p.IsValid() {
		return nil
	}
	return &jsonPos{File: p.File, Line: p.Line, Col: p.Col}
}

// JSON writes the report as one JSON object.
func JSON(w io.Writer, p *compile.Program, r *explore.Result) error {
	l := p.Layout
	cols := make([]string, 0, l.NCPUs+len(p.Devices))
	for c := 0; c < l.NCPUs; c++ {
		cols = append(cols, fmt.Sprintf("cpu %d", c))
	}
	for _, d := range p.Devices {
		cols = append(cols, d.Name)
	}
	secs := r.Elapsed.Seconds()
	jr := jsonReport{
		Verdict: string(r.Verdict), Limit: r.Limit, Model: p.Name,
		States: r.States, Transitions: r.Transitions, Depth: r.Depth,
		Seconds: secs, StoreBytes: r.StoreBytes, PeakBytes: r.PeakBytes, Columns: cols, Trace: []jsonStep{},
	}
	if secs > 0 {
		jr.StatesPerS = float64(r.States) / secs
	}
	if v := r.Violation; v != nil {
		jr.Kind = string(v.Kind)
		jr.Message = v.Msg
		jr.Position = posJSON(v.Pos)
	}
	if r.Trace != nil {
		for i, st := range r.Trace.Steps {
			js := jsonStep{Step: i + 1, Kind: kindNames[st.T.Kind], Actor: st.Actor, Text: st.Text, Position: posJSON(st.Pos)}
			if st.Column >= 0 && st.Column < len(cols) {
				js.Column = cols[st.Column]
			}
			for _, c := range st.Changes {
				js.Changes = append(js.Changes, jsonChange{Name: c.Name, Old: c.Old, New: c.New})
			}
			jr.Trace = append(jr.Trace, js)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jr)
}
