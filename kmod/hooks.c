// SPDX-License-Identifier: GPL-2.0
/*
 * hooks.c - functions that exist to be probed by SystemTap (tapsets/):
 * one call per recorded sample, one per zap, one per unit the module arms
 * (or cannot, the pool being full) and one per unit that expires. They do nothing; they are
 * global and noinline so that the compiler keeps them and their arguments
 * in registers where a probe finds them. docs/kmod.md lists the arguments.
 */
#include "ept.h"

/*
 * Called for each sample put in the buffer (not for filtered ones), after
 * the catch, outside arm_lock. t_arm names the arming it ends (as
 * ept_hook_arm_unit reported it); delay_ns counts from when that arming's
 * zap returned.
 */
noinline void ept_hook_sample(pid_t pid, u64 gfn, u32 vcpu, u8 xwr, u8 level,
			      u64 time_ns, u64 delay_ns, u64 t_arm)
{
	asm volatile("" : : "r"(pid), "r"(gfn), "r"(vcpu), "r"(xwr), "r"(level),
		     "r"(time_ns), "r"(delay_ns), "r"(t_arm) : "memory");
}

/* Called after each unit is armed: nframes frames from gfn are zapped. */
noinline void ept_hook_arm(pid_t pid, u64 gfn, u8 level, u64 nframes, u64 time_ns)
{
	asm volatile("" : : "r"(pid), "r"(gfn), "r"(level), "r"(nframes),
		     "r"(time_ns) : "memory");
}

/*
 * Called for each unit the arming work registers, after the try and under
 * arm_lock, so before any catch of it; ok is false when the pool was full
 * (a unit armed already is not reported). The zap follows (ept_hook_arm).
 * session identifies the open file.
 */
noinline void ept_hook_arm_unit(const void *session, pid_t pid, u64 gfn,
				u8 level, u64 t_arm, bool ok)
{
	asm volatile("" : : "r"(session), "r"(pid), "r"(gfn), "r"(level),
		     "r"(t_arm), "r"(ok) : "memory");
}

/*
 * Called for each unit that waited the whole expiry unaccessed, armed at
 * t_arm, under arm_lock: no catch of the unit follows it. wait_ns is the
 * censored wait (the expiry), ending at now_ns.
 */
noinline void ept_hook_expire(const void *session, pid_t pid, u64 gfn,
			      u8 level, u64 t_arm, u64 now_ns, u64 wait_ns)
{
	asm volatile("" : : "r"(session), "r"(pid), "r"(gfn), "r"(level),
		     "r"(t_arm), "r"(now_ns), "r"(wait_ns) : "memory");
}
