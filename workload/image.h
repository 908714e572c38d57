/* SPDX-License-Identifier: GPL-2.0 */
/*
 * image.h - fill guest memory before the first KVM_RUN: identity-mapped
 * 4-level page tables (one PML4 per address space), GDT and TSS, the guest
 * code, the sampling tables, the parameters, and a RET in each data frame
 * that execute accesses call.
 */
#ifndef WORKLOAD_IMAGE_H
#define WORKLOAD_IMAGE_H

#include <stdint.h>
#include "layout.h"
#include "opts.h"
#include "pattern.h"

#define TSS_LIMIT	0x67	/* a 64-bit TSS is 104 bytes */

/* The guest code, as linked into this binary (section guest_text). */
extern const uint8_t __start_guest_text[], __stop_guest_text[];
extern const uint8_t guest_exc_stubs[];
extern const uint8_t guest_timer_stub[];
void guest_main(void *shared, uint64_t id);

static inline uint64_t guest_code_size(void)
{
	return (uint64_t)(__stop_guest_text - __start_guest_text);
}

/* Returns the guest RIP of guest_main. */
uint64_t image_build(uint8_t *ram, const struct layout *l,
		     const struct options *o, const struct pattern_model *m,
		     uint64_t tsc_khz);

static inline uint64_t gfn_to_gpa(uint64_t gfn)
{
	return gfn << 12;
}

#endif
