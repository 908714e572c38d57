// SPDX-License-Identifier: GPL-2.0
/*
 * remap.c - --remap[=MS]: a host thread that, every MS milliseconds,
 * replaces the mapping of the next 2 MiB of the guest's data frames with a
 * fresh one at the same address (mmap MAP_FIXED: the kernel unmaps the
 * old pages and frees their page tables, then maps new ones), as a VMM
 * that remaps guest RAM does. KVM's MMU notifier drops the old mappings;
 * the guest sees fresh zero pages (anon, thp) or the same file pages
 * (shared). Only data frames are remapped: the guest's code, stacks and
 * page tables stay.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "clock.h"
#include "remap.h"

#define PIECE	(2ULL << 20)

static int remap_piece(struct guest_mem *gm, uint64_t off, uint64_t len)
{
	int prot = PROT_READ | PROT_WRITE;
	void *p;

	if (gm->memfd >= 0)
		p = mmap(gm->hva + off, len, prot, MAP_SHARED | MAP_FIXED,
			 gm->memfd, (off_t)off);
	else
		p = mmap(gm->hva + off, len, prot,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	if (gm->memfd < 0)
		madvise(p, len, MADV_HUGEPAGE);
	return 0;
}

static void *remap_thread(void *arg)
{
	struct remap *r = arg;
	uint64_t off = 0, len;

	pthread_setname_np(pthread_self(), "remap");
	while (!r->stop) {
		sleep_ms(r->ms);
		len = r->data_bytes - off < PIECE ? r->data_bytes - off : PIECE;
		if (remap_piece(r->gm, off, len)) {
			fprintf(stderr, "guest: --remap: mmap: %s\n", strerror(errno));
			r->failed = 1;
			break;
		}
		r->remaps++;
		off = off + len >= r->data_bytes ? 0 : off + len;
	}
	return NULL;
}

int remap_start(struct remap *r, struct guest_mem *gm, uint64_t data_bytes,
		double ms)
{
	memset(r, 0, sizeof(*r));
	r->gm = gm;
	r->data_bytes = data_bytes;
	r->ms = ms;
	if (pthread_create(&r->thread, NULL, remap_thread, r)) {
		fprintf(stderr, "guest: --remap: cannot start thread\n");
		return -1;
	}
	return 0;
}

void remap_stop(struct remap *r)
{
	r->stop = 1;
	pthread_join(r->thread, NULL);
}
