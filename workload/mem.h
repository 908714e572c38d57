/* SPDX-License-Identifier: GPL-2.0 */
/* mem.h - guest RAM: backing kinds and NUMA binding (raw syscalls). */
#ifndef WORKLOAD_MEM_H
#define WORKLOAD_MEM_H

#include <stdint.h>
#include <stdio.h>
#include "opts.h"

struct guest_mem {
	uint8_t *hva;		/* start of guest RAM, 2 MiB aligned */
	uint64_t size;
	void *map;		/* what to munmap */
	uint64_t map_size;
	int memfd;		/* shared backing, else -1 */
};

/* 0 if NUMA node `node` exists; else prints why not and returns -1. */
int mem_check_node(int node);
int mem_alloc(struct guest_mem *gm, uint64_t size, enum backing b, int node);
/* Populate all of guest RAM for writing (MADV_POPULATE_WRITE, or touch). */
int mem_prefault(struct guest_mem *gm);
/* Sample page placement (move_pages query) and print "numa ..." lines. */
void mem_report_numa(FILE *out, const struct guest_mem *gm, uint64_t bytes,
		     int node);
void mem_free(struct guest_mem *gm);

#endif
