// SPDX-License-Identifier: GPL-2.0
/*
 * walk.c - which guest frames the arming walk visits, in which order, and
 * as which unit.
 *
 * The snapshot: the VM's user memslots of address space 0, in gfn order,
 * taken again whenever the memslots generation changes. The walk leaves
 * out, and counts in the statistics:
 *  - read-only slots (ROM, flash in ROM mode) and slots whose VMM mapping
 *    is device memory (VM_IO or VM_PFNMAP: a passed-through BAR): never
 *    armed (skipped_frames);
 *  - dirty-logged slots: arming one would make KVM map the frame writable
 *    on the guest's next read and mark it dirty, so a live migration would
 *    copy frames the guest never wrote. They wait until logging ends
 *    (paused_frames).
 *
 * The order: chunks of s->chunk frames (a power of two, aligned to gfn
 * multiples of it, so a chunk never straddles a huge page), visited with a
 * fixed stride coprime with the chunk count: one sweep visits every chunk
 * once.
 *
 * The unit: a chunk's frames are armed one by one, unless the frame lies in
 * a huge page of the VMM that KVM may map huge too (lpage_info allows it,
 * guest and host addresses are congruent, the region lies in the slot);
 * then the whole region is one unit, armed when the walk visits its first
 * chunk. The host level is read from the VMM's page tables under its
 * mmap_lock (read, trylock) with the VMA looked up first, so neither a
 * racing munmap nor a THP collapse can free the tables under the walk.
 */
#include <linux/gcd.h>
#include <linux/mm.h>
#include <linux/pgtable.h>

#include "ept.h"
#include "trace.h"

void ept_walk_free(struct ept_walk *w)
{
	kvfree(w->slots);
	w->slots = NULL;
	w->nslots = 0;
	w->total = 0;
	w->valid = false;
}

/* What the walk does with a memslot. */
enum ept_slot_kind { EPT_SLOT_ARM, EPT_SLOT_PAUSED, EPT_SLOT_SKIPPED };

static bool ept_device_memory(struct vm_area_struct *vma)
{
	return vma->vm_flags & (VM_IO | VM_PFNMAP);
}

static enum ept_slot_kind ept_slot_kind(struct mm_struct *mm,
					const struct kvm_memory_slot *slot)
{
	struct vm_area_struct *vma;
	bool device = false;

	if (slot->flags & KVM_MEM_READONLY)
		return EPT_SLOT_SKIPPED;
	if (kvm_slot_dirty_track_enabled(slot))
		return EPT_SLOT_PAUSED;
	if (mm) {
		mmap_read_lock(mm);
		vma = vma_lookup(mm, slot->userspace_addr);
		device = vma && ept_device_memory(vma);
		mmap_read_unlock(mm);
	}
	return device ? EPT_SLOT_SKIPPED : EPT_SLOT_ARM;
}

/* Chunks a slot has: aligned blocks of chunk frames that overlap it. */
static u64 ept_slot_chunks(u64 base, u64 npages, u32 chunk)
{
	return (round_up(base + npages, chunk) - round_down(base, chunk)) / chunk;
}

/* Point the walk at a new chunk count, keeping its position. */
static void ept_walk_reorder(struct ept_walk *w, u64 total)
{
	u64 stride;

	if (total == w->total)
		return;
	/* About total * 0.618, then up to the next coprime stride. */
	stride = total ? (total * 618 / 1000) | 1 : 1;
	while (total && gcd(stride, total) != 1)
		stride++;
	w->total = total;
	w->stride = stride;
	w->pos = total ? w->pos % total : 0;
}

/*
 * Take a new snapshot if the memslots changed. Under kvm->srcu; mm is the
 * VMM's (referenced) or NULL. Returns 0, or -ENOMEM (the walk keeps its
 * old snapshot and tries again next round).
 */
int ept_walk_refresh(struct ept_session *s, struct kvm *kvm)
{
	struct kvm_memslots *slots = kvm_memslots(kvm);
	struct ept_walk *w = &s->walk;
	struct kvm_memslot_iter iter;
	struct kvm_memory_slot *slot;
	u64 frames = 0, paused = 0, skipped = 0, total = 0;
	struct mm_struct *mm = NULL;
	struct ept_slot *snap;
	u32 n = 0, cap = 0;

	if (w->valid && slots->generation == w->gen)
		return 0;
	kvm_for_each_memslot_in_gfn_range(&iter, slots, 0, ~0ULL)
		cap++;
	snap = kvmalloc_array(max_t(u32, cap, 1), sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;
	if (mmget_not_zero(kvm->mm))
		mm = kvm->mm;
	kvm_for_each_memslot_in_gfn_range(&iter, slots, 0, ~0ULL) {
		slot = iter.slot;
		if (slot->id >= KVM_USER_MEM_SLOTS ||
		    (slot->flags & KVM_MEMSLOT_INVALID))
			continue;
		frames += slot->npages;
		switch (ept_slot_kind(mm, slot)) {
		case EPT_SLOT_PAUSED:
			paused += slot->npages;
			continue;
		case EPT_SLOT_SKIPPED:
			skipped += slot->npages;
			continue;
		case EPT_SLOT_ARM:
			break;
		}
		snap[n].base_gfn = slot->base_gfn;
		snap[n].npages = slot->npages;
		snap[n].hva = slot->userspace_addr;
		snap[n].chunk_first = total;
		snap[n].nchunks = ept_slot_chunks(slot->base_gfn, slot->npages,
						  w->chunk);
		total += snap[n].nchunks;
		n++;
	}
	if (mm)
		mmput(mm);
	kvfree(w->slots);
	w->slots = snap;
	w->nslots = n;
	w->gen = slots->generation;
	w->valid = true;
	ept_walk_reorder(w, total);
	s->stats.frames = frames;
	s->stats.paused_frames = paused;
	s->stats.skipped_frames = skipped;
	s->stats.slots = n;
	if (paused)
		s->stats.dirty_log++;
	trace_kvm_ept_sample_slots(s->pid, n, frames - paused - skipped, paused,
				   skipped);
	return 0;
}

/*
 * Chunk idx of the walk: its slot, and the frames [*gfn, *end) it covers.
 * NULL when the snapshot has no such chunk.
 */
const struct ept_slot *ept_walk_chunk(struct ept_walk *w, u64 idx, u64 *gfn,
				      u64 *end)
{
	u32 lo = 0, hi = w->nslots, mid;
	const struct ept_slot *slot;
	u64 start;

	while (lo < hi) {		/* the first slot past idx */
		mid = lo + (hi - lo) / 2;
		if (w->slots[mid].chunk_first <= idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	slot = &w->slots[lo - 1];
	if (idx - slot->chunk_first >= slot->nchunks)
		return NULL;
	start = round_down(slot->base_gfn, w->chunk) +
		(idx - slot->chunk_first) * w->chunk;
	*gfn = max(start, slot->base_gfn);
	*end = min(start + w->chunk, slot->base_gfn + slot->npages);
	return slot;
}

/* The snapshot's slot that holds gfn, or NULL. */
const struct ept_slot *ept_walk_slot_of(struct ept_walk *w, u64 gfn)
{
	u32 lo = 0, hi = w->nslots, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (w->slots[mid].base_gfn <= gfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && gfn - w->slots[lo - 1].base_gfn < w->slots[lo - 1].npages)
		return &w->slots[lo - 1];
	return NULL;
}

/*
 * The level at which the VMM maps hva: 1 (4K), 2 (2M) or 3 (1G). Under
 * mmap_read_lock with hva's VMA found: the page tables that map it stay.
 * Each entry is read once; one may turn huge or split meanwhile, and the
 * answer is then one of the two, which only the accuracy can notice.
 */
static u8 ept_host_level(struct mm_struct *mm, unsigned long hva)
{
	pgd_t pgd;
	p4d_t p4d;
	pud_t pud;
	pmd_t pmd;

	pgd = READ_ONCE(*pgd_offset(mm, hva));
	if (pgd_none(pgd) || !pgd_present(pgd))
		return 1;
	p4d = READ_ONCE(*p4d_offset(&pgd, hva));
	if (p4d_none(p4d) || !p4d_present(p4d))
		return 1;
	pud = READ_ONCE(*pud_offset(&p4d, hva));
	if (pud_none(pud) || !pud_present(pud))
		return 1;
	if (pud_leaf(pud))
		return 3;
	pmd = READ_ONCE(*pmd_offset(&pud, hva));
	if (pmd_present(pmd) && pmd_leaf(pmd))
		return 2;
	return 1;
}

/* KVM's own verdict on mapping gfn huge at level (x86 lpage_info). */
static bool ept_kvm_allows(const struct kvm_memory_slot *slot, u64 gfn, u8 level)
{
	u32 shift = KVM_HPAGE_GFN_SHIFT(level);
	u64 idx = (gfn >> shift) - (slot->base_gfn >> shift);

	return !READ_ONCE(slot->arch.lpage_info[level - 2][idx].disallow_lpage);
}

/*
 * The unit that arms gfn (the first frame of a chunk of slot): *level = 1
 * for a 4 KiB frame, 2 or 3 for the huge region that holds it. Under
 * kvm->srcu. Returns 0; -EAGAIN when the VMM's mmap_lock is taken (try
 * again next round); -ENOENT when nothing is mapped there and -ENODEV when
 * it is device memory (skip the chunk).
 */
int ept_walk_level(struct kvm *kvm, struct mm_struct *mm,
		   const struct ept_slot *slot, u64 gfn, u8 *level)
{
	unsigned long hva = slot->hva + ((gfn - slot->base_gfn) << PAGE_SHIFT);
	const struct kvm_memory_slot *ks;
	struct vm_area_struct *vma;
	u64 pages, base;
	int ret = 0;
	u8 l = 1;

	if (!mmap_read_trylock(mm))
		return -EAGAIN;
	vma = vma_lookup(mm, hva);
	if (!vma)
		ret = -ENOENT;
	else if (ept_device_memory(vma))
		ret = -ENODEV;
	else
		l = ept_host_level(mm, hva);
	mmap_read_unlock(mm);
	if (ret)
		return ret;
	ks = l > 1 ? search_memslots(kvm_memslots(kvm), gfn, false) : NULL;
	for (; l > 1; l--) {
		pages = ept_unit_pages(l);
		base = gfn & ~(pages - 1);
		if (ks && ((gfn ^ (hva >> PAGE_SHIFT)) & (pages - 1)) == 0 &&
		    base >= slot->base_gfn &&
		    base + pages <= slot->base_gfn + slot->npages &&
		    ept_kvm_allows(ks, gfn, l))
			break;
	}
	*level = l;
	return 0;
}
