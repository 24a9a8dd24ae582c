package report

import (
	"bytes"
	_ "embed"
	"html/template"
	"io"
	"os"
	"strings"

	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
)

// HTML writes the report as one self-contained HTML page: the verdict
// and figures, a violation's trace in lanes as Columns draws it, and a
// state panel that shows the whole machine state (StateRows) at the step
// the reader clicks, its changed values highlighted. The page loads
// nothing: its style and script are inline, and its Content Security
// Policy forbids the rest.
func HTML(w io.Writer, p *machine.Program, r *explore.Result) error {
	return htmlPage.Execute(w, buildPage(p, r))
}

// HTMLFile writes the HTML report to the file path.
func HTMLFile(path string, p *machine.Program, r *explore.Result) error {
	var b bytes.Buffer
	if err := HTML(&b, p, r); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

//go:embed html.tmpl
var htmlSource string

var htmlPage = template.Must(template.New("page").Parse(htmlSource))

// page is what the template draws.
type page struct {
	Model   string
	Verdict string
	Class   string // violation, verified, incomplete: the verdict's colour
	Figures string
	Notes   string // safety only, never reached, covers: as the text report says them
	// NoTrace says why there is no trace, when there is none.
	NoTrace string
	Trace   *pageTrace
}

type pageTrace struct {
	Lanes []string
	Span  int    // the columns a row across the lanes spans: at least 1
	Idle  string // the columns that take no part, or ""
	Rows  []pageRow
	// Cycle is a lasso's cycle, as 1-based steps; zero for a plain trace.
	CycleFrom, CycleTo int
	// Data is what the state panel shows, for the script.
	Data panelData
}

// pageRow is one step: its number and a cell per lane.
type pageRow struct {
	Step   int
	Cells  []pageCell
	Cycle  bool // the step is in the lasso's cycle
	Failed bool // the step raised the violation
}

type pageCell struct {
	Head      string   // who acted and what
	Changes   []string // the values it changed
	Violation string   // the kind of violation it raised
	Also      []string // what another lane's step caused here
}

// panelData is the state panel's data: the rows' names once, then for
// the initial state (0) and after each step (1..n) the values in that
// order; nil values for a step that raised a violation.
type panelData struct {
	Groups  []string   `json:"groups"`
	Names   []string   `json:"names"`
	Values  [][]string `json:"values"`
	Changed [][]int    `json:"changed"` // the rows each step changed
	Titles  []string   `json:"titles"`  // what each step did
	Loop    int        `json:"loop"`    // the cycle's first step (1-based), or 0
}

func buildPage(p *machine.Program, r *explore.Result) *page {
	pg := &page{Model: p.Name, Verdict: VerdictLine(r), Figures: Figures(r)}
	switch r.Verdict {
	case explore.Violated:
		pg.Class = "violation"
	case explore.Verified:
		pg.Class = "verified"
	default:
		pg.Class = "incomplete"
	}
	var nb strings.Builder
	notes(&nb, p, r)
	Unreached(&nb, r.Unreached)
	Covers(&nb, p, r.Covers, 100)
	pg.Notes = strings.TrimLeft(nb.String(), "\n")
	// A violation in an initial state has a trace of no steps: the
	// panel still shows that state.
	if r.Trace != nil && (len(r.Trace.Steps) > 0 || r.Verdict == explore.Violated && r.Trace.Initial != nil) {
		pg.Trace = buildTrace(p, r.Trace, r.Loop)
		return pg
	}
	switch r.Verdict {
	case explore.Verified:
		pg.NoTrace = "Every reachable state was explored and no property broke: there is no trace to show."
	case explore.Incomplete:
		pg.NoTrace = "A limit ended the run before every reachable state was explored, and no property broke before then: there is no trace to show."
	}
	return pg
}

func buildTrace(p *machine.Program, tr *explore.Trace, loop int) *pageTrace {
	ls := traceLanes(p, tr)
	pt := &pageTrace{}
	for _, c := range ls.lanes {
		pt.Lanes = append(pt.Lanes, ls.names[c])
	}
	pt.Span = max(1, len(pt.Lanes))
	if len(ls.idle) > 0 {
		var ns []string
		for _, c := range ls.idle {
			ns = append(ns, ls.names[c])
		}
		pt.Idle = "no part in this run: " + strings.Join(ns, ", ")
	}
	if loop >= 0 && loop < len(tr.Steps) {
		pt.CycleFrom, pt.CycleTo = loop+1, len(tr.Steps)
	}
	ncols := len(ls.names)
	for i, st := range tr.Steps {
		row := pageRow{Step: i + 1, Cells: make([]pageCell, len(ls.lanes)), Cycle: pt.CycleFrom > 0 && i+1 >= pt.CycleFrom, Failed: st.Failed}
		if st.Column >= 0 && st.Column < ncols {
			c := &row.Cells[ls.laneOf[st.Column]]
			c.Head = st.Text
			if st.Actor != "" && st.Actor != ls.names[st.Column] {
				c.Head = st.Actor + ": " + st.Text
			}
			for _, ch := range Changes(p, tr, i) {
				c.Changes = append(c.Changes, changeText(ch, "→"))
			}
			c.Violation = string(st.Violation)
		}
		for _, a := range also(&st) {
			if a.Column >= 0 && a.Column < ncols {
				c := &row.Cells[ls.laneOf[a.Column]]
				c.Also = append(c.Also, a.Text)
			}
		}
		pt.Rows = append(pt.Rows, row)
	}

	ts := traceStates(p, tr)
	d := &pt.Data
	for _, r := range ts.Initial {
		d.Groups = append(d.Groups, r.Group)
		d.Names = append(d.Names, r.Name)
	}
	values := func(rows []StateRow) []string {
		if rows == nil {
			return nil
		}
		v := make([]string, len(rows))
		for i, r := range rows {
			v[i] = r.Value
		}
		return v
	}
	d.Values = append(d.Values, values(ts.Initial))
	d.Changed = append(d.Changed, []int{})
	d.Titles = append(d.Titles, "before any step")
	for i, st := range tr.Steps {
		d.Values = append(d.Values, values(ts.After[i]))
		ch := []int{}
		for j, c := range ts.Changed[i] {
			if c {
				ch = append(ch, j)
			}
		}
		d.Changed = append(d.Changed, ch)
		title := st.Text
		if st.Actor != "" {
			title = st.Actor + ": " + title
		}
		if st.Column >= 0 && st.Column < ncols {
			title = ls.names[st.Column] + " · " + title
		}
		d.Titles = append(d.Titles, title)
	}
	d.Loop = pt.CycleFrom
	return pt
}
