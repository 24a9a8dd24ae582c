package machine_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/irqcheck/irqcheck/compile"
	"github.com/irqcheck/irqcheck/explore"
	"github.com/irqcheck/irqcheck/machine"
)

// The rules of memory weak that the litmus tests (package litmus) do not
// reach: devices, interrupt entry, hotplug, the bound of the history and
// the fairness of loads.
func TestWeakRules(t *testing.T) {
	const device = `cpus 1; memory weak; int data, flag, r0;
		device d { data = 1; flag = 1; }
		thread t on cpu 0 { await(flag == 1); %s int a = data; r0 = a; }
		final r0 == 1;`
	runRules(t, []ruleCase{
		{
			// A device's stores go to memory in order, but a CPU may read
			// behind memory: with no barrier it sees the flag and old data.
			name:    "a CPU may read behind a device's stores",
			src:     fmt.Sprintf(device, ""),
			verdict: explore.Violated, kind: machine.Final, msg: "r0 == 1",
		},
		{
			name:    "smp_rmb orders a CPU's loads of a device's stores",
			src:     fmt.Sprintf(device, "smp_rmb();"),
			verdict: explore.Verified,
		},
		{
			// No load of a handler is satisfied before its interrupt is
			// taken, so it sees what memory held when the message came.
			name: "interrupt entry reads memory as it is",
			src: `cpus 1; memory weak; const V = 0x40; int data, r0;
				handler h { int a = data; r0 = a + 1; }
				init { request_irq(0, V, h); }
				device d { data = 1; send_ipi(0, V); }
				final r0 == 2;`,
			verdict: explore.Verified,
		},
		{
			// A thread that cpu_down moves reads on coherently: having
			// seen x = 1 on cpu 1, it does not see x = 0 on cpu 0.
			name: "a migrated thread does not read older writes",
			src: `cpus 3; memory weak; int x, r0, r1;
				thread w on cpu 2 { x = 1; }
				thread t on cpu 1 { int a = x; int b = x; r0 = a; r1 = b; }
				thread d on cpu 0 { cpu_down(1); }
				final !(r0 == 1 && r1 == 0);`,
			verdict: explore.Verified,
		},
		{
			// A CPU spinning on a flag that memory has set is no
			// livelock: a load that could read the newest write does so
			// in the end (the fresh loads of a CPU are a fair class).
			name: "a CPU does not read behind memory for ever",
			src: `cpus 2; memory weak; int flag;
				thread w on cpu 0 { while (READ_ONCE(flag) == 0) { } }
				thread s on cpu 1 { WRITE_ONCE(flag, 1); }`,
			verdict: explore.Verified,
		},
		{
			// A load inside an atomic step reads memory's newest write,
			// and the CPU has seen it: a later load of the same location
			// is no older (coherence), and the step's barrier orders the
			// later load of y after it.
			name: "a locked load is seen",
			src: `cpus 2; memory weak; int x, y, r0, r1;
				thread t0 on cpu 0 { WRITE_ONCE(y, 1); smp_wmb(); WRITE_ONCE(x, 1); }
				thread t1 on cpu 1 {
					int a = 0; atomic { a = x; }
					int b = READ_ONCE(x); int c = READ_ONCE(y);
					r0 = a; r1 = b * 10 + c;
				}
				final !(r0 == 1 && r1 != 11);`,
			verdict: explore.Verified,
		},
		{
			name: "the final condition sees memory's newest writes",
			src: `cpus 2; memory weak; int x;
				thread t on cpu 0 { x = 1; x = 2; }
				thread u on cpu 1 { int a = x; }
				final x == 2;`,
			verdict: explore.Verified,
		},
	})
}

// When the write history is full its oldest writes become visible to
// every CPU, and the result says that runs reading further behind were
// not explored.
func TestWeakHistoryFull(t *testing.T) {
	src := `cpus 2; memory weak %d; int x, r0;
		thread w on cpu 0 { x = 1; x = 2; x = 3; x = 4; x = 5; x = 6; x = 7; x = 8; x = 9; }
		thread r on cpu 1 { int a = x; r0 = a; }
		final x == 9;`
	// memory weak N holds 8N writes (the value they overwrite is kept
	// apart): nine writes to x do not fit in 8, and fit in 16.
	for bound, full := range map[int]bool{1: true, 2: false} {
		r := check(t, fmt.Sprintf(src, bound))
		if r.Verdict != explore.Verified || r.HistoryFull != full {
			t.Errorf("memory weak %d: %s, history full %v; want verified, %v", bound, r.Outcome(), r.HistoryFull, full)
		}
	}
}

// State counts of tiny models under memory weak, worked out by hand.
func TestWeakStateCounts(t *testing.T) {
	runCounts(t, []countCase{
		{
			// s0; s1 x = 1 buffered (a done); s2 flushed: cpu 0 is idle
			// (its next load would follow an interrupt entry, which
			// observes memory), so the history keeps nothing.
			name:   "one store",
			src:    `cpus 1; memory weak; int x; thread a on cpu 0 { x = 1; }`,
			states: 3, transitions: 2,
		},
		{
			// s0 both at their step; s1 a done, x = 1 buffered; s2 b
			// done (read 0 from memory, which had no history); s3 a and
			// b done, x buffered (from s1 and s2); s4 from s1 by the
			// flush: the history holds 0 (which cpu 1 may still read)
			// and 1; s5 from s3 by the flush, and from s4 when b reads
			// the 0 or the 1: both CPUs are idle, so no CPU may load
			// before it observes memory, and the history is empty.
			// Transitions: s0:2 s1:2 s2:1 s3:1 s4:2 = 8.
			name: "a store and a load on two cpus",
			src: `cpus 2; memory weak; int x;
				thread a on cpu 0 { x = 1; }
				thread b on cpu 1 { int r = x; }`,
			states: 6, transitions: 8,
		},
	})
}

// Behind lists what a CPU may still read behind memory: after cpu 0's
// store of 1 reaches memory (its smp_mb), cpu 1, which has read nothing
// yet, may read 0; cpu 0, which wrote the 1, may not.
func TestWeakBehind(t *testing.T) {
	p, err := compile.Load("test.irq", []byte(`cpus 2; memory weak; int x;
		thread a on cpu 0 { x = 1; smp_mb(); int r = x; }
		thread b on cpu 1 { int r = x; }`))
	if err != nil {
		t.Fatal(err)
	}
	l := p.Layout
	m := machine.New(p)
	found := false
	for _, s := range reachable(t, p, 1000) {
		if s[0] != 1 || l.BufferLen(s, 0) != 0 || m.ThreadDone(s, 0) || m.ThreadDone(s, 1) {
			continue // the store has not reached memory, or a thread is done
		}
		found = true
		if got := l.Behind(s, 0); len(got) != 0 {
			t.Errorf("cpu 0 may read behind its own store: %v", got)
		}
		got := l.Behind(s, 1)
		if want := []machine.StaleRead{{Slot: 0, Value: 0, Memory: 1}}; !slices.Equal(got, want) {
			t.Errorf("cpu 1 may read behind %v, want %v", got, want)
		}
	}
	if !found {
		t.Fatal("no state with the store in memory and both threads running")
	}
}

// A global that no code on a CPU loads keeps no write history: cpu 1
// could read an older x only if some code of it loaded x.
func TestWeakUnloadedNoHistory(t *testing.T) {
	p, err := compile.Load("test.irq", []byte(`cpus 2; memory weak; int x, y;
		forever thread a on cpu 0 { while (true) { x = 1; x = 0; } }
		thread b on cpu 1 { int r = y; }`))
	if err != nil {
		t.Fatal(err)
	}
	l := p.Layout
	for _, s := range reachable(t, p, 10000) {
		if n := l.HistoryLen(s); n != 0 {
			t.Fatalf("the history holds %d writes of x, which no CPU loads", n)
		}
	}
}

// A load that reads behind memory says so, for the base and for an older
// write of the history alike: after cpu 0's x = 1 and x = 2 reach memory,
// cpu 1 may read 0 or 1 while memory holds 2.
func TestWeakStaleReads(t *testing.T) {
	p, err := compile.Load("test.irq", []byte(`cpus 2; memory weak; int x;
		thread a on cpu 0 { x = 1; x = 2; }
		thread b on cpu 1 { int r = x; }`))
	if err != nil {
		t.Fatal(err)
	}
	m := machine.New(p)
	seen := map[machine.StaleRead]bool{}
	for _, s := range reachable(t, p, 1000) {
		m.Successors(s, func(sc *machine.Successor) bool {
			for _, r := range sc.Stale {
				seen[r] = true
			}
			return true
		})
	}
	for _, want := range []machine.StaleRead{{Slot: 0, Value: 0, Memory: 2}, {Slot: 0, Value: 1, Memory: 2}, {Slot: 0, Value: 0, Memory: 1}} {
		if !seen[want] {
			t.Errorf("no load reads %d while memory holds %d (saw %v)", want.Value, want.Memory, seen)
		}
	}
}
