// SPDX-License-Identifier: GPL-2.0
/*
 * abit-model.c - a model of accessed-bit sampling (not the module's code):
 * at which interval the bits rank a guest's frames best, and how well the
 * module's adaptive interval (kmod/age.c: 15% to 45% of the units
 * touched) does against that (docs/kmod.md, "Accessed bits: the default
 * mode").
 *
 * The frames and their shares of the accesses come from a workload/guest
 * truth file (phase 0); accesses are Poisson at share * A per second. Each
 * frame is observed K times at an interval I: touched with probability
 * p = 1 - exp(-rate * I). Frames are ranked by their touched share (the
 * order of the Bernoulli rate estimate, ties at random), and the top H
 * (the truth's hot frames) scored against the truth (precision = recall).
 * For each interval it prints the touched share E[p], the spread Var(p)
 * of the touch probabilities, and the precision; then the precision
 * within the module's band of touched shares, at the spread's peak (a
 * target tried and not kept, docs/kmod.md), and the best.
 *
 * Usage: abit-model TRUTH ACCESSES_PER_S OBSERVATIONS [SEED]
 *   e.g. abit-model ref.truth 4.7e6 10      (the reference guest, 10 s)
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/lib/truth.h"
#include "model.h"

/* One interval: the precision of the top h; *touched and *spread set. */
static double interval(struct frame *f, const double *rates, int n, int h,
		       double iv, int k, double *touched, double *spread)
{
	double s1 = 0, s2 = 0;
	int i, j, got;

	for (i = 0; i < n; i++) {
		double p = 1 - exp(-rates[i] * iv);

		s1 += p;
		s2 += p * p;
		for (got = 0, j = 0; j < k; j++)
			got += uniform() < p;
		f[i].rate = got;
	}
	*touched = s1 / n;
	*spread = s2 / n - *touched * *touched;
	return top_precision(f, n, h);
}

int main(int argc, char **argv)
{
	double a, best = -1, best_iv = 0, peak = -1, peak_prec = 0, peak_iv = 0, iv;
	double band_lo = 2, band_hi = -1;
	const struct truth_phase *ph;
	struct truth t = { 0 };
	struct frame *f;
	double *rates;
	int n, h, k;
	size_t i;

	if (argc < 4) {
		fprintf(stderr, "usage: abit-model TRUTH ACCESSES_PER_S OBSERVATIONS [SEED]\n");
		return 2;
	}
	a = atof(argv[2]);
	k = atoi(argv[3]);
	if (argc > 4)
		model_rng = strtoull(argv[4], NULL, 0) | 1;
	if (truth_load(&t, argv[1]) < 0) {
		fprintf(stderr, "abit-model: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (!t.nphases) {
		fprintf(stderr, "abit-model: %s: no frames (not a truth file?)\n", argv[1]);
		return 2;
	}
	ph = &t.phases[0];
	n = (int)ph->n;
	h = (int)ph->nhot;
	if (a <= 0 || k < 1 || h < 1 || h >= n) {
		fprintf(stderr, "abit-model: want ACCESSES_PER_S > 0, OBSERVATIONS >= 1, a truth with hot and cold frames\n");
		return 2;
	}
	f = calloc((size_t)n, sizeof(*f));
	rates = calloc((size_t)n, sizeof(*rates));
	if (!f || !rates)
		return 1;
	printf("frames=%d hot=%d accesses=%g/s observations=%d\n", n, h, a, k);
	for (i = 0; i < ph->n; i++)
		rates[i] = ph->rows[i].share * a;
	for (iv = 0.0001; iv <= 1.0; iv *= 1.5) {
		double touched, spread, prec;

		for (i = 0; i < ph->n; i++)
			f[i].hot = ph->rows[i].hot;
		prec = interval(f, rates, n, h, iv, k, &touched, &spread);
		printf("interval_ms=%.3f touched=%.3f spread=%.4f precision=%.3f\n",
		       iv * 1000, touched, spread, prec);
		if (prec > best) {
			best = prec;
			best_iv = iv;
		}
		if (touched >= 0.15 && touched <= 0.45) {
			band_lo = prec < band_lo ? prec : band_lo;
			band_hi = prec > band_hi ? prec : band_hi;
		}
		if (spread > peak) {
			peak = spread;
			peak_prec = prec;
			peak_iv = iv;
		}
	}
	if (band_hi >= 0)
		printf("band touched=0.15-0.45 precision=%.3f-%.3f\n", band_lo, band_hi);
	else
		printf("band touched=0.15-0.45 not reached\n");
	printf("spread_peak interval_ms=%.3f precision=%.3f\n", peak_iv * 1000, peak_prec);
	printf("best interval_ms=%.3f precision=%.3f\n", best_iv * 1000, best);
	free(f);
	free(rates);
	truth_free(&t);
	return 0;
}
