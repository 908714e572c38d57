/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_ratemix.c - libFuzzer target for the estimators behind wss and
 * heatmap (lib/frames.c, lib/ratemix.c): any sample log's records into
 * one window, the rates fitted, each frame's chance of an access within
 * a few thresholds. The mixture's weights must sum to 1, every chance
 * lie in [0, 1] with a variance in [0, 1/4], and every rate be finite
 * and >= 0 (the first byte picks the fault estimator: delay or count).
 */
#include <math.h>
#include <stdlib.h>

#include "../lib/frames.h"
#include "../lib/ratemix.h"
#include "../lib/samples.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const double tau[] = { 1e-4, 0.01, 1, 100 };
	enum frames_est est;
	struct kvm_ept_sample_v2 s;
	struct samples ss;
	struct frames w;
	struct ratemix m;
	const char *why;
	double sum = 0;

	if (!size)
		return 0;
	est = data[0] & 1 ? FRAMES_EST_COUNT : FRAMES_EST_DELAY;
	if (samples_open_mem(&ss, data + 1, size - 1, 0, &why))
		return 0;
	frames_init(&w);
	ratemix_init(&m);
	while (samples_next(&ss, &s))
		frames_add(&w, &s, est);
	samples_close(&ss);
	for (size_t i = 0; i < frames_n(&w); i++) {
		struct frames_stat st;
		double r = frames_rate(&w, i, est, 1.0);

		if (!(r >= 0) || isinf(r))
			abort();
		frames_stat(&w, i, &st);
		if (st.kind != FRAMES_SEEN)
			ratemix_add(&m, &st);
	}
	ratemix_fit(&m);
	for (int j = 0; j < RATEMIX_GRID; j++)
		sum += m.w[j];
	if (fabs(sum - 1) > 1e-6)
		abort();
	for (size_t g = 0; g < m.ng; g++)
		for (size_t k = 0; k < sizeof(tau) / sizeof(tau[0]); k++) {
			double v, p = ratemix_within(&m, g, tau[k], &v);

			if (!(p >= -1e-12 && p <= 1 + 1e-12) ||
			    !(v >= 0 && v <= 0.25 + 1e-12))
				abort();
		}
	ratemix_free(&m);
	frames_free(&w);
	return 0;
}
