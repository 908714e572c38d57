/* SPDX-License-Identifier: GPL-2.0 */
/*
 * frames.h - what one window of records says about each guest frame, and
 * the rate estimators over it, shared by hotness, wss and heatmap: fault
 * samples and their arming-to-access delays (4 KiB, or a huge region's
 * delay counted for each of its frames), censored waits (expiry
 * records), accessed-bit observations (the module's default mode) and
 * DAMON's region checks. See docs/analysis.md, "Estimators".
 */
#ifndef ANALYSIS_FRAMES_H
#define ANALYSIS_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "damonlog.h"
#include "eptlog.h"
#include "keymap.h"

/* How a frame's rate is estimated from fault samples. */
enum frames_est { FRAMES_EST_AUTO, FRAMES_EST_DELAY, FRAMES_EST_COUNT };
/* Their names, in that order ("auto", "delay", "count"), for opt_choice
 * (--estimator of hotness, placement, tier), NULL-terminated. */
extern const char *const frames_est_names[];

struct frame_obs {
	uint64_t n;		/* usable samples naming the frame */
	uint64_t dsum;		/* ns, of its level-1 samples (and waits) */
	uint64_t ab_obs;	/* accessed-bit observations of it */
	uint64_t ab_touched;	/* of which touched */
	uint64_t ab_isum;	/* ns, the sum of their intervals */
};

/*
 * map: frame number -> entry index i (insertion order); fs[i] its
 * observations. regions: huge region (level << 56 | first frame) -> the
 * sum of the delays of its samples.
 */
struct frames {
	struct keymap map, regions;
	struct frame_obs *fs;
	size_t cap;
	uint64_t samples;	/* all samples (accesses) */
	uint64_t expired;	/* expiry records (censored waits) */
	size_t sampled;		/* frames with at least one access seen */
};

void frames_init(struct frames *w);
void frames_free(struct frames *w);
void frames_clear(struct frames *w);
/* Record sample S under estimator EST (DELAY or COUNT). */
void frames_add(struct frames *w, const struct kvm_ept_sample_v2 *s,
		enum frames_est est);
/* Record a DAMON region observation (hotness -D). */
void frames_add_region(struct frames *w, const struct damon_obs *o);

static inline size_t frames_n(const struct frames *w) { return w->map.n; }
static inline uint64_t frames_gfn(const struct frames *w, size_t i)
{
	return keymap_key_u64(&w->map, i);
}
/* Entry index of GFN, or (size_t)-1. */
static inline size_t frames_find(const struct frames *w, uint64_t gfn)
{
	return keymap_find_u64(&w->map, gfn);
}
/* Accesses seen of entry I (fault samples and touched observations). */
static inline uint64_t frames_accesses(const struct frames *w, size_t i)
{
	return w->fs[i].n + w->fs[i].ab_touched;
}
/*
 * The estimated rate (per second) of entry I, as hotness ranks it: the
 * Bernoulli estimate for a frame seen by accessed bits only (with half
 * an observation each way, so that always and never stay finite), else
 * the delay estimator n / exposure (EST DELAY) or n / SECS (COUNT).
 */
double frames_rate(const struct frames *w, size_t i, enum frames_est est,
		   double secs);
/* What a frame's observations say about its rate, for a model of
 * the rates of many frames (lib/ratemix.c). */
enum frames_kind {
	FRAMES_NONE,		/* no usable observation */
	FRAMES_ABIT,		/* touched k of n intervals of mean length x s */
	FRAMES_FAULT,		/* k accesses over an exposure of x s */
	FRAMES_SEEN,		/* k accesses, no delays (a SystemTap log) */
};
struct frames_stat {
	enum frames_kind kind;
	uint64_t k, n;
	double x;
};
void frames_stat(const struct frames *w, size_t i, struct frames_stat *st);

/* A frame and its estimated rate, as frames_rank ranks them. */
struct ranked {
	uint64_t gfn;
	uint64_t n;		/* accesses seen */
	double rate;		/* per second */
};
/* The frames of W with their rates (frames_rate), highest first, ties by
 * frame number: an array of frames_n(W) entries (at least one
 * allocated), to free. */
struct ranked *frames_rank(const struct frames *w, enum frames_est est,
			   double secs);

#endif
