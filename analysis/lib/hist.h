/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hist.h - integer histograms with SystemTap's bucket rules, and their
 * output: text in the style of @hist_log / @hist_linear, or gnuplot-ready
 * data (plots: plot.h).
 *
 * log2: buckets 0, 1, 2, 4, 8, ... and -1, -2, -4, ... for negatives;
 *       the bucket labelled 2^k holds [2^k, 2^(k+1)).
 * linear MIN,MAX,WIDTH: buckets MIN, MIN+WIDTH, ... up to the one
 *       holding MAX, plus "<MIN" (underflow) and ">LAST" (overflow),
 *       as SystemTap does.
 */
#ifndef ANALYSIS_HIST_H
#define ANALYSIS_HIST_H

#include <stdint.h>
#include <stdio.h>

#include "common.h"

enum hist_type { HIST_LOG2, HIST_LINEAR };

#define HIST_LOG2_BUCKETS	128	/* 64 negative, zero, 63 positive */
#define HIST_LOG2_ZERO		64
#define HIST_LINEAR_MAX		(1u << 22)	/* buckets */

struct hist {
	enum hist_type type;
	int64_t lo, hi, width;	/* linear parameters */
	uint64_t span;		/* linear: (last bucket start - lo) + width - 1 */
	uint64_t recip;		/* linear: ceil(2^64 / width) when usable */
	size_t nb;		/* buckets (linear: regular + 2) */
	uint64_t *b;
	uint64_t count;
	int64_t min, max;
	__int128 sum;
};

void hist_init_log2(struct hist *h);
/* NULL on success, else why the parameters are unusable. */
const char *hist_init_linear(struct hist *h, int64_t lo, int64_t hi,
			     int64_t width);
/* An empty histogram with the buckets of SRC. */
void hist_init_like(struct hist *h, const struct hist *src);
void hist_free(struct hist *h);

static always_inline size_t hist_index(const struct hist *h, int64_t v)
{
	if (h->type == HIST_LOG2) {
		if (v > 0)
			return HIST_LOG2_ZERO + 1 +
			       (size_t)(63 - __builtin_clzll((uint64_t)v));
		if (v == 0)
			return HIST_LOG2_ZERO;
		return (size_t)__builtin_clzll(0 - (uint64_t)v);
	}
	if (v < h->lo)
		return 0;
	{
		uint64_t x = (uint64_t)v - (uint64_t)h->lo;

		if (x > h->span)
			return h->nb - 1;
		/* x < 2^32 and width <= 2^32 here when recip is set: the
		 * multiply by the rounded-up reciprocal is exact. */
		if (likely(h->recip))
			return (size_t)(((unsigned __int128)x * h->recip) >>
					64) + 1;
		return (size_t)(x / (uint64_t)h->width) + 1;
	}
}

static always_inline void hist_add(struct hist *h, int64_t v, uint64_t n)
{
	h->b[hist_index(h, v)] += n;
	if (!h->count || v < h->min)
		h->min = v;
	if (!h->count || v > h->max)
		h->max = v;
	h->count += n;
	h->sum += (__int128)v * n;
}

/* A summary (count, sum, min, max) gathered apart, e.g. in registers
 * by a hot loop that increments the buckets itself. */
struct hist_acc {
	int64_t min, max;
	uint64_t count;
	__int128 sum;
};

/* Fold A into H (A may be empty). */
static inline void hist_acc_fold(struct hist *h, const struct hist_acc *a)
{
	if (!a->count)
		return;
	if (!h->count || a->min < h->min)
		h->min = a->min;
	if (!h->count || a->max > h->max)
		h->max = a->max;
	h->count += a->count;
	h->sum += a->sum;
}

/* Add SRC (same type and parameters) into DST. */
void hist_merge(struct hist *dst, const struct hist *src);

/* One printed row: a label and a count. */
struct bar {
	const char *label;
	uint64_t count;
};

/* The rows to show for H (data range plus up to two empty rows on each
 * side, as SystemTap does). *labels must be freed. */
size_t hist_bars(const struct hist *h, struct bar **bars, char **labels);

/* Print rows as SystemTap does: header, '@' bars scaled to 50 columns,
 * counts; runs of empty rows elided to "~" when ELIDE is set. */
void bars_print(FILE *f, const struct bar *b, size_t n, int elide);
/* Write rows as gnuplot-ready data: "label count" (labels quoted). */
void bars_data(FILE *f, const struct bar *b, size_t n);

/* "count=N sum=S min=A max=B avg=C" summary line, '#'-prefixed. */
void hist_print_summary(FILE *f, const struct hist *h);
/* Gnuplot-ready data with numeric bucket bounds: "low high count";
 * underflow and overflow as comments. */
void hist_print_data(FILE *f, const struct hist *h);

#endif
