package sema

import (
	"fmt"
	"math"
	"strings"

	"github.com/irqcheck/irqcheck/syntax"
)

// maxErrors bounds the errors reported for one model.
const maxErrors = 10

// Check resolves and type-checks a parsed model. On failure the error is a
// syntax.ErrorList with one file:line:col entry per problem.
func Check(f *syntax.File) (*Program, error) {
	c := &checker{
		prog: &Program{File: f, Info: &Info{
			Types:  make(map[syntax.Expr]*Type),
			Consts: make(map[syntax.Expr]int64),
			Uses:   make(map[*syntax.Ident]*Object),
			Defs:   make(map[*syntax.Ident]*Object),
			Calls:  make(map[*syntax.CallExpr]*Type),
			Fields: make(map[*syntax.SelectorExpr]int),

			CPULoops: make(map[*syntax.ForStmt]*Object),
		}},
		universe:    make(map[string]*Object),
		features:    make(map[*Fn][]feature),
		calls:       make(map[*Fn][]*callSite),
		structDecls: make(map[*StructType]*syntax.StructDecl),
		structState: make(map[*StructType]int),
	}
	c.check(f)
	if len(c.errs) > 0 {
		c.errs.Sort()
		if len(c.errs) > maxErrors {
			c.errs = c.errs[:maxErrors]
		}
		return nil, c.errs
	}
	return c.prog, nil
}

type bailout struct{}

type checker struct {
	prog     *Program
	errs     syntax.ErrorList
	universe map[string]*Object
	scopes   []map[string]*Object

	// Per body being checked.
	fn         *Fn         // enclosing fn, or nil in a process body
	proc       *Proc       // enclosing process, or nil in a fn
	atomic     int         // depth of atomic context
	loops      int         // depth of loops
	loopStart  syntax.Expr // the start of a loop over every cpu whose init is being checked (see cpuLoopStart)
	locals     *[]*Object
	inProperty bool       // checking an invariant or final: pure expressions only
	curFeats   *[]feature // context-sensitive features used by the body
	curCalls   *[]*callSite
	features   map[*Fn][]feature
	calls      map[*Fn][]*callSite
	cpuType    *Type
	threadTyp  *Type

	// Struct declarations are resolved on first use, so that a struct may
	// be used before its declaration and a recursive one is caught.
	structDecls map[*StructType]*syntax.StructDecl
	structState map[*StructType]int // 0 unresolved, 1 resolving, 2 done
	resolving   []*StructType       // structs being resolved, outermost first
	cpusKnown   bool                // the cpus declaration has been evaluated
}

// A feature is a use of something valid only in some kinds of process.
type feature struct {
	what string // "this_cpu", "this_vector", "irq_disable", "yield", ...
	pos  syntax.Pos
}

// A callSite records a call of a fn, for recursion and context checks.
type callSite struct {
	fn     *Fn
	pos    syntax.Pos
	atomic bool // called from an atomic context
}

func (c *checker) errorf(pos syntax.Pos, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	for _, e := range c.errs {
		if e.Pos == pos && e.Msg == msg {
			return // the same finding reached twice (a fn called from two places, ...)
		}
	}
	c.errs = append(c.errs, &syntax.Error{Pos: pos, Msg: msg})
	if len(c.errs) > 4*maxErrors {
		panic(bailout{})
	}
}

func (c *checker) check(f *syntax.File) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
		}
	}()
	for _, b := range builtinList {
		c.universe[b.Name] = &Object{Kind: ObjBuiltin, Name: b.Name, Builtin: b}
	}
	c.cpuType = &Type{Kind: CPU}
	c.threadTyp = &Type{Kind: Thread}
	p := c.prog

	// Pass 1: the machine size, then every top-level name, so that bodies
	// may refer to fns, handlers and threads declared later.
	var cpusDecl *syntax.CpusDecl
	for _, d := range f.Decls {
		if d, ok := d.(*syntax.CpusDecl); ok {
			if cpusDecl != nil {
				c.errorf(d.CpusPos, "cpus declared twice (first at %s)", cpusDecl.CpusPos)
				continue
			}
			cpusDecl = d
		}
	}
	if cpusDecl == nil {
		c.errorf(syntax.Pos{File: f.Name, Line: 1, Col: 1}, "missing cpus declaration (for example: cpus 2;)")
	}
	p.NCPUs = 1 // until the cpus declaration is evaluated (see cpusKnown)
	var threadDecls []*syntax.ThreadDecl
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *syntax.StructDecl:
			st := &StructType{Name: d.Name.Name}
			c.structDecls[st] = d
			c.declare(d.Name, &Object{Kind: ObjStruct, Type: &Type{Kind: Struct, Struct: st}})
		case *syntax.FnDecl:
			fn := &Fn{Name: d.Name.Name, Decl: d, Atomic: d.Atomic, Result: TypVoid}
			p.Fns = append(p.Fns, fn)
			c.declare(d.Name, &Object{Kind: ObjFn, Fn: fn})
		case *syntax.HandlerDecl:
			pr := &Proc{Kind: ProcHandler, Name: d.Name.Name, Pos: d.HandlerPos, Body: d.Body, Index: len(p.Handlers)}
			p.Handlers = append(p.Handlers, pr)
			c.declare(d.Name, &Object{Kind: ObjHandler, Type: TypHandler, Proc: pr, Index: pr.Index})
		case *syntax.ThreadDecl:
			threadDecls = append(threadDecls, d) // created once NCPUS is known
		case *syntax.DeviceDecl:
			pr := &Proc{Kind: ProcDevice, Name: d.Name.Name, Pos: d.DevicePos, Body: d.Body, Index: len(p.Devices), Forever: d.Forever}
			p.Devices = append(p.Devices, pr)
			c.declare(d.Name, &Object{Kind: ObjDevice, Proc: pr, Index: pr.Index})
		case *syntax.InitDecl:
			if p.Init != nil {
				c.errorf(d.InitPos, "init declared twice (first at %s)", p.Init.Pos)
				continue
			}
			p.Init = &Proc{Kind: ProcInit, Name: "init", Pos: d.InitPos, Body: d.Body}
		}
	}

	// Pass 2, in source order: constants, machine size, struct fields,
	// globals (whose initial values are constants). The machine size comes
	// first, after only the constants written before it, because [cpu]
	// arrays, cpu constants and NCPUS anywhere depend on it.
	done := map[syntax.Decl]bool{}
	if cpusDecl != nil {
		for _, d := range f.Decls {
			if d == syntax.Decl(cpusDecl) {
				break
			}
			if d, ok := d.(*syntax.ConstDecl); ok {
				c.constDecl(d)
				done[d] = true
			}
		}
		n, ok := c.constInt(cpusDecl.Count)
		if ok && (n < 1 || n > 64) {
			c.errorf(cpusDecl.Count.Pos(), "cpus must be between 1 and 64, not %d", n)
			n = 1
		}
		if !ok {
			n = 1
		}
		p.NCPUs = int(n)
		p.Symmetric = cpusDecl.Symmetric
	}
	c.cpusKnown = true
	if cpusDecl != nil && p.Symmetric {
		p.Distinguished = make([]bool, p.NCPUs)
		for _, e := range cpusDecl.Except {
			v, ok := c.constCPU(e)
			switch {
			case !ok:
			case v < 0 || v >= int64(p.NCPUs):
				c.errorf(e.Pos(), "except: cpu %d out of range 0..%d", v, p.NCPUs-1)
			default: // naming one twice is harmless (except 0, NCPUS-1 with 1 CPU)
				p.Distinguished[v] = true
			}
		}
	}
	// Threads, in declaration order; a thread on each cpu becomes one copy
	// per CPU, named NAME[c].
	for _, d := range threadDecls {
		if !d.EachCPU {
			pr := &Proc{Kind: ProcThread, Name: d.Name.Name, Pos: d.ThreadPos, Body: d.Body, Index: len(p.Threads), Family: -1, Forever: d.Forever}
			p.Threads = append(p.Threads, pr)
			c.declare(d.Name, &Object{Kind: ObjThread, Type: c.threadTyp, Proc: pr, Index: pr.Index})
			continue
		}
		fam := len(p.Families)
		p.Families = append(p.Families, d.Name.Name)
		var first *Proc
		for cpu := 0; cpu < p.NCPUs; cpu++ {
			pr := &Proc{Kind: ProcThread, Name: fmt.Sprintf("%s[%d]", d.Name.Name, cpu), Pos: d.ThreadPos, Body: d.Body, Forever: d.Forever,
				Index: len(p.Threads), CPU: cpu, Family: fam}
			p.Threads = append(p.Threads, pr)
			if first == nil {
				first = pr
			}
		}
		c.declare(d.Name, &Object{Kind: ObjFamily, Proc: first})
	}
	p.Inflight = DefaultInflight
	inflightSeen := false
	var memorySeen *syntax.MemoryDecl
	for _, d := range f.Decls {
		if done[d] {
			continue
		}
		switch d := d.(type) {
		case *syntax.InflightDecl:
			if inflightSeen {
				c.errorf(d.InflightPos, "inflight declared twice")
				continue
			}
			inflightSeen = true
			n, ok := c.constInt(d.Count)
			if ok && (n < 1 || n > 1024) {
				c.errorf(d.Count.Pos(), "inflight must be between 1 and 1024, not %d", n)
			} else if ok {
				p.Inflight = int(n)
			}
		case *syntax.MemoryDecl:
			if memorySeen != nil {
				c.errorf(d.MemoryPos, "memory declared twice (first at %s)", memorySeen.MemoryPos)
				continue
			}
			memorySeen = d
			c.memoryDecl(d)
			switch {
			case c.prog.Memory != MemoryWeak:
			case c.prog.NCPUs > MaxWeakCPUs:
				c.errorf(d.Model.NamePos, "memory %s supports at most %d cpus, not %d", d.Model.Name, MaxWeakCPUs, c.prog.NCPUs)
			}
		case *syntax.ConstDecl:
			c.constDecl(d)
		case *syntax.StructDecl:
			c.structDecl(d)
		case *syntax.VarDecl:
			c.globalDecl(d)
		}
	}

	// Pass 3: signatures and thread placement.
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *syntax.FnDecl:
			fn := c.prog.Info.Defs[d.Name].Fn
			seen := map[string]bool{}
			for _, prm := range d.Params {
				t := c.typeOf(prm.Type, nil)
				if !t.IsScalar() && t.Kind != Struct && t.Kind != Invalid {
					c.errorf(prm.Type.Pos(), "parameter %s: cannot pass %s by value", prm.Name.Name, t)
				}
				if seen[prm.Name.Name] {
					c.errorf(prm.Name.NamePos, "duplicate parameter %s", prm.Name.Name)
				}
				seen[prm.Name.Name] = true
				obj := &Object{Kind: ObjLocal, Name: prm.Name.Name, Pos: prm.Name.NamePos, Type: t}
				c.prog.Info.Defs[prm.Name] = obj
				fn.Params = append(fn.Params, obj)
			}
			fn.Locals = append(fn.Locals, fn.Params...)
			if d.Result != nil {
				t := c.typeOf(d.Result, nil)
				if !t.IsScalar() && t.Kind != Invalid {
					c.errorf(d.Result.Pos(), "fn %s: a result must be a scalar, not %s", fn.Name, t)
				}
				fn.Result = t
			}
		case *syntax.ThreadDecl:
			if d.EachCPU {
				continue
			}
			pr := c.prog.Info.Defs[d.Name].Proc
			if v, ok := c.constCPU(d.CPU); ok {
				if v < 0 || v >= int64(p.NCPUs) {
					c.errorf(d.CPU.Pos(), "thread %s: cpu %d out of range 0..%d", d.Name.Name, v, p.NCPUs-1)
				} else {
					pr.CPU = int(v)
					if p.Symmetric && !p.Distinguished[v] {
						c.errorf(d.CPU.Pos(), "thread %s on cpu %d breaks the symmetry: run it on each cpu, or make cpu %d distinguished (cpus %d symmetric except %d;)", d.Name.Name, v, v, p.NCPUs, v)
					}
				}
			}
		}
	}

	// Pass 4: bodies and properties.
	for _, fn := range p.Fns {
		c.checkFn(fn)
	}
	for _, pr := range p.Handlers {
		c.checkProc(pr)
	}
	// The copies of a thread on each cpu share one body: it is checked
	// once, and the copies share its locals, so that every use of a local
	// in the body names the same object whichever copy runs it.
	familyFirst := map[int]*Proc{}
	for _, pr := range p.Threads {
		if pr.Family >= 0 {
			if first := familyFirst[pr.Family]; first != nil {
				pr.Locals = first.Locals
				continue
			}
			familyFirst[pr.Family] = pr
		}
		c.checkProc(pr)
	}
	for _, pr := range p.Devices {
		c.checkProc(pr)
	}
	if p.Init != nil {
		c.checkProc(p.Init)
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *syntax.InvariantDecl:
			p.Invariants = append(p.Invariants, c.property(d.Name, d.InvariantPos, d.Cond))
		case *syntax.FinalDecl:
			p.Finals = append(p.Finals, c.property(d.Name, d.FinalPos, d.Cond))
		case *syntax.CoverDecl:
			p.Covers = append(p.Covers, c.property(d.Name, d.CoverPos, d.Cond))
		case *syntax.LivenessDecl:
			lv := &Liveness{Pos: d.LivenessPos, Kind: d.Kind, P: d.P, Q: d.Q}
			if d.Name != nil {
				lv.Name = d.Name.Name
			}
			c.property0(d.P)
			if d.Q != nil {
				c.property0(d.Q)
			}
			p.Liveness = append(p.Liveness, lv)
		}
	}
	c.checkRecursion()
}

// declare adds a top-level name.
func (c *checker) declare(id *syntax.Ident, obj *Object) {
	obj.Name = id.Name
	obj.Pos = id.NamePos
	if prev, ok := c.universe[id.Name]; ok {
		if prev.Kind == ObjBuiltin {
			c.errorf(id.NamePos, "%s is a built-in and cannot be redeclared", id.Name)
		} else {
			c.errorf(id.NamePos, "%s redeclared (previous declaration at %s)", id.Name, prev.Pos)
		}
		c.prog.Info.Defs[id] = obj
		return
	}
	c.universe[id.Name] = obj
	c.prog.Info.Defs[id] = obj
}

func (c *checker) lookup(name string) *Object {
	for i := len(c.scopes) - 1; i >= 0; i-- {
		if o, ok := c.scopes[i][name]; ok {
			return o
		}
	}
	return c.universe[name]
}

// memoryDecl checks memory sc; or memory tso [N];.
func (c *checker) memoryDecl(d *syntax.MemoryDecl) {
	p := c.prog
	p.MemoryName = d.Model.Name
	switch d.Model.Name {
	case "sc":
		if d.Bound != nil {
			c.errorf(d.Bound.Pos(), "memory sc has no store buffers to size (memory tso N; sizes them)")
		}
	case "tso", "weak", "arm", "riscv":
		p.Memory, p.StoreBuffer = MemoryTSO, DefaultStoreBuffer
		if d.Model.Name != "tso" {
			// ARMv8 and RISC-V (RVWMO) are both multi-copy atomic, and
			// the kernel's barriers map onto them alike: one model.
			p.Memory = MemoryWeak
		}
		if d.Bound != nil {
			n, ok := c.constInt(d.Bound)
			switch {
			case ok && (n < 1 || n > MaxStoreBuffer):
				c.errorf(d.Bound.Pos(), "a store buffer holds 1 to %d entries, not %d", MaxStoreBuffer, n)
			case ok:
				p.StoreBuffer = int(n)
			}
		}
	default:
		c.errorf(d.Model.NamePos, "unknown memory model %s (the models are sc, the default, tso for x86, and weak for ARMv8 and RISC-V, also called arm and riscv)", d.Model.Name)
	}
}

func (c *checker) constDecl(d *syntax.ConstDecl) {
	t := c.expr(d.Value)
	obj := &Object{Kind: ObjConst, Type: t}
	if lit, ok := syntax.Unparen(d.Value).(*syntax.IntLit); ok && strings.HasPrefix(strings.ToLower(lit.Raw), "0x") {
		obj.Hex = true
	}
	if id, ok := syntax.Unparen(d.Value).(*syntax.Ident); ok {
		if o := c.prog.Info.Uses[id]; o != nil && o.Kind == ObjConst {
			obj.Hex = o.Hex
		}
	}
	v, isConst := c.prog.Info.Consts[d.Value]
	if t.Kind != Invalid && !isConst {
		c.errorf(d.Value.Pos(), "const %s: value is not a constant", d.Name.Name)
	}
	obj.Value = v
	if d.Type != nil {
		want := c.typeOf(d.Type, nil)
		if want.Kind != Invalid && t.Kind != Invalid {
			c.assignable(t, want, d.Value, "const "+d.Name.Name)
			obj.Type = want
		}
	}
	if obj.Type.Kind != Invalid && !obj.Type.IsScalar() {
		c.errorf(d.Value.Pos(), "const %s: %s is not a constant type", d.Name.Name, obj.Type)
	}
	c.declare(d.Name, obj)
}

func (c *checker) structDecl(d *syntax.StructDecl) {
	c.resolveStruct(c.prog.Info.Defs[d.Name].Type.Struct, d.Name.NamePos)
}

// resolveStruct resolves the fields of st, once; pos is where st is used.
// It reports false when st contains itself.
func (c *checker) resolveStruct(st *StructType, pos syntax.Pos) bool {
	switch c.structState[st] {
	case 2:
		return true
	case 1:
		var path []string
		for i := len(c.resolving) - 1; i >= 0; i-- {
			path = append([]string{c.resolving[i].Name}, path...)
			if c.resolving[i] == st {
				break
			}
		}
		if len(path) <= 1 {
			c.errorf(pos, "struct %s contains itself", st.Name)
		} else {
			c.errorf(pos, "struct %s contains itself (%s -> %s)", st.Name, strings.Join(path, " -> "), st.Name)
		}
		return false
	}
	d := c.structDecls[st]
	c.structState[st] = 1
	c.resolving = append(c.resolving, st)
	defer func() {
		c.resolving = c.resolving[:len(c.resolving)-1]
		c.structState[st] = 2
	}()
	if len(d.Fields) == 0 {
		c.errorf(d.Name.NamePos, "struct %s has no fields", st.Name)
	}
	seen := map[string]bool{}
	n := 0
	for _, fd := range d.Fields {
		t := c.typeOf(fd.Type, fd.Dims)
		if seen[fd.Name.Name] {
			c.errorf(fd.Name.NamePos, "duplicate field %s in struct %s", fd.Name.Name, st.Name)
		}
		seen[fd.Name.Name] = true
		if n <= MaxSlots {
			n += t.Slots()
			if n > MaxSlots {
				c.errorf(fd.Name.NamePos, "struct %s is too large: more than %d slots", st.Name, MaxSlots)
			}
		}
		st.Fields = append(st.Fields, &FieldInfo{Name: fd.Name.Name, Type: t})
	}
	if n > MaxSlots {
		// Keep the fields (for the field names in later errors) but make
		// every use of the type invalid.
		for _, f := range st.Fields {
			f.Type = TypInvalid
		}
		n = 0
	}
	st.slots = n
	return true
}

func (c *checker) globalDecl(d *syntax.VarDecl) {
	t := c.typeOf(d.Type, d.Dims)
	obj := &Object{Kind: ObjGlobal, Type: t, Init: d.Init, Index: len(c.prog.Globals)}
	if d.Init != nil {
		c.initializer(d.Init, t, true)
		obj.Hex = c.isHexInit(d.Init)
	} else {
		c.startsInRange(d, t)
	}
	c.declare(d.Name, obj)
	c.prog.Globals = append(c.prog.Globals, obj)
}

// startsInRange checks a global declared without an initial value: it
// starts at zero, every scalar in it, which a ranged int must allow. (A
// local is set before it is read, often by choose: its 0 is no state of
// the model's start.)
func (c *checker) startsInRange(d *syntax.VarDecl, t *Type) {
	if r := zeroOutside(t); r != nil {
		c.errorf(d.Name.NamePos, "%s starts at 0, outside %s: give it an initial value", d.Name.Name, r)
	}
}

// leftOut checks what a global's brace list leaves out (what, of type t):
// it starts at zero, as startsInRange says.
func (c *checker) leftOut(global bool, lit *syntax.CompositeLit, what string, t *Type) {
	if r := zeroOutside(t); global && r != nil {
		c.errorf(lit.Lbrace, "%s starts at 0, outside %s: give it a value", what, r)
	}
}

// zeroOutside returns a ranged int type in t (t itself, its elements or
// its fields) whose range leaves out 0, or nil.
func zeroOutside(t *Type) *Type {
	switch {
	case t == nil:
	case t.Kind == Int && (t.Lo > 0 || t.Hi < 0):
		return t
	case t.Kind == Array:
		return zeroOutside(t.Elem)
	case t.Kind == Struct && t.Struct != nil:
		for _, f := range t.Struct.Fields {
			if r := zeroOutside(f.Type); r != nil {
				return r
			}
		}
	}
	return nil
}

func (c *checker) isHexInit(e syntax.Expr) bool {
	switch e := syntax.Unparen(e).(type) {
	case *syntax.IntLit:
		return strings.HasPrefix(strings.ToLower(e.Raw), "0x")
	case *syntax.Ident:
		if o := c.prog.Info.Uses[e]; o != nil && o.Kind == ObjConst {
			return o.Hex
		}
	}
	return false
}

// initializer checks an initial value for a variable of type t; constant
// requires every scalar in it to be a constant (global initialisers).
func (c *checker) initializer(e syntax.Expr, t *Type, constant bool) {
	if lit, ok := e.(*syntax.CompositeLit); ok {
		c.prog.Info.Types[e] = t
		switch t.Kind {
		case Struct:
			if lit.Fields != nil {
				seen := map[string]bool{}
				for _, kv := range lit.Fields {
					f, _ := t.Struct.Field(kv.Key.Name)
					if f == nil {
						c.errorf(kv.Key.NamePos, "struct %s has no field %s", t.Struct.Name, kv.Key.Name)
						c.expr(kv.Value)
						continue
					}
					if seen[kv.Key.Name] {
						c.errorf(kv.Key.NamePos, "field %s initialised twice", kv.Key.Name)
					}
					seen[kv.Key.Name] = true
					c.initializer(kv.Value, f.Type, constant)
				}
				for _, f := range t.Struct.Fields {
					if !seen[f.Name] {
						c.leftOut(constant, lit, "field "+f.Name, f.Type)
					}
				}
				return
			}
			if len(lit.Elems) > len(t.Struct.Fields) {
				c.errorf(lit.Lbrace, "too many values for struct %s: %d, it has %s", t.Struct.Name, len(lit.Elems), plural(len(t.Struct.Fields), "field"))
				return
			}
			for i, el := range lit.Elems {
				c.initializer(el, t.Struct.Fields[i].Type, constant)
			}
			for _, f := range t.Struct.Fields[len(lit.Elems):] {
				c.leftOut(constant, lit, "field "+f.Name, f.Type)
			}
		case Array:
			if lit.Fields != nil {
				c.errorf(lit.Lbrace, "an array initialiser lists values, not fields")
				return
			}
			if len(lit.Elems) > t.Len {
				c.errorf(lit.Lbrace, "too many values for %s: %d", t, len(lit.Elems))
				return
			}
			for _, el := range lit.Elems {
				c.initializer(el, t.Elem, constant)
			}
			if len(lit.Elems) < t.Len {
				c.leftOut(constant, lit, fmt.Sprintf("element %d", len(lit.Elems)), t.Elem)
			}
		case Invalid:
		default:
			c.errorf(lit.Lbrace, "cannot initialise %s with a brace list", t)
		}
		return
	}
	vt := c.expr(e)
	if vt.Kind == Invalid || t.Kind == Invalid {
		return
	}
	if constant {
		if _, ok := c.prog.Info.Consts[e]; !ok && !isNone(e) {
			c.errorf(e.Pos(), "initial value of a global must be a constant (set it in init { } instead)")
			return
		}
	}
	c.assignable(vt, t, e, "initialisation")
}

func isNone(e syntax.Expr) bool {
	_, ok := syntax.Unparen(e).(*syntax.NoneLit)
	return ok
}

// typeOf resolves a written type with optional array dimensions.
func (c *checker) typeOf(te syntax.TypeExpr, dims []*syntax.ArrayDim) *Type {
	var t *Type
	switch te := te.(type) {
	case *syntax.NamedType:
		switch te.Name {
		case "bool":
			t = TypBool
		case "int":
			t = TypInt
		case "cpu":
			t = c.cpuType
		case "thread":
			t = c.threadTyp
		default:
			o := c.lookup(te.Name)
			switch {
			case o == nil && te.Name == "unsigned":
				c.errorf(te.NamePos, "undefined type unsigned: %s", syntax.UnsignedHint)
				t = TypInvalid
			case o == nil:
				c.errorf(te.NamePos, "undefined type %s", te.Name)
				t = TypInvalid
			case o.Kind != ObjStruct:
				c.errorf(te.NamePos, "%s is a %s, not a type", te.Name, o.Kind)
				t = TypInvalid
			case !c.resolveStruct(o.Type.Struct, te.NamePos):
				t = TypInvalid
			default:
				t = o.Type
			}
		}
	case *syntax.RangeType:
		lo, ok1 := c.constInt(te.Lo)
		hi, ok2 := c.constInt(te.Hi)
		t = TypInvalid
		if ok1 && ok2 {
			switch {
			case lo > hi:
				c.errorf(te.IntPos, "empty range int[%d..%d]", lo, hi)
			case lo < IntMin || hi > IntMax:
				c.errorf(te.IntPos, "range int[%d..%d] exceeds 32 bits", lo, hi)
			default:
				t = &Type{Kind: Int, Lo: lo, Hi: hi}
			}
		}
	default:
		t = TypInvalid
	}
	for i := len(dims) - 1; i >= 0; i-- {
		d := dims[i]
		at := &Type{Kind: Array, Elem: t, Index: Int}
		switch d.Index {
		case syntax.CPU:
			at.Index, at.Len = CPU, c.prog.NCPUs
		case syntax.THREAD:
			at.Index, at.Len = Thread, len(c.prog.Threads)
			if at.Len == 0 {
				c.errorf(d.Lbrack, "array indexed by thread in a model with no threads")
				return TypInvalid
			}
		default:
			n, ok := c.constInt(d.Size)
			if !ok {
				return TypInvalid
			}
			if n < 1 || n > 4096 {
				c.errorf(d.Size.Pos(), "array size must be between 1 and 4096, not %d", n)
				return TypInvalid
			}
			at.Len = int(n)
		}
		if t.Kind == Invalid {
			return TypInvalid
		}
		if at.Len*t.Slots() > MaxSlots {
			c.errorf(d.Lbrack, "array %s is too large: %d slots, at most %d", at, at.Len*t.Slots(), MaxSlots)
			return TypInvalid
		}
		t = at
	}
	return t
}

// constInt evaluates e as an integer constant, reporting an error if it is not one.
func (c *checker) constInt(e syntax.Expr) (int64, bool) {
	t := c.expr(e)
	if t.Kind == Invalid {
		return 0, false
	}
	v, ok := c.prog.Info.Consts[e]
	if !ok || !t.IsInteger() {
		c.errorf(e.Pos(), "expected an integer constant")
		return 0, false
	}
	return v, true
}

// constCPU evaluates e as a constant cpu number: an integer or cpu constant.
func (c *checker) constCPU(e syntax.Expr) (int64, bool) {
	t := c.expr(e)
	if t.Kind == Invalid {
		return 0, false
	}
	v, ok := c.prog.Info.Consts[e]
	if !ok || (!t.IsInteger() && t.Kind != CPU) {
		c.errorf(e.Pos(), "expected a constant cpu number")
		return 0, false
	}
	return v, true
}

func (c *checker) property(name *syntax.Ident, pos syntax.Pos, cond syntax.Expr) *Property {
	c.property0(cond)
	p := &Property{Pos: pos, Cond: cond}
	if name != nil {
		p.Name = name.Name
	}
	return p
}

func (c *checker) property0(cond syntax.Expr) {
	c.inProperty = true
	feats := []feature{}
	c.curFeats, c.curCalls = &feats, nil
	c.fn, c.proc = nil, nil
	c.atomic, c.loops = 0, 0
	c.cond(cond, "condition")
	for _, f := range feats {
		c.errorf(f.pos, "%s cannot be used in a property (invariant, final, liveness, cover)", f.what)
	}
	c.inProperty = false
	c.curFeats = nil
}

// ---------------------------------------------------------------------------
// Bodies

func (c *checker) checkFn(fn *Fn) {
	c.fn, c.proc = fn, nil
	c.atomic = 0
	if fn.Atomic {
		c.atomic = 1
	}
	c.loops = 0
	c.locals = &fn.Locals
	feats := []feature{}
	calls := []*callSite{}
	c.curFeats, c.curCalls = &feats, &calls
	scope := map[string]*Object{}
	for _, p := range fn.Params {
		scope[p.Name] = p
	}
	c.scopes = []map[string]*Object{scope}
	c.block(fn.Decl.Body, false)
	if fn.Result.Kind != Void && fn.Result.Kind != Invalid && !terminates(fn.Decl.Body) {
		c.errorf(fn.Decl.Body.Rbrace, "fn %s: missing return at end of fn", fn.Name)
	}
	c.features[fn] = feats
	c.calls[fn] = calls
	c.scopes = nil
	c.fn = nil
}

func (c *checker) checkProc(pr *Proc) {
	c.fn, c.proc = nil, pr
	c.atomic = 0
	if pr.Kind == ProcInit {
		c.atomic = 1
	}
	c.loops = 0
	c.locals = &pr.Locals
	feats := []feature{}
	calls := []*callSite{}
	c.curFeats, c.curCalls = &feats, &calls
	c.scopes = []map[string]*Object{{}}
	c.block(pr.Body, false)
	c.scopes = nil
	c.proc = nil
	// Context checks: what this body and every fn it reaches use.
	c.contextCheck(pr, feats, calls)
}

// contextCheck reports uses that make no sense in the kind of process pr.
func (c *checker) contextCheck(pr *Proc, feats []feature, calls []*callSite) {
	type item struct {
		f   feature
		via []string // the fns called on the way, outermost first
	}
	var all []item
	for _, f := range feats {
		all = append(all, item{f: f})
	}
	seen := map[*Fn]bool{}
	var walk func(cs []*callSite, via []string)
	walk = func(cs []*callSite, via []string) {
		for _, cl := range cs {
			if seen[cl.fn] {
				continue
			}
			seen[cl.fn] = true
			v := append(via[:len(via):len(via)], cl.fn.Name)
			for _, f := range c.features[cl.fn] {
				all = append(all, item{f: f, via: v})
			}
			walk(c.calls[cl.fn], v)
		}
	}
	walk(calls, nil)
	what := map[ProcKind]string{ProcThread: "thread", ProcDevice: "device", ProcHandler: "handler", ProcInit: "init"}[pr.Kind]
	for _, it := range all {
		bad := false
		switch it.f.what {
		case "this_cpu", "irq_disable", "irq_enable", "irqs_disabled":
			bad = pr.Kind == ProcDevice || pr.Kind == ProcInit
		case "this_vector":
			bad = pr.Kind != ProcHandler
		case "yield":
			bad = pr.Kind != ProcThread
		}
		if !bad {
			continue
		}
		where := fmt.Sprintf("%s %s", what, pr.Name)
		if pr.Kind == ProcInit {
			where = "init"
		}
		for _, fn := range it.via {
			where = fmt.Sprintf("fn %s, called from %s", fn, where)
		}
		c.errorf(it.f.pos, "%s cannot be used in %s", it.f.what, where)
	}
}

func (c *checker) checkRecursion() {
	// Depth-first search for a cycle in the call graph.
	const (
		white = iota
		grey
		black
	)
	color := map[*Fn]int{}
	var visit func(fn *Fn) bool
	visit = func(fn *Fn) bool {
		color[fn] = grey
		for _, cs := range c.calls[fn] {
			switch color[cs.fn] {
			case grey:
				c.errorf(cs.pos, "recursive call of %s: fns are inlined and cannot recurse", cs.fn.Name)
				return true
			case white:
				if visit(cs.fn) {
					return true
				}
			}
		}
		color[fn] = black
		return false
	}
	for _, fn := range c.prog.Fns {
		if color[fn] == white && visit(fn) {
			return
		}
	}
}

func (c *checker) feature(what string, pos syntax.Pos) {
	if c.curFeats != nil {
		*c.curFeats = append(*c.curFeats, feature{what, pos})
	}
}

func (c *checker) block(b *syntax.BlockStmt, newScope bool) {
	if newScope {
		c.scopes = append(c.scopes, map[string]*Object{})
		defer func() { c.scopes = c.scopes[:len(c.scopes)-1] }()
	}
	for _, s := range b.Stmts {
		c.stmt(s)
	}
}

func (c *checker) stmt(s syntax.Stmt) {
	switch s := s.(type) {
	case *syntax.BlockStmt:
		c.block(s, true)
	case *syntax.DeclStmt:
		c.localDecl(s.Decl)
	case *syntax.ExprStmt:
		call, ok := syntax.Unparen(s.X).(*syntax.CallExpr)
		if !ok {
			c.expr(s.X)
			c.errorf(s.X.Pos(), "%s is evaluated but not used", syntax.ExprString(s.X))
			return
		}
		c.call(call, true)
	case *syntax.AssignStmt:
		lt := c.lvalue(s.LHS)
		if s.Op == syntax.ASSIGN {
			if lit, ok := s.RHS.(*syntax.CompositeLit); ok {
				c.initializer(lit, lt, false)
				return
			}
			rt := c.exprTop(s.RHS)
			if lt.Kind != Invalid && rt.Kind != Invalid {
				if !lt.IsScalar() && lt.Kind != Struct {
					c.errorf(s.TokPos, "cannot assign a whole %s", lt)
					return
				}
				c.assignable(rt, lt, s.RHS, "assignment")
			}
			return
		}
		rt := c.expr(s.RHS)
		if lt.Kind != Invalid && lt.Kind != Int {
			c.errorf(s.TokPos, "operator %s needs an int on the left, not %s", s.Op, lt)
		}
		if rt.Kind != Invalid && !rt.IsInteger() {
			c.errorf(s.RHS.Pos(), "operator %s needs an int on the right, not %s", s.Op, rt)
		}
	case *syntax.IncDecStmt:
		t := c.lvalue(s.X)
		if t.Kind != Invalid && t.Kind != Int {
			c.errorf(s.TokPos, "%s needs an int, not %s", s.Op, t)
		}
	case *syntax.IfStmt:
		c.cond(s.Cond, "if condition")
		c.scoped(s.Then)
		if s.Else != nil {
			c.scoped(s.Else)
		}
	case *syntax.WhileStmt:
		c.cond(s.Cond, "while condition")
		c.loops++
		c.scoped(s.Body)
		c.loops--
	case *syntax.ForStmt:
		c.scopes = append(c.scopes, map[string]*Object{})
		if s.Init != nil {
			if cpuLoopStart(s) != nil {
				// As written, parentheses and all: cpuLiteral is
				// given the position of the whole initial value.
				c.loopStart = s.Init.(*syntax.DeclStmt).Decl.Init
			}
			c.stmt(s.Init)
			c.loopStart = nil
		}
		// A loop of that shape is a loop over cpus, and orderFree checks
		// its start, unless NCPUS names no built-in: that is an error
		// of its own (it cannot be redeclared).
		obj := c.cpuLoop(s)
		if obj != nil {
			c.prog.Info.CPULoops[s] = obj
		} else {
			if s.Cond != nil {
				c.cond(s.Cond, "for condition")
			}
			if s.Post != nil {
				c.stmt(s.Post)
			}
		}
		c.loops++
		c.scoped(s.Body)
		c.loops--
		if obj != nil && c.prog.Symmetric && !c.inInit() {
			c.orderFree(s, obj)
		}
		c.scopes = c.scopes[:len(c.scopes)-1]
	case *syntax.AwaitStmt:
		c.cond(s.Cond, "await condition")
	case *syntax.AssertStmt:
		c.cond(s.Cond, "assertion")
	case *syntax.AtomicStmt:
		c.atomic++
		c.block(s.Body, true)
		c.atomic--
	case *syntax.EitherStmt:
		if len(s.Branches) < 2 {
			c.errorf(s.EitherPos, "either needs at least two branches")
		}
		for _, b := range s.Branches {
			c.block(b, true)
		}
	case *syntax.ChooseStmt:
		t := c.lvalue(s.X)
		lt, ht := c.expr(s.Lo), c.expr(s.Hi)
		switch t.Kind {
		case Int, Bool:
			for _, bt := range []struct {
				t *Type
				e syntax.Expr
			}{{lt, s.Lo}, {ht, s.Hi}} {
				if bt.t.Kind != Invalid && !bt.t.IsInteger() {
					c.errorf(bt.e.Pos(), "choose bound must be an int, not %s", bt.t)
				}
			}
		case CPU:
			lo, lok := c.prog.Info.Consts[s.Lo]
			hi, hok := c.prog.Info.Consts[s.Hi]
			if c.prog.Symmetric && lok && hok && lo == 0 && hi == int64(c.prog.NCPUs-1) {
				break // every CPU: a symmetric choice
			}
			for _, bt := range []struct {
				t *Type
				e syntax.Expr
			}{{lt, s.Lo}, {ht, s.Hi}} {
				if bt.t.Kind != Invalid {
					c.assignable(bt.t, t, bt.e, "choose bound")
				}
			}
		case Invalid:
		default:
			c.errorf(s.X.Pos(), "cannot choose a value of type %s", t)
		}
	case *syntax.ReturnStmt:
		if c.fn == nil {
			if s.Result != nil {
				c.expr(s.Result)
				c.errorf(s.Result.Pos(), "a %s body returns no value", c.procWord())
			}
			return
		}
		if s.Result == nil {
			if c.fn.Result.Kind != Void {
				c.errorf(s.ReturnPos, "missing return value: fn %s returns %s", c.fn.Name, article(c.fn.Result))
			}
			return
		}
		t := c.expr(s.Result)
		if c.fn.Result.Kind == Void {
			c.errorf(s.Result.Pos(), "fn %s returns no value", c.fn.Name)
			return
		}
		if t.Kind != Invalid {
			c.assignable(t, c.fn.Result, s.Result, "return")
		}
	case *syntax.BranchStmt:
		if c.loops == 0 {
			c.errorf(s.TokPos, "%s outside a loop", s.Tok)
		}
	case *syntax.EmptyStmt:
	default:
		c.errorf(s.Pos(), "unexpected statement")
	}
}

func (c *checker) procWord() string {
	if c.proc == nil {
		return "process"
	}
	return map[ProcKind]string{ProcThread: "thread", ProcDevice: "device", ProcHandler: "handler", ProcInit: "init"}[c.proc.Kind]
}

// scoped checks a statement in its own scope.
func (c *checker) scoped(s syntax.Stmt) {
	c.scopes = append(c.scopes, map[string]*Object{})
	c.stmt(s)
	c.scopes = c.scopes[:len(c.scopes)-1]
}

func (c *checker) localDecl(d *syntax.VarDecl) {
	t := c.typeOf(d.Type, d.Dims)
	obj := &Object{Kind: ObjLocal, Name: d.Name.Name, Pos: d.Name.NamePos, Type: t}
	if d.Init != nil {
		if _, ok := d.Init.(*syntax.CompositeLit); ok {
			c.initializer(d.Init, t, false)
		} else {
			vt := c.exprTop(d.Init)
			if vt.Kind != Invalid && t.Kind != Invalid {
				c.assignable(vt, t, d.Init, "initialisation")
			}
		}
		obj.Hex = c.isHexInit(d.Init)
	}
	scope := c.scopes[len(c.scopes)-1]
	if prev, ok := scope[d.Name.Name]; ok {
		c.errorf(d.Name.NamePos, "%s redeclared in this block (previous declaration at %s)", d.Name.Name, prev.Pos)
	}
	if o := c.universe[d.Name.Name]; o != nil && o.Kind == ObjBuiltin {
		c.errorf(d.Name.NamePos, "%s is a built-in and cannot be redeclared", d.Name.Name)
	}
	scope[d.Name.Name] = obj
	c.prog.Info.Defs[d.Name] = obj
	*c.locals = append(*c.locals, obj)
}

// terminates reports whether a statement list always ends in a return.
func terminates(s syntax.Stmt) bool {
	switch s := s.(type) {
	case *syntax.BlockStmt:
		stmts := s.Stmts
		for len(stmts) > 0 {
			if _, ok := stmts[len(stmts)-1].(*syntax.EmptyStmt); !ok {
				break
			}
			stmts = stmts[:len(stmts)-1]
		}
		return len(stmts) > 0 && terminates(stmts[len(stmts)-1])
	case *syntax.ReturnStmt:
		return true
	case *syntax.IfStmt:
		return s.Else != nil && terminates(s.Then) && terminates(s.Else)
	case *syntax.AtomicStmt:
		return terminates(s.Body)
	case *syntax.EitherStmt:
		for _, b := range s.Branches {
			if !terminates(b) {
				return false
			}
		}
		return true
	case *syntax.WhileStmt:
		if b, ok := syntax.Unparen(s.Cond).(*syntax.BoolLit); ok && b.Value {
			return !hasBreak(s.Body)
		}
	case *syntax.ForStmt:
		if s.Cond == nil {
			return !hasBreak(s.Body)
		}
		if b, ok := syntax.Unparen(s.Cond).(*syntax.BoolLit); ok && b.Value {
			return !hasBreak(s.Body)
		}
	}
	return false
}

func hasBreak(s syntax.Stmt) bool {
	switch s := s.(type) {
	case *syntax.BranchStmt:
		return s.Tok == syntax.BREAK
	case *syntax.BlockStmt:
		for _, x := range s.Stmts {
			if hasBreak(x) {
				return true
			}
		}
	case *syntax.IfStmt:
		return hasBreak(s.Then) || (s.Else != nil && hasBreak(s.Else))
	case *syntax.AtomicStmt:
		return hasBreak(s.Body)
	case *syntax.EitherStmt:
		for _, b := range s.Branches {
			if hasBreak(b) {
				return true
			}
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// Expressions

// cond checks a condition: bool, or an int tested against zero as in C.
func (c *checker) cond(e syntax.Expr, what string) {
	c.condType(c.expr(e), e, what)
}

// condType checks that e, already checked to be of type t, is a condition.
func (c *checker) condType(t *Type, e syntax.Expr, what string) bool {
	switch t.Kind {
	case Bool, Int, UntypedInt, Invalid:
		return true
	case Void:
		c.errorf(e.Pos(), "%s: %s (no value) used as a value", what, syntax.ExprString(e))
		return false
	}
	c.errorf(e.Pos(), "%s must be a bool or an int, not %s", what, t)
	return false
}

// exprTop checks an expression at statement level (right side of an
// assignment or initialiser), where a call of a non-atomic fn is allowed.
func (c *checker) exprTop(e syntax.Expr) *Type {
	if call, ok := syntax.Unparen(e).(*syntax.CallExpr); ok {
		t := c.call(call, true)
		for p, ok := e.(*syntax.ParenExpr); ok; p, ok = p.X.(*syntax.ParenExpr) {
			c.record(p, t)
		}
		return t
	}
	return c.expr(e)
}

func (c *checker) record(e syntax.Expr, t *Type) *Type {
	c.prog.Info.Types[e] = t
	return t
}

func (c *checker) recordConst(e syntax.Expr, t *Type, v int64) *Type {
	c.prog.Info.Consts[e] = v
	return c.record(e, t)
}

func (c *checker) expr(e syntax.Expr) *Type {
	switch e := e.(type) {
	case *syntax.IntLit:
		return c.recordConst(e, TypUntyped, e.Value)
	case *syntax.BoolLit:
		v := int64(0)
		if e.Value {
			v = 1
		}
		return c.recordConst(e, TypBool, v)
	case *syntax.NoneLit:
		return c.recordConst(e, c.threadTyp, 0) // none
	case *syntax.ParenExpr:
		t := c.expr(e.X)
		if v, ok := c.prog.Info.Consts[e.X]; ok {
			return c.recordConst(e, t, v)
		}
		return c.record(e, t)
	case *syntax.Ident:
		return c.ident(e)
	case *syntax.UnaryExpr:
		return c.unary(e)
	case *syntax.BinaryExpr:
		return c.binary(e)
	case *syntax.CondExpr:
		c.cond(e.Cond, "condition")
		tt, et := c.expr(e.Then), c.expr(e.Else)
		if tt.Kind == Invalid || et.Kind == Invalid {
			return c.record(e, TypInvalid)
		}
		for _, b := range []struct {
			t *Type
			e syntax.Expr
		}{{tt, e.Then}, {et, e.Else}} {
			if !b.t.IsScalar() && b.t.Kind != Struct {
				c.errorf(b.e.Pos(), "?: branch must be a value, not %s", b.t)
				return c.record(e, TypInvalid)
			}
		}
		t := tt
		if tt.Kind == UntypedInt {
			t = et
		}
		if t.Kind == UntypedInt { // b ? 1 : 0 picks an int at run time
			t = TypInt
		}
		if !c.assignable(tt, t, e.Then, "?: branch") || !c.assignable(et, t, e.Else, "?: branch") {
			return c.record(e, TypInvalid)
		}
		if cv, ok := c.prog.Info.Consts[e.Cond]; ok {
			a, aok := c.prog.Info.Consts[e.Then]
			b, bok := c.prog.Info.Consts[e.Else]
			if aok && bok {
				if cv != 0 {
					return c.recordConst(e, t, a)
				}
				return c.recordConst(e, t, b)
			}
		}
		return c.record(e, t)
	case *syntax.IndexExpr:
		return c.index(e)
	case *syntax.SelectorExpr:
		xt := c.expr(e.X)
		if xt.Kind == Invalid {
			return c.record(e, TypInvalid)
		}
		if xt.Kind != Struct {
			c.errorf(e.Sel.NamePos, "%s is %s, not a struct", syntax.ExprString(e.X), article(xt))
			return c.record(e, TypInvalid)
		}
		f, i := xt.Struct.Field(e.Sel.Name)
		if f == nil {
			c.errorf(e.Sel.NamePos, "struct %s has no field %s", xt.Struct.Name, e.Sel.Name)
			return c.record(e, TypInvalid)
		}
		c.prog.Info.Fields[e] = i
		return c.record(e, f.Type)
	case *syntax.CallExpr:
		return c.call(e, false)
	case *syntax.CompositeLit:
		c.errorf(e.Lbrace, "a brace list is allowed only as an initial or assigned value")
		return c.record(e, TypInvalid)
	}
	c.errorf(e.Pos(), "unexpected expression")
	return TypInvalid
}

func (c *checker) ident(e *syntax.Ident) *Type {
	o := c.lookup(e.Name)
	if o == nil {
		c.errorf(e.NamePos, "undefined: %s", e.Name)
		return c.record(e, TypInvalid)
	}
	c.prog.Info.Uses[e] = o
	switch o.Kind {
	case ObjConst:
		return c.recordConst(e, o.Type, o.Value)
	case ObjGlobal, ObjLocal:
		return c.record(e, o.Type)
	case ObjThread: // thread values: 0 is none, i+1 is thread i
		return c.recordConst(e, o.Type, int64(o.Index)+1)
	case ObjHandler:
		return c.record(e, TypHandler)
	case ObjBuiltin:
		b := o.Builtin
		if !b.Value {
			c.errorf(e.NamePos, "built-in %s must be called", e.Name)
			return c.record(e, TypInvalid)
		}
		switch b.ID {
		case BNCPUs:
			if !c.cpusKnown {
				c.errorf(e.NamePos, "NCPUS used before the cpus declaration")
				return c.record(e, TypInvalid)
			}
			return c.recordConst(e, TypUntyped, int64(c.prog.NCPUs))
		case BThisCPU:
			c.feature("this_cpu", e.NamePos)
			return c.record(e, c.cpuType)
		case BThisVector:
			c.feature("this_vector", e.NamePos)
			return c.record(e, TypInt)
		}
	}
	c.errorf(e.NamePos, "%s is a %s, not a value", e.Name, o.Kind)
	return c.record(e, TypInvalid)
}

func (c *checker) unary(e *syntax.UnaryExpr) *Type {
	t := c.expr(e.X)
	if t.Kind == Invalid {
		return c.record(e, TypInvalid)
	}
	v, isConst := c.prog.Info.Consts[e.X]
	switch e.Op {
	case syntax.NOT:
		if !c.condType(t, e.X, "operand of !") {
			return c.record(e, TypInvalid)
		}
		if isConst {
			return c.recordConst(e, TypBool, b2i(v == 0))
		}
		return c.record(e, TypBool)
	case syntax.SUB, syntax.ADD, syntax.TILDE:
		if !t.IsInteger() {
			c.errorf(e.OpPos, "operator %s needs an int, not %s", e.Op, t)
			return c.record(e, TypInvalid)
		}
		rt := TypInt
		if t.Kind == UntypedInt {
			rt = TypUntyped
		}
		if isConst {
			switch e.Op {
			case syntax.SUB:
				if v == math.MinInt64 {
					c.errorf(e.OpPos, "constant overflow")
					return c.record(e, TypInvalid)
				}
				v = -v
			case syntax.TILDE:
				v = ^v
			}
			return c.recordConst(e, rt, v)
		}
		return c.record(e, rt)
	}
	c.errorf(e.OpPos, "unexpected operator %s", e.Op)
	return c.record(e, TypInvalid)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (c *checker) binary(e *syntax.BinaryExpr) *Type {
	xt, yt := c.expr(e.X), c.expr(e.Y)
	if xt.Kind == Invalid || yt.Kind == Invalid {
		return c.record(e, TypInvalid)
	}
	xv, xc := c.prog.Info.Consts[e.X]
	yv, yc := c.prog.Info.Consts[e.Y]
	both := xc && yc
	switch e.Op {
	case syntax.LAND, syntax.LOR:
		okx := c.condType(xt, e.X, "operand of "+e.Op.String())
		oky := c.condType(yt, e.Y, "operand of "+e.Op.String())
		if !okx || !oky {
			return c.record(e, TypInvalid)
		}
		if both {
			if e.Op == syntax.LAND {
				return c.recordConst(e, TypBool, b2i(xv != 0 && yv != 0))
			}
			return c.recordConst(e, TypBool, b2i(xv != 0 || yv != 0))
		}
		return c.record(e, TypBool)
	case syntax.EQL, syntax.NEQ, syntax.LSS, syntax.LEQ, syntax.GTR, syntax.GEQ:
		if !c.comparable(xt, yt, e) {
			return c.record(e, TypInvalid)
		}
		ordered := e.Op != syntax.EQL && e.Op != syntax.NEQ
		if ordered && c.prog.Symmetric && (xt.Kind == CPU || yt.Kind == CPU) {
			c.errorf(e.OpPos, "ordering cpus with %s breaks the symmetry", e.Op)
			return c.record(e, TypInvalid)
		}
		if ordered && (xt.Kind == Bool || xt.Kind == Thread || yt.Kind == Thread) {
			c.errorf(e.OpPos, "operator %s is not defined on %s", e.Op, xt)
			return c.record(e, TypInvalid)
		}
		if both {
			var r bool
			switch e.Op {
			case syntax.EQL:
				r = xv == yv
			case syntax.NEQ:
				r = xv != yv
			case syntax.LSS:
				r = xv < yv
			case syntax.LEQ:
				r = xv <= yv
			case syntax.GTR:
				r = xv > yv
			case syntax.GEQ:
				r = xv >= yv
			}
			return c.recordConst(e, TypBool, b2i(r))
		}
		return c.record(e, TypBool)
	}
	// Arithmetic and bitwise operators: ints only.
	for _, op := range []struct {
		t *Type
		e syntax.Expr
	}{{xt, e.X}, {yt, e.Y}} {
		if !op.t.IsInteger() {
			hint := ""
			if op.t.Kind == CPU {
				hint = " (convert with int(...) first)"
			}
			c.errorf(op.e.Pos(), "operator %s needs an int, not %s%s", e.Op, op.t, hint)
			return c.record(e, TypInvalid)
		}
	}
	rt := TypInt
	if xt.Kind == UntypedInt && yt.Kind == UntypedInt {
		rt = TypUntyped
	}
	if both {
		v, err := Arith(e.Op, xv, yv)
		if err != "" {
			c.errorf(e.OpPos, "constant %s", err)
			return c.record(e, TypInvalid)
		}
		if rt.Kind == Int && (v < IntMin || v > IntMax) {
			c.errorf(e.OpPos, "constant %d overflows int", v)
			return c.record(e, TypInvalid)
		}
		return c.recordConst(e, rt, v)
	}
	return c.record(e, rt)
}

// Arith computes x op y for the arithmetic and bitwise operators on 64-bit
// values; err describes a division by zero, a bad shift or an overflow.
func Arith(op syntax.Token, x, y int64) (v int64, err string) {
	switch op {
	case syntax.ADD:
		v = x + y
		if (v > x) != (y > 0) {
			return 0, "overflow"
		}
	case syntax.SUB:
		v = x - y
		if (v < x) != (y > 0) {
			return 0, "overflow"
		}
	case syntax.MUL:
		if x != 0 && y != 0 {
			v = x * y
			if v/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
				return 0, "overflow"
			}
		}
	case syntax.QUO, syntax.REM:
		if y == 0 {
			return 0, "division by zero"
		}
		if x == math.MinInt64 && y == -1 {
			return 0, "overflow"
		}
		if op == syntax.QUO {
			v = x / y
		} else {
			v = x % y
		}
	case syntax.AND:
		v = x & y
	case syntax.OR:
		v = x | y
	case syntax.XOR:
		v = x ^ y
	case syntax.SHL, syntax.SHR:
		if y < 0 || y > 62 {
			return 0, fmt.Sprintf("shift count %d out of range 0..62", y)
		}
		if op == syntax.SHL {
			v = x << uint(y)
			if v>>uint(y) != x {
				return 0, "overflow"
			}
		} else {
			v = x >> uint(y)
		}
	default:
		return 0, "bad operator " + op.String()
	}
	return v, ""
}

// comparable checks that x and y can be compared with == and friends.
func (c *checker) comparable(xt, yt *Type, e *syntax.BinaryExpr) bool {
	if !xt.IsScalar() || !yt.IsScalar() {
		c.errorf(e.OpPos, "cannot compare %s with %s", xt, yt)
		return false
	}
	if xt.Kind == yt.Kind || (xt.IsInteger() && yt.IsInteger()) {
		return true
	}
	// An untyped constant against a cpu: the constant must name a CPU.
	if xt.Kind == UntypedInt && yt.Kind == CPU {
		return c.assignable(xt, yt, e.X, "comparison")
	}
	if yt.Kind == UntypedInt && xt.Kind == CPU {
		return c.assignable(yt, xt, e.Y, "comparison")
	}
	c.errorf(e.OpPos, "mismatched types %s and %s in comparison", xt, yt)
	return false
}

// assignable checks that a value of type v (expression e) may be stored in
// a location of type t, and reports an error if not.
func (c *checker) assignable(v, t *Type, e syntax.Expr, what string) bool {
	if v.Kind == Invalid || t.Kind == Invalid {
		return false
	}
	if v.Kind == Void {
		c.errorf(e.Pos(), "%s: %s (no value) used as a value", what, syntax.ExprString(e))
		return false
	}
	val, isConst := c.prog.Info.Consts[e]
	switch {
	case t.Kind == Int && v.IsInteger():
		if isConst && (val < t.Lo || val > t.Hi) {
			c.errorf(e.Pos(), "%s: constant %d out of range of %s", what, val, t)
			return false
		}
		return true
	case t.Kind == CPU && v.Kind == UntypedInt && !c.cpusKnown:
		c.errorf(e.Pos(), "%s: cpu value used before the cpus declaration", what)
		return false
	case t.Kind == CPU && v.Kind == UntypedInt:
		if !isConst || val < 0 || val >= int64(c.prog.NCPUs) {
			c.errorf(e.Pos(), "%s: %d is not a cpu (this model has cpus 0..%d)", what, val, c.prog.NCPUs-1)
			return false
		}
		return c.cpuLiteral(val, e.Pos())
	case t.Kind == Bool && v.Kind == Bool, t.Kind == CPU && v.Kind == CPU, t.Kind == Thread && v.Kind == Thread:
		return true
	case t.Kind == Struct && v.Kind == Struct && t.Struct == v.Struct:
		return true
	}
	if t.Kind == Array && Identical(v, t) {
		c.errorf(e.Pos(), "%s: cannot copy a whole %s (copy it element by element)", what, t)
		return false
	}
	hint := ""
	switch {
	case t.Kind == CPU && v.Kind == Int:
		hint = " (convert with cpu(...))"
	case t.Kind == Int && v.Kind == CPU:
		hint = " (convert with int(...))"
	case t.Kind == Int && v.Kind == Bool:
		hint = " (use c ? 1 : 0)"
	}
	c.errorf(e.Pos(), "%s: cannot use %s as %s%s", what, v, t, hint)
	return false
}

func (c *checker) index(e *syntax.IndexExpr) *Type {
	xt := c.expr(e.X)
	it := c.expr(e.Index)
	if xt.Kind == Invalid || it.Kind == Invalid {
		return c.record(e, TypInvalid)
	}
	if xt.Kind != Array {
		c.errorf(e.Lbrack, "%s is %s, not an array", syntax.ExprString(e.X), article(xt))
		return c.record(e, TypInvalid)
	}
	iv, isConst := c.prog.Info.Consts[e.Index]
	switch xt.Index {
	case Int:
		// A cpu value may index a plain array too (bool listed[2];
		// listed[this_cpu]): the run-time bounds check still applies.
		if it.Kind == CPU && c.prog.Symmetric {
			c.errorf(e.Index.Pos(), "indexing %s by a cpu breaks the symmetry: declare it with [cpu]", syntax.ExprString(e.X))
			return c.record(e, TypInvalid)
		}
		if !it.IsInteger() && it.Kind != CPU {
			c.errorf(e.Index.Pos(), "index must be an int, not %s", it)
			return c.record(e, TypInvalid)
		}
		if isConst && (iv < 0 || iv >= int64(xt.Len)) {
			c.errorf(e.Index.Pos(), "index %d out of range 0..%d", iv, xt.Len-1)
			return c.record(e, TypInvalid)
		}
	case CPU:
		if !c.assignable(it, c.cpuType, e.Index, "index") {
			return c.record(e, TypInvalid)
		}
	case Thread:
		if it.Kind != Thread {
			c.errorf(e.Index.Pos(), "index must be a thread, not %s", it)
			return c.record(e, TypInvalid)
		}
		if isConst && iv == 0 { // none
			c.errorf(e.Index.Pos(), "cannot index %s by none", syntax.ExprString(e.X))
			return c.record(e, TypInvalid)
		}
	}
	return c.record(e, xt.Elem)
}

// lvalue checks an assignable expression and returns its type.
func (c *checker) lvalue(e syntax.Expr) *Type {
	t := c.expr(e)
	if t.Kind == Invalid {
		return t
	}
	if !c.isLvalue(e) {
		c.errorf(e.Pos(), "cannot assign to %s", syntax.ExprString(e))
		return TypInvalid
	}
	return t
}

func (c *checker) isLvalue(e syntax.Expr) bool {
	switch e := syntax.Unparen(e).(type) {
	case *syntax.Ident:
		o := c.prog.Info.Uses[e]
		return o != nil && (o.Kind == ObjGlobal || o.Kind == ObjLocal)
	case *syntax.IndexExpr:
		return c.isLvalue(e.X)
	case *syntax.SelectorExpr:
		return c.isLvalue(e.X)
	}
	return false
}

// call checks a call; top is true at statement level, where a non-atomic
// fn may be called.
func (c *checker) call(e *syntax.CallExpr, top bool) *Type {
	name := e.Fun.Name
	if name == "int" || name == "cpu" {
		return c.conversion(e)
	}
	o := c.lookup(name)
	if o == nil {
		c.errorf(e.Fun.NamePos, "undefined: %s", name)
		for _, a := range e.Args {
			c.expr(a)
		}
		return c.record(e, TypInvalid)
	}
	c.prog.Info.Uses[e.Fun] = o
	switch o.Kind {
	case ObjFn:
		return c.fnCall(e, o.Fn, top)
	case ObjBuiltin:
		if o.Builtin.Value {
			c.errorf(e.Fun.NamePos, "%s is not a function", name)
			return c.record(e, TypInvalid)
		}
		return c.builtinCall(e, o.Builtin)
	}
	c.errorf(e.Fun.NamePos, "%s is a %s, not a function", name, o.Kind)
	return c.record(e, TypInvalid)
}

func (c *checker) conversion(e *syntax.CallExpr) *Type {
	if len(e.Args) != 1 {
		c.errorf(e.Lparen, "conversion %s(...) takes exactly one argument", e.Fun.Name)
		return c.record(e, TypInvalid)
	}
	a := e.Args[0]
	t := c.expr(a)
	if t.Kind == Invalid {
		return c.record(e, TypInvalid)
	}
	v, isConst := c.prog.Info.Consts[a]
	if e.Fun.Name == "int" {
		if t.Kind != Int && t.Kind != UntypedInt && t.Kind != CPU && t.Kind != Bool {
			c.errorf(a.Pos(), "cannot convert %s to int", t)
			return c.record(e, TypInvalid)
		}
		c.prog.Info.Calls[e] = TypInt
		if isConst {
			return c.recordConst(e, TypInt, v)
		}
		if c.prog.Symmetric && t.Kind == CPU && !c.inInit() {
			c.errorf(e.Fun.NamePos, "int(...) of a cpu breaks the symmetry: CPU numbers have no meaning in a symmetric model")
			return c.record(e, TypInvalid)
		}
		return c.record(e, TypInt)
	}
	if t.Kind != Int && t.Kind != UntypedInt && t.Kind != CPU {
		c.errorf(a.Pos(), "cannot convert %s to cpu", t)
		return c.record(e, TypInvalid)
	}
	c.prog.Info.Calls[e] = c.cpuType
	if isConst && !c.cpusKnown {
		c.errorf(a.Pos(), "cpu value used before the cpus declaration")
		return c.record(e, TypInvalid)
	}
	if isConst {
		if v < 0 || v >= int64(c.prog.NCPUs) {
			c.errorf(a.Pos(), "%d is not a cpu (this model has cpus 0..%d)", v, c.prog.NCPUs-1)
			return c.record(e, TypInvalid)
		}
		if !c.cpuLiteral(v, a.Pos()) {
			return c.record(e, TypInvalid)
		}
		return c.recordConst(e, c.cpuType, v)
	}
	if c.prog.Symmetric && t.Kind != CPU && !c.inInit() {
		c.errorf(e.Fun.NamePos, "cpu(...) of a number breaks the symmetry (allowed only in init, which is checked to be symmetric)")
		return c.record(e, TypInvalid)
	}
	return c.record(e, c.cpuType)
}

// cpuLoop reports the variable of a loop over cpus, the C loop
// for (...; c < NCPUS; c++) with c a cpu variable, or nil for any other
// loop. Its condition and increment are checked here: the variable runs
// one past the last cpu to end the loop, which no other cpu value may.
// In a symmetric model the loop names cpus by number: outside init it
// must be one whose order cannot matter (see orderFree).
func (c *checker) cpuLoop(s *syntax.ForStmt) *Object {
	x, px := cpuLoopShape(s)
	if x == nil {
		return nil
	}
	obj := c.lookup(x.Name)
	if obj == nil || obj.Type == nil || obj.Type.Kind != CPU || obj.Kind != ObjLocal && obj.Kind != ObjGlobal {
		return nil
	}
	if b := c.lookup("NCPUS"); b == nil || b.Kind != ObjBuiltin {
		return nil
	}
	c.prog.Info.Uses[x], c.prog.Info.Uses[px] = obj, obj
	return obj
}

// inInit reports whether the body being checked is the init block.
func (c *checker) inInit() bool { return c.proc != nil && c.proc.Kind == ProcInit }

// cpuLiteral checks a CPU named by its number: in a symmetric model only a
// distinguished CPU may be, except in init (checked to be symmetric when
// the model is compiled and run).
func (c *checker) cpuLiteral(v int64, pos syntax.Pos) bool {
	p := c.prog
	if !p.Symmetric || c.inInit() || v < 0 || v >= int64(len(p.Distinguished)) || p.Distinguished[v] {
		return true
	}
	if c.loopStart != nil && c.loopStart.Pos() == pos {
		return true // the start of a loop over every cpu: orderFree checks that it is 0
	}
	c.errorf(pos, "cpu %d named by its number breaks the symmetry of cpus %d symmetric (make it distinguished: cpus %d symmetric except %d;)", v, p.NCPUs, p.NCPUs, v)
	return false
}

func (c *checker) fnCall(e *syntax.CallExpr, fn *Fn, top bool) *Type {
	if c.inProperty {
		c.errorf(e.Fun.NamePos, "cannot call fn %s in a property (invariant, final, liveness, cover)", fn.Name)
	}
	if !fn.Atomic && !top && c.atomic == 0 {
		c.errorf(e.Fun.NamePos, "fn %s takes several steps: call it as a statement or as the whole right side of an assignment (or make it an atomic fn)", fn.Name)
	}
	if c.curCalls != nil {
		*c.curCalls = append(*c.curCalls, &callSite{fn: fn, pos: e.Fun.NamePos, atomic: c.atomic > 0})
	}
	// Parameters are resolved in pass 3; a call from a const initialiser
	// or similar before that sees none.
	if len(e.Args) != len(fn.Decl.Params) {
		c.errorf(e.Lparen, "fn %s takes %s, not %d", fn.Name, plural(len(fn.Decl.Params), "argument"), len(e.Args))
		for _, a := range e.Args {
			c.expr(a)
		}
		return c.record(e, fn.Result)
	}
	for i, a := range e.Args {
		t := c.expr(a)
		if i < len(fn.Params) && t.Kind != Invalid {
			c.assignable(t, fn.Params[i].Type, a, fmt.Sprintf("argument %d of %s", i+1, fn.Name))
		}
	}
	return c.record(e, fn.Result)
}

func (c *checker) builtinCall(e *syntax.CallExpr, b *Builtin) *Type {
	impure := c.inProperty && !b.Pure
	if impure {
		c.errorf(e.Fun.NamePos, "%s changes the state and cannot be used in a property (invariant, final, liveness, cover)", b.Name)
	}
	switch b.ID {
	case BIRQDisable, BIRQEnable, BIRQsDisabled:
		c.feature(b.Name, e.Fun.NamePos)
	case BYield:
		c.feature("yield", e.Fun.NamePos)
		if c.atomic > 0 {
			c.errorf(e.Fun.NamePos, "yield() inside an atomic step")
		}
	}
	if len(e.Args) != len(b.Params) {
		c.errorf(e.Lparen, "%s takes %s, not %d", b.Name, plural(len(b.Params), "argument"), len(e.Args))
		for _, a := range e.Args {
			c.expr(a)
		}
		return c.record(e, TypInvalid)
	}
	var generic *Type // the T of cmpxchg and friends
	ok := true
	for i, a := range e.Args {
		want := b.Params[i]
		if want == Handler {
			id, isID := a.(*syntax.Ident)
			var o *Object
			if isID {
				o = c.lookup(id.Name)
			}
			if o == nil || o.Kind != ObjHandler {
				c.errorf(a.Pos(), "argument %d of %s must be the name of a handler", i+1, b.Name)
				ok = false
				continue
			}
			c.prog.Info.Uses[id] = o
			c.record(a, TypHandler)
			continue
		}
		t := c.expr(a)
		if i < len(b.LValue) && b.LValue[i] && t.Kind != Invalid && !c.isLvalue(a) {
			c.errorf(a.Pos(), "argument %d of %s must be a variable, not %s", i+1, b.Name, syntax.ExprString(a))
			ok = false
			continue
		}
		if t.Kind == Invalid {
			ok = false
			continue
		}
		switch want {
		case Invalid: // generic scalar T
			if generic == nil {
				if !t.IsScalar() {
					c.errorf(a.Pos(), "%s works on ints, bools, cpus and threads, not %s", b.Name, t)
					ok = false
					continue
				}
				generic = t
				if t.Kind == UntypedInt {
					generic = TypInt
				}
				continue
			}
			if !c.assignable(t, generic, a, fmt.Sprintf("argument %d of %s", i+1, b.Name)) {
				ok = false
			}
		case Int:
			if !t.IsInteger() {
				c.errorf(a.Pos(), "argument %d of %s must be an int, not %s", i+1, b.Name, t)
				ok = false
				break
			}
			if _, isConst := c.prog.Info.Consts[a]; b.ID == BRequestIRQ && !isConst {
				// The vectors that can have handlers are known before
				// the search (see compile's vectorUniverse).
				c.errorf(a.Pos(), "the vector of request_irq must be a constant, not %s, so that the checker knows which vectors can have handlers", syntax.ExprString(a))
				ok = false
			}
		case CPU:
			if !c.assignable(t, c.cpuType, a, fmt.Sprintf("argument %d of %s", i+1, b.Name)) {
				ok = false
			}
		}
	}
	if !ok || impure {
		return c.record(e, TypInvalid)
	}
	switch b.Result {
	case Invalid:
		return c.record(e, generic)
	case Void:
		return c.record(e, TypVoid)
	case Bool:
		return c.record(e, TypBool)
	case Int:
		return c.record(e, TypInt)
	case Thread:
		return c.record(e, c.threadTyp)
	case CPU:
		return c.record(e, c.cpuType)
	}
	return c.record(e, TypInvalid)
}

// plural renders a count of things: 1 argument, 2 arguments.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// article renders a type with its indefinite article: an int, a cpu.
func article(t *Type) string {
	s := t.String()
	if t.Kind == Void {
		return s
	}
	if strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}
