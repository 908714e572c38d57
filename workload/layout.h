/* SPDX-License-Identifier: GPL-2.0 */
/*
 * layout.h - where things live in guest physical memory.
 *
 * One memslot at GPA 0 holds everything.  The data frames (the pattern
 * region, --mem bytes) come first, at gfn 0, so a truth-file gfn is also
 * the frame index.  The "system" area follows: shared page, GDT/IDT/TSSs,
 * guest code, stacks, sampling tables, page tables, and padding to 2 MiB.
 */
#ifndef WORKLOAD_LAYOUT_H
#define WORKLOAD_LAYOUT_H

#include <stdint.h>
#include <stdio.h>

#define STACK_PAGES	4	/* per vCPU: the guest's stack */
#define EXC_STACK_PAGES	1	/* per vCPU, below it: the exception stack */
#define VCPU_STACK_PAGES (EXC_STACK_PAGES + STACK_PAGES)

/*
 * The "gdt" region: page 0 holds the GDT (null, code 0x08, data 0x10, then
 * one 16-byte TSS descriptor per vCPU from selector 0x18) and, at
 * IDT_OFFSET, the IDT.  vCPU i's TSS is at page 1 + i * TSS_STRIDE.
 */
#define IDT_OFFSET	0x800
#define TSS_STRIDE	128
#define TSS_SELECTOR(i)	(0x18 + 16 * (i))

struct region {
	const char *kind;
	uint64_t gfn, pages;
};

#define LAYOUT_MAX_REGIONS 13

struct layout {
	uint64_t data_frames;
	uint64_t shared_gfn, shared_pages;
	uint64_t gdt_gfn, gdt_pages;		/* GDT + IDT page, TSS pages */
	uint64_t code_gfn, code_pages;
	uint64_t stack_gfn, stack_pages;	/* all vCPUs */
	uint64_t perm_gfn, perm_pages;
	uint64_t alias_gfn, alias_pages;
	uint64_t vring_gfn, vring_pages;	/* --vhost-net: rings, buffers */
	uint64_t pml4_gfn, n_as;
	uint64_t pdpt_gfn;
	uint64_t pd_gfn, pd_pages;
	uint64_t pt_gfn, pt_pages;
	uint64_t pad_gfn, pad_pages;
	uint64_t total_frames;			/* slot 0 size in frames */
	struct region regions[LAYOUT_MAX_REGIONS];
	int nregions;
};

/* Guest physical addresses of vCPU i's system state. */
uint64_t layout_tss_gpa(const struct layout *l, int i);
uint64_t layout_stack_top(const struct layout *l, int i);	/* initial RSP */
uint64_t layout_exc_stack_top(const struct layout *l, int i);	/* IST1 */
/* The kind of the region that holds gpa, or "outside". */
const char *layout_region_of(const struct layout *l, uint64_t gpa);

int layout_compute(struct layout *l, uint64_t data_frames, int vcpus, int n_as,
		   int need_alias, uint64_t code_bytes, uint64_t vring_pages);
/* "region kind=K gfn_start=A gfn_end=B" lines, each after `prefix`. */
void layout_print(FILE *f, const struct layout *l, const char *prefix);

/* Whether the PDs have an entry for the 2 MiB past the slot (--exits). */
static inline int layout_has_mmio_page(const struct layout *l)
{
	return l->pt_pages < 512 * l->pd_pages;
}

#endif
