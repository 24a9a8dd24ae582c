package compile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/irqcheck/irqcheck/machine"
	"github.com/irqcheck/irqcheck/sema"
	"github.com/irqcheck/irqcheck/syntax"
)

// Compile translates a checked program. Errors found only now (a vector
// out of range, yield inside an atomic fn called from an atomic step) come
// back as a syntax.ErrorList.
func Compile(p *sema.Program) (*machine.Program, error) {
	c := &compiler{sp: p, prog: &machine.Program{Name: p.File.Name, Symmetric: p.Symmetric}}
	c.written = scanWrites(p)
	c.downFns = downFns(p)
	c.prog.MovesThreads, c.prog.InitMovesThreads = movesThreads(p, c.downFns)
	c.build()
	if len(c.errs) > 0 {
		c.errs.Sort()
		return nil, c.errs
	}
	return c.prog, nil
}

type compiler struct {
	sp    *sema.Program
	prog  *machine.Program
	lay   *machine.Layout
	b     layoutBuilder
	errs  syntax.ErrorList
	seen  map[string]bool
	globs map[*sema.Object]int32 // first slot of each global
	// The frames of the processes, kept for the symmetry.
	handlerFrames, threadFrames, deviceFrames []framed
	// fnOfLocal names the fn each fn local belongs to, for slot names.
	fnOfLocal map[*sema.Object]string
	// written holds the globals some code may write (see scanWrites).
	written map[*sema.Object]bool
	// downFns holds the fns that may call cpu_down (see downFns).
	downFns map[*sema.Fn]bool

	// Per process being compiled.
	proc      *sema.Proc
	localOff  map[*sema.Object]int32    // frame-relative slot of each local
	fnOff     map[*sema.Fn]int32        // frame-relative base of each fn's locals
	subs      map[*sema.Fn]machine.Code // sub-programs for calls inside expressions
	regionSeq int32
	instrs    int  // instructions emitted so far
	tooBig    bool // instrs passed maxInstrs (reported once)
}

func (c *compiler) errorf(pos syntax.Pos, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	key := pos.String() + msg
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	c.errs = append(c.errs, &syntax.Error{Pos: pos, Msg: msg})
}

func (c *compiler) build() {
	p := c.sp
	c.seen = map[string]bool{}
	c.lay = &machine.Layout{NCPUs: p.NCPUs, InflightCap: p.Inflight, AnyTarget: p.Symmetric}
	if p.Memory == sema.MemoryTSO || p.Memory == sema.MemoryWeak {
		c.lay.SBSize = p.StoreBuffer
	}
	if p.Memory == sema.MemoryWeak {
		c.lay.Weak = true
		c.lay.HistCap = machine.HistoryPerEntry * p.StoreBuffer
	}
	c.prog.Layout = c.lay
	c.prog.Memory = p.MemoryName
	if c.prog.Memory == "" {
		c.prog.Memory = "sc"
	}
	for _, t := range p.Threads {
		c.prog.Names.Threads = append(c.prog.Names.Threads, t.Name)
	}
	c.b = layoutBuilder{l: c.lay, threads: c.prog.Names.Threads}
	c.fnOfLocal = map[*sema.Object]string{}
	for _, fn := range p.Fns {
		for _, o := range fn.Locals {
			c.fnOfLocal[o] = fn.Name
		}
	}
	for _, h := range p.Handlers {
		c.prog.Names.Handlers = append(c.prog.Names.Handlers, h.Name)
	}

	vectors, verrs := vectorUniverse(p, sema.BRequestIRQ)
	c.errs = append(c.errs, verrs...)
	pending, _ := vectorUniverse(p, sema.BRequestIRQ, sema.BFreeIRQ, sema.BSendIPI, sema.BPending, sema.BClearPending)
	c.lay.Pending = pending
	c.lay.IRRWords = max(1, (len(pending)+31)/32)
	for i := range c.lay.PendingIndex {
		c.lay.PendingIndex[i] = -1
	}
	for i, v := range pending {
		c.lay.PendingIndex[v] = int16(i)
	}
	c.lay.Vectors = vectors
	for i := range c.lay.VectorIndex {
		c.lay.VectorIndex[i] = -1
	}
	for i, v := range vectors {
		c.lay.VectorIndex[v] = int16(i)
	}

	// Globals first, in declaration order.
	c.globs = map[*sema.Object]int32{}
	for _, g := range p.Globals {
		c.b.pos = g.Pos
		c.globs[g] = c.b.allocVar(g.Name, g.Type, g.Hex, -1)
	}
	c.lay.Globals = int32(c.lay.Size)
	if c.lay.Weak {
		// The bases and the history sit before the CPUs' slots: a
		// symmetric model's renaming moves and renames them slot by slot.
		c.lay.Base = c.b.alloc(int(c.lay.Globals), machine.SlotInfo{Name: "bases", Kind: machine.SlotHidden, Owner: -1})
		c.lay.BaseLive = c.b.alloc(int(c.lay.Globals), machine.SlotInfo{Name: "bases live", Kind: machine.SlotHidden, Owner: -1})
		c.lay.Hist = c.b.alloc(4*c.lay.HistCap, machine.SlotInfo{Name: "write history", Kind: machine.SlotHidden, Owner: -1})
		c.lay.CPULoaded = make([]bool, c.lay.Globals)
		for g := range cpuLoaded(p) {
			for k := range int32(g.Type.Slots()) {
				c.lay.CPULoaded[c.globs[g]+k] = true
			}
		}
	}

	// Frames: handler frames are per CPU, sized for the largest handler.
	newFramed := func(pr *sema.Proc) framed {
		offs, fo, size := c.frame(pr)
		return framed{pr, offs, fo, size}
	}
	var handlers, threads, devices []framed
	var hsize int32
	hslots := map[int32]*machine.SlotInfo{}
	for _, h := range p.Handlers {
		f := newFramed(h)
		if p.Symmetric {
			// Handlers share the per-CPU frame; in a symmetric model
			// each takes its own part of it (see frame).
			for o := range f.offs {
				f.offs[o] += hsize
			}
			for fn := range f.fo {
				f.fo[fn] += hsize
			}
			f.size += hsize
		}
		handlers = append(handlers, f)
		hsize = max(hsize, f.size)
		frameSlots(hslots, f.offs, h.Name, c.prog.Names.Threads, c.fnOfLocal)
	}
	c.lay.HFrameSize = int(hsize)

	c.b.pos = syntax.Pos{File: p.File.Name, Line: 1, Col: 1}
	for _, d := range p.File.Decls {
		if d, ok := d.(*syntax.CpusDecl); ok {
			c.b.pos = d.Pos()
			break
		}
	}
	for cpu := 0; cpu < p.NCPUs && !c.b.over; cpu++ {
		pre := fmt.Sprintf("cpu%d.", cpu)
		var cs machine.CPUSlots
		cs.Online = c.b.alloc(1, machine.SlotInfo{Name: pre + "online", Kind: machine.SlotBool, Owner: -1})
		cs.IF = c.b.alloc(1, machine.SlotInfo{Name: pre + "IF", Kind: machine.SlotBool, Owner: -1})
		cs.Cur = c.b.alloc(1, machine.SlotInfo{Name: pre + "current", Kind: machine.SlotHidden, Owner: -1})
		cs.Handler = c.b.alloc(1, machine.SlotInfo{Name: pre + "handler", Kind: machine.SlotHidden, Owner: -1})
		cs.HPC = c.b.alloc(1, machine.SlotInfo{Name: pre + "hpc", Kind: machine.SlotHidden, Owner: -1})
		cs.HVec = c.b.alloc(1, machine.SlotInfo{Name: pre + "hvec", Kind: machine.SlotHidden, Owner: -1})
		cs.HFrame = int32(c.lay.Size)
		for off := int32(0); off < hsize && !c.b.over; off++ {
			in := slotOrUnused(hslots, off, "handler")
			in.Name = pre + in.Name
			c.b.alloc(1, in)
		}
		cs.IRR = c.b.alloc(c.lay.IRRWords, machine.SlotInfo{Name: pre + "irr", Kind: machine.SlotHidden, Owner: -1})
		cs.VT = int32(c.lay.Size)
		for _, v := range vectors {
			c.b.alloc(1, machine.SlotInfo{Name: fmt.Sprintf("%svector[%#x]", pre, v), Kind: machine.SlotHandler, Owner: -1})
		}
		if c.lay.SBSize > 0 {
			cs.SB = c.b.alloc(2*c.lay.SBSize, machine.SlotInfo{Name: pre + "store buffer", Kind: machine.SlotHidden, Owner: -1})
		}
		if c.lay.Weak {
			cs.View = c.b.alloc(machine.NumViews, machine.SlotInfo{Name: pre + "views", Kind: machine.SlotHidden, Owner: -1})
		}
		c.lay.CPUs = append(c.lay.CPUs, cs)
	}

	for _, t := range p.Threads {
		f := newFramed(t)
		c.b.pos = t.Pos
		var ps machine.ProcSlots
		ps.CPU = c.b.alloc(1, machine.SlotInfo{Name: t.Name + ".cpu", Kind: machine.SlotHidden, Owner: -1})
		ps.PC = c.b.alloc(1, machine.SlotInfo{Name: t.Name + ".pc", Kind: machine.SlotHidden, Owner: -1})
		ps.IF = c.b.alloc(1, machine.SlotInfo{Name: t.Name + ".IF", Kind: machine.SlotHidden, Owner: -1})
		ps.Frame = c.allocFrame(f.offs, t.Name, f.size)
		c.lay.Threads = append(c.lay.Threads, ps)
		threads = append(threads, f)
	}
	for _, d := range p.Devices {
		f := newFramed(d)
		c.b.pos = d.Pos
		var ps machine.ProcSlots
		ps.CPU, ps.IF = -1, -1
		ps.PC = c.b.alloc(1, machine.SlotInfo{Name: d.Name + ".pc", Kind: machine.SlotHidden, Owner: -1})
		ps.Frame = c.allocFrame(f.offs, d.Name, f.size)
		c.lay.Devices = append(c.lay.Devices, ps)
		devices = append(devices, f)
	}
	c.lay.Inflight = c.b.alloc(p.Inflight, machine.SlotInfo{Name: "inflight", Kind: machine.SlotHidden, Owner: -1})
	if p.Init != nil && !c.b.over {
		// init runs with its frame after the state (see machine.InitialStates).
		c.b.pos = p.Init.Pos
		_, _, size := c.frame(p.Init)
		c.b.room(int(size))
	}
	if c.b.over {
		c.errorf(c.b.overPos, "the model's state is too large: more than %d slots (%d cpus, globals, frames of threads, devices and handlers)", MaxStateSlots, p.NCPUs)
		return
	}

	// Code.
	for i, h := range handlers {
		code := c.procCode(h.sp, h.offs, h.fo)
		c.prog.Handlers = append(c.prog.Handlers, &machine.Proc{Kind: sema.ProcHandler, Name: h.sp.Name, Index: i, Code: code, FrameSize: h.size, Pos: h.sp.Pos})
	}
	for i, t := range threads {
		code := c.procCode(t.sp, t.offs, t.fo)
		c.prog.Threads = append(c.prog.Threads, &machine.Proc{Kind: sema.ProcThread, Name: t.sp.Name, Index: i, CPU: t.sp.CPU, Family: t.sp.Family, Code: code, FrameSize: t.size, Pos: t.sp.Pos, Forever: t.sp.Forever})
	}
	for i, d := range devices {
		code := c.procCode(d.sp, d.offs, d.fo)
		c.prog.Devices = append(c.prog.Devices, &machine.Proc{Kind: sema.ProcDevice, Name: d.sp.Name, Index: i, CPU: -1, Code: code, FrameSize: d.size, Pos: d.sp.Pos, Forever: d.sp.Forever})
	}
	if p.Init != nil {
		f := newFramed(p.Init)
		code := c.procCode(p.Init, f.offs, f.fo)
		c.prog.Init = &machine.Proc{Kind: sema.ProcInit, Name: "init", CPU: -1, Code: code, FrameSize: f.size, Pos: p.Init.Pos}
	}
	c.proc = nil
	for _, inv := range p.Invariants {
		c.prog.Invariants = append(c.prog.Invariants, &machine.Property{Name: inv.Name, Pos: inv.Pos, Text: syntax.ExprString(inv.Cond), Eval: c.expr(inv.Cond)})
	}
	for _, f := range p.Finals {
		c.prog.Finals = append(c.prog.Finals, &machine.Property{Name: f.Name, Pos: f.Pos, Text: syntax.ExprString(f.Cond), Eval: c.expr(f.Cond)})
	}
	for _, cv := range p.Covers {
		c.prog.Covers = append(c.prog.Covers, &machine.Property{Name: cv.Name, Pos: cv.Pos, Text: syntax.ExprString(cv.Cond), Eval: c.expr(cv.Cond)})
	}
	for _, lv := range p.Liveness {
		cl := &machine.LivenessDecl{Name: lv.Name, Pos: lv.Pos, Kind: lv.Kind, P: c.expr(lv.P)}
		switch lv.Kind {
		case syntax.LeadsTo:
			cl.Q = c.expr(lv.Q)
			cl.Text = syntax.ExprString(lv.P) + " ~> " + syntax.ExprString(lv.Q)
		case syntax.AlwaysEventually:
			cl.Text = "always eventually " + syntax.ExprString(lv.P)
		case syntax.EventuallyAlways:
			cl.Text = "eventually always " + syntax.ExprString(lv.P)
		}
		c.prog.Liveness = append(c.prog.Liveness, cl)
	}
	c.numberInstrs()
	c.markHexSlots()
	c.handlerFrames, c.threadFrames, c.deviceFrames = handlers, threads, devices
	c.initialState()
	if p.Symmetric && len(c.errs) == 0 {
		c.prog.Symmetry = c.symmetry()
	}
}

// numberInstrs gives every instruction of every process an ID, for
// coverage: handlers, then threads, then devices. IDs start at 1: the
// instructions of sub-programs (atomic fns called inside expressions)
// keep ID 0, which no report reads.
func (c *compiler) numberInstrs() {
	id := int32(1)
	for _, procs := range [][]*machine.Proc{c.prog.Handlers, c.prog.Threads, c.prog.Devices} {
		for _, pr := range procs {
			for i := range pr.Code {
				pr.Code[i].ID = id
				id++
			}
		}
	}
	c.prog.Instrs = int(id)
}

// framed is a process with the layout of its frame.
type framed struct {
	sp   *sema.Proc
	offs map[*sema.Object]int32
	fo   map[*sema.Fn]int32
	size int32
}

// frameSlots describes the frame slots of a process for traces. A slot
// shared by locals of fns never active together lists all their names.
// Locals of a fn are named fn.var, those of the process itself owner.var.
func frameSlots(slots map[int32]*machine.SlotInfo, offs map[*sema.Object]int32, owner string, threads []string, fnOf map[*sema.Object]string) {
	type ent struct {
		off  int32
		name string
		kind machine.SlotKind
		hex  bool
	}
	var ents []ent
	for o, off := range offs {
		var leaves []leaf
		prefix := owner
		if fn, ok := fnOf[o]; ok {
			prefix = fn
		}
		leaves = flatten(o.Type, prefix+"."+o.Name, leaves, threads)
		for i, lf := range leaves {
			ents = append(ents, ent{off + int32(i), lf.name, slotKind(lf.t), o.Hex})
		}
	}
	sort.Slice(ents, func(i, j int) bool {
		if ents[i].off != ents[j].off {
			return ents[i].off < ents[j].off
		}
		return ents[i].name < ents[j].name
	})
	for _, e := range ents {
		in := slots[e.off]
		if in == nil {
			slots[e.off] = &machine.SlotInfo{Name: e.name, Kind: e.kind, Hex: e.hex, Owner: -1}
			continue
		}
		if in.Kind != e.kind {
			in.Kind = machine.SlotInt
		}
		if !strings.Contains("/"+in.Name+"/", "/"+e.name+"/") {
			in.Name += "/" + e.name
		}
	}
}

func slotOrUnused(slots map[int32]*machine.SlotInfo, off int32, owner string) machine.SlotInfo {
	if in := slots[off]; in != nil {
		return *in
	}
	return machine.SlotInfo{Name: fmt.Sprintf("%s.unused%d", owner, off), Kind: machine.SlotHidden, Owner: -1}
}

type leaf struct {
	name string
	t    *sema.Type
}

// flatten lists the scalar leaves of a value of type t, named from name.
func flatten(t *sema.Type, name string, out []leaf, threads []string) []leaf {
	switch t.Kind {
	case sema.Struct:
		for _, f := range t.Struct.Fields {
			out = flatten(f.Type, name+"."+f.Name, out, threads)
		}
	case sema.Array:
		for i := 0; i < t.Len; i++ {
			out = flatten(t.Elem, name+elemLabel(t, i, threads), out, threads)
		}
	default:
		out = append(out, leaf{name, t})
	}
	return out
}

// allocFrame allocates the frame of a thread or device.
func (c *compiler) allocFrame(offs map[*sema.Object]int32, owner string, size int32) int32 {
	at := int32(c.lay.Size)
	slots := map[int32]*machine.SlotInfo{}
	frameSlots(slots, offs, owner, c.prog.Names.Threads, c.fnOfLocal)
	for off := int32(0); off < size && !c.b.over; off++ {
		c.b.alloc(1, slotOrUnused(slots, off, owner))
	}
	return at
}

// frame lays out the locals of a process and of every fn it can reach.
// Locals of fns never active at the same time share slots: a fn's locals
// start where the deepest of its callers' end, as on a stack (fns do not
// recurse, so the call graph is acyclic).
func (c *compiler) frame(pr *sema.Proc) (offs map[*sema.Object]int32, fnOff map[*sema.Fn]int32, size int32) {
	offs = map[*sema.Object]int32{}
	fnOff = map[*sema.Fn]int32{}
	var own int32
	for _, o := range pr.Locals {
		offs[o] = own
		own += int32(o.Type.Slots())
	}
	size = own
	// Callers of each fn, in a deterministic order.
	callees := func(body syntax.Node) []*sema.Fn {
		var out []*sema.Fn
		syntax.Inspect(body, func(n syntax.Node) bool {
			if call, ok := n.(*syntax.CallExpr); ok {
				if o := c.sp.Info.Uses[call.Fun]; o != nil && o.Kind == sema.ObjFn {
					out = append(out, o.Fn)
				}
			}
			return true
		})
		return out
	}
	// Longest-path offsets over the DAG, by repeated relaxation in
	// topological order (depth-first post-order).
	var order []*sema.Fn
	visited := map[*sema.Fn]bool{}
	var dfs func(fn *sema.Fn)
	dfs = func(fn *sema.Fn) {
		if visited[fn] {
			return
		}
		visited[fn] = true
		for _, g := range callees(fn.Decl.Body) {
			dfs(g)
		}
		order = append(order, fn)
	}
	roots := callees(pr.Body)
	for _, fn := range roots {
		dfs(fn)
	}
	raise := func(fn *sema.Fn, at int32) {
		if old, ok := fnOff[fn]; !ok || at > old {
			fnOff[fn] = at
		}
	}
	for _, fn := range roots {
		raise(fn, own)
	}
	if c.sp.Symmetric {
		// No sharing: a permutation must know the type of every slot,
		// so each fn gets a region of its own.
		at := own
		for i := len(order) - 1; i >= 0; i-- {
			fn := order[i]
			fnOff[fn] = at
			for _, o := range fn.Locals {
				at += int32(o.Type.Slots())
			}
		}
		order = nil
	}
	for i := len(order) - 1; i >= 0; i-- { // callers before callees
		fn := order[i]
		var n int32
		for _, o := range fn.Locals {
			n += int32(o.Type.Slots())
		}
		end := fnOff[fn] + n
		if end > size {
			size = end
		}
		for _, g := range callees(fn.Decl.Body) {
			raise(g, end)
		}
	}
	// Offsets only grow during relaxation; recompute sizes' ends.
	for fn, off := range fnOff {
		var at int32 = off
		for _, o := range fn.Locals {
			offs[o] = at
			at += int32(o.Type.Slots())
		}
		if at > size {
			size = at
		}
	}
	return offs, fnOff, size
}

// initialState builds the state before init: globals at their initial
// values, every CPU online with interrupts enabled and its first thread
// current, every thread at its first step.
func (c *compiler) initialState() {
	l := c.lay
	s := make(machine.State, l.Size)
	for _, g := range c.sp.Globals {
		c.initValue(s, c.globs[g], g.Type, g.Init)
	}
	for i := range l.CPUs {
		cs := l.CPUs[i]
		s[cs.Online] = 1
		s[cs.IF] = 1
		s[cs.Cur] = -1
	}
	for i, t := range c.prog.Threads {
		ps := l.Threads[i]
		s[ps.CPU] = int32(t.CPU)
		s[ps.IF] = 1
		if s[l.CPUs[t.CPU].Cur] == -1 {
			s[l.CPUs[t.CPU].Cur] = int32(i)
		}
		x := &machine.Ctx{S: s, L: l, Frame: ps.Frame}
		s[ps.PC] = x.Settle(t.Code, 0)
	}
	for i, d := range c.prog.Devices {
		ps := l.Devices[i]
		x := &machine.Ctx{S: s, L: l, Frame: ps.Frame}
		s[ps.PC] = x.Settle(d.Code, 0)
	}
	c.prog.Initial = s
}

// initValue writes the initial value of a variable of type t at slot at.
func (c *compiler) initValue(s machine.State, at int32, t *sema.Type, init syntax.Expr) {
	switch t.Kind {
	case sema.Struct:
		lit, _ := init.(*syntax.CompositeLit)
		off := at
		for i, f := range t.Struct.Fields {
			var fe syntax.Expr
			if lit != nil {
				if lit.Fields != nil {
					for _, kv := range lit.Fields {
						if kv.Key.Name == f.Name {
							fe = kv.Value
						}
					}
				} else if i < len(lit.Elems) {
					fe = lit.Elems[i]
				}
			}
			c.initValue(s, off, f.Type, fe)
			off += int32(f.Type.Slots())
		}
	case sema.Array:
		lit, _ := init.(*syntax.CompositeLit)
		n := int32(t.Elem.Slots())
		for i := 0; i < t.Len; i++ {
			var ee syntax.Expr
			if lit != nil && i < len(lit.Elems) {
				ee = lit.Elems[i]
			}
			c.initValue(s, at+int32(i)*n, t.Elem, ee)
		}
	default:
		if init != nil {
			s[at] = int32(c.sp.Info.Consts[init] + cpuBias(t))
		}
	}
}

// Load parses, checks and compiles a model source. Errors are a
// syntax.ErrorList of file:line:col messages.
func Load(filename string, src []byte) (*machine.Program, error) {
	f, err := syntax.ParseFile(filename, src)
	if err != nil {
		return nil, err
	}
	sp, err := sema.Check(f)
	if err != nil {
		return nil, err
	}
	return Compile(sp)
}
