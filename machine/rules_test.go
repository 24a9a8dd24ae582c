package machine_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
)

func check(t *testing.T, src string) *explore.Result {
	t.Helper()
	p, err := compile.Load("test.irq", []byte(src))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	r := explore.Explore(p, explore.Options{MaxStates: 1_000_000})
	if r.Violation != nil {
		explore.Blame(p, r.Violation, r.Trace)
	}
	return r
}

// expect runs src and checks the verdict and, for a violation, its kind
// and that its message contains msg.
func expect(t *testing.T, src string, verdict explore.Verdict, kind machine.ViolationKind, msg string) *explore.Result {
	t.Helper()
	r := check(t, src)
	if r.Verdict != verdict {
		t.Fatalf("verdict %s, want %s (violation %v)", r.Verdict, verdict, r.Violation)
	}
	if verdict == explore.Violated {
		if r.Violation.Kind != kind {
			t.Fatalf("kind %s, want %s: %v", r.Violation.Kind, kind, r.Violation)
		}
		if !strings.Contains(r.Violation.Msg, msg) {
			t.Fatalf("message %q does not contain %q", r.Violation.Msg, msg)
		}
	}
	return r
}

// A ruleCase is a model that shows one rule, and the verdict it gives:
// for a violation, its kind and part of its message.
type ruleCase struct {
	name    string
	src     string
	verdict explore.Verdict
	kind    machine.ViolationKind
	msg     string
}

// runRules checks each case as a subtest.
func runRules(t *testing.T, tests []ruleCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, tc.src, tc.verdict, tc.kind, tc.msg)
		})
	}
}

// Each machine rule of DESIGN.md section 1, on its own.
func TestRules(t *testing.T) {
	runRules(t, []ruleCase{
		{
			name: "arrival at an offline cpu is dropped",
			src: `cpus 2; const V = 0x30; int handled;
				handler h { handled++; }
				init { request_irq(1, V, h); cpu_down(1); }
				thread t on cpu 0 { send_ipi(1, V); }
				invariant never: handled == 0;`,
			verdict: explore.Verified,
		},
		{
			name: "arrival at an online cpu runs the handler",
			src: `cpus 2; const V = 0x30; int handled;
				handler h { handled++; }
				init { request_irq(1, V, h); }
				thread t on cpu 0 { send_ipi(1, V); }
				final handled == 0;`,
			verdict: explore.Violated, kind: machine.Final, msg: "handled == 0",
		},
		{
			name: "a handler never nests",
			src: `cpus 1; const A = 0x30; const B = 0x40; int depth; int runs;
				handler h { depth++; assert depth == 1, "nested"; depth--; runs++; }
				init { request_irq(0, A, h); request_irq(0, B, h); }
				thread t on cpu 0 { send_ipi(0, A); send_ipi(0, B); }
				final runs == 2;`,
			verdict: explore.Verified,
		},
		{
			name: "IF=0 holds interrupts back",
			src: `cpus 1; const V = 0x30; int x;
				handler h { assert x == 2, "taken while IF=0"; }
				init { request_irq(0, V, h); }
				thread t on cpu 0 { irq_disable(); send_ipi(0, V); await pending(0, V); x = 1; x = 2; irq_enable(); }`,
			verdict: explore.Verified,
		},
		{
			name: "IF=1 lets the interrupt in between statements",
			src: `cpus 1; const V = 0x30; int x;
				handler h { assert x == 2, "taken between the writes"; }
				init { request_irq(0, V, h); }
				thread t on cpu 0 { send_ipi(0, V); x = 1; x = 2; }`,
			verdict: explore.Violated, kind: machine.Assertion, msg: "taken between the writes",
		},
		{
			name: "a pending unmasked interrupt is taken before the cpu runs on",
			src: `cpus 1; const V = 0x30; int x;
				handler h { x = 10; }
				init { request_irq(0, V, h); }
				thread t on cpu 0 { irq_disable(); send_ipi(0, V); await pending(0, V); irq_enable(); assert x == 10; }`,
			verdict: explore.Verified,
		},
		{
			name: "the highest pending vector is taken first",
			src: `cpus 1; const LO = 0x30; const HI = 0x40; int first;
				handler h { if (first == 0) first = this_vector; }
				init { request_irq(0, LO, h); request_irq(0, HI, h); }
				thread t on cpu 0 { irq_disable(); send_ipi(0, LO); send_ipi(0, HI); await pending(0, LO) && pending(0, HI); irq_enable(); }
				final first == HI;`,
			verdict: explore.Verified,
		},
		{
			name: "a terminal state with a blocked thread is a hang",
			src: `cpus 1; bool go;
				thread t on cpu 0 { await go; }`,
			verdict: explore.Violated, kind: machine.Hang, msg: "thread t is blocked forever",
		},
		{
			name: "a vector pending for good is a hang",
			src: `cpus 1; const V = 0x30;
				handler h { }
				init { request_irq(0, V, h); }
				thread t on cpu 0 { irq_disable(); send_ipi(0, V); }`,
			verdict: explore.Violated, kind: machine.Hang, msg: "vector 0x30 is pending on cpu 0",
		},
		{
			name: "a device blocked for good is a hang",
			src: `cpus 1; bool go;
				device d { await go; }
				thread t on cpu 0 { }`,
			verdict: explore.Violated, kind: machine.Hang, msg: "device d is blocked forever",
		},
		{
			// Not only the vectors 0x30 and 0x40 of the other cases,
			// whose low bits are zero.
			name: "this_vector is the vector the handler was entered for",
			src: `cpus 1; const V = 0x31; int seen;
				handler h { seen = this_vector; }
				init { request_irq(0, V, h); }
				thread t on cpu 0 { send_ipi(0, V); }
				final seen == V;`,
			verdict: explore.Verified,
		},
		{
			name: "cpu_down leaves the cpu with no current thread",
			src: `cpus 2; bool go;
				thread a on cpu 1 { await go; }
				thread t on cpu 0 { cpu_down(1); go = true; }
				invariant cpu_online(1) || current(1) == none;`,
			verdict: explore.Verified,
		},
		{
			// Two IPIs of one vector to one cpu are two messages: the
			// first may arrive and be handled before the second.
			name: "messages in flight are a multiset: the same message twice is two",
			src: `cpus 2; const V = 0x30; int n;
				handler h { n++; }
				init { request_irq(1, V, h); }
				thread t on cpu 0 { atomic { send_ipi(1, V); send_ipi(1, V); } }
				final n == 1;`,
			verdict: explore.Violated, kind: machine.Final, msg: "n == 1",
		},
		{
			// Sent B then A, A may arrive first and be taken alone.
			name: "messages in flight arrive in any order",
			src: `cpus 2; const A = 0x30; const B = 0x40; int first;
				handler h { if (first == 0) first = this_vector; }
				init { request_irq(1, A, h); request_irq(1, B, h); }
				thread t on cpu 0 { atomic { send_ipi(1, B); send_ipi(1, A); } }
				final first == B;`,
			verdict: explore.Violated, kind: machine.Final, msg: "first == B",
		},
		{
			name: "an interrupt on a vector with no handler is spurious",
			src: `cpus 2; const V = 0x30;
				handler h { }
				init { request_irq(0, V, h); }
				thread t on cpu 0 { send_ipi(1, V); }`,
			verdict: explore.Violated, kind: machine.Spurious, msg: "cpu 1 vector 0x30",
		},
		{
			name: "free_irq removes the handler",
			src: `cpus 1; const V = 0x30;
				handler h { }
				init { request_irq(0, V, h); }
				thread t on cpu 0 { free_irq(0, V); send_ipi(0, V); }`,
			verdict: explore.Violated, kind: machine.Spurious, msg: "vector 0x30",
		},
		{
			name: "an idle cpu takes interrupts",
			src: `cpus 2; const V = 0x30; bool done;
				handler h { done = true; }
				init { request_irq(1, V, h); }
				thread t on cpu 0 { send_ipi(1, V); await done; }`,
			verdict: explore.Verified,
		},
		{
			name: "cpu_down drops the pending vectors",
			src: `cpus 2; const V = 0x30; bool sent; int handled;
				handler h { handled++; }
				init { request_irq(1, V, h); }
				thread b on cpu 1 { irq_disable(); send_ipi(1, V); await pending(1, V); sent = true; await !cpu_online(1); }
				thread t on cpu 0 { await sent; cpu_down(1); }
				invariant never: handled == 0;`,
			verdict: explore.Verified,
		},
		{
			name: "cpu_down moves threads to the lowest online cpu",
			src: `cpus 3; bool down;
				thread a on cpu 2 { await down; assert this_cpu == 0, "not moved to cpu 0"; }
				thread t on cpu 1 { cpu_down(2); down = true; }`,
			verdict: explore.Verified,
		},
		{
			name: "cpu_up brings a cpu back with an empty irr",
			src: `cpus 2; const V = 0x30; int handled;
				handler h { handled++; }
				init { request_irq(1, V, h); }
				thread t on cpu 0 { cpu_down(1); send_ipi(1, V); cpu_up(1); }
				final handled == 0;`,
			verdict: explore.Violated, kind: machine.Final, msg: "handled == 0",
		},
		{
			name: "cpu_down of the last online cpu is an error",
			src: `cpus 1;
				thread t on cpu 0 { cpu_down(0); }`,
			verdict: explore.Violated, kind: machine.Runtime, msg: "last online cpu",
		},
		{
			name: "a blocked thread lets another thread of its cpu run",
			src: `cpus 1; bool go; int order;
				thread a on cpu 0 { await go; order = order * 10 + 1; }
				thread b on cpu 0 { go = true; order = order * 10 + 2; }
				final order == 21;`,
			verdict: explore.Verified,
		},
		{
			name: "scheduling is cooperative: no switch without block, end or yield",
			src: `cpus 1; int x;
				thread a on cpu 0 { x = 1; assert x == 1, "preempted"; }
				thread b on cpu 0 { x = 2; }`,
			verdict: explore.Verified,
		},
		{
			name: "each thread keeps its own interrupt flag across a switch",
			src: `cpus 1; bool go;
				thread a on cpu 0 { irq_disable(); await go; assert irqs_disabled(), "flag lost"; irq_enable(); }
				thread b on cpu 0 { assert !irqs_disabled(), "flag leaked"; go = true; }`,
			verdict: explore.Verified,
		},
		{
			name: "current is none once the thread finished",
			src: `cpus 2; bool f;
				thread a on cpu 0 { f = true; }
				thread b on cpu 1 { assert current(0) == a || f; await f; assert current(0) == none; }`,
			verdict: explore.Verified,
		},
		{
			name: "yield lets another thread run",
			src: `cpus 1; int x;
				thread a on cpu 0 { x = 1; yield(); assert x == 1, "preempted at yield"; }
				thread b on cpu 0 { x = 2; }`,
			verdict: explore.Violated, kind: machine.Assertion, msg: "preempted at yield",
		},
		{
			name: "devices run without a cpu and interleave freely",
			src: `cpus 1; int x;
				device d { x = 1; }
				thread t on cpu 0 { x = 2; assert x == 2, "device raced"; }`,
			verdict: explore.Violated, kind: machine.Assertion, msg: "device raced",
		},
		{
			name: "atomic blocks are one step",
			src: `cpus 2; int x;
				thread a on cpu 0 { atomic { x = 1; assert x == 1, "torn"; } }
				thread b on cpu 1 { x = 2; }`,
			verdict: explore.Verified,
		},
		{
			name: "atomic fn is one step",
			src: `cpus 2; int x;
				atomic fn set(int v) int { x = v; return x; }
				thread a on cpu 0 { int r = set(1); assert r == 1, "torn"; }
				thread b on cpu 1 { x = 2; }`,
			verdict: explore.Verified,
		},
		{
			name: "fn steps interleave",
			src: `cpus 2; int x;
				fn set(int v) int { x = v; return x; }
				thread a on cpu 0 { int r = set(1); assert r == 1, "raced"; }
				thread b on cpu 1 { x = 2; }`,
			verdict: explore.Violated, kind: machine.Assertion, msg: "raced",
		},
		{
			name: "await inside atomic guards the whole step",
			src: `cpus 2; bool locked; int inside;
				fn lock() { atomic { await !locked; locked = true; } }
				fn unlock() { locked = false; }
				thread a on cpu 0 { lock(); inside++; assert inside == 1, "mutual exclusion"; inside--; unlock(); }
				thread b on cpu 1 { lock(); inside++; assert inside == 1, "mutual exclusion"; inside--; unlock(); }`,
			verdict: explore.Verified,
		},
		{
			name: "a racy test-and-set is caught",
			src: `cpus 2; bool locked; int inside;
				fn lock() { await !locked; locked = true; }
				thread a on cpu 0 { lock(); inside++; assert inside == 1, "mutual exclusion"; inside--; locked = false; }
				thread b on cpu 1 { lock(); inside++; assert inside == 1, "mutual exclusion"; inside--; locked = false; }`,
			verdict: explore.Violated, kind: machine.Assertion, msg: "mutual exclusion",
		},
		{
			name: "cmpxchg returns the old value and swaps only on a match",
			src: `cpus 1; int x = 5;
				thread t on cpu 0 {
					assert cmpxchg(x, 4, 9) == 5; assert x == 5;
					assert cmpxchg(x, 5, 9) == 5; assert x == 9;
					int old = 1;
					assert !try_cmpxchg(x, old, 3); assert old == 9;
					assert try_cmpxchg(x, old, 3); assert x == 3;
					assert xchg(x, 7) == 3; assert x == 7;
					assert fetch_or(x, 8) == 7; assert x == 15;
					assert fetch_and(x, 6) == 15; assert x == 6;
					assert fetch_add(x, 4) == 6; assert x == 10;
					assert fetch_sub(x, 1) == 10; assert x == 9;
					assert fetch_xor(x, 1) == 9; assert x == 8;
				}`,
			verdict: explore.Verified,
		},
		{
			name: "either and choose explore every branch",
			src: `cpus 1; int x; int y;
				thread t on cpu 0 { either { x = 1; } or { x = 2; } choose y in 0..2; assert x + y != 4, "reached"; }`,
			verdict: explore.Violated, kind: machine.Assertion, msg: "reached",
		},
		{
			name: "current names the thread running on a cpu",
			src: `cpus 2;
				thread a on cpu 0 { assert current(0) == a; assert current(1) == b; }
				thread b on cpu 1 { await false; }`,
			verdict: explore.Violated, kind: machine.Hang, msg: "thread b",
		},
		{
			name: "index out of range is a run-time error",
			src: `cpus 1; int a[2]; int i;
				thread t on cpu 0 { i = 2; a[i] = 1; }`,
			verdict: explore.Violated, kind: machine.Runtime, msg: "index 2 out of range 0..1",
		},
		{
			name: "division by zero is a run-time error",
			src: `cpus 1; int z; int x;
				thread t on cpu 0 { x = 1 / z; }`,
			verdict: explore.Violated, kind: machine.Runtime, msg: "division by zero",
		},
		{
			name: "overflow of a declared range is a run-time error",
			src: `cpus 1; int[0..2] n;
				thread t on cpu 0 { while (true) n++; }`,
			verdict: explore.Violated, kind: machine.Runtime, msg: "out of range int[0..2]",
		},
		{
			name: "an invariant is checked in every state",
			src: `cpus 1; int x;
				thread t on cpu 0 { x = 1; x = 0; }
				invariant zero: x == 0;`,
			verdict: explore.Violated, kind: machine.Invariant, msg: "zero: x == 0",
		},
		{
			name: "a computed vector the model never names is a run-time error",
			src: `cpus 1; int v = 0x30;
				handler h { }
				init { request_irq(0, 0x30, h); }
				thread t on cpu 0 { v++; send_ipi(0, v); }`,
			verdict: explore.Violated, kind: machine.Runtime, msg: "vector 0x31 is not one the model names",
		},
		{
			name: "in-flight capacity is enforced",
			src: `cpus 2; inflight 1; const V = 0x30;
				handler h { }
				init { request_irq(1, V, h); }
				thread t on cpu 0 { send_ipi(1, V); send_ipi(1, V); }`,
			verdict: explore.Violated, kind: machine.Runtime, msg: "more than 1 messages in flight",
		},
		{
			name: "a handler blocked for good is a hang",
			src: `cpus 2; const V = 0x30; bool go;
				handler h { await go; }
				init { request_irq(1, V, h); }
				thread t on cpu 0 { send_ipi(1, V); }`,
			verdict: explore.Violated, kind: machine.Hang, msg: "handler h is blocked forever on cpu 1",
		},
		{
			name: "x++ is one step: two threads' increments are never lost",
			src: `cpus 2; int x;
				thread a on cpu 0 { x++; }
				thread b on cpu 1 { x++; }
				final x == 2;`,
			verdict: explore.Verified,
		},
		{
			name: "C's x++ written as a load and a store loses an update",
			src: `cpus 2; int x;
				thread a on cpu 0 { int t = x; x = t + 1; }
				thread b on cpu 1 { int t = x; x = t + 1; }
				final lost: x == 2;`,
			verdict: explore.Violated, kind: machine.Final, msg: "lost: x == 2 does not hold",
		},
		{
			name: "handlers never nest, even when a handler sets IF=1",
			src: `cpus 1; const A = 0x30; const B = 0x31; int depth;
				handler h { depth++; irq_enable(); depth--; }
				init { request_irq(0, A, h); request_irq(0, B, h); }
				device d { send_ipi(0, A); send_ipi(0, B); }
				invariant nested: depth <= 1;`,
			verdict: explore.Verified,
		},
		{
			name: "interrupt entry sets IF=0",
			src: `cpus 1; const V = 0x30;
				handler h { assert irqs_disabled(), "IF is 1 in the handler"; }
				init { request_irq(0, V, h); }
				device d { send_ipi(0, V); }`,
			verdict: explore.Verified,
		},
		{
			name: "a device's posted write to an offline cpu is dropped",
			src: `cpus 2; const V = 0x30; int handled;
				handler h { handled++; }
				init { request_irq(1, V, h); cpu_down(1); }
				device d { send_ipi(1, V); }
				invariant handled == 0;
				final !pending(1, V);`,
			verdict: explore.Verified,
		},
		{
			name: "a run-time error in an invariant is a runtime violation, not an invariant one",
			src: `cpus 1; int a[2]; int i = 5;
				thread t on cpu 0 { }
				invariant a[i] == 0;`,
			verdict: explore.Violated, kind: machine.Runtime, msg: "index 5 out of range 0..1 of a",
		},
		{
			name: "a handler blocked in a terminal state is the hang, not the thread it interrupted",
			src: `cpus 1; const V = 0x30; bool go;
				handler h { await go; }
				init { request_irq(0, V, h); }
				device d { send_ipi(0, V); }
				thread t on cpu 0 { int x = 1; x = 2; }`,
			verdict: explore.Violated, kind: machine.Hang, msg: "handler h is blocked forever on cpu 0 at await go",
		},
		{
			name: "a forever thread blocked in a terminal state is waiting for work, not a hang",
			src: `cpus 1; bool work; int done;
				forever thread poller on cpu 0 { while (true) { await work; work = false; done++; } }
				device d { work = true; }
				final done <= 1;`,
			verdict: explore.Verified,
		},
		{
			name: "a forever device blocked in a terminal state is not a hang",
			src: `cpus 1; bool go;
				forever device timer { while (true) { await go; go = false; } }
				thread t on cpu 0 { go = true; }`,
			verdict: explore.Verified,
		},
		{
			name: "finals are checked in terminal states where only forever processes are left, blocked",
			src: `cpus 1; bool work; int done;
				forever thread poller on cpu 0 { while (true) { await work; work = false; done++; } }
				device d { work = true; }
				final done == 0;`,
			verdict: explore.Violated, kind: machine.Final, msg: "done == 0 does not hold",
		},
		{
			name: "cpu_down waits while the cpu runs a handler",
			src: `cpus 2; const V = 0x30; bool entered; bool go; int done;
				handler h { entered = true; await go; done++; }
				init { request_irq(1, V, h); }
				device d { go = true; }
				thread t on cpu 0 { send_ipi(1, V); await entered; cpu_down(1); }
				final done == 1;`,
			verdict: explore.Verified,
		},
	})
}

// State and transition counts of tiny models, worked out by hand (see the
// comment of each case).
func TestStateCounts(t *testing.T) {
	runCounts(t, []countCase{
		{
			// pc 0 -> pc 1 -> done: a chain of three states.
			name:        "one thread, two statements",
			src:         `cpus 1; int x; thread t on cpu 0 { x = 1; x = 2; }`,
			states:      3,
			transitions: 2,
		},
		{
			// A bare declaration is no step: the thread starts at x = 1,
			// a chain of two states; with an initialiser the declaration
			// is a step of its own, three.
			name:        "a bare declaration is not a step",
			src:         `cpus 1; int x; thread t on cpu 0 { int a; x = 1; }`,
			states:      2,
			transitions: 1,
		},
		{
			name:        "a declaration with a value is a step",
			src:         `cpus 1; int x; thread t on cpu 0 { int a = 0; x = 1; }`,
			states:      3,
			transitions: 2,
		},
		{
			// (a, b) in {0,1}^2: four states; two ways into (1,1).
			name:        "two cpus, one statement each",
			src:         `cpus 2; int a; int b; thread t0 on cpu 0 { a = 1; } thread t1 on cpu 1 { b = 1; }`,
			states:      4,
			transitions: 4,
		},
		{
			// initial, then x = 0, 1, 2 with the thread done.
			name:        "choose",
			src:         `cpus 1; int x; thread t on cpu 0 { choose x in 0..2; }`,
			states:      4,
			transitions: 3,
		},
		{
			// initial; at "f = true"; at "f = false"; done with f true; done with f false.
			name:        "either",
			src:         `cpus 1; bool f; thread a on cpu 0 { either { f = true; } or { f = false; } }`,
			states:      5,
			transitions: 4,
		},
		{
			// sent (in flight) -> arrived (pending on cpu 1) -> entered
			// (handler at h++, IF=0) -> h = 1 and the handler returned.
			name: "one IPI and its handler",
			src: `cpus 2; const V = 0x30; int h;
				handler hd { h++; }
				init { request_irq(1, V, hd); }
				thread t on cpu 0 { send_ipi(1, V); }`,
			states:      5,
			transitions: 4,
		},
		{
			// s0 a at send; s1 sent, a done; s2 arrived; s3 switched to b;
			// s4 handled (empty handler returns at once); s5 arrived and
			// switched; s6 cpu 1 down with the message in flight; s7
			// handled and switched; s8 cpu 1 down, nothing left (reached
			// from s5 by cpu_down, s6 by the drop, s7 by cpu_down).
			// Transitions: s0:1 s1:2 s2:2 s3:2 s4:1 s5:2 s6:1 s7:1 = 12.
			name: "an IPI racing cpu_down",
			src: `cpus 2; const V = 0x30;
				handler hd { }
				init { request_irq(1, V, hd); }
				thread a on cpu 0 { send_ipi(1, V); }
				thread b on cpu 0 { cpu_down(1); }`,
			states:      9,
			transitions: 12,
		},
		{
			// s0 a at yield; s1 stays (a at x=1); s2 switched to b; s3 x=1,
			// a done; s4 x=2, b done; s5 s3 switched to b; s6 s4 switched
			// to a; s7 x=2 both done; s8 x=1 both done.
			name: "yield",
			src: `cpus 1; int x;
				thread a on cpu 0 { yield(); x = 1; }
				thread b on cpu 0 { x = 2; }`,
			states:      9,
			transitions: 8,
		},
	})
}

// A countCase is a tiny verified model and its state and transition
// counts, worked out by hand.
type countCase struct {
	name                string
	src                 string
	states, transitions int64
}

// runCounts checks each case's verdict and counts as a subtest.
func runCounts(t *testing.T, tests []countCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := check(t, tc.src)
			if r.Verdict != explore.Verified {
				t.Fatalf("verdict %s: %v", r.Verdict, r.Violation)
			}
			if r.States != tc.states || r.Transitions != tc.transitions {
				t.Errorf("states %d, transitions %d; want %d, %d", r.States, r.Transitions, tc.states, tc.transitions)
			}
		})
	}
}

// The rules of memory tso that the litmus tests (package litmus) do not
// reach: hotplug, the bound of a buffer, devices, init, fairness of the
// flushes, and the front end's refusals.
func TestTSORules(t *testing.T) {
	runRules(t, []ruleCase{
		{
			// cpu_down drains the caller's buffer too, as a locked
			// operation: SB with cpu_down in place of a fence.
			name: "cpu_down is a barrier for its caller",
			src: `cpus 3; memory tso; int x, y, r0, r1;
				thread t0 on cpu 0 { x = 1; cpu_down(2); int a = y; r0 = a; }
				thread t1 on cpu 1 { y = 1; smp_mb(); int b = x; r1 = b; }
				final !(r0 == 0 && r1 == 0);`,
			verdict: explore.Verified,
		},
		{
			name: "a device's store goes to memory at once",
			src: `cpus 1; memory tso; int x, r0;
				device d { x = 1; }
				thread t on cpu 0 { await(x == 1); r0 = 1; }
				final r0 == 1;`,
			verdict: explore.Verified,
		},
		{
			name: "a step that stores more than a buffer holds is an error",
			src: `cpus 1; memory tso 1; struct pair { int a; int b; }
				pair p, q;
				thread t on cpu 0 { q.a = 1; q.b = 2; p = q; }`,
			verdict: explore.Violated, kind: machine.Runtime, msg: "more than a store buffer holds",
		},
		{
			// A waiter on another CPU's buffered store is not a
			// livelock: a buffered store reaches memory (the flushes of a
			// CPU's buffer are a fair process).
			name: "a buffered store eventually reaches memory",
			src: `cpus 2; memory tso; int flag;
				thread w on cpu 0 { while (flag == 0) { } }
				thread s on cpu 1 { flag = 1; }`,
			verdict: explore.Verified,
		},
		{
			name: "the final condition sees memory after every flush",
			src: `cpus 1; memory tso; int x;
				thread t on cpu 0 { x = 1; }
				final x == 1;`,
			verdict: explore.Verified,
		},
	})
}

// A store to a full buffer stalls its CPU until a flush, and the result
// says that runs needing deeper buffers were not explored.
func TestTSOBufferFull(t *testing.T) {
	src := `cpus 1; memory tso %d; int x, y;
		thread t on cpu 0 { x = 1; y = 1; }
		final x == 1 && y == 1;`
	for bound, full := range map[int]bool{1: true, 2: false} {
		r := check(t, strings.Replace(src, "%d", string(rune('0'+bound)), 1))
		if r.Verdict != explore.Verified || r.StoreBufferFull != full {
			t.Errorf("memory tso %d: %s, store buffer full %v; want verified, %v", bound, r.Outcome(), r.StoreBufferFull, full)
		}
	}
}

// cpu_down drains the dying CPU's buffer: in no reachable state does an
// offline CPU hold a buffered store.
func TestTSOOfflineBufferEmpty(t *testing.T) {
	p, err := compile.Load("test.irq", []byte(`cpus 2; memory tso; int x;
		thread t1 on cpu 1 { x = 1; x = 2; }
		thread t0 on cpu 0 { cpu_down(1); }`))
	if err != nil {
		t.Fatal(err)
	}
	l := p.Layout
	buffered := 0
	for _, s := range reachable(t, p, 10000) {
		if s[l.CPUs[1].Online] == 0 && l.BufferLen(s, 1) > 0 {
			t.Fatalf("cpu 1 is offline with %d buffered stores: %v", l.BufferLen(s, 1), s)
		}
		if l.BufferLen(s, 1) > 0 {
			buffered++
		}
	}
	if buffered == 0 {
		t.Fatal("no state with a store in cpu 1's buffer: the test shows nothing")
	}
}

// A finished thread is on no CPU, so cpu_down does not move it: in no
// reachable state does a finished thread name a CPU.
func TestFinishedThreadsOnNoCPU(t *testing.T) {
	p, err := compile.Load("test.irq", []byte(`cpus 3; int x;
		thread a on cpu 1 { x = 1; }
		thread b on cpu 2 { x = 2; }
		thread c on cpu 0 { cpu_down(1); cpu_down(2); }`))
	if err != nil {
		t.Fatal(err)
	}
	m := machine.New(p)
	l := p.Layout
	finished := 0
	for _, s := range reachable(t, p, 10000) {
		for i, ps := range l.Threads {
			if m.ThreadDone(s, int32(i)) {
				finished++
				if s[ps.CPU] != -1 {
					t.Fatalf("thread %s finished but is on cpu %d: %v", p.Threads[i].Name, s[ps.CPU], s)
				}
			}
		}
	}
	if finished == 0 {
		t.Fatal("no thread ever finished: the test shows nothing")
	}
}

// A handler's frame is cleared when it returns: with dead locals kept
// (so that the reset of dead locals cannot hide it), no reachable state
// in which a cpu runs no handler holds anything in that cpu's handler
// frame, and some state with a handler running does.
func TestHandlerFrameClearedOnReturn(t *testing.T) {
	src := `cpus 1; const V = 0x30; int x;
		handler h { int k = 2; x = k; }
		init { request_irq(0, V, h); }
		thread t on cpu 0 { send_ipi(0, V); send_ipi(0, V); }`
	p, err := compile.Load("test.irq", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p.KeepDeadLocals = true
	l := p.Layout
	m := machine.New(p)
	queue, v := m.InitialStates()
	if v != nil {
		t.Fatal(v)
	}
	seen := map[string]bool{}
	framed := 0 // states with a handler running and a value in its frame
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		key := fmt.Sprint(s)
		if seen[key] {
			continue
		}
		seen[key] = true
		for c, cs := range l.CPUs {
			frame := s[cs.HFrame : cs.HFrame+int32(l.HFrameSize)]
			nonzero := slices.ContainsFunc(frame, func(v int32) bool { return v != 0 })
			switch {
			case s[cs.Handler] == 0 && nonzero:
				t.Fatalf("cpu %d runs no handler, but its handler frame holds %v", c, frame)
			case s[cs.Handler] != 0 && nonzero:
				framed++
			}
		}
		m.Successors(s, func(sc *machine.Successor) bool {
			if sc.Violation != nil {
				t.Fatalf("violation: %v", sc.Violation)
			}
			queue = append(queue, slices.Clone(sc.Next))
			return true
		})
	}
	if framed == 0 {
		t.Fatal("no state with a value in a running handler's frame: the test shows nothing")
	}
}
