// SPDX-License-Identifier: GPL-2.0
/*
 * dirtytoggle.c - --dirty-toggle[=MS]: a host thread that switches KVM
 * dirty logging on slot 0 (the guest's RAM) on for MS ms, then off for MS
 * ms, again and again, as a VMM does when live migrations start and are
 * cancelled. Each window is reported at the end with its CLOCK_MONOTONIC
 * times around both KVM_SET_USER_MEMORY_REGION calls:
 *   dirty_window on_start=.. on_done=.. off_start=.. off_done=..
 * so a test can tell what a sampler did while logging was on. The dirty
 * bitmap itself is not read (see --dirty-log for that).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include "clock.h"
#include "dirtytoggle.h"

static void *toggle_thread(void *arg)
{
	struct dirtytoggle *t = arg;
	unsigned int i;

	pthread_setname_np(pthread_self(), "dirty-toggle");
	while (!t->stop && t->n < DIRTYTOGGLE_MAX) {
		sleep_ms(t->ms);
		if (t->stop)
			break;
		i = t->n;
		t->on_start[i] = mono_ns();
		if (vm_set_slot(t->vm, 0, 0, t->size, t->hva, KVM_MEM_LOG_DIRTY_PAGES))
			goto failed;
		t->on_done[i] = mono_ns();
		sleep_ms(t->ms);
		t->off_start[i] = mono_ns();
		if (vm_set_slot(t->vm, 0, 0, t->size, t->hva, 0))
			goto failed;
		t->off_done[i] = mono_ns();
		t->n++;
	}
	return NULL;
failed:
	t->failed = 1;
	return NULL;
}

int dirtytoggle_start(struct dirtytoggle *t, struct vm *vm, void *hva,
		      uint64_t size, double ms)
{
	memset(t, 0, sizeof(*t));
	t->vm = vm;
	t->hva = hva;
	t->size = size;
	t->ms = ms;
	if (pthread_create(&t->thread, NULL, toggle_thread, t)) {
		fprintf(stderr, "guest: --dirty-toggle: cannot start thread\n");
		return -1;
	}
	return 0;
}

void dirtytoggle_stop(struct dirtytoggle *t, FILE *out)
{
	unsigned int i;

	t->stop = 1;
	pthread_join(t->thread, NULL);
	for (i = 0; i < t->n; i++)
		fprintf(out, "dirty_window on_start=%llu on_done=%llu off_start=%llu off_done=%llu\n",
			(unsigned long long)t->on_start[i],
			(unsigned long long)t->on_done[i],
			(unsigned long long)t->off_start[i],
			(unsigned long long)t->off_done[i]);
	fprintf(out, "dirty_toggle windows=%u failed=%d\n", t->n, t->failed);
}
