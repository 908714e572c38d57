// SPDX-License-Identifier: GPL-2.0
/* image.c - build the guest's memory image (see image.h). */
#include <math.h>
#include <string.h>
#include "image.h"

#define PTE_P	(1ULL << 0)
#define PTE_W	(1ULL << 1)
#define PTE_A	(1ULL << 5)
#define PTE_D	(1ULL << 6)
#define PTE_PS	(1ULL << 7)

static uint64_t *table(uint8_t *ram, uint64_t gfn)
{
	return (uint64_t *)(ram + gfn_to_gpa(gfn));
}

/*
 * Identity map of the whole slot with 4 KiB pages.  A and D are set in
 * advance, so the CPU never writes the page tables; only --pt-writes does.
 * All address spaces share the PDPT, PDs and PTs; each has its own PML4.
 * With MMIO_PAGE (--exits), the 2 MiB past the slot, in no memslot, are
 * mapped too, by one large page: the guest's accesses there exit as MMIO.
 */
static void build_page_tables(uint8_t *ram, const struct layout *l, int mmio_page)
{
	const uint64_t upper = PTE_P | PTE_W | PTE_A;
	uint64_t i, *pdpt = table(ram, l->pdpt_gfn);

	for (i = 0; i < l->n_as; i++)
		table(ram, l->pml4_gfn + i)[0] = gfn_to_gpa(l->pdpt_gfn) | upper;
	for (i = 0; i < l->pd_pages; i++)
		pdpt[i] = gfn_to_gpa(l->pd_gfn + i) | upper;
	for (i = 0; i < l->pt_pages; i++)
		table(ram, l->pd_gfn)[i] = gfn_to_gpa(l->pt_gfn + i) | upper;
	for (i = 0; i < l->total_frames; i++)
		table(ram, l->pt_gfn)[i] = gfn_to_gpa(i) | upper | PTE_D;
	if (mmio_page && layout_has_mmio_page(l))
		table(ram, l->pd_gfn)[l->pt_pages] = gfn_to_gpa(l->total_frames) |
						       upper | PTE_PS | PTE_D;
}

/* A 16-byte system descriptor (64-bit TSS) at gdt[idx], gdt[idx + 1]. */
static void set_tss_desc(uint64_t *gdt, int idx, uint64_t base, uint64_t limit)
{
	gdt[idx] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		   (0xbULL << 40) |	/* busy 64-bit TSS, as KVM_SET_SREGS says */
		   (1ULL << 47) | (((limit >> 16) & 0xf) << 48) |
		   (((base >> 24) & 0xff) << 56);
	gdt[idx + 1] = base >> 32;
}

/*
 * GDT (code, data, one TSS per vCPU), the TSSs (IST1 = the vCPU's own
 * exception stack, no I/O bitmap) and the IDT: vectors 0-31 are interrupt
 * gates to the stubs of guest_code.c, all on IST1, so even a fault with a
 * broken RSP reaches its handler; GUEST_TIMER_VECTOR's is guest_timer_stub
 * (--halts), on the interrupted stack (no IST).
 *
 * The timer must not use an IST: QEMU's TCG SVM (7.2, the lab's) can
 * deliver an interrupt that KVM injected through EVENTINJ a second time,
 * when its main loop is kicked before the next #VMEXIT (helper_vmrun
 * leaves exception_index set to the vector).  The second delivery lands on
 * the stub's first instruction.  On an IST it would overwrite the first
 * frame, and the stub's IRETQ would return into the stub forever (seen on
 * a slow host, 4 of 4 runs of --halts 400).  On the interrupted stack the
 * two frames nest, and the extra pass only writes a spare EOI.
 */
static void build_gdt_idt(uint8_t *ram, const struct layout *l, int nvcpus)
{
	uint64_t *gdt = table(ram, l->gdt_gfn);
	uint64_t idt = gfn_to_gpa(l->gdt_gfn) + IDT_OFFSET;
	uint64_t code = gfn_to_gpa(l->code_gfn);
	int i;

	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffULL;	/* 64-bit code, DPL 0 */
	gdt[2] = 0x00cf93000000ffffULL;	/* data, DPL 0 */
	for (i = 0; i < nvcpus; i++) {
		uint64_t tss = layout_tss_gpa(l, i);

		set_tss_desc(gdt, TSS_SELECTOR(i) / 8, tss, TSS_LIMIT);
		memset(ram + tss, 0, TSS_STRIDE);
		*(uint64_t *)(ram + tss + 0x24) = layout_exc_stack_top(l, i);
		*(uint16_t *)(ram + tss + 0x66) = TSS_LIMIT + 1;
	}
	for (i = 0; i < GUEST_IDT_GATES; i++) {
		uint64_t h = code + (i < GUEST_IDT_VECTORS ?
			(uint64_t)(guest_exc_stubs - __start_guest_text) +
			(uint64_t)i * GUEST_EXC_STUB_SIZE :
			(uint64_t)(guest_timer_stub - __start_guest_text));
		uint64_t *g = (uint64_t *)(ram + idt + 16 * (uint64_t)i);

		g[0] = (h & 0xffff) | (0x08ULL << 16) |	/* selector: code */
		       ((uint64_t)(i < GUEST_IDT_VECTORS) << 32) | /* IST1 */
		       (0x8eULL << 40) |		/* present, interrupt gate */
		       (((h >> 16) & 0xffff) << 48);
		g[1] = h >> 32;
	}
}

uint64_t image_build(uint8_t *ram, const struct layout *l,
		     const struct options *o, const struct pattern_model *m,
		     uint64_t tsc_khz)
{
	struct guest_shared *sh = (struct guest_shared *)(ram +
						gfn_to_gpa(l->shared_gfn));
	struct guest_params *p = &sh->params;
	uint64_t f, i, hz = tsc_khz * 1000;

	build_page_tables(ram, l, o->exits > 0);
	build_gdt_idt(ram, l, o->vcpus);
	memcpy(ram + gfn_to_gpa(l->code_gfn), __start_guest_text,
	       guest_code_size());
	memcpy(ram + gfn_to_gpa(l->perm_gfn), m->perm,
	       m->nframes * sizeof(uint32_t));
	if (m->alias)
		memcpy(ram + gfn_to_gpa(l->alias_gfn), m->alias,
		       m->nframes * sizeof(struct guest_alias));

	/* Execute accesses CALL offset 0 of a frame: put a RET there. */
	if (o->mix.x > 0) {
		for (f = 0; f < m->nframes; f++) {
			int ph, used = 0;

			for (ph = 0; ph < o->pat.nphases && !used; ph++) {
				double share;
				int hot;

				pattern_frame(m, ph, f, &share, &hot);
				used = share > 0;
			}
			if (used)
				ram[gfn_to_gpa(f)] = 0xc3;
		}
	}

	memset(sh, 0, sizeof(*sh));
	p->magic = GUEST_MAGIC;
	switch (o->pat.kind) {
	case PAT_ZIPF: p->kind = GUEST_KIND_ZIPF; break;
	case PAT_SEQ: p->kind = GUEST_KIND_SEQ; break;
	default: p->kind = GUEST_KIND_HOTCOLD; break;
	}
	p->nvcpus = (uint32_t)o->vcpus;
	p->data_gva = 0;
	p->nframes = m->nframes;
	p->nhot = m->nhot;
	p->ncold = m->ncold;
	p->hot_thr = m->hot_thr;
	p->perm_gva = gfn_to_gpa(l->perm_gfn);
	p->alias_gva = m->alias ? gfn_to_gpa(l->alias_gfn) : 0;
	mix_thresholds(&o->mix, &p->thr_read, &p->thr_rw);
	p->batch = o->batch;
	p->n_as = (uint32_t)l->n_as;
	p->seed = o->seed;
	p->switch_cycles = o->switch_rate > 0 ?
		(uint64_t)llround((double)hz / o->switch_rate) : 0;
	p->ptw_cycles = o->pt_writes > 0 ?
		(uint64_t)llround((double)hz / o->pt_writes) : 0;
	if (o->switch_rate > 0 && !p->switch_cycles)
		p->switch_cycles = 1;
	if (o->pt_writes > 0 && !p->ptw_cycles)
		p->ptw_cycles = 1;
	p->pte_gva = gfn_to_gpa(l->pt_gfn);
	p->warmup = (uint32_t)o->warmup;
	p->nphases = (uint32_t)o->pat.nphases;
	p->fault = (uint32_t)o->fault;
	p->fault_gva = gfn_to_gpa(l->total_frames);	/* past the slot: unmapped */
	p->exits = (uint32_t)o->exits;
	p->halts = (uint32_t)o->halts;
	p->mmio_gva = o->exits ? gfn_to_gpa(l->total_frames) : 0;
	if (o->vnet.on) {
		static const uint8_t mac[6] = { 0x02, 0x45, 0x50, 0x54, 0x53, 0x01 };

		memset(ram + gfn_to_gpa(l->vring_gfn), 0,
		       l->vring_pages * GUEST_PAGE_SIZE);
		p->vnet.on = 1;
		p->vnet.tx = o->vnet.tx;
		p->vnet.rx = o->vnet.rx;
		p->vnet.stall = o->vnet.stall;
		p->vnet.detach = o->vnet.detach;
		p->vnet.start_cycles = (uint64_t)llround((double)hz * o->vnet.start);
		p->vnet.rekick_cycles = (uint64_t)hz / 100;	/* 10 ms */
		p->vnet.ring_gpa = gfn_to_gpa(l->vring_gfn);
		memcpy(p->vnet.mac, mac, sizeof(mac));
	}
	for (i = 0; i < l->n_as; i++)
		p->cr3[i] = gfn_to_gpa(l->pml4_gfn + i);
	for (i = 0; i < GUEST_MAX_PHASES; i++)
		p->phase_off[i] = m->phase_off[i];

	return gfn_to_gpa(l->code_gfn) +
	       (uint64_t)((const uint8_t *)guest_main - __start_guest_text);
}
