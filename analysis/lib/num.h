/* SPDX-License-Identifier: GPL-2.0 */
/*
 * num.h - strict integer parsing of a byte span [p, e), the one place
 * every parser in analysis/lib turns text into numbers. Inline because
 * it sits in the per-line hot path. Returns 0 on success, -1 when the
 * whole span is not a number or it overflows.
 */
#ifndef ANALYSIS_NUM_H
#define ANALYSIS_NUM_H

#include <stdint.h>

#include "common.h"

static always_inline int parse_hex_u64(const char *p, const char *e, uint64_t *out)
{
	uint64_t v = 0;

	if (p >= e || e - p > 16)
		return -1;
	for (; p < e; p++) {
		unsigned c = (unsigned char)*p, d;

		if (c - '0' <= 9)
			d = c - '0';
		else if ((c | 0x20) - 'a' <= 5)
			d = (c | 0x20) - 'a' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static always_inline int parse_dec_u64(const char *p, const char *e, uint64_t *out)
{
	uint64_t v = 0;

	if (p >= e || e - p > 20)
		return -1;
	if (e - p < 20) {	/* cannot overflow: no checks */
		for (; p < e; p++) {
			unsigned d = (unsigned char)*p - '0';

			if (d > 9)
				return -1;
			v = v * 10 + d;
		}
	} else {
		for (; p < e; p++) {
			unsigned d = (unsigned char)*p - '0';

			if (d > 9 || __builtin_mul_overflow(v, 10, &v) ||
			    __builtin_add_overflow(v, d, &v))
				return -1;
		}
	}
	*out = v;
	return 0;
}

/* Decimal, or hexadecimal with a 0x/0X prefix. */
static always_inline int parse_u64(const char *p, const char *e, uint64_t *out)
{
	if (e - p > 2 && p[0] == '0' && (p[1] | 0x20) == 'x')
		return parse_hex_u64(p + 2, e, out);
	return parse_dec_u64(p, e, out);
}

/* Optional sign, then as parse_u64. */
static always_inline int parse_i64(const char *p, const char *e, int64_t *out)
{
	uint64_t u;
	int neg = 0;

	if (p < e && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (parse_u64(p, e, &u))
		return -1;
	if (neg) {
		if (u > (uint64_t)INT64_MAX + 1)
			return -1;
		*out = (int64_t)(0 - u);
	} else {
		if (u > INT64_MAX)
			return -1;
		*out = (int64_t)u;
	}
	return 0;
}

#endif
