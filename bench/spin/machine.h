/*
 * machine.h: irqcheck's machine (README "The machine") as Promela, shared
 * by the twins in this directory. A twin defines, before including it:
 *
 *   NCPU      number of CPUs (the irqcheck model's `cpus N;`)
 *   NV        number of vectors the model uses; vector i of the model, in
 *             ascending vector number, is bit i of irr[c] (so the highest
 *             pending vector is the highest set bit, as in irqcheck)
 *   NTHR      number of threads (declaration order = irqcheck's index)
 *   INFLIGHT  capacity of the in-flight multiset (irqcheck: `inflight N;`, 8)
 *   cur[NCPU], tcpu[NTHR], vt[NCPU*NV] with their initial values, since
 *             Promela array initialisers must list every element
 *   ENABLED(t)  whether thread t (not done) has an enabled next step, read
 *             from its wait marker tw[t]. irqcheck switches a CPU to another
 *             thread only when the current one is blocked, so the twin must
 *             know whether a thread's next statement is enabled; remote
 *             references (proc@label) are not allowed in d_step, so every
 *             thread keeps tw[t] up to date instead: it tells which of the
 *             thread's statements that can block (await, cpu_down, an await
 *             inside an atomic fn) is next, the thread's ENABLED(t) gives
 *             the condition of each, and TDONE means finished. tw is a
 *             function of the thread's pc, so it adds no states.
 *
 * A twin declares its CPU processes first (active [NCPU] proctype CPU, so
 * that _pid is the CPU number) and includes net.h after them.
 *
 * Every irqcheck step is exactly one Promela d_step (no intermediate
 * states), and every piece of irqcheck's state that can vary has its own
 * variable here or in the twin, so the reachable states of twin and model
 * are in one-to-one correspondence.
 */

#define TDONE 255

bit  online[NCPU] = 1;   /* cpuN.online */
bit  IF[NCPU] = 1;       /* cpuN.IF */
byte hnd[NCPU];          /* cpuN.handler: running handler + 1, 0 = none */
byte hvec[NCPU];         /* cpuN.hvec: the vector (bit index) being handled */
byte irr[NCPU];          /* cpuN.irr: pending vectors, one bit each */
byte infl[NCPU*NV];      /* the in-flight multiset: count of (c, v) at c*NV+v */
byte ninfl;              /* its size (a function of infl[]) */
bit  tIF[NTHR] = 1;      /* thread.IF: the flag saved while not current */
byte tw[NTHR];           /* wait marker, see above */
hidden byte i_, k_;      /* scratch inside one d_step; not in the state vector */

/* the current thread of an online CPU that runs no handler and has no
 * pending unmasked interrupt executes one statement */
#define CPU_FREE(c) (hnd[c] == 0 && !(IF[c] && irr[c] != 0))
#define RUN(t) (cur[tcpu[t]] == (t) + 1 && CPU_FREE(tcpu[t]))

/* interrupt entry: the highest pending vector, IF=0, push the handler;
 * no handler registered is irqcheck's `spurious` */
#define ENTRY_OK(c) (online[c] && IF[c] && irr[c] != 0)
#define TAKE(c) \
	hvec[c] = NV - 1; \
	do \
	:: (irr[c] >> hvec[c]) & 1 -> break \
	:: else -> hvec[c]-- \
	od; \
	irr[c] = irr[c] & ~(1 << hvec[c]); \
	hnd[c] = vt[(c) * NV + hvec[c]]; \
	assert(hnd[c] != 0 /* spurious: no handler for this vector here */); \
	IF[c] = 0

/* the handler's last statement returns: frame popped, IF=1 */
#define RET(c) hnd[c] = 0; hvec[c] = 0; IF[c] = 1

/* context switch on c to thread t: allowed when the current thread is
 * none, done or blocked; the outgoing thread's IF is saved, the incoming
 * one's restored (and its slot kept canonical at 1) */
#define SCHED_OK(c) (online[c] && CPU_FREE(c) && (cur[c] == 0 || !ENABLED(cur[c] - 1)))
#define SWITCHABLE(c, t) (tcpu[t] == (c) && cur[c] != (t) + 1 && ENABLED(t))
#define SWITCH(c, t) \
	if \
	:: cur[c] != 0 -> tIF[cur[c] - 1] = IF[c] \
	:: else -> skip \
	fi; \
	IF[c] = tIF[t]; tIF[t] = 1; cur[c] = (t) + 1
#define SCHED(c, t) SCHED_OK(c) && SWITCHABLE(c, t) -> SWITCH(c, t)

/* yield(): the thread stays current, or another runnable thread of its
 * CPU becomes current (one transition each) */
#define YIELD_TO(t, u) RUN(t) && tcpu[u] == tcpu[t] && (u) != (t) && ENABLED(u)

/* a thread's last step: done, and its CPU has no current thread */
#define FINISH(t) \
	tw[t] = TDONE; \
	if \
	:: cur[tcpu[t]] == (t) + 1 -> cur[tcpu[t]] = 0 \
	:: else -> skip \
	fi

/* send_ipi from a thread or handler: in flight */
#define SEND(c, v) \
	assert(ninfl < INFLIGHT /* runtime: too many messages in flight */); \
	infl[(c) * NV + (v)]++; ninfl++
/* send_ipi from a device: a posted write, pending at once or dropped */
#define DSEND(c, v) \
	if \
	:: online[c] -> irr[c] = irr[c] | (1 << (v)) \
	:: else -> skip \
	fi

/* arrival (or drop at an offline CPU) of one message (c, v), k = c*NV+v */
#define ARRIVE(k) \
	:: d_step { infl[k] > 0 -> \
		infl[k]--; ninfl--; \
		if \
		:: online[(k) / NV] -> irr[(k) / NV] = irr[(k) / NV] | (1 << ((k) % NV)) \
		:: else -> skip \
		fi }

/* cpu_down(c): blocked while c runs a handler (stop_machine); pending
 * vectors dropped; threads moved to the lowest other online CPU */
#define CAN_DOWN(c) (!online[c] || hnd[c] == 0)
#define CPU_DOWN(c) \
	if \
	:: online[c] -> \
		k_ = 0; \
		do \
		:: k_ < NCPU && (k_ == (c) || !online[k_]) -> k_++ \
		:: else -> break \
		od; \
		assert(k_ < NCPU /* runtime: cpu_down of the last online cpu */); \
		if \
		:: cur[c] != 0 -> tIF[cur[c] - 1] = IF[c] \
		:: else -> skip \
		fi; \
		online[c] = 0; IF[c] = 1; cur[c] = 0; irr[c] = 0; \
		for (i_ : 0 .. NTHR - 1) { \
			if \
			:: tcpu[i_] == (c) -> tcpu[i_] = k_ \
			:: else -> skip \
			fi \
		}; \
		i_ = 0; k_ = 0 \
	:: else -> skip \
	fi
#define CPU_UP(c) \
	if \
	:: !online[c] -> online[c] = 1; IF[c] = 1; cur[c] = 0 \
	:: else -> skip \
	fi

/* terminal-state check: everything finished, nothing in flight, no CPU
 * in a handler or able to take an interrupt */
#define CPU_QUIET(c) (hnd[c] == 0 && !(online[c] && IF[c] && irr[c] != 0))
#if NCPU == 2
#define ALL_QUIET (CPU_QUIET(0) && CPU_QUIET(1))
#define NONE_PENDING (irr[0] == 0 && irr[1] == 0)
#elif NCPU == 3
#define ALL_QUIET (CPU_QUIET(0) && CPU_QUIET(1) && CPU_QUIET(2))
#define NONE_PENDING (irr[0] == 0 && irr[1] == 0 && irr[2] == 0)
#elif NCPU == 4
#define ALL_QUIET (CPU_QUIET(0) && CPU_QUIET(1) && CPU_QUIET(2) && CPU_QUIET(3))
#define NONE_PENDING (irr[0] == 0 && irr[1] == 0 && irr[2] == 0 && irr[3] == 0)
#elif NCPU == 5
#define ALL_QUIET (CPU_QUIET(0) && CPU_QUIET(1) && CPU_QUIET(2) && CPU_QUIET(3) && CPU_QUIET(4))
#define NONE_PENDING (irr[0] == 0 && irr[1] == 0 && irr[2] == 0 && irr[3] == 0 && irr[4] == 0)
#endif

/*
 * The watchdog classifies terminal states in which every thread and
 * device finished (the others are SPIN's invalid end states: a blocked
 * thread, handler or device is irqcheck's `hang`): a vector still pending
 * is a hang, then the model's finals must hold. Its only transition is a
 * self-loop enabled in such states, so it adds no states.
 */
#define WATCHDOG(alldone, final) \
active proctype watchdog() { \
end: \
	do \
	:: d_step { (alldone) && ninfl == 0 && ALL_QUIET -> \
		assert(NONE_PENDING /* hang: a vector pending for good */); \
		assert(final) } \
	od \
}
