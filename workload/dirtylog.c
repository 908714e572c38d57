// SPDX-License-Identifier: GPL-2.0
/*
 * dirtylog.c - an independent check of what the guest wrote: the memslot is
 * created with KVM_MEM_LOG_DIRTY_PAGES and KVM_GET_DIRTY_LOG is harvested at
 * every phase change (with the vCPUs paused) and at the end.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include "dirtylog.h"

int dirtylog_init(struct dirtylog *d, int vm_fd, uint32_t slot,
		  uint64_t npages, int nphases)
{
	memset(d, 0, sizeof(*d));
	d->vm_fd = vm_fd;
	d->slot = slot;
	d->npages = npages;
	d->nphases = nphases;
	d->words = (npages + 63) / 64;
	d->scratch = calloc(d->words, 8);
	d->phase_bits = calloc(d->words * (uint64_t)nphases, 8);
	if (!d->scratch || !d->phase_bits) {
		fprintf(stderr, "guest: out of memory for the dirty log\n");
		return -1;
	}
	return 0;
}

int dirtylog_harvest(struct dirtylog *d, int phase)
{
	struct kvm_dirty_log log;
	uint64_t *dst, i;

	memset(&log, 0, sizeof(log));
	log.slot = d->slot;
	log.dirty_bitmap = d->scratch;
	memset(d->scratch, 0, d->words * 8);
	if (ioctl(d->vm_fd, KVM_GET_DIRTY_LOG, &log)) {
		fprintf(stderr, "guest: KVM_GET_DIRTY_LOG: %s\n", strerror(errno));
		return -1;
	}
	if (phase < 0) {	/* discard */
		d->discarded++;
		return 0;
	}
	dst = d->phase_bits + (uint64_t)phase * d->words;
	for (i = 0; i < d->words; i++)
		dst[i] |= d->scratch[i];
	d->harvests++;
	return 0;
}

int dirtylog_write(const struct dirtylog *d, const char *path,
		   uint64_t data_frames)
{
	FILE *f = fopen(path, "w");
	uint64_t g, total = 0, data = 0;
	int ph;

	if (!f) {
		fprintf(stderr, "guest: --dirty-log %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (ph = 0; ph < d->nphases; ph++)
		for (g = 0; g < d->npages; g++)
			if (d->phase_bits[ph * d->words + g / 64] >> (g % 64) & 1) {
				total++;
				data += g < data_frames;
			}
	fprintf(f, "# eptscope-dirty v1\n");
	fprintf(f, "# slot=%u gfn_start=0 npages=%llu data_frames=%llu\n", d->slot,
		(unsigned long long)d->npages, (unsigned long long)data_frames);
	fprintf(f, "# phases=%d harvests=%d discarded=%d entries=%llu data_entries=%llu\n",
		d->nphases, d->harvests, d->discarded, (unsigned long long)total,
		(unsigned long long)data);
	fprintf(f, "# columns=gfn phase\n");
	for (ph = 0; ph < d->nphases; ph++)
		for (g = 0; g < d->npages; g++)
			if (d->phase_bits[ph * d->words + g / 64] >> (g % 64) & 1)
				fprintf(f, "%llu %d\n", (unsigned long long)g, ph);
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "guest: --dirty-log %s: write failed\n", path);
		return -1;
	}
	return 0;
}

void dirtylog_free(struct dirtylog *d)
{
	free(d->scratch);
	free(d->phase_bits);
	d->scratch = d->phase_bits = NULL;
}
