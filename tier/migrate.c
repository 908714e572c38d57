/* SPDX-License-Identifier: GPL-2.0 */
/*
 * migrate.c - the guest's frame table and its migration: each interval,
 * where every frame is (move_pages, nodes NULL), the plan of lib/plan.h
 * over the frames ranked by temperature, then demotions (coldest first)
 * and promotions (hottest first) through move_pages, within a budget of
 * pages and the fast node's capacity, with anti-thrash (a swap only for a
 * frame well inside the capacity and (1 + tolerance) times as hot; a page
 * moved is not moved again within hold_s), failures counted by errno.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/lib/common.h"
#include "../analysis/lib/numa.h"
#include "../analysis/lib/plan.h"
#include "tier.h"

int frames_sync(struct frames *f, int fd)
{
	struct memslots ms = { 0 };
	int e = memslots_get(fd, &ms);

	if (e)
		return e;
	if (f->ms.n == ms.n && f->n == ms.frames &&
	    !memcmp(f->ms.s, ms.s, ms.n * sizeof(*ms.s))) {
		memslots_free(&ms);
		return 0;
	}
	frames_free(f);
	f->ms = ms;
	f->n = ms.frames;
	f->hva = xcalloc(f->n ? f->n : 1, sizeof(*f->hva));
	f->node = xcalloc(f->n ? f->n : 1, sizeof(*f->node));
	f->temp = xcalloc(f->n ? f->n : 1, sizeof(*f->temp));
	f->moved = xcalloc(f->n ? f->n : 1, sizeof(*f->moved));
	for (size_t i = 0; i < f->n; i++) {
		f->hva[i] = memslots_hva(&f->ms, memslots_gfn(&f->ms, i));
		f->moved[i] = -1;
	}
	return 1;
}

void frames_free(struct frames *f)
{
	memslots_free(&f->ms);
	free(f->hva);
	free(f->node);
	free(f->temp);
	free(f->moved);
	memset(f, 0, sizeof(*f));
}

/* Hottest first; ties by frame (so the ranking is stable). */
static int hot_cmp(const void *a, const void *b)
{
	const struct plan_frame *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate > y->rate ? -1 : 1;
	return x->gfn < y->gfn ? -1 : x->gfn > y->gfn;
}

/* Move the K frames IDX to NODE; count what moved and what failed. */
static uint64_t move_to(const struct tier_opts *o, struct frames *f,
			const size_t *idx, size_t k, int node, int64_t interval,
			struct moves *m)
{
	uint64_t *addr = xcalloc(k ? k : 1, sizeof(*addr));
	int *nodes = xcalloc(k ? k : 1, sizeof(*nodes));
	int *status = xcalloc(k ? k : 1, sizeof(*status));
	uint64_t done = 0;
	int e;

	for (size_t j = 0; j < k; j++) {
		addr[j] = f->hva[idx[j]];
		nodes[j] = node;
	}
	e = numa_move(o->pid, k, addr, nodes, status);
	if (e == -ESRCH)
		m->gone = 1;
	for (size_t j = 0; !e && j < k; j++) {
		if (status[j] == node) {
			done++;
			f->node[idx[j]] = node;
			f->moved[idx[j]] = interval;
		} else {
			int err = status[j] < 0 ? -status[j] : EAGAIN;

			m->failed++;
			m->err[err < (int)ARRAY_SIZE(m->err) ? err : 0]++;
		}
	}
	if (e && !m->gone) {
		m->failed += k;
		m->err[-e < (int)ARRAY_SIZE(m->err) ? -e : 0] += k;
	}
	free(addr);
	free(nodes);
	free(status);
	return done;
}

int migrate(const struct tier_opts *o, struct frames *f, uint64_t budget,
	    int64_t interval, struct moves *m)
{
	int64_t hold = (int64_t)(o->hold_s * 1000 / (double)o->interval_ms);
	struct plan_frame *p = xcalloc(f->n ? f->n : 1, sizeof(*p));
	size_t *up = xcalloc(f->n ? f->n : 1, sizeof(*up));
	size_t *down = xcalloc(f->n ? f->n : 1, sizeof(*down));
	size_t *uprank = xcalloc(f->n ? f->n : 1, sizeof(*uprank));
	size_t nup = 0, ndown = 0, i;
	uint64_t on_fast, need, room;
	struct plan_counts c;
	int e;

	memset(m, 0, sizeof(*m));
	m->capacity = (uint64_t)(o->fast_ratio * (double)f->n);
	e = numa_where(o->pid, f->n, f->hva, f->node);
	if (e) {
		m->gone = e == -ESRCH;
		goto out;
	}
	for (i = 0; i < f->n; i++) {
		p[i].gfn = i;		/* the frame index: sorted with it */
		p[i].hva = f->hva[i];
		p[i].rate = f->temp[i];
		p[i].node = f->node[i];
	}
	qsort(p, f->n, sizeof(*p), hot_cmp);
	plan_decide(p, f->n, o->fast, m->capacity, o->tolerance, &c);
	for (i = 0; i < f->n; i++) {
		size_t k = (size_t)p[i].gfn;

		if (f->moved[k] >= 0 && interval - f->moved[k] < hold)
			continue;	/* moved lately: anti-thrash */
		if (p[i].act == PLAN_PROMOTE) {
			uprank[nup] = i;
			up[nup++] = k;
		}
	}
	for (i = f->n; i-- > 0;) {
		size_t k = (size_t)p[i].gfn;

		if (p[i].act == PLAN_DEMOTE &&
		    !(f->moved[k] >= 0 && interval - f->moved[k] < hold))
			down[ndown++] = k;	/* coldest first */
	}
	on_fast = c.on_fast;
	/* Demote what is over the capacity, and what the promotions beyond
	 * the free room need room for, pairing the hottest candidate with
	 * the coldest frame on the fast node. Anti-thrash: a swap only for a
	 * newcomer that ranks within capacity / (1 + tolerance) and is
	 * (1 + tolerance) times as hot (the frame it displaces ranks beyond
	 * capacity x (1 + tolerance): lib/plan.c), so frames of about the
	 * same rate at the capacity's edge are not swapped to and fro as
	 * their estimates wobble. Then promote into the room there is. */
	room = on_fast < m->capacity ? m->capacity - on_fast : 0;
	need = on_fast > m->capacity ? on_fast - m->capacity : 0;
	for (i = room < nup ? room : nup; i < nup && need < ndown; i++, need++)
		if ((double)uprank[i] * (1 + o->tolerance) >= (double)m->capacity ||
		    !(f->temp[up[i]] > (1 + o->tolerance) * f->temp[down[need]]))
			break;
	if (ndown > need)
		ndown = need;
	if (ndown > budget)
		ndown = budget;
	m->demoted = move_to(o, f, down, ndown, o->slow, interval, m);
	on_fast -= m->demoted;
	room = on_fast < m->capacity ? m->capacity - on_fast : 0;
	if (nup > room)
		nup = room;
	if (nup > budget - ndown)
		nup = budget - ndown;
	if (!m->gone)
		m->promoted = move_to(o, f, up, nup, o->fast, interval, m);
	m->on_fast = on_fast + m->promoted;
out:
	free(p);
	free(up);
	free(down);
	free(uprank);
	return e;
}
