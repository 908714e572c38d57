// SPDX-License-Identifier: GPL-2.0
/*
 * sampler-model.c - a model of fault sampling (not the module's code): what
 * a budget of samples can tell about a hot set (docs/kmod.md, "What a
 * budget of samples can tell").
 *
 * N frames, the first H hot; accesses Poisson, rate p*A/H per hot frame and
 * (1-p)*A/(N-H) per cold one (workload/guest's hotcold pattern at A
 * accesses/s). Each frame is armed S times in the window (S = cap*B*T/N,
 * the fractional part by chance); an arming is caught when the next access
 * comes within the expiry E (delay d), else censored at E. Frames are
 * ranked by n / (sum of delays + sum of waits), ties broken at random, and
 * the top H scored against the truth (precision = recall). For each arming
 * cap (arms per sample) E is bisected so that the catches equal the budget
 * SAMPLES = B*T.
 *
 * Usage: sampler-model N HOT_FRACTION P ACCESSES_PER_S SAMPLES [SEED]
 *   e.g. sampler-model 65536 0.1 0.9 1e6 10000    (the lab's reference guest)
 * Prints the rates, then per cap: S, E, the catches and the precision.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "model.h"

/* One window: returns the precision of the top h; *catches is set. */
static double window(struct frame *f, int n, int h, double lh, double lc,
		     double sweeps, double e, long *catches)
{
	long c = 0;
	int i, j, k;

	for (i = 0; i < n; i++) {
		double lambda = i < h ? lh : lc, sum = 0;
		int got = 0;

		k = (int)sweeps + (uniform() < sweeps - (int)sweeps);
		for (j = 0; j < k; j++) {
			double d = -log(uniform()) / lambda;

			if (d < e) {
				got++;
				sum += d;
			} else {
				sum += e;
			}
		}
		f[i].rate = sum > 0 ? got / sum : 0;
		f[i].hot = i < h;
		c += got;
	}
	*catches = c;
	return top_precision(f, n, h);
}

int main(int argc, char **argv)
{
	static const double caps[] = { 2, 4, 6, 8, 12, 16, 24, 32, 64 };
	double frac, p, a, lh, lc;
	struct frame *f;
	long budget;
	int n, h, c, it;

	if (argc < 6) {
		fprintf(stderr, "usage: sampler-model N HOT_FRACTION P ACCESSES_PER_S SAMPLES [SEED]\n");
		return 2;
	}
	n = atoi(argv[1]);
	frac = atof(argv[2]);
	p = atof(argv[3]);
	a = atof(argv[4]);
	budget = atol(argv[5]);
	if (argc > 6)
		model_rng = strtoull(argv[6], NULL, 0) | 1;
	h = (int)(n * frac);
	if (n < 2 || h < 1 || h >= n || p <= 0 || p >= 1 || a <= 0 || budget < 1) {
		fprintf(stderr, "sampler-model: want N >= 2, 0 < HOT_FRACTION*N < N, 0 < P < 1, rates > 0\n");
		return 2;
	}
	lh = p * a / h;
	lc = (1 - p) * a / (n - h);
	f = malloc(sizeof(*f) * (size_t)n);
	if (!f)
		return 1;
	printf("frames=%d hot=%d hot_rate=%.1f/s cold_rate=%.2f/s samples=%ld\n",
	       n, h, lh, lc, budget);
	for (c = 0; c < (int)(sizeof(caps) / sizeof(caps[0])); c++) {
		double sweeps = caps[c] * budget / n, lo = 1e-5, hi = 10, e = 0, prec = 0;
		long got = 0;

		for (it = 0; it < 30; it++) {
			e = sqrt(lo * hi);
			prec = window(f, n, h, lh, lc, sweeps, e, &got);
			if (got > budget)
				hi = e;
			else
				lo = e;
		}
		printf("cap=%g sweeps=%.2f expire_ms=%.2f catches=%ld precision=%.3f\n",
		       caps[c], sweeps, e * 1000, got, prec);
	}
	free(f);
	return 0;
}
