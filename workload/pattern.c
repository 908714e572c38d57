// SPDX-License-Identifier: GPL-2.0
/*
 * pattern.c - parse --pattern and --mix, build the sampling tables the guest
 * uses (a frame permutation, a zipf alias table) and answer "what share of
 * accesses does frame f get in phase k" for the truth file.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pattern.h"

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* A finite number, the whole string.  Returns 0 on success. */
static int parse_double(const char *s, double *out)
{
	char *end;

	if (!*s)
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	if (errno || *end || !isfinite(*out))
		return -1;
	return 0;
}

/* "10%" or "10": a percentage in [0, 100]. */
static int parse_pct(const char *s, double *out)
{
	char buf[64];
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n + 1);
	if (buf[n - 1] == '%')
		buf[n - 1] = 0;
	if (parse_double(buf, out) || *out < 0 || *out > 100)
		return -1;
	return 0;
}

int pattern_parse(const char *spec, struct pattern *p, char *err, size_t len)
{
	char buf[256], *args, *tok, *save = NULL;
	int have_hot = 0, have_p = 0, have_every = 0, have_n = 0;

	memset(p, 0, sizeof(*p));
	p->hot_pct = 10;
	p->p = 0.9;
	p->s = 1.1;
	p->cover = 0.9;
	p->nphases = 1;
	if (strlen(spec) >= sizeof(buf))
		return fail(err, len, "--pattern: too long");
	strcpy(buf, spec);
	args = strchr(buf, ':');
	if (args)
		*args++ = 0;

	if (!strcmp(buf, "uniform"))
		p->kind = PAT_UNIFORM;
	else if (!strcmp(buf, "hotcold"))
		p->kind = PAT_HOTCOLD;
	else if (!strcmp(buf, "zipf"))
		p->kind = PAT_ZIPF;
	else if (!strcmp(buf, "seq"))
		p->kind = PAT_SEQ;
	else if (!strcmp(buf, "phases"))
		p->kind = PAT_PHASES;
	else
		return fail(err, len,
			    "--pattern: unknown pattern '%s' (want uniform, hotcold, zipf, seq or phases)",
			    buf);

	for (tok = args ? strtok_r(args, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *val = strchr(tok, '=');
		int hc = p->kind == PAT_HOTCOLD || p->kind == PAT_PHASES;

		if (val)
			*val++ = 0;
		if (!strcmp(tok, "contiguous") && !val &&
		    (hc || p->kind == PAT_ZIPF)) {
			p->contiguous = 1;
		} else if (!strcmp(tok, "scattered") && !val &&
			   (hc || p->kind == PAT_ZIPF)) {
			p->contiguous = 0;
		} else if (!val) {
			return fail(err, len, "--pattern %s: '%s' is not key=value",
				    buf, tok);
		} else if (hc && !strcmp(tok, "hot")) {
			if (parse_pct(val, &p->hot_pct))
				return fail(err, len,
					    "--pattern %s: bad percentage hot=%s (want 0-100%%)",
					    buf, val);
			have_hot = 1;
		} else if (hc && !strcmp(tok, "p")) {
			if (parse_double(val, &p->p) || p->p < 0 || p->p > 1)
				return fail(err, len,
					    "--pattern %s: bad probability p=%s (want 0 to 1)",
					    buf, val);
			have_p = 1;
		} else if (p->kind == PAT_ZIPF && !strcmp(tok, "s")) {
			if (parse_double(val, &p->s) || p->s <= 0 || p->s > 100)
				return fail(err, len,
					    "--pattern zipf: bad exponent s=%s (want > 0)",
					    val);
		} else if (p->kind == PAT_ZIPF && !strcmp(tok, "cover")) {
			if (parse_double(val, &p->cover) || p->cover <= 0 ||
			    p->cover > 1)
				return fail(err, len,
					    "--pattern zipf: bad cover=%s (want 0 < cover <= 1)",
					    val);
		} else if (p->kind == PAT_PHASES && !strcmp(tok, "every")) {
			size_t n = strlen(val);

			if (n && val[n - 1] == 's')
				val[n - 1] = 0;
			if (parse_double(val, &p->every) || p->every <= 0 ||
			    p->every > 1e6)
				return fail(err, len,
					    "--pattern phases: bad every=%s (want seconds > 0)",
					    val);
			have_every = 1;
		} else if (p->kind == PAT_PHASES && !strcmp(tok, "n")) {
			char *end;
			long n;

			errno = 0;
			n = strtol(val, &end, 10);
			if (errno || *end || !*val || n < 1 || n > GUEST_MAX_PHASES)
				return fail(err, len,
					    "--pattern phases: bad n=%s (want 1-%d)",
					    val, GUEST_MAX_PHASES);
			p->nphases = (int)n;
			have_n = 1;
		} else {
			return fail(err, len, "--pattern %s: unknown parameter '%s'",
				    buf, tok);
		}
	}
	if (p->kind == PAT_PHASES) {
		if (!have_every)
			p->every = 1;
		if (!have_n)
			p->nphases = 2;
	}
	if ((p->kind == PAT_HOTCOLD || p->kind == PAT_PHASES) && p->hot_pct == 0)
		return fail(err, len, "--pattern %s: hot=0%% leaves no hot set", buf);
	(void)have_hot;
	(void)have_p;

	switch (p->kind) {
	case PAT_UNIFORM:
		snprintf(p->spec, sizeof(p->spec), "uniform");
		break;
	case PAT_SEQ:
		snprintf(p->spec, sizeof(p->spec), "seq");
		break;
	case PAT_HOTCOLD:
		snprintf(p->spec, sizeof(p->spec), "hotcold:hot=%g%%,p=%g%s",
			 p->hot_pct, p->p, p->contiguous ? ",contiguous" : "");
		break;
	case PAT_ZIPF:
		snprintf(p->spec, sizeof(p->spec), "zipf:s=%g,cover=%g%s",
			 p->s, p->cover, p->contiguous ? ",contiguous" : "");
		break;
	case PAT_PHASES:
		snprintf(p->spec, sizeof(p->spec),
			 "phases:every=%g,n=%d,hot=%g%%,p=%g%s", p->every,
			 p->nphases, p->hot_pct, p->p,
			 p->contiguous ? ",contiguous" : "");
		break;
	}
	return 0;
}

int mix_parse(const char *spec, struct mix *m, char *err, size_t len)
{
	char buf[128], *tok, *save = NULL;

	m->r = m->w = m->x = 0;
	if (strlen(spec) >= sizeof(buf))
		return fail(err, len, "--mix: too long");
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *val = strchr(tok, '=');
		double *dst, v;

		if (!val)
			return fail(err, len, "--mix: '%s' is not key=value (want r=,w=,x=)",
				    tok);
		*val++ = 0;
		if (!strcmp(tok, "r"))
			dst = &m->r;
		else if (!strcmp(tok, "w"))
			dst = &m->w;
		else if (!strcmp(tok, "x"))
			dst = &m->x;
		else
			return fail(err, len, "--mix: unknown access type '%s' (want r, w or x)",
				    tok);
		if (parse_pct(val, &v))
			return fail(err, len, "--mix: bad percentage %s=%s (want 0-100)",
				    tok, val);
		*dst = v;
	}
	if (fabs(m->r + m->w + m->x - 100) > 1e-9)
		return fail(err, len, "--mix: r+w+x must be 100, got %g",
			    m->r + m->w + m->x);
	return 0;
}

void mix_thresholds(const struct mix *m, uint32_t *thr_read, uint32_t *thr_rw)
{
	*thr_read = (uint32_t)llround(m->r / 100 * 65536);
	*thr_rw = m->x == 0 ? 65536 : (uint32_t)llround((m->r + m->w) / 100 * 65536);
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Vose's alias method over ranks; entries name frames through perm. */
static int build_alias(struct pattern_model *m, char *err, size_t len)
{
	uint64_t n = m->nframes, i, ns = 0, nl = 0;
	double *q = malloc(n * sizeof(*q));
	uint32_t *small = malloc(n * sizeof(*small));
	uint32_t *large = malloc(n * sizeof(*large));

	m->alias = calloc(n, sizeof(*m->alias));
	if (!q || !small || !large || !m->alias) {
		free(q);
		free(small);
		free(large);
		return fail(err, len, "out of memory building the zipf table");
	}
	for (i = 0; i < n; i++) {
		q[i] = m->zshare[i] * (double)n;
		if (q[i] < 1)
			small[ns++] = (uint32_t)i;
		else
			large[nl++] = (uint32_t)i;
	}
	while (ns && nl) {
		uint32_t s = small[--ns], l = large[nl - 1];

		m->alias[s].thr = (uint64_t)llround(q[s] * 4294967296.0);
		m->alias[s].frame = m->perm[s];
		m->alias[s].alias = m->perm[l];
		q[l] -= 1 - q[s];
		if (q[l] < 1) {
			nl--;
			small[ns++] = l;
		}
	}
	while (nl) {
		uint32_t l = large[--nl];

		m->alias[l].thr = 1ULL << 32;
		m->alias[l].frame = m->alias[l].alias = m->perm[l];
	}
	while (ns) {	/* rounding leftovers: probability ~1 */
		uint32_t s = small[--ns];

		m->alias[s].thr = 1ULL << 32;
		m->alias[s].frame = m->alias[s].alias = m->perm[s];
	}
	free(q);
	free(small);
	free(large);
	return 0;
}

int pattern_build(const struct pattern *p, uint64_t nframes, uint64_t seed,
		  struct pattern_model *m, char *err, size_t len)
{
	uint64_t i;

	memset(m, 0, sizeof(*m));
	m->pat = p;
	m->nframes = nframes;
	if (nframes == 0 || nframes > 0xffffffffULL)
		return fail(err, len, "bad number of frames %llu",
			    (unsigned long long)nframes);
	m->perm = malloc(nframes * sizeof(*m->perm));
	m->inv = malloc(nframes * sizeof(*m->inv));
	if (!m->perm || !m->inv) {
		pattern_free(m);
		return fail(err, len, "out of memory for %llu frames",
			    (unsigned long long)nframes);
	}
	for (i = 0; i < nframes; i++)
		m->perm[i] = (uint32_t)i;
	if (!p->contiguous && p->kind != PAT_UNIFORM && p->kind != PAT_SEQ) {
		uint64_t s = seed ^ 0x5eed5eed5eed5eedULL;

		for (i = nframes - 1; i > 0; i--) {
			uint64_t j = splitmix64(&s) % (i + 1);
			uint32_t t = m->perm[i];

			m->perm[i] = m->perm[j];
			m->perm[j] = t;
		}
	}
	for (i = 0; i < nframes; i++)
		m->inv[m->perm[i]] = (uint32_t)i;

	switch (p->kind) {
	case PAT_UNIFORM:
	case PAT_SEQ:
		m->nhot = nframes;
		m->ncold = 0;
		m->p_eff = 1;
		break;
	case PAT_HOTCOLD:
	case PAT_PHASES:
		m->nhot = (uint64_t)llround((double)nframes * p->hot_pct / 100);
		if (m->nhot == 0) {
			pattern_free(m);
			return fail(err, len,
				    "--pattern: hot=%g%% of %llu frames is an empty hot set",
				    p->hot_pct, (unsigned long long)nframes);
		}
		if (m->nhot > nframes)
			m->nhot = nframes;
		m->ncold = nframes - m->nhot;
		m->p_eff = m->ncold ? p->p : 1;
		for (i = 0; i < (uint64_t)p->nphases; i++)
			m->phase_off[i] = (i * m->nhot) % nframes;
		break;
	case PAT_ZIPF: {
		double h = 0, cum = 0;

		m->zshare = malloc(nframes * sizeof(*m->zshare));
		if (!m->zshare) {
			pattern_free(m);
			return fail(err, len, "out of memory for the zipf table");
		}
		for (i = 0; i < nframes; i++) {
			m->zshare[i] = pow((double)(i + 1), -p->s);
			h += m->zshare[i];
		}
		for (i = 0; i < nframes; i++)
			m->zshare[i] /= h;
		/* Hot set: the fewest top ranks that take `cover` of accesses. */
		for (i = 0; i < nframes; i++) {
			cum += m->zshare[i];
			if (cum >= p->cover - 1e-12)
				break;
		}
		m->nhot = i < nframes ? i + 1 : nframes;
		m->ncold = nframes - m->nhot;
		m->p_eff = 1;
		if (build_alias(m, err, len)) {
			pattern_free(m);
			return -1;
		}
		break;
	}
	}
	if (m->p_eff >= 1)
		m->hot_thr = 1ULL << 32;
	else
		m->hot_thr = (uint64_t)llround(m->p_eff * 4294967296.0);
	return 0;
}

void pattern_free(struct pattern_model *m)
{
	free(m->perm);
	free(m->inv);
	free(m->alias);
	free(m->zshare);
	m->perm = m->inv = NULL;
	m->alias = NULL;
	m->zshare = NULL;
}

void pattern_frame(const struct pattern_model *m, int phase, uint64_t frame,
		   double *share, int *hot)
{
	uint64_t n = m->nframes, k = m->inv[frame];

	switch (m->pat->kind) {
	case PAT_UNIFORM:
	case PAT_SEQ:
		*share = 1.0 / (double)n;
		*hot = 1;
		return;
	case PAT_ZIPF:
		*share = m->zshare[k];
		*hot = k < m->nhot;
		return;
	case PAT_HOTCOLD:
	case PAT_PHASES:
		k = (k + n - m->phase_off[phase]) % n;
		*hot = k < m->nhot;
		if (*hot)
			*share = m->p_eff / (double)m->nhot;
		else
			*share = m->ncold ? (1 - m->p_eff) / (double)m->ncold : 0;
		return;
	}
}
