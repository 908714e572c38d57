/* SPDX-License-Identifier: GPL-2.0 */
/*
 * damonlog.h - DAMON's view of a guest, as analysis/damon-capture
 * writes it: its settings and the VM's memslots as comment lines, then
 * the damon:damon_aggregated trace lines of DAMON's vaddr monitoring of
 * the VMM. Each region of an aggregation becomes one observation per
 * memslot it overlaps, in guest frames: DAMON checked one page of the
 * region once per sampling interval (`checks` times) and found it
 * accessed `accesses` times.
 *
 *   # damon pid=1234 sample_us=5000 aggr_us=100000 ...
 *   # memslot gpa=0x0 hva=0x7f0000000000 pages=65536
 *   kdamond.0-99 [001] ..... 12.345678: damon_aggregated: target_id=0 \
 *       nr_regions=12 139637976727552-139637980921856: 3 7
 *
 * Trace timestamps are read as seconds (the capture sets trace_clock
 * mono, CLOCK_MONOTONIC, the clock of the module's logs). The capture
 * marks when DAMON was switched on with a trace_marker line,
 * "tracing_mark_write: eptscope-damon start": start_ns.
 */
#ifndef ANALYSIS_DAMONLOG_H
#define ANALYSIS_DAMONLOG_H

#include <stdint.h>

#include "bad.h"
#include "reader.h"

#define DAMONLOG_MAX_SLOTS	512

struct damon_slot {
	uint64_t gpa, hva, pages;
};

/* One region of one aggregation, within one memslot. */
struct damon_obs {
	uint64_t time_ns;
	uint64_t gfn, frames;		/* the guest frames it covers */
	uint32_t accesses, checks;	/* DAMON's nr_accesses, out of checks */
	uint64_t interval_ns;		/* of each check: the sampling interval */
	int first;			/* the first of its trace line's */
};

struct damonlog {
	struct lreader r;
	struct bad bad;
	struct damon_slot slot[DAMONLOG_MAX_SLOTS];
	unsigned nslots;
	uint64_t sample_us, aggr_us;	/* 0 until the '# damon' line */
	uint64_t aggregations;		/* trace lines read */
	uint64_t start_ns;		/* DAMON switched on; 0: not marked */
	/* The observations of the last trace line not yet returned. */
	struct damon_obs pend[DAMONLOG_MAX_SLOTS];
	unsigned npend, next;
};

/* PATH NULL or "-": stdin. 0, or -1 with errno set. */
int damonlog_open(struct damonlog *d, const char *path);
/* The same over a memory block (tests, fuzzers). */
void damonlog_open_mem(struct damonlog *d, const char *data, size_t len);
/* The next observation into OUT: 1, or 0 at the end. Lines that cannot
 * be read (and trace lines before the header) are counted in d->bad. */
int damonlog_next(struct damonlog *d, struct damon_obs *out);
void damonlog_close(struct damonlog *d);

#endif
