// SPDX-License-Identifier: GPL-2.0
/* syscheck.c - compare the guest's system area with its snapshot. */
#include <stdlib.h>
#include <string.h>
#include "guest_abi.h"
#include "syscheck.h"

int syscheck_init(struct syscheck *c, const uint8_t *ram,
		  const struct layout *l)
{
	uint64_t off = 0;
	int k;

	c->gfn[0] = l->gdt_gfn;
	c->pages[0] = l->stack_gfn - l->gdt_gfn;	/* gdt, code */
	c->gfn[1] = l->perm_gfn;
	c->pages[1] = l->vring_gfn - l->perm_gfn;	/* perm, alias */
	c->gfn[2] = l->pml4_gfn;
	c->pages[2] = l->pad_gfn - l->pml4_gfn;		/* pml4 .. pt */
	c->copy = malloc((c->pages[0] + c->pages[1] + c->pages[2]) *
			 GUEST_PAGE_SIZE);
	if (!c->copy)
		return -1;
	for (k = 0; k < SYSCHECK_PARTS; k++) {
		memcpy(c->copy + off, ram + c->gfn[k] * GUEST_PAGE_SIZE,
		       c->pages[k] * GUEST_PAGE_SIZE);
		off += c->pages[k] * GUEST_PAGE_SIZE;
	}
	return 0;
}

void syscheck_report(FILE *f, const struct syscheck *c, const uint8_t *ram,
		     const struct layout *l)
{
	uint64_t off = 0, ndiff = 0, first = ~0ULL, total = 0, i;
	uint8_t was = 0, now = 0;
	int k;

	if (!c->copy)
		return;
	for (k = 0; k < SYSCHECK_PARTS; k++) {
		const uint8_t *cur = ram + c->gfn[k] * GUEST_PAGE_SIZE;
		uint64_t len = c->pages[k] * GUEST_PAGE_SIZE;

		for (i = 0; i < len; i++) {
			if (cur[i] == c->copy[off + i])
				continue;
			if (!ndiff++) {
				first = c->gfn[k] * GUEST_PAGE_SIZE + i;
				was = c->copy[off + i];
				now = cur[i];
			}
		}
		off += len;
		total += c->pages[k];
	}
	if (!ndiff)
		fprintf(f, "guest: system area check: intact (%llu pages of GDT, IDT, TSSs, code, tables and page tables as the VMM wrote them)\n",
			(unsigned long long)total);
	else
		fprintf(f, "guest: system area check: %llu bytes changed, first at gpa 0x%llx (%s): 0x%02x -> 0x%02x\n",
			(unsigned long long)ndiff, (unsigned long long)first,
			layout_region_of(l, first), was, now);
}

void syscheck_free(struct syscheck *c)
{
	free(c->copy);
	c->copy = NULL;
}
