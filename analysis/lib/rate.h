/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rate.h - the access-rate estimator of hotness, shared with placement
 * and tier/: what one window of records has seen per guest frame, and the
 * rate of each frame from it. Fault samples give the delay estimator
 * (samples / sum of arming-to-access delays, expiry records adding
 * censored waits) or the count estimator (samples per second);
 * accessed-bit observations and DAMON regions give the Bernoulli
 * estimate. See docs/analysis.md ("hotness").
 */
#ifndef ANALYSIS_RATE_H
#define ANALYSIS_RATE_H

#include <stddef.h>
#include <stdint.h>

#include "damonlog.h"
#include "eptlog.h"
#include "keymap.h"

enum estimator { EST_AUTO, EST_DELAY, EST_COUNT };
/* Their names, for opt_choice (--estimator). */
extern const char *const estimator_names[];

/*
 * What one window has seen. frames maps a frame number to its entry
 * index i (insertion order); fs[i] holds the frame's samples and the
 * sum of the delays of its 4 KiB samples. regions maps a huge region
 * (level << 56 | first frame) to the sum of the delays of its samples.
 */
struct fstat {
	uint64_t n;		/* usable samples naming the frame */
	uint64_t dsum;		/* ns, of its level-1 samples */
	uint64_t ab_obs;	/* accessed-bit observations of it */
	uint64_t ab_touched;	/* of which touched */
	uint64_t ab_isum;	/* ns, the sum of their intervals */
};

struct window {
	struct keymap frames, regions;
	struct fstat *fs;
	size_t fcap;
	uint64_t samples;	/* all samples in the window */
	uint64_t expired;	/* expiry records (censored waits) */
	size_t sampled;		/* frames with at least one sample */
};

struct ranked {
	uint64_t gfn;
	uint64_t n;
	double rate;		/* per second */
};

void window_init(struct window *w);
void window_free(struct window *w);
/* Record sample (or expiry record, or accessed-bit observation) S in W
 * under estimator EST (EST_DELAY or EST_COUNT). */
void window_add(struct window *w, const struct kvm_ept_sample_v2 *s,
		enum estimator est);
/* A DAMON region observation: its checks count for each of its frames. */
void window_add_region(struct window *w, const struct damon_obs *o);
void window_clear(struct window *w);
/* The frames of W with their rate per second (a window of SECS seconds
 * for the count estimator), highest first, ties by frame number; an
 * array of w->frames.n entries (at least one allocated) to free. */
struct ranked *window_rank(const struct window *w, enum estimator est,
			   double secs);

#endif
