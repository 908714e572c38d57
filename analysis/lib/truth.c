/* SPDX-License-Identifier: GPL-2.0 */
/* truth.c - ground-truth file parser and loader (see truth.h). */
#include "truth.h"

#include <err.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "fields.h"
#include "num.h"
#include "reader.h"

#define MAX_PHASES	65536

/* strtod needs a NUL-terminated string: copy the short value. */
static int parse_share(const char *v, const char *e, double *out)
{
	char buf[64], *end;
	size_t n = (size_t)(e - v);

	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, v, n);
	buf[n] = 0;
	/* Plain decimal or exponent notation only: no hex, inf or nan. */
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789.eE+-", buf[i]))
			return -1;
	*out = strtod(buf, &end);
	if (*end || !isfinite(*out) || *out < 0 || *out > 1)
		return -1;
	return 0;
}

static const char *parse_kv(const char *l, const char *e,
			    struct truth_row *row)
{
	struct kvkey kp, kg, ks, kh;
	const char *v, *ve;
	uint64_t u;

	kvkey_init(&kp, "phase");
	kvkey_init(&kg, "gfn");
	kvkey_init(&ks, "share");
	kvkey_init(&kh, "hot");
	if (kv_get(&kp, l, e, &v, &ve) || parse_dec_u64(v, ve, &u) ||
	    u >= MAX_PHASES)
		return "bad or missing phase=";
	row->phase = (uint32_t)u;
	if (kv_get(&kg, l, e, &v, &ve) || ve - v < 3 || v[0] != '0' ||
	    v[1] != 'x' || parse_hex_u64(v + 2, ve, &row->gfn))
		return "bad or missing gfn=";
	if (kv_get(&ks, l, e, &v, &ve) || parse_share(v, ve, &row->share))
		return "bad or missing share=";
	if (kv_get(&kh, l, e, &v, &ve) || ve - v != 1 ||
	    (*v != '0' && *v != '1'))
		return "bad or missing hot=";
	row->hot = *v == '1';
	return NULL;
}

static const char *parse_cols(const char *l, const char *e,
			      const struct truth_cols *c, struct truth_row *row)
{
	const char *v, *ve;
	uint64_t u;

	if (col_get(c->gfn + 1, l, e, &v, &ve) || parse_u64(v, ve, &row->gfn))
		return "bad or missing gfn column";
	if (col_get(c->phase + 1, l, e, &v, &ve) ||
	    parse_dec_u64(v, ve, &u) || u >= MAX_PHASES)
		return "bad or missing phase column";
	row->phase = (uint32_t)u;
	if (col_get(c->share + 1, l, e, &v, &ve) ||
	    parse_share(v, ve, &row->share))
		return "bad or missing share column";
	if (col_get(c->hot + 1, l, e, &v, &ve) || ve - v != 1 ||
	    (*v != '0' && *v != '1'))
		return "bad or missing hot column";
	row->hot = *v == '1';
	if (!col_get(5, l, e, &v, &ve))
		return "more than 4 columns";
	return NULL;
}

const char *truth_parse(const char *l, const char *e,
			const struct truth_cols *cols, struct truth_row *row)
{
	static const struct truth_cols def = { 0, 1, 2, 3 };

	if (memchr(l, '=', (size_t)(e - l)))
		return parse_kv(l, e, row);
	return parse_cols(l, e, cols ? cols : &def, row);
}

/* "# phase_seconds=S" and "# columns=a b c d" comments. */
static void truth_comment(struct truth *t, const char *l, const char *e)
{
	static const char ps[] = "phase_seconds=", co[] = "columns=";
	const char *p = l + 1;

	while (p < e && is_sep(*p))
		p++;
	if ((size_t)(e - p) > sizeof(ps) - 1 &&
	    !memcmp(p, ps, sizeof(ps) - 1)) {
		double s;

		p += sizeof(ps) - 1;
		/* parse_share caps at 1: parse the seconds separately. */
		char buf[32], *end;
		size_t n = (size_t)(e - p);

		if (n < sizeof(buf)) {
			memcpy(buf, p, n);
			buf[n] = 0;
			s = strtod(buf, &end);
			if (!*end && isfinite(s) && s > 0 && s < 1e9)
				t->phase_seconds = s;
		}
	} else if ((size_t)(e - p) > sizeof(co) - 1 &&
		   !memcmp(p, co, sizeof(co) - 1)) {
		static const char *const names[4] = {
			"gfn", "phase", "share", "hot" };
		unsigned idx[4];
		const char *q = p + sizeof(co) - 1;

		for (int k = 0; k < 4; k++) {
			unsigned c = col_index(names[k], q, e);

			if (!c || c > 4)
				return;		/* unusable: keep the default */
			idx[k] = c - 1;
		}
		t->cols.gfn = idx[0];
		t->cols.phase = idx[1];
		t->cols.share = idx[2];
		t->cols.hot = idx[3];
	}
}

static int row_cmp(const void *a, const void *b)
{
	const struct truth_row *x = a, *y = b;

	return x->gfn < y->gfn ? -1 : x->gfn > y->gfn;
}

static void truth_read(struct truth *t, struct lreader *r)
{
	const char *l, *e, *why;
	struct truth_row row;

	while ((l = lr_line(r, &e))) {
		struct truth_phase *ph;

		if (line_is_blank_or_comment(l, e)) {
			if (l < e && *l == '#')
				truth_comment(t, l, e);
			continue;
		}
		why = truth_parse(l, e, &t->cols, &row);
		if (why) {
			bad_add(&t->bad, r->lineno, why);
			continue;
		}
		if (row.phase >= t->nphases) {
			t->phases = xrealloc(t->phases, (row.phase + 1) *
					     sizeof(*t->phases));
			memset(t->phases + t->nphases, 0,
			       (row.phase + 1 - t->nphases) *
			       sizeof(*t->phases));
			t->nphases = row.phase + 1;
		}
		ph = &t->phases[row.phase];
		if (ph->n == ph->cap) {
			ph->cap = ph->cap ? ph->cap * 2 : 64;
			ph->rows = xrealloc(ph->rows,
					    ph->cap * sizeof(*ph->rows));
		}
		ph->rows[ph->n++] = row;
	}
	for (uint32_t p = 0; p < t->nphases; p++) {
		struct truth_phase *ph = &t->phases[p];
		size_t w = 0;

		/* qsort is not stable: keep each row's input index in
		 * .phase meanwhile, so the last duplicate of a gfn wins. */
		for (size_t i = 0; i < ph->n; i++)
			ph->rows[i].phase = (uint32_t)i;	/* tie-break */
		if (ph->n)
			qsort(ph->rows, ph->n, sizeof(*ph->rows), row_cmp);
		for (size_t i = 0; i < ph->n; i++) {
			if (w && ph->rows[w - 1].gfn == ph->rows[i].gfn) {
				if (ph->rows[i].phase > ph->rows[w - 1].phase)
					ph->rows[w - 1] = ph->rows[i];
				continue;
			}
			ph->rows[w++] = ph->rows[i];
		}
		ph->n = w;
		ph->nhot = 0;
		for (size_t i = 0; i < w; i++) {
			ph->rows[i].phase = p;
			ph->nhot += (size_t)ph->rows[i].hot;
		}
	}
}

int truth_load(struct truth *t, const char *path)
{
	struct lreader r;

	memset(t, 0, sizeof(*t));
	bad_init(&t->bad, "line");
	t->cols = (struct truth_cols){ 0, 1, 2, 3 };
	if (lr_open(&r, path, &t->bad))
		return -1;
	truth_read(t, &r);
	lr_close(&r);
	return 0;
}

int truth_load_mem(struct truth *t, const void *data, size_t len)
{
	struct lreader r;

	memset(t, 0, sizeof(*t));
	bad_init(&t->bad, "line");
	t->cols = (struct truth_cols){ 0, 1, 2, 3 };
	lr_open_mem(&r, data, len, &t->bad);
	truth_read(t, &r);
	lr_close(&r);
	return 0;
}

size_t truth_phase_lower(const struct truth_phase *ph, uint64_t gfn)
{
	size_t lo = 0, hi = ph->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ph->rows[mid].gfn < gfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int share_desc_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y) - (x > y);
}

double truth_best_share(const struct truth_phase *ph, size_t capacity)
{
	double *s, top = 0, all = 0;

	if (!ph->n)
		return 0;
	s = xcalloc(ph->n, sizeof(*s));
	for (size_t i = 0; i < ph->n; i++)
		s[i] = ph->rows[i].share;
	qsort(s, ph->n, sizeof(*s), share_desc_cmp);
	for (size_t i = 0; i < ph->n; i++) {
		all += s[i];
		top += i < capacity ? s[i] : 0;
	}
	free(s);
	return all > 0 ? top / all : 0;
}

const struct truth_row *truth_find(const struct truth *t, uint32_t p,
				   uint64_t gfn)
{
	const struct truth_phase *ph;
	size_t i;

	if (p >= t->nphases)
		return NULL;
	ph = &t->phases[p];
	i = truth_phase_lower(ph, gfn);
	return i < ph->n && ph->rows[i].gfn == gfn ? &ph->rows[i] : NULL;
}

void truth_free(struct truth *t)
{
	for (uint32_t p = 0; p < t->nphases; p++)
		free(t->phases[p].rows);
	free(t->phases);
	t->phases = NULL;
	t->nphases = 0;
}

void truth_load_phased(struct truth *t, const char *path,
		       struct truth_phasing *ph)
{
	if (ph->times_path)
		truth_load_phase_times(ph, ph->times_path);
	if (truth_load(t, path))
		err(2, "%s", path);
	bad_report(&t->bad, stderr, path);
	if (!t->nphases)
		errx(2, "%s: no ground-truth lines", path);
	if (t->nphases > 1 && !ph->have_phase && !ph->phase_len &&
	    t->phase_seconds > 0)
		ph->phase_len = (uint64_t)(t->phase_seconds * 1e9);
	if (t->nphases > 1 && !ph->have_phase && !ph->phase_len &&
	    !ph->ntimes)
		errx(2, "%s has %u phases and no '# phase_seconds=': "
		     "give --phase, --phase-length or --phase-times", path,
		     t->nphases);
	ph->nphases = t->nphases;
}

/* With phase times: the index of the entry holding the window's middle. */
static size_t phase_time_index(const struct truth_phasing *ph, uint64_t t0,
			       uint64_t start, uint64_t end)
{
	uint64_t mid = start + (end - start) / 2;
	size_t i = 0;

	if (mid < t0)
		return 0;
	while (i + 1 < ph->ntimes && ph->start_ns[i + 1] <= mid - t0)
		i++;
	return i;
}

long truth_window_phase(const struct truth_phasing *ph, uint64_t t0,
			uint64_t start, uint64_t end)
{
	uint64_t mid, p;

	if (ph->have_phase)
		return ph->phase;
	if (ph->ntimes)
		return ph->at[phase_time_index(ph, t0, start, end)];
	if (!ph->phase_len)
		return 0;	/* single-phase truth (checked at load) */
	mid = start + (end - start) / 2;
	if (mid < t0)
		return 0;
	p = (mid - t0) / ph->phase_len;
	return (long)(ph->nphases ? p % ph->nphases : p);
}

long truth_window_prev_phase(const struct truth_phasing *ph, uint64_t t0,
			     uint64_t start, uint64_t end)
{
	size_t i;

	if (!ph->ntimes)
		return -1;
	i = phase_time_index(ph, t0, start, end);
	return i ? (long)ph->at[i - 1] : -1;
}

size_t truth_window_changes(const struct truth_phasing *ph, uint64_t t0,
			    uint64_t start, uint64_t end)
{
	uint64_t margin = (end - start) / 20;
	size_t n = 0;

	for (size_t i = 0; i < ph->ntimes; i++) {
		uint64_t t = t0 + ph->start_ns[i];

		n += t > start + margin && t + margin < end;
	}
	return n;
}

/* One 'phase t=SECONDS phase=P' line into *T and *P: 0, or -1. */
static int parse_phase_line(const char *l, uint64_t *t, uint32_t *p)
{
	double secs;
	unsigned int phase;
	int used = 0;

	if (sscanf(l, "phase t=%lf phase=%u%n", &secs, &phase, &used) != 2 ||
	    (l[used] && l[used] != '\n') || !isfinite(secs) || secs < 0 ||
	    secs > 1e9 || phase >= MAX_PHASES)
		return -1;
	*t = (uint64_t)llround(secs * 1e9);
	*p = phase;
	return 0;
}

void truth_load_phase_times(struct truth_phasing *ph, const char *path)
{
	char line[4096];
	size_t lineno = 0, cap = 16;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		err(2, "%s", path);
	ph->start_ns = xcalloc(cap, sizeof(*ph->start_ns));
	ph->at = xcalloc(cap, sizeof(*ph->at));
	ph->ntimes = 1;		/* phase 0 from the start */
	while (fgets(line, sizeof(line), f)) {
		uint64_t t;
		uint32_t p;

		lineno++;
		if (strncmp(line, "phase ", 6))
			continue;
		if (parse_phase_line(line, &t, &p))
			errx(2, "%s:%zu: not a 'phase t=SECONDS phase=P' line",
			     path, lineno);
		if (t < ph->start_ns[ph->ntimes - 1])
			errx(2, "%s:%zu: phase change earlier than the one before",
			     path, lineno);
		if (ph->ntimes == cap) {
			cap *= 2;
			ph->start_ns = xrealloc(ph->start_ns,
						cap * sizeof(*ph->start_ns));
			ph->at = xrealloc(ph->at, cap * sizeof(*ph->at));
		}
		ph->start_ns[ph->ntimes] = t;
		ph->at[ph->ntimes++] = p;
	}
	if (ferror(f))
		err(2, "%s", path);
	fclose(f);
}

void truth_phasing_free(struct truth_phasing *ph)
{
	free(ph->start_ns);
	free(ph->at);
	ph->start_ns = NULL;
	ph->at = NULL;
	ph->ntimes = 0;
}

const char truth_phase_help[] =
"  -p, --phase P           compare every window with truth phase P\n"
"  -L, --phase-length DUR  phase P covers [t0 + P*DUR, t0 + (P+1)*DUR); a\n"
"                          window is compared with the phase of its middle\n"
"                          (default: the truth's '# phase_seconds=')\n"
"  -P, --phase-times FILE  the phases as the guest ran them: the 'phase\n"
"                          t=SECONDS phase=P' lines of workload/guest's\n"
"                          output, SECONDS from the time origin (--t0: the\n"
"                          guest's start); phase 0 runs from 0 to the\n"
"                          first; a window is compared with the phase of\n"
"                          its middle\n";

int truth_option(struct truth_phasing *ph, int c, const char *arg)
{
	if (c == 'p') {
		ph->phase = (uint32_t)opt_u64(arg, "--phase");
		ph->have_phase = 1;
	} else if (c == 'L') {
		ph->phase_len = opt_duration_ns(arg, "--phase-length");
	} else if (c == 'P') {
		ph->times_path = arg;
	} else {
		return 0;
	}
	if (ph->have_phase + !!ph->phase_len + !!ph->times_path > 1)
		errx(2, "--phase, --phase-length and --phase-times exclude "
		     "each other");
	return 1;
}
