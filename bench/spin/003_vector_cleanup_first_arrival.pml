/*
 * Twin of catalog:003_vector_cleanup_first_arrival
 * (catalog/models/003_vector_cleanup_first_arrival.irq) under irqcheck's
 * semantics. spin -DNCPU=3 gives the 3-CPU variant.
 * See README.md in this directory for the encoding of the machine.
 *
 * States: pan (-DSAFETY, with -DNOREDUCE or with its default partial-order
 * reduction, which removes nothing here) stores exactly as many states as
 * `irqcheck check` reports: 155 with 2 CPUs, 287 with 3, 419 with 4. No
 * encoding difference remains: every irqcheck step is one d_step, and
 * every varying part of irqcheck's state has a variable here (see
 * README.md). Transitions agree too, except that pan also counts the
 * initial state and the watchdog's self-loop in each terminal state where
 * everything finished.
 */
#ifndef NCPU
#define NCPU 2
#endif
#define NV 3              /* bits: 0 = OLD_VECTOR 0x10, 1 = NEW_VECTOR 0x20, 2 = LOCAL_TIMER_VECTOR 0xec */
#define OLD_VECTOR 16
#define NEW_VECTOR 32
#define LOCAL_TIMER_VECTOR 236
#define VBIT(v) ((v) == OLD_VECTOR -> 0 : ((v) == NEW_VECTOR -> 1 : 2))
#define NTHR 1
#define T_AFF 0           /* set_affinity on cpu 0 */
#define INFLIGHT 8
#define H_NIC 1           /* nic_interrupt */
#define H_TIMER 2         /* vector_cleanup_timer */
#define OLD_CPU 0

#if NCPU == 2
byte cur[NCPU] = { 1, 0 };
byte vt[NCPU * NV] = { 1, 0, 2,  0, 0, 2 };   /* init: 0x10 -> nic on cpu 0, 0xec -> timer everywhere */
#elif NCPU == 3
byte cur[NCPU] = { 1, 0, 0 };
byte vt[NCPU * NV] = { 1, 0, 2,  0, 0, 2,  0, 0, 2 };
#elif NCPU == 4
byte cur[NCPU] = { 1, 0, 0, 0 };
byte vt[NCPU * NV] = { 1, 0, 2,  0, 0, 2,  0, 0, 2,  0, 0, 2 };
#else
#error "this twin is written for NCPU 2 to 4"
#endif
byte tcpu[NTHR] = { 0 };

#define ENABLED(t) (tw[t] == 0)   /* no thread ever blocks */

#include "machine.h"

/* apicd */
byte a_vector = OLD_VECTOR;
byte a_target_cpu = OLD_CPU;
byte a_prev_vector = 0;
byte a_prev_cpu = OLD_CPU;
bit  a_mip = 0;           /* move_in_progress */
/* ir_table[0] */
byte ir_dest = OLD_CPU;
byte ir_vector = OLD_VECTOR;
byte events;
byte seen;
byte aff_c;               /* set_affinity's local c (kept until it finishes) */
byte nic_pc;              /* the device's progress: 0, 1, 2 = done (a function of its pc) */

/* the atomic body of set_affinity's second step with choose c = t */
#define UPDATE(t) \
	aff_c = t; \
	vt[(t) * NV + 1] = H_NIC;                     /* request_irq(c, NEW_VECTOR, nic_interrupt) */ \
	a_prev_vector = a_vector; a_prev_cpu = a_target_cpu; \
	a_vector = NEW_VECTOR; a_target_cpu = t; \
	a_mip = 1

active [NCPU] proctype CPU() {
	byte c = _pid;
end:
	do
	:: d_step { ENTRY_OK(c) -> TAKE(c) };
		if
		:: d_step { hnd[c] == H_NIC ->                /* nic_interrupt */
			if
			:: a_mip && a_target_cpu == c -> a_mip = 0; SEND(a_prev_cpu, 2)
			:: else -> skip
			fi };
		   d_step { seen = events; RET(c) }
		:: d_step { hnd[c] == H_TIMER ->              /* vector_cleanup_timer */
			if
			:: a_prev_vector != 0 && ((irr[c] >> VBIT(a_prev_vector)) & 1) ->
				SEND(c, 2)                           /* still pending: retry */
			:: else ->
				if                                   /* free_irq(this_cpu, prev_vector) */
				:: a_prev_vector != 0 -> vt[c * NV + VBIT(a_prev_vector)] = 0
				:: else -> skip
				fi;
				a_prev_vector = 0
			fi;
			RET(c) }
		fi
	:: d_step { SCHED(c, T_AFF) }
	od
}

active proctype nic() {
	d_step { events++; DSEND(ir_dest, VBIT(ir_vector)); nic_pc = 1 };
	d_step { events++; DSEND(ir_dest, VBIT(ir_vector)); nic_pc = 2 };
end:
	false
}

active proctype set_affinity() {
	d_step { RUN(T_AFF) -> IF[tcpu[T_AFF]] = 0 };           /* irq_disable() */
	if                                                     /* choose c in 1..NCPUS-1 */
	:: d_step { RUN(T_AFF) -> UPDATE(1) }
	:: d_step { RUN(T_AFF) && 2 < NCPU -> UPDATE(2) }
	:: d_step { RUN(T_AFF) && 3 < NCPU -> UPDATE(3) }
	fi;
	d_step { RUN(T_AFF) -> ir_dest = a_target_cpu; ir_vector = a_vector };
	d_step { RUN(T_AFF) -> IF[tcpu[T_AFF]] = 1; aff_c = 0; FINISH(T_AFF) };   /* irq_enable() */
end:
	false
}

#include "net.h"

WATCHDOG(tw[T_AFF] == TDONE && nic_pc == 2, seen == 2)
