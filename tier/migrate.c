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

/* Does the VMA of PID holding HVA have huge pages (transparent or
 * hugetlb)? From /proc/PID/smaps; 0 when it cannot tell. */
static int vma_huge(int pid, uint64_t hva)
{
	char path[64], line[512];
	int in = 0, huge = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	fp = fopen(path, "re");
	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		unsigned long lo, hi, kb;
		char perms[5];

		/* A VMA's first line: "start-end perms offset dev inode path". */
		if (sscanf(line, "%lx-%lx %4s ", &lo, &hi, perms) == 3) {
			if (in)
				break;
			in = hva >= lo && hva < hi;
		} else if (in && ((sscanf(line, "AnonHugePages: %lu kB", &kb) == 1 && kb) ||
				  (sscanf(line, "KernelPageSize: %lu kB", &kb) == 1 &&
				   kb >= 2048))) {
			huge = 1;
		}
	}
	fclose(fp);
	return huge;
}

/* The units: frames alone, or the 2 MiB-aligned regions of each slot. */
static void table_units(struct frame_table *f, const struct tier_opts *o)
{
	int huge = o->huge == HUGE_ON;
	size_t i = 0;

	for (size_t k = 0; o->huge == HUGE_AUTO && !huge && k < f->ms.n; k++)
		huge = vma_huge(o->pid, f->ms.s[k].hva);
	f->unit = huge ? REGION_FRAMES : 1;
	f->ustart = xcalloc(f->n ? f->n : 1, sizeof(*f->ustart));
	f->ulen = xcalloc(f->n ? f->n : 1, sizeof(*f->ulen));
	f->nu = 0;
	for (size_t k = 0; k < f->ms.n; k++) {
		uint64_t gfn = f->ms.s[k].gpa >> 12, end = gfn + f->ms.s[k].page_count;

		while (gfn < end) {
			uint64_t next = (gfn / f->unit + 1) * f->unit;

			if (next > end)
				next = end;
			f->ustart[f->nu] = i;
			f->ulen[f->nu++] = (uint32_t)(next - gfn);
			i += next - gfn;
			gfn = next;
		}
	}
}

int table_sync(struct frame_table *f, int fd, const struct tier_opts *o)
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
	table_free(f);
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
	table_units(f, o);
	return 1;
}

void table_free(struct frame_table *f)
{
	memslots_free(&f->ms);
	free(f->hva);
	free(f->node);
	free(f->temp);
	free(f->moved);
	free(f->ustart);
	free(f->ulen);
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

/* Move the K units IDX to NODE; the pages moved (of units that were not
 * there: a unit's pages already on NODE count too), and those that failed
 * by errno. */
static uint64_t move_to(const struct tier_opts *o, struct frame_table *f,
			const size_t *idx, size_t k, int node, int64_t interval,
			struct moves *m)
{
	size_t pages = 0, j, q;
	uint64_t *addr, done = 0;
	int *nodes, *status, e;

	for (j = 0; j < k; j++)
		pages += f->ulen[idx[j]];
	addr = xcalloc(pages ? pages : 1, sizeof(*addr));
	nodes = xcalloc(pages ? pages : 1, sizeof(*nodes));
	status = xcalloc(pages ? pages : 1, sizeof(*status));
	for (j = 0, q = 0; j < k; j++)
		for (uint32_t l = 0; l < f->ulen[idx[j]]; l++, q++) {
			addr[q] = f->hva[f->ustart[idx[j]] + l];
			nodes[q] = node;
		}
	e = numa_move(o->pid, pages, addr, nodes, status);
	if (e == -ESRCH)
		m->gone = 1;
	for (j = 0, q = 0; !e && j < k; j++)
		for (uint32_t l = 0; l < f->ulen[idx[j]]; l++, q++) {
			size_t i = f->ustart[idx[j]] + l;

			if (status[q] == node) {
				done++;
				f->node[i] = node;
				f->moved[i] = interval;
			} else {
				int err = status[q] < 0 ? -status[q] : EAGAIN;

				m->failed++;
				m->err[err < (int)ARRAY_SIZE(m->err) ? err : 0]++;
			}
		}
	if (e && !m->gone) {
		m->failed += pages;
		m->err[-e < (int)ARRAY_SIZE(m->err) ? -e : 0] += pages;
	}
	free(addr);
	free(nodes);
	free(status);
	return done;
}

/* Unit U as the plan sees it: the sum of its frames' temperatures, the
 * node of its first present frame. */
static void unit_view(const struct frame_table *f, size_t u, struct plan_frame *p)
{
	size_t s = f->ustart[u];

	p->gfn = u;			/* the unit's index: sorted with it */
	p->hva = f->hva[s];
	p->rate = 0;
	p->node = f->node[s];
	for (uint32_t l = 0; l < f->ulen[u]; l++) {
		p->rate += f->temp[s + l];
		if (p->node < 0 && f->node[s + l] >= 0)
			p->node = f->node[s + l];
	}
}

/* Pages of the units IDX[0..k). */
static uint64_t unit_pages(const struct frame_table *f, const size_t *idx, size_t k)
{
	uint64_t n = 0;

	for (size_t j = 0; j < k; j++)
		n += f->ulen[idx[j]];
	return n;
}

/* How many of the units IDX[0..k) fit in a budget of PAGES. */
static size_t units_within(const struct frame_table *f, const size_t *idx,
			   size_t k, uint64_t pages)
{
	size_t j;

	for (j = 0; j < k && f->ulen[idx[j]] <= pages; j++)
		pages -= f->ulen[idx[j]];
	return j;
}

int migrate(const struct tier_opts *o, struct frame_table *f, uint64_t budget,
	    int64_t interval, struct moves *m)
{
	int64_t hold = (int64_t)(o->hold_s * 1000 / (double)o->interval_ms);
	size_t nu = f->nu, nup = 0, ndown = 0, i;
	struct plan_frame *p = xcalloc(nu ? nu : 1, sizeof(*p));
	size_t *up = xcalloc(nu ? nu : 1, sizeof(*up));
	size_t *down = xcalloc(nu ? nu : 1, sizeof(*down));
	size_t *uprank = xcalloc(nu ? nu : 1, sizeof(*uprank));
	double *urate = xcalloc(nu ? nu : 1, sizeof(*urate));
	uint64_t on_fast, need, room, cap;
	struct plan_counts c;
	int e;

	memset(m, 0, sizeof(*m));
	/* The bound: this interval's pages, and a remainder smaller than a
	 * unit from before (so 2 MiB units move under a low --max-mbps). */
	f->credit = f->credit % f->unit + budget;
	cap = (uint64_t)(o->fast_ratio * (double)f->n) / f->unit;	/* units */
	m->capacity = cap * f->unit;
	e = numa_where(o->pid, f->n, f->hva, f->node);
	if (e) {
		m->gone = e == -ESRCH;
		goto out;
	}
	for (i = 0; i < nu; i++) {
		unit_view(f, i, &p[i]);
		urate[i] = p[i].rate;
	}
	qsort(p, nu, sizeof(*p), hot_cmp);
	plan_decide(p, nu, o->fast, cap, o->tolerance, &c);
	for (i = 0; i < nu; i++) {
		size_t k = (size_t)p[i].gfn, s = f->ustart[k];

		if (f->moved[s] >= 0 && interval - f->moved[s] < hold)
			continue;	/* moved lately: anti-thrash */
		if (p[i].act == PLAN_PROMOTE) {
			uprank[nup] = i;
			up[nup++] = k;
		}
	}
	for (i = nu; i-- > 0;) {
		size_t k = (size_t)p[i].gfn, s = f->ustart[k];

		if (p[i].act == PLAN_DEMOTE &&
		    !(f->moved[s] >= 0 && interval - f->moved[s] < hold))
			down[ndown++] = k;	/* coldest first */
	}
	on_fast = c.on_fast;		/* units */
	/* Demote what is over the capacity, and what the promotions beyond
	 * the free room need room for, pairing the hottest candidate with
	 * the coldest unit on the fast node. Anti-thrash: a swap only for a
	 * newcomer that ranks within capacity / (1 + tolerance) and is
	 * (1 + tolerance) times as hot (the unit it displaces ranks beyond
	 * capacity x (1 + tolerance): lib/plan.c), so units of about the
	 * same rate at the capacity's edge are not swapped to and fro as
	 * their estimates wobble. Then promote into the room there is. */
	room = on_fast < cap ? cap - on_fast : 0;
	need = on_fast > cap ? on_fast - cap : 0;
	for (i = room < nup ? room : nup; i < nup && need < ndown; i++, need++)
		if ((double)uprank[i] * (1 + o->tolerance) >= (double)cap ||
		    !(urate[up[i]] > (1 + o->tolerance) * urate[down[need]]))
			break;
	if (ndown > need)
		ndown = need;
	ndown = units_within(f, down, ndown, f->credit);
	f->credit -= unit_pages(f, down, ndown);
	m->demoted = move_to(o, f, down, ndown, o->slow, interval, m);
	for (i = 0; i < ndown; i++)	/* the units that did leave */
		on_fast -= f->node[f->ustart[down[i]]] != o->fast;
	room = on_fast < cap ? cap - on_fast : 0;
	if (nup > room)
		nup = room;
	nup = units_within(f, up, nup, f->credit);
	f->credit -= unit_pages(f, up, nup);
	if (!m->gone)
		m->promoted = move_to(o, f, up, nup, o->fast, interval, m);
	m->on_fast = 0;
	for (i = 0; i < f->n; i++)
		m->on_fast += f->node[i] == o->fast;
out:
	free(p);
	free(up);
	free(down);
	free(uprank);
	free(urate);
	return e;
}
