/*
 * Twin of ct_packed_2x2.irq (beside it), a scaled-up 002_ct_packed, under
 * irqcheck's semantics. 4 CPUs; thread indices in declaration order.
 * See README.md in this directory for the encoding of the machine.
 *
 * States: pan (-DSAFETY, with -DNOREDUCE or with its default partial-order
 * reduction, which removes nothing here) stores exactly as many states as
 * `irqcheck check` reports: 2726123. No encoding difference remains: every
 * irqcheck step is one d_step, and every varying part of irqcheck's state
 * has a variable here (see README.md). Transitions agree too, except that
 * pan also counts the initial state and the watchdog's self-loop in each
 * terminal state where everything finished.
 */
#define NCPU 4
#define NV 1              /* vector 0: CALL_FUNCTION_VECTOR 0xfc */
#define V_CALL 0
#define NTHR 4
#define T_POKE 0          /* text_poke on cpu 0: TLBI to cpu 1, then cpu 3 */
#define T_SYNC 1          /* text_poke_sync on cpu 2: SYNC to cpu 3, then cpu 1 */
#define T_NOHZ 2          /* nohz_full on cpu 1 */
#define T_NOHZ2 3         /* nohz_full2 on cpu 3 */
#define INFLIGHT 8
#define H_IPI 1           /* ipi_callback */

#define CT_STATE_USER 2
#define CT_WORK_START 2
#define CT_WORK_MASK 12
#define CT_RCU_WATCHING 16
#define CT_WORK_SYNC 1
#define CT_WORK_TLBI 2

byte cur[NCPU] = { 1, 3, 2, 4 };
byte tcpu[NTHR] = { 0, 2, 1, 3 };
byte vt[NCPU * NV] = H_IPI;
byte ct[NCPU] = { 16, 2, 16, 2 };   /* ct[cpu].state, after init */

#define ENABLED(t) (tw[t] == 0)     /* no thread ever blocks */

#include "machine.h"

byte ipi_work[NCPU];
byte runs[NCPU];
byte tlbi_runs[NCPU];
byte hf[NCPU];            /* the handler frame of each CPU: w */
/* the deferrers' frames: defer_or_ipi's `deferred`, ct_set_cpu_work's `old`
 * and `ok` (the parameters c and work are constant at each pc) */
bit  tp_deferred[2];
byte tp_old[2];
bit  tp_ok[2];
byte nz_seq[4];           /* the NOHZ threads' frames (index 2, 3): ct_kernel_enter's `seq` */

/* run_work(w) on CPU c */
#define RUN_WORK(c, w) \
	if :: ((w) & CT_WORK_SYNC) != 0 -> runs[c]++ :: else -> skip fi; \
	if :: ((w) & CT_WORK_TLBI) != 0 -> tlbi_runs[c]++ :: else -> skip fi; \
	assert(runs[1] <= 1 && tlbi_runs[1] <= 1 && runs[3] <= 1 && tlbi_runs[3] <= 1 /* invariant once */)

/* thread P: ok = try_cmpxchg(ct[c].state, old, old | (work << CT_WORK_START)) */
#define TRY_CMPXCHG(P, c, work) \
	if \
	:: ct[c] == tp_old[P] -> ct[c] = tp_old[P] | ((work) << CT_WORK_START); tp_ok[P] = 1 \
	:: else -> tp_old[P] = ct[c]; tp_ok[P] = 0 \
	fi
#define RETRY(P) (!tp_ok[P] && (tp_old[P] & CT_RCU_WATCHING) == 0)

active [NCPU] proctype CPU() {
	byte c = _pid;
end:
	do
	:: d_step { ENTRY_OK(c) -> TAKE(c) };
		/* ipi_callback, the only handler */
		d_step { hf[c] = ipi_work[c]; ipi_work[c] = 0 };   /* int w = xchg(ipi_work[this_cpu], 0); */
		d_step { RUN_WORK(c, hf[c]); hf[c] = 0; RET(c) }     /* run_work(w); return */
	:: d_step { SCHED(c, T_POKE) }
	:: d_step { SCHED(c, T_SYNC) }
	:: d_step { SCHED(c, T_NOHZ) }
	:: d_step { SCHED(c, T_NOHZ2) }
	od
}

/* thread P: defer_or_ipi(c, work); `last` ends the thread in the same step */
#define DEFER_OR_IPI(P, c, work, last) \
	d_step { RUN(P) -> skip };                       /* bind c, work */ \
	d_step { RUN(P) -> skip };                       /* ct_set_cpu_work(c, work): bind */ \
	d_step { RUN(P) -> tp_old[P] = ct[c] & ~CT_RCU_WATCHING }; \
	d_step { RUN(P) -> TRY_CMPXCHG(P, c, work) }; \
	do \
	:: d_step { RUN(P) && RETRY(P) -> skip }; \
	   d_step { RUN(P) -> TRY_CMPXCHG(P, c, work) } \
	:: d_step { RUN(P) && !RETRY(P) -> skip }; \
	   d_step { RUN(P) -> tp_deferred[P] = tp_ok[P]; tp_old[P] = 0; tp_ok[P] = 0 };   /* return ok */ \
	   break \
	od; \
	if \
	:: d_step { RUN(P) && !tp_deferred[P] -> skip };         /* if (!deferred) */ \
	   d_step { RUN(P) -> ipi_work[c] = ipi_work[c] | (work) }; \
	   d_step { RUN(P) -> SEND(c, V_CALL); tp_deferred[P] = 0; last } \
	:: d_step { RUN(P) && tp_deferred[P] -> tp_deferred[P] = 0; last } \
	fi

active proctype text_poke() {
	DEFER_OR_IPI(T_POKE, 1, CT_WORK_TLBI, skip);
	DEFER_OR_IPI(T_POKE, 3, CT_WORK_TLBI, FINISH(T_POKE));
end:
	false
}

active proctype text_poke_sync() {
	DEFER_OR_IPI(T_SYNC, 3, CT_WORK_SYNC, skip);
	DEFER_OR_IPI(T_SYNC, 1, CT_WORK_SYNC, FINISH(T_SYNC));
end:
	false
}

/* thread T on CPU c: ct_kernel_enter(), ct_kernel_exit() */
#define KERNEL_ENTER(T, c, last) \
	d_step { RUN(T) -> ct[c] = ct[c] + (CT_RCU_WATCHING - CT_STATE_USER); nz_seq[T] = ct[c] }; \
	d_step { RUN(T) -> RUN_WORK(c, (nz_seq[T] & CT_WORK_MASK) >> CT_WORK_START); nz_seq[T] = 0; last }
#define KERNEL_EXIT(T, c) \
	d_step { RUN(T) -> ct[c] = (ct[c] & ~CT_WORK_MASK) + CT_RCU_WATCHING + CT_STATE_USER }

active proctype nohz_full() {
	KERNEL_ENTER(T_NOHZ, 1, skip);
	KERNEL_EXIT(T_NOHZ, 1);
	KERNEL_ENTER(T_NOHZ, 1, skip);
	KERNEL_EXIT(T_NOHZ, 1);
	KERNEL_ENTER(T_NOHZ, 1, FINISH(T_NOHZ));
end:
	false
}

active proctype nohz_full2() {
	KERNEL_ENTER(T_NOHZ2, 3, skip);
	KERNEL_EXIT(T_NOHZ2, 3);
	KERNEL_ENTER(T_NOHZ2, 3, skip);
	KERNEL_EXIT(T_NOHZ2, 3);
	KERNEL_ENTER(T_NOHZ2, 3, FINISH(T_NOHZ2));
end:
	false
}

#include "net.h"

WATCHDOG(tw[T_POKE] == TDONE && tw[T_SYNC] == TDONE && tw[T_NOHZ] == TDONE && tw[T_NOHZ2] == TDONE,
	runs[1] == 1 && tlbi_runs[1] == 1 && runs[3] == 1 && tlbi_runs[3] == 1)
