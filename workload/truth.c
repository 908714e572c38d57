// SPDX-License-Identifier: GPL-2.0
/*
 * truth.c - the ground truth: for each data frame and phase, its expected
 * share of all guest accesses and whether it is in the hot set.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "truth.h"

int truth_write(const char *path, const struct options *o,
		const struct pattern_model *m, const struct layout *l)
{
	FILE *f = fopen(path, "w");
	uint64_t g;
	int ph, i;

	if (!f) {
		fprintf(stderr, "guest: --truth %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "# eptscope-truth v1\n");
	fprintf(f, "# pattern=%s\n", o->pat.spec);
	fprintf(f, "# mix=r=%g,w=%g,x=%g\n", o->mix.r, o->mix.w, o->mix.x);
	fprintf(f, "# seed=%llu\n", (unsigned long long)o->seed);
	fprintf(f, "# vcpus=%d\n", o->vcpus);
	fprintf(f, "# page_size=%llu\n", (unsigned long long)GUEST_PAGE_SIZE);
	fprintf(f, "# data_gfn_start=0\n");
	fprintf(f, "# data_frames=%llu\n", (unsigned long long)m->nframes);
	fprintf(f, "# slot_frames=%llu\n", (unsigned long long)l->total_frames);
	fprintf(f, "# phases=%d\n", o->pat.nphases);
	fprintf(f, "# phase_seconds=%g\n",
		o->pat.kind == PAT_PHASES ? o->pat.every : 0.0);
	fprintf(f, "# hot_frames=%llu\n", (unsigned long long)m->nhot);
	for (ph = 0; ph < o->pat.nphases; ph++) {
		double hs = 0, share;
		int hot;

		for (g = 0; g < m->nframes; g++) {
			pattern_frame(m, ph, g, &share, &hot);
			if (hot)
				hs += share;
		}
		fprintf(f, "# phase=%d hot_frames=%llu hot_share=%.9g\n", ph,
			(unsigned long long)m->nhot, hs);
	}
	for (i = 1; i < l->nregions; i++)
		fprintf(f, "# sys kind=%s gfn_start=%llu gfn_end=%llu\n",
			l->regions[i].kind, (unsigned long long)l->regions[i].gfn,
			(unsigned long long)(l->regions[i].gfn + l->regions[i].pages));
	fprintf(f, "# columns=gfn phase share hot\n");
	for (ph = 0; ph < o->pat.nphases; ph++) {
		for (g = 0; g < m->nframes; g++) {
			double share;
			int hot;

			pattern_frame(m, ph, g, &share, &hot);
			fprintf(f, "%llu %d %.12g %d\n", (unsigned long long)g, ph,
				share, hot);
		}
	}
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "guest: --truth %s: write failed: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}
