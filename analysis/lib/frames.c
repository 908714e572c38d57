/* SPDX-License-Identifier: GPL-2.0 */
/* frames.c - per-frame observations of a window and their rate
 * estimators (see frames.h). */
#include "frames.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

void frames_init(struct frames *w)
{
	memset(w, 0, sizeof(*w));
	keymap_init(&w->map);
	keymap_init(&w->regions);
}

void frames_free(struct frames *w)
{
	keymap_free(&w->map);
	keymap_free(&w->regions);
	free(w->fs);
	w->fs = NULL;
	w->cap = 0;
}

void frames_clear(struct frames *w)
{
	keymap_clear(&w->map);
	keymap_clear(&w->regions);
	w->samples = 0;
	w->expired = 0;
	w->sampled = 0;
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

/* The entry of GFN, made (zeroed) if new. */
static size_t frame_entry(struct frames *w, uint64_t gfn)
{
	size_t i = keymap_get_u64(&w->map, gfn);

	if (i >= w->cap) {
		w->cap = w->cap ? w->cap * 2 : 1024;
		w->fs = xrealloc(w->fs, w->cap * sizeof(*w->fs));
	}
	if (i == w->map.n - 1 && !w->map.e[i].value) {
		memset(&w->fs[i], 0, sizeof(w->fs[i]));
		w->map.e[i].value = 1;	/* marks the entry initialised */
	}
	return i;
}

/*
 * An accessed-bit observation (the module's accessed-bit modes): touched
 * within its interval or not. Kept apart from the delays: the frame's rate
 * is then the Bernoulli estimate (frames_rate), which intervals of unequal
 * length cannot bias as the delay estimator's midpoints would.
 */
static void frames_add_abit(struct frames *w, const struct kvm_ept_sample_v2 *s)
{
	int touched = !(s->flags & KVM_EPT_SAMPLE_F_EXPIRED);
	size_t i;

	if (touched)
		w->samples++;
	else
		w->expired++;
	if (!s->delay_ns)
		return;		/* no interval: nothing to estimate */
	i = frame_entry(w, s->gfn);
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
void frames_add_region(struct frames *w, const struct damon_obs *o)
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

/*
 * An expiry record (eptsample -c) adds its wait to the exposure of its
 * unit, as a censored observation, and no access: the delay estimator
 * becomes n / (sum of delays + sum of censored waits).
 */
void frames_add(struct frames *w, const struct kvm_ept_sample_v2 *s,
		enum frames_est est)
{
	int expired = s->flags & KVM_EPT_SAMPLE_F_EXPIRED;
	unsigned level;
	size_t i;

	if (s->flags & KVM_EPT_SAMPLE_F_ABIT) {
		frames_add_abit(w, s);
		return;
	}
	if (expired)
		w->expired++;
	else
		w->samples++;
	if (est == FRAMES_EST_DELAY && !s->delay_ns)
		return;			/* no delay: nothing to estimate */
	if (expired && est != FRAMES_EST_DELAY)
		return;
	level = sample_unit_level(s);
	if (level != 1) {
		if (est == FRAMES_EST_DELAY)
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
	if (est == FRAMES_EST_DELAY && level == 1)
		w->fs[i].dsum += s->delay_ns;
}

/* The delay (ns) that entry I was exposed for: its own 4 KiB samples'
 * plus those of the huge regions holding it. */
static double frame_exposure(const struct frames *w, size_t i)
{
	double d = (double)w->fs[i].dsum;
	uint64_t gfn = frames_gfn(w, i);

	if (w->regions.n)
		for (unsigned level = 2; level <= 3; level++) {
			size_t r = keymap_find_u64(&w->regions,
						   region_key(level, gfn));

			if (r != (size_t)-1)
				d += (double)w->regions.e[r].value;
		}
	return d;
}

/* Fault observations, where a frame has them (exact delays); accessed
 * bits otherwise (a session whose bits saturated went on by faults, and
 * its early bits say little). */
static int abit_only(const struct frame_obs *f)
{
	return f->ab_obs && !f->n && !f->dsum;
}

double frames_rate(const struct frames *w, size_t i, enum frames_est est,
		   double secs)
{
	const struct frame_obs *f = &w->fs[i];
	uint64_t n = f->n + f->ab_touched;

	if (abit_only(f)) {
		/* Touched with probability 1 - exp(-rate * interval): the
		 * share touched, with half an observation each way so that
		 * always and never stay finite. */
		double q = (f->ab_touched + 0.5) / (f->ab_obs + 1.0);

		return -log(1 - q) * 1e9 * f->ab_obs / (double)f->ab_isum;
	}
	if (!n)
		return 0;	/* armed, expired, never accessed */
	if (est == FRAMES_EST_DELAY)
		return (double)n * 1e9 / frame_exposure(w, i);
	return (double)n / secs;
}

void frames_stat(const struct frames *w, size_t i, struct frames_stat *st)
{
	const struct frame_obs *f = &w->fs[i];

	memset(st, 0, sizeof(*st));
	if (abit_only(f)) {
		st->kind = f->ab_isum ? FRAMES_ABIT : FRAMES_NONE;
		st->k = f->ab_touched;
		st->n = f->ab_obs;
		st->x = (double)f->ab_isum / (double)f->ab_obs / 1e9;
		return;
	}
	st->k = f->n;
	st->x = frame_exposure(w, i) / 1e9;
	if (st->x > 0)
		st->kind = FRAMES_FAULT;
	else
		st->kind = f->n ? FRAMES_SEEN : FRAMES_NONE;
}

const char *const frames_est_names[] = { "auto", "delay", "count", NULL };

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate > y->rate ? -1 : 1;
	return x->gfn < y->gfn ? -1 : x->gfn > y->gfn;
}

struct ranked *frames_rank(const struct frames *w, enum frames_est est,
			   double secs)
{
	size_t n = frames_n(w);
	struct ranked *r = xcalloc(n ? n : 1, sizeof(*r));

	for (size_t i = 0; i < n; i++) {
		r[i].gfn = frames_gfn(w, i);
		r[i].n = frames_accesses(w, i);
		r[i].rate = frames_rate(w, i, est, secs);
	}
	qsort(r, n, sizeof(*r), ranked_cmp);
	return r;
}
