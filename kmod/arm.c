// SPDX-License-Identifier: GPL-2.0
/*
 * arm.c - one arming round of a session (session.c runs one every
 * EPT_PERIOD_MS, or every half expiry when that is shorter). A round:
 *  1. expires units that waited the whole expiry (armed.c);
 *  2. lets the controller adjust the arming rate and the expiry
 *     (control.c), and takes the units the rate allows since the last round;
 *  3. arms the frames queued for a revisit (below), then the next chunks of
 *     the walk (walk.c), by zapping their second-level mappings with KVM's
 *     own kvm_zap_gfn_range (mmu_lock, invalidation, TLB flush), one chunk
 *     per zap, each under its own kvm->srcu read section.
 *
 * Hard limits bound what any budget can make a round do to the VM: zaps per
 * second, frames per zap, units armed per second, and time spent holding
 * mmu_lock per second (module parameters max_zaps, max_zap_frames,
 * max_arms, max_zap_us, read at INIT).
 * Each is a token bucket refilled with time and holding at most 100 ms of
 * it; a round that finds one empty stops (stats.throttled). A round also
 * arms at most EPT_MAX_PER_ROUND units and visits at most EPT_MAX_VISITS
 * chunks.
 *
 * Revisits: a 4 KiB frame whose sweep arming was caught within
 * expiry/revisit (SET_REVISIT, or the revisit_div parameter) is armed once
 * more, alone, in the next round, taking up to half of its units
 * (docs/kmod.md, "Revisits").
 */
#include <linux/log2.h>
#include <linux/sched/mm.h>

#include "ept.h"
#include "trace.h"

#define EPT_MAX_PER_ROUND	4096	/* units */
#define EPT_BURST_NS		(100ULL * NSEC_PER_MSEC)
#define EPT_REVISIT_BATCH	32

/* ---- hard limits ------------------------------------------------------ */

static void ept_limits_init(struct ept_limits *l)
{
	l->zaps_per_sec = clamp_t(unsigned int, READ_ONCE(ept_max_zaps), 1, 1000000);
	l->zap_frames = clamp_t(unsigned int, READ_ONCE(ept_max_zap_frames), 1,
				ept_unit_pages(EPT_MAX_LEVEL));
	l->zap_ns_per_sec = (u64)clamp_t(unsigned int, READ_ONCE(ept_max_zap_us),
					 1, USEC_PER_SEC) * NSEC_PER_USEC;
	l->arms_per_sec = clamp_t(unsigned int, READ_ONCE(ept_max_arms), 1, 10000000);
	l->zap_tokens = l->zaps_per_sec * EPT_BURST_NS;
	l->time_tokens = div64_u64(l->zap_ns_per_sec * EPT_BURST_NS, NSEC_PER_SEC);
	l->arm_tokens = l->arms_per_sec * EPT_BURST_NS;
}

static void ept_limits_refill(struct ept_limits *l, u64 elapsed)
{
	s64 zap_max = l->zaps_per_sec * EPT_BURST_NS;
	s64 time_max = div64_u64(l->zap_ns_per_sec * EPT_BURST_NS, NSEC_PER_SEC);

	elapsed = min(elapsed, EPT_BURST_NS);
	l->zap_tokens = min_t(s64, l->zap_tokens + l->zaps_per_sec * elapsed,
			      zap_max);
	l->time_tokens = min_t(s64, l->time_tokens +
			       div64_u64(l->zap_ns_per_sec * elapsed, NSEC_PER_SEC),
			       time_max);
	l->arm_tokens = min_t(s64, l->arm_tokens + l->arms_per_sec * elapsed,
			      l->arms_per_sec * EPT_BURST_NS);
}

bool ept_limits_allow(const struct ept_limits *l)
{
	return l->zap_tokens >= (s64)NSEC_PER_SEC && l->time_tokens > 0 &&
	       l->arm_tokens >= (s64)NSEC_PER_SEC;
}

/*
 * One kvm_zap_gfn_range over [gfn, gfn + nframes), arming units: timed,
 * counted and charged to the limits. Returns when it returned. Under
 * kvm->srcu.
 */
static u64 ept_zap(struct ept_session *s, struct kvm *kvm, u64 gfn,
		   u64 nframes, u32 units)
{
	u64 t0 = ktime_get_ns(), t1, ns;

	ept_syms.zap_gfn_range(kvm, gfn, gfn + nframes);
	t1 = ktime_get_ns();
	ns = t1 - t0;
	s->limits.zap_tokens -= NSEC_PER_SEC;
	s->limits.time_tokens -= ns;
	s->limits.arm_tokens -= (s64)units * NSEC_PER_SEC;
	s->stats.zaps++;
	s->stats.zap_ns += ns;
	trace_kvm_ept_sample_zap(s->pid, gfn, nframes, units, ns);
	return t1;
}

/* ---- arming ----------------------------------------------------------- */

/* Arm the huge region of level at base as one unit; 1 if it was armed. */
static int ept_arm_region(struct ept_session *s, struct kvm *kvm, u64 base,
			  u8 level)
{
	u64 pages = ept_unit_pages(level), t = ktime_get_ns(), done;

	if (pages > s->limits.zap_frames || !ept_armed_add(s, base, level, t, 0))
		return 0;
	done = ept_zap(s, kvm, base, pages, 1);
	ept_armed_started(s, base, base, level, t, done);
	ept_hook_arm(s->pid, base, level, pages, done);
	return 1;
}

/*
 * Arm the chunk [gfn, end) of slot: its frames one by one (one zap), or
 * the huge region that holds it as one unit. Returns the units armed; 0
 * when there was nothing to arm here; -EAGAIN when every frame of the chunk
 * is still armed (the walk has come round to frames armed in its last
 * sweep); -EBUSY when the VMM's mmap_lock was taken. Under kvm->srcu.
 */
static int ept_arm_chunk(struct ept_session *s, struct kvm *kvm,
			 struct mm_struct *mm, const struct ept_slot *slot,
			 u64 gfn, u64 end)
{
	u64 g, t, armed = 0, first = end, last = gfn;
	int ret;
	u8 level;

	ret = ept_walk_level(kvm, mm, slot, gfn, &level);
	if (ret == -EAGAIN)
		return -EBUSY;
	if (ret)
		return 0;
	if (level > 1) {
		/* A region is armed from its first chunk only: once a sweep. */
		if (gfn & (ept_unit_pages(level) - 1))
			return 0;
		return ept_arm_region(s, kvm, gfn, level);
	}
	/* Register first, so the fault that follows the zap finds it. */
	t = ktime_get_ns();
	for (g = gfn; g < end; g++) {
		if (!ept_armed_add(s, g, 1, t, 0))
			continue;
		first = min(first, g);
		last = g;
		armed++;
	}
	if (!armed)
		return -EAGAIN;
	ept_arm_zapped(s, kvm, first, last, armed, t);
	return armed;
}

/*
 * The 4 KiB units from first to last (registered at t_arm) are in the
 * armed table: zap them, one zap, and start their delays. Under srcu.
 */
void ept_arm_zapped(struct ept_session *s, struct kvm *kvm, u64 first,
		    u64 last, u32 units, u64 t_arm)
{
	u64 done = ept_zap(s, kvm, first, last + 1 - first, units), g;

	ept_armed_started(s, first, last, 1, t_arm, done);
	for (g = first; g <= last; g++)
		ept_hook_arm(s->pid, g, 1, 1, done);
}

/* Arm up to max queued revisits, each frame alone; returns the units armed. */
static u64 ept_arm_revisits(struct ept_session *s, struct kvm *kvm,
			    struct mm_struct *mm, u64 max)
{
	u64 gfn[EPT_REVISIT_BATCH], armed = 0, t, done;
	const struct ept_slot *slot;
	int idx;
	u32 i, n;
	u8 level;

	while (armed < max && ept_limits_allow(&s->limits) &&
	       READ_ONCE(s->outstanding) + EPT_REVISIT_BATCH <= EPT_MAX_ARMED) {
		n = ept_revisit_take(s, gfn, min_t(u64, max - armed, EPT_REVISIT_BATCH));
		if (!n)
			break;
		idx = srcu_read_lock(&kvm->srcu);
		ept_walk_refresh(s, kvm);
		for (i = 0; i < n; i++) {
			/* The memslots or the host mapping may have changed. */
			slot = s->walk.valid ? ept_walk_slot_of(&s->walk, gfn[i]) : NULL;
			if (!slot || ept_walk_level(kvm, mm, slot, gfn[i], &level) ||
			    level != 1 || !ept_limits_allow(&s->limits))
				continue;
			t = ktime_get_ns();
			if (!ept_armed_add(s, gfn[i], 1, t, KVM_EPT_SAMPLE_F_REVISIT))
				continue;
			done = ept_zap(s, kvm, gfn[i], 1, 1);
			ept_armed_started(s, gfn[i], gfn[i], 1, t, done);
			ept_hook_arm(s->pid, gfn[i], 1, 1, done);
			armed++;
		}
		srcu_read_unlock(&kvm->srcu, idx);
	}
	return armed;
}

/*
 * Arm up to n units of the walk (armed of them are armed already); stops
 * early at a limit, and says why. Returns the units armed in all, which a
 * whole last chunk may make more than n.
 */
static u64 ept_arm_walk(struct ept_session *s, struct kvm *kvm,
			struct mm_struct *mm, u64 armed, u64 n)
{
	struct ept_walk *w = &s->walk;
	const struct ept_slot *slot;
	u32 visits = 0;
	u64 gfn, end;
	int idx, ret;

	while (armed < n && visits++ < EPT_MAX_VISITS) {
		if (!ept_limits_allow(&s->limits)) {
			s->stats.throttled++;
			break;
		}
		/* A full pool would make the walk skip chunks: stop here. */
		if (READ_ONCE(s->outstanding) + w->chunk > EPT_MAX_ARMED) {
			s->stats.pool_full++;
			break;
		}
		idx = srcu_read_lock(&kvm->srcu);
		ret = ept_walk_refresh(s, kvm);
		if (!ret && w->total) {
			slot = ept_walk_chunk(w, w->pos, &gfn, &end);
			w->pos = (w->pos + w->stride) % w->total;
			ret = slot ? ept_arm_chunk(s, kvm, mm, slot, gfn, end) : 0;
		} else {
			ret = -ENOENT;		/* nothing to arm now */
		}
		srcu_read_unlock(&kvm->srcu, idx);
		if (ret == -ENOENT)
			break;
		/* Lapped: arming faster than frames expire; wait a round. */
		if (ret == -EAGAIN) {
			s->stats.pool_full++;
			break;
		}
		if (ret == -EBUSY) {
			s->stats.mmap_busy++;
			break;
		}
		armed += ret;
	}
	return armed;
}

/* INIT: the arming state of a new attachment. */
void ept_arm_start(struct ept_session *s)
{
	u32 chunk = clamp_t(unsigned int, READ_ONCE(ept_chunk_frames), 1,
			    EPT_CHUNK_MAX);

	ept_walk_free(&s->walk);
	ept_limits_init(&s->limits);
	s->walk.chunk = rounddown_pow_of_two(min_t(u64, chunk, s->limits.zap_frames));
	s->walk.pos = 0;
	s->revisit_param = min_t(unsigned int, READ_ONCE(ept_revisit_div),
				 EPT_REVISIT_DIV_MAX);
	s->expire_param = min_t(unsigned int, READ_ONCE(ept_expire_ms),
				EPT_EXPIRE_MS_MAX);
	s->expire_used = U32_MAX;	/* the round sets it up */
	s->ctl.rate_cap = clamp_t(unsigned int, READ_ONCE(ept_rate_cap), 1,
				  EPT_RATE_CAP_MAX);
	s->ctl.yield_check = READ_ONCE(ept_yield_check);
	s->ctl.freq = U32_MAX;		/* the round starts the controller */
	s->ctl.credit = 0;
	s->ctl.debt = 0;
	s->ctl.last_round = ktime_get_ns();
	s->limits_round = s->ctl.last_round;
	s->mode_param = min_t(unsigned int, READ_ONCE(ept_mode),
			      KVM_EPT_SAMPLE_MODE_AUTO);
	ept_age_start(&s->age);
	s->age.last_round = s->ctl.last_round;
	s->stats.age_interval_ns = s->age.ctl.interval_ns;
}

/*
 * How the session observes now: format 1 has no record for accessed bits;
 * auto is accessed bits until they saturate (age.c), then faults.
 */
static u32 ept_arm_mode(struct ept_session *s)
{
	u32 mode = READ_ONCE(s->mode);

	if (READ_ONCE(s->format) == KVM_EPT_SAMPLE_FORMAT_V1)
		return KVM_EPT_SAMPLE_MODE_FAULTS;
	if (mode > KVM_EPT_SAMPLE_MODE_AUTO)
		mode = s->mode_param;
	if (mode == KVM_EPT_SAMPLE_MODE_AUTO)
		mode = s->stats.age_saturated ? KVM_EPT_SAMPLE_MODE_FAULTS :
						KVM_EPT_SAMPLE_MODE_ABIT;
	return mode;
}

/* Apply SET_EXPIRE, SET_REVISIT and SET_FREQ, which may change any time. */
static void ept_arm_configure(struct ept_session *s, u64 now)
{
	u32 ms = READ_ONCE(s->expire_ms), freq = READ_ONCE(s->freq), revisit;

	if (ms == U32_MAX)		/* never set: the module parameter */
		ms = s->expire_param;
	if (ms != s->expire_used) {
		s->expire_used = ms;
		s->ctl.auto_expire = !ms;
		if (ms)
			WRITE_ONCE(s->expire_ns, (u64)ms * NSEC_PER_MSEC);
		else
			ept_control_expire_start(s);
		s->ctl.freq = U32_MAX;	/* start the controller over */
		s->stats.expire_auto = !ms;
	}
	if (freq != s->ctl.freq)
		ept_control_start(s, freq, now);
	s->stats.expire_ns = READ_ONCE(s->expire_ns);
	revisit = READ_ONCE(s->revisit);
	if (revisit > EPT_REVISIT_DIV_MAX)	/* not set: the module parameter */
		revisit = s->revisit_param;
	WRITE_ONCE(s->revisit_ns, revisit ? div_u64(s->expire_ns, revisit) : 0);
}

void ept_arm_round(struct ept_session *s, struct kvm *kvm)
{
	u64 now = ktime_get_ns(), n, armed = 0;
	struct mm_struct *mm = NULL;
	u32 mode = ept_arm_mode(s);
	unsigned long flags;

	ept_arm_configure(s, now);
	ept_armed_expire(s, kvm, now);
	ept_control(s, now);
	ept_limits_refill(&s->limits, now - s->limits_round);
	s->limits_round = now;
	n = min_t(u64, ept_control_units(s, now), EPT_MAX_PER_ROUND);
	s->stats.mode = mode;
	if ((n || mode != KVM_EPT_SAMPLE_MODE_FAULTS) && READ_ONCE(s->freq) &&
	    mmget_not_zero(kvm->mm))
		mm = kvm->mm;
	if (mm && mode == KVM_EPT_SAMPLE_MODE_FAULTS) {
		if (READ_ONCE(s->revisit_ns))
			armed = ept_arm_revisits(s, kvm, mm, n / 2);
		armed = ept_arm_walk(s, kvm, mm, armed, n);
		if (armed > n)
			ept_control_overdrawn(s, armed - n);
	} else if (mm) {
		ept_age_round(s, kvm, mm, now, now - s->age.last_round,
			      mode == KVM_EPT_SAMPLE_MODE_HYBRID ? n : 0);
	}
	s->age.last_round = now;
	if (mm)
		mmput(mm);
	spin_lock_irqsave(&s->arm_lock, flags);
	s->stats.rounds++;
	s->stats.outstanding = s->outstanding;
	spin_unlock_irqrestore(&s->arm_lock, flags);
}
