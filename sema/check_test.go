package sema_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irqcheck/irqcheck/sema"
	"github.com/irqcheck/irqcheck/syntax"
)

// check parses and checks src as test.irq; a syntax error fails the test.
func check(t *testing.T, src string) (*sema.Program, syntax.ErrorList) {
	t.Helper()
	f, err := syntax.ParseFile("test.irq", []byte(src))
	if err != nil {
		t.Fatalf("syntax error: %v", err)
	}
	p, err := sema.Check(f)
	if err == nil {
		if p == nil {
			t.Fatal("no program and no error")
		}
		return p, nil
	}
	var list syntax.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error is not a syntax.ErrorList: %v", err)
	}
	if p != nil {
		t.Errorf("program returned with errors")
	}
	for i, e := range list {
		if !e.Pos.IsValid() || e.Pos.File != "test.irq" {
			t.Errorf("error without a position: %v", e)
		}
		if e.Msg == "" || strings.HasSuffix(e.Msg, ".") || strings.Contains(e.Msg, "\n") {
			t.Errorf("message not in Go style: %q", e.Msg)
		}
		if i > 0 && syntax.ErrorList.Less(list, i, i-1) {
			t.Errorf("errors not sorted: %v before %v", list[i-1], e)
		}
	}
	return nil, list
}

// Each case is a model and the first error it must get, in full.
var errorTests = []struct {
	name, src, want string
}{
	// Symmetry: nothing may tell CPUs apart but the distinguished ones.
	{"symmetric: except beyond the cpus", "cpus 2 symmetric except 2;",
		"test.irq:1:25: except: cpu 2 out of range 0..1"},
	{"symmetric: except below zero", "cpus 2 symmetric except -1;",
		"test.irq:1:25: except: cpu -1 out of range 0..1"},
	{"symmetric: thread on a numbered cpu", "cpus 3 symmetric;\nthread t on cpu 1 { }",
		"test.irq:2:17: thread t on cpu 1 breaks the symmetry: run it on each cpu, or make cpu 1 distinguished (cpus 3 symmetric except 1;)"},
	{"symmetric: cpu literal in a thread", "cpus 3 symmetric;\nconst V = 0x30;\nthread t on each cpu { send_ipi(2, V); }",
		"test.irq:3:33: cpu 2 named by its number breaks the symmetry of cpus 3 symmetric (make it distinguished: cpus 3 symmetric except 2;)"},
	{"symmetric: cpu literal in an invariant", "cpus 2 symmetric;\ncpu c = 0;",
		"test.irq:2:9: cpu 0 named by its number breaks the symmetry of cpus 2 symmetric (make it distinguished: cpus 2 symmetric except 0;)"},
	{"symmetric: int of a cpu", "cpus 2 symmetric;\nint x;\nthread t on each cpu { x = int(this_cpu); }",
		"test.irq:3:28: int(...) of a cpu breaks the symmetry: CPU numbers have no meaning in a symmetric model"},
	{"symmetric: cpu of a number", "cpus 2 symmetric;\nint x; cpu c;\nthread t on each cpu { c = cpu(x); }",
		"test.irq:3:28: cpu(...) of a number breaks the symmetry (allowed only in init, which is checked to be symmetric)"},
	{"symmetric: ordering cpus", "cpus 2 symmetric;\nbool b;\nthread t on each cpu { b = this_cpu < this_cpu; }",
		"test.irq:3:37: ordering cpus with < breaks the symmetry"},
	{"symmetric: plain array indexed by cpu", "cpus 2 symmetric;\nbool a[2];\nthread t on each cpu { a[this_cpu] = true; }",
		"test.irq:3:26: indexing a by a cpu breaks the symmetry: declare it with [cpu]"},
	{"symmetric: choose part of the cpus", "cpus 3 symmetric;\ncpu c;\nthread t on each cpu { choose c in 0..1; }",
		"test.irq:3:36: cpu 0 named by its number breaks the symmetry of cpus 3 symmetric (make it distinguished: cpus 3 symmetric except 0;)"},
	{"a thread on each cpu is not a value", "cpus 2;\nthread x;\nthread t on each cpu { x = t; }",
		"test.irq:3:28: t is a thread on each cpu, not a value"},

	// The machine.
	{"missing cpus", "thread t on cpu 0 { }",
		"test.irq:1:1: missing cpus declaration (for example: cpus 2;)"},
	{"cpus zero", "cpus 0;",
		"test.irq:1:6: cpus must be between 1 and 64, not 0"},
	{"cpus too many", "cpus 65;",
		"test.irq:1:6: cpus must be between 1 and 64, not 65"},
	{"cpus twice", "cpus 2;\ncpus 3;",
		"test.irq:2:1: cpus declared twice (first at test.irq:1:1)"},
	{"cpus not an int", "cpus true;",
		"test.irq:1:6: expected an integer constant"},
	{"thread cpu out of range", "cpus 2;\nthread t on cpu 2 { }",
		"test.irq:2:17: thread t: cpu 2 out of range 0..1"},
	{"thread cpu not constant", "cpus 2;\nint n;\nthread t on cpu n { }",
		"test.irq:3:17: expected a constant cpu number"},
	{"inflight out of range", "cpus 1;\ninflight 0;",
		"test.irq:2:10: inflight must be between 1 and 1024, not 0"},
	{"memory model unknown", "cpus 1;\nmemory power;",
		"test.irq:2:8: unknown memory model power (the models are sc, the default, tso for x86, and weak for ARMv8 and RISC-V, also called arm and riscv)"},
	{"memory weak too many cpus", "cpus 32;\nmemory riscv;",
		"test.irq:2:8: memory riscv supports at most 31 cpus, not 32"},
	{"memory twice", "cpus 1;\nmemory tso;\nmemory sc;",
		"test.irq:3:1: memory declared twice (first at test.irq:2:1)"},
	{"store buffer out of range", "cpus 1;\nmemory tso 0;",
		"test.irq:2:12: a store buffer holds 1 to 64 entries, not 0"},
	{"store buffer under sc", "cpus 1;\nmemory sc 4;",
		"test.irq:2:11: memory sc has no store buffers to size (memory tso N; sizes them)"},
	{"store buffer out of range under weak", "cpus 1;\nmemory arm 65;",
		"test.irq:2:12: a store buffer holds 1 to 64 entries, not 65"},
	{"smp_store_release of a constant", "cpus 1;\nthread t on cpu 0 { smp_store_release(1, 2); }",
		"test.irq:2:39: argument 1 of smp_store_release must be a variable, not 1"},
	{"init twice", "cpus 1;\ninit { }\ninit { }",
		"test.irq:3:1: init declared twice (first at test.irq:2:1)"},
	{"NCPUS before cpus", "const N = NCPUS;\ncpus 2;",
		"test.irq:1:11: NCPUS used before the cpus declaration"},
	{"cpu constant before cpus", "const cpu C = 1;\ncpus 2;",
		"test.irq:1:15: const C: cpu value used before the cpus declaration"},

	// Names.
	{"global vs global", "cpus 1;\nint x;\nbool x;",
		"test.irq:3:6: x redeclared (previous declaration at test.irq:2:5)"},
	{"fn vs handler", "cpus 1;\nfn h() { }\nhandler h { }",
		"test.irq:3:9: h redeclared (previous declaration at test.irq:2:4)"},
	{"thread vs struct", "cpus 1;\nstruct t { int a; }\nthread t on cpu 0 { }",
		"test.irq:3:8: t redeclared (previous declaration at test.irq:2:8)"},
	{"built-in redeclared", "cpus 1;\nint send_ipi;",
		"test.irq:2:5: send_ipi is a built-in and cannot be redeclared"},
	{"local shadows built-in", "cpus 1;\nthread t on cpu 0 { int pending; }",
		"test.irq:2:25: pending is a built-in and cannot be redeclared"},
	{"local redeclared", "cpus 1;\nthread t on cpu 0 { int a; int a; }",
		"test.irq:2:32: a redeclared in this block (previous declaration at test.irq:2:25)"},
	{"duplicate parameter", "cpus 1;\nfn f(int a, int a) { }",
		"test.irq:2:17: duplicate parameter a"},
	{"undefined name", "cpus 1;\nthread t on cpu 0 { y = 1; }",
		"test.irq:2:21: undefined: y"},
	{"undefined fn", "cpus 1;\nthread t on cpu 0 { g(); }",
		"test.irq:2:21: undefined: g"},
	{"local out of scope", "cpus 1;\nthread t on cpu 0 { { int a; } a = 1; }",
		"test.irq:2:32: undefined: a"},
	{"undefined type", "cpus 1;\nfoo x;",
		"test.irq:2:1: undefined type foo"},
	{"unsigned", "cpus 1;\nunsigned x;",
		"test.irq:2:1: undefined type unsigned: irqcheck's integers are int (32-bit signed) and int[LO..HI]: use a range for an unsigned value"},
	{"unsigned parameter", "cpus 1;\nfn f(unsigned y) { }",
		"test.irq:2:6: undefined type unsigned: irqcheck's integers are int (32-bit signed) and int[LO..HI]: use a range for an unsigned value"},
	{"unsigned field", "cpus 1;\nstruct s { unsigned f; }",
		"test.irq:2:12: undefined type unsigned: irqcheck's integers are int (32-bit signed) and int[LO..HI]: use a range for an unsigned value"},
	{"not a type", "cpus 1;\nint x;\nx y;",
		"test.irq:3:1: x is a variable, not a type"},
	{"device as value", "cpus 1;\nint x;\ndevice d { }\nthread t on cpu 0 { x = d; }",
		"test.irq:4:25: d is a device, not a value"},
	{"fn as value", "cpus 1;\nint x;\nfn f() { }\nthread t on cpu 0 { x = f; }",
		"test.irq:4:25: f is a function, not a value"},
	{"struct as value", "cpus 1;\nstruct S { int a; }\nint x;\nthread t on cpu 0 { x = S; }",
		"test.irq:4:25: S is a struct type, not a value"},
	{"built-in not called", "cpus 1;\nint x;\nthread t on cpu 0 { x = pending; }",
		"test.irq:3:25: built-in pending must be called"},

	// Assignments and conversions.
	{"int to bool", "cpus 1;\nbool b;\nthread t on cpu 0 { b = 1; }",
		"test.irq:3:25: assignment: cannot use untyped int constant as bool"},
	{"bool to int", "cpus 1;\nint n;\nbool b;\nthread t on cpu 0 { n = b; }",
		"test.irq:4:25: assignment: cannot use bool as int (use c ? 1 : 0)"},
	{"int variable to cpu", "cpus 2;\ncpu c;\nint n;\nthread t on cpu 0 { c = n; }",
		"test.irq:4:25: assignment: cannot use int as cpu (convert with cpu(...))"},
	{"cpu to int", "cpus 2;\nint n;\nthread t on cpu 0 { n = this_cpu; }",
		"test.irq:3:25: assignment: cannot use cpu as int (convert with int(...))"},
	{"constant out of cpu range", "cpus 2;\ncpu c = 2;",
		"test.irq:2:9: initialisation: 2 is not a cpu (this model has cpus 0..1)"},
	{"constant out of ranged int", "cpus 1;\nint[0..3] v;\nthread t on cpu 0 { v = 4; }",
		"test.irq:3:25: assignment: constant 4 out of range of int[0..3]"},
	{"constant out of int", "cpus 1;\nint v = 1 << 40;",
		"test.irq:2:9: initialisation: constant 1099511627776 out of range of int"},
	{"cpu conversion out of range", "cpus 2;\ncpu c;\nthread t on cpu 0 { c = cpu(5); }",
		"test.irq:3:29: 5 is not a cpu (this model has cpus 0..1)"},
	{"bool to cpu conversion", "cpus 2;\ncpu c;\nthread t on cpu 0 { c = cpu(true); }",
		"test.irq:3:29: cannot convert bool to cpu"},
	{"conversion arguments", "cpus 1;\nint x;\nthread t on cpu 0 { x = int(1, 2); }",
		"test.irq:3:28: conversion int(...) takes exactly one argument"},
	{"void fn as value", "cpus 1;\nint x;\nfn f() { }\nthread t on cpu 0 { x = f(); }",
		"test.irq:4:25: assignment: f() (no value) used as a value"},
	{"void built-in as value", "cpus 1;\nint x;\nthread t on cpu 0 { x = send_ipi(0, 1); }",
		"test.irq:3:25: assignment: send_ipi(0, 1) (no value) used as a value"},
	{"void built-in as condition", "cpus 1;\nthread t on cpu 0 { if (yield()) { } }",
		"test.irq:2:25: if condition: yield() (no value) used as a value"},
	{"whole array assignment", "cpus 1;\nint a[2];\nint b[2];\nthread t on cpu 0 { a = b; }",
		"test.irq:4:23: cannot assign a whole int[2]"},
	{"whole array initialisation", "cpus 1;\nint a[2];\nthread t on cpu 0 { int b[2] = a; }",
		"test.irq:3:32: initialisation: cannot copy a whole int[2] (copy it element by element)"},

	// Operators.
	{"arithmetic on cpu", "cpus 2;\nint n;\nthread t on cpu 0 { n = this_cpu + 1; }",
		"test.irq:3:25: operator + needs an int, not cpu (convert with int(...) first)"},
	{"minus on bool", "cpus 1;\nint x;\nthread t on cpu 0 { x = -true; }",
		"test.irq:3:25: operator - needs an int, not bool"},
	{"thread compared with int", "cpus 1;\nthread t on cpu 0 { if (t == 1) { } }",
		"test.irq:2:27: mismatched types thread and untyped int constant in comparison"},
	{"cpu compared with non-cpu constant", "cpus 2;\nthread t on cpu 0 { if (this_cpu == 2) { } }",
		"test.irq:2:37: comparison: 2 is not a cpu (this model has cpus 0..1)"},
	{"ordered comparison on bool", "cpus 1;\nbool a;\nbool b;\nthread t on cpu 0 { if (a < b) { } }",
		"test.irq:4:27: operator < is not defined on bool"},
	{"ordered comparison on thread", "cpus 1;\nthread t on cpu 0 { if (t < t) { } }",
		"test.irq:2:27: operator < is not defined on thread"},
	{"comparing structs", "cpus 1;\nstruct S { int a; }\nS s;\nS r;\nthread t on cpu 0 { if (s == r) { } }",
		"test.irq:5:27: cannot compare S with S"},
	{"&& on cpu", "cpus 2;\nthread t on cpu 0 { if (this_cpu && true) { } }",
		"test.irq:2:25: operand of && must be a bool or an int, not cpu"},
	{"! on struct", "cpus 1;\nstruct S { int a; }\nS s;\nthread t on cpu 0 { if (!s) { } }",
		"test.irq:4:26: operand of ! must be a bool or an int, not S"},
	{"?: of handlers", "cpus 1;\nhandler h { }\nint x;\nthread t on cpu 0 { x = true ? h : h; }",
		"test.irq:4:32: ?: branch must be a value, not handler"},
	{"?: mismatched", "cpus 1;\nint x;\nthread t on cpu 0 { x = true ? 1 : false; }",
		"test.irq:3:32: ?: branch: cannot use untyped int constant as bool"},
	{"constant division by zero", "cpus 1;\nconst K = 1 / 0;",
		"test.irq:2:13: constant division by zero"},
	{"constant shift", "cpus 1;\nconst K = 1 << 63;",
		"test.irq:2:13: constant shift count 63 out of range 0..62"},
	{"constant overflow", "cpus 1;\nconst K = 9223372036854775807 + 1;",
		"test.irq:2:31: constant overflow"},
	{"expression statement", "cpus 1;\nint x;\nthread t on cpu 0 { x + 1; }",
		"test.irq:3:21: x + 1 is evaluated but not used"},

	// Conditions.
	{"if on cpu", "cpus 2;\nthread t on cpu 0 { if (this_cpu) { } }",
		"test.irq:2:25: if condition must be a bool or an int, not cpu"},
	{"while on thread", "cpus 1;\nthread t on cpu 0 { while (t) { } }",
		"test.irq:2:28: while condition must be a bool or an int, not thread"},
	{"await on struct", "cpus 1;\nstruct S { int a; }\nS s;\nthread t on cpu 0 { await s; }",
		"test.irq:4:27: await condition must be a bool or an int, not S"},

	// Calls.
	{"calling a variable", "cpus 1;\nint x;\nthread t on cpu 0 { x(); }",
		"test.irq:3:21: x is a variable, not a function"},
	{"calling a handler", "cpus 1;\nhandler h { }\nthread t on cpu 0 { h(); }",
		"test.irq:3:21: h is a handler, not a function"},
	{"calling this_cpu", "cpus 1;\nthread t on cpu 0 { this_cpu(); }",
		"test.irq:2:21: this_cpu is not a function"},
	{"built-in argument count", "cpus 1;\nthread t on cpu 0 { send_ipi(0); }",
		"test.irq:2:29: send_ipi takes 2 arguments, not 1"},
	{"built-in argument count, one", "cpus 1;\nthread t on cpu 0 { cpu_down(0, 1); }",
		"test.irq:2:29: cpu_down takes 1 argument, not 2"},
	{"fn argument count", "cpus 1;\nfn f(int a) { }\nthread t on cpu 0 { f(1, 2); }",
		"test.irq:3:22: fn f takes 1 argument, not 2"},
	{"fn argument type", "cpus 1;\nfn f(bool a) { }\nthread t on cpu 0 { f(1); }",
		"test.irq:3:23: argument 1 of f: cannot use untyped int constant as bool"},
	{"request_irq without a handler", "cpus 1;\nint h;\ninit { request_irq(0, 1, h); }",
		"test.irq:3:26: argument 3 of request_irq must be the name of a handler"},
	{"a ranged global without 0 and no initial value", "cpus 1;\nint[1..3] x;",
		"test.irq:2:11: x starts at 0, outside int[1..3]: give it an initial value"},
	{"a ranged global's struct field left out of its brace list", "cpus 1;\nstruct s { int[1..3] f; int g; }\ns v = {g: 5};",
		"test.irq:3:7: field f starts at 0, outside int[1..3]: give it a value"},
	{"a ranged global's struct field past its values", "cpus 1;\nstruct s { int g; int[1..3] f; }\ns v = {5};",
		"test.irq:3:7: field f starts at 0, outside int[1..3]: give it a value"},
	{"a ranged global array with too few values", "cpus 1;\nint[1..3] a[3] = {1};",
		"test.irq:2:18: element 1 starts at 0, outside int[1..3]: give it a value"},
	{"an array of a struct with a ranged field without 0", "cpus 2;\nstruct s { int[1..3] f; }\ns a[cpu];",
		"test.irq:3:3: a starts at 0, outside int[1..3]: give it an initial value"},
	{"request_irq of a vector held in a variable", "cpus 1;\nint v = 3;\nhandler h { }\nthread t on cpu 0 { request_irq(0, v, h); }",
		"test.irq:4:36: the vector of request_irq must be a constant, not v, so that the checker knows which vectors can have handlers"},
	{"cmpxchg on a constant", "cpus 1;\nint x;\nthread t on cpu 0 { x = cmpxchg(1, 0, 1); }",
		"test.irq:3:33: argument 1 of cmpxchg must be a variable, not 1"},
	{"cmpxchg mismatched", "cpus 1;\nint x;\nbool b;\nthread t on cpu 0 { x = cmpxchg(x, b, 1); }",
		"test.irq:4:36: argument 2 of cmpxchg: cannot use bool as int (use c ? 1 : 0)"},
	{"fetch_add on cpu", "cpus 2;\ncpu c;\nthread t on cpu 0 { fetch_add(c, 1); }",
		"test.irq:3:31: argument 1 of fetch_add must be an int, not cpu"},
	{"xchg of a struct", "cpus 1;\nstruct S { int a; }\nS s;\nS r;\nthread t on cpu 0 { xchg(s, r); }",
		"test.irq:5:26: xchg works on ints, bools, cpus and threads, not S"},
	{"non-atomic fn in an expression", "cpus 1;\nint x;\nfn f() -> int { return 1; }\nthread t on cpu 0 { x = f() + 1; }",
		"test.irq:4:25: fn f takes several steps: call it as a statement or as the whole right side of an assignment (or make it an atomic fn)"},
	{"non-atomic fn in a condition", "cpus 1;\nfn f() -> bool { return true; }\nthread t on cpu 0 { if (f()) { } }",
		"test.irq:3:25: fn f takes several steps: call it as a statement or as the whole right side of an assignment (or make it an atomic fn)"},
	{"direct recursion", "cpus 1;\nfn f() { f(); }\nthread t on cpu 0 { f(); }",
		"test.irq:2:10: recursive call of f: fns are inlined and cannot recurse"},
	{"mutual recursion", "cpus 1;\nfn f() { g(); }\nfn g() { f(); }\nthread t on cpu 0 { f(); }",
		"test.irq:3:10: recursive call of f: fns are inlined and cannot recurse"},
	{"recursion through an expression", "cpus 1;\nint x;\natomic fn f() -> int { return f() + 1; }",
		"test.irq:3:31: recursive call of f: fns are inlined and cannot recurse"},

	// Where things may be used.
	{"yield inside atomic", "cpus 1;\nthread t on cpu 0 { atomic { yield(); } }",
		"test.irq:2:30: yield() inside an atomic step"},
	{"yield inside atomic fn", "cpus 1;\natomic fn f() { yield(); }",
		"test.irq:2:17: yield() inside an atomic step"},
	{"yield in a handler", "cpus 1;\nhandler h { yield(); }",
		"test.irq:2:13: yield cannot be used in handler h"},
	{"this_vector in a thread", "cpus 1;\nint x;\nthread t on cpu 0 { x = this_vector; }",
		"test.irq:3:25: this_vector cannot be used in thread t"},
	{"this_vector through a fn", "cpus 1;\nint x;\nfn f() { x = this_vector; }\nthread t on cpu 0 { f(); }",
		"test.irq:3:14: this_vector cannot be used in fn f, called from thread t"},
	{"this_vector through two fns", "cpus 1;\nint x;\nfn g() { x = this_vector; }\nfn f() { g(); }\nthread t on cpu 0 { f(); }",
		"test.irq:3:14: this_vector cannot be used in fn g, called from fn f, called from thread t"},
	{"this_cpu in a device", "cpus 1;\ncpu c;\ndevice d { c = this_cpu; }",
		"test.irq:3:16: this_cpu cannot be used in device d"},
	{"irq_disable in init", "cpus 1;\ninit { irq_disable(); }",
		"test.irq:2:8: irq_disable cannot be used in init"},
	{"irq_enable in a device", "cpus 1;\ndevice d { irq_enable(); }",
		"test.irq:2:12: irq_enable cannot be used in device d"},

	// Statements.
	{"break outside a loop", "cpus 1;\nthread t on cpu 0 { break; }",
		"test.irq:2:21: break outside a loop"},
	{"continue outside a loop", "cpus 1;\nthread t on cpu 0 { if (true) continue; }",
		"test.irq:2:31: continue outside a loop"},
	{"break in a fn called in a loop", "cpus 1;\nfn f() { break; }\nthread t on cpu 0 { while (true) { f(); } }",
		"test.irq:2:10: break outside a loop"},
	{"return value from a thread", "cpus 1;\nthread t on cpu 0 { return 1; }",
		"test.irq:2:28: a thread body returns no value"},
	{"return value from a handler", "cpus 1;\nhandler h { return 1; }",
		"test.irq:2:20: a handler body returns no value"},
	{"missing return", "cpus 1;\nfn f(int a) -> int {\n  if (a > 0) { return 1; }\n}",
		"test.irq:4:1: fn f: missing return at end of fn"},
	{"missing return after a loop with break", "cpus 1;\nfn f() -> int {\n  while (true) { break; }\n}",
		"test.irq:4:1: fn f: missing return at end of fn"},
	{"return without value", "cpus 1;\nfn f() -> int { return; }",
		"test.irq:2:17: missing return value: fn f returns an int"},
	{"return value from a void fn", "cpus 1;\nfn f() { return 1; }",
		"test.irq:2:17: fn f returns no value"},
	{"return of the wrong type", "cpus 1;\nfn f() -> bool { return 2; }",
		"test.irq:2:25: return: cannot use untyped int constant as bool"},
	{"choose a struct", "cpus 1;\nstruct S { int a; }\nS s;\nthread t on cpu 0 { choose s in 0..1; }",
		"test.irq:4:28: cannot choose a value of type S"},
	{"choose a thread", "cpus 1;\nthread t on cpu 0 { thread u; choose u in 0..1; }",
		"test.irq:2:38: cannot choose a value of type thread"},
	{"choose bound", "cpus 1;\nint x;\nthread t on cpu 0 { choose x in 0..true; }",
		"test.irq:3:36: choose bound must be an int, not bool"},

	// Lvalues.
	{"assign to a const", "cpus 1;\nconst K = 1;\nthread t on cpu 0 { K = 2; }",
		"test.irq:3:21: cannot assign to K"},
	{"assign to a thread", "cpus 1;\nthread t on cpu 0 { t = none; }",
		"test.irq:2:21: cannot assign to t"},
	{"assign to a call", "cpus 1;\natomic fn f() -> int { return 1; }\nthread t on cpu 0 { f() = 2; }",
		"test.irq:3:21: cannot assign to f()"},
	{"assign to this_cpu", "cpus 1;\nthread t on cpu 0 { this_cpu = 0; }",
		"test.irq:2:21: cannot assign to this_cpu"},
	{"compound assignment on bool", "cpus 1;\nbool b;\nthread t on cpu 0 { b += 1; }",
		"test.irq:3:23: operator += needs an int on the left, not bool"},
	{"compound assignment of bool", "cpus 1;\nint x;\nthread t on cpu 0 { x += true; }",
		"test.irq:3:26: operator += needs an int on the right, not bool"},
	{"++ on cpu", "cpus 2;\ncpu c;\nthread t on cpu 0 { c++; }",
		"test.irq:3:22: ++ needs an int, not cpu"},
	{"-- on bool", "cpus 1;\nbool b;\nthread t on cpu 0 { b--; }",
		"test.irq:3:22: -- needs an int, not bool"},

	// Constants and initial values.
	{"const not constant", "cpus 1;\nint x;\nconst K = x;",
		"test.irq:3:11: const K: value is not a constant"},
	{"const of the wrong type", "cpus 1;\nconst bool K = 1;",
		"test.irq:2:16: const K: cannot use untyped int constant as bool"},
	{"const struct", "cpus 1;\nstruct S { int a; }\nS s;\nconst K = s;",
		"test.irq:4:11: const K: S is not a constant type"},
	{"global initial value not constant", "cpus 1;\nint x;\nint y = x;",
		"test.irq:3:9: initial value of a global must be a constant (set it in init { } instead)"},
	{"empty int range", "cpus 1;\nint[3..1] x;",
		"test.irq:2:1: empty range int[3..1]"},
	{"int range too wide", "cpus 1;\nint[0..4294967296] x;",
		"test.irq:2:1: range int[0..4294967296] exceeds 32 bits"},

	// Structs and initialisers.
	{"no such field", "cpus 1;\nstruct S { int a; }\nS s;\nthread t on cpu 0 { s.b = 1; }",
		"test.irq:4:23: struct S has no field b"},
	{"field of an int", "cpus 1;\nint x;\nthread t on cpu 0 { x.a = 1; }",
		"test.irq:3:23: x is an int, not a struct"},
	{"duplicate field", "cpus 1;\nstruct S { int a; bool a; }",
		"test.irq:2:24: duplicate field a in struct S"},
	{"field initialised twice", "cpus 1;\nstruct S { int a; }\nS s = {a: 1, a: 2};",
		"test.irq:3:14: field a initialised twice"},
	{"no such field in an initialiser", "cpus 1;\nstruct S { int a; }\nS s = {b: 1};",
		"test.irq:3:8: struct S has no field b"},
	{"brace list for a scalar", "cpus 1;\nint x = {1};",
		"test.irq:2:9: cannot initialise int with a brace list"},
	{"brace list for a scalar field", "cpus 1;\nstruct S { int a; }\nS s = {a: {1}};",
		"test.irq:3:11: cannot initialise int with a brace list"},
	{"too many values for a struct", "cpus 1;\nstruct S { int a; }\nS s = {1, 2};",
		"test.irq:3:7: too many values for struct S: 2, it has 1 field"},
	{"too many values for an array", "cpus 1;\nint a[2] = {1, 2, 3};",
		"test.irq:2:12: too many values for int[2]: 3"},
	{"fields for an array", "cpus 1;\nint a[2] = {x: 1};",
		"test.irq:2:12: an array initialiser lists values, not fields"},
	{"struct contains itself", "cpus 1;\nstruct S { S s; }",
		"test.irq:2:12: struct S contains itself"},
	{"struct contains itself through an array", "cpus 1;\nstruct S { int a; S s[2]; }",
		"test.irq:2:19: struct S contains itself"},
	{"structs contain each other", "cpus 1;\nstruct A { B b; }\nstruct B { A a[2]; }",
		"test.irq:3:12: struct A contains itself (A -> B -> A)"},
	{"empty struct", "cpus 1;\nstruct E { }",
		"test.irq:2:8: struct E has no fields"},
	{"struct too large", "cpus 1;\nstruct S { int a[4096]; int b[4096]; int c[4096]; int d[4096]; int e; }",
		"test.irq:2:68: struct S is too large: more than 16384 slots"},
	{"struct parameter of a recursive struct", "cpus 1;\nstruct S { S s; }\nfn f(S v) { }",
		"test.irq:2:12: struct S contains itself"},
	{"struct result", "cpus 1;\nstruct S { int a[2]; }\nfn f(S v, int n) -> S { }",
		"test.irq:3:21: fn f: a result must be a scalar, not S"},

	// Arrays.
	{"constant index out of range", "cpus 1;\nint a[4];\nthread t on cpu 0 { a[4] = 1; }",
		"test.irq:3:23: index 4 out of range 0..3"},
	{"negative constant index", "cpus 1;\nint a[4];\nthread t on cpu 0 { a[-1] = 1; }",
		"test.irq:3:23: index -1 out of range 0..3"},
	{"indexing an int", "cpus 1;\nint x;\nthread t on cpu 0 { x[0] = 1; }",
		"test.irq:3:22: x is an int, not an array"},
	{"[thread] indexed by an int", "cpus 1;\nint a[thread];\nthread t on cpu 0 { a[0] = 1; }",
		"test.irq:3:23: index must be a thread, not untyped int constant"},
	{"[thread] indexed by none", "cpus 1;\nint a[thread];\nthread t on cpu 0 { a[none] = 1; }",
		"test.irq:3:23: cannot index a by none"},
	{"[cpu] indexed by an int variable", "cpus 2;\nint a[cpu];\nint n;\nthread t on cpu 0 { a[n] = 1; }",
		"test.irq:4:23: index: cannot use int as cpu (convert with cpu(...))"},
	{"[cpu] index out of range", "cpus 2;\nint a[cpu];\nthread t on cpu 0 { a[2] = 1; }",
		"test.irq:3:23: index: 2 is not a cpu (this model has cpus 0..1)"},
	{"bool index", "cpus 1;\nint a[2];\nthread t on cpu 0 { a[true] = 1; }",
		"test.irq:3:23: index must be an int, not bool"},
	{"[thread] without threads", "cpus 1;\nint a[thread];",
		"test.irq:2:6: array indexed by thread in a model with no threads"},
	{"array of size zero", "cpus 1;\nint a[0];",
		"test.irq:2:7: array size must be between 1 and 4096, not 0"},
	{"array too large", "cpus 1;\nint a[4096][4096];",
		"test.irq:2:6: array int[4096][4096] is too large: 16777216 slots, at most 16384"},
	{"array too large in a body", "cpus 1;\nthread t on cpu 0 { bool b[64][64][64]; }",
		"test.irq:2:27: array bool[64][64][64] is too large: 262144 slots, at most 16384"},
	{"array size not constant", "cpus 1;\nint n;\nint a[n];",
		"test.irq:3:7: expected an integer constant"},

	// A loop over cpus by number in a symmetric model must be order-free.
	{"a loop over cpus in steps of its own", "cpus 3 symmetric;\nbool f[cpu];\nint n;\nthread t on each cpu { for (cpu c = 0; c < NCPUS; c++) f[c] = false; }",
		"test.irq:4:24: in a symmetric model a loop over cpus by number must be one step, inside atomic { } or an atomic fn: in steps of its own it would visit the cpus in the order of their numbers"},
	{"a loop over cpus from this_cpu", "cpus 3 symmetric;\nbool f[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = this_cpu; c < NCPUS; c++) f[c] = false; } }",
		"test.irq:4:46: in a symmetric model a loop over cpus by number must start at 0, so that it visits every cpu: for (cpu c = 0; c < NCPUS; c++)"},
	{"a loop over cpus with its variable declared before", "cpus 3 symmetric;\nbool f[cpu];\nint n;\nthread t on each cpu { cpu c; atomic { for (c = 0; c < NCPUS; c++) f[c] = false; } }",
		"test.irq:4:40: in a symmetric model a loop over cpus by number must declare its variable and start at 0: for (cpu c = 0; c < NCPUS; c++)"},
	{"a loop over cpus writes a shared scalar", "cpus 3 symmetric;\nbool f[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) n++; } }",
		"test.irq:4:65: in a symmetric model a loop over cpus by number may write only its own cpu's elements (name[c]) and its own locals: n would depend on the order of the cpus"},
	{"a loop over cpus writes another cpu's element", "cpus 3 symmetric;\nbool f[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) f[this_cpu] = true; } }",
		"test.irq:4:65: in a symmetric model a loop over cpus by number may write only its own cpu's elements (name[c]) and its own locals: f[this_cpu] would depend on the order of the cpus"},
	{"a loop over cpus writes a local of the thread", "cpus 3 symmetric;\nbool f[cpu];\nint n;\nthread t on each cpu { int k; atomic { for (cpu c = 0; c < NCPUS; c++) k = 1; } }",
		"test.irq:4:72: in a symmetric model a loop over cpus by number may write only its own cpu's elements (name[c]) and its own locals: k would depend on the order of the cpus"},
	{"a loop over cpus reads what it writes elsewhere", "cpus 3 symmetric;\nbool f[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) f[c] = !f[this_cpu]; } }",
		"test.irq:4:73: in a symmetric model a loop over cpus by number may read f, which it writes, only at [c]: a turn would see the writes of the turns before it"},
	{"a loop over cpus breaks", "cpus 3 symmetric;\nbool f[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) { if (f[c]) break; } } }",
		"test.irq:4:77: in a symmetric model a loop over cpus by number may not break: where it stops would depend on the order of the cpus"},
	{"a loop over cpus returns", "cpus 3 symmetric;\nbool f[cpu];\nint n;\natomic fn g() { for (cpu c = 0; c < NCPUS; c++) { if (f[c]) return; } }\nthread t on each cpu { g(); }",
		"test.irq:4:61: in a symmetric model a loop over cpus by number may not return: which cpu returns first would depend on their order"},
	{"a loop over cpus sends IPIs", "cpus 3 symmetric;\nbool f[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) send_ipi(c, 3); } }",
		"test.irq:4:65: in a symmetric model a loop over cpus by number may not call send_ipi, which changes the state in the order of the cpus"},
	{"a loop over cpus calls a fn", "cpus 3 symmetric;\nbool f[cpu];\nint n;\natomic fn g(cpu c) { f[c] = false; }\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) g(c); } }",
		"test.irq:5:65: in a symmetric model a loop over cpus by number may not call fn g (write its body in the loop)"},
	{"a loop over cpus writes under tso", "cpus 3 symmetric;\nmemory tso;\nbool f[cpu];\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) f[c] = false; } }",
		"test.irq:4:65: in a symmetric model a loop over cpus by number may write shared variables only under memory sc: a store buffer would hold f[c] in the order of the cpus"},

	{"a loop over cpus reads in an assertion", "cpus 3 symmetric;\nstruct slot { int x; }\nbool f[cpu];\nint g[cpu];\nint m[cpu][2];\nslot q[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) { f[c] = true; assert(!f[this_cpu]); } } }",
		"test.irq:8:88: in a symmetric model a loop over cpus by number may read f, which it writes, only at [c]: a turn would see the writes of the turns before it"},
	{"a loop over cpus reads in a while condition", "cpus 3 symmetric;\nstruct slot { int x; }\nbool f[cpu];\nint g[cpu];\nint m[cpu][2];\nslot q[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) { f[c] = true; while (f[this_cpu]) { f[c] = false; } } } }",
		"test.irq:8:87: in a symmetric model a loop over cpus by number may read f, which it writes, only at [c]: a turn would see the writes of the turns before it"},
	{"a loop over cpus reads in an either branch", "cpus 3 symmetric;\nstruct slot { int x; }\nbool f[cpu];\nint g[cpu];\nint m[cpu][2];\nslot q[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) { either { f[c] = true; } or { bool k = f[this_cpu]; } } } }",
		"test.irq:8:105: in a symmetric model a loop over cpus by number may read f, which it writes, only at [c]: a turn would see the writes of the turns before it"},
	{"a loop over cpus reads in a nested atomic before it writes", "cpus 3 symmetric;\nstruct slot { int x; }\nbool f[cpu];\nint g[cpu];\nint m[cpu][2];\nslot q[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) { atomic { bool k = f[this_cpu]; } f[c] = true; } } }",
		"test.irq:8:85: in a symmetric model a loop over cpus by number may read f, which it writes, only at [c]: a turn would see the writes of the turns before it"},
	{"a loop over cpus reads in a declaration before it writes", "cpus 3 symmetric;\nstruct slot { int x; }\nbool f[cpu];\nint g[cpu];\nint m[cpu][2];\nslot q[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) { bool k = f[this_cpu]; f[c] = k; } } }",
		"test.irq:8:76: in a symmetric model a loop over cpus by number may read f, which it writes, only at [c]: a turn would see the writes of the turns before it"},
	{"a loop over cpus reads in an else branch", "cpus 3 symmetric;\nstruct slot { int x; }\nbool f[cpu];\nint g[cpu];\nint m[cpu][2];\nslot q[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) { if (f[c]) { } else { bool k = f[this_cpu]; } f[c] = true; } } }",
		"test.irq:8:97: in a symmetric model a loop over cpus by number may read f, which it writes, only at [c]: a turn would see the writes of the turns before it"},
	{"a loop over cpus reads in an await", "cpus 3 symmetric;\nstruct slot { int x; }\nbool f[cpu];\nint g[cpu];\nint m[cpu][2];\nslot q[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) { f[c] = true; await f[this_cpu]; } } }",
		"test.irq:8:86: in a symmetric model a loop over cpus by number may read f, which it writes, only at [c]: a turn would see the writes of the turns before it"},
	{"a loop over cpus reads in a choose bound", "cpus 3 symmetric;\nstruct slot { int x; }\nbool f[cpu];\nint g[cpu];\nint m[cpu][2];\nslot q[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) { g[c] = 1; int k; choose k in 0..g[this_cpu]; } } }",
		"test.irq:8:99: in a symmetric model a loop over cpus by number may read g, which it writes, only at [c]: a turn would see the writes of the turns before it"},
	{"a loop over cpus chooses into another cpu's element", "cpus 3 symmetric;\nstruct slot { int x; }\nbool f[cpu];\nint g[cpu];\nint m[cpu][2];\nslot q[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) { choose g[this_cpu] in 0..1; } } }",
		"test.irq:8:74: in a symmetric model a loop over cpus by number may write only its own cpu's elements (name[c]) and its own locals: g[this_cpu] would depend on the order of the cpus"},
	{"a loop over cpus chooses into a shared scalar", "cpus 3 symmetric;\nstruct slot { int x; }\nbool f[cpu];\nint g[cpu];\nint m[cpu][2];\nslot q[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) { choose n in 0..1; } } }",
		"test.irq:8:74: in a symmetric model a loop over cpus by number may write only its own cpu's elements (name[c]) and its own locals: n would depend on the order of the cpus"},
	{"a loop over cpus writes a field of another cpu's element", "cpus 3 symmetric;\nstruct slot { int x; }\nbool f[cpu];\nint g[cpu];\nint m[cpu][2];\nslot q[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) { q[this_cpu].x = 1; } } }",
		"test.irq:8:67: in a symmetric model a loop over cpus by number may write only its own cpu's elements (name[c]) and its own locals: q[this_cpu].x would depend on the order of the cpus"},
	{"a loop over cpus reads a field it writes elsewhere", "cpus 3 symmetric;\nstruct slot { int x; }\nbool f[cpu];\nint g[cpu];\nint m[cpu][2];\nslot q[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) { q[c].x = 1; int k = q[this_cpu].x; } } }",
		"test.irq:8:87: in a symmetric model a loop over cpus by number may read q, which it writes, only at [c]: a turn would see the writes of the turns before it"},
	{"a loop over cpus reads a row it writes elsewhere", "cpus 3 symmetric;\nstruct slot { int x; }\nbool f[cpu];\nint g[cpu];\nint m[cpu][2];\nslot q[cpu];\nint n;\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) { m[c][0] = 1; int k = m[this_cpu][1]; } } }",
		"test.irq:8:88: in a symmetric model a loop over cpus by number may read m, which it writes, only at [c]: a turn would see the writes of the turns before it"},
	{"a loop over cpus from (1)", "cpus 3 symmetric;\nbool f[cpu];\nthread t on each cpu { atomic { for (cpu c = (1); c < NCPUS; c++) f[c] = false; } }",
		"test.irq:3:46: in a symmetric model a loop over cpus by number must start at 0, so that it visits every cpu: for (cpu c = 0; c < NCPUS; c++)"},
	{"a loop over cpus from 1", "cpus 3 symmetric;\nbool f[cpu];\nthread t on each cpu { atomic { for (cpu c = 1; c < NCPUS; c++) f[c] = false; } }",
		"test.irq:3:46: in a symmetric model a loop over cpus by number must start at 0, so that it visits every cpu: for (cpu c = 0; c < NCPUS; c++)"},
	{"a loop over cpus whose condition names another variable", "cpus 3 symmetric;\nbool f[cpu];\nthread t on each cpu { cpu c = this_cpu; atomic { for (cpu d = 0; c < NCPUS; c++) f[d] = false; } }",
		"test.irq:3:51: in a symmetric model a loop over cpus by number must declare its variable and start at 0: for (cpu c = 0; c < NCPUS; c++)"},

	// Invariants, finals, liveness declarations and covers.
	{"liveness sends an IPI", "cpus 1;\nint x;\nliveness x == 1 ~> send_ipi(0, 1);",
		"test.irq:3:20: send_ipi changes the state and cannot be used in a property (invariant, final, liveness, cover)"},
	{"liveness with an undefined name", "cpus 1;\nint x;\nliveness l: x ~> y;",
		"test.irq:3:18: undefined: y"},
	{"cover uses this_cpu", "cpus 2;\ncover this_cpu == 0;",
		"test.irq:2:7: this_cpu cannot be used in a property (invariant, final, liveness, cover)"},
	{"eventually always on a cpu", "cpus 2;\ncpu c;\nliveness eventually always c;",
		"test.irq:3:28: condition must be a bool or an int, not cpu"},
	{"invariant sends an IPI", "cpus 1;\ninvariant send_ipi(0, 1);",
		"test.irq:2:11: send_ipi changes the state and cannot be used in a property (invariant, final, liveness, cover)"},
	{"invariant calls a fn", "cpus 1;\natomic fn f() -> bool { return true; }\ninvariant f();",
		"test.irq:3:11: cannot call fn f in a property (invariant, final, liveness, cover)"},
	{"invariant uses this_cpu", "cpus 2;\ninvariant this_cpu == 0;",
		"test.irq:2:11: this_cpu cannot be used in a property (invariant, final, liveness, cover)"},
	{"final uses irqs_disabled", "cpus 1;\nfinal irqs_disabled();",
		"test.irq:2:7: irqs_disabled cannot be used in a property (invariant, final, liveness, cover)"},
	{"final on a cpu", "cpus 2;\ncpu c;\nfinal ok: c;",
		"test.irq:3:11: condition must be a bool or an int, not cpu"},
}

func TestCheckErrors(t *testing.T) {
	for _, tt := range errorTests {
		t.Run(tt.name, func(t *testing.T) {
			_, list := check(t, tt.src)
			if list == nil {
				t.Fatalf("no error, want %s", tt.want)
			}
			if got := list[0].Error(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
				for _, e := range list[1:] {
					t.Logf("also %s", e)
				}
			}
		})
	}
}

// Some models must get exactly these errors and no others: a mistake
// reached twice (two threads, two operands) is reported once, and a wrong
// operand does not cascade into a complaint about the operator.
func TestCheckErrorLists(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"fn reached from two threads", "cpus 1;\nint x;\nfn f() { x = this_vector; }\nthread a on cpu 0 { f(); }\nthread b on cpu 0 { f(); }",
			[]string{
				"test.irq:3:14: this_vector cannot be used in fn f, called from thread a",
				"test.irq:3:14: this_vector cannot be used in fn f, called from thread b",
			}},
		{"operand of ! checked once", "cpus 1;\nthread t on cpu 0 { if (!(this_vector == 1)) { } }",
			[]string{"test.irq:2:27: this_vector cannot be used in thread t"}},
		{"non-atomic call under && reported once", "cpus 1;\nbool b;\nfn f() -> bool { return true; }\nthread t on cpu 0 { if (f() && b) { } }",
			[]string{"test.irq:4:25: fn f takes several steps: call it as a statement or as the whole right side of an assignment (or make it an atomic fn)"}},
		{"impure built-in in an invariant", "cpus 1;\ninvariant send_ipi(0, 1);",
			[]string{"test.irq:2:11: send_ipi changes the state and cannot be used in a property (invariant, final, liveness, cover)"}},
		{"undefined names", "cpus 1;\nthread t on cpu 0 { a = 1; b = c; }",
			[]string{"test.irq:2:21: undefined: a", "test.irq:2:28: undefined: b", "test.irq:2:32: undefined: c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, list := check(t, tt.src)
			var got []string
			for _, e := range list {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}

// At most ten errors are reported, sorted, and the list's text says how
// many more there are.
func TestCheckErrorLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("cpus 1;\nthread t on cpu 0 {\n")
	for i := 0; i < 100; i++ {
		b.WriteString("  nope = 1;\n")
	}
	b.WriteString("}\n")
	_, list := check(t, b.String())
	if len(list) != 10 {
		t.Fatalf("%d errors, want 10", len(list))
	}
	const want = "test.irq:3:3: undefined: nope (and 9 more errors)"
	if got := list.Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := list[9].Error(); got != "test.irq:12:3: undefined: nope" {
		t.Errorf("last error %s", got)
	}
}

// Models that must check clean.
var okTests = []struct{ name, src string }{
	{"symmetric: distinguished cpus may be named", "cpus 3 symmetric except 0;\nconst V = 0x30;\nhandler h { }\ninit { for (int i = 0; i < NCPUS; i++) request_irq(cpu(i), V, h); }\nthread boss on cpu 0 { send_ipi(0, V); }\nthread w on each cpu { cpu c; choose c in 0..NCPUS-1; send_ipi(c, V); }"},
	{"?: between untyped constants gives an int", "cpus 1;\nint x; bool b;\nthread t on cpu 0 { x = b ? 1 : 0; x = b ? x : 2; }"},
	{"keywords as field names", "cpus 1;\nstruct upid { bool on; int in; }\nupid u = { on: true, in: 2 };\nthread t on cpu 0 { u.on = !u.on; u.in++; }"},
	{"NCPUS as an array size", "cpus 3;\nint a[NCPUS];\nint b[NCPUS * 2 - 1];\nthread t on cpu NCPUS - 1 { a[2] = 1; b[4] = 2; }"},
	{"constants before cpus", "const N = 2;\nconst OLD = 0x10;\ncpus N;\nint a[N];\nthread t on cpu N - 1 { a[1] = OLD; }"},
	{"cpu constant placing a thread", "cpus 2;\nconst cpu BOOT = 1;\nthread t on cpu BOOT { }"},
	{"[cpu] array declared before cpus", "int a[cpu];\ncpus 2;\nthread t on cpu 1 { a[1] = 1; }"},
	{"struct used before its declaration", "cpus 1;\nS g = {x: 1};\nstruct S { int x; T t; }\nstruct T { bool b[cpu]; }\nthread t on cpu 0 { g.t.b[0] = true; }"},
	{"nested structs and arrays", "cpus 2;\nstruct A { int x; }\nstruct B { A a; A b[2]; }\nstruct C { B b[cpu]; }\nC c[cpu];\nthread t on cpu 0 { c[this_cpu].b[1].b[1].x = 3; c[1].b[0].a.x++; }"},
	{"composite assignment", "cpus 2;\nstruct msi { cpu addr; int data; }\nmsi msg;\nthread t on cpu 0 { msg = {addr: 1, data: 2}; msg = {0, 3}; }"},
	{"struct parameter", "cpus 2;\nstruct msi { cpu addr; int data; }\nmsi g;\nint x;\nfn f(msi m) { x = m.data; }\nthread t on cpu 0 { f(g); }"},
	{"struct ?:", "cpus 1;\nstruct S { int a; }\nS p;\nS q;\nbool c;\nthread t on cpu 0 { p = c ? p : q; S l = c ? q : p; }"},
	{"atomic fn calling an atomic fn in an expression", "cpus 1;\nint x;\natomic fn f(int a) -> int { return a + 1; }\natomic fn g(int b) -> int { return f(b) * 2; }\nthread t on cpu 0 { x = g(1) + f(2); }"},
	{"non-atomic fn in an expression inside atomic", "cpus 1;\nint x;\nfn f() -> int { return 1; }\nthread t on cpu 0 { atomic { x = f() + 1; } }"},
	{"non-atomic fn as the whole right side", "cpus 1;\nint x;\nfn f() -> int { await x == 0; return 1; }\nthread t on cpu 0 { x = f(); int y = (f()); }"},
	{"either and choose inside atomic", "cpus 1;\nint x;\natomic fn f() -> int { int v; choose v in 1..3; return v; }\nthread t on cpu 0 { atomic { either { x = 1; } or { x = f(); } } }"},
	{"loops that end in return", "cpus 1;\nfn f() -> int { while (true) { } }\nfn g() -> int { for (;;) { return 1; } }\nfn h(int a) -> int { if (a > 0) { return 1; } else { return 2; } ; }"},
	{"threads, none and current", "cpus 2;\nthread arr[2];\nint seen[thread];\nthread t on cpu 0 { arr[0] = t; arr[1] = none; seen[t] = 1; }\nthread u on cpu 1 { thread w = current(0); if (w != none && current(0) == none) { seen[w]++; } }"},
	{"empty handler, init with choose", "cpus 1;\nint x;\nhandler h { }\ninit { choose x in 0..2; request_irq(0, 3, h); }"},
	{"int conditions as in C", "cpus 1;\nint x;\nthread t on cpu 0 { if (x) { } while (x & 1) { } await !x; assert x || 1; }"},
	{"atomics", "cpus 2;\nint x;\nint o;\ncpu c;\nbool b;\nthread t on cpu 0 { x = cmpxchg(x, 0, 1); b = try_cmpxchg(x, o, 2); c = xchg(c, 1); x = fetch_or(x, 4) + fetch_add(x, 1); b = xchg(b, true); }"},
	{"handler context", "cpus 2;\nint v;\nbool off;\nhandler h { v = this_vector; off = irqs_disabled(); irq_enable(); send_ipi(this_cpu, 3); }"},
	{"an order-free loop over cpus in a symmetric model", "cpus 3 symmetric;\nbool f[cpu];\ncpu dst[cpu];\nint m[cpu][2];\nint n;\natomic fn clear(cpu me) { for (cpu c = 0; c < NCPUS; c++) { int k = n; if (!cpu_online(c) || c == me) continue; if (f[c] && dst[c] == me) { f[c] = false; dst[c] = c; } for (int i = 0; i < 2; i++) { m[c][i] = k + i; if (m[c][i] > 1) break; } } }\nthread t on each cpu { clear(this_cpu); atomic { for (cpu c = 0; c < NCPUS; c++) { either { f[c] = true; } or { choose m[c][0] in 0..1; } } } }"},
	{"structs named by C keywords", "cpus 1;\nstruct goto { int a; }\nstruct unsigned { int a; }\ngoto g = {a: 2};\nunsigned u;\nfn f(goto x) int { return x.a; }\nthread t on cpu 0 { u.a = f(g); }"},
	{"a ranged local set by choose before it is read", "cpus 1;\nint r;\nstruct s { int[1..3] f; }\nthread t on cpu 0 { int[1..3] k; choose k in 1..3; s v = {}; v.f = k; r = v.f; }"},
	{"an order-free loop over cpus from (0)", "cpus 3 symmetric;\nbool f[cpu];\nthread t on each cpu { atomic { for (cpu c = (0); c < NCPUS; c++) f[c] = true; } }"},
	{"an order-free loop over cpus: rows, fields, a while that breaks, a choose into a local", "cpus 3 symmetric;\nstruct slot { int x; }\nbool f[cpu];\nbool seen[cpu];\nint m[cpu][2];\nslot q[cpu];\nthread t on each cpu { atomic { for (cpu c = 0; c < NCPUS; c++) { int k; choose k in 0..1; m[c][1] = m[c][0] + k; q[c].x = q[c].x + 1; while (m[c][0] < 2) { m[c][0]++; if (seen[this_cpu]) break; } f[c] = seen[this_cpu]; } } }"},
	{"pure built-ins in properties", "cpus 2;\nthread t on cpu 0 { }\ninvariant i: !pending(0, 3) || cpu_online(0);\nfinal current(1) == none || current(1) == t;"},
}

func TestCheckOK(t *testing.T) {
	for _, tt := range okTests {
		t.Run(tt.name, func(t *testing.T) {
			if _, list := check(t, tt.src); list != nil {
				t.Errorf("unexpected errors:\n%v", strings.Join(errStrings(list), "\n"))
			}
		})
	}
}

func errStrings(list syntax.ErrorList) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.Error())
	}
	return out
}

// Every example model checks clean.
func TestCheckExamples(t *testing.T) {
	files, err := filepath.Glob("../examples/*.irq")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples (%v)", err)
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			f, err := syntax.ParseFile(name, src)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sema.Check(f); err != nil {
				t.Error(err)
			}
		})
	}
}

// What the checker records for the compiler.
func TestCheckProgram(t *testing.T) {
	p, _ := check(t, `cpus 3;
const VEC = 0x20;
struct msi { cpu addr; int data; }
msi msgs[NCPUS];
bool seen[cpu];
int[0..7] level = 2;
handler h { }
atomic fn bump(int by) -> int { level = level + by; return level; }
thread a on cpu 2 { int x = bump(1); }
device d { send_ipi(msgs[0].addr, VEC); }
init { request_irq(0, VEC, h); }
invariant small: level < 7;
final level > 0;`)
	if p == nil {
		t.Fatal("errors")
	}
	if p.NCPUs != 3 || len(p.Threads) != 1 || len(p.Devices) != 1 || len(p.Handlers) != 1 || p.Init == nil {
		t.Fatalf("program %+v", p)
	}
	if p.Threads[0].CPU != 2 {
		t.Errorf("thread on cpu %d, want 2", p.Threads[0].CPU)
	}
	if len(p.Globals) != 3 {
		t.Fatalf("%d globals", len(p.Globals))
	}
	msgs, seen, level := p.Globals[0].Type, p.Globals[1].Type, p.Globals[2].Type
	if msgs.Kind != sema.Array || msgs.Len != 3 || msgs.Slots() != 6 || msgs.String() != "msi[3]" {
		t.Errorf("msgs: %v, %d slots", msgs, msgs.Slots())
	}
	if seen.Index != sema.CPU || seen.Len != 3 || seen.String() != "bool[cpu]" {
		t.Errorf("seen: %v", seen)
	}
	if level.Lo != 0 || level.Hi != 7 || level.String() != "int[0..7]" {
		t.Errorf("level: %v", level)
	}
	if len(p.Fns) != 1 || !p.Fns[0].Atomic || p.Fns[0].Result.Kind != sema.Int || len(p.Fns[0].Params) != 1 {
		t.Errorf("fns: %+v", p.Fns)
	}
	if len(p.Threads[0].Locals) != 1 || p.Threads[0].Locals[0].Name != "x" {
		t.Errorf("thread locals: %+v", p.Threads[0].Locals)
	}
	if len(p.Invariants) != 1 || p.Invariants[0].Name != "small" || len(p.Finals) != 1 || p.Finals[0].Name != "" {
		t.Errorf("properties: %+v %+v", p.Invariants, p.Finals)
	}
	if p.Inflight != sema.DefaultInflight {
		t.Errorf("inflight %d", p.Inflight)
	}
}
