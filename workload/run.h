/* SPDX-License-Identifier: GPL-2.0 */
/* run.h - run the vCPU threads and steer the guest (phases, stop). */
#ifndef WORKLOAD_RUN_H
#define WORKLOAD_RUN_H

#include <stdio.h>
#include "dirtylog.h"
#include "opts.h"
#include "vm.h"

/*
 * Start one thread per vCPU, run for o->seconds (changing phases on the
 * way), stop the guest and print the per-vCPU results.  `dl` may be NULL.
 * Returns 0 when every vCPU ended cleanly.
 */
int run_vm(struct vm *vm, struct guest_shared *sh, const struct options *o,
	   struct dirtylog *dl, FILE *out);

#endif
