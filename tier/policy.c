/* SPDX-License-Identifier: GPL-2.0 */
/*
 * policy.c - the temperature policies of eptscope-tier (docs/tier.md):
 *  - rate (the default): the access rate that analysis/hotness estimates
 *    (lib/frames.h), over a sliding window of the last window_s/2 to
 *    window_s seconds (two half-windows, the older one ranked);
 *  - decay: the seed demo's, a temperature that halves every half_life_s
 *    and rises by a weight per sampled access of each type (r, w, x; an
 *    accessed-bit observation that found the frame touched counts as r);
 *  - the baselines, which ignore the samples: oracle, each frame's share
 *    of the guest's accesses in workload/guest's truth (the best a policy
 *    can place), and random, a fixed random order of the frames (what
 *    placing without knowledge gives).
 */
#include <err.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tier.h"

void policy_init(struct policy_state *p, const struct tier_opts *o,
		 uint64_t now)
{
	memset(p, 0, sizeof(*p));
	p->policy = o->policy;
	p->o = o;
	frames_init(&p->win[0]);
	frames_init(&p->win[1]);
	p->start_ns = now;
	p->rotated_ns = now;
	p->last_decay_ns = now;
	if (o->policy != POLICY_ORACLE)
		return;
	if (truth_load(&p->truth, o->truth_path))
		err(2, "--truth %s", o->truth_path);
	if (o->truth_phase >= p->truth.nphases ||
	    !p->truth.phases[o->truth_phase].n)
		errx(2, "--truth %s: no rows for phase %u", o->truth_path,
		     o->truth_phase);
}

void policy_reset(struct policy_state *p)
{
	frames_clear(&p->win[0]);
	frames_clear(&p->win[1]);
}

void policy_free(struct policy_state *p)
{
	frames_free(&p->win[0]);
	frames_free(&p->win[1]);
	if (p->policy == POLICY_ORACLE)
		truth_free(&p->truth);
}

const char *policy_name(enum policy p)
{
	static const char *const names[] = { "rate", "decay", "oracle", "random" };

	return names[p];
}

void policy_add(struct policy_state *p, struct frame_table *f,
		const struct kvm_ept_sample_v2 *s)
{
	int64_t i;
	double w = 0;

	if (p->policy == POLICY_ORACLE || p->policy == POLICY_RANDOM)
		return;			/* the baselines read no samples */
	if (p->policy == POLICY_RATE) {
		frames_add(&p->win[0], s, FRAMES_EST_DELAY);
		frames_add(&p->win[1], s, FRAMES_EST_DELAY);
		return;
	}
	if (s->flags & KVM_EPT_SAMPLE_F_EXPIRED)
		return;			/* not accessed: nothing to add */
	i = memslots_index(&f->ms, s->gfn);
	if (i < 0)
		return;
	if (s->flags & KVM_EPT_SAMPLE_F_ABIT)
		w = p->o->weight[0];
	for (int t = 0; t < 3; t++)
		if (s->xwr & (1u << t) && p->o->weight[t] > w)
			w = p->o->weight[t];
	f->temp[i] += w;
}

/* rate: every frame's estimated rate from the older half-window, which
 * holds between window_s/2 and window_s seconds of records; then the
 * windows rotate once the newer one is half a window old. */
static void rate_update(struct policy_state *p, struct frame_table *f, uint64_t now)
{
	uint64_t half = (uint64_t)(p->o->window_s * 0.5e9);
	struct ranked *r;
	size_t n = frames_n(&p->win[0]);

	memset(f->temp, 0, f->n * sizeof(*f->temp));
	/* Until half a window of records is in, no frame is ranked (all at
	 * 0, so nothing moves): a decision on the first interval's records
	 * alone would be held, wrong, for --hold seconds. */
	if (now - p->start_ns < half)
		return;
	r = frames_rank(&p->win[0], FRAMES_EST_DELAY, 1);
	for (size_t k = 0; k < n; k++) {
		int64_t i = memslots_index(&f->ms, r[k].gfn);

		if (i >= 0)
			f->temp[i] = r[k].rate;
	}
	free(r);
	if (now - p->rotated_ns >= half) {
		struct frames t = p->win[0];

		p->win[0] = p->win[1];
		p->win[1] = t;
		frames_clear(&p->win[1]);
		p->rotated_ns = now;
	}
}

/* random: frame GFN's place in a fixed order, a splitmix64 hash of it
 * and the seed, in [0, 1). */
static double random_rank(uint64_t seed, uint64_t gfn)
{
	uint64_t z = gfn + seed * 0x9e3779b97f4a7c15ULL + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

/* The baselines: the truth's share, or the random order, of each frame. */
static void baseline_update(struct policy_state *p, struct frame_table *f)
{
	for (size_t i = 0; i < f->n; i++) {
		uint64_t gfn = memslots_gfn(&f->ms, i);
		const struct truth_row *row;

		if (p->policy == POLICY_RANDOM) {
			f->temp[i] = random_rank(p->o->seed, gfn);
			continue;
		}
		row = truth_find(&p->truth, p->o->truth_phase, gfn);
		f->temp[i] = row ? row->share : 0;
	}
}

void policy_update(struct policy_state *p, struct frame_table *f, uint64_t now)
{
	double k;

	if (p->policy == POLICY_ORACLE || p->policy == POLICY_RANDOM) {
		baseline_update(p, f);
		return;
	}
	if (p->policy == POLICY_RATE) {
		rate_update(p, f, now);
		return;
	}
	k = exp2(-(double)(now - p->last_decay_ns) / 1e9 / p->o->half_life_s);
	for (size_t i = 0; i < f->n; i++)
		f->temp[i] *= k;
	p->last_decay_ns = now;
}
