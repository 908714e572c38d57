// SPDX-License-Identifier: GPL-2.0
/* layout.c - place the data frames and the system area in guest memory. */
#include <string.h>
#include "guest_abi.h"
#include "layout.h"

#define PAGES(bytes) (((bytes) + GUEST_PAGE_SIZE - 1) / GUEST_PAGE_SIZE)
#define ROUND_UP(x, a) (((x) + (a) - 1) / (a) * (a))

static void add_region(struct layout *l, const char *kind, uint64_t gfn,
		       uint64_t pages)
{
	if (!pages || l->nregions >= LAYOUT_MAX_REGIONS)
		return;
	l->regions[l->nregions].kind = kind;
	l->regions[l->nregions].gfn = gfn;
	l->regions[l->nregions].pages = pages;
	l->nregions++;
}

int layout_compute(struct layout *l, uint64_t data_frames, int vcpus, int n_as,
		   int need_alias, uint64_t code_bytes, uint64_t vring_pages)
{
	uint64_t next, pt = 0, pd = 0, total = 0, prev = ~0ULL;

	memset(l, 0, sizeof(*l));
	l->data_frames = data_frames;
	next = data_frames;
	l->shared_gfn = next;
	l->shared_pages = PAGES(sizeof(struct guest_shared));
	next += l->shared_pages;
	l->gdt_gfn = next;
	l->gdt_pages = 1 + PAGES((uint64_t)vcpus * TSS_STRIDE);
	next += l->gdt_pages;
	l->code_gfn = next;
	l->code_pages = PAGES(code_bytes);
	next += l->code_pages;
	l->stack_gfn = next;
	l->stack_pages = (uint64_t)vcpus * VCPU_STACK_PAGES;
	next += l->stack_pages;
	l->perm_gfn = next;
	l->perm_pages = PAGES(data_frames * sizeof(uint32_t));
	next += l->perm_pages;
	l->alias_gfn = next;
	l->alias_pages = need_alias ?
		PAGES(data_frames * sizeof(struct guest_alias)) : 0;
	next += l->alias_pages;
	l->vring_gfn = next;
	l->vring_pages = vring_pages;
	next += l->vring_pages;
	l->pml4_gfn = next;
	l->n_as = (uint64_t)n_as;
	next += l->n_as;
	l->pdpt_gfn = next++;
	l->pd_gfn = next;

	/* The page tables map the whole slot, themselves included. */
	while (total != prev) {
		prev = total;
		total = ROUND_UP(next + pd + pt, 512);
		pt = total / 512;
		pd = (pt + 511) / 512;
	}
	l->pd_pages = pd;
	l->pt_gfn = l->pd_gfn + pd;
	l->pt_pages = pt;
	l->pad_gfn = l->pt_gfn + pt;
	l->total_frames = total;
	l->pad_pages = total - l->pad_gfn;
	if (pd > 512)	/* one PDPT: 512 GiB */
		return -1;

	add_region(l, "data", 0, data_frames);
	add_region(l, "shared", l->shared_gfn, l->shared_pages);
	add_region(l, "gdt", l->gdt_gfn, l->gdt_pages);
	add_region(l, "code", l->code_gfn, l->code_pages);
	add_region(l, "stack", l->stack_gfn, l->stack_pages);
	add_region(l, "perm", l->perm_gfn, l->perm_pages);
	add_region(l, "alias", l->alias_gfn, l->alias_pages);
	add_region(l, "vring", l->vring_gfn, l->vring_pages);
	add_region(l, "pml4", l->pml4_gfn, l->n_as);
	add_region(l, "pdpt", l->pdpt_gfn, 1);
	add_region(l, "pd", l->pd_gfn, l->pd_pages);
	add_region(l, "pt", l->pt_gfn, l->pt_pages);
	add_region(l, "pad", l->pad_gfn, l->pad_pages);
	return 0;
}

void layout_print(FILE *f, const struct layout *l, const char *prefix)
{
	int i;

	for (i = 0; i < l->nregions; i++)
		fprintf(f, "%sregion kind=%s gfn_start=%llu gfn_end=%llu\n", prefix,
			l->regions[i].kind, (unsigned long long)l->regions[i].gfn,
			(unsigned long long)(l->regions[i].gfn + l->regions[i].pages));
}

uint64_t layout_tss_gpa(const struct layout *l, int i)
{
	return (l->gdt_gfn + 1) * GUEST_PAGE_SIZE + (uint64_t)i * TSS_STRIDE;
}

uint64_t layout_stack_top(const struct layout *l, int i)
{
	/* RSP = 8 mod 16, as at the entry of a function that was called. */
	return (l->stack_gfn + (uint64_t)(i + 1) * VCPU_STACK_PAGES) *
	       GUEST_PAGE_SIZE - 8;
}

uint64_t layout_exc_stack_top(const struct layout *l, int i)
{
	return (l->stack_gfn + (uint64_t)i * VCPU_STACK_PAGES +
		EXC_STACK_PAGES) * GUEST_PAGE_SIZE;
}

const char *layout_region_of(const struct layout *l, uint64_t gpa)
{
	uint64_t gfn = gpa / GUEST_PAGE_SIZE;
	int i;

	for (i = 0; i < l->nregions; i++)
		if (gfn >= l->regions[i].gfn &&
		    gfn < l->regions[i].gfn + l->regions[i].pages)
			return l->regions[i].kind;
	return "outside";
}
