/* SPDX-License-Identifier: GPL-2.0 */
/*
 * model.h - what the sampler models (sampler-model.c, abit-model.c) share:
 * a seeded uniform random number, and the top-h precision of a ranking
 * with ties broken at random.
 */
#ifndef BENCH_MODEL_H
#define BENCH_MODEL_H

#include <stdlib.h>

struct frame { double rate; int hot; };

static unsigned long long model_rng = 88172645463325252ULL;

/* Uniform in (0, 1) (xorshift64). */
static inline double uniform(void)
{
	model_rng ^= model_rng << 13;
	model_rng ^= model_rng >> 7;
	model_rng ^= model_rng << 17;
	return ((model_rng >> 11) + 0.5) / 9007199254740992.0;
}

static inline int by_rate(const void *a, const void *b)
{
	double x = ((const struct frame *)a)->rate, y = ((const struct frame *)b)->rate;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The share of the h highest-rate frames that are hot (ties at random). */
static inline double top_precision(struct frame *f, int n, int h)
{
	int i, j, hits = 0;

	for (i = n - 1; i > 0; i--) {
		struct frame t;

		j = (int)(uniform() * (i + 1));
		t = f[i];
		f[i] = f[j];
		f[j] = t;
	}
	qsort(f, (size_t)n, sizeof(*f), by_rate);
	for (i = 0; i < h; i++)
		hits += f[i].hot;
	return (double)hits / h;
}

#endif /* BENCH_MODEL_H */
