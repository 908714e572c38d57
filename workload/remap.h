/* SPDX-License-Identifier: GPL-2.0 */
/* remap.h - --remap: replace pieces of guest RAM's mapping while running. */
#ifndef WORKLOAD_REMAP_H
#define WORKLOAD_REMAP_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include "mem.h"

struct remap {
	pthread_t thread;
	struct guest_mem *gm;
	uint64_t data_bytes;		/* only the data frames are remapped */
	double ms;
	volatile int stop;
	unsigned long long remaps;
	int failed;
};

int remap_start(struct remap *r, struct guest_mem *gm, uint64_t data_bytes,
		double ms);
void remap_stop(struct remap *r);

#endif
