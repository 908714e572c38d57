/* SPDX-License-Identifier: GPL-2.0 */
/* ratemix.c - the fitted mixture of access rates (see ratemix.h). */
#include "ratemix.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define EM_ROUNDS	500
#define EM_TOL		1e-9

void ratemix_init(struct ratemix *m)
{
	memset(m, 0, sizeof(*m));
	keymap_init(&m->keys);
	m->rate[0] = 0;
	for (int i = 1; i < RATEMIX_GRID; i++)
		m->rate[i] = 1e-3 * pow(10, (i - 1) / 8.0);
}

void ratemix_free(struct ratemix *m)
{
	keymap_free(&m->keys);
	free(m->g);
	m->g = NULL;
}

void ratemix_clear(struct ratemix *m)
{
	keymap_clear(&m->keys);
	m->ng = 0;
	m->frames = 0;
}

/* The log-likelihood of observations ST at rate R (per second). */
static double loglik(const struct frames_stat *st, double r)
{
	double k = (double)st->k;

	switch (st->kind) {
	case FRAMES_ABIT:
		/* touched in an interval x with probability 1 - e^(-r x) */
		if (!r)
			return st->k ? -INFINITY : 0;
		return k * log(-expm1(-r * st->x)) -
		       (double)(st->n - st->k) * r * st->x;
	case FRAMES_FAULT:
		/* exponential delays and censored waits over exposure x */
		if (!r)
			return st->k ? -INFINITY : 0;
		return k * log(r) - r * st->x;
	case FRAMES_SEEN:
		/* accessed, no more known: any rate but 0 */
		return r ? 0 : -INFINITY;
	default:
		return 0;
	}
}

size_t ratemix_add(struct ratemix *m, const struct frames_stat *st)
{
	struct { uint64_t kind, k, n; int64_t xb; } key;
	size_t i;

	if (st->kind == FRAMES_NONE)
		return (size_t)-1;
	memset(&key, 0, sizeof(key));
	key.kind = st->kind;
	key.k = st->k;
	key.n = st->n;
	/* intervals and exposures within 0.5% of each other share a group */
	key.xb = st->x > 0 ? (int64_t)floor(log(st->x) * 200) : INT64_MIN;
	i = keymap_get(&m->keys, &key, sizeof(key));
	if (i == m->ng) {
		if (m->ng == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 256;
			m->g = xrealloc(m->g, m->cap * sizeof(*m->g));
		}
		m->g[i].st = *st;
		m->g[i].count = 0;
		for (int j = 0; j < RATEMIX_GRID; j++)
			m->g[i].ll[j] = loglik(st, m->rate[j]);
		m->ng++;
	}
	m->g[i].count++;
	m->frames++;
	return i;
}

/* The posterior over the grid of a frame of group G into POST. */
static void posterior(const struct ratemix *m, const struct ratemix_group *g,
		      double *post)
{
	double top = -INFINITY, sum = 0;

	for (int j = 0; j < RATEMIX_GRID; j++) {
		post[j] = m->w[j] > 0 ? log(m->w[j]) + g->ll[j] : -INFINITY;
		if (post[j] > top)
			top = post[j];
	}
	for (int j = 0; j < RATEMIX_GRID; j++) {
		post[j] = isfinite(post[j]) ? exp(post[j] - top) : 0;
		sum += post[j];
	}
	for (int j = 0; j < RATEMIX_GRID; j++)
		post[j] /= sum;
}

void ratemix_fit(struct ratemix *m)
{
	double post[RATEMIX_GRID], acc[RATEMIX_GRID];

	for (int j = 0; j < RATEMIX_GRID; j++)
		m->w[j] = 1.0 / RATEMIX_GRID;
	if (!m->frames)
		return;
	for (int round = 0; round < EM_ROUNDS; round++) {
		double change = 0;

		memset(acc, 0, sizeof(acc));
		for (size_t i = 0; i < m->ng; i++) {
			posterior(m, &m->g[i], post);
			for (int j = 0; j < RATEMIX_GRID; j++)
				acc[j] += m->g[i].count * post[j];
		}
		for (int j = 0; j < RATEMIX_GRID; j++) {
			double w = acc[j] / m->frames;

			change += fabs(w - m->w[j]);
			m->w[j] = w;
		}
		if (change < EM_TOL)
			break;
	}
}

double ratemix_within(const struct ratemix *m, size_t g, double tau,
		      double *var)
{
	double post[RATEMIX_GRID], p = 0, p2 = 0;

	posterior(m, &m->g[g], post);
	for (int j = 0; j < RATEMIX_GRID; j++) {
		double q = -expm1(-m->rate[j] * tau);

		p += post[j] * q;
		p2 += post[j] * q * q;
	}
	*var = p2 - p * p > 0 ? p2 - p * p : 0;
	return p;
}
