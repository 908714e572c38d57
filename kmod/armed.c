// SPDX-License-Identifier: GPL-2.0
/*
 * armed.c - the table of armed units of a session: a hash by unit, a list
 * in arming order (for expiry) and a preallocated pool, so the fault path
 * never allocates; and the ring of frames to revisit. Callers hold
 * session->arm_lock except where noted.
 *
 * A unit is a 4 KiB frame (level 1) or a huge region (level 2: 512 frames,
 * level 3: 262144 frames) whose whole mapping was zapped; its key is its
 * first gfn and its level.
 *
 * An undone arming: a vCPU's not-present fault passes the kvm_page_fault
 * tracepoint (catch.c) before the unit is armed, so it is no sample; then
 * the unit is armed and zapped, and the fault, still on its way, reaches
 * KVM's MMU after the zap and maps the frame again (its mmu_invalidate_seq
 * is read after the zap's, so KVM sees nothing stale). The unit looks
 * armed, but the guest touches it without a fault, and at its expiry a
 * record would claim an access-free wait that never was. So each vCPU's
 * last not-present fault is kept (natural_gfn) until its next one, which
 * means the previous one has left KVM's MMU; a unit armed over one is
 * suspect, and a suspect unit that reaches its expiry is checked with
 * kvm_test_age_gfn: if a fault mapped it since its zap (accessed, which a
 * fault's mapping is, and a zapped unit never is), its arming was undone
 * and it ends with no record (stats.undone, kvm_ept_sample_undone);
 * otherwise it expires as any other.
 */
#include <linux/hash.h>
#include <linux/vmalloc.h>

#include "ept.h"
#include "trace.h"

static inline u32 ept_hash(u64 base, u8 level)
{
	return hash_64(base ^ ((u64)level << 60), EPT_HASH_BITS);
}

int ept_armed_init(struct ept_session *s)
{
	u32 i;

	s->pool = vzalloc(array_size(EPT_MAX_ARMED, sizeof(*s->pool)));
	s->revisit_gfn = vmalloc(array_size(EPT_REVISIT_MAX, sizeof(u64)));
	s->natural_gfn = vzalloc(array_size(KVM_MAX_VCPUS, sizeof(u64)));
	if (!s->pool || !s->revisit_gfn || !s->natural_gfn)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(s->hash); i++)
		INIT_HLIST_HEAD(&s->hash[i]);
	INIT_LIST_HEAD(&s->armed);
	INIT_LIST_HEAD(&s->free);
	for (i = 0; i < EPT_MAX_ARMED; i++)
		list_add_tail(&s->pool[i].lnode, &s->free);
	return 0;
}

void ept_armed_free(struct ept_session *s)
{
	vfree(s->pool);
	s->pool = NULL;
	vfree(s->revisit_gfn);
	s->revisit_gfn = NULL;
	vfree(s->natural_gfn);
	s->natural_gfn = NULL;
}

#define EPT_CLEAR_BATCH		512

/*
 * Disarm everything (takes arm_lock, a batch at a time). The zapped
 * mappings need no undoing: KVM maps them again on the guest's next access.
 */
void ept_armed_clear(struct ept_session *s)
{
	struct ept_armed *e, *tmp;
	unsigned long flags;
	unsigned int n;

	do {
		n = 0;
		spin_lock_irqsave(&s->arm_lock, flags);
		list_for_each_entry_safe(e, tmp, &s->armed, lnode) {
			if (n++ == EPT_CLEAR_BATCH)
				break;
			ept_armed_release(s, e);
		}
		s->revisit_len = 0;
		spin_unlock_irqrestore(&s->arm_lock, flags);
	} while (n > EPT_CLEAR_BATCH);
	spin_lock_irqsave(&s->arm_lock, flags);
	if (s->natural_gfn)
		memset(s->natural_gfn, 0, s->natural_n * sizeof(u64));
	s->natural_n = 0;
	memset(s->natural_frames, 0, sizeof(s->natural_frames));
	memset(s->natural_regions, 0, sizeof(s->natural_regions));
	spin_unlock_irqrestore(&s->arm_lock, flags);
}

/* The filter bucket of gfn's unit at level (1, 2, 3). */
static u16 *ept_natural_bucket(struct ept_session *s, u64 gfn, u8 level)
{
	if (level == 1)
		return &s->natural_frames[hash_64(gfn, EPT_NATURAL_FRAME_BITS)];
	return &s->natural_regions[level - 2][hash_64(gfn >> ((level - 1) * 9),
						      EPT_NATURAL_REGION_BITS)];
}

static void ept_natural_count(struct ept_session *s, u64 gfn, int d)
{
	u8 level;

	for (level = 1; level <= EPT_MAX_LEVEL; level++)
		*ept_natural_bucket(s, gfn, level) += d;
}

/*
 * vCPU idx took a not-present fault on gfn, which may now be on its way
 * through KVM's MMU (caught or not: a caught frame is armed again when
 * it is revisited); its previous one has left KVM's MMU. Under arm_lock.
 */
void ept_natural_note(struct ept_session *s, int idx, u64 gfn)
{
	u64 *slot;

	if (idx < 0 || idx >= KVM_MAX_VCPUS)
		return;
	slot = &s->natural_gfn[idx];
	if (*slot)
		ept_natural_count(s, *slot - 1, -1);
	*slot = gfn + 1;
	ept_natural_count(s, gfn, 1);
	s->natural_n = max_t(u32, s->natural_n, idx + 1);
}

static struct ept_armed *ept_armed_lookup(struct ept_session *s, u64 base,
					  u8 level)
{
	struct ept_armed *e;

	hlist_for_each_entry(e, &s->hash[ept_hash(base, level)], hnode)
		if (e->base == base && e->level == level)
			return e;
	return NULL;
}

/*
 * Arm a unit unless it (or the pool) says no; flags go into its records.
 * Takes arm_lock.
 */
bool ept_armed_add(struct ept_session *s, u64 base, u8 level, u64 now,
		   u8 unit_flags)
{
	struct ept_armed *e = NULL;
	unsigned long flags;

	spin_lock_irqsave(&s->arm_lock, flags);
	if (!list_empty(&s->free) && !ept_armed_lookup(s, base, level)) {
		e = list_first_entry(&s->free, struct ept_armed, lnode);
		list_move_tail(&e->lnode, &s->armed);
		e->base = base;
		e->level = level;
		e->flags = unit_flags;
		e->t_arm = now;
		e->t_start = now;
		e->suspect = *ept_natural_bucket(s, base, level) != 0;
		hlist_add_head(&e->hnode, &s->hash[ept_hash(base, level)]);
		s->outstanding++;
		s->stats.armed++;
		if (level > 1) {
			s->outstanding_regions++;
			s->stats.regions++;
		}
	}
	/*
	 * Under arm_lock, so that no catch of the unit comes before it; not
	 * for a unit armed already (the walk lapping: no news).
	 */
	if (e || list_empty(&s->free))
		ept_hook_arm_unit(s, s->pid, base, level, now, e);
	if (e)
		trace_kvm_ept_sample_arm(s->pid, base, level, now);
	spin_unlock_irqrestore(&s->arm_lock, flags);
	return e;
}

/*
 * The zap that armed the units of level from first to last (registered at
 * t_arm) returned at now: their delays count from now. A unit caught while
 * the zap ran is gone already, or armed again later with another t_arm.
 */
void ept_armed_started(struct ept_session *s, u64 first, u64 last, u8 level,
		       u64 t_arm, u64 now)
{
	u64 step = ept_unit_pages(level), g;
	struct ept_armed *e;
	unsigned long flags;

	spin_lock_irqsave(&s->arm_lock, flags);
	for (g = first; g <= last; g += step) {
		e = ept_armed_lookup(s, g, level);
		if (e && e->t_arm == t_arm)
			e->t_start = now;
	}
	spin_unlock_irqrestore(&s->arm_lock, flags);
}

/* The armed unit that contains gfn, if any. */
struct ept_armed *ept_armed_find(struct ept_session *s, u64 gfn)
{
	struct ept_armed *e;
	u8 level;

	e = ept_armed_lookup(s, gfn, 1);
	for (level = 2; !e && s->outstanding_regions && level <= EPT_MAX_LEVEL; level++)
		e = ept_armed_lookup(s, gfn & ~(ept_unit_pages(level) - 1), level);
	return e;
}

void ept_armed_release(struct ept_session *s, struct ept_armed *e)
{
	hlist_del(&e->hnode);
	list_move(&e->lnode, &s->free);
	s->outstanding--;
	if (e->level > 1)
		s->outstanding_regions--;
}

/*
 * The expiry record of unit e, which waited the whole expiry without an
 * access: a wait of exactly expire_ns from t_start (type-I censoring, so
 * that every record's delay is at most the expiry), ending then. Under
 * arm_lock; counts it and tells the hook and the tracepoint.
 */
void ept_expiry_record(struct ept_session *s, const struct ept_armed *e,
		       struct kvm_ept_sample_v2 *rec)
{
	u64 wait = READ_ONCE(s->expire_ns), end = e->t_start + wait;

	ept_record_init(rec, e, e->base, end, wait, KVM_EPT_SAMPLE_NO_VCPU, 0);
	rec->flags |= KVM_EPT_SAMPLE_F_EXPIRED;
	s->stats.expired++;
	ept_hook_expire(s, s->pid, e->base, e->level, e->t_arm, end, wait);
	trace_kvm_ept_sample_expire(s->pid, e->base, e->level, e->t_arm, wait);
}

#define EPT_EXPIRE_BATCH	8

/*
 * A suspect unit at its expiry: check outside arm_lock whether a fault
 * already on its way mapped it again. Undone: it goes, with no record.
 * Otherwise it is no longer suspect and expires as any other. Unless it
 * was caught meanwhile. The mmu_lock time counts against the limits.
 */
static void ept_armed_check(struct ept_session *s, struct kvm *kvm,
			    u64 base, u8 level, u64 t_arm)
{
	u64 t0 = ktime_get_ns();
	bool young = ept_age_young(s, kvm, base, base + ept_unit_pages(level));
	struct ept_armed *e;
	unsigned long flags;

	s->limits.time_tokens -= ktime_get_ns() - t0;	/* mmu_lock time */
	spin_lock_irqsave(&s->arm_lock, flags);
	e = ept_armed_lookup(s, base, level);
	if (e && e->t_arm == t_arm) {
		e->suspect = false;
		if (young) {
			s->stats.undone++;
			trace_kvm_ept_sample_undone(s->pid, base, level, t_arm);
			ept_armed_release(s, e);
		}
	}
	spin_unlock_irqrestore(&s->arm_lock, flags);
}

/*
 * Drop units armed longer than the expiry ago, in batches: each batch is
 * taken under arm_lock, then its expiry records (if the reader asked for
 * them, in format 2) go to the buffer under fifo_lock, never both at once.
 * A suspect unit ends a batch, and is checked first.
 */
void ept_armed_expire(struct ept_session *s, struct kvm *kvm, u64 now)
{
	struct kvm_ept_sample_v2 rec[EPT_EXPIRE_BATCH];
	struct ept_armed *e, *tmp;
	unsigned long flags;
	unsigned int n, i;
	bool records = READ_ONCE(s->censored) &&
		       READ_ONCE(s->format) == KVM_EPT_SAMPLE_FORMAT_V2;
	bool check;
	u64 base = 0, t_arm = 0;
	u8 level = 0;

	do {
		n = 0;
		check = false;
		spin_lock_irqsave(&s->arm_lock, flags);
		list_for_each_entry_safe(e, tmp, &s->armed, lnode) {
			if (n == EPT_EXPIRE_BATCH || now - e->t_start < READ_ONCE(s->expire_ns))
				break;
			if (e->suspect) {
				check = true;
				base = e->base;
				level = e->level;
				t_arm = e->t_arm;
				break;
			}
			/* Under arm_lock: no catch of the unit can follow. */
			ept_expiry_record(s, e, &rec[n++]);
			ept_armed_release(s, e);
		}
		spin_unlock_irqrestore(&s->arm_lock, flags);
		for (i = 0; records && i < n; i++)
			ept_buffer_push(s, &rec[i]);
		if (check)
			ept_armed_check(s, kvm, base, level, t_arm);
	} while (n == EPT_EXPIRE_BATCH || check);
}

/*
 * The fault path caught unit e delay_ns after its arming: queue its frame
 * to be armed again if the sweep armed it, it is a 4 KiB frame, and the
 * access came within revisit_ns. A full ring skips the revisit.
 */
void ept_revisit_queue(struct ept_session *s, const struct ept_armed *e,
		       u64 delay_ns)
{
	if (e->level > 1 || (e->flags & KVM_EPT_SAMPLE_F_REVISIT) ||
	    delay_ns >= READ_ONCE(s->revisit_ns) ||
	    s->revisit_len == EPT_REVISIT_MAX)
		return;
	s->revisit_gfn[(s->revisit_head + s->revisit_len) % EPT_REVISIT_MAX] = e->base;
	s->revisit_len++;
}

/* Take up to max queued frames, oldest first. Takes arm_lock. */
u32 ept_revisit_take(struct ept_session *s, u64 *gfn, u32 max)
{
	unsigned long flags;
	u32 n;

	spin_lock_irqsave(&s->arm_lock, flags);
	for (n = 0; n < max && s->revisit_len; n++) {
		gfn[n] = s->revisit_gfn[s->revisit_head];
		s->revisit_head = (s->revisit_head + 1) % EPT_REVISIT_MAX;
		s->revisit_len--;
	}
	spin_unlock_irqrestore(&s->arm_lock, flags);
	return n;
}
