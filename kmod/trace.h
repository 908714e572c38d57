/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.h - the module's tracepoints, events kvm_ept_sample:* for perf,
 * trace-cmd, bpftrace and ftrace (/sys/kernel/tracing/events/
 * kvm_ept_sample/). They cost a patched-out branch when off. Every event
 * about one unit (its arming, the access that caught it, its expiry) is
 * emitted under the session's arm_lock, so their order per unit is the
 * order in which the module handled them. Self-contained (only linux/
 * headers), so that SystemTap can compile it too (docs/tapsets.md).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvm_ept_sample

#if !defined(EPT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define EPT_TRACE_H

#include <linux/tracepoint.h>
#include <linux/types.h>

/* One unit's arming: pid, its first gfn, its level, its t_arm. */
DECLARE_EVENT_CLASS(kvm_ept_sample_unit,
	TP_PROTO(pid_t pid, u64 gfn, u8 level, u64 t_arm),
	TP_ARGS(pid, gfn, level, t_arm),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(u64, gfn)
		__field(u8, level)
		__field(u64, t_arm)
	),
	TP_fast_assign(
		__entry->pid = pid;
		__entry->gfn = gfn;
		__entry->level = level;
		__entry->t_arm = t_arm;
	),
	TP_printk("pid=%d gfn=0x%llx level=%u t_arm=%llu", __entry->pid,
		  __entry->gfn, __entry->level, __entry->t_arm)
);

/* A unit registered for arming; its zap follows (kvm_ept_sample_zap). */
DEFINE_EVENT(kvm_ept_sample_unit, kvm_ept_sample_arm,
	TP_PROTO(pid_t pid, u64 gfn, u8 level, u64 t_arm),
	TP_ARGS(pid, gfn, level, t_arm));

/*
 * An arming undone by a fault already on its way (armed.c): the unit ends
 * with neither a sample nor an expiry.
 */
DEFINE_EVENT(kvm_ept_sample_unit, kvm_ept_sample_undone,
	TP_PROTO(pid_t pid, u64 gfn, u8 level, u64 t_arm),
	TP_ARGS(pid, gfn, level, t_arm));

/* One kvm_zap_gfn_range over nframes frames from gfn, arming units. */
TRACE_EVENT(kvm_ept_sample_zap,
	TP_PROTO(pid_t pid, u64 gfn, u64 nframes, u32 units, u64 ns),
	TP_ARGS(pid, gfn, nframes, units, ns),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(u64, gfn)
		__field(u64, nframes)
		__field(u32, units)
		__field(u64, ns)
	),
	TP_fast_assign(
		__entry->pid = pid;
		__entry->gfn = gfn;
		__entry->nframes = nframes;
		__entry->units = units;
		__entry->ns = ns;
	),
	TP_printk("pid=%d gfn=0x%llx nframes=%llu units=%u ns=%llu",
		  __entry->pid, __entry->gfn, __entry->nframes, __entry->units,
		  __entry->ns)
);

/* A sample: the first access to an armed unit (before SET_PROT filters). */
TRACE_EVENT(kvm_ept_sample_hit,
	TP_PROTO(pid_t pid, u64 gfn, u32 vcpu, u8 xwr, u8 level, u16 flags,
		 u64 time_ns, u64 delay_ns, u64 t_arm),
	TP_ARGS(pid, gfn, vcpu, xwr, level, flags, time_ns, delay_ns, t_arm),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(u64, gfn)
		__field(u32, vcpu)
		__field(u8, xwr)
		__field(u8, level)
		__field(u16, flags)
		__field(u64, time_ns)
		__field(u64, delay_ns)
		__field(u64, t_arm)
	),
	TP_fast_assign(
		__entry->pid = pid;
		__entry->gfn = gfn;
		__entry->vcpu = vcpu;
		__entry->xwr = xwr;
		__entry->level = level;
		__entry->flags = flags;
		__entry->time_ns = time_ns;
		__entry->delay_ns = delay_ns;
		__entry->t_arm = t_arm;
	),
	TP_printk("pid=%d gfn=0x%llx vcpu=%u type=%c%c%c level=%u flags=0x%x time_ns=%llu delay_ns=%llu t_arm=%llu",
		  __entry->pid, __entry->gfn, __entry->vcpu,
		  __entry->xwr & 1 ? 'r' : '-', __entry->xwr & 2 ? 'w' : '-',
		  __entry->xwr & 4 ? 'x' : '-', __entry->level, __entry->flags,
		  __entry->time_ns, __entry->delay_ns, __entry->t_arm)
);

/* An armed unit that waited the whole expiry (wait_ns) unaccessed. */
TRACE_EVENT(kvm_ept_sample_expire,
	TP_PROTO(pid_t pid, u64 gfn, u8 level, u64 t_arm, u64 wait_ns),
	TP_ARGS(pid, gfn, level, t_arm, wait_ns),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(u64, gfn)
		__field(u8, level)
		__field(u64, t_arm)
		__field(u64, wait_ns)
	),
	TP_fast_assign(
		__entry->pid = pid;
		__entry->gfn = gfn;
		__entry->level = level;
		__entry->t_arm = t_arm;
		__entry->wait_ns = wait_ns;
	),
	TP_printk("pid=%d gfn=0x%llx level=%u t_arm=%llu wait_ns=%llu",
		  __entry->pid, __entry->gfn, __entry->level, __entry->t_arm,
		  __entry->wait_ns)
);

/* An accessed-bit observation: touched within the interval, or not. */
TRACE_EVENT(kvm_ept_sample_age,
	TP_PROTO(pid_t pid, u64 gfn, u8 level, bool touched, u64 interval_ns),
	TP_ARGS(pid, gfn, level, touched, interval_ns),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(u64, gfn)
		__field(u8, level)
		__field(bool, touched)
		__field(u64, interval_ns)
	),
	TP_fast_assign(
		__entry->pid = pid;
		__entry->gfn = gfn;
		__entry->level = level;
		__entry->touched = touched;
		__entry->interval_ns = interval_ns;
	),
	TP_printk("pid=%d gfn=0x%llx level=%u touched=%d interval_ns=%llu",
		  __entry->pid, __entry->gfn, __entry->level, __entry->touched,
		  __entry->interval_ns)
);

/*
 * The walk took a new snapshot of the VM's memslots: slots and frames it
 * arms, frames it leaves while their slot is dirty-logged, and frames it
 * never arms (read-only and device slots).
 */
TRACE_EVENT(kvm_ept_sample_slots,
	TP_PROTO(pid_t pid, u32 slots, u64 frames, u64 paused, u64 skipped),
	TP_ARGS(pid, slots, frames, paused, skipped),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(u32, slots)
		__field(u64, frames)
		__field(u64, paused)
		__field(u64, skipped)
	),
	TP_fast_assign(
		__entry->pid = pid;
		__entry->slots = slots;
		__entry->frames = frames;
		__entry->paused = paused;
		__entry->skipped = skipped;
	),
	TP_printk("pid=%d slots=%u frames=%llu paused=%llu skipped=%llu",
		  __entry->pid, __entry->slots, __entry->frames,
		  __entry->paused, __entry->skipped)
);

#endif /* EPT_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
