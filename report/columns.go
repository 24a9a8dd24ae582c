package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
)

// DefaultWidth is the width traces are laid out to unless told otherwise:
// what fits in a mail.
const DefaultWidth = 80

// The distance between two lanes: at least minLane characters, however
// narrow the output, and at most maxLane, however wide. When even lanes
// minLane apart leave the last one less than minText characters (many
// CPUs in a narrow output), the steps are listed instead, each lane's
// part of a step headed by the lane's name.
const (
	minLane = 12
	maxLane = 40
	minText = 24
)

// Columns draws a trace in lanes, in the style of lockdep's reports:
// one lane per CPU and one per device that takes part in the run (acts,
// or receives a message), each starting at its own column, so that a
// line belongs to the lane it starts in. Each step is numbered; its text
// is who acted and what, and under it the values it changed, then what
// it caused in other lanes (an arrival, a drop). Lines are wrapped on
// whole characters within width and may run on into the lanes to their
// right. Lanes that take no part are left out, and a name too long for
// its lane is shortened; a legend under the trace says both. When the
// lanes do not fit in width, the steps are listed under one another, the
// first line of each lane's part of a step headed by the lane's name.
func Columns(w io.Writer, p *machine.Program, tr *explore.Trace, width int) {
	columns(w, p, tr, width, -1)
}

// Lasso draws a trace whose steps from loop on repeat for ever, marking
// where the cycle starts and ends; loop < 0 draws a plain trace.
func Lasso(w io.Writer, p *machine.Program, tr *explore.Trace, loop, width int) {
	columns(w, p, tr, width, loop)
}

func columns(w io.Writer, p *machine.Program, tr *explore.Trace, width, loop int) {
	if width <= 0 {
		width = DefaultWidth
	}
	ls := traceLanes(p, tr)
	names, lanes, laneOf, idle := ls.names, ls.lanes, ls.laneOf, ls.idle
	ncols := len(names)
	if len(lanes) == 0 {
		return
	}
	numW := max(3, len(strconv.Itoa(len(tr.Steps))))
	margin := numW + 2
	k := len(lanes)
	laneW := min(max((width-margin)/k, minLane), maxLane)
	at := func(j int) int { return margin + j*laneW }
	list := k > 1 && margin+(k-1)*minLane+minText > width
	if list {
		laneW = 0
		for _, c := range lanes {
			laneW = max(laneW, utf8.RuneCountInString(names[c])+2)
		}
		laneW = min(laneW, minLane)
		at = func(int) int { return margin + laneW }
	}

	var b strings.Builder
	// put writes text at column col of the line being built.
	line := []rune{}
	put := func(col int, text string) {
		for len(line) < col {
			line = append(line, ' ')
		}
		line = append(line[:col], []rune(text)...)
	}
	flush := func() {
		b.WriteString(strings.TrimRight(string(line), " ") + "\n")
		line = line[:0]
	}

	var legend []string
	heads := make([]string, k)
	for j, c := range lanes {
		heads[j] = names[c]
		if utf8.RuneCountInString(names[c]) > laneW-2 {
			heads[j] = string([]rune(names[c])[:laneW-3]) + "~"
			legend = append(legend, fmt.Sprintf("%s is %s", heads[j], names[c]))
		}
	}
	if !list {
		for j, h := range heads {
			put(at(j), h)
		}
		flush()
		for j, h := range heads {
			put(at(j), strings.Repeat("-", utf8.RuneCountInString(h)))
		}
		flush()
	}
	for i, st := range tr.Steps {
		changes := Changes(p, tr, i)
		if i == loop {
			put(margin, fmt.Sprintf("---- cycle: steps %d to %d repeat for ever ----", loop+1, len(tr.Steps)))
			flush()
		}
		first := true
		cell := func(j int, lines []string) {
			for n, ln := range lines {
				if first {
					put(0, fmt.Sprintf("%*d", numW, i+1))
					first = false
				}
				if list && n == 0 {
					put(margin, heads[j])
				}
				put(at(j), ln)
				flush()
			}
		}
		cells := also(&st)
		if st.Column >= 0 && st.Column < ncols {
			j := laneOf[st.Column]
			if st.Actor == names[st.Column] {
				st.Actor = "" // a device's own lane: its name heads it
			}
			cell(j, stepLines(st, changes, width-at(j)))
		}
		for _, a := range cells {
			if a.Column >= 0 && a.Column < ncols && a.Column != st.Column {
				j := laneOf[a.Column]
				cell(j, wrap(a.Text, width-at(j)))
			}
		}
	}
	if loop >= 0 && loop < len(tr.Steps) {
		put(margin, fmt.Sprintf("---- back to the state before step %d ----", loop+1))
		flush()
	}
	if len(idle) > 0 {
		var ns []string
		for _, c := range idle {
			ns = append(ns, names[c])
		}
		legend = append(legend, "no part in this run: "+strings.Join(ns, ", "))
	}
	for _, ln := range legend {
		for _, part := range wrap("("+ln+")", width-margin) {
			put(margin, part)
			flush()
		}
	}
	fmt.Fprint(w, b.String())
}

// columnNames names every column a trace can use: the CPUs ("cpu 0"),
// then the devices.
func columnNames(p *machine.Program) []string {
	l := p.Layout
	names := make([]string, 0, l.NCPUs+len(p.Devices))
	for c := 0; c < l.NCPUs; c++ {
		names = append(names, fmt.Sprintf("cpu %d", c))
	}
	for _, dev := range p.Devices {
		names = append(names, dev.Name)
	}
	return names
}

// laneSet is the lanes of a trace: the columns that take part in it
// (act, or receive a message), in order.
type laneSet struct {
	names  []string // every column's name (columnNames)
	lanes  []int    // the columns that take part
	laneOf []int    // a column's lane, or -1
	idle   []int    // the columns that take no part
}

func traceLanes(p *machine.Program, tr *explore.Trace) laneSet {
	ls := laneSet{names: columnNames(p)}
	ncols := len(ls.names)
	used := make([]bool, ncols)
	for _, st := range tr.Steps {
		if st.Column >= 0 && st.Column < ncols {
			used[st.Column] = true
		}
		for _, a := range also(&st) {
			if a.Column >= 0 && a.Column < ncols {
				used[a.Column] = true
			}
		}
	}
	ls.laneOf = make([]int, ncols)
	for c := range used {
		ls.laneOf[c] = -1
		if used[c] {
			ls.laneOf[c] = len(ls.lanes)
			ls.lanes = append(ls.lanes, c)
		} else {
			ls.idle = append(ls.idle, c)
		}
	}
	return ls
}

// StepLines renders step i of tr as the lines of its cell, wrapped to
// width: who acts and what, then one line per value it changed.
func StepLines(p *machine.Program, tr *explore.Trace, i, width int) []string {
	return stepLines(tr.Steps[i], Changes(p, tr, i), width)
}

func stepLines(st explore.Step, changes []Change, width int) []string {
	var out []string
	head := st.Text
	if st.Actor != "" {
		head = st.Actor + ": " + head
	}
	out = append(out, wrap(head, width)...)
	for _, c := range changes {
		out = append(out, wrap("  "+changeText(c, "->"), width)...)
	}
	if st.Violation != "" {
		out = append(out, "  => "+string(st.Violation))
	}
	return out
}

// changeText renders a change: "name: old -> new", or "name new" for
// a change that is news rather than a new value (cpu1.pending +0x10).
func changeText(c Change, arrow string) string {
	if c.Old == "" {
		return fmt.Sprintf("%s %s", c.Name, c.New)
	}
	return fmt.Sprintf("%s: %s %s %s", c.Name, c.Old, arrow, c.New)
}

// wrap breaks s into lines of at most n characters (runes), at spaces
// where it can, else after a comma or an opening parenthesis, else
// anywhere; continuation lines are indented.
func wrap(s string, n int) []string {
	indent := "    "
	if n < 8 {
		indent = " "
	}
	var out []string
	prefix := ""
	for {
		room := max(n-len(prefix), 1)
		r := []rune(s)
		if len(r) <= room {
			return append(out, prefix+s)
		}
		cut := breakAt(r, room)
		out = append(out, prefix+strings.TrimRight(string(r[:cut]), " "))
		s = strings.TrimLeft(string(r[cut:]), " ")
		if s == "" {
			return out
		}
		prefix = indent
	}
}

// breakAt returns where to break r so that the first line has at most
// room characters: at the last space, else after the last ',' or '(' or
// before the last '.', else at room.
func breakAt(r []rune, room int) int {
	for i := room; i > 0; i-- {
		if r[i] == ' ' {
			return i
		}
	}
	for i := room; i > 1; i-- {
		switch r[i-1] {
		case ',', '(', '[':
			return i
		}
		if r[i] == '.' {
			return i
		}
	}
	return room
}
