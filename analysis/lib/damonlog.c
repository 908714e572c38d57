// SPDX-License-Identifier: GPL-2.0
/*
 * damonlog.c - read DAMON's view of a guest (damonlog.h): the header
 * comments, and each damon_aggregated trace line turned into guest-frame
 * observations through the memslots.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "damonlog.h"
#include "session.h"

static void damonlog_init(struct damonlog *d)
{
	d->nslots = 0;
	d->sample_us = d->aggr_us = 0;
	d->aggregations = 0;
	d->start_ns = 0;
	d->npend = d->next = 0;
	bad_init(&d->bad, "line");
}

int damonlog_open(struct damonlog *d, const char *path)
{
	damonlog_init(d);
	return lr_open(&d->r, path, &d->bad);
}

void damonlog_open_mem(struct damonlog *d, const char *data, size_t len)
{
	damonlog_init(d);
	lr_open_mem(&d->r, data, len, &d->bad);
}

void damonlog_close(struct damonlog *d)
{
	lr_close(&d->r);
}

/* A comment line: the settings, a memslot, or anything else (ignored). */
static const char *damonlog_comment(struct damonlog *d, const char *l)
{
	struct damon_slot s;
	const char *p;

	if (!strncmp(l, "# damon ", 8)) {
		unsigned long sample_us, aggr_us;

		p = strstr(l, " sample_us=");
		if (!p || sscanf(p, " sample_us=%lu", &sample_us) != 1)
			return "'# damon' line without sample_us=";
		p = strstr(l, " aggr_us=");
		if (!p || sscanf(p, " aggr_us=%lu", &aggr_us) != 1)
			return "'# damon' line without aggr_us=";
		if (!sample_us || aggr_us < sample_us ||
		    aggr_us / sample_us > UINT32_MAX)
			return "'# damon' line: want 0 < sample_us <= aggr_us";
		d->sample_us = sample_us;
		d->aggr_us = aggr_us;
		return NULL;
	}
	if (strncmp(l, "# memslot ", 10))
		return NULL;
	if ((p = memslot_parse(l + 10, &s.gpa, &s.hva, &s.pages)))
		return p;
	if (d->nslots == DAMONLOG_MAX_SLOTS)
		return "too many memslots";
	d->slot[d->nslots++] = s;
	return NULL;
}

/* The trace timestamp (seconds.micro) that ends just before TP, in ns. */
static const char *damonlog_time(const char *l, const char *tp, uint64_t *ns)
{
	unsigned long sec, usec;
	const char *ts;

	for (ts = tp; ts > l && ts[-1] != ' '; ts--)
		;
	if (sscanf(ts, "%lu.%6lu:", &sec, &usec) != 2)
		return "no timestamp before the event name";
	*ns = sec * 1000000000ULL + usec * 1000ULL;
	return NULL;
}

/* A trace line: the region [start, end) of the VMM's address space. */
static const char *damonlog_trace(struct damonlog *d, const char *l)
{
	const char *tp = strstr(l, ": damon_aggregated: "), *why;
	unsigned long start, end;
	unsigned int accesses, age, i;
	uint64_t checks, t;

	if (!tp && (tp = strstr(l, ": tracing_mark_write: eptscope-damon start")))
		return damonlog_time(l, tp, &d->start_ns);
	if (!tp)
		return "neither a comment nor a damon_aggregated line";
	if (!d->aggr_us)
		return "a trace line before the '# damon' line";
	why = damonlog_time(l, tp, &t);
	if (why)
		return why;
	if (sscanf(tp, ": damon_aggregated: target_id=%*u nr_regions=%*u %lu-%lu: %u %u",
		   &start, &end, &accesses, &age) != 4 || end <= start)
		return "bad damon_aggregated fields";
	checks = d->aggr_us / d->sample_us;
	if (accesses > checks)
		return "nr_accesses above aggr_us / sample_us";
	d->aggregations++;
	d->npend = d->next = 0;
	for (i = 0; i < d->nslots; i++) {
		const struct damon_slot *s = &d->slot[i];
		uint64_t lo = start > s->hva ? start : s->hva;
		uint64_t hi = s->hva + s->pages * 4096;
		struct damon_obs *o = &d->pend[d->npend];

		hi = end < hi ? end : hi;
		if (hi <= lo || hi - lo < 4096)
			continue;
		o->time_ns = t;
		o->gfn = (s->gpa + (lo - s->hva)) >> 12;
		o->frames = (hi - lo) >> 12;
		o->accesses = accesses;
		o->checks = (uint32_t)checks;
		o->interval_ns = d->sample_us * 1000;
		o->first = !d->npend;
		d->npend++;
	}
	return NULL;
}

int damonlog_next(struct damonlog *d, struct damon_obs *out)
{
	char buf[512];
	const char *l, *e, *why;

	while (d->next == d->npend) {
		size_t n;

		l = lr_line(&d->r, &e);
		if (!l)
			return 0;
		n = (size_t)(e - l);
		if (!n)
			continue;
		if (n >= sizeof(buf)) {
			bad_add(&d->bad, d->r.lineno, "line too long");
			continue;
		}
		memcpy(buf, l, n);
		buf[n] = 0;
		why = buf[0] == '#' ? damonlog_comment(d, buf) : damonlog_trace(d, buf);
		if (why)
			bad_add(&d->bad, d->r.lineno, why);
	}
	*out = d->pend[d->next++];
	return 1;
}
