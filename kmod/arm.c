// SPDX-License-Identifier: GPL-2.0
/*
 * arm.c - the arming work of a session. Every EPT_PERIOD_MS it:
 *  1. ends the session if the VM is gone (only our reference is left);
 *  2. expires units armed more than expire_ms (SET_EXPIRE, or the module
 *     parameter) ago;
 *  3. arms the frames queued for a revisit (below), then the next units
 *     of a walk over all guest frames, as many as the rate controller
 *     allows, by zapping their second-level mappings with KVM's own
 *     kvm_zap_gfn_range (mmu_lock, TLB flush, under kvm->srcu).
 *
 * The walk visits chunks of s->chunk (the chunk_frames parameter)
 * contiguous frames in a fixed pseudo-random order (a stride coprime with
 * the chunk count), so every frame is armed once per sweep and no frame
 * twice. Each frame of a chunk is armed on its own, but one zap (one TLB
 * flush) covers the chunk. A frame that the host maps huge, where KVM may
 * map it huge
 * too, is armed as its whole region: zapping one 4 KiB piece of a huge
 * mapping zaps all of it, and the sample then names the frame touched
 * first. The controller adjusts the arming rate once a second so that the
 * recorded samples per second meet the budget (SET_FREQ).
 *
 * Revisits: a 4 KiB frame whose sweep arming was caught within
 * expire/revisit (SET_REVISIT, or the revisit_div parameter) is armed once
 * more, alone, in the next round, taking up to half of its units. The
 * sweep gives every frame one observation; the revisit gives a second to
 * the frames that looked hot, which tells the truly hot from cold frames
 * caught early by chance (docs/kmod.md, "Revisits").
 */
#include <linux/gcd.h>
#include <linux/pgtable.h>
#include <linux/sched/mm.h>

#include "ept.h"

#define EPT_MAX_PER_ROUND	4096	/* frames */
#define EPT_RATE_MAX		(16ULL * EPT_MAX_FREQ)	/* units/s */

/*
 * The level at which the host maps hva: 1 (4K), 2 (2M) or 3 (1G). A
 * lockless walk with interrupts off, as KVM's host_pfn_mapping_level and
 * GUP-fast do: page tables are freed only after an IPI or RCU grace period.
 */
static u8 ept_host_level(struct mm_struct *mm, unsigned long hva)
{
	unsigned long flags;
	pgd_t pgd;
	p4d_t p4d;
	pud_t pud;
	pmd_t pmd;
	u8 level = 1;

	local_irq_save(flags);
	pgd = READ_ONCE(*pgd_offset(mm, hva));
	if (pgd_none(pgd))
		goto out;
	p4d = READ_ONCE(*p4d_offset(&pgd, hva));
	if (p4d_none(p4d) || !p4d_present(p4d))
		goto out;
	pud = READ_ONCE(*pud_offset(&p4d, hva));
	if (pud_none(pud) || !pud_present(pud))
		goto out;
	if (pud_large(pud)) {
		level = 3;
		goto out;
	}
	pmd = READ_ONCE(*pmd_offset(&pud, hva));
	if (pmd_none(pmd) || !pmd_present(pmd))
		goto out;
	if (pmd_large(pmd))
		level = 2;
out:
	local_irq_restore(flags);
	return level;
}

/* The arming level of a frame: the host's, where KVM could map it so. */
static u8 ept_unit_level(struct mm_struct *mm, const struct ept_slot *slot,
			 u64 gfn)
{
	unsigned long hva = slot->hva + ((gfn - slot->base_gfn) << PAGE_SHIFT);
	u8 level = mm ? ept_host_level(mm, hva) : 1;
	u64 pages, base;

	for (; level > 1; level--) {
		pages = ept_unit_pages(level);
		base = gfn & ~(pages - 1);
		/* KVM maps huge only where guest and host alignment agree and
		 * the whole region lies in the slot.
		 */
		if (((gfn ^ (hva >> PAGE_SHIFT)) & (pages - 1)) == 0 &&
		    base >= slot->base_gfn &&
		    base + pages <= slot->base_gfn + slot->npages)
			break;
	}
	return level;
}

/* Refresh the slot snapshot if the memslots changed. Under kvm->srcu. */
static void ept_refresh_slots(struct ept_session *s, struct kvm *kvm)
{
	struct kvm_memslots *slots = kvm_memslots(kvm);
	struct kvm_memory_slot *slot;
	u64 total = 0, stride;
	int bkt;

	if (slots->generation == s->slots_gen && s->nslots)
		return;
	s->slots_gen = slots->generation;
	s->nslots = 0;
	kvm_for_each_memslot(slot, bkt, slots) {
		if (slot->id >= KVM_USER_MEM_SLOTS ||
		    (slot->flags & KVM_MEMSLOT_INVALID))
			continue;
		if (s->nslots == EPT_MAX_SLOTS)
			break;
		s->slots[s->nslots].base_gfn = slot->base_gfn;
		s->slots[s->nslots].npages = slot->npages;
		s->slots[s->nslots].hva = slot->userspace_addr;
		s->nslots++;
		total += slot->npages;
	}
	s->stats.frames = total;
	total = 0;
	for (bkt = 0; bkt < s->nslots; bkt++)
		total += DIV_ROUND_UP(s->slots[bkt].npages, s->chunk);
	if (total != s->walk_total) {
		/* About total * 0.618, then up to the next coprime stride. */
		stride = total ? (total * 618 / 1000) | 1 : 1;
		while (total && gcd(stride, total) != 1)
			stride++;
		s->walk_total = total;
		s->walk_stride = stride;
		s->walk_pos = total ? s->walk_pos % total : 0;
	}
}

/* The slot and first gfn of chunk idx of the walk. */
static const struct ept_slot *ept_walk_chunk(struct ept_session *s, u64 idx,
					     u64 *gfn)
{
	u64 chunks;
	u32 i;

	for (i = 0; i < s->nslots; i++) {
		chunks = DIV_ROUND_UP(s->slots[i].npages, s->chunk);
		if (idx < chunks) {
			*gfn = s->slots[i].base_gfn + idx * s->chunk;
			return &s->slots[i];
		}
		idx -= chunks;
	}
	return NULL;
}

/*
 * Arm the chunk at gfn: its frames one by one, or the huge region that
 * holds it as one unit; then zap what was armed. Returns the units armed,
 * or -EAGAIN when every frame of a 4 KiB chunk is still armed: the walk
 * has come round to frames armed in its last sweep.
 */
static int ept_arm_chunk(struct ept_session *s, struct kvm *kvm,
			 struct mm_struct *mm, const struct ept_slot *slot, u64 gfn)
{
	u64 end = min(gfn + s->chunk, slot->base_gfn + slot->npages);
	u64 pages, base, g, armed = 0, first = end, last = gfn;
	u8 level = ept_unit_level(mm, slot, gfn);

	if (level > 1) {
		pages = ept_unit_pages(level);
		base = gfn & ~(pages - 1);
		if (!ept_armed_add(s, base, level, ktime_get_ns(), 0))
			return 0;
		ept_syms.zap_gfn_range(kvm, base, base + pages);
		ept_hook_arm(s->pid, base, level, pages, ktime_get_ns());
		return 1;
	}
	/* Register first, so the fault that follows the zap finds it. */
	for (g = gfn; g < end; g++) {
		if (!ept_armed_add(s, g, 1, ktime_get_ns(), 0))
			continue;
		first = min(first, g);
		last = g;
		armed++;
	}
	if (!armed)
		return -EAGAIN;
	ept_syms.zap_gfn_range(kvm, first, last + 1);
	for (g = first; g <= last; g++)
		ept_hook_arm(s->pid, g, 1, 1, ktime_get_ns());
	return armed;
}

/* Samples recorded so far (the fault path updates it). */
static u64 ept_recorded(struct ept_session *s)
{
	unsigned long flags;
	u64 recorded;

	spin_lock_irqsave(&s->fifo_lock, flags);
	recorded = s->stats.recorded;
	spin_unlock_irqrestore(&s->fifo_lock, flags);
	return recorded;
}

#define EPT_CEILING_WINDOWS	5	/* seconds a ceiling holds */

/* Start the controller over at the budget. */
static void ept_control_reset(struct ept_session *s, u32 freq, u64 now)
{
	s->rate = max_t(u64, freq, 1);
	s->prev_rate = 0;
	s->prev_per_sec = 0;
	s->ceiling = 0;
	s->ceiling_left = 0;
	s->window_start = now;
	s->window_recorded = ept_recorded(s);
	/* Stopped (budget 0): the statistics keep the rate it stopped at. */
	if (freq)
		s->stats.arm_rate = s->rate;
}

/*
 * Once a second, steer the arming rate toward the sample budget. With
 * yield_check, a raise that brought no more samples than the rate before
 * it (arming slows the guest more than it finds) is taken back, and the
 * rate stays at most at the one before it for EPT_CEILING_WINDOWS seconds.
 */
static void ept_control(struct ept_session *s, u32 freq, u64 now)
{
	u64 elapsed = now - s->window_start, recorded, per_sec, ran = s->rate;

	if (elapsed < NSEC_PER_SEC)
		return;
	recorded = ept_recorded(s);
	per_sec = div64_u64((recorded - s->window_recorded) * NSEC_PER_SEC, elapsed);
	if (per_sec == 0)
		s->rate *= 2;
	else
		s->rate = clamp(div64_u64(s->rate * freq, per_sec),
				s->rate / 2, s->rate * 2);
	if (s->yield_check) {
		if (ran > s->prev_rate && s->prev_rate &&
		    per_sec <= s->prev_per_sec && per_sec < freq) {
			s->ceiling = s->prev_rate;
			s->ceiling_left = EPT_CEILING_WINDOWS;
		} else if (s->ceiling_left && !--s->ceiling_left) {
			s->ceiling = 0;
		}
		if (s->ceiling)
			s->rate = min(s->rate, s->ceiling);
	}
	s->prev_rate = ran;
	s->prev_per_sec = per_sec;
	s->rate = clamp_t(u64, s->rate, 1,
			  min_t(u64, (u64)s->rate_cap * freq, EPT_RATE_MAX));
	s->stats.arm_rate = s->rate;
	s->window_start = now;
	s->window_recorded = recorded;
}

/* The slot that holds gfn, or NULL. */
static const struct ept_slot *ept_slot_of(struct ept_session *s, u64 gfn)
{
	u32 i;

	for (i = 0; i < s->nslots; i++)
		if (gfn - s->slots[i].base_gfn < s->slots[i].npages)
			return &s->slots[i];
	return NULL;
}

#define EPT_REVISIT_BATCH	32

/* Arm up to max queued revisits, each frame alone; returns the units armed. */
static u64 ept_arm_revisits(struct ept_session *s, struct kvm *kvm,
			    struct mm_struct *mm, u64 max)
{
	u64 gfn[EPT_REVISIT_BATCH], armed = 0, now;
	const struct ept_slot *slot;
	u32 i, n;

	while (armed < max &&
	       READ_ONCE(s->outstanding) + EPT_REVISIT_BATCH <= EPT_MAX_ARMED) {
		n = ept_revisit_take(s, gfn, min_t(u64, max - armed, EPT_REVISIT_BATCH));
		if (!n)
			break;
		for (i = 0; i < n; i++) {
			/* The memslots or the host mapping may have changed. */
			slot = ept_slot_of(s, gfn[i]);
			if (!slot || ept_unit_level(mm, slot, gfn[i]) != 1)
				continue;
			now = ktime_get_ns();
			if (!ept_armed_add(s, gfn[i], 1, now, KVM_EPT_SAMPLE_F_REVISIT))
				continue;
			ept_syms.zap_gfn_range(kvm, gfn[i], gfn[i] + 1);
			ept_hook_arm(s->pid, gfn[i], 1, 1, now);
			armed++;
		}
	}
	return armed;
}

static void ept_arm_round(struct ept_session *s, struct kvm *kvm, u32 freq, u64 now)
{
	const struct ept_slot *slot;
	struct mm_struct *mm = NULL;
	u64 elapsed, n, gfn, armed = 0;
	int idx, ret;

	ept_control(s, freq, now);
	elapsed = min_t(u64, now - s->last_round, 10ULL * EPT_PERIOD_MS * NSEC_PER_MSEC);
	s->last_round = now;
	s->credit += s->rate * elapsed;
	n = div64_u64(s->credit, NSEC_PER_SEC);
	s->credit -= n * NSEC_PER_SEC;
	n = min_t(u64, n, EPT_MAX_PER_ROUND);
	if (!n)
		return;

	if (mmget_not_zero(kvm->mm))
		mm = kvm->mm;
	idx = srcu_read_lock(&kvm->srcu);
	ept_refresh_slots(s, kvm);
	if (READ_ONCE(s->revisit_ns))
		armed = ept_arm_revisits(s, kvm, mm, n / 2);
	while (armed < n && s->walk_total) {
		/* A full pool would make the walk skip chunks: stop here. */
		if (READ_ONCE(s->outstanding) + s->chunk > EPT_MAX_ARMED) {
			s->stats.pool_full++;
			break;
		}
		slot = ept_walk_chunk(s, s->walk_pos, &gfn);
		s->walk_pos = (s->walk_pos + s->walk_stride) % s->walk_total;
		if (!slot)
			break;
		ret = ept_arm_chunk(s, kvm, mm, slot, gfn);
		/* Lapped: arming faster than frames expire; wait a round. */
		if (ret == -EAGAIN) {
			s->stats.pool_full++;
			break;
		}
		armed += ret ?: 1;
	}
	srcu_read_unlock(&kvm->srcu, idx);
	if (mm)
		mmput(mm);
}

void ept_arm_work(struct work_struct *work)
{
	struct ept_session *s = container_of(to_delayed_work(work),
					     struct ept_session, work);
	struct kvm *kvm = s->kvm;
	u64 now = ktime_get_ns();
	unsigned long flags;
	u32 freq, expire_ms, revisit;

	/* Only our reference left: the VMM closed the VM or exited. */
	if (refcount_read(&kvm->users_count) == 1) {
		ept_session_detach(s, true);
		return;
	}
	expire_ms = READ_ONCE(s->expire_ms);
	if (expire_ms) {
		s->expire_ns = (u64)expire_ms * NSEC_PER_MSEC;
		s->stats.expire_ns = s->expire_ns;
	}
	revisit = READ_ONCE(s->revisit);
	if (revisit > EPT_REVISIT_DIV_MAX)	/* not set: the module parameter */
		revisit = s->revisit_param;
	WRITE_ONCE(s->revisit_ns, revisit ? div_u64(s->expire_ns, revisit) : 0);
	ept_armed_expire(s, now);
	freq = READ_ONCE(s->freq);
	if (freq != s->last_freq) {
		/* A new budget: start the controller over at it. */
		s->last_freq = freq;
		ept_control_reset(s, freq, now);
	}
	if (freq)
		ept_arm_round(s, kvm, freq, now);
	else
		s->last_round = now;
	spin_lock_irqsave(&s->arm_lock, flags);
	s->stats.rounds++;
	s->stats.outstanding = s->outstanding;
	spin_unlock_irqrestore(&s->arm_lock, flags);
	queue_delayed_work(system_unbound_wq, &s->work,
			   msecs_to_jiffies(EPT_PERIOD_MS));
}

void ept_arm_start(struct ept_session *s)
{
	u64 now = ktime_get_ns();

	s->nslots = 0;
	s->slots_gen = 0;
	s->walk_pos = 0;
	s->walk_total = 0;
	s->credit = 0;
	s->last_freq = READ_ONCE(s->freq);
	ept_control_reset(s, s->last_freq, now);
	s->last_round = now;
	s->expire_ns = (u64)clamp_t(unsigned int, READ_ONCE(ept_expire_ms), 1,
				    EPT_EXPIRE_MS_MAX) * NSEC_PER_MSEC;
	s->stats.expire_ns = s->expire_ns;
	s->chunk = clamp_t(unsigned int, READ_ONCE(ept_chunk_frames), 1,
			   EPT_CHUNK_MAX);
	s->revisit_param = min_t(unsigned int, READ_ONCE(ept_revisit_div),
				 EPT_REVISIT_DIV_MAX);
	s->rate_cap = clamp_t(unsigned int, READ_ONCE(ept_rate_cap), 1,
			      EPT_RATE_CAP_MAX);
	s->yield_check = READ_ONCE(ept_yield_check);
	queue_delayed_work(system_unbound_wq, &s->work, 0);
}
