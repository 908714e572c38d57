/* SPDX-License-Identifier: GPL-2.0 */
/* churn.h - --slot-churn: add and remove an extra memslot while running. */
#ifndef WORKLOAD_CHURN_H
#define WORKLOAD_CHURN_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include "vm.h"

#define CHURN_SLOT	1
#define CHURN_SIZE	(2ULL << 20)

struct churn {
	struct vm *vm;
	uint64_t gpa;
	void *hva;
	double ms;
	pthread_t thread;
	volatile int stop;
	uint64_t adds, removes;
	int failed;
};

/* Print the extra slot's "memslot ..." line, then start the thread. */
int churn_start(struct churn *c, struct vm *vm, uint64_t gpa, double ms,
		FILE *out);
void churn_stop(struct churn *c);

#endif
