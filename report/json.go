package report

import (
	"encoding/json"
	"io"

	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
	"github.com/irqcheck/irqcheck/syntax"
)

// JSONSchemaVersion is the version of the JSON report's format, its
// "schema" field; schema.json describes it. The first format, before
// the field existed, was version 1. Version 2 added the states (as
// StateRow lists), the cells a step shows in other lanes, and the kind
// of violation a step raised.
const JSONSchemaVersion = 2

// JSON types: the report as one object.
type jsonReport struct {
	Schema      int      `json:"schema"`
	Verdict     string   `json:"verdict"`
	Kind        string   `json:"kind,omitempty"`
	Message     string   `json:"message,omitempty"`
	Position    *jsonPos `json:"position,omitempty"`
	Limit       string   `json:"limit,omitempty"`
	Model       string   `json:"model"`
	States      int64    `json:"states"`
	Transitions int64    `json:"transitions"`
	Depth       int      `json:"depth"`
	Seconds     float64  `json:"seconds"`
	StatesPerS  float64  `json:"states_per_second"`
	StoreBytes  int64    `json:"store_bytes"`              // fingerprint tables and parent links
	PeakBytes   int64    `json:"peak_bytes"`               // most held at once in memory by store, frontier and candidates
	PeakRSS     int64    `json:"peak_rss_bytes,omitempty"` // the process's resident set at its largest (Linux)
	// PartialOrder: the figures, the liveness check's included, are
	// those of the partial-order reduced graph
	// (explore.Result.PartialOrder).
	PartialOrder bool `json:"partial_order,omitempty"`
	// SafetyOnly: verified without the liveness check (--safety-only):
	// livelocks and liveness declarations were not checked.
	SafetyOnly bool `json:"safety_only,omitempty"`
	// NotShortest: the limit at which the search for the shortest trace
	// stopped; the trace is the reduced search's, real but perhaps longer
	// (explore.Result.NotShortest).
	NotShortest string   `json:"not_shortest,omitempty"`
	Columns     []string `json:"columns"`
	// InitialState is the state the trace starts from; absent without
	// a trace.
	InitialState []jsonRow  `json:"initial_state,omitempty"`
	Trace        []jsonStep `json:"trace"`
	// LoopStart is the step where a lasso's cycle starts (1-based); the
	// steps from it to the end repeat for ever. Absent for a plain trace.
	LoopStart int           `json:"loop_start,omitempty"`
	Liveness  *jsonLiveness `json:"liveness,omitempty"`
	// StoreBufferFull: under memory tso or weak a store buffer filled up.
	StoreBufferFull bool `json:"store_buffer_full,omitempty"`
	// HistoryFull: under memory weak the write history filled up.
	HistoryFull bool           `json:"history_full,omitempty"`
	Unreached   *jsonUnreached `json:"unreached,omitempty"`
	Covers      []jsonCover    `json:"covers,omitempty"`
}

type jsonLiveness struct {
	States  int64   `json:"states"`
	Edges   int64   `json:"edges"`
	Seconds float64 `json:"seconds"`
	Bytes   int64   `json:"bytes"`
	Acyclic bool    `json:"acyclic,omitempty"`
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
	Name         string     `json:"name"`
	Position     *jsonPos   `json:"position"`
	Reached      bool       `json:"reached"`
	Depth        int        `json:"depth,omitempty"`
	InitialState []jsonRow  `json:"initial_state,omitempty"`
	Trace        []jsonStep `json:"trace,omitempty"`
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
	// Also is the text the step shows in other lanes: a message's
	// arrival or drop at its CPU.
	Also []jsonCell `json:"also,omitempty"`
	// Violation is the kind of violation the step raised (the last
	// step of a trace that ends in one), or "".
	Violation string `json:"violation,omitempty"`
	// State is the whole state after the step, its changed rows
	// marked; absent for a step that raised a violation, which has
	// no state after it.
	State []jsonRow `json:"state,omitempty"`
}

// jsonCell is text in a lane: the column's name, as in Columns.
type jsonCell struct {
	Column string `json:"column"`
	Text   string `json:"text"`
}

// jsonRow is a StateRow; Changed marks a value that differs from the
// state before (the step's, or for the first step the initial state).
type jsonRow struct {
	StateRow
	Changed bool `json:"changed,omitempty"`
}

type jsonChange struct {
	Name string `json:"name"`
	Old  string `json:"old,omitempty"`
	New  string `json:"new"`
}

var kindNames = map[machine.Kind]string{
	machine.ThreadStep: "thread", machine.HandlerStep: "handler", machine.DeviceStep: "device",
	machine.Entry: "entry", machine.Arrival: "arrival", machine.Drop: "drop", machine.Switch: "switch",
	machine.Flush: "flush",
}

func posJSON(p syntax.Pos) *jsonPos {
	if !p.IsValid() {
		return nil
	}
	return &jsonPos{File: p.File, Line: p.Line, Col: p.Col}
}

// jsonTrace converts a trace's steps, and gives its initial state.
func jsonTrace(p *machine.Program, tr *explore.Trace, cols []string) (initial []jsonRow, steps []jsonStep) {
	ts := traceStates(p, tr)
	if ts.Initial != nil {
		initial = jsonRows(ts.Initial, nil)
	}
	steps = []jsonStep{}
	for i, st := range tr.Steps {
		js := jsonStep{Step: i + 1, Kind: kindNames[st.T.Kind], Actor: st.Actor, Text: st.Text, Position: posJSON(st.Pos), Violation: string(st.Violation)}
		if st.Column >= 0 && st.Column < len(cols) {
			js.Column = cols[st.Column]
		}
		for _, c := range Changes(p, tr, i) {
			js.Changes = append(js.Changes, jsonChange(c))
		}
		for _, a := range also(&st) {
			if a.Column >= 0 && a.Column < len(cols) {
				js.Also = append(js.Also, jsonCell{Column: cols[a.Column], Text: a.Text})
			}
		}
		if ts.After[i] != nil {
			js.State = jsonRows(ts.After[i], ts.Changed[i])
		}
		steps = append(steps, js)
	}
	return initial, steps
}

func jsonRows(rows []StateRow, changed []bool) []jsonRow {
	out := make([]jsonRow, len(rows))
	for i, r := range rows {
		out[i] = jsonRow{StateRow: r, Changed: changed != nil && changed[i]}
	}
	return out
}

// JSON writes the report as one JSON object.
func JSON(w io.Writer, p *machine.Program, r *explore.Result) error {
	cols := columnNames(p)
	secs := r.Elapsed.Seconds()
	jr := jsonReport{
		Schema:  JSONSchemaVersion,
		Verdict: string(r.Verdict), Limit: r.Limit, Model: p.Name,
		States: r.States, Transitions: r.Transitions, Depth: r.Depth,
		Seconds: secs, StoreBytes: r.StoreBytes, PeakBytes: r.PeakBytes, PeakRSS: r.PeakRSS, PartialOrder: r.PartialOrder, SafetyOnly: safetyOnly(r), NotShortest: r.NotShortest, Columns: cols, Trace: []jsonStep{},
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
		jr.InitialState, jr.Trace = jsonTrace(p, r.Trace, cols)
		if r.Loop >= 0 {
			jr.LoopStart = r.Loop + 1
		}
	}
	if lv := r.Liveness; lv != nil {
		jr.Liveness = &jsonLiveness{States: lv.States, Edges: lv.Edges, Seconds: lv.Elapsed.Seconds(), Bytes: lv.Bytes, Acyclic: lv.Acyclic}
	}
	jr.StoreBufferFull = r.StoreBufferFull
	jr.HistoryFull = r.HistoryFull
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
			jc.InitialState, jc.Trace = jsonTrace(p, c.Trace, cols)
		}
		jr.Covers = append(jr.Covers, jc)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jr)
}
