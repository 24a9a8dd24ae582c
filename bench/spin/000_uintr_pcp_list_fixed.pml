/*
 * Twin of catalog:000_uintr_pcp_list_fixed
 * (catalog/models/000_uintr_pcp_list_fixed.irq) under irqcheck's
 * semantics. spin -DNCPU=3 gives the 3-CPU variant (then cpuhp_last takes
 * cpu 2 down too). This is the twin with real scheduling: t1, cpuhp and
 * (with 2 CPUs) cpuhp_last share cpu 1, t1 yields and sleeps, and
 * offlining moves threads to cpu 0, where they compete with the sender.
 * See README.md in this directory for the encoding of the machine.
 *
 * States: pan (-DSAFETY, with -DNOREDUCE or with its default partial-order
 * reduction, which removes nothing here) stores exactly as many states as
 * `irqcheck check` reports: 433 with 2 CPUs, 679 with 3. No encoding
 * difference remains: every irqcheck step is one d_step, and every varying
 * part of irqcheck's state has a variable here (see README.md).
 * Transitions agree too, except that pan also counts the initial state and
 * the watchdog's self-loop in each terminal state where everything
 * finished.
 */
#ifndef NCPU
#define NCPU 2
#endif
#define NV 2              /* bits: 0 = UINTR_WAIT_VECTOR 0xeb, 1 = UINTR_NOTIFICATION_VECTOR 0xec */
#define V_WAIT 0
#define V_NOTIF 1
#define NTHR 4
#define T_T1 0
#define T_SENDER 1
#define T_CPUHP 2
#define T_LAST 3
#define INFLIGHT 8
#define H_NOTIF 1         /* uintr_notification */
#define H_WAIT 2          /* uintr_wait_handler */
#define UV_BIT 1
#define UPID_ON 1
#define UPID_SN 2
#define RECEIVER_CPU 1
#define LIST_NONE (-1)

#if NCPU == 2
#define LAST_CPU 1
byte cur[NCPU] = { 2, 1 };                 /* cpu 0: sender, cpu 1: t1 */
byte vt[NCPU * NV] = { 2, 1,  2, 1 };
byte uinv_live[NCPU] = { 0, 1 };           /* init: uinv_live[RECEIVER_CPU] = t1 */
#define OTHER_ONLINE(d) ((0 != (d) && online[0]) || (1 != (d) && online[1]))
#elif NCPU == 3
#define LAST_CPU 2
byte cur[NCPU] = { 2, 1, 4 };              /* cpu 2: cpuhp_last */
byte vt[NCPU * NV] = { 2, 1,  2, 1,  2, 1 };
byte uinv_live[NCPU] = { 0, 1, 0 };
#define OTHER_ONLINE(d) ((0 != (d) && online[0]) || (1 != (d) && online[1]) || (2 != (d) && online[2]))
#else
#error "this twin is written for NCPU 2 to 3"
#endif
byte tcpu[NTHR] = { 1, 0, 1, LAST_CPU };

/* wait markers: t1 1 = `await !waiting`; sender 0 = `await in_wait`;
 * cpuhp 0 = uintr_cpu_dying(1); cpuhp_last 0 = its `if`, 2 = uintr_cpu_dying(LAST_CPU).
 * uintr_cpu_dying(d) is enabled when cpu_down(d) is (no handler on d) and,
 * if it must re-route the UPID, some other CPU is online (the await in
 * random_online_cpu) */
#define DYING_OK(d) (CAN_DOWN(d) && (pl_list != (d) || OTHER_ONLINE(d)))
#define ENABLED(t) ((t) == T_T1 -> (tw[T_T1] == 0 || (tw[T_T1] == 1 && !waiting)) : \
	((t) == T_SENDER -> ((tw[T_SENDER] == 0 && in_wait) || tw[T_SENDER] == 1) : \
	((t) == T_CPUHP -> (tw[T_CPUHP] == 0 && DYING_OK(1)) : \
	(tw[T_LAST] == 0 || (tw[T_LAST] == 2 && DYING_OK(LAST_CPU))))))

#include "machine.h"

/* upid */
byte u_status;
byte u_nv = V_NOTIF;      /* as a vector bit */
byte u_ndst = RECEIVER_CPU;
byte u_pir;
byte uirr;
bit  waiting;
bit  in_wait;
short pl_list = LIST_NONE;  /* pcp_uintr.list */
bit  pl_poisoned;           /* pcp_uintr.poisoned */

#define THIS tcpu[T_T1]

active [NCPU] proctype CPU() {
	byte c = _pid;
end:
	do
	:: d_step { ENTRY_OK(c) -> TAKE(c) };
		if
		:: d_step { hnd[c] == H_NOTIF ->             /* uintr_notification */
			if
			:: uinv_live[c] == T_T1 + 1 ->
				u_status = u_status & ~UPID_ON; uirr = uirr | u_pir; u_pir = 0
			:: else -> skip
			fi;
			RET(c) }
		:: d_step { hnd[c] == H_WAIT ->              /* uintr_wait_handler */
			if
			:: waiting && (u_status & UPID_ON) != 0 ->
				u_status = u_status | UPID_SN; u_nv = V_NOTIF; waiting = 0
			:: else -> skip
			fi;
			RET(c) }
		fi
	:: d_step { SCHED(c, T_T1) }
	:: d_step { SCHED(c, T_SENDER) }
	:: d_step { SCHED(c, T_CPUHP) }
	:: d_step { SCHED(c, T_LAST) }
	od
}

active proctype t1() {
	if                                                   /* yield() */
	:: d_step { RUN(T_T1) -> skip }
	:: d_step { YIELD_TO(T_T1, T_SENDER) -> SWITCH(THIS, T_SENDER) }
	:: d_step { YIELD_TO(T_T1, T_CPUHP) -> SWITCH(THIS, T_CPUHP) }
	:: d_step { YIELD_TO(T_T1, T_LAST) -> SWITCH(THIS, T_LAST) }
	fi;
	/* uintr_wait() */
	d_step { RUN(T_T1) -> IF[THIS] = 0; in_wait = 1 };
	d_step { RUN(T_T1) -> waiting = 1 };
	d_step { RUN(T_T1) -> u_nv = V_WAIT };
	d_step { RUN(T_T1) -> u_ndst = THIS };
	d_step { RUN(T_T1) ->                                /* list_add_pcp(this_cpu) */
		assert(pl_list == LIST_NONE /* list_add corruption */);
		pl_list = THIS; pl_poisoned = 0 };
	if
	:: d_step { RUN(T_T1) && ((u_status & UPID_ON) != 0 || u_pir != 0) -> skip };
	   d_step { RUN(T_T1) -> waiting = 0; u_nv = V_NOTIF }
	:: d_step { RUN(T_T1) && !((u_status & UPID_ON) != 0 || u_pir != 0) -> skip };
	   d_step { RUN(T_T1) -> uinv_live[THIS] = 0; IF[THIS] = 1; tw[T_T1] = 1 };
	   d_step { RUN(T_T1) && !waiting -> tw[T_T1] = 0 }
	fi;
	d_step { RUN(T_T1) ->                                /* list_del_init_pcp() */
		assert(!pl_poisoned /* list_del corruption */);
		pl_list = LIST_NONE; pl_poisoned = 0 };
	d_step { RUN(T_T1) ->                                /* switch_uintr_return() */
		uinv_live[THIS] = T_T1 + 1;
		u_ndst = THIS;
		u_status = u_status & ~UPID_SN;
		if
		:: u_pir != 0 -> SEND(THIS, V_NOTIF)
		:: else -> skip
		fi;
		IF[THIS] = 1;
		FINISH(T_T1) };
end:
	false
}

active proctype sender() {
	d_step { RUN(T_SENDER) && in_wait -> tw[T_SENDER] = 1 };   /* await in_wait */
	d_step { RUN(T_SENDER) ->                            /* senduipi() */
		u_pir = u_pir | UV_BIT;
		if
		:: (u_status & (UPID_ON | UPID_SN)) == 0 -> u_status = u_status | UPID_ON; SEND(u_ndst, u_nv)
		:: else -> skip
		fi;
		FINISH(T_SENDER) };
end:
	false
}

/* uintr_cpu_dying(d) with random_online_cpu() choosing t (the await in it
 * prunes the choices: t online and not d), then cpu_down(d); the thread
 * ends in the same step */
#define DYING_TO(T, d, t) \
	d_step { RUN(T) && CAN_DOWN(d) && pl_list == (d) && (t) < NCPU && (t) != (d) && online[t] -> \
		pl_list = t; pl_poisoned = 0; \
		u_ndst = t; \
		if \
		:: (u_status & UPID_ON) != 0 -> SEND(u_ndst, u_nv) \
		:: else -> skip \
		fi; \
		CPU_DOWN(d); FINISH(T) }
#define DYING(T, d) \
	if \
	:: d_step { RUN(T) && CAN_DOWN(d) && pl_list != (d) -> CPU_DOWN(d); FINISH(T) } \
	:: DYING_TO(T, d, 0) \
	:: DYING_TO(T, d, 1) \
	:: DYING_TO(T, d, 2) \
	fi

active proctype cpuhp() {
	DYING(T_CPUHP, 1);
end:
	false
}

active proctype cpuhp_last() {
	if                                                   /* if (LAST_CPU != RECEIVER_CPU) */
	:: d_step { RUN(T_LAST) && LAST_CPU != RECEIVER_CPU -> tw[T_LAST] = 2 };
	   DYING(T_LAST, LAST_CPU)
	:: d_step { RUN(T_LAST) && LAST_CPU == RECEIVER_CPU -> FINISH(T_LAST) }
	fi;
end:
	false
}

#include "net.h"

WATCHDOG(tw[T_T1] == TDONE && tw[T_SENDER] == TDONE && tw[T_CPUHP] == TDONE && tw[T_LAST] == TDONE,
	u_pir != 0 || uirr != 0)
