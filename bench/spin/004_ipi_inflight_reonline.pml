/*
 * Twin of catalog:004_ipi_inflight_reonline
 * (catalog/models/004_ipi_inflight_reonline.irq) under irqcheck's
 * semantics: 004_csd_conditional plus a yield() between the two calls and
 * cpu_up(1) after the offlining, so that cpuhp, moved to cpu 0 by its own
 * cpu_down(1), competes with the caller for cpu 0 and keeps its local f
 * until it ends. spin -DNCPU=3 gives the 3-CPU variant.
 * See README.md in this directory for the encoding of the machine.
 *
 * States: pan (-DSAFETY, with -DNOREDUCE or with its default partial-order
 * reduction, which removes nothing here) stores exactly as many states as
 * `irqcheck check` reports: 127 with 2 CPUs, 354 with 3, 651 with 4. No
 * encoding difference remains: every irqcheck step is one d_step, and
 * every varying part of irqcheck's state has a variable here (see
 * README.md). Transitions agree too, except that pan also counts the
 * initial state and the watchdog's self-loop in each terminal state where
 * everything finished.
 */
#ifndef NCPU
#define NCPU 2
#endif
#define NV 1              /* vector 0: CALL_FUNCTION_SINGLE_VECTOR 0xfb */
#define V_CALL 0
#define NTHR 2
#define T_CALLER 0
#define T_CPUHP 1
#define INFLIGHT 8
#define H_CALL 1          /* generic_smp_call_function_single_interrupt */
#define CSD_FLAG_LOCK 1
#define ENXIO 6

#if NCPU == 2
byte cur[NCPU] = { 1, 2 };
#elif NCPU == 3
byte cur[NCPU] = { 1, 2, 0 };
#elif NCPU == 4
byte cur[NCPU] = { 1, 2, 0, 0 };
#else
#error "this twin is written for NCPU 2 to 4"
#endif
byte tcpu[NTHR] = { 0, 1 };
byte vt[NCPU * NV] = H_CALL;    /* init: request_irq on every CPU */

/* caller: tw 1 = at `await (csd.flags & CSD_FLAG_LOCK) == 0`
 * cpuhp: tw 0 = at the step that ends in cpu_down(1), blocked while cpu 1
 * runs a handler; 1 = at cpu_up(1) */
#define ENABLED(t) ((t) == T_CALLER -> \
	(tw[T_CALLER] == 0 || (tw[T_CALLER] == 1 && (csd_flags & CSD_FLAG_LOCK) == 0)) : \
	((tw[T_CPUHP] == 0 && CAN_DOWN(1)) || tw[T_CPUHP] == 1))

#include "machine.h"

byte csd_flags;           /* csd.flags */
byte csd_func;            /* csd.func */
bit  csq[NCPU];           /* call_single_queue[cpu] */
byte ran[3];
short err[3] = 1;
short hf[NCPU];           /* the handler frame of each CPU: f */
short hp_f;               /* cpuhp's local f: kept until cpuhp ends */

/* flush_queue(c): atomic fn, returns the func to call */
#define FLUSH(c, res) \
	if \
	:: !csq[c] -> res = 0 \
	:: else -> \
		csq[c] = 0; \
		assert((csd_flags & CSD_FLAG_LOCK) != 0 /* csd_unlock() of an unlocked csd */); \
		csd_flags = 0; \
		res = csd_func \
	fi
#define ONCE assert(ran[1] <= 1 && ran[2] <= 1 /* invariant once */)

/* the atomic body of smp_call_function_single_async(n) with choose c = t:
 * csd locked, generic_exec_single(t) */
#define CALL(n, t) \
	csd_flags = CSD_FLAG_LOCK; csd_func = n; \
	if \
	:: !online[t] -> csd_flags = 0; err[n] = -ENXIO \
	:: else -> csq[t] = 1; SEND(t, V_CALL); err[n] = 0 \
	fi

active [NCPU] proctype CPU() {
	byte c = _pid;
end:
	do
	:: d_step { ENTRY_OK(c) -> TAKE(c) };
		/* generic_smp_call_function_single_interrupt, the only handler */
		d_step { FLUSH(c, hf[c]) };                     /* int f = flush_queue(this_cpu); */
		if
		:: d_step { hf[c] != 0 -> skip };              /* if (f != 0) */
		   d_step { ran[hf[c]]++; ONCE; hf[c] = 0; RET(c) }   /* ran[f]++; return */
		:: d_step { hf[c] == 0 -> RET(c) }
		fi
	:: d_step { SCHED(c, T_CALLER) }
	:: d_step { SCHED(c, T_CPUHP) }
	od
}

/* one call: bind n, await the csd, the atomic step (one option per target) */
#define ASYNC_CALL(n, last) \
	d_step { RUN(T_CALLER) -> tw[T_CALLER] = 1 };                   /* bind n */ \
	d_step { RUN(T_CALLER) && (csd_flags & CSD_FLAG_LOCK) == 0 -> tw[T_CALLER] = 0 }; \
	if \
	:: d_step { RUN(T_CALLER) -> CALL(n, 1); last } \
	:: d_step { RUN(T_CALLER) && 2 < NCPU -> CALL(n, 2); last } \
	:: d_step { RUN(T_CALLER) && 3 < NCPU -> CALL(n, 3); last } \
	fi

active proctype caller() {
	ASYNC_CALL(1, skip);
	if                                                   /* yield() */
	:: d_step { RUN(T_CALLER) -> skip }
	:: d_step { YIELD_TO(T_CALLER, T_CPUHP) -> SWITCH(tcpu[T_CALLER], T_CPUHP) }
	fi;
	ASYNC_CALL(2, FINISH(T_CALLER));
end:
	false
}

active proctype cpuhp() {
	d_step { RUN(T_CPUHP) && CAN_DOWN(1) ->
		FLUSH(1, hp_f);                                 /* smpcfd_dying_cpu() */
		if
		:: hp_f != 0 -> ran[hp_f]++; ONCE
		:: else -> skip
		fi;
		CPU_DOWN(1);
		tw[T_CPUHP] = 1 };
	d_step { RUN(T_CPUHP) -> CPU_UP(1); hp_f = 0; FINISH(T_CPUHP) };
end:
	false
}

#include "net.h"

WATCHDOG(tw[T_CALLER] == TDONE && tw[T_CPUHP] == TDONE,
	(ran[1] == 1) == (err[1] == 0) && (ran[2] == 1) == (err[2] == 0))
