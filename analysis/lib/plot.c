/* SPDX-License-Identifier: GPL-2.0 */
/* plot.c - histograms drawn with gnuplot (see plot.h). */
#include "plot.h"
#include "gnuplot.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TICKS	10	/* x ticks at most (log and linear axes) */
#define MAX_LABELS	40	/* category labels at most; more are thinned */
#define BOX_COLOUR_HEX	"3b6ea5"
#define BOX_COLOUR	"#" BOX_COLOUR_HEX

const char *plot_default_unit(const char *field)
{
	static const char *const ns[] = { "t", "delay", "wait", "time" };
	size_t n;

	if (!field)
		return NULL;
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		if (!strcmp(field, ns[i]))
			return "ns";
	n = strlen(field);
	return n > 3 && !strcmp(field + n - 3, "_ns") ? "ns" : NULL;
}

int plot_path_ok(const char *path)
{
	return gnuplot_path_ok(path);
}

static int unit_is_ns(const char *unit)
{
	return unit && !strcmp(unit, "ns");
}

/* V in UNIT with PREC significant digits: ns scaled to µs, ms, s; other
 * units (and none) with an SI prefix. */
static void fmt_value(char *buf, size_t size, double v, const char *unit,
		      int prec)
{
	static const char *const ns[] = { "ns", "µs", "ms", "s" };
	static const char *const si[] = { "", "k", "M", "G", "T" };
	const char *const *names = unit_is_ns(unit) ? ns : si;
	int top = unit_is_ns(unit) ? 3 : 4, k = 0;
	double a = fabs(v);

	while (k < top && a >= 1000) {
		a /= 1000;
		v /= 1000;
		k++;
	}
	if (unit_is_ns(unit))
		snprintf(buf, size, "%.*g %s", prec, v, names[k]);
	else
		snprintf(buf, size, "%.*g%s", prec, v, names[k]);
}

void plot_tick_label(char *buf, size_t size, double v, const char *unit)
{
	fmt_value(buf, size, v, unit, 6);
}

/* The two-line title (TITLE, then SUB), the axis labels and the style
 * every plot shares. Counts up to YMAX: shown in thousands or millions
 * when large (gnuplot's ys divides them). */
static void gp_head(FILE *gp, const struct plot *p, const char *sub,
		    const char *xlabel, const char *ylabel, uint64_t ymax)
{
	const char *yunit = ymax >= 10000000 ? " (millions)" :
			    ymax >= 10000 ? " (thousands)" : "";

	fputs("set title ", gp);
	gnuplot_quote(gp, p->title);
	fputs(".\"\\n\".", gp);
	gnuplot_quote(gp, sub);
	fputs("\nset xlabel ", gp);
	gnuplot_quote(gp, xlabel);
	fputs("\nset ylabel ", gp);
	gnuplot_quote(gp, ylabel);
	fputc('.', gp);
	gnuplot_quote(gp, yunit);
	fprintf(gp, "\nys = %s", ymax >= 10000000 ? "1e6" :
		ymax >= 10000 ? "1e3" : "1");
	if (ymax && ymax < 10)
		fputs("\nset ytics 1", gp);	/* counts: whole numbers */
	/* 8% headroom above the highest bar. */
	if (ymax)
		fprintf(gp, "\nset yrange [0:%.17g]", (double)ymax * 1.08 /
			(ymax >= 10000000 ? 1e6 : ymax >= 10000 ? 1e3 : 1));
	/* The right margin leaves room for the last tick label. */
	fputs("\nset border 3\nset xtics nomirror out\nset ytics nomirror out\n"
	      "set grid ytics lc rgb '#d0d0d0'\nset key off\n"
	      "set lmargin 12\nset rmargin 8\n"
	      "set style fill solid 0.8 border lc rgb '#1f3f66'\n", gp);
}

/* "N values, min A, max B" for H in P's unit. */
static void hist_sub(char *buf, size_t size, const struct hist *h,
		     const struct plot *p, const char *buckets)
{
	char lo[40], hi[40];

	fmt_value(lo, sizeof(lo), (double)h->min, p->unit, 4);
	fmt_value(hi, sizeof(hi), (double)h->max, p->unit, 4);
	snprintf(buf, size, "%" PRIu64 " values, min %s, max %s; %s",
		 h->count, lo, hi, buckets);
}

/* The x axis label: the field, with the unit when it is one label for
 * the whole axis (DISP: the scaled unit of a linear ns axis). */
static void axis_label(char *buf, size_t size, const struct plot *p,
		       const char *disp, const char *scale)
{
	if (disp)
		snprintf(buf, size, "%s (%s)%s", p->field, disp, scale);
	else if (p->unit && !unit_is_ns(p->unit))
		snprintf(buf, size, "%s (%s)%s", p->field, p->unit, scale);
	else
		snprintf(buf, size, "%s%s", p->field, scale);
}

/* Nice step (1, 2 or 5 times a power of 10) with at most MAX_TICKS
 * ticks over RANGE. */
static double nice_step(double range)
{
	double raw = range / (MAX_TICKS - 1), p = pow(10, floor(log10(raw)));

	if (raw <= p)
		return p;
	if (raw <= 2 * p)
		return 2 * p;
	if (raw <= 5 * p)
		return 5 * p;
	return 10 * p;
}

static void tick(FILE *gp, int *first, const char *label, double x)
{
	fputs(*first ? "set xtics (" : ", ", gp);
	gnuplot_quote(gp, label);
	fprintf(gp, " %.17g", x);
	*first = 0;
}

/* Ticks m * 10^d (m in M) within [X0, X1], every EVERY-th decade (and
 * above 1 when SKIP1: the zero tick stands near 1); written to GP when
 * it is set. How many. */
static int log_ticks_at(FILE *gp, int *first, double x0, double x1,
			const double *m, size_t nm, int every, int skip1,
			const char *unit)
{
	int d0 = (int)floor(log10(x0)), d1 = (int)ceil(log10(x1)), n = 0;
	char buf[40];

	for (int d = d0; d <= d1; d++) {
		if ((d - d0) % every)
			continue;
		for (size_t i = 0; i < nm; i++) {
			double v = m[i] * pow(10, d);

			if (v < x0 * 0.999 || v > x1 * 1.001 || (skip1 && v < 1.5))
				continue;
			n++;
			if (!gp)
				continue;
			plot_tick_label(buf, sizeof(buf), v, unit);
			tick(gp, first, buf, v);
		}
	}
	return n;
}

/* Log x axis from X0 to X1 (> 0): 1-2-5 steps when they fit in
 * MAX_TICKS, else powers of 10, every few of them when there are many;
 * ZERO: a "0" tick at the zero bucket's place. */
static void log_ticks(FILE *gp, double x0, double x1, int zero,
		      const char *unit)
{
	static const double m125[] = { 1, 2, 5 }, m1[] = { 1 };
	const double *m = m125;
	size_t nm = 3;
	int every = 1, first = 1;

	if (log_ticks_at(NULL, NULL, x0, x1, m, nm, 1, zero, unit) >
	    MAX_TICKS - zero) {
		m = m1;
		nm = 1;
		while (log_ticks_at(NULL, NULL, x0, x1, m, nm, every, zero,
				    unit) > MAX_TICKS - zero)
			every++;
	}
	if (zero)
		tick(gp, &first, "0", sqrt(0.5));
	log_ticks_at(gp, &first, x0, x1, m, nm, every, zero, unit);
	if (!first)
		fputs(")\n", gp);
}

/* The box [LO, HI) of bucket I of H; 0, or -1 for a bucket a log axis
 * cannot show (negative). The zero bucket is drawn at [0.5, 1). */
static int log2_box(const struct hist *h, size_t i, double *lo, double *hi)
{
	(void)h;
	if (i < HIST_LOG2_ZERO)
		return -1;
	if (i == HIST_LOG2_ZERO) {
		*lo = 0.5;
		*hi = 1;
		return 0;
	}
	*lo = ldexp(1, (int)(i - HIST_LOG2_ZERO - 1));
	*hi = 2 * *lo;
	return 0;
}

/* The first and last non-empty buckets of H (SIZE_MAX, 0 if none), and
 * the largest count. */
static uint64_t nonempty(const struct hist *h, size_t *low, size_t *high)
{
	uint64_t max = 0;

	*low = SIZE_MAX;
	*high = 0;
	for (size_t i = 0; i < h->nb; i++)
		if (h->b[i]) {
			if (h->b[i] > max)
				max = h->b[i];
			if (*low == SIZE_MAX)
				*low = i;
			*high = i;
		}
	return max;
}

static int plot_log2(const struct hist *h, const struct plot *p, FILE *gp)
{
	size_t low, high;
	double x0 = 1, x1 = 2, lo, hi;
	char sub[200], xl[200];

	uint64_t ymax = nonempty(h, &low, &high);

	log2_box(h, low, &x0, &lo);
	log2_box(h, high, &hi, &x1);
	hist_sub(sub, sizeof(sub), h, p, "log2 buckets [2^k, 2^(k+1))");
	axis_label(xl, sizeof(xl), p, NULL, " (log scale)");
	gp_head(gp, p, sub, xl, "values per bucket", ymax);
	fprintf(gp, "set logscale x 10\nset xrange [%.17g:%.17g]\n",
		x0 / 1.25, x1 * 1.25);
	log_ticks(gp, x0, x1, low == HIST_LOG2_ZERO, p->unit);
	fputs("$d << EOD\n", gp);
	for (size_t i = low; i <= high; i++)
		if (h->b[i] && !log2_box(h, i, &lo, &hi))
			fprintf(gp, "%.17g %.17g %" PRIu64 "\n", lo, hi, h->b[i]);
	fputs("EOD\nplot $d using (sqrt($1*$2)):($3/ys):1:2:(0):($3/ys) with boxxyerror "
	      "lc rgb '" BOX_COLOUR "' notitle\n", gp);
	return 0;
}

static int plot_linear(const struct hist *h, const struct plot *p, FILE *gp)
{
	size_t low, high;
	double w = (double)h->width, x0, x1, scale = 1, step, t;
	const char *disp = NULL;
	int first = 1;
	char sub[240], xl[200], buf[80], v[40];

	uint64_t ymax = nonempty(h, &low, &high);

	/* Bucket i >= 1 is [lo + (i-1)w, +w); the underflow bucket is drawn
	 * one width below lo, the overflow bucket one width above. */
	x0 = (double)h->lo + ((double)low - 1) * w;
	x1 = (double)h->lo + (double)high * w;
	if (unit_is_ns(p->unit)) {
		double a = fmax(fabs(x0), fabs(x1));

		disp = a >= 1e9 ? "s" : a >= 1e6 ? "ms" : a >= 1e3 ? "µs" : "ns";
		scale = a >= 1e9 ? 1e9 : a >= 1e6 ? 1e6 : a >= 1e3 ? 1e3 : 1;
	}
	fmt_value(v, sizeof(v), w, p->unit, 6);
	snprintf(buf, sizeof(buf), "linear buckets %s wide", v);
	hist_sub(sub, sizeof(sub), h, p, buf);
	axis_label(xl, sizeof(xl), p, disp, "");
	gp_head(gp, p, sub, xl, "values per bucket", ymax);
	fprintf(gp, "set xrange [%.17g:%.17g]\n", x0, x1);
	/* Regular ticks keep clear of the underflow and overflow ticks
	 * (7% of the axis), so that no two labels overlap. */
	step = nice_step((x1 - x0) / scale) * scale;
	for (t = ceil(x0 / step) * step; t <= x1 + step * 1e-9; t += step) {
		double clear = (x1 - x0) * 0.07;

		if ((low == 0 && t < (double)h->lo - w / 2 + clear) ||
		    (high == h->nb - 1 && t > x1 - w / 2 - clear))
			continue;
		snprintf(buf, sizeof(buf), "%.6g", t / scale);
		if (!disp)	/* not ns: SI prefixes */
			plot_tick_label(buf, sizeof(buf), t, NULL);
		tick(gp, &first, buf, t);
	}
	if (low == 0) {
		snprintf(buf, sizeof(buf), "<%.6g", (double)h->lo / scale);
		tick(gp, &first, buf, (double)h->lo - w / 2);
	}
	if (high == h->nb - 1) {
		snprintf(buf, sizeof(buf), "≥%.6g", (x1 - w) / scale);
		tick(gp, &first, buf, x1 - w / 2);
	}
	if (!first)
		fputs(")\n", gp);
	fputs("$d << EOD\n", gp);
	/* The underflow and overflow buckets in grey: they are not w wide. */
	for (size_t i = low; i <= high; i++)
		if (h->b[i])
			fprintf(gp, "%.17g %" PRIu64 " %s\n",
				(double)h->lo + ((double)i - 1) * w, h->b[i],
				i == 0 || i == h->nb - 1 ? "0x999999" :
				"0x" BOX_COLOUR_HEX);
	fprintf(gp, "EOD\nplot $d using ($1+%.17g):($2/ys):(%.17g):3 with "
		"boxes lc rgb variable notitle\n", w / 2, w * 0.9);
	return 0;
}

/* Labelled bars, one per category; labels thinned to MAX_LABELS and
 * turned 45 degrees (ending at their bar) when they would crowd. */
static void plot_bars(FILE *gp, const struct bar *b, size_t n)
{
	size_t every = (n + MAX_LABELS - 1) / MAX_LABELS, longest = 0;

	for (size_t i = 0; i < n; i++)
		if (strlen(b[i].label) > longest)
			longest = strlen(b[i].label);
	if (n * (longest + 1) > 80)
		fputs("set xtics rotate by 45 right\n", gp);
	fprintf(gp, "set xrange [-0.6:%zu.4]\n$d << EOD\n", n ? n - 1 : 0);
	bars_data(gp, b, n);
	fprintf(gp, "EOD\nplot $d using 0:($2/ys):(0.8):xtic(int($0) %% %zu ? '' : "
		"strcol(1)) with boxes lc rgb '" BOX_COLOUR "' notitle\n",
		every ? every : 1);
}

int hist_plot(const struct hist *h, const struct plot *p)
{
	size_t low, high;
	FILE *gp;
	int r = 0;

	if (plot_path_ok(p->path)) {
		fprintf(stderr, "%s: --plot %s: the file name must end in "
			".png or .svg\n", program_invocation_short_name, p->path);
		return -1;
	}
	nonempty(h, &low, &high);
	if (low == SIZE_MAX) {
		fprintf(stderr, "%s: --plot %s: no values to plot\n",
			program_invocation_short_name, p->path);
		return -1;
	}
	gp = gnuplot_open(p->path, PLOT_WIDTH, PLOT_HEIGHT, "font ',12' noenhanced");
	if (!gp)
		return -1;
	if (h->type == HIST_LINEAR) {
		r = plot_linear(h, p, gp);
	} else if (low >= HIST_LOG2_ZERO) {
		r = plot_log2(h, p, gp);
	} else {
		/* Negative values: a log axis cannot show them; one bar
		 * per bucket, labelled with its lower bound. */
		struct bar *bars;
		char *labels, sub[200], xl[200];
		size_t n = hist_bars(h, &bars, &labels);

		hist_sub(sub, sizeof(sub), h, p, "log2 buckets, by lower bound");
		axis_label(xl, sizeof(xl), p, NULL, "");
		gp_head(gp, p, sub, xl, "values per bucket",
			nonempty(h, &low, &high));
		plot_bars(gp, bars, n);
		free(bars);
		free(labels);
	}
	return gnuplot_close(gp) || r ? -1 : 0;
}

int bars_plot(const struct bar *b, size_t n, uint64_t total, size_t distinct,
	      const struct plot *p)
{
	char sub[200], xl[200];
	uint64_t ymax = 0;
	FILE *gp;

	if (plot_path_ok(p->path)) {
		fprintf(stderr, "%s: --plot %s: the file name must end in "
			".png or .svg\n", program_invocation_short_name, p->path);
		return -1;
	}
	gp = gnuplot_open(p->path, PLOT_WIDTH, PLOT_HEIGHT, "font ',12' noenhanced");
	if (!gp)
		return -1;
	snprintf(sub, sizeof(sub), "%" PRIu64 " values, %zu distinct; the %zu "
		 "most frequent", total, distinct, n);
	axis_label(xl, sizeof(xl), p, NULL, "");
	for (size_t i = 0; i < n; i++)
		if (b[i].count > ymax)
			ymax = b[i].count;
	gp_head(gp, p, sub, xl, "occurrences", ymax);
	plot_bars(gp, b, n);
	return gnuplot_close(gp);
}
