// SPDX-License-Identifier: GPL-2.0
/*
 * hooks.c - functions that exist to be probed by SystemTap (tapsets/):
 * one call per recorded sample, one per arming. They do nothing; they are
 * global and noinline so that the compiler keeps them and their arguments
 * in registers where a probe finds them. docs/kmod.md lists the arguments.
 */
#include "ept.h"

/* Called for each sample put in the buffer (not for filtered ones). */
noinline void ept_hook_sample(pid_t pid, u64 gfn, u32 vcpu, u8 xwr, u8 level,
			      u64 time_ns, u64 delay_ns)
{
	asm volatile("" : : "r"(pid), "r"(gfn), "r"(vcpu), "r"(xwr), "r"(level),
		     "r"(time_ns), "r"(delay_ns) : "memory");
}

/* Called after each unit is armed: nframes frames from gfn are zapped. */
noinline void ept_hook_arm(pid_t pid, u64 gfn, u8 level, u64 nframes, u64 time_ns)
{
	asm volatile("" : : "r"(pid), "r"(gfn), "r"(level), "r"(nframes),
		     "r"(time_ns) : "memory");
}
