/* SPDX-License-Identifier: GPL-2.0 */
/*
 * numa.h - NUMA placement of another process's pages through the raw
 * move_pages(2) system call (no libnuma): where pages are (nodes NULL),
 * and moving them. Shared by placement and tier/.
 */
#ifndef ANALYSIS_NUMA_H
#define ANALYSIS_NUMA_H

#include <stddef.h>
#include <stdint.h>

/* Largest batch handed to one move_pages call. */
#define NUMA_BATCH	512

/* 1 if NUMA node N is online on this machine, else 0. */
int numa_node_exists(int64_t n);
/* A node from an option (WHAT) that must exist here: a usage error
 * (exit 2) naming the nodes there are, if not. */
void numa_node_check(int64_t n, const char *what);
/* The highest node number online (from /sys), or -1. */
int numa_max_node(void);
/*
 * Where the N pages at host addresses ADDR of process PID are: STATUS[i]
 * is the node, or a negative errno (-ENOENT: not present, -EFAULT: not
 * mapped). Batched; 0, or -errno of a failed call (ESRCH: the process is
 * gone, EPERM: not allowed).
 */
int numa_where(int pid, size_t n, const uint64_t *addr, int *status);
/* Move the N pages at ADDR to NODES[i]; STATUS[i] as above, the node
 * reached or a negative errno per page. 0 or -errno of a failed call. */
int numa_move(int pid, size_t n, const uint64_t *addr, const int *nodes,
	      int *status);
/* A short name for errno E (EBUSY, ENOENT, ...). */
const char *numa_errname(int e);

#endif
