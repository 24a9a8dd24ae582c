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
	line := fmt.Sprintf("states %d, transitions %d, depth %d, %.2fs, %.0f states/s, %.1f B/state, peak %.1f MB",
		r.States, r.Transitions, r.Depth, secs, rate, r.BytesPerState(), float64(r.PeakBytes)/(1<<20))
	if lv := r.Liveness; lv != nil {
		line += fmt.Sprintf("\nliveness: states %d, edges %d, %.2fs, %.1f MB", lv.States, lv.Edges, lv.Elapsed.Seconds(), float64(lv.Bytes)/(1<<20))
	}
	return line
}

// Text writes the human-readable report.
func Text(w io.Writer, p *compile.Program, r *explore.Result) {
	fmt.Fprintln(w, VerdictLine(r))
	fmt.Fprintln(w, Figures(r))
	if r.Verdict == explore.Verified && r.Liveness == nil {
		fmt.Fprintln(w, "safety only: livelocks and liveness declarations were not checked")
	}
	if r.Trace != nil && len(r.Trace.Steps) > 0 {
		fmt.Fprintln(w)
		Lasso(w, p, r.Trace, r.Loop)
	}
	Unreached(w, r.Unreached)
	Covers(w, p, r.Covers)
}

// Unreached lists what a verified search never reached, if anything.
func Unreached(w io.Writer, u *explore.Unreached) {
	if u.Empty() {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "never reached (a property about these holds trivially):")
	for _, st := range u.Statements {
		fmt.Fprintf(w, "  %s: %s: %s\n", st.Pos, st.Proc, st.Text)
	}
	for _, h := range u.Handlers {
		fmt.Fprintf(w, "  handler %s: never entered\n", h)
	}
	for _, v := range u.Vectors {
		fmt.Fprintf(w, "  vector %#x: a handler is registered for it, but no cpu ever took it\n", v)
	}
	if u.FinalsUnchecked {
		fmt.Fprintln(w, "  final conditions: never evaluated (no reachable state where everything finished)")
	}
	for _, t := range u.Triggers {
		fmt.Fprintf(w, "  %s\n", t)
	}
}

// Covers says where each cover was reached and draws the witnesses the
// run rebuilt.
func Covers(w io.Writer, p *compile.Program, cs []explore.CoverResult) {
	for _, c := range cs {
		if !c.Reached {
			continue
		}
		name := c.Cover.Text
		if c.Cover.Name != "" {
			name = c.Cover.Name
		}
		if c.Trace == nil {
			continue
		}
		fmt.Fprintf(w, "\ncover %s reached in %d steps:\n\n", name, c.Depth)
		Columns(w, p, c.Trace)
	}
}

// Lasso draws a trace whose steps from loop on repeat for ever (loop < 0:
// a plain trace), marking where the cycle starts and ends.
func Lasso(w io.Writer, p *compile.Program, tr *explore.Trace, loop int) {
	if loop < 0 || loop >= len(tr.Steps) {
		Columns(w, p, tr)
		return
	}
	var b strings.Builder
	Columns(&b, p, tr)
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	// The step numbers start each step's first line: find step loop+1.
	mark := fmt.Sprintf("%4d ", loop+1)
	for i, line := range lines {
		if strings.HasPrefix(line, mark) {
			out := append([]string{}, lines[:i]...)
			out = append(out, fmt.Sprintf("     ---- cycle: steps %d to %d repeat for ever ----", loop+1, len(tr.Steps)))
			out = append(out, lines[i:]...)
			out = append(out, fmt.Sprintf("     ---- back to the state before step %d ----", loop+1))
			lines = out
			break
		}
	}
	for _, line := range lines {
		fmt.Fprintln(w, line)
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
	// LoopStart is the step where a lasso's cycle starts (1-based); the
	// steps from it to the end repeat for ever. Absent for a plain trace.
	LoopStart int            `json:"loop_start,omitempty"`
	Liveness  *jsonLiveness  `json:"liveness,omitempty"`
	Unreached *jsonUnreached `json:"unreached,omitempty"`
	Covers    []jsonCover    `json:"covers,omitempty"`
}

type jsonLiveness struct {
	States  int64   `json:"states"`
	Edges   int64   `json:"edges"`
	Seconds float64 `json:"seconds"`
	Bytes   int64   `json:"bytes"`
}

type jsonUnreached struct {
	Statements      []jsonStatement `json:"statements,omitempty"`
	Handlers        []string        `json:"handlers,omitempty"`
	Vectors         []int32         `json:"vectors,omitempty"`
	FinalsUnchecked bool            `json:"finals_unchecked,omitempty"`
	Triggers        []string        `json:"liveness_untriggered,omitempty"`
}

type jsonStatement struct {
	Proc     string   `json:"proc"`
	Text     string   `json:"text"`
	Position *jsonPos `json:"position"`
}

type jsonCover struct {
	Name     string     `json:"name"`
	Position *jsonPos   `json:"position"`
	Reached  bool       `json:"reached"`
	Depth    int        `json:"depth,omitempty"`
	Trace    []jsonStep `json:"trace,omitempty"`
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

// jsonTrace converts a trace's steps.
func jsonTrace(tr *explore.Trace, cols []string) []jsonStep {
	out := []jsonStep{}
	for i, st := range tr.Steps {
		js := jsonStep{Step: i + 1, Kind: kindNames[st.T.Kind], Actor: st.Actor, Text: st.Text, Position: posJSON(st.Pos)}
		if st.Column >= 0 && st.Column < len(cols) {
			js.Column = cols[st.Column]
		}
		for _, c := range st.Changes {
			js.Changes = append(js.Changes, jsonChange{Name: c.Name, Old: c.Old, New: c.New})
		}
		out = append(out, js)
	}
	return out
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
		jr.Trace = jsonTrace(r.Trace, cols)
		if r.Loop >= 0 {
			jr.LoopStart = r.Loop + 1
		}
	}
	if lv := r.Liveness; lv != nil {
		jr.Liveness = &jsonLiveness{States: lv.States, Edges: lv.Edges, Seconds: lv.Elapsed.Seconds(), Bytes: lv.Bytes}
	}
	if u := r.Unreached; !u.Empty() {
		ju := &jsonUnreached{Handlers: u.Handlers, Vectors: u.Vectors, FinalsUnchecked: u.FinalsUnchecked, Triggers: u.Triggers}
		for _, st := range u.Statements {
			ju.Statements = append(ju.Statements, jsonStatement{Proc: st.Proc, Text: st.Text, Position: posJSON(st.Pos)})
		}
		jr.Unreached = ju
	}
	for _, c := range r.Covers {
		name := c.Cover.Name
		if name == "" {
			name = c.Cover.Text
		}
		jc := jsonCover{Name: name, Position: posJSON(c.Cover.Pos), Reached: c.Reached, Depth: c.Depth}
		if c.Trace != nil {
			jc.Trace = jsonTrace(c.Trace, cols)
		}
		jr.Covers = append(jr.Covers, jc)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jr)
}
