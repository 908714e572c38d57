/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fields.h - field lookup inside one line, for the two generic text
 * formats: key=value pairs and whitespace-separated columns. Tokens are
 * separated by spaces or tabs. Inline: this is the per-line hot path.
 */
#ifndef ANALYSIS_FIELDS_H
#define ANALYSIS_FIELDS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common.h"

static inline int is_sep(char c)
{
	return c == ' ' || c == '\t';
}

/* Mask with 0x80 in each byte of W that equals C's byte (exact). */
static always_inline uint64_t bytes_eq(uint64_t w, uint64_t c)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL;
	uint64_t x = w ^ c;

	return ~(((x & lo7) + lo7) | x | lo7);
}

/* Start of the last token of [l, e): 8 bytes at a time, no loop in the
 * common case of a short last value. */
static always_inline const char *last_token(const char *l, const char *e)
{
	const char *t = e;

	if (e - l >= 8) {
		uint64_t w, m;

		memcpy(&w, e - 8, 8);	/* little-endian load */
		m = bytes_eq(w, 0x2020202020202020ULL) |
		    bytes_eq(w, 0x0909090909090909ULL);
		if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && m)
			return e - 8 + (63 - __builtin_clzll(m)) / 8 + 1;
		if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
			t = e - 8;
	}
	while (t > l && !is_sep(t[-1]))
		t--;
	return t;
}

/* A key to look up in key=value lines. `last` learns whether the key
 * was the line's last token, so that the next line is searched from its
 * end first (the common case for delay= in the sample log). */
struct kvkey {
	const char *key;
	size_t len;
	int last;
};

static inline void kvkey_init(struct kvkey *k, const char *key)
{
	k->key = key;
	k->len = strlen(key);
	k->last = 0;
}

static always_inline int kv_token_is(const struct kvkey *k, const char *t,
			      const char *e)
{
	if ((size_t)(e - t) <= k->len || t[k->len] != '=')
		return 0;
	for (size_t i = 0; i < k->len; i++)
		if (t[i] != k->key[i])
			return 0;
	return 1;
}

/* Find KEY=VALUE in [l, e): the value is [*vp, *ve). Returns 0 if found,
 * -1 if the key is absent. */
static always_inline int kv_get(struct kvkey *k, const char *l, const char *e,
			 const char **vp, const char **ve)
{
	const char *p = l, *t;

	if (k->last) {
		t = last_token(l, e);
		if (kv_token_is(k, t, e)) {
			*vp = t + k->len + 1;
			*ve = e;
			return 0;
		}
	}
	for (;;) {
		while (p < e && is_sep(*p))
			p++;
		if (p >= e)
			return -1;
		t = p;
		while (p < e && !is_sep(*p))
			p++;
		if (*t == *k->key && kv_token_is(k, t, p)) {
			*vp = t + k->len + 1;
			*ve = p;
			k->last = p == e;
			return 0;
		}
	}
}

/* Column N (1-based) of [l, e) into [*vp, *ve). Returns 0 or -1. */
static always_inline int col_get(unsigned n, const char *l, const char *e,
			  const char **vp, const char **ve)
{
	const char *p = l;

	for (;;) {
		while (p < e && is_sep(*p))
			p++;
		if (p >= e)
			return -1;
		*vp = p;
		while (p < e && !is_sep(*p))
			p++;
		if (--n == 0) {
			*ve = p;
			return 0;
		}
	}
}

/* 1-based index of the column named NAME in header line [l, e); 0 if
 * absent. */
unsigned col_index(const char *name, const char *l, const char *e);

/* Comma-separated field N (1-based) of [l, e) into [*vp, *ve), blanks
 * around it left out (a field may be empty). Returns 0 or -1. */
int csv_get(unsigned n, const char *l, const char *e, const char **vp,
	    const char **ve);
/* 1-based index of the field named NAME in CSV header line [l, e); 0 if
 * absent. */
unsigned csv_index(const char *name, const char *l, const char *e);

/* Does [l, e) look like blank or a '#' comment? */
static inline int line_is_blank_or_comment(const char *l, const char *e)
{
	while (l < e && is_sep(*l))
		l++;
	return l == e || *l == '#';
}

#endif
