/* Twin of bench/spin/csd_sync_spin.irq: smp_call_function_single(wait=1)
 * to cpu 1 while cpu 1 goes offline, with csd_lock_wait() written as the
 * spin loop the kernel has. The online check is its own step, and the
 * dying cpu does not flush its queue (the bug). FIXED selects the fix of
 * 004_csd_conditional: the check, the queueing and the IPI in one step
 * against offlining, and the dying cpu runs its queued callbacks. */
#define LOCK 1
byte flags;            /* csd.flags */
bool queued;           /* csd on cpu 1's call_single_queue */
bool online = true;    /* cpu 1 */
bool inflight;         /* the IPI, on its way to cpu 1 */
bool pending;          /* cpu 1's IRR bit for the vector */
bool inhandler;        /* cpu 1 runs the IPI handler */
bool done;             /* the caller returned from smp_call_function_single() */
byte ran;

active proctype caller() {            /* cpu 0 */
	flags = LOCK;
#ifdef FIXED
	atomic {
		if
		:: online -> queued = true; inflight = true
		:: else -> flags = 0
		fi
	}
#else
	if
	:: online -> skip
	:: else -> flags = 0; goto wait
	fi;
	queued = true;
	inflight = true;
#endif
wait:
	do                                 /* csd_lock_wait(): a spin */
	:: (flags & LOCK) != 0 -> skip
	:: else -> break
	od;
	done = true
}

active proctype cpuhp() {             /* cpu 1 goes down under stop_machine */
	atomic {
		!inhandler ->
		online = false;
		pending = false;
#ifdef FIXED
		if                              /* smpcfd_dying_cpu(): flush the queue */
		:: queued -> queued = false; ran++; flags = 0
		:: else -> skip
		fi
#endif
	}
}

active proctype network() {           /* the IPI arrives, or is dropped at an offline cpu */
	atomic {
		inflight ->
		inflight = false;
		if
		:: online -> pending = true
		:: else -> skip
		fi
	}
}

active proctype cpu1() {              /* interrupt entry and the handler */
	bool mine;
	atomic { online && pending && !inhandler -> pending = false; inhandler = true };
	atomic { mine = queued; queued = false };   /* flush_smp_call_function_queue() */
	if
	:: mine -> ran++; flags = 0
	:: else -> skip
	fi;
	inhandler = false
}

ltl finishes { <> done }
