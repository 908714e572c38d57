// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - kvmstat's table of fields: lookup and creation, the -f
 * filter, the rounds (previous and current values, the baseline) and
 * what a descriptor's flags mean (type, unit).
 */
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../analysis/lib/common.h"
#include "kvmstat.h"

struct field *table_get(struct table *t, const char *name, enum source src,
			uint32_t flags, int16_t exponent, uint32_t size,
			uint32_t bucket_size, int vcpu_level)
{
	struct field *f;
	size_t i;

	for (i = 0; i < t->n; i++) {
		f = &t->f[i];
		if (f->src == src && !strcmp(f->name, name))
			return f->size == size ? f : NULL;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 128;
		t->f = xrealloc(t->f, t->cap * sizeof(*t->f));
	}
	f = &t->f[t->n++];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	f->src = src;
	f->flags = flags;
	f->exponent = exponent;
	f->size = size ? size : 1;
	f->bucket_size = bucket_size;
	f->vcpu_level = vcpu_level;
	f->base = xcalloc(f->size, sizeof(uint64_t));
	f->prev = xcalloc(f->size, sizeof(uint64_t));
	f->cur = xcalloc(f->size, sizeof(uint64_t));
	f->col_base = xcalloc(t->ncols + 1, sizeof(uint64_t));
	f->col_prev = xcalloc(t->ncols + 1, sizeof(uint64_t));
	f->col_cur = xcalloc(t->ncols + 1, sizeof(uint64_t));
	f->fresh = 1;
	return f;
}

/* kvm_stat's rule: re.match, a match that starts at the name's start. */
int field_wanted(const struct env *env, const char *name)
{
	regmatch_t m;

	if (!env->have_re)
		return 1;
	return !regexec(&env->re, name, 1, &m, 0) && m.rm_so == 0;
}

void table_begin_round(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		struct field *f = &t->f[i];

		memcpy(f->prev, f->cur, f->size * sizeof(uint64_t));
		memcpy(f->col_prev, f->col_cur, t->ncols * sizeof(uint64_t));
		memset(f->cur, 0, f->size * sizeof(uint64_t));
		memset(f->col_cur, 0, t->ncols * sizeof(uint64_t));
		f->present = 0;
	}
}

void table_end_round(struct table *t, int include_past)
{
	size_t i, j;

	for (i = 0; i < t->n; i++) {
		struct field *f = &t->f[i];

		if (f->fresh) {
			/* The first read: no delta yet, and the baseline. */
			memcpy(f->prev, f->cur, f->size * sizeof(uint64_t));
			memcpy(f->col_prev, f->col_cur, t->ncols * sizeof(uint64_t));
			if (!include_past) {
				memcpy(f->base, f->cur, f->size * sizeof(uint64_t));
				memcpy(f->col_base, f->col_cur, t->ncols * sizeof(uint64_t));
			}
			f->fresh = 0;
			continue;
		}
		if (field_type(f) == KVM_STATS_TYPE_INSTANT ||
		    field_type(f) == KVM_STATS_TYPE_PEAK)
			continue;
		/* A counter that went down (debugfs totals when a VM is
		 * gone): move the baseline along, so the total since the
		 * start stays what it was and the delta is 0. */
		for (j = 0; j < f->size; j++)
			if (f->cur[j] < f->prev[j])
				f->base[j] -= f->prev[j] - f->cur[j];
	}
}

static int field_cmp(const void *a, const void *b)
{
	const struct field *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (int)x->src - (int)y->src;
}

void table_reset(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		memcpy(t->f[i].base, t->f[i].cur, t->f[i].size * sizeof(uint64_t));
		memcpy(t->f[i].col_base, t->f[i].col_cur, t->ncols * sizeof(uint64_t));
	}
}

void table_sort(struct table *t)
{
	size_t i;

	qsort(t->f, t->n, sizeof(*t->f), field_cmp);
	for (i = 1; i < t->n; i++)
		if (!strcmp(t->f[i].name, t->f[i - 1].name))
			t->f[i].clash = t->f[i - 1].clash = 1;
}

void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		struct field *f = &t->f[i];

		free(f->name);
		free(f->base);
		free(f->prev);
		free(f->cur);
		free(f->col_base);
		free(f->col_prev);
		free(f->col_cur);
	}
	for (i = 0; i < t->ncols; i++)
		free(t->col_label[i]);
	free(t->f);
	memset(t, 0, sizeof(*t));
}

int field_type(const struct field *f)
{
	return f->flags & KVM_STATS_TYPE_MASK;
}

int field_is_hist(const struct field *f)
{
	return field_type(f) == KVM_STATS_TYPE_LINEAR_HIST ||
	       field_type(f) == KVM_STATS_TYPE_LOG_HIST;
}

uint64_t field_sum(const uint64_t *v, const struct field *f)
{
	uint64_t s = 0;
	uint32_t i;

	for (i = 0; i < f->size; i++)
		s += v[i];
	return s;
}

/* Instant and peak values are values, not counts since the baseline. */
uint64_t field_value(const struct field *f)
{
	if (field_type(f) == KVM_STATS_TYPE_INSTANT ||
	    field_type(f) == KVM_STATS_TYPE_PEAK)
		return f->cur[0];
	return field_sum(f->cur, f) - field_sum(f->base, f);
}

uint64_t field_delta(const struct field *f)
{
	uint64_t c, p;

	if (field_type(f) == KVM_STATS_TYPE_INSTANT ||
	    field_type(f) == KVM_STATS_TYPE_PEAK)
		return f->cur[0];
	c = field_sum(f->cur, f);
	p = field_sum(f->prev, f);
	return c > p ? c - p : 0;
}

uint64_t col_value(const struct field *f, size_t col)
{
	if (field_type(f) == KVM_STATS_TYPE_INSTANT ||
	    field_type(f) == KVM_STATS_TYPE_PEAK)
		return f->col_cur[col];
	return f->col_cur[col] - f->col_base[col];
}

uint64_t col_delta(const struct field *f, size_t col)
{
	if (field_type(f) == KVM_STATS_TYPE_INSTANT ||
	    field_type(f) == KVM_STATS_TYPE_PEAK)
		return f->col_cur[col];
	return f->col_cur[col] > f->col_prev[col] ?
	       f->col_cur[col] - f->col_prev[col] : 0;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *source_name(enum source s)
{
	static const char *const names[] = { "binary", "debugfs", "trace" };

	return s < NR_SOURCES ? names[s] : "?";
}

const char *type_name(const struct field *f)
{
	switch (field_type(f)) {
	case KVM_STATS_TYPE_CUMULATIVE: return "cumulative";
	case KVM_STATS_TYPE_INSTANT: return "instant";
	case KVM_STATS_TYPE_PEAK: return "peak";
	case KVM_STATS_TYPE_LINEAR_HIST: return "linear-hist";
	case KVM_STATS_TYPE_LOG_HIST: return "log-hist";
	default: return "unknown";
	}
}

/* "ns", "KiB", "cycles", "boolean", "" (a count), or "s*10^-4" etc. */
void unit_name(const struct field *f, char *buf, size_t len)
{
	static const char *const si[] = { "", "m", "u", "n" };
	static const char *const bin[] = { "", "Ki", "Mi", "Gi", "Ti" };
	uint32_t unit = f->flags & KVM_STATS_UNIT_MASK;
	int pow2 = (f->flags & KVM_STATS_BASE_MASK) == KVM_STATS_BASE_POW2;
	const char *u;
	int e = f->exponent;

	switch (unit) {
	case KVM_STATS_UNIT_NONE: u = ""; break;
	case KVM_STATS_UNIT_BYTES: u = "B"; break;
	case KVM_STATS_UNIT_SECONDS: u = "s"; break;
	case KVM_STATS_UNIT_CYCLES: u = "cycles"; break;
	case KVM_STATS_UNIT_BOOLEAN: u = "boolean"; break;
	default: u = "?"; break;
	}
	if (!e)
		snprintf(buf, len, "%s", u);
	else if (!pow2 && e < 0 && e >= -9 && e % 3 == 0)
		snprintf(buf, len, "%s%s", si[-e / 3], u);
	else if (pow2 && e > 0 && e <= 40 && e % 10 == 0)
		snprintf(buf, len, "%s%s", bin[e / 10], u);
	else
		snprintf(buf, len, "%s*%d^%d", *u ? u : "1", pow2 ? 2 : 10, e);
}
