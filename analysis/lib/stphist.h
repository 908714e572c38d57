/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stphist.h - parser for the text SystemTap prints for @hist_linear and
 * @hist_log (and histo prints in the same style):
 *
 *   value |-------------------------------------------------- count
 *       0 |@@@@                                                 4
 *      10 |@@                                                   2
 *         ~
 *     >50 |@                                                    1
 *
 * A block starts at the "value |---- count" header. "<N" is the
 * underflow row of a linear histogram, ">N" its overflow row (values
 * past the last bucket N), "~" stands for elided empty rows.
 */
#ifndef ANALYSIS_STPHIST_H
#define ANALYSIS_STPHIST_H

#include <stdint.h>

enum stphist_kind {
	STPHIST_NONE,		/* not histogram text */
	STPHIST_HEADER,		/* "value |---- count" */
	STPHIST_TILDE,		/* "~" */
	STPHIST_ROW,		/* "LABEL |@@@ COUNT" */
};

struct stphist_row {
	char prefix;		/* '<', '>' or 0 */
	int64_t label;
	uint64_t count;
};

/* Classify and parse one line [l, e). */
enum stphist_kind stphist_parse(const char *l, const char *e,
				struct stphist_row *row);

/* Per-block state to turn rows into values. */
struct stphist_block {
	int in_block;
	int have_prev;
	int64_t prev;		/* previous plain label */
	uint64_t width;		/* smallest label step seen, 0 if unknown */
};

void stphist_block_start(struct stphist_block *b);
/*
 * A representative value for ROW: its label for plain rows, label - 1
 * for underflow, label + the bucket width (inferred from the block's
 * labels, 1 if unknown) for overflow. Merging ROW->count copies of it
 * into a histogram with the same buckets reproduces the row.
 * Returns 0, or -1 if the value does not fit in 64 bits.
 */
int stphist_row_value(struct stphist_block *b, const struct stphist_row *row,
		      int64_t *value);

#endif
