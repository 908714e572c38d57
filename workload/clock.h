/* SPDX-License-Identifier: GPL-2.0 */
/* clock.h - the host threads' clock: CLOCK_MONOTONIC now, and sleeping ms. */
#ifndef WORKLOAD_CLOCK_H
#define WORKLOAD_CLOCK_H

#include <errno.h>
#include <stdint.h>
#include <time.h>

static inline uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Sleep ms milliseconds, through signals. */
static inline void sleep_ms(double ms)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ms / 1000),
		.tv_nsec = (long)((ms - (double)(time_t)(ms / 1000) * 1000) * 1e6),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

#endif
