package explore

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/irqcheck/irqcheck/machine"
	"github.com/irqcheck/irqcheck/syntax"
)

// coverage is what one worker's part of a search reached.
type coverage struct {
	instrs    []uint64 // bit per instruction ID: executed by some step
	entered   []bool   // per handler: some interrupt entry ran it
	delivered [256]bool
	finished  bool    // a terminal state passed every hang check (finals were evaluated)
	coverAt   []int32 // per cover: the first state (in level order) where it holds, or -1
	coverErr  []*machine.Violation
}

func newCoverage(p *machine.Program) *coverage {
	c := alone[coverage]()
	c.instrs = aloneSlice[uint64]((p.Instrs + 63) / 64)
	c.entered = aloneSlice[bool](len(p.Handlers))
	c.coverAt = make([]int32, len(p.Covers))
	c.coverErr = make([]*machine.Violation, len(p.Covers))
	for i := range c.coverAt {
		c.coverAt[i] = -1
	}
	return c
}

// merge adds what o reached to c.
func (c *coverage) merge(o *coverage) {
	for i, w := range o.instrs {
		c.instrs[i] |= w
	}
	for i, e := range o.entered {
		c.entered[i] = c.entered[i] || e
	}
	for v, d := range o.delivered {
		c.delivered[v] = c.delivered[v] || d
	}
	c.finished = c.finished || o.finished
	for i, at := range o.coverAt {
		if at >= 0 && (c.coverAt[i] < 0 || at < c.coverAt[i]) {
			c.coverAt[i] = at
		}
		if c.coverErr[i] == nil {
			c.coverErr[i] = o.coverErr[i]
		}
	}
}

// transition records what a transition reached.
func (c *coverage) transition(t *machine.Transition) {
	if t.Kind == machine.Entry && t.Proc >= 0 && (!c.entered[t.Proc] || !c.delivered[t.Vector&255]) {
		c.entered[t.Proc] = true // written once: see Ctx.Covered
		c.delivered[t.Vector&255] = true
	}
}

// covers evaluates the covers not yet reached before this level in the
// state id.
func (c *coverage) covers(p *machine.Program, m *machine.Machine, s machine.State, id int32, done []bool) {
	for i, cv := range p.Covers {
		if done[i] || c.coverAt[i] >= 0 && c.coverAt[i] < id {
			continue
		}
		r, v := m.Eval(s, cv.Eval)
		if v != nil {
			if c.coverErr[i] == nil {
				c.coverErr[i] = v
			}
			continue
		}
		if r != 0 {
			c.coverAt[i] = id
		}
	}
}

// Unreached is what a complete search never reached: the vacuity report
// printed under "verified". A property about code that never runs holds
// trivially, so each item here is a question for the model's author.
type Unreached struct {
	// Statements never executed, in source order.
	Statements []UnreachedStatement
	// Handlers never entered: no interrupt ever ran them.
	Handlers []string
	// Vectors that have a handler registered somewhere (request_irq) but
	// were never taken by any CPU.
	Vectors []int32
	// FinalsUnchecked is set when the model has final conditions but no
	// reachable terminal state in which every process finished: they were
	// never evaluated.
	FinalsUnchecked bool
	// Triggers lists the liveness declarations P ~> Q whose P holds in no
	// reachable state.
	Triggers []string
}

// Items names what the report lists, one item each: "line N" for a
// statement, "handler NAME", "vector 0xNN", "finals", and "liveness
// NAME" for a liveness declaration whose trigger never holds. These are
// the keys of a catalog model's unreached header lines.
func (u *Unreached) Items() []string {
	if u == nil {
		return nil
	}
	var out []string
	for _, st := range u.Statements {
		out = append(out, fmt.Sprintf("line %d", st.Pos.Line))
	}
	for _, h := range u.Handlers {
		out = append(out, "handler "+h)
	}
	for _, v := range u.Vectors {
		out = append(out, fmt.Sprintf("vector %#x", v))
	}
	if u.FinalsUnchecked {
		out = append(out, "finals")
	}
	for _, t := range u.Triggers {
		k, _, _ := strings.Cut(t, ":")
		out = append(out, k)
	}
	return out
}

// UnreachedStatement is a statement no step ever executed.
type UnreachedStatement struct {
	Proc string // the thread, handler or device whose code holds it
	Pos  syntax.Pos
	Text string
}

// Empty reports whether the search reached everything.
func (u *Unreached) Empty() bool {
	return u == nil || len(u.Statements) == 0 && len(u.Handlers) == 0 && len(u.Vectors) == 0 && !u.FinalsUnchecked && len(u.Triggers) == 0
}

// unreached builds the vacuity report from what the search reached.
func unreached(p *machine.Program, c *coverage) *Unreached {
	u := &Unreached{}
	covered := func(id int32) bool { return c.instrs[id>>6]&(1<<(id&63)) != 0 }
	// A statement may appear in several processes' code (an inlined fn,
	// the copies of a thread on each cpu): it is reached if any copy is.
	type stmt struct {
		proc string
		text string
		hit  bool
	}
	byPos := map[syntax.Pos]*stmt{}
	var order []syntax.Pos
	add := func(name string, code machine.Code) {
		for i := range code {
			in := &code[i]
			if in.Free || in.Op == machine.OpEnd || !in.Pos.IsValid() {
				continue
			}
			st := byPos[in.Pos]
			if st == nil {
				st = &stmt{proc: name, text: in.Text}
				byPos[in.Pos] = st
				order = append(order, in.Pos)
			}
			st.hit = st.hit || covered(in.ID)
		}
	}
	for h, pr := range p.Handlers {
		if !c.entered[h] {
			u.Handlers = append(u.Handlers, pr.Name)
			continue // its statements are not listed one by one
		}
		add("handler "+pr.Name, pr.Code)
	}
	for _, pr := range p.Threads {
		name := pr.Name
		if pr.Family >= 0 {
			name, _, _ = strings.Cut(name, "[")
		}
		add("thread "+name, pr.Code)
	}
	for _, pr := range p.Devices {
		add("device "+pr.Name, pr.Code)
	}
	for _, pos := range order {
		st := byPos[pos]
		if !st.hit {
			u.Statements = append(u.Statements, UnreachedStatement{Proc: st.proc, Pos: pos, Text: st.text})
		}
	}
	slices.SortFunc(u.Statements, func(a, b UnreachedStatement) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	for _, v := range p.Layout.Vectors {
		if !c.delivered[v] {
			u.Vectors = append(u.Vectors, int32(v))
		}
	}
	u.FinalsUnchecked = len(p.Finals) > 0 && !c.finished
	return u
}
