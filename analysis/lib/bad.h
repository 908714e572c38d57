/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bad.h - malformed-input accounting shared by every parser: count the
 * bad lines (or records) of one input, remember the first few line
 * numbers with a reason, and report them on stderr. A bad line is
 * skipped, never fatal.
 */
#ifndef ANALYSIS_BAD_H
#define ANALYSIS_BAD_H

#include <stdint.h>
#include <stdio.h>

#define BAD_KEEP 5	/* line numbers remembered and shown */

struct bad {
	const char *what;	/* "line" or "record" */
	uint64_t count;
	unsigned kept;
	uint64_t where[BAD_KEEP];
	const char *why[BAD_KEEP];	/* static strings */
};

void bad_init(struct bad *b, const char *what);
/* Record one bad line at WHERE (1-based) for reason WHY (static). */
void bad_add(struct bad *b, uint64_t where, const char *why);
/* Print "PROG: NAME: N malformed lines; first: line 3 (why), ..." to F
 * when there were any. Returns the count. */
uint64_t bad_report(const struct bad *b, FILE *f, const char *name);
/* Add the counts of SRC to DST (line numbers kept while room remains),
 * SRC's line numbers shifted by OFFSET (SRC read a later part). */
void bad_merge(struct bad *dst, const struct bad *src, uint64_t offset);

#endif
