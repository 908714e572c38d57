/* SPDX-License-Identifier: GPL-2.0 */
/* values.c - values from any input format (see values.h). */
#include "values.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "num.h"
#include "samples.h"

static const char *const vformat_names[] = {
	[VF_AUTO] = "auto", [VF_NUM] = "num", [VF_KV] = "kv",
	[VF_COLS] = "cols", [VF_BIN] = "bin", [VF_STAP] = "stap",
};

int vformat_parse(const char *name)
{
	if (!strcmp(name, "text"))
		return VF_KV;
	for (size_t i = 0; i < ARRAY_SIZE(vformat_names); i++)
		if (!strcmp(name, vformat_names[i]))
			return (int)i;
	return -1;
}

const char *vformat_name(enum vformat f)
{
	return vformat_names[f];
}

static int field_is_number(const char *f, unsigned *n)
{
	uint64_t u;

	if (parse_dec_u64(f, f + strlen(f), &u) || u == 0 || u > 65535)
		return 0;
	*n = (unsigned)u;
	return 1;
}

/*
 * Guess the format from the first lines in R's buffer (nothing is
 * consumed): SystemTap @hist text anywhere there makes it stap; else a
 * FIELD=... token (or any '=' without -f) makes it kv; else a -f that
 * is not a name found as key means columns; else one number per line.
 */
static enum vformat detect(struct lreader *r, const char *field)
{
	const char *p, *lim;
	int lines = 0, has_eq = 0, has_key = 0;
	struct kvkey key;
	unsigned n;

	kvkey_init(&key, field ? field : "");
	lr_peek(r, 64 * 1024);
	p = r->pos;
	lim = r->lim;
	while (p < lim && lines < 200) {
		const char *nl = memchr(p, '\n', (size_t)(lim - p));
		const char *e = nl ? nl : lim, *vp, *ve;
		struct stphist_row row;

		if (e > p && e[-1] == '\r')
			e--;
		if (!line_is_blank_or_comment(p, e)) {
			lines++;
			if (stphist_parse(p, e, &row) == STPHIST_HEADER)
				return VF_STAP;
			if (memchr(p, '=', (size_t)(e - p)))
				has_eq = 1;
			if (field && !kv_get(&key, p, e, &vp, &ve))
				has_key = 1;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (!field)
		return VF_NUM;
	if (has_key || (has_eq && !field_is_number(field, &n)))
		return VF_KV;
	return VF_COLS;
}

const char *vsource_start(struct vsource *s, struct lreader *r,
			  enum vformat fmt, const char *field)
{
	const char *why;
	int b;

	memset(s, 0, sizeof(*s));
	s->field = field;
	bad_init(&s->bad, "line");
	r->bad = &s->bad;

	b = samples_detect(r, &s->hdr, &why);
	if (b < 0)
		return why;
	if (b) {
		if (fmt != VF_AUTO && fmt != VF_BIN)
			return "input is a binary sample log";
		fmt = VF_BIN;
	} else if (fmt == VF_BIN) {
		return "not a binary sample log (bad magic)";
	}
	if (fmt == VF_AUTO)
		fmt = detect(r, field);
	s->fmt = fmt;

	switch (fmt) {
	case VF_BIN:
		bad_init(&s->bad, "record");
		s->recsize = s->hdr.record_size;
		if (!field)
			return "a binary sample log needs -f FIELD (t, vcpu, "
			       "gfn, type, level, delay, flags)";
		s->ef = ept_field_by_name(field);
		if (s->ef == EPT_F_NONE)
			return "unknown sample field (t, vcpu, gfn, type, "
			       "level, delay, flags)";
		break;
	case VF_KV:
		if (!field)
			return "key=value input needs -f KEY (e.g. -f delay)";
		/* fall through */
	case VF_STAP:
		if (field) {
			kvkey_init(&s->key, field);
			s->key_is_type = !strcmp(field, "type");
		}
		break;
	case VF_COLS:
		if (!field)
			return "column input needs -f N or -f NAME";
		if (!field_is_number(field, &s->col))
			s->col = 0;	/* name: resolved from the header */
		break;
	case VF_NUM:
		if (field)
			return "-f does not apply to one-number-per-line input";
		break;
	case VF_AUTO:
		break;
	}
	return NULL;
}

void vsource_fork(struct vsource *child, const struct vsource *parent)
{
	*child = *parent;
	bad_init(&child->bad, parent->bad.what);
	memset(&child->blk, 0, sizeof(child->blk));
	child->values = 0;
	child->recno = 0;
	child->fatal = NULL;
}

int vsource_splittable(const struct vsource *s)
{
	/* Not stap: a histogram block cut in two loses its header. Not
	 * cols by name: the header is in the first part only. */
	return s->fmt == VF_BIN || s->fmt == VF_NUM || s->fmt == VF_KV ||
	       (s->fmt == VF_COLS && s->col);
}

/* A line that gives no value under the main format: SystemTap @hist
 * text (merged), a comment, or malformed. Returns 1 if it was a hist
 * row and *v, *w are set. */
static int other_line(struct vsource *s, uint64_t lineno, const char *l,
		      const char *e, const char *why, int64_t *v, uint64_t *w)
{
	struct stphist_row row;

	switch (stphist_parse(l, e, &row)) {
	case STPHIST_HEADER:
		stphist_block_start(&s->blk);
		return 0;
	case STPHIST_TILDE:
		if (s->blk.in_block)
			return 0;
		break;
	case STPHIST_ROW:
		if (!s->blk.in_block) {
			why = "histogram row without a header";
			break;
		}
		if (stphist_row_value(&s->blk, &row, v)) {
			why = "histogram value out of range";
			break;
		}
		*w = row.count;
		return 1;
	case STPHIST_NONE:
		s->blk.in_block = 0;
		if (line_is_blank_or_comment(l, e))
			return 0;
		break;
	}
	bad_add(&s->bad, lineno, why);
	return 0;
}

static void add_key(struct keymap *top, const char *vp, const char *ve,
		    uint64_t w)
{
	keymap_add(top, vp, (size_t)(ve - vp), w);
}

static void add_int_key(struct keymap *top, int64_t v, uint64_t w)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRId64, v);

	add_key(top, buf, buf + n, w);
}

static void run_bin(struct vsource *s, struct lreader *r, struct hist *h,
		    struct keymap *top)
{
	const char *recs;
	size_t n;

	while ((n = samples_bin_block(r, s->recsize, &recs, SIZE_MAX,
				      &s->bad, s->recno))) {
		for (size_t i = 0; i < n; i++, recs += s->recsize) {
			struct kvm_ept_sample_v2 smp;
			const char *why;
			int64_t v;

			s->recno++;
			ept_bin_decode(recs, &smp);
			why = ept_sample_check(&smp);
			if (unlikely(why != NULL)) {
				bad_add(&s->bad, s->recno, why);
				continue;
			}
			v = ept_field_get(&smp, s->ef);
			if (!top) {
				hist_add(h, v, 1);
			} else {
				char type[4];

				if (s->ef == EPT_F_TYPE) {
					ept_type_str(type, smp.xwr);
					add_key(top, type, type + 3, 1);
				} else if (s->ef == EPT_F_GFN) {
					char buf[24];
					int k = snprintf(buf, sizeof(buf),
							 "0x%" PRIx64,
							 (uint64_t)v);

					add_key(top, buf, buf + k, 1);
				} else {
					add_int_key(top, v, 1);
				}
			}
			s->values++;
		}
	}
}

/* Parse a value token: an integer, or for type= an access type. */
static always_inline int token_value(const struct vsource *s, const char *vp,
			      const char *ve, int64_t *v)
{
	int x;

	if (likely(!parse_i64(vp, ve, v)))
		return 0;
	if (s->key_is_type && (x = ept_type_parse(vp, ve)) >= 0) {
		*v = x;
		return 0;
	}
	return -1;
}

/* Deliver the value token [vp, ve): NULL, or why it is unusable. */
static always_inline const char *take(struct vsource *s, struct hist *h,
			       struct keymap *top, const char *vp,
			       const char *ve)
{
	int64_t v;

	if (top) {
		add_key(top, vp, ve, 1);
	} else {
		if (unlikely(token_value(s, vp, ve, &v)))
			return "value is not an integer";
		hist_add(h, v, 1);
	}
	s->values++;
	return NULL;
}

/* Column input with -f NAME: find the header. Returns 1 if L was the
 * header or is to be skipped, 0 if it must be parsed as data. */
static int cols_header(struct vsource *s, const char *l, const char *e)
{
	if (line_is_blank_or_comment(l, e) && (l == e || *l != '#'))
		return 1;
	s->col = col_index(s->field, l, e);
	if (s->col)
		return 1;
	if (*l == '#')		/* a comment that does not name it */
		return 1;
	s->fatal = "no column of that name in the header line";
	return 1;
}

void vsource_run(struct vsource *s, struct lreader *r, struct hist *h,
		 struct keymap *top)
{
	const char *l, *e, *vp = NULL, *ve = NULL;

	if (s->fmt == VF_BIN) {
		run_bin(s, r, h, top);
		return;
	}
	while ((l = lr_line(r, &e))) {
		const char *why;
		int64_t v;
		uint64_t w;

		if (unlikely(s->fmt == VF_COLS && !s->col)) {
			if (cols_header(s, l, e)) {
				if (s->fatal)
					return;
				continue;
			}
		}
		/* Comments and blank lines: never data. */
		if (unlikely(l == e || *l == '#' || is_sep(*l)) &&
		    line_is_blank_or_comment(l, e)) {
			s->blk.in_block = 0;
			continue;
		}
		switch (s->fmt) {
		case VF_KV:
			if (likely(!kv_get(&s->key, l, e, &vp, &ve))) {
				why = take(s, h, top, vp, ve);
				if (likely(!why))
					continue;
			} else {
				why = "no such key";
			}
			break;
		case VF_NUM:
			vp = l;
			ve = e;
			while (vp < ve && is_sep(*vp))
				vp++;
			while (ve > vp && is_sep(ve[-1]))
				ve--;
			if (likely(!parse_i64(vp, ve, &v))) {
				if (top)
					add_key(top, vp, ve, 1);
				else
					hist_add(h, v, 1);
				s->values++;
				continue;
			}
			why = "not an integer";
			break;
		case VF_COLS:
			if (likely(!col_get(s->col, l, e, &vp, &ve))) {
				why = take(s, h, top, vp, ve);
				if (likely(!why))
					continue;
			} else {
				why = "no such column";
			}
			break;
		case VF_STAP:
			if (s->field && !kv_get(&s->key, l, e, &vp, &ve)) {
				why = take(s, h, top, vp, ve);
				if (!why)
					continue;
			} else {
				why = s->field ? "no such key" :
				      "not SystemTap histogram text";
			}
			break;
		default:
			why = "internal error";
			break;
		}
		if (other_line(s, r->lineno, l, e, why, &v, &w)) {
			if (top)
				add_int_key(top, v, w);
			else
				hist_add(h, v, w);
			s->values += w;
		}
	}
}
