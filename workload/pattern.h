/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pattern.h - access patterns: parsing, the tables the guest samples from,
 * and the exact expected share of every frame (the ground truth).
 */
#ifndef WORKLOAD_PATTERN_H
#define WORKLOAD_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include "guest_abi.h"

enum pat_kind { PAT_UNIFORM, PAT_HOTCOLD, PAT_ZIPF, PAT_SEQ, PAT_PHASES };

struct pattern {
	enum pat_kind kind;
	char spec[256];		/* normalised, e.g. "hotcold:hot=10%,p=0.9" */
	double hot_pct;		/* hotcold, phases: hot fraction in percent */
	double p;		/* hotcold, phases: P(access goes to hot set) */
	int contiguous;		/* hot set (zipf: rank order) is contiguous */
	double s;		/* zipf exponent */
	double cover;		/* zipf: hot set = top ranks covering this */
	double every;		/* phases: seconds per phase */
	int nphases;		/* 1 unless phases */
};

struct mix {
	double r, w, x;		/* percent, sum 100 */
};

int pattern_parse(const char *spec, struct pattern *p, char *err, size_t len);
int mix_parse(const char *spec, struct mix *m, char *err, size_t len);

/* The pattern instantiated for a number of frames and a seed. */
struct pattern_model {
	const struct pattern *pat;
	uint64_t nframes;
	uint64_t nhot;			/* hot frames in each phase */
	uint64_t ncold;
	double p_eff;			/* p, or 1 when there is no cold set */
	uint64_t hot_thr;		/* p_eff scaled by 2^32 */
	uint32_t *perm;			/* slot -> frame */
	uint32_t *inv;			/* frame -> slot */
	struct guest_alias *alias;	/* zipf: alias table (nframes) */
	double *zshare;			/* zipf: share of rank k (0-based) */
	uint64_t phase_off[GUEST_MAX_PHASES];
};

int pattern_build(const struct pattern *p, uint64_t nframes, uint64_t seed,
		  struct pattern_model *m, char *err, size_t len);
void pattern_free(struct pattern_model *m);

/* Expected share of all accesses, and hot-set membership, of a frame. */
void pattern_frame(const struct pattern_model *m, int phase, uint64_t frame,
		   double *share, int *hot);

/* Type thresholds for the guest: rand16 < thr_read: read; < thr_rw: write. */
void mix_thresholds(const struct mix *m, uint32_t *thr_read, uint32_t *thr_rw);

#endif
