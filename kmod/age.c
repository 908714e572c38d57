// SPDX-License-Identifier: GPL-2.0
/*
 * age.c - the accessed-bit observations of a session (SET_MODE 1 and 2):
 * whether the guest touched a frame within an interval, read from KVM's
 * own second-level accessed bits through KVM's own aging functions, with
 * no fault at all.
 *
 * The walk's chunks (walk.c, the same order and units as arming) are
 * cleared and observed, age_frames a second (by default, every frame of
 * the VM once a second, and at least 65536 frames a second), within the
 * hard limits: the time in KVM's aging
 * functions counts against max_zap_us, each flush against max_zaps:
 *  - clear: kvm_age_gfn over the chunk (every leaf SPTE there loses its
 *    accessed bit), under kvm->srcu and mmu_lock for write, as KVM's
 *    clear_young MMU notifier calls it; after the round's clears one
 *    kvm_flush_remote_tlbs, so that no cached translation lets an access
 *    pass without setting the bit again. The interval starts then; the
 *    observation comes one interval later.
 *  - observe, once the interval has passed:
 *    kvm_test_age_gfn over the chunk, and when it was touched, over each
 *    unit of it. Each unit gives one record: touched (a "sample" with
 *    KVM_EPT_SAMPLE_F_ABIT, no type or vCPU, and a delay of half the
 *    interval: the midpoint of where the access lies), or not (an expiry
 *    record with KVM_EPT_SAMPLE_F_ABIT and a wait of the whole interval).
 *    With all intervals equal, the delay estimator ranks frames exactly as
 *    the maximum-likelihood rate of these Bernoulli observations,
 *    -ln(1 - touched/observed) / interval, would.
 * The interval adapts (age_interval_ms 0, the default): every control
 * window, if more than 45% of the units observed were touched it halves,
 * if fewer than 15% it doubles, within 100 us and 1 s. A guest's hot frames
 * are then touched within nearly every interval and its cold frames in
 * few, whatever the guest's speed; a fixed age_interval_ms fixes it.
 * That rule and the frames a round clears are pure arithmetic in
 * age_ctl.h, which the host simulator (bench/abit-sim.c) runs as well.
 * An interval shorter than two jiffies is not left to the next rounds,
 * which come a jiffy apart at best: the round sleeps it (usleep_range)
 * and observes what it cleared, so every interval is the same length, and
 * the ranking is the touched share's. Each record carries the time its
 * unit was watched: from the chunk's clear to its observation, which
 * includes the rest of the round's clears and the flush (an access there
 * sets the bit when no cached translation hides it; without that the
 * interval read a few ms short under TCG, and rates and working sets came
 * out high).
 *
 * In auto mode (SET_MODE 3, the default) a session whose interval sits at
 * its floor and still finds more than 45% of the units touched, two windows
 * in a row, has a guest too fast for the bits to tell hot from cold
 * (stats.age_saturated): it samples by faults from then on (arm.c).
 *
 * In hybrid mode (SET_MODE 2) the units found touched are then armed for a
 * fault sample right away (one zap for the chunk), as the budget allows: the
 * fault samples add the access type, the vCPU and an exact delay to the
 * frames the accessed bits found hot.
 *
 * Zapped units need no care: an armed unit has no SPTE, so clearing skips
 * it and observing it says "not touched" unless the guest faulted it back
 * in, and KVM's fault sets the accessed bit of the new SPTE.
 */
#include <linux/delay.h>

#include "ept.h"
#include "trace.h"

#define EPT_AGE_RING		8192	/* pending chunk observations */

int ept_age_init(struct ept_age *a)
{
	a->ring = vmalloc(array_size(EPT_AGE_RING, sizeof(*a->ring)));
	return a->ring ? 0 : -ENOMEM;
}

void ept_age_free(struct ept_age *a)
{
	vfree(a->ring);
	a->ring = NULL;
}

void ept_age_start(struct ept_age *a)
{
	a->head = 0;
	a->len = 0;
	a->rate = min_t(unsigned int, READ_ONCE(ept_age_frames), 16 * 1024 * 1024);
	ept_age_ctl_init(&a->ctl, (u64)min_t(unsigned int, READ_ONCE(ept_age_interval_ms),
					     EPT_EXPIRE_MS_MAX) * NSEC_PER_MSEC);
}

/* Once a window: move the adaptive interval toward 15-45% touched (age_ctl.h). */
static void ept_age_adapt(struct ept_session *s, u64 now)
{
	struct ept_age_ctl *c = &s->age.ctl;

	if (!ept_age_ctl_adapt(c, now))
		return;
	if (c->saturated)
		s->stats.age_saturated = 1;
	s->stats.age_interval_ns = c->interval_ns;
}

static struct ept_age_chunk *ept_age_at(struct ept_age *a, u32 i)
{
	return &a->ring[(a->head + i) % EPT_AGE_RING];
}

/* KVM's handler over [gfn, end) of the memslot that holds gfn. Under srcu. */
static bool ept_age_call(struct ept_session *s, struct kvm *kvm,
			 bool (*fn)(struct kvm *, struct kvm_gfn_range *),
			 u64 gfn, u64 end)
{
	struct kvm_gfn_range range = {
		.slot = search_memslots(kvm_memslots(kvm), gfn, false),
		.start = gfn,
		.end = end,
	};
	bool young;

	if (!range.slot || end > range.slot->base_gfn + range.slot->npages)
		return false;
	ept_gfn_range_shared(&range);
	write_lock(&kvm->mmu_lock);
	young = fn(kvm, &range);
	write_unlock(&kvm->mmu_lock);
	return young;
}

/*
 * Whether KVM maps a frame of [gfn, end) that the guest touched since
 * its accessed bit was last cleared (armed.c: an undone arming).
 */
bool ept_age_young(struct ept_session *s, struct kvm *kvm, u64 gfn, u64 end)
{
	int idx = srcu_read_lock(&kvm->srcu);
	bool young = ept_age_call(s, kvm, ept_syms.test_age_gfn, gfn, end);

	srcu_read_unlock(&kvm->srcu, idx);
	return young;
}

/* Push one record per unit of c: touched (bit set in young) or not. */
static void ept_age_records(struct ept_session *s, const struct ept_age_chunk *c,
			    const unsigned long *young, u64 now)
{
	struct kvm_ept_sample_v2 rec = {
		.vcpu = KVM_EPT_SAMPLE_NO_VCPU, .level = c->level,
		.time_ns = now,
	};
	u64 step = ept_unit_pages(c->level), g, i, interval = now - c->t_clear;
	bool records = READ_ONCE(s->censored);
	unsigned long flags;
	u32 touched;

	for (g = c->gfn, i = 0; g < c->end; g += step, i++) {
		bool hit = test_bit(i, young);

		rec.gfn = g;
		rec.flags = KVM_EPT_SAMPLE_F_ABIT |
			    (c->level > 1 ? KVM_EPT_SAMPLE_F_HUGE : 0) |
			    (hit ? 0 : KVM_EPT_SAMPLE_F_EXPIRED);
		rec.delay_ns = hit ? interval / 2 : interval;
		trace_kvm_ept_sample_age(s->pid, g, c->level, hit, interval);
		if (hit || records)
			ept_buffer_push(s, &rec);
	}
	touched = bitmap_weight(young, i);
	ept_age_ctl_observed(&s->age.ctl, i, touched);
	spin_lock_irqsave(&s->arm_lock, flags);
	s->stats.age_observed += i;
	s->stats.age_touched += touched;
	spin_unlock_irqrestore(&s->arm_lock, flags);
}

/*
 * Observe chunk c: which of its units the guest touched since the
 * interval began. Hybrid: arm the touched 4 KiB frames for a fault
 * sample, up to *arm of them. Under srcu.
 */
static void ept_age_observe(struct ept_session *s, struct kvm *kvm,
			    const struct ept_age_chunk *c, u64 *arm)
{
	DECLARE_BITMAP(young, EPT_CHUNK_MAX);
	u64 step = ept_unit_pages(c->level), g, i, t0 = ktime_get_ns(), t;
	u64 first = c->end, last = c->gfn, armed = 0;

	bitmap_zero(young, EPT_CHUNK_MAX);
	if (ept_age_call(s, kvm, ept_syms.test_age_gfn, c->gfn, c->end)) {
		for (g = c->gfn, i = 0; g < c->end; g += step, i++)
			if (c->level > 1 ||
			    ept_age_call(s, kvm, ept_syms.test_age_gfn, g, g + step))
				__set_bit(i, young);
	}
	t = ktime_get_ns();
	s->stats.age_ns += t - t0;
	s->limits.time_tokens -= t - t0;
	ept_age_records(s, c, young, t);
	if (c->level > 1 || !*arm)
		return;
	for (g = c->gfn, i = 0; g < c->end && armed < *arm; g++, i++) {
		if (!test_bit(i, young) || !ept_armed_add(s, g, 1, t, 0))
			continue;
		first = min(first, g);
		last = g;
		armed++;
	}
	if (armed)
		ept_arm_zapped(s, kvm, first, last, armed, t);
	*arm -= armed;
}

/* Observe the chunks whose interval has passed; arm up to arm units (hybrid). */
static void ept_age_observe_due(struct ept_session *s, struct kvm *kvm,
				u64 now, u64 arm)
{
	struct ept_age *a = &s->age;
	struct ept_age_chunk c;
	int idx;

	while (a->len && ept_age_at(a, 0)->t_start &&
	       now - ept_age_at(a, 0)->t_start >= a->ctl.interval_ns) {
		if (!ept_limits_allow(&s->limits)) {
			s->stats.throttled++;
			break;
		}
		c = *ept_age_at(a, 0);
		a->head = (a->head + 1) % EPT_AGE_RING;
		a->len--;
		idx = srcu_read_lock(&kvm->srcu);
		/* A memslot that changed (now dirty-logged, say): drop it. */
		if (!ept_walk_refresh(s, kvm) && ept_walk_slot_of(&s->walk, c.gfn))
			ept_age_observe(s, kvm, &c, &arm);
		srcu_read_unlock(&kvm->srcu, idx);
	}
}

/* Clear the next chunks of the walk, up to a number of frames; returns the chunks. */
static u32 ept_age_clear_walk(struct ept_session *s, struct kvm *kvm,
			      struct mm_struct *mm, u64 frames)
{
	struct ept_walk *w = &s->walk;
	struct ept_age *a = &s->age;
	const struct ept_slot *slot;
	u64 gfn, end, done = 0, t0;
	u32 visits = 0, pushed = 0;
	struct ept_age_chunk *c;
	int idx, ret;
	u8 level;

	while (done < frames && visits++ < EPT_MAX_VISITS &&
	       a->len < EPT_AGE_RING && ept_limits_allow(&s->limits)) {
		idx = srcu_read_lock(&kvm->srcu);
		ret = ept_walk_refresh(s, kvm);
		slot = NULL;
		if (!ret && w->total) {
			slot = ept_walk_chunk(w, w->pos, &gfn, &end);
			w->pos = (w->pos + w->stride) % w->total;
		}
		ret = slot ? ept_walk_level(kvm, mm, slot, gfn, &level) : -ENOENT;
		if (!ret && level > 1) {
			/* A region is one unit, observed from its first chunk. */
			if (gfn & (ept_unit_pages(level) - 1)) {
				srcu_read_unlock(&kvm->srcu, idx);
				continue;
			}
			end = gfn + ept_unit_pages(level);
		}
		if (!ret) {
			t0 = ktime_get_ns();
			ept_age_call(s, kvm, ept_syms.age_gfn, gfn, end);
			s->stats.age_ns += ktime_get_ns() - t0;
			s->limits.time_tokens -= ktime_get_ns() - t0;
			c = ept_age_at(a, a->len++);
			c->gfn = gfn;
			c->end = end;
			c->level = level;
			c->t_clear = t0;
			c->t_start = 0;		/* set after the flush */
			pushed++;
			done += end - gfn;
		}
		srcu_read_unlock(&kvm->srcu, idx);
		if (ret == -EAGAIN) {
			s->stats.mmap_busy++;
			break;
		}
		if (slot == NULL)
			break;
	}
	return pushed;
}

/*
 * One round of accessed-bit observations: observe what is due (and, in
 * hybrid mode, arm up to arm of the touched frames), clear the next
 * chunks, flush, and start their intervals.
 */
void ept_age_round(struct ept_session *s, struct kvm *kvm, struct mm_struct *mm,
		   u64 now, u64 elapsed, u64 arm)
{
	struct ept_age *a = &s->age;
	u64 frames, t;
	u32 pushed, i;
	int idx;

	idx = srcu_read_lock(&kvm->srcu);
	ept_walk_refresh(s, kvm);	/* the frame count, for the rate */
	srcu_read_unlock(&kvm->srcu, idx);
	ept_age_observe_due(s, kvm, now, arm);
	ept_age_adapt(s, now);
	/* age_frames 0: every armable frame once a second, and a small VM's
	 * more often (at least EPT_AGE_MIN_RATE frames a second).
	 */
	frames = ept_age_ctl_frames(&a->ctl, a->rate, s->stats.frames -
				    s->stats.paused_frames - s->stats.skipped_frames,
				    min_t(u64, elapsed, 10ULL * EPT_PERIOD_MS * NSEC_PER_MSEC));
	pushed = ept_age_clear_walk(s, kvm, mm, frames);
	if (!pushed)
		return;
	/* No cached translation may hide an access from the cleared bits. */
	kvm_flush_remote_tlbs(kvm);
	s->limits.zap_tokens -= NSEC_PER_SEC;
	s->stats.age_flushes++;
	t = ktime_get_ns();
	for (i = a->len - pushed; i < a->len; i++)
		ept_age_at(a, i)->t_start = t;
	if (a->ctl.interval_ns < 2 * jiffies_to_nsecs(1)) {
		u64 us = div_u64(a->ctl.interval_ns, NSEC_PER_USEC);

		usleep_range(us, us + us / 8 + 1);
		ept_age_observe_due(s, kvm, ktime_get_ns(), arm);
	}
}
