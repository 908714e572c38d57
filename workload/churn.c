// SPDX-License-Identifier: GPL-2.0
/*
 * churn.c - a host thread that adds memslot 1 (2 MiB, never touched by the
 * guest, above the RAM slot) and removes it again, every `ms` milliseconds,
 * so tools see memslot changes while the VM runs.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "clock.h"
#include "churn.h"

static void *churn_thread(void *arg)
{
	struct churn *c = arg;

	pthread_setname_np(pthread_self(), "slot-churn");
	while (!c->stop) {
		if (vm_set_slot(c->vm, CHURN_SLOT, c->gpa, CHURN_SIZE, c->hva, 0)) {
			c->failed = 1;
			break;
		}
		c->adds++;
		sleep_ms(c->ms);
		if (vm_set_slot(c->vm, CHURN_SLOT, c->gpa, 0, c->hva, 0)) {
			c->failed = 1;
			break;
		}
		c->removes++;
		if (!c->stop)
			sleep_ms(c->ms);
	}
	return NULL;
}

int churn_start(struct churn *c, struct vm *vm, uint64_t gpa, double ms,
		FILE *out)
{
	memset(c, 0, sizeof(*c));
	c->vm = vm;
	c->gpa = gpa;
	c->ms = ms;
	c->hva = mmap(NULL, CHURN_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->hva == MAP_FAILED) {
		fprintf(stderr, "guest: --slot-churn: mmap: %s\n", strerror(errno));
		return -1;
	}
	fprintf(out, "memslot slot=%d gpa=0x%llx gfn_start=%llu gfn_end=%llu npages=%llu size=%llu hva=%p flags=0x0 backing=anon churn=1 interval_ms=%g\n",
		CHURN_SLOT, (unsigned long long)gpa,
		(unsigned long long)(gpa >> 12),
		(unsigned long long)((gpa + CHURN_SIZE) >> 12),
		(unsigned long long)(CHURN_SIZE >> 12),
		(unsigned long long)CHURN_SIZE, c->hva, ms);
	fflush(out);
	if (pthread_create(&c->thread, NULL, churn_thread, c)) {
		fprintf(stderr, "guest: --slot-churn: cannot start thread\n");
		return -1;
	}
	return 0;
}

void churn_stop(struct churn *c)
{
	c->stop = 1;
	pthread_join(c->thread, NULL);
	munmap(c->hva, CHURN_SIZE);
}
