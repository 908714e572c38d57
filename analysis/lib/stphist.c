/* SPDX-License-Identifier: GPL-2.0 */
/* stphist.c - SystemTap histogram text parser (see stphist.h). */
#include "stphist.h"

#include <string.h>

#include "fields.h"
#include "num.h"

enum stphist_kind stphist_parse(const char *l, const char *e,
				struct stphist_row *row)
{
	const char *p = l, *q;

	while (p < e && *p == ' ')
		p++;
	if (e - p >= 7 && !memcmp(p, "value |", 7)) {
		p += 7;
		while (p < e && *p == '-')
			p++;
		if (e - p == 6 && !memcmp(p, " count", 6))
			return STPHIST_HEADER;
		return STPHIST_NONE;
	}
	if (e - p == 1 && *p == '~')
		return STPHIST_TILDE;

	row->prefix = 0;
	if (p < e && (*p == '<' || *p == '>'))
		row->prefix = *p++;
	for (q = p; q < e && *q != ' '; q++)
		;
	if (q == p || parse_i64(p, q, &row->label) || e - q < 2 ||
	    memcmp(q, " |", 2))
		return STPHIST_NONE;
	p = q + 2;
	while (p < e && *p == '@')
		p++;
	q = p;
	while (p < e && *p == ' ')
		p++;
	if (p == q || parse_dec_u64(p, e, &row->count))
		return STPHIST_NONE;
	return STPHIST_ROW;
}

void stphist_block_start(struct stphist_block *b)
{
	memset(b, 0, sizeof(*b));
	b->in_block = 1;
}

int stphist_row_value(struct stphist_block *b, const struct stphist_row *row,
		      int64_t *value)
{
	int64_t v = row->label;

	if (row->prefix == '<')
		return __builtin_sub_overflow(v, 1, value) ? -1 : 0;
	if (row->prefix == '>') {
		int64_t w = b->width ? (int64_t)b->width : 1;

		if (b->width > INT64_MAX)
			return -1;
		return __builtin_add_overflow(v, w, value) ? -1 : 0;
	}
	if (b->have_prev && v > b->prev) {
		uint64_t step = (uint64_t)v - (uint64_t)b->prev;

		if (!b->width || step < b->width)
			b->width = step;
	}
	b->prev = v;
	b->have_prev = 1;
	*value = v;
	return 0;
}
