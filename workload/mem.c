// SPDX-License-Identifier: GPL-2.0
/*
 * mem.c - allocate guest RAM (anon, shared memfd, THP, hugetlb) and bind it
 * to a NUMA node with mbind(2), called through syscall(2): no libnuma.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "mem.h"

#define MPOL_BIND_		2
#define MPOL_MF_STRICT_		(1 << 0)
#define MPOL_MF_MOVE_		(1 << 1)
#define HUGE_2M			(2ULL << 20)
#define NODE_BITS		1024

static void online_nodes(char *buf, size_t len)
{
	FILE *f = fopen("/sys/devices/system/node/online", "r");

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

int mem_check_node(int node)
{
	char path[128], online[128];
	struct stat st;

	if (stat("/sys/devices/system/node", &st)) {
		fprintf(stderr, "guest: --node %d: this kernel has no NUMA support "
			"(/sys/devices/system/node is missing)\n", node);
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", node);
	if (stat(path, &st)) {
		online_nodes(online, sizeof(online));
		fprintf(stderr, "guest: --node %d: no such NUMA node (online nodes: %s)\n",
			node, online);
		return -1;
	}
	return 0;
}

int mem_alloc(struct guest_mem *gm, uint64_t size, enum backing b, int node)
{
	int prot = PROT_READ | PROT_WRITE;
	uint8_t *p;

	memset(gm, 0, sizeof(*gm));
	gm->memfd = -1;
	gm->size = size;
	switch (b) {
	case BACKING_ANON:
	case BACKING_THP:
		/* Over-allocate to align to 2 MiB (THP needs it). */
		gm->map_size = size + HUGE_2M;
		gm->map = mmap(NULL, gm->map_size, prot,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	case BACKING_SHARED:
		gm->memfd = memfd_create("eptscope-guest-ram", MFD_CLOEXEC);
		if (gm->memfd < 0) {
			fprintf(stderr, "guest: memfd_create: %s\n", strerror(errno));
			return -1;
		}
		if (ftruncate(gm->memfd, (off_t)size)) {
			fprintf(stderr, "guest: cannot size shared guest RAM to %llu bytes: %s\n",
				(unsigned long long)size, strerror(errno));
			return -1;
		}
		gm->map_size = size;
		gm->map = mmap(NULL, size, prot, MAP_SHARED, gm->memfd, 0);
		break;
	case BACKING_HUGETLB:
		gm->map_size = size;
		gm->map = mmap(NULL, size, prot,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		break;
	}
	if (gm->map == MAP_FAILED) {
		int e = errno;

		gm->map = NULL;
		fprintf(stderr, "guest: cannot map %llu bytes of %s guest RAM: %s\n",
			(unsigned long long)size, backing_name(b), strerror(e));
		if (b == BACKING_HUGETLB)
			fprintf(stderr, "guest: hugetlb needs %llu free 2M huge pages "
				"(see /proc/sys/vm/nr_hugepages)\n",
				(unsigned long long)(size / HUGE_2M));
		return -1;
	}
	p = gm->map;
	if (b == BACKING_ANON || b == BACKING_THP)
		p = (uint8_t *)(((uintptr_t)p + HUGE_2M - 1) & ~(HUGE_2M - 1));
	gm->hva = p;
	if (b == BACKING_THP && madvise(p, size, MADV_HUGEPAGE)) {
		fprintf(stderr, "guest: madvise(MADV_HUGEPAGE): %s "
			"(is transparent_hugepage enabled?)\n", strerror(errno));
		return -1;
	}
	if (b == BACKING_ANON)
		madvise(p, size, MADV_NOHUGEPAGE);	/* 4K, whatever the THP default */

	if (node >= 0) {
		unsigned long mask[NODE_BITS / (8 * sizeof(unsigned long))];

		memset(mask, 0, sizeof(mask));
		mask[node / (8 * sizeof(unsigned long))] |=
			1UL << (node % (8 * sizeof(unsigned long)));
		if (syscall(SYS_mbind, p, size, MPOL_BIND_, mask,
			    (unsigned long)NODE_BITS,
			    MPOL_MF_STRICT_ | MPOL_MF_MOVE_)) {
			fprintf(stderr, "guest: --node %d: mbind: %s\n", node,
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

int mem_prefault(struct guest_mem *gm)
{
	uint64_t off;

	if (!madvise(gm->hva, gm->size, MADV_POPULATE_WRITE))
		return 0;
	if (errno != EINVAL) {
		fprintf(stderr, "guest: cannot populate guest RAM: %s\n",
			strerror(errno));
		return -1;
	}
	/* Kernels before 5.14: write one byte per page (RAM is still zero). */
	for (off = 0; off < gm->size; off += 4096)
		((volatile uint8_t *)gm->hva)[off] = 0;
	return 0;
}

void mem_report_numa(FILE *out, const struct guest_mem *gm, uint64_t bytes,
		     int node)
{
	enum { SAMPLES = 1024 };
	void *pages[SAMPLES];
	int status[SAMPLES], i, n = 0, on = 0, absent = 0, other = 0;
	uint64_t npages = bytes / 4096, step;

	if (!npages)
		return;
	step = npages > SAMPLES ? npages / SAMPLES : 1;
	for (i = 0; i < SAMPLES && (uint64_t)i * step < npages; i++)
		pages[n++] = gm->hva + (uint64_t)i * step * 4096;
	if (syscall(SYS_move_pages, 0, (unsigned long)n, pages, NULL, status, 0)) {
		fprintf(out, "numa node=%d error=%d\n", node, errno);
		return;
	}
	for (i = 0; i < n; i++) {
		if (status[i] == node)
			on++;
		else if (status[i] < 0)
			absent++;
		else
			other++;
	}
	fprintf(out, "numa node=%d sampled=%d on_node=%d other_node=%d not_present=%d\n",
		node, n, on, other, absent);
}

void mem_free(struct guest_mem *gm)
{
	if (gm->map)
		munmap(gm->map, gm->map_size);
	if (gm->memfd >= 0)
		close(gm->memfd);
	gm->map = NULL;
	gm->memfd = -1;
}
