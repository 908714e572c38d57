/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syscheck.h - after a failed run, check that the guest's system area
 * (GDT, IDT, TSSs, code, sampling tables, page tables) still holds what
 * the VMM wrote.  The guest never writes those bytes, so a difference
 * means memory corruption; no difference, with a guest that could not
 * deliver an exception, means the guest saw something else than memory.
 */
#ifndef WORKLOAD_SYSCHECK_H
#define WORKLOAD_SYSCHECK_H

#include <stdint.h>
#include <stdio.h>
#include "layout.h"

/* [gdt, stack), [perm, vring) and [pml4, pad): the vring region of
 * --vhost-net, between them, is written by the guest and by vhost-net. */
#define SYSCHECK_PARTS	3

struct syscheck {
	uint8_t *copy;
	uint64_t gfn[SYSCHECK_PARTS], pages[SYSCHECK_PARTS];
};

/* Snapshot the system area of `ram` (after image_build).  0 or -1. */
int syscheck_init(struct syscheck *c, const uint8_t *ram,
		  const struct layout *l);
/* One line on `f`: intact, or where it first differs and how much. */
void syscheck_report(FILE *f, const struct syscheck *c, const uint8_t *ram,
		     const struct layout *l);
void syscheck_free(struct syscheck *c);

#endif
