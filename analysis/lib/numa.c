/* SPDX-License-Identifier: GPL-2.0 */
/* numa.c - page placement through move_pages(2) (see numa.h). */
#include "numa.h"

#include <dirent.h>
#include <err.h>
#include <inttypes.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_MF_MOVE	(1 << 1)

int numa_node_exists(int64_t n)
{
	char path[64];

	if (n < 0 || n > 4095)
		return 0;
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%" PRId64, n);
	return access(path, F_OK) == 0;
}

void numa_node_check(int64_t n, const char *what)
{
	if (!numa_node_exists(n))
		errx(2, "%s %" PRId64 ": no such NUMA node on this machine (nodes 0 to %d)",
		     what, n, numa_max_node());
}

int numa_max_node(void)
{
	DIR *d = opendir("/sys/devices/system/node");
	struct dirent *e;
	int max = -1;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "node", 4) && e->d_name[4] >= '0' &&
		    e->d_name[4] <= '9' && atoi(e->d_name + 4) > max)
			max = atoi(e->d_name + 4);
	closedir(d);
	return max;
}

static int batches(int pid, size_t n, const uint64_t *addr, const int *nodes,
		   int *status)
{
	for (size_t i = 0; i < n; i += NUMA_BATCH) {
		size_t k = n - i < NUMA_BATCH ? n - i : NUMA_BATCH;
		void *pages[NUMA_BATCH];
		long r;

		for (size_t j = 0; j < k; j++)
			pages[j] = (void *)(uintptr_t)addr[i + j];
		r = syscall(SYS_move_pages, pid, (unsigned long)k, pages,
			    nodes ? nodes + i : NULL, status + i,
			    nodes ? MPOL_MF_MOVE : 0);
		/* r > 0: pages not moved; their status says why. */
		if (r < 0)
			return -errno;
	}
	return 0;
}

int numa_where(int pid, size_t n, const uint64_t *addr, int *status)
{
	return batches(pid, n, addr, NULL, status);
}

int numa_move(int pid, size_t n, const uint64_t *addr, const int *nodes,
	      int *status)
{
	return batches(pid, n, addr, nodes, status);
}

const char *numa_errname(int e)
{
	const char *s = strerrorname_np(e);

	return s ? s : "E?";
}
