/* net.h: the messages in flight (see machine.h); included after the CPU
 * processes so that their _pid is their CPU number. */
/* The arrivals: one option per (cpu, vector) slot of infl[]. */
active proctype net() {
end:
	do
	ARRIVE(0)
#if NCPU * NV > 1
	ARRIVE(1)
#if NCPU * NV > 2
	ARRIVE(2)
#if NCPU * NV > 3
	ARRIVE(3)
#if NCPU * NV > 4
	ARRIVE(4)
#if NCPU * NV > 5
	ARRIVE(5)
#if NCPU * NV > 6
	ARRIVE(6)
#if NCPU * NV > 7
	ARRIVE(7)
#if NCPU * NV > 8
	ARRIVE(8)
#if NCPU * NV > 9
	ARRIVE(9)
#if NCPU * NV > 10
	ARRIVE(10)
#if NCPU * NV > 11
	ARRIVE(11)
#if NCPU * NV > 12
	ARRIVE(12)
#if NCPU * NV > 13
	ARRIVE(13)
#if NCPU * NV > 14
	ARRIVE(14)
#if NCPU * NV > 15
	ARRIVE(15)
#if NCPU * NV > 16
	ARRIVE(16)
#if NCPU * NV > 17
	ARRIVE(17)
#if NCPU * NV > 18
	ARRIVE(18)
#if NCPU * NV > 19
	ARRIVE(19)
#endif
#endif
#endif
#endif
#endif
#endif
#endif
#endif
#endif
#endif
#endif
#endif
#endif
#endif
#endif
#endif
#endif
#endif
#endif
	od
}
