/* SPDX-License-Identifier: GPL-2.0 */
/*
 * layout.h - where things live in guest physical memory.
 *
 * One memslot at GPA 0 holds everything.  The data frames (the pattern
 * region, --mem bytes) come first, at gfn 0, so a truth-file gfn is also
 * the frame index.  The "system" area follows: shared page, GDT/TSS, guest
 * code, stacks, sampling tables, page tables, and padding to 2 MiB.
 */
#ifndef WORKLOAD_LAYOUT_H
#define WORKLOAD_LAYOUT_H

#include <stdint.h>
#include <stdio.h>

#define STACK_PAGES	4	/* per vCPU */

struct region {
	const char *kind;
	uint64_t gfn, pages;
};

#define LAYOUT_MAX_REGIONS 12

struct layout {
	uint64_t data_frames;
	uint64_t shared_gfn, shared_pages;
	uint64_t gdt_gfn;
	uint64_t code_gfn, code_pages;
	uint64_t stack_gfn, stack_pages;	/* all vCPUs */
	uint64_t perm_gfn, perm_pages;
	uint64_t alias_gfn, alias_pages;
	uint64_t pml4_gfn, n_as;
	uint64_t pdpt_gfn;
	uint64_t pd_gfn, pd_pages;
	uint64_t pt_gfn, pt_pages;
	uint64_t pad_gfn, pad_pages;
	uint64_t total_frames;			/* slot 0 size in frames */
	struct region regions[LAYOUT_MAX_REGIONS];
	int nregions;
};

int layout_compute(struct layout *l, uint64_t data_frames, int vcpus, int n_as,
		   int need_alias, uint64_t code_bytes);
/* "region kind=K gfn_start=A gfn_end=B" lines, each after `prefix`. */
void layout_print(FILE *f, const struct layout *l, const char *prefix);

#endif
