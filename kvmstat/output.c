// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - kvmstat's output: kvm_stat's formats (the -1 batch listing,
 * the -l log with its banner, the -c CSV), the -f help listing, JSON
 * lines (--json), and histogram statistics drawn in SystemTap's style by
 * analysis/lib/hist.c.
 */
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../analysis/lib/common.h"
#include "../analysis/lib/hist.h"
#include "kvmstat.h"

#define BANNER_REPEAT 20	/* kvm_stat's banner_repeat */

static int is_value_type(const struct field *f)
{
	return field_type(f) == KVM_STATS_TYPE_INSTANT ||
	       field_type(f) == KVM_STATS_TYPE_PEAK;
}

void column_name(char *buf, size_t len, const struct table *t,
		 const struct field *f, size_t col)
{
	int n = snprintf(buf, len, "%s", f->name);

	if (f->clash && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "@%s", source_name(f->src));
	if (col != SIZE_MAX && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "/%s", t->col_label[col]);
}

static int has_cols(const struct env *env, const struct field *f)
{
	return env->per_vcpu && f->vcpu_level;
}

void out_fields_help(FILE *f, const struct table *t)
{
	size_t i;

	/* T is sorted by name: print each name once, as kvm_stat does. */
	for (i = 0; i < t->n; i++)
		if (!i || strcmp(t->f[i].name, t->f[i - 1].name))
			fprintf(f, "  %s\n", t->f[i].name);
}

/* The histogram H of F's buckets V, in SystemTap's style. */
static void draw_hist(FILE *out, const struct field *f, const uint64_t *v)
{
	struct hist h;
	struct bar *bars;
	char *labels;
	size_t n;
	uint32_t i;

	if (field_type(f) == KVM_STATS_TYPE_LINEAR_HIST) {
		uint32_t bs = f->bucket_size ? f->bucket_size : 1;

		if (hist_init_linear(&h, 0, (int64_t)(f->size - 1) * bs, bs))
			return;
		for (i = 0; i < f->size; i++)
			if (v[i])
				hist_add(&h, (int64_t)i * bs, v[i]);
	} else {
		/* KVM's log buckets: 0 holds 0, i holds [2^(i-1), 2^i),
		 * the bucket SystemTap labels 2^(i-1). */
		hist_init_log2(&h);
		for (i = 0; i < f->size && i < 64; i++)
			if (v[i])
				hist_add(&h, i ? (int64_t)1 << (i - 1) : 0, v[i]);
	}
	n = hist_bars(&h, &bars, &labels);
	if (n)
		bars_print(out, bars, n, 1);
	free(bars);
	free(labels);
	hist_free(&h);
}

static void print_hists(FILE *out, const struct env *env, const struct table *t)
{
	size_t i;
	uint32_t j;

	for (i = 0; i < t->n; i++) {
		const struct field *f = &t->f[i];
		uint64_t *v;
		char unit[32];

		if (!field_is_hist(f) || !f->present)
			continue;
		v = xcalloc(f->size, sizeof(*v));
		for (j = 0; j < f->size; j++)
			v[j] = f->cur[j] - f->base[j];
		unit_name(f, unit, sizeof(unit));
		fprintf(out, "\n%s (%s, %s%s%s, %llu in %s): %s\n", f->name,
			source_name(f->src), type_name(f), *unit ? ", " : "", unit,
			(unsigned long long)field_value(f),
			env->include_past ? "the VMs' life" : "the interval",
			field_value(f) ? "" : "empty");
		if (field_value(f))
			draw_hist(out, f, v);
		free(v);
	}
}

/* kvm_stat's batch listing: name, total, delta; then source and unit. */
void out_once(FILE *out, const struct env *env, const struct table *t)
{
	size_t i, c;

	for (i = 0; i < t->n; i++) {
		const struct field *f = &t->f[i];
		char unit[32], delta[24], name[160];

		if (!f->present)
			continue;
		column_name(name, sizeof(name), t, f, SIZE_MAX);
		unit_name(f, unit, sizeof(unit));
		if (is_value_type(f))
			snprintf(delta, sizeof(delta), "-");
		else
			snprintf(delta, sizeof(delta), "%llu",
				 (unsigned long long)field_delta(f));
		fprintf(out, "%-42s%10llu%10s  %-7s %s%s%s\n", name,
			(unsigned long long)field_value(f), delta,
			source_name(f->src), type_name(f), *unit ? " " : "", unit);
		for (c = 0; has_cols(env, f) && c < t->ncols; c++) {
			column_name(name + 2, sizeof(name) - 2, t, f, c);
			name[0] = name[1] = ' ';
			if (is_value_type(f))
				snprintf(delta, sizeof(delta), "-");
			else
				snprintf(delta, sizeof(delta), "%llu",
					 (unsigned long long)col_delta(f, c));
			fprintf(out, "%-42s%10llu%10s  %-7s %s%s%s\n", name,
				(unsigned long long)col_value(f, c), delta, source_name(f->src),
				type_name(f), *unit ? " " : "", unit);
		}
	}
	print_hists(out, env, t);
}

static void timestamp(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

size_t csv_banner(char *buf, size_t len, const struct table *t, int per_vcpu)
{
	size_t i, c, n;

	n = (size_t)snprintf(buf, len, "timestamp");
	for (i = 0; i < t->n && n < len; i++) {
		const struct field *f = &t->f[i];
		char name[160];

		column_name(name, sizeof(name), t, f, SIZE_MAX);
		n += (size_t)snprintf(buf + n, len - n, ",%s", name);
		for (c = 0; per_vcpu && f->vcpu_level && c < t->ncols && n < len; c++) {
			column_name(name, sizeof(name), t, f, c);
			n += (size_t)snprintf(buf + n, len - n, ",%s", name);
		}
	}
	return n < len ? n : len;
}

/* kvm_stat's StdFormat banner: the names, each followed by a space. */
void out_banner(struct out *o, const struct table *t)
{
	size_t i, c;

	if (o->env->csv) {
		size_t len = 64 + t->n * 80 * (1 + (o->env->per_vcpu ? t->ncols : 0));
		char *buf = xmalloc(len);

		csv_banner(buf, len, t, o->env->per_vcpu);
		fprintf(o->f, "%s\n", buf);
		free(buf);
	} else {
		for (i = 0; i < t->n; i++) {
			const struct field *f = &t->f[i];
			char name[160];

			column_name(name, sizeof(name), t, f, SIZE_MAX);
			fprintf(o->f, "%s ", name);
			for (c = 0; has_cols(o->env, f) && c < t->ncols; c++) {
				column_name(name, sizeof(name), t, f, c);
				fprintf(o->f, "%s ", name);
			}
		}
		fputc('\n', o->f);
	}
	o->lines = 0;
	o->banner_done = 1;
}

/* One record: the timestamp, then per field its delta (its value for
 * instant and peak statistics), as ",N" (CSV) or " %9d" (kvm_stat). */
void out_log_line(struct out *o, const struct table *t)
{
	const char *fmt = o->env->csv ? ",%llu" : " %9llu";
	char ts[32];
	size_t i, c;

	if (!o->env->csv && o->lines && o->lines % BANNER_REPEAT == 0 &&
	    !o->banner_done)
		out_banner(o, t);
	timestamp(ts, sizeof(ts));
	fputs(ts, o->f);
	for (i = 0; i < t->n; i++) {
		const struct field *f = &t->f[i];

		fprintf(o->f, fmt, (unsigned long long)field_delta(f));
		for (c = 0; has_cols(o->env, f) && c < t->ncols; c++)
			fprintf(o->f, fmt, (unsigned long long)col_delta(f, c));
	}
	fputc('\n', o->f);
	fflush(o->f);
	o->lines++;
	o->banner_done = 0;
}

/* -z: a record whose counters all stayed (instant values do not count). */
int out_all_zero(const struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!is_value_type(&t->f[i]) && field_delta(&t->f[i]))
			return 0;
	return 1;
}

/* S as a JSON string (names come from descriptors, or --stats-file). */
static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* One JSON object per refresh, on one line. */
void out_json(FILE *out, const struct env *env, const struct table *t)
{
	char ts[32], unit[32];
	size_t i, c;
	uint32_t j;

	timestamp(ts, sizeof(ts));
	fprintf(out, "{\"timestamp\":\"%s\",\"interval_s\":%g,\"stats\":[", ts,
		env->delay);
	for (i = 0; i < t->n; i++) {
		const struct field *f = &t->f[i];

		unit_name(f, unit, sizeof(unit));
		fprintf(out, "%s{\"name\":", i ? "," : "");
		json_str(out, f->name);
		fprintf(out, ",\"source\":\"%s\",\"type\":\"%s\",\"unit\":",
			source_name(f->src), type_name(f));
		json_str(out, unit);
		fprintf(out, ",\"exponent\":%d,\"value\":%llu,\"delta\":%llu",
			f->exponent, (unsigned long long)field_value(f),
			(unsigned long long)field_delta(f));
		if (field_is_hist(f)) {
			if (field_type(f) == KVM_STATS_TYPE_LINEAR_HIST)
				fprintf(out, ",\"bucket_size\":%u", f->bucket_size);
			fputs(",\"buckets\":[", out);
			for (j = 0; j < f->size; j++)
				fprintf(out, "%s%llu", j ? "," : "",
					(unsigned long long)(f->cur[j] - f->base[j]));
			fputc(']', out);
		}
		if (has_cols(env, f)) {
			fputs(",\"vcpus\":{", out);
			for (c = 0; c < t->ncols; c++) {
				fputs(c ? "," : "", out);
				json_str(out, t->col_label[c]);
				fprintf(out, ":%llu", (unsigned long long)col_value(f, c));
			}
			fputc('}', out);
		}
		fputc('}', out);
	}
	fputs("]}\n", out);
	fflush(out);
}
