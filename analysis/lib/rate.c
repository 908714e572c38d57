/* SPDX-License-Identifier: GPL-2.0 */
/* rate.c - the per-frame access-rate estimator (see rate.h). */
#include "rate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

const char *const estimator_names[] = { "auto", "delay", "count", NULL };

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate > y->rate ? -1 : 1;
	return x->gfn < y->gfn ? -1 : x->gfn > y->gfn;
}

/* The arming unit of a sample: 1 (a 4 KiB frame), 2 (2 MiB) or 3 (1 GiB). */
static unsigned sample_unit_level(const struct kvm_ept_sample_v2 *s)
{
	if (s->level == 2 || s->level == 3)
		return s->level;
	return s->flags & KVM_EPT_SAMPLE_F_HUGE ? 2 : 1;
}

static uint64_t region_key(unsigned level, uint64_t gfn)
{
	uint64_t pages = 1ULL << ((level - 1) * 9);

	return (uint64_t)level << 56 | ((gfn & ~(pages - 1)) &
					((1ULL << 56) - 1));
}

/*
 * Record sample S in W under estimator EST (EST_DELAY or EST_COUNT). An
 * expiry record (eptsample -c) adds its wait to the exposure of its unit,
 * as a censored observation, and no access: the delay estimator becomes
 * n / (sum of delays + sum of censored waits).
 */
static size_t frame_entry(struct window *w, uint64_t gfn)
{
	size_t i = keymap_get_u64(&w->frames, gfn);

	if (i >= w->fcap) {
		w->fcap = w->fcap ? w->fcap * 2 : 1024;
		w->fs = xrealloc(w->fs, w->fcap * sizeof(*w->fs));
	}
	if (i == w->frames.n - 1 && !w->frames.e[i].value) {
		memset(&w->fs[i], 0, sizeof(w->fs[i]));
		w->frames.e[i].value = 1;	/* marks the entry initialised */
	}
	return i;
}

/*
 * An accessed-bit observation (the module's accessed-bit modes): touched
 * within its interval or not. Kept apart from the delays: the frame's rate
 * is then the Bernoulli estimate (window_rank), which intervals of unequal
 * length cannot bias as the delay estimator's midpoints would.
 */
static void window_add_abit(struct window *w, const struct kvm_ept_sample_v2 *s)
{
	int touched = !(s->flags & KVM_EPT_SAMPLE_F_EXPIRED);
	size_t i = frame_entry(w, s->gfn);

	if (touched)
		w->samples++;
	else
		w->expired++;
	w->sampled += touched && !w->fs[i].ab_touched && !w->fs[i].n;
	w->fs[i].ab_obs++;
	w->fs[i].ab_touched += touched;
	w->fs[i].ab_isum += touched ? 2 * s->delay_ns : s->delay_ns;
}

/*
 * A DAMON region observation: each of its frames counts DAMON's checks of
 * the region as its own accessed-bit observations (DAMON's estimate is
 * one per region). The window's samples and expiries count DAMON's checks
 * that found the region accessed, and those that did not.
 */
void window_add_region(struct window *w, const struct damon_obs *o)
{
	if (o->first) {			/* a region split by memslots counts once */
		w->samples += o->accesses;
		w->expired += o->checks - o->accesses;
	}
	for (uint64_t f = 0; f < o->frames; f++) {
		size_t i = frame_entry(w, o->gfn + f);

		w->sampled += o->accesses && !w->fs[i].ab_touched && !w->fs[i].n;
		w->fs[i].ab_obs += o->checks;
		w->fs[i].ab_touched += o->accesses;
		w->fs[i].ab_isum += (uint64_t)o->checks * o->interval_ns;
	}
}

void window_add(struct window *w, const struct kvm_ept_sample_v2 *s,
		       enum estimator est)
{
	int expired = s->flags & KVM_EPT_SAMPLE_F_EXPIRED;
	unsigned level;
	size_t i;

	if (s->flags & KVM_EPT_SAMPLE_F_ABIT) {
		window_add_abit(w, s);
		return;
	}
	if (expired)
		w->expired++;
	else
		w->samples++;
	if (est == EST_DELAY && !s->delay_ns)
		return;			/* no delay: nothing to estimate */
	if (expired && est != EST_DELAY)
		return;
	level = sample_unit_level(s);
	if (level != 1) {
		if (est == EST_DELAY)
			keymap_add_u64(&w->regions, region_key(level, s->gfn),
				       s->delay_ns);
		if (expired)
			return;
	}
	i = frame_entry(w, s->gfn);
	if (!expired) {
		w->sampled += !w->fs[i].n && !w->fs[i].ab_touched;
		w->fs[i].n++;
	}
	if (est == EST_DELAY && level == 1)
		w->fs[i].dsum += s->delay_ns;
}

void window_clear(struct window *w)
{
	keymap_clear(&w->frames);
	keymap_clear(&w->regions);
	w->samples = 0;
	w->expired = 0;
	w->sampled = 0;
}

/* The delay (ns) that frame GFN was exposed for: its own 4 KiB samples'
 * plus those of the huge regions holding it. */
static double frame_exposure(const struct window *w, size_t i, uint64_t gfn)
{
	double d = (double)w->fs[i].dsum;

	if (w->regions.n)
		for (unsigned level = 2; level <= 3; level++) {
			size_t r = keymap_find_u64(&w->regions,
						   region_key(level, gfn));

			if (r != (size_t)-1)
				d += (double)w->regions.e[r].value;
		}
	return d;
}

/* Rank the frames of W: rate per second of each, highest first. */
struct ranked *window_rank(const struct window *w, enum estimator est,
				  double secs)
{
	size_t n = w->frames.n;
	struct ranked *r = xcalloc(n ? n : 1, sizeof(*r));

	for (size_t i = 0; i < n; i++) {
		const struct fstat *f = &w->fs[i];

		r[i].gfn = keymap_key_u64(&w->frames, i);
		r[i].n = f->n + f->ab_touched;
		/* Fault observations, where a frame has them (exact delays);
		 * accessed bits otherwise (a session whose bits saturated went
		 * on by faults, and its early bits say little). */
		if (f->ab_obs && !f->n && !f->dsum) {
			/* Touched with probability 1 - exp(-rate * interval):
			 * the share touched, with half an observation each way
			 * so that always and never stay finite. */
			double q = (f->ab_touched + 0.5) / (f->ab_obs + 1.0);

			r[i].rate = -log(1 - q) * 1e9 * f->ab_obs / (double)f->ab_isum;
		} else if (!r[i].n)
			r[i].rate = 0;	/* armed, expired, never accessed */
		else if (est == EST_DELAY)
			r[i].rate = (double)r[i].n * 1e9 /
				    frame_exposure(w, i, r[i].gfn);
		else
			r[i].rate = (double)r[i].n / secs;
	}
	qsort(r, n, sizeof(*r), ranked_cmp);
	return r;
}

void window_init(struct window *w)
{
	memset(w, 0, sizeof(*w));
	keymap_init(&w->frames);
	keymap_init(&w->regions);
}

void window_free(struct window *w)
{
	keymap_free(&w->frames);
	keymap_free(&w->regions);
	free(w->fs);
	w->fs = NULL;
	w->fcap = 0;
}
