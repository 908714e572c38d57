/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ratemix.h - the distribution of the access rates of a window's frames,
 * as wss estimates it: a discrete mixture over a log grid of rates (0,
 * and 1e-3 to 1e7 per second), its weights the nonparametric maximum
 * likelihood (Kiefer-Wolfowitz), fitted by EM to every frame's
 * observations at once (accessed bits: touched k of n intervals; faults:
 * k accesses over an exposure). The fitted mixture is the prior of each
 * frame's posterior: the chance that the frame is accessed within a
 * threshold, and its variance. Frames with the same observations are
 * one group, so the fit costs groups x grid, not frames x grid.
 */
#ifndef ANALYSIS_RATEMIX_H
#define ANALYSIS_RATEMIX_H

#include <stddef.h>

#include "frames.h"
#include "keymap.h"

#define RATEMIX_GRID	81	/* 0, then 10 decades at 8 a decade */

struct ratemix_group {
	struct frames_stat st;
	double count;			/* frames with these observations */
	double ll[RATEMIX_GRID];	/* log-likelihood at each rate */
};

struct ratemix {
	double rate[RATEMIX_GRID];	/* per second */
	double w[RATEMIX_GRID];		/* the fitted weights */
	struct keymap keys;
	struct ratemix_group *g;
	size_t ng, cap;
	double frames;
};

void ratemix_init(struct ratemix *m);
void ratemix_free(struct ratemix *m);
void ratemix_clear(struct ratemix *m);
/* Count a frame with observations ST; returns its group, or (size_t)-1
 * for a frame with none (FRAMES_NONE). */
size_t ratemix_add(struct ratemix *m, const struct frames_stat *st);
/* Fit the weights to the frames added. */
void ratemix_fit(struct ratemix *m);
/* A frame of group G: the posterior chance of an access within TAU
 * seconds, and its posterior variance in *VAR. */
double ratemix_within(const struct ratemix *m, size_t g, double tau,
		      double *var);

#endif
