/* SPDX-License-Identifier: GPL-2.0 */
/* devslots.h - --device-slots: memslots that are not RAM, never touched. */
#ifndef WORKLOAD_DEVSLOTS_H
#define WORKLOAD_DEVSLOTS_H

#include <stdint.h>
#include <stdio.h>
#include "vm.h"

#define DEVSLOT_ROM_SLOT	2
#define DEVSLOT_DEV_SLOT	3

struct devslots {
	void *rom;			/* anonymous, mapped read-only by KVM */
	void *dev;			/* /dev/mem window: VM_IO | VM_PFNMAP */
	uint64_t rom_size, dev_size;
};

/* Add both slots at gpa (and above); prints their memslot lines. */
int devslots_add(struct devslots *d, struct vm *vm, uint64_t gpa, FILE *out);
void devslots_free(struct devslots *d);

#endif
