/*
 * Twin of catalog:002_ct_packed (catalog/models/002_ct_packed.irq) under
 * irqcheck's semantics. spin -DNCPU=3 gives the 3-CPU variant (the third
 * CPU runs nothing, so the count does not change, as in irqcheck).
 * See README.md in this directory for the encoding of the machine.
 *
 * States: pan (-DSAFETY, with -DNOREDUCE or with its default partial-order
 * reduction, which removes nothing here) stores exactly as many states as
 * `irqcheck check` reports: 679 with 2, 3 or 4 CPUs. No encoding
 * difference remains: every irqcheck step is one d_step, and every varying
 * part of irqcheck's state has a variable here (see README.md).
 * Transitions agree too, except that pan also counts the initial state and
 * the watchdog's self-loop in each terminal state where everything
 * finished.
 */
#ifndef NCPU
#define NCPU 2
#endif
#define NV 1              /* vector 0: CALL_FUNCTION_VECTOR 0xfc */
#define V_CALL 0
#define NTHR 2
#define T_POKE 0          /* text_poke on cpu 0 */
#define T_NOHZ 1          /* nohz_full on cpu 1 */
#define INFLIGHT 8
#define H_IPI 1           /* ipi_callback */

#define CT_STATE_USER 2
#define CT_WORK_START 2
#define CT_WORK_MASK 12
#define CT_RCU_WATCHING 16
#define CT_WORK_SYNC 1
#define CT_WORK_TLBI 2
#define NOHZ_CPU 1

#if NCPU == 2
byte cur[NCPU] = { 1, 2 };
byte ct[NCPU] = { 16, 2 };        /* ct[cpu].state, after init */
#elif NCPU == 3
byte cur[NCPU] = { 1, 2, 0 };
byte ct[NCPU] = { 16, 2, 16 };
#elif NCPU == 4
byte cur[NCPU] = { 1, 2, 0, 0 };
byte ct[NCPU] = { 16, 2, 16, 16 };
#else
#error "this twin is written for NCPU 2 to 4"
#endif
byte tcpu[NTHR] = { 0, 1 };
byte vt[NCPU * NV] = H_IPI;

#define ENABLED(t) (tw[t] == 0)   /* no thread ever blocks */

#include "machine.h"

byte ipi_work[NCPU];
byte runs;
byte tlbi_runs;
byte hf[NCPU];            /* the handler frame of each CPU: w */
/* text_poke's frame: defer_or_ipi's `deferred`, ct_set_cpu_work's `old`
 * and `ok` (the parameters c and work are constant at each pc) */
bit  tp_deferred;
byte tp_old;
bit  tp_ok;
byte nz_seq;              /* nohz_full's frame: ct_kernel_enter's `seq` */

#define RUN_WORK(w) \
	if :: ((w) & CT_WORK_SYNC) != 0 -> runs++ :: else -> skip fi; \
	if :: ((w) & CT_WORK_TLBI) != 0 -> tlbi_runs++ :: else -> skip fi; \
	assert(runs <= 1 && tlbi_runs <= 1 /* invariant once */)

/* ok = try_cmpxchg(ct[c].state, old, old | (work << CT_WORK_START)) */
#define TRY_CMPXCHG(work) \
	if \
	:: ct[NOHZ_CPU] == tp_old -> ct[NOHZ_CPU] = tp_old | ((work) << CT_WORK_START); tp_ok = 1 \
	:: else -> tp_old = ct[NOHZ_CPU]; tp_ok = 0 \
	fi

active [NCPU] proctype CPU() {
	byte c = _pid;
end:
	do
	:: d_step { ENTRY_OK(c) -> TAKE(c) };
		/* ipi_callback, the only handler */
		d_step { hf[c] = ipi_work[c]; ipi_work[c] = 0 };   /* int w = xchg(ipi_work[this_cpu], 0); */
		d_step { RUN_WORK(hf[c]); hf[c] = 0; RET(c) }        /* run_work(w); return */
	:: d_step { SCHED(c, T_POKE) }
	:: d_step { SCHED(c, T_NOHZ) }
	od
}

/* defer_or_ipi(NOHZ_CPU, work); `last` ends the thread in the same step */
#define DEFER_OR_IPI(work, last) \
	d_step { RUN(T_POKE) -> skip };                  /* bind c, work */ \
	d_step { RUN(T_POKE) -> skip };                  /* ct_set_cpu_work(c, work): bind */ \
	d_step { RUN(T_POKE) -> tp_old = ct[NOHZ_CPU] & ~CT_RCU_WATCHING }; \
	d_step { RUN(T_POKE) -> TRY_CMPXCHG(work) }; \
	do \
	:: d_step { RUN(T_POKE) && (!tp_ok && (tp_old & CT_RCU_WATCHING) == 0) -> skip }; \
	   d_step { RUN(T_POKE) -> TRY_CMPXCHG(work) } \
	:: d_step { RUN(T_POKE) && !(!tp_ok && (tp_old & CT_RCU_WATCHING) == 0) -> skip }; \
	   d_step { RUN(T_POKE) -> tp_deferred = tp_ok; tp_old = 0; tp_ok = 0 };   /* return ok */ \
	   break \
	od; \
	if \
	:: d_step { RUN(T_POKE) && !tp_deferred -> skip };        /* if (!deferred) */ \
	   d_step { RUN(T_POKE) -> ipi_work[NOHZ_CPU] = ipi_work[NOHZ_CPU] | (work) }; \
	   d_step { RUN(T_POKE) -> SEND(NOHZ_CPU, V_CALL); tp_deferred = 0; last } \
	:: d_step { RUN(T_POKE) && tp_deferred -> tp_deferred = 0; last } \
	fi

active proctype text_poke() {
	DEFER_OR_IPI(CT_WORK_TLBI, skip);
	DEFER_OR_IPI(CT_WORK_SYNC, FINISH(T_POKE));
end:
	false
}

/* ct_kernel_enter(); `last` ends the thread in the same step */
#define KERNEL_ENTER(last) \
	d_step { RUN(T_NOHZ) -> ct[NOHZ_CPU] = ct[NOHZ_CPU] + (CT_RCU_WATCHING - CT_STATE_USER); nz_seq = ct[NOHZ_CPU] }; \
	d_step { RUN(T_NOHZ) -> RUN_WORK((nz_seq & CT_WORK_MASK) >> CT_WORK_START); nz_seq = 0; last }

active proctype nohz_full() {
	KERNEL_ENTER(skip);
	d_step { RUN(T_NOHZ) -> ct[NOHZ_CPU] = (ct[NOHZ_CPU] & ~CT_WORK_MASK) + CT_RCU_WATCHING + CT_STATE_USER };
	KERNEL_ENTER(FINISH(T_NOHZ));
end:
	false
}

#include "net.h"

WATCHDOG(tw[T_POKE] == TDONE && tw[T_NOHZ] == TDONE, runs == 1 && tlbi_runs == 1)
