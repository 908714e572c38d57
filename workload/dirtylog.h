/* SPDX-License-Identifier: GPL-2.0 */
/* dirtylog.h - collect KVM_GET_DIRTY_LOG bitmaps per phase, write them out. */
#ifndef WORKLOAD_DIRTYLOG_H
#define WORKLOAD_DIRTYLOG_H

#include <stdint.h>

struct dirtylog {
	int vm_fd;
	uint32_t slot;
	uint64_t npages;
	uint64_t words;		/* 64-bit words per bitmap */
	uint64_t *scratch;
	uint64_t *phase_bits;	/* nphases bitmaps, OR of the harvests */
	int nphases;
	int harvests;
	int discarded;		/* harvests thrown away (after --warmup) */
};

int dirtylog_init(struct dirtylog *d, int vm_fd, uint32_t slot,
		  uint64_t npages, int nphases);
/* KVM_GET_DIRTY_LOG (which also clears it) and OR it into `phase`;
 * phase -1 drops it. */
int dirtylog_harvest(struct dirtylog *d, int phase);
int dirtylog_write(const struct dirtylog *d, const char *path,
		   uint64_t data_frames);
void dirtylog_free(struct dirtylog *d);

#endif
