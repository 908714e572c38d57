/* SPDX-License-Identifier: GPL-2.0 */
/* dirtytoggle.h - --dirty-toggle: switch dirty logging on and off while running. */
#ifndef WORKLOAD_DIRTYTOGGLE_H
#define WORKLOAD_DIRTYTOGGLE_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include "vm.h"

#define DIRTYTOGGLE_MAX	1024

struct dirtytoggle {
	pthread_t thread;
	struct vm *vm;
	uint64_t size;			/* slot 0's size */
	void *hva;
	double ms;
	volatile int stop;
	int failed;
	unsigned int n;			/* windows logged */
	/* CLOCK_MONOTONIC ns: before logging went on, after it was on, before
	 * it went off, after it was off. */
	uint64_t on_start[DIRTYTOGGLE_MAX], on_done[DIRTYTOGGLE_MAX];
	uint64_t off_start[DIRTYTOGGLE_MAX], off_done[DIRTYTOGGLE_MAX];
};

int dirtytoggle_start(struct dirtytoggle *t, struct vm *vm, void *hva,
		      uint64_t size, double ms);
/* Stop (logging ends off) and print one "dirty_window ..." line per window. */
void dirtytoggle_stop(struct dirtytoggle *t, FILE *out);

#endif
