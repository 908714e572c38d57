// SPDX-License-Identifier: GPL-2.0
/*
 * metrics.c - kvmstat's metrics output, for Prometheus: OpenMetrics 1.0
 * text (--openmetrics, a scrape endpoint's format) or the Prometheus text
 * format 0.0.4 (--prometheus, what node_exporter's textfile collector
 * reads). Each statistic is one metric family "kvm_NAME": counters (with
 * _total), gauges for instant and peak values, and KVM's linear and log
 * histograms as histograms with cumulative buckets (no _sum: KVM keeps
 * none). Values are in base units (seconds, bytes), labelled by source,
 * and by vCPU with --vcpu.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "../analysis/lib/common.h"
#include "kvmstat.h"

#define NAME_MAX_LEN 160

/* The multiplier from F's unit to its base unit (10^e or 2^e). */
static double unit_scale(const struct field *f)
{
	int pow2 = (f->flags & KVM_STATS_BASE_MASK) == KVM_STATS_BASE_POW2;

	return pow2 ? ldexp(1.0, f->exponent) : pow(10.0, f->exponent);
}

/* The base unit's suffix for a metric name, "" for a plain count. */
static const char *unit_suffix(const struct field *f)
{
	switch (f->flags & KVM_STATS_UNIT_MASK) {
	case KVM_STATS_UNIT_BYTES: return "bytes";
	case KVM_STATS_UNIT_SECONDS: return "seconds";
	case KVM_STATS_UNIT_CYCLES: return "cycles";
	default: return "";
	}
}

static int ends_with(const char *s, size_t n, const char *tail)
{
	size_t k = strlen(tail);

	return n >= k && !memcmp(s + n - k, tail, k);
}

/*
 * "kvm_" + F's name in [a-zA-Z0-9_], a unit written in the name
 * (halt_wait_ns) replaced by the base unit's (kvm_halt_wait_seconds).
 */
static void metric_name(char *buf, size_t len, const struct field *f)
{
	static const char *const unit_tails[] = { "_ns", "_us", "_ms", "_bytes" };
	const char *suffix = unit_suffix(f);
	size_t n, i;
	int w;

	w = snprintf(buf, len, "kvm_%s", f->name);
	n = w < 0 ? 0 : (size_t)w < len ? (size_t)w : len - 1;
	for (i = 4; i < n; i++)
		if (!((buf[i] >= 'a' && buf[i] <= 'z') || (buf[i] >= 'A' && buf[i] <= 'Z') ||
		      (buf[i] >= '0' && buf[i] <= '9')))
			buf[i] = '_';
	if (!*suffix)
		return;
	for (i = 0; i < ARRAY_SIZE(unit_tails); i++)
		if (ends_with(buf, n, unit_tails[i])) {
			n -= strlen(unit_tails[i]);
			buf[n] = '\0';
			break;
		}
	snprintf(buf + n, len - n, "_%s", suffix);
}

static const char *metric_type(const struct field *f)
{
	if (field_is_hist(f))
		return "histogram";
	switch (field_type(f)) {
	case KVM_STATS_TYPE_INSTANT:
	case KVM_STATS_TYPE_PEAK:
		return "gauge";
	default:
		return (f->flags & KVM_STATS_UNIT_MASK) == KVM_STATS_UNIT_BOOLEAN ?
		       "gauge" : "counter";
	}
}

/* The family header: TYPE (UNIT) HELP, in the format's order. */
static void family_header(FILE *out, const struct field *f, const char *name,
			  int openmetrics)
{
	const char *type = metric_type(f);
	const char *total = !openmetrics && !strcmp(type, "counter") ? "_total" : "";
	char unit[32];

	unit_name(f, unit, sizeof(unit));
	fprintf(out, "# TYPE %s%s %s\n", name, total, type);
	if (openmetrics && *unit_suffix(f))
		fprintf(out, "# UNIT %s %s\n", name, unit_suffix(f));
	fprintf(out, "# HELP %s%s KVM statistic %s (%s%s%s)\n", name, total,
		f->name, type_name(f), *unit ? "; KVM's unit: " : "", unit);
}

/* A vCPU column's label "vcpuN" or "PID/vcpuN" as labels. */
static void col_labels(char *buf, size_t len, const char *label)
{
	const char *slash = strchr(label, '/');

	if (slash)
		snprintf(buf, len, ",pid=\"%.*s\",vcpu=\"%s\"",
			 (int)(slash - label), label, slash + 1);
	else
		snprintf(buf, len, ",vcpu=\"%s\"", label);
}

/* The upper bound of KVM histogram bucket I, in F's units; -1: +Inf. */
static double bucket_le(const struct field *f, uint32_t i)
{
	if (i + 1 == f->size)
		return -1;
	if (field_type(f) == KVM_STATS_TYPE_LINEAR_HIST)
		/* value / bucket_size, the last bucket holding the rest */
		return (double)(i + 1) * (f->bucket_size ? f->bucket_size : 1) - 1;
	/* fls64(value): bucket 0 holds 0, bucket i [2^(i-1), 2^i - 1] */
	return i ? ldexp(1.0, (int)i) - 1 : 0;
}

/* Cumulative buckets only: KVM keeps no sum, and OpenMetrics wants a
 * _sum beside any _count (the +Inf bucket is the count). */
static void hist_samples(FILE *out, const struct field *f, const char *name,
			 const char *labels)
{
	double scale = unit_scale(f);
	uint64_t cum = 0;
	uint32_t i;

	for (i = 0; i < f->size; i++) {
		double le = bucket_le(f, i);

		cum += f->cur[i] - f->base[i];
		if (le < 0)
			fprintf(out, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, labels,
				(unsigned long long)cum);
		else
			fprintf(out, "%s_bucket{%s,le=\"%.9g\"} %llu\n", name, labels,
				le * scale, (unsigned long long)cum);
	}
}

static void value_sample(FILE *out, const struct field *f, const char *name,
			 const char *labels, uint64_t v)
{
	double scale = unit_scale(f);
	const char *total = strcmp(metric_type(f), "counter") ? "" : "_total";

	if (scale == 1.0)
		fprintf(out, "%s%s{%s} %llu\n", name, total, labels,
			(unsigned long long)v);
	else
		fprintf(out, "%s%s{%s} %.17g\n", name, total, labels, (double)v * scale);
}

/* One exposition of T: every field, one family per metric name. */
void out_metrics(FILE *out, const struct env *env, const struct table *t)
{
	char name[NAME_MAX_LEN], prev[NAME_MAX_LEN] = "", labels[128], col[96];
	size_t i, c;

	for (i = 0; i < t->n; i++) {
		const struct field *f = &t->f[i];

		metric_name(name, sizeof(name), f);
		/* The same name from another source, of another type: its own
		 * family, named after its source. */
		if (i && !strcmp(f->name, t->f[i - 1].name) &&
		    strcmp(metric_type(f), metric_type(&t->f[i - 1])))
			snprintf(name + strlen(name), sizeof(name) - strlen(name),
				 "_%s", source_name(f->src));
		if (strcmp(name, prev))
			family_header(out, f, name, env->openmetrics);
		snprintf(prev, sizeof(prev), "%s", name);
		snprintf(labels, sizeof(labels), "source=\"%s\"", source_name(f->src));
		if (env->pid)
			snprintf(labels + strlen(labels), sizeof(labels) - strlen(labels),
				 ",pid=\"%d\"", (int)env->pid);
		if (field_is_hist(f)) {
			hist_samples(out, f, name, labels);
			continue;
		}
		if (!(env->per_vcpu && f->vcpu_level)) {
			value_sample(out, f, name, labels, field_value(f));
			continue;
		}
		for (c = 0; c < t->ncols; c++) {
			char all[sizeof(labels) + sizeof(col)];

			col_labels(col, sizeof(col), t->col_label[c]);
			snprintf(all, sizeof(all), "%s%s", labels, col);
			value_sample(out, f, name, all, col_value(f, c));
		}
	}
	if (env->openmetrics)
		fputs("# EOF\n", out);
	fflush(out);
}

int metrics_to_file(const char *path, const struct env *env,
		    const struct table *t)
{
	char tmp[4096];
	FILE *f;
	int bad;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "kvmstat: %s: path too long\n", path);
		return -1;
	}
	f = fopen(tmp, "we");
	if (!f) {
		fprintf(stderr, "kvmstat: cannot open %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	out_metrics(f, env, t);
	bad = ferror(f);
	if (fclose(f) || bad || rename(tmp, path)) {
		fprintf(stderr, "kvmstat: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
