/* SPDX-License-Identifier: GPL-2.0 */
/* opts.h - command-line options of workload/guest. */
#ifndef WORKLOAD_OPTS_H
#define WORKLOAD_OPTS_H

#include <stdint.h>
#include <stdio.h>
#include "pattern.h"

enum backing { BACKING_ANON, BACKING_SHARED, BACKING_THP, BACKING_HUGETLB };

struct options {
	uint64_t mem;			/* bytes of pattern (data) memory */
	int vcpus;
	double seconds;
	enum backing backing;
	int node;			/* -1: no binding */
	struct pattern pat;
	struct mix mix;
	int address_spaces;
	double switch_rate;		/* CR3 writes per second per vCPU */
	double pt_writes;		/* PTE rewrites per second per vCPU */
	uint64_t seed;
	const char *truth;		/* NULL: no truth file */
	const char *dirty_log;		/* NULL: no dirty logging */
	int slot_churn;			/* 0 or 1 */
	double churn_ms;		/* interval of slot add / remove */
	int remap;			/* 0 or 1: --remap */
	double remap_ms;		/* interval of remapping a 2 MiB piece */
	int device_slots;		/* 0 or 1: --device-slots */
	int dirty_toggle;		/* 0 or 1: --dirty-toggle */
	double toggle_ms;		/* its half period */
	const char *kvm_dev;
	int dry_run;
	int prefault;			/* host populates guest RAM first */
	int warmup;			/* guest touches its frames first */
	double interval;		/* seconds between tick lines; 0 = none */
	int quiet;			/* no region, tick, statistics lines */
	unsigned batch;
	int fault;			/* GUEST_FAULT_*: exception on purpose */
	int exits;			/* --exits N: known exits of vCPU 0 */
	int halts;			/* --halts N: vCPU 0 halts, woken by its LAPIC */
	const char *name;		/* --name: in the command line only */
	struct {			/* --vhost-net tx=N,rx=M[,stall=K][,detach=K][,start=S] */
		int on;
		unsigned tx, rx, stall;	/* stall 0: never */
		unsigned detach;	/* 0: never */
		double start;		/* seconds into the timed run */
	} vnet;
};

/*
 * Parse argv into *o.  Returns 0 on success, 1 when --help was printed
 * (exit 0), -1 on error (message already printed to stderr).
 */
int parse_options(int argc, char **argv, struct options *o);

const char *backing_name(enum backing b);

/* Parse "256M"-style sizes.  Returns 0, or -1 with *err set. */
int parse_size(const char *s, uint64_t *out, const char **err);

#endif
