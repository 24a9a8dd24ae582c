/*
 * Twin of csd_conditional_3callers.irq (beside it), a scaled-up
 * 004_csd_conditional, under irqcheck's semantics. 5 CPUs; thread indices
 * in declaration order. See README.md in this directory for the encoding
 * of the machine.
 *
 * States: pan (-DSAFETY, with -DNOREDUCE or with its default partial-order
 * reduction, which removes nothing here) stores exactly as many states as
 * `irqcheck check` reports: 1299958. No encoding difference remains: every
 * irqcheck step is one d_step, and every varying part of irqcheck's state
 * has a variable here (see README.md). Transitions agree too, except that
 * pan also counts the initial state and the watchdog's self-loop in each
 * terminal state where everything finished.
 */
#define NCPU 5
#define NV 1              /* vector 0: CALL_FUNCTION_SINGLE_VECTOR 0xfb */
#define V_CALL 0
#define NTHR 5
#define T_CALLER 0        /* on cpu 0 */
#define T_CALLER2 1       /* on cpu 2 */
#define T_CALLER4 2       /* on cpu 4 */
#define T_CPUHP 3         /* on cpu 1 */
#define T_CPUHP3 4        /* on cpu 3 */
#define INFLIGHT 8
#define H_CALL 1          /* generic_smp_call_function_single_interrupt */
#define CSD_FLAG_LOCK 1
#define ENXIO 6

byte cur[NCPU] = { 1, 4, 2, 5, 3 };
byte tcpu[NTHR] = { 0, 2, 4, 1, 3 };
byte vt[NCPU * NV] = H_CALL;    /* init: request_irq on every CPU */

#include "machine.h"

byte csd_flags[NCPU];     /* csd[o].flags */
byte csd_func[NCPU];      /* csd[o].func */
bit  queued[NCPU * NCPU]; /* queued[t][o] at t*NCPU+o */
byte ran[NCPU * 3];       /* ran[o][n] at o*3+n */
short err[NCPU * 3] = 1;  /* init: err[o][n] = 1 */

/* a caller (on cpu o) is at its await (tw 1); the cpuhp threads' one step
 * ends in cpu_down, blocked while that CPU runs a handler */
#define CALLER_EN(t, o) (tw[t] == 0 || (tw[t] == 1 && (csd_flags[o] & CSD_FLAG_LOCK) == 0))
#define ENABLED(t) ((t) == T_CALLER -> CALLER_EN(T_CALLER, 0) : \
	((t) == T_CALLER2 -> CALLER_EN(T_CALLER2, 2) : \
	((t) == T_CALLER4 -> CALLER_EN(T_CALLER4, 4) : \
	((t) == T_CPUHP -> (tw[T_CPUHP] == 0 && CAN_DOWN(1)) : \
	(tw[T_CPUHP3] == 0 && CAN_DOWN(3))))))

#define ONCE assert(ran[0*3+1] <= 1 && ran[0*3+2] <= 1 && ran[2*3+1] <= 1 && \
	ran[2*3+2] <= 1 && ran[4*3+1] <= 1 && ran[4*3+2] <= 1 /* invariant once */)

/* flush_queue(c): every csd queued on c, unlocked, then its func runs */
#define FLUSH(c) \
	for (i_ : 0 .. NCPU - 1) { \
		if \
		:: queued[(c) * NCPU + i_] -> \
			queued[(c) * NCPU + i_] = 0; \
			assert((csd_flags[i_] & CSD_FLAG_LOCK) != 0 /* csd_unlock() of an unlocked csd */); \
			csd_flags[i_] = 0; \
			ran[i_ * 3 + csd_func[i_]]++ \
		:: else -> skip \
		fi \
	}; \
	i_ = 0; \
	ONCE

active [NCPU] proctype CPU() {
	byte c = _pid;
end:
	do
	:: d_step { ENTRY_OK(c) -> TAKE(c) };
		d_step { FLUSH(c); RET(c) }          /* the handler: flush_queue(this_cpu) */
	:: d_step { SCHED(c, T_CALLER) }
	:: d_step { SCHED(c, T_CALLER2) }
	:: d_step { SCHED(c, T_CALLER4) }
	:: d_step { SCHED(c, T_CPUHP) }
	:: d_step { SCHED(c, T_CPUHP3) }
	od
}

/* the atomic step of call n of the caller on cpu o, choose c = t (the
 * await in it prunes t == o): csd locked, generic_exec_single(t) */
#define CALL_TO(T, o, n, t, last) \
	:: d_step { RUN(T) && (t) != (o) -> \
		csd_flags[o] = CSD_FLAG_LOCK; csd_func[o] = n; \
		if \
		:: !online[t] -> csd_flags[o] = 0; err[(o) * 3 + n] = -ENXIO \
		:: else -> queued[(t) * NCPU + (o)] = 1; SEND(t, V_CALL); err[(o) * 3 + n] = 0 \
		fi; \
		last }
#define ASYNC_CALL(T, o, n, last) \
	d_step { RUN(T) -> tw[T] = 1 };                                   /* bind n */ \
	d_step { RUN(T) && (csd_flags[o] & CSD_FLAG_LOCK) == 0 -> tw[T] = 0 }; \
	if \
	CALL_TO(T, o, n, 0, last) \
	CALL_TO(T, o, n, 1, last) \
	CALL_TO(T, o, n, 2, last) \
	CALL_TO(T, o, n, 3, last) \
	CALL_TO(T, o, n, 4, last) \
	fi

active proctype caller() {
	ASYNC_CALL(T_CALLER, 0, 1, skip);
	ASYNC_CALL(T_CALLER, 0, 2, FINISH(T_CALLER));
end:
	false
}

active proctype caller2() {
	ASYNC_CALL(T_CALLER2, 2, 1, skip);
	ASYNC_CALL(T_CALLER2, 2, 2, FINISH(T_CALLER2));
end:
	false
}

active proctype caller4() {
	ASYNC_CALL(T_CALLER4, 4, 1, skip);
	ASYNC_CALL(T_CALLER4, 4, 2, FINISH(T_CALLER4));
end:
	false
}

/* take_cpu_down(): flush the dying CPU's queue, then offline it */
#define TAKE_DOWN(T, d) \
	d_step { RUN(T) && CAN_DOWN(d) -> FLUSH(d); CPU_DOWN(d); FINISH(T) }

active proctype cpuhp() {
	TAKE_DOWN(T_CPUHP, 1);
end:
	false
}

active proctype cpuhp3() {
	TAKE_DOWN(T_CPUHP3, 3);
end:
	false
}

#include "net.h"

#define OK(o, n) ((ran[(o) * 3 + n] == 1) == (err[(o) * 3 + n] == 0))
WATCHDOG(tw[T_CALLER] == TDONE && tw[T_CALLER2] == TDONE && tw[T_CALLER4] == TDONE &&
	tw[T_CPUHP] == TDONE && tw[T_CPUHP3] == TDONE,
	OK(0, 1) && OK(0, 2) && OK(2, 1) && OK(2, 2) && OK(4, 1) && OK(4, 2))
