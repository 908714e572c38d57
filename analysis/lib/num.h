/* SPDX-License-Identifier: GPL-2.0 */
/*
 * num.h - strict integer parsing of a byte span [p, e), the one place
 * every parser in analysis/lib turns text into numbers; and at the end,
 * integers formatted for a log writer's hot path. Inline because it sits
 * in the per-line hot path. Returns 0 on success, NUM_BAD (-1)
 * when the span is not a number, NUM_RANGE (-2) when it is a number
 * that does not fit 64 bits (leading zeros do not count).
 */
#ifndef ANALYSIS_NUM_H
#define ANALYSIS_NUM_H

#include <stdint.h>
#include <string.h>

#include "common.h"

#define NUM_BAD		(-1)
#define NUM_RANGE	(-2)

/* The reason for a parse_* result, for malformed-line reports. */
static inline const char *num_why(int rc)
{
	return rc == NUM_RANGE ? "out of range (beyond 64 bits)" :
	       "not an integer";
}

/* Skip leading zeros of a digit span [p, e), keeping the last digit. */
static always_inline const char *skip_zeros(const char *p, const char *e)
{
	while (e - p > 1 && *p == '0')
		p++;
	return p;
}

/* NUM_RANGE if all of [p, e) are digits (hex digits when HEX), else
 * NUM_BAD: the answer for a span too long to fit. */
static inline int num_too_long(const char *p, const char *e, int hex)
{
	for (; p < e; p++) {
		unsigned c = (unsigned char)*p;

		if (c - '0' > 9 && (!hex || (c | 0x20) - 'a' > 5))
			return NUM_BAD;
	}
	return NUM_RANGE;
}

/* The start of every parse: NUM_BAD for an empty span, the answer for a
 * span of more than MAX digits after its leading zeros, else 0 (*p
 * then past the leading zeros of a long span). */
static always_inline int num_span(const char **p, const char *e, long max,
				  int hex)
{
	if (*p >= e)
		return NUM_BAD;
	if (unlikely(e - *p > max)) {
		*p = skip_zeros(*p, e);
		if (e - *p > max)
			return num_too_long(*p, e, hex);
	}
	return 0;
}

static always_inline int parse_hex_u64(const char *p, const char *e, uint64_t *out)
{
	uint64_t v = 0;
	int rc = num_span(&p, e, 16, 1);

	if (rc)
		return rc;
	for (; p < e; p++) {
		unsigned c = (unsigned char)*p, d;

		if (c - '0' <= 9)
			d = c - '0';
		else if ((c | 0x20) - 'a' <= 5)
			d = (c | 0x20) - 'a' + 10;
		else
			return NUM_BAD;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static always_inline int parse_dec_u64(const char *p, const char *e, uint64_t *out)
{
	uint64_t v = 0;
	int rc = num_span(&p, e, 20, 0);

	if (rc)
		return rc;
	if (e - p < 20) {	/* cannot overflow: no checks */
		for (; p < e; p++) {
			unsigned d = (unsigned char)*p - '0';

			if (d > 9)
				return NUM_BAD;
			v = v * 10 + d;
		}
	} else {
		for (; p < e; p++) {
			unsigned d = (unsigned char)*p - '0';

			if (d > 9)
				return NUM_BAD;
			if (__builtin_mul_overflow(v, 10, &v) ||
			    __builtin_add_overflow(v, d, &v))
				return num_too_long(p + 1, e, 0);
		}
	}
	*out = v;
	return 0;
}

/* Write v in decimal at p, as printf's %llu would (no NUL); returns the end. */
static always_inline char *fmt_dec_u64(char *p, uint64_t v)
{
	char tmp[20], *t = tmp + sizeof(tmp);
	size_t n;

	do {
		*--t = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	n = (size_t)(tmp + sizeof(tmp) - t);
	memcpy(p, t, n);
	return p + n;
}

/* Write v in lower-case hexadecimal at p, as %llx would; returns the end. */
static always_inline char *fmt_hex_u64(char *p, uint64_t v)
{
	char tmp[16], *t = tmp + sizeof(tmp);
	size_t n;

	do {
		*--t = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	n = (size_t)(tmp + sizeof(tmp) - t);
	memcpy(p, t, n);
	return p + n;
}

/* Decimal, or hexadecimal with a 0x/0X prefix. */
static always_inline int parse_u64(const char *p, const char *e, uint64_t *out)
{
	if (e - p > 2 && p[0] == '0' && (p[1] | 0x20) == 'x')
		return parse_hex_u64(p + 2, e, out);
	return parse_dec_u64(p, e, out);
}

/* Optional sign, then as parse_u64; NUM_RANGE outside int64_t. */
static always_inline int parse_i64(const char *p, const char *e, int64_t *out)
{
	uint64_t u;
	int neg = 0, rc;

	if (p < e && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	rc = parse_u64(p, e, &u);
	if (rc)
		return rc;
	if (neg) {
		if (u > (uint64_t)INT64_MAX + 1)
			return NUM_RANGE;
		*out = (int64_t)(0 - u);
	} else {
		if (u > INT64_MAX)
			return NUM_RANGE;
		*out = (int64_t)u;
	}
	return 0;
}

#endif
