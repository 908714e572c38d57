/* SPDX-License-Identifier: GPL-2.0 */
/* values.c - values from any input format (see values.h), with a fast
 * path for key=value lines whose selected key is the last token. */
#include "values.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "num.h"
#include "samples.h"

static const char *const vformat_names[] = {
	[VF_AUTO] = "auto", [VF_NUM] = "num", [VF_KV] = "kv",
	[VF_COLS] = "cols", [VF_BIN] = "bin", [VF_STAP] = "stap",
	[VF_CSV] = "csv",
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

/* What the first lines in R's buffer look like (nothing is consumed). */
struct peek {
	unsigned lines;		/* data lines looked at (at most 200) */
	int stap;		/* a SystemTap @hist header among them */
	int has_eq, has_key;	/* a '=', the -f key */
	int csv;		/* the first data line is a CSV header
				 * that starts "timestamp," (kvm_stat -c) */
	unsigned kvlines;	/* lines of key=value tokens only */
	unsigned samples;	/* lines that parse as samples */
	unsigned full;		/* ... with level= and delay= too */
	uint64_t t0;		/* the first sample's time */
	char keys[160];		/* the keys of the first kv line */
	uint64_t keys_line;
};

/* Is every token of [l, e) a key=value? */
static int kv_line(const char *l, const char *e)
{
	const char *p = l, *t;

	for (;;) {
		while (p < e && is_sep(*p))
			p++;
		if (p >= e)
			return p > l;
		t = p;
		while (p < e && !is_sep(*p))
			p++;
		if (*t == '=' || !memchr(t, '=', (size_t)(p - t)))
			return 0;
	}
}

/* The keys of kv line [l, e) into BUF ("a, b, c"). */
static void kv_keys(const char *l, const char *e, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = 0;
	for (const char *p = l; p < e && n + 1 < size;) {
		const char *t, *eq;

		while (p < e && is_sep(*p))
			p++;
		t = p;
		while (p < e && !is_sep(*p))
			p++;
		eq = t < p ? memchr(t, '=', (size_t)(p - t)) : NULL;
		if (eq)
			n += (size_t)snprintf(buf + n, size - n, "%s%.*s",
					      n ? ", " : "", (int)(eq - t), t);
	}
}

static void peek_lines(struct lreader *r, const char *field, struct peek *pk)
{
	const char *p, *lim;
	struct kvkey key;

	memset(pk, 0, sizeof(*pk));
	kvkey_init(&key, field ? field : "");
	lr_peek(r, 64 * 1024);
	p = r->pos;
	lim = r->lim;
	while (p < lim && pk->lines < 200) {
		const char *nl = memchr(p, '\n', (size_t)(lim - p));
		const char *e = nl ? nl : lim, *vp, *ve;
		struct kvm_ept_sample_v2 smp;
		struct stphist_row row;

		if (e > p && e[-1] == '\r')
			e--;
		if (!line_is_blank_or_comment(p, e)) {
			if (!pk->lines && e - p > 10 && !memcmp(p, "timestamp,", 10))
				pk->csv = 1;
			pk->lines++;
			if (stphist_parse(p, e, &row) == STPHIST_HEADER)
				pk->stap = 1;
			if (memchr(p, '=', (size_t)(e - p)))
				pk->has_eq = 1;
			if (field && !kv_get(&key, p, e, &vp, &ve))
				pk->has_key = 1;
			if (kv_line(p, e) && !pk->kvlines++) {
				kv_keys(p, e, pk->keys, sizeof(pk->keys));
				pk->keys_line = r->lineno + pk->lines;
			}
			if (!ept_text_parse(p, e, &smp, 0) && !pk->samples++)
				pk->t0 = smp.time_ns;
			pk->full += !ept_text_parse(p, e, &smp,
						    EPT_TEXT_STRICT);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	/* A sample log: most lines are samples. */
	pk->samples = pk->samples * 2 > pk->lines ? pk->samples : 0;
}

/*
 * Guess the format: SystemTap @hist text in the first lines makes it
 * stap; else a FIELD=... token (or any '=' with a -f that is not a
 * column number) makes it kv; else a -f means columns; else one number
 * per line.
 */
static enum vformat detect(const struct peek *pk, const char *field)
{
	unsigned n;

	if (pk->stap)
		return VF_STAP;
	if (pk->csv)
		return VF_CSV;
	if (!field)
		return VF_NUM;
	if (pk->has_key || (pk->has_eq && !field_is_number(field, &n)))
		return VF_KV;
	return VF_COLS;
}

/* Messages with the input's own names in them (one input at a time). */
static char why_buf[512];

static const char *sample_field_why(const char *field)
{
	if (!field)
		snprintf(why_buf, sizeof(why_buf), "a key=value sample log: "
			 "give -f KEY (%s)", ept_field_list());
	else
		snprintf(why_buf, sizeof(why_buf), "unknown sample field "
			 "'%s': valid are %s", field, ept_field_list());
	return why_buf;
}

static const char *kv_field_why(const struct peek *pk, const char *field)
{
	if (!field)
		snprintf(why_buf, sizeof(why_buf), "key=value input: give "
			 "-f KEY (keys on line %" PRIu64 ": %s)",
			 pk->keys_line, pk->keys);
	else
		snprintf(why_buf, sizeof(why_buf), "no key '%s' in the first "
			 "%u lines (keys on line %" PRIu64 ": %s)", field,
			 pk->lines, pk->keys_line, pk->keys);
	return why_buf;
}

/* The first record's time of a binary log (R past its header). */
static uint64_t bin_t0(struct lreader *r, uint32_t recsize)
{
	struct kvm_ept_sample_v2 smp;

	if (lr_peek(r, recsize) < recsize)
		return 0;
	ept_bin_decode(r->pos, &smp);
	return smp.time_ns;
}

/* A sample log (text or binary; PK NULL for binary): the field by its
 * sample name. */
static const char *start_samples(struct vsource *s, const char *field,
				 const struct peek *pk)
{
	const char *key;

	if (!field)
		return sample_field_why(NULL);
	s->ef = ept_field_by_name(field);
	if (s->ef == EPT_F_NONE)
		return sample_field_why(field);
	if (!pk)
		return NULL;
	if (!pk->full && (s->ef == EPT_F_LEVEL || s->ef == EPT_F_DELAY)) {
		snprintf(why_buf, sizeof(why_buf), "a SystemTap sample log "
			 "(no level=, delay=): -f %s does not apply; its "
			 "fields are t, vcpu, gfn, type", field);
		return why_buf;
	}
	key = ept_field_text_key(s->ef);
	s->rec = s->filt || !key;
	if (!s->rec) {
		kvkey_init(&s->key, key);
		s->key_is_type = s->ef == EPT_F_TYPE;
	}
	return NULL;
}

const char *vsource_start(struct vsource *s, struct lreader *r,
			  enum vformat fmt, const char *field,
			  const struct filter *filt)
{
	enum vformat asked = fmt;
	struct peek pk;
	const char *why;
	int b;

	memset(s, 0, sizeof(*s));
	s->field = field;
	s->filt = filt;
	bad_init(&s->bad, "line");
	r->bad = &s->bad;

	b = samples_detect(r, &s->hdr, &why);
	if (b < 0)
		return why;
	if (b) {
		if (fmt != VF_AUTO && fmt != VF_BIN)
			return "input is a binary sample log";
		s->fmt = VF_BIN;
		bad_init(&s->bad, "record");
		s->recsize = s->hdr.record_size;
		s->t0 = bin_t0(r, s->recsize);
		return start_samples(s, field, NULL);
	} else if (fmt == VF_BIN) {
		return "not a binary sample log (bad magic)";
	}
	peek_lines(r, field, &pk);
	if (fmt == VF_AUTO)
		fmt = detect(&pk, field);
	s->fmt = fmt;
	s->t0 = pk.t0;
	if (pk.samples && (fmt == VF_KV || (fmt == VF_NUM && asked == VF_AUTO))) {
		s->fmt = VF_KV;
		s->sample = 1;
		return start_samples(s, field, &pk);
	}
	if (filt)
		return "record filters (--no-expired, --vcpu, --type, --from, "
		       "...) need a sample log (text or binary)";

	switch (fmt) {
	case VF_BIN:
		break;
	case VF_KV:
		if (!field || (!pk.has_key && pk.lines))
			return kv_field_why(&pk, field);
		/* fall through */
	case VF_STAP:
		if (field) {
			kvkey_init(&s->key, field);
			s->key_is_type = !strcmp(field, "type");
		}
		break;
	case VF_COLS:
	case VF_CSV:
		if (!field)
			return "column input needs -f N or -f NAME";
		if (!field_is_number(field, &s->col))
			s->col = 0;	/* name: resolved from the header */
		break;
	case VF_NUM:
		if (field)
			return "-f does not apply to one-number-per-line input";
		if (asked == VF_AUTO && pk.kvlines * 2 > pk.lines)
			return kv_field_why(&pk, NULL);
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
	       ((s->fmt == VF_COLS || s->fmt == VF_CSV) && s->col);
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

/* Deliver sample SMP's field unless the filter drops it. */
static void take_sample(struct vsource *s, const struct kvm_ept_sample_v2 *smp,
			struct hist *h, struct keymap *top)
{
	int64_t v;

	if (s->filt && !filter_pass(s->filt, smp, s->t0))
		return;
	v = ept_field_get(smp, s->ef);
	if (!top) {
		hist_add(h, v, 1);
	} else if (s->ef == EPT_F_TYPE) {
		char type[4];

		ept_type_str(type, smp->xwr);
		add_key(top, type, type + 3, 1);
	} else if (s->ef == EPT_F_GFN) {
		char buf[24];
		int k = snprintf(buf, sizeof(buf), "0x%" PRIx64, (uint64_t)v);

		add_key(top, buf, buf + k, 1);
	} else {
		add_int_key(top, v, 1);
	}
	s->values++;
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

			s->recno++;
			ept_bin_decode(recs, &smp);
			why = ept_sample_check(&smp);
			if (unlikely(why != NULL)) {
				bad_add(&s->bad, s->recno, why);
				continue;
			}
			take_sample(s, &smp, h, top);
		}
	}
}

/* Parse a value token: an integer, or for type= an access type. */
static always_inline int token_value(const struct vsource *s, const char *vp,
			      const char *ve, int64_t *v)
{
	int x, rc = parse_i64(vp, ve, v);

	if (likely(!rc))
		return 0;
	if (s->key_is_type && (x = ept_type_parse(vp, ve)) >= 0) {
		*v = x;
		return 0;
	}
	return rc;
}

/* Deliver the value token [vp, ve): NULL, or why it is unusable. */
static always_inline const char *take(struct vsource *s, struct hist *h,
			       struct keymap *top, const char *vp,
			       const char *ve)
{
	int64_t v;
	int rc;

	if (top) {
		add_key(top, vp, ve, 1);
	} else {
		rc = token_value(s, vp, ve, &v);
		if (unlikely(rc))
			return rc == NUM_RANGE ? "value out of range (beyond "
			       "64 bits)" : "value is not an integer";
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
	s->col = s->fmt == VF_CSV ? csv_index(s->field, l, e) :
		 col_index(s->field, l, e);
	if (s->col)
		return 1;
	if (*l == '#')		/* a comment that does not name it */
		return 1;
	s->fatal = "no column of that name in the header line";
	return 1;
}

/* One line [l, e) (line number LINENO) of a text format: a value, a
 * comment, SystemTap @hist text or a malformed line. */
static void one_line(struct vsource *s, uint64_t lineno, const char *l,
		     const char *e, struct hist *h, struct keymap *top)
{
	const char *why, *vp = NULL, *ve = NULL;
	struct kvm_ept_sample_v2 smp;
	int64_t v;
	uint64_t w;
	int rc;

	if (unlikely((s->fmt == VF_COLS || s->fmt == VF_CSV) && !s->col)) {
		if (cols_header(s, l, e))
			return;
	}
	/* A CSV's header line, when the column was given by number, or
	 * again (kvm_stat repeats none; a concatenation may). */
	if (unlikely(s->fmt == VF_CSV && e - l > 10 && !memcmp(l, "timestamp,", 10)))
		return;
	/* Comments and blank lines: never data. */
	if (unlikely(l == e || *l == '#' || is_sep(*l)) &&
	    line_is_blank_or_comment(l, e)) {
		s->blk.in_block = 0;
		return;
	}
	switch (s->fmt) {
	case VF_KV:
		if (s->rec) {
			why = ept_text_parse(l, e, &smp, 0);
			if (!why) {
				take_sample(s, &smp, h, top);
				return;
			}
		} else if (likely(!kv_get(&s->key, l, e, &vp, &ve))) {
			why = take(s, h, top, vp, ve);
			if (likely(!why))
				return;
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
		rc = parse_i64(vp, ve, &v);
		if (likely(!rc)) {
			if (top)
				add_key(top, vp, ve, 1);
			else
				hist_add(h, v, 1);
			s->values++;
			return;
		}
		why = num_why(rc);
		break;
	case VF_COLS:
	case VF_CSV:
		if (likely(!(s->fmt == VF_CSV ? csv_get(s->col, l, e, &vp, &ve) :
			     col_get(s->col, l, e, &vp, &ve)))) {
			why = take(s, h, top, vp, ve);
			if (likely(!why))
				return;
		} else {
			why = "no such column";
		}
		break;
	case VF_STAP:
		if (s->field && !kv_get(&s->key, l, e, &vp, &ve)) {
			why = take(s, h, top, vp, ve);
			if (!why)
				return;
		} else {
			why = s->field ? "no such key" :
			      "not SystemTap histogram text";
		}
		break;
	default:
		why = "internal error";
		break;
	}
	if (other_line(s, lineno, l, e, why, &v, &w)) {
		if (top)
			add_int_key(top, v, w);
		else
			hist_add(h, v, w);
		s->values += w;
	}
}

/*
 * The fast path for key=value lines whose last token is the key (the
 * module's text log with -f delay): per line, one look at the 16 bytes
 * before the '\n'. It takes only lines that the general path would
 * read the same way - a line starting with neither '#' nor a blank,
 * ending in " KEY=" (or starting with "KEY=") and 1 to 12 decimal
 * digits - and only while kv_get would try the last token first
 * (key.last). Any other line goes to one_line, so values and the
 * malformed-line account are exactly those of the general path.
 */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FAST_KV 1

static always_inline uint64_t load64(const char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/* 0x80 in each byte of W that is not an ASCII digit. */
static always_inline uint64_t nondigits(uint64_t w)
{
	const uint64_t hi = (w & 0xf0f0f0f0f0f0f0f0ULL) ^ 0x3030303030303030ULL;
	const uint64_t lo = ((w & 0x0f0f0f0f0f0f0f0fULL) +
			     0x0606060606060606ULL) & 0x1010101010101010ULL;
	const uint64_t x = hi | lo;

	return (((x & 0x7f7f7f7f7f7f7f7fULL) + 0x7f7f7f7f7f7f7f7fULL) | x) &
	       0x8080808080808080ULL;
}

/* The value of 8 digits (bytes '0'..'9' or 0, the first the most
 * significant), three multiplies. */
static always_inline uint64_t eight_digits(uint64_t w)
{
	w = (w & 0x0f0f0f0f0f0f0f0fULL) * 2561 >> 8;
	w = (w & 0x00ff00ff00ff00ffULL) * 6553601 >> 16;
	return (w & 0x0000ffff0000ffffULL) * 42949672960001ULL >> 32;
}

/* Values of at most 12 digits (< 10^12), so that the sum of a block's
 * values (at most 2^24 lines: see kvfast_block) fits 64 bits. */
#define KVFAST_DIGITS	12
#define KVFAST_BLOCK	(64u << 20)	/* the largest block (bytes) */

struct kvfast {
	uint64_t pat, mask;	/* "KEY=" as the last klen+1 bytes of a word */
	uint64_t spat, smask;	/* " KEY=" likewise (0 if too long) */
	unsigned klen;
};

static int kvfast_init(struct kvfast *f, const struct vsource *s)
{
	size_t n = s->key.len + 1;

	if (s->fmt != VF_KV || s->rec || s->key_is_type || n > 8 ||
	    !s->key.len)
		return 0;
	f->klen = (unsigned)s->key.len;
	f->pat = 0;
	for (size_t i = 0; i < n; i++)
		f->pat |= (uint64_t)(unsigned char)(i < s->key.len ?
			  s->key.key[i] : '=') << (8 * (8 - n + i));
	f->mask = ~0ULL << (8 * (8 - n));
	f->spat = f->smask = 0;
	if (n < 8) {
		f->spat = f->pat | (uint64_t)' ' << (8 * (7 - n));
		f->smask = ~0ULL << (8 * (7 - n));
	}
	return 1;
}

/* The value of line [l, e) if the fast path takes it: 0, else -1. It
 * reads from e - 23, so the buffer must have LR_PAD bytes before it;
 * the byte before L is the previous line's '\n' or such padding. */
static always_inline int kvfast_line(const struct kvfast *f, const char *l,
				     const char *e, int64_t *v)
{
	uint64_t lo, hi, nd, w, kw;
	unsigned ndig;
	const char *kp;

	if (unlikely(*l == '#' || is_sep(*l)))
		return -1;
	lo = load64(e - 8);
	hi = load64(e - 16);
	nd = nondigits(lo);
	if (likely(nd)) {
		ndig = (unsigned)__builtin_clzll(nd) / 8;	/* 0..7 */
		if (unlikely(!ndig))
			return -1;
		w = eight_digits(lo & (~0ULL << (8 * (8 - ndig))));
	} else {
		nd = nondigits(hi);
		if (unlikely(!nd))
			return -1;			/* 16 digits */
		ndig = 8 + (unsigned)__builtin_clzll(nd) / 8;	/* 8..15 */
		if (unlikely(ndig > KVFAST_DIGITS))
			return -1;
		w = eight_digits(lo);
		if (ndig > 8)
			w += eight_digits(hi & (~0ULL << (8 * (16 - ndig)))) *
			     100000000;
	}
	/* "KEY=" ends where the digits start; a blank or the line's start
	 * before it. */
	kw = load64(e - ndig - 8);
	if (likely(!((kw ^ f->spat) & f->smask) && f->smask)) {
		/* " KEY=": the blank cannot be before L (see above) */
	} else {
		kp = e - ndig - 1 - f->klen;
		if (kp < l || ((kw ^ f->pat) & f->mask) ||
		    (kp > l && !is_sep(kp[-1])))
			return -1;
	}
	*v = (int64_t)w;
	return 0;
}

#ifdef __SSE2__
#include <emmintrin.h>

/* Bit i set when p[i] == '\n', for the 64 bytes at P. */
static always_inline uint64_t newlines64(const char *p)
{
	const __m128i nl = _mm_set1_epi8('\n');
	uint64_t m0 = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
		_mm_loadu_si128((const __m128i *)p), nl));
	uint64_t m1 = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
		_mm_loadu_si128((const __m128i *)(p + 16)), nl));
	uint64_t m2 = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
		_mm_loadu_si128((const __m128i *)(p + 32)), nl));
	uint64_t m3 = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
		_mm_loadu_si128((const __m128i *)(p + 48)), nl));

	return m0 | m1 << 16 | m2 << 32 | m3 << 48;
}
#else
static always_inline uint64_t newlines64(const char *p)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < 64; i++)
		m |= (uint64_t)(p[i] == '\n') << i;
	return m;
}
#endif

/* Lines of block [p, end) (ending in '\n', at most KVFAST_BLOCK bytes,
 * so at most 2^24 lines, each of 4 bytes or more, take the fast path); END + 64
 * must be readable (LR_PAD). Returns the lines seen. */
static uint64_t kvfast_block(struct vsource *s, const struct kvfast *f,
			     const char *p, const char *end,
			     uint64_t lineno, struct hist *h)
{
	const char *l = p;
	uint64_t n = 0;
	const struct hist hc = *h;	/* parameters kept in registers */
	uint64_t sum = 0, count = 0;
	int64_t vmin = INT64_MAX, vmax = 0;
	int last = s->key.last;

	for (const char *q = p; q < end; q += 64) {
		uint64_t m = newlines64(q);

		if (end - q < 64)
			m &= (1ULL << (end - q)) - 1;
		while (m) {
			const char *e = q + __builtin_ctzll(m), *le = e;
			int64_t v;

			m &= m - 1;
			n++;
			if (likely(last) &&
			    likely(!kvfast_line(f, l, e, &v))) {
				hc.b[hist_index(&hc, v)]++;
				vmin = v < vmin ? v : vmin;
				vmax = v > vmax ? v : vmax;
				sum += (uint64_t)v;
				count++;
			} else {
				if (le > l && le[-1] == '\r')
					le--;
				one_line(s, lineno + n, l, le, h, NULL);
				last = s->key.last;
			}
			l = e + 1;
		}
	}
	if (count) {
		struct hist_acc acc = { vmin, vmax, count, sum };

		hist_acc_fold(h, &acc);
		s->values += count;
	}
	return n;
}
#else
#define FAST_KV 0
#endif

void vsource_run(struct vsource *s, struct lreader *r, struct hist *h,
		 struct keymap *top)
{
	const char *l, *e;

	if (s->fmt == VF_BIN) {
		run_bin(s, r, h, top);
		return;
	}
#if FAST_KV
	struct kvfast f;

	if (!top && !s->no_fast && r->cap <= KVFAST_BLOCK &&
	    kvfast_init(&f, s)) {
		for (;;) {
			l = lr_block(r, &e);
			if (l) {
				r->lineno += kvfast_block(s, &f, l, e,
							  r->lineno, h);
				continue;
			}
			l = lr_line(r, &e);
			if (!l)
				return;
			one_line(s, r->lineno, l, e, h, top);
		}
	}
#endif
	while ((l = lr_line(r, &e))) {
		one_line(s, r->lineno, l, e, h, top);
		if (unlikely(s->fatal != NULL))
			return;
	}
}
