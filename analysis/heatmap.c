/* SPDX-License-Identifier: GPL-2.0 */
/*
 * heatmap - guest frames (binned into a bounded number of rows) against
 * time (a bounded number of columns), each cell the mean estimated
 * access rate of the frames observed in it (lib/frames.c, the estimator
 * of hotness), in the spirit of damo's `report heats`: a character ramp
 * for the terminal with gfn and time axes, a gnuplot PNG or SVG, or the
 * raw matrix as CSV. With the ground truth of workload/guest, scores the
 * hot rows of each column against the truth's hot frames of its phase.
 * See docs/analysis.md, "heatmap".
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common.h"
#include "lib/filter.h"
#include "lib/frames.h"
#include "lib/gnuplot.h"
#include "lib/samples.h"
#include "lib/truth.h"

#define MAX_CELLS	(1u << 20)

static const char ramp[] = ".:-=+*#%@";		/* low .. high, ' ' no data */
#define NRAMP	((int)sizeof(ramp) - 1)

static void usage(FILE *f)
{
	fputs(
"Usage: heatmap [OPTIONS] [LOG]\n"
"Guest frames (rows of frame ranges) against time (columns), each cell\n"
"the estimated access rate of its frames, from a sample log (the module's\n"
"binary or text log; stdin if no LOG): text for the terminal, a gnuplot\n"
"PNG or SVG, or the raw matrix as CSV.\n"
"\n"
"Options:\n"
"  -r, --rows N            rows: frame ranges of equal size (default 24)\n"
"  -C, --columns N         columns: time ranges of equal length (default\n"
"                          60)\n"
"  -w, --column-length DUR the length of a column instead (e.g. 500ms)\n"
"  -G, --gfn LO-HI         the frames shown, LO to HI inclusive (default:\n"
"                          the log's lowest to highest)\n"
"      --csv               the raw matrix as CSV instead of text: time_s,\n"
"                          time_end_s, gfn_lo, gfn_hi, rate (and truth_hot)\n"
"      --plot FILE         also draw it with gnuplot into FILE (.png, .svg)\n"
"  -t, --title TEXT        the plot's title\n"
"  -g, --truth FILE        ground truth of workload/guest --truth: score\n"
"                          each column's hot rows against its phase\n",
	      f);
	fputs(truth_phase_help, f);
	fputs(
"      --t0 NS             time origin (default: the first record's time)\n"
"  -o, --output FILE       write to FILE instead of stdout\n"
"  -h, --help              this help\n",
	      f);
	fputs(filter_help, f);
	fputs(
"\n"
"A cell's rate is the mean, over the frames of its range observed in its\n"
"time range, of their estimated accesses per second (hotness's\n"
"estimators: accessed bits by the Bernoulli estimate, faults by the\n"
"delays); a cell with no observation is blank (text), nan (CSV) or\n"
"empty (plot). The text ramp ' .:-=+*#%@' is logarithmic between the\n"
"lowest and the highest cell rate; the legend gives its bounds.\n"
"With --truth, per column: truth_hot_rows= (rows whose frames are at\n"
"least half hot in the column's phase), top_hot= (how many of the as\n"
"many highest-rate rows are such rows) and precision=.\n"
"\n"
"Examples:\n"
"  heatmap samples.bin                          # 24 x 60 in the terminal\n"
"  heatmap -r 40 -w 1s --plot heat.png samples.bin\n"
"  heatmap --csv -o heat.csv samples.bin        # for scripts\n"
"  heatmap -g truth samples.bin                 # hot rows against truth\n",
	      f);
	fputs(exit_help, f);
}

enum { OPT_T0 = 256, OPT_CSV, OPT_PLOT };

static const struct option longopts[] = {
	{ "rows", required_argument, NULL, 'r' },
	{ "columns", required_argument, NULL, 'C' },
	{ "column-length", required_argument, NULL, 'w' },
	{ "gfn", required_argument, NULL, 'G' },
	{ "csv", no_argument, NULL, OPT_CSV },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "title", required_argument, NULL, 't' },
	{ "truth", required_argument, NULL, 'g' },
	TRUTH_LONGOPTS,
	{ "t0", required_argument, NULL, OPT_T0 },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	FILTER_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

struct opts {
	uint64_t rows, cols, colns, t0, glo, ghi;
	int have_t0, have_gfn, csv;
	const char *path, *truth_path, *out_path, *plot, *title;
	struct truth_phasing ph;
	struct truth truth;
	int have_truth;
	struct filter filt;
	FILE *out;
};

/* The log, held in memory (the axes need its whole span). */
struct log {
	struct kvm_ept_sample_v2 *s;
	size_t n, cap;
	int binary, delays;
};

/* The matrix: cell (row, col) at [col * rows + row]. */
struct map {
	uint64_t rows, cols, glo, rowf;	/* rowf: frames per row */
	uint64_t t0, tstart, colns;
	double *sum;
	uint64_t *n;
	double lo, hi;			/* lowest > 0 and highest rate */
};

static double cell(const struct map *m, uint64_t r, uint64_t c)
{
	size_t i = c * m->rows + r;

	return m->n[i] ? m->sum[i] / (double)m->n[i] : NAN;
}

static void read_log(struct opts *o, struct log *lg)
{
	struct kvm_ept_sample_v2 s;
	struct samples ss;
	const char *why;
	uint64_t t0 = 0;
	int first = 1;

	if (samples_open(&ss, o->path, 0, &why)) {
		if (why)
			errx(2, "%s: %s", o->path, why);
		err(2, "%s", o->path);
	}
	lg->binary = ss.binary;
	while (samples_next(&ss, &s)) {
		if (first) {
			t0 = o->have_t0 ? o->t0 : s.time_ns;
			lg->delays = ss.binary || s.delay_ns;
			first = 0;
		}
		if (!filter_pass(&o->filt, &s, t0))
			continue;
		if (lg->n == lg->cap) {
			lg->cap = lg->cap ? 2 * lg->cap : 4096;
			lg->s = xrealloc(lg->s, lg->cap * sizeof(*lg->s));
		}
		lg->s[lg->n++] = s;
	}
	if (!o->have_t0)
		o->t0 = t0;
	bad_report(&ss.bad, stderr, o->path);
	samples_close(&ss);
}

/* Add the rates of the frames of column C (in W) into M. */
static void column_add(struct map *m, const struct frames *w, uint64_t c,
		       enum frames_est est)
{
	double secs = (double)m->colns / 1e9;

	for (size_t i = 0; i < frames_n(w); i++) {
		uint64_t g = frames_gfn(w, i), r;
		size_t k;

		if (g < m->glo || (g - m->glo) / m->rowf >= m->rows)
			continue;
		r = (g - m->glo) / m->rowf;
		k = c * m->rows + r;
		m->sum[k] += frames_rate(w, i, est, secs);
		m->n[k]++;
	}
}

/* X rounded up to two significant digits (1, ..., 99 then 100, 110,
 * ...): a column length that reads well. */
static uint64_t nice_ceil(uint64_t x)
{
	uint64_t p = 1;

	while (x / p >= 100)
		p *= 10;
	return x ? (x + p - 1) / p * p : 1;
}

/* The axes from the options and the log, then the cells. */
static void build(const struct opts *o, const struct log *lg, struct map *m)
{
	uint64_t tmax = 0, gmin = UINT64_MAX, gmax = 0, span;
	enum frames_est est = lg->delays ? FRAMES_EST_DELAY : FRAMES_EST_COUNT;
	struct frames w;
	uint64_t col = 0;

	m->t0 = o->t0;
	m->tstart = o->t0 + (o->filt.have_from ? o->filt.from : 0);
	for (size_t i = 0; i < lg->n; i++) {
		if (lg->s[i].time_ns > tmax)
			tmax = lg->s[i].time_ns;
		gmin = lg->s[i].gfn < gmin ? lg->s[i].gfn : gmin;
		gmax = lg->s[i].gfn > gmax ? lg->s[i].gfn : gmax;
	}
	if (o->have_gfn) {
		gmin = o->glo;
		gmax = o->ghi;
	}
	m->glo = gmin;
	m->rows = o->rows;
	if (gmax - gmin + 1 < m->rows)
		m->rows = gmax - gmin + 1;
	m->rowf = (gmax - gmin) / m->rows + 1;
	m->rows = (gmax - gmin) / m->rowf + 1;
	span = tmax >= m->tstart ? tmax - m->tstart + 1 : 1;
	if (o->colns) {
		m->colns = o->colns;
		m->cols = (span + m->colns - 1) / m->colns;
	} else {
		m->cols = o->cols;
		m->colns = nice_ceil((span + m->cols - 1) / m->cols);
		m->cols = (span + m->colns - 1) / m->colns;
	}
	if (m->cols * m->rows > MAX_CELLS)
		errx(2, "%" PRIu64 " columns of %" PRIu64 " rows: more than %u "
		     "cells; give fewer --rows or a longer --column-length",
		     m->cols, m->rows, MAX_CELLS);
	m->sum = xcalloc(m->cols * m->rows, sizeof(*m->sum));
	m->n = xcalloc(m->cols * m->rows, sizeof(*m->n));
	frames_init(&w);
	for (size_t i = 0; i < lg->n; i++) {
		const struct kvm_ept_sample_v2 *s = &lg->s[i];
		uint64_t c;

		if (s->time_ns < m->tstart)
			continue;
		c = (s->time_ns - m->tstart) / m->colns;
		if (c >= m->cols)
			continue;
		if (c != col) {
			column_add(m, &w, col, est);
			frames_clear(&w);
			col = c;
		}
		frames_add(&w, s, est);
	}
	column_add(m, &w, col, est);
	frames_free(&w);
	m->lo = INFINITY;
	m->hi = 0;
	for (uint64_t c = 0; c < m->cols; c++)
		for (uint64_t r = 0; r < m->rows; r++) {
			double v = cell(m, r, c);

			if (v > 0 && v < m->lo)
				m->lo = v;
			if (v > m->hi)
				m->hi = v;
		}
	if (!isfinite(m->lo))
		m->lo = m->hi = 1;
}

/* The ramp character of rate V. */
static char ramp_char(const struct map *m, double v)
{
	int k;

	if (isnan(v))
		return ' ';
	if (v <= m->lo || m->hi <= m->lo)
		return ramp[v > 0 && m->hi <= m->lo ? NRAMP - 1 : 0];
	k = (int)(log(v / m->lo) / log(m->hi / m->lo) * NRAMP);
	return ramp[k >= NRAMP ? NRAMP - 1 : k];
}

static double col_time(const struct map *m, uint64_t c)
{
	return (double)(m->tstart - m->t0 + c * m->colns) / 1e9;
}

static void print_text(const struct opts *o, const struct map *m)
{
	FILE *f = o->out;
	char b[32];
	int lw;

	fprintf(f, "# heatmap: %" PRIu64 " rows of %" PRIu64 " frames "
		"(gfn 0x%" PRIx64 "-0x%" PRIx64 ") x %" PRIu64 " columns of "
		"%s; estimated accesses/s\n", m->rows, m->rowf, m->glo,
		m->glo + m->rows * m->rowf - 1, m->cols,
		fmt_duration(b, m->colns));
	lw = snprintf(NULL, 0, "0x%" PRIx64 "-0x%" PRIx64, m->glo +
		      (m->rows - 1) * m->rowf, m->glo + m->rows * m->rowf - 1);
	/* highest frames on top, as on the plot's y axis */
	for (uint64_t r = m->rows; r-- > 0;) {
		char lab[48];

		snprintf(lab, sizeof(lab), "0x%" PRIx64 "-0x%" PRIx64,
			 m->glo + r * m->rowf, m->glo + (r + 1) * m->rowf - 1);
		fprintf(f, "%*s |", lw, lab);
		for (uint64_t c = 0; c < m->cols; c++)
			fputc(ramp_char(m, cell(m, r, c)), f);
		fputs("|\n", f);
	}
	/* the time axis: a tick every 5 columns, its time below it where
	 * it does not run into the one before */
	fprintf(f, "%*s +", lw, "gfn");
	for (uint64_t c = 0; c < m->cols; c++)
		fputc(c % 5 ? '-' : '+', f);
	fputs("+\n", f);
	{
		char *axis = xcalloc(m->cols + 40, 1);
		size_t end = 0;

		memset(axis, ' ', m->cols + 39);
		for (uint64_t c = 0; c <= m->cols; c += 5) {
			char lab[32];
			int n = snprintf(lab, sizeof(lab), "%.4gs",
					 col_time(m, c));

			if (c && c < end + 1)
				continue;
			memcpy(axis + c, lab, (size_t)n);
			end = c + (size_t)n;
		}
		axis[end] = 0;
		fprintf(f, "%*s  %s   (time since t0)\n", lw, "", axis);
		free(axis);
	}
	fputs("# ramp (log): ' ' no record", f);
	for (int k = 0; k < NRAMP; k++)
		fprintf(f, ", '%c' %.3g/s", ramp[k], m->lo *
			pow(m->hi / m->lo, (double)k / NRAMP));
	fputs(" and up\n", f);
}

/* The share of row R's frames (those the truth describes) that are hot
 * in phase P; -1 if it describes none. */
static double row_hot(const struct opts *o, const struct map *m, uint64_t r,
		      long p)
{
	const struct truth_phase *tp = &o->truth.phases[p];
	uint64_t lo = m->glo + r * m->rowf, hi = lo + m->rowf, n = 0, hot = 0;

	for (size_t i = truth_phase_lower(tp, lo);
	     i < tp->n && tp->rows[i].gfn < hi; i++) {
		n++;
		hot += tp->rows[i].hot;
	}
	return n ? (double)hot / (double)n : -1;
}

static long col_phase(const struct opts *o, const struct map *m, uint64_t c)
{
	uint64_t s = m->tstart + c * m->colns;
	long p = truth_window_phase(&o->ph, m->t0, s, s + m->colns);

	return p >= 0 && (uint64_t)p < o->truth.nphases ? p : -1;
}

struct rowrate {
	double rate;
	uint64_t row;
};

static int rowrate_cmp(const void *a, const void *b)
{
	const struct rowrate *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate > y->rate ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

/* Per column: the truth's hot rows against the highest-rate rows. */
static void score(const struct opts *o, const struct map *m)
{
	struct rowrate *rr = xcalloc(m->rows, sizeof(*rr));
	double sum = 0;
	uint64_t ncol = 0;

	for (uint64_t c = 0; c < m->cols; c++) {
		long p = col_phase(o, m, c);
		size_t n = 0, nhot = 0, hit = 0;

		if (p < 0)
			continue;
		for (uint64_t r = 0; r < m->rows; r++) {
			double v = cell(m, r, c);

			nhot += row_hot(o, m, r, p) >= 0.5;
			if (!isnan(v)) {
				rr[n].rate = v;
				rr[n++].row = r;
			}
		}
		if (!n || !nhot)
			continue;
		qsort(rr, n, sizeof(*rr), rowrate_cmp);
		for (size_t k = 0; k < nhot && k < n; k++)
			hit += row_hot(o, m, rr[k].row, p) >= 0.5;
		fprintf(o->out, "column=%" PRIu64 " time_s=%.3f phase=%ld "
			"truth_hot_rows=%zu top_hot=%zu precision=%.4f\n", c,
			col_time(m, c), p, nhot, hit,
			(double)hit / (double)nhot);
		sum += (double)hit / (double)nhot;
		ncol++;
	}
	if (ncol)
		fprintf(o->out, "columns=%" PRIu64 " mean_precision=%.4f\n",
			ncol, sum / (double)ncol);
	free(rr);
}

static void print_csv(const struct opts *o, const struct map *m)
{
	fprintf(o->out, "time_s,time_end_s,gfn_lo,gfn_hi,rate%s\n",
		o->have_truth ? ",truth_hot" : "");
	for (uint64_t c = 0; c < m->cols; c++) {
		long p = o->have_truth ? col_phase(o, m, c) : -1;

		for (uint64_t r = 0; r < m->rows; r++) {
			uint64_t lo = m->glo + r * m->rowf;

			fprintf(o->out, "%.6f,%.6f,%" PRIu64 ",%" PRIu64 ",%.6g",
				col_time(m, c), col_time(m, c + 1), lo,
				lo + m->rowf - 1, cell(m, r, c));
			if (o->have_truth)
				fprintf(o->out, ",%.4f", p >= 0 ?
					row_hot(o, m, r, p) : NAN);
			fputc('\n', o->out);
		}
	}
}

/* The plot: cells as an image, time on x, frames on y, a log colour bar. */
static int plot(const struct opts *o, const struct map *m)
{
	FILE *gp = gnuplot_open(o->plot, 1000, 600, "enhanced font 'sans,11'");
	char b[32];

	if (!gp)
		return -1;
	fputs("set title ", gp);
	gnuplot_quote(gp, o->title ? o->title : "guest frames over time");
	fputs("\nset xlabel 'time since t0 (s)'\n"
	      "set ylabel 'guest frame number (4 KiB)'\n"
	      "set format y '0x%x'\nset cblabel 'estimated accesses/s'\n"
	      "set logscale cb\n"
	      "set palette defined (0 '#440154', 1 '#3b528b', 2 '#21908d', "
	      "3 '#5dc963', 4 '#fde725')\n"	/* viridis */
	      "set tics out nomirror\nset lmargin 14\nset rmargin 14\n", gp);
	/* five labelled colour-bar tics, log-spaced (a range within one
	 * decade would get none of gnuplot's own) */
	fputs("set cbtics (", gp);
	for (int k = 0; k < 5; k++) {
		double hi = m->hi > m->lo ? m->hi : m->lo * 10;
		double v = m->lo * pow(hi / m->lo, k / 4.0);

		fprintf(gp, "%s'%.3g' %.6g", k ? ", " : "", v, v);
	}
	fputs(")\n", gp);
	fprintf(gp, "set xrange [%.9g:%.9g]\nset yrange [%.9g:%.9g]\n"
		"set cbrange [%.6g:%.6g]\n", col_time(m, 0),
		col_time(m, m->cols), (double)m->glo,
		(double)(m->glo + m->rows * m->rowf), m->lo,
		m->hi > m->lo ? m->hi : m->lo * 10);
	fprintf(gp, "set label 1 '%" PRIu64 " rows of %" PRIu64 " frames, "
		"columns of %s; white: no record' at graph 0, graph 1.03 font ',9'\n",
		m->rows, m->rowf, fmt_duration(b, m->colns));
	fputs("$d << EOD\n", gp);
	for (uint64_t c = 0; c < m->cols; c++) {
		for (uint64_t r = 0; r < m->rows; r++) {
			double v = cell(m, r, c);

			if (v < m->lo)
				v = m->lo;	/* 0 on a log scale: the lowest */
			fprintf(gp, "%.9g %.9g %.6g\n", col_time(m, c) +
				(double)m->colns / 2e9, (double)m->glo +
				((double)r + 0.5) * (double)m->rowf, v);
		}
		fputc('\n', gp);
	}
	fputs("EOD\nplot $d using 1:2:3 with image notitle\n", gp);
	return gnuplot_close(gp);
}

/* "LO-HI" frame numbers (decimal or 0x hex). */
static void parse_gfn(struct opts *o, const char *arg)
{
	const char *dash = strchr(arg, '-');
	char *lo;

	if (!dash)
		errx(2, "--gfn: LO-HI, not '%s'", arg);
	lo = strndup(arg, (size_t)(dash - arg));
	if (!lo)
		err(2, "strndup");
	o->glo = opt_u64(lo, "--gfn");
	o->ghi = opt_u64(dash + 1, "--gfn");
	free(lo);
	if (o->ghi < o->glo)
		errx(2, "--gfn: HI below LO in '%s'", arg);
	o->have_gfn = 1;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	int c;

	while ((c = getopt_long(argc, argv, "r:C:w:G:t:g:p:L:P:o:h", longopts,
				NULL)) != -1) {
		if (filter_option(&o->filt, c, optarg) ||
		    truth_option(&o->ph, c, optarg))
			continue;
		switch (c) {
		case 'r': o->rows = opt_u64(optarg, "--rows"); break;
		case 'C': o->cols = opt_u64(optarg, "--columns"); break;
		case 'w':
			o->colns = opt_duration_ns(optarg, "--column-length");
			break;
		case 'G': parse_gfn(o, optarg); break;
		case OPT_CSV: o->csv = 1; break;
		case OPT_PLOT: o->plot = optarg; break;
		case 't': o->title = optarg; break;
		case 'g': o->truth_path = optarg; break;
		case OPT_T0:
			o->t0 = opt_u64(optarg, "--t0");
			o->have_t0 = 1;
			break;
		case 'o': o->out_path = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	o->path = opt_log_operand(argc, argv);
	if (!o->rows || o->rows > 4096)
		errx(2, "--rows: 1 to 4096");
	if (!o->cols || o->cols > 4096)
		errx(2, "--columns: 1 to 4096");
	if (o->plot && gnuplot_path_ok(o->plot))
		errx(2, "--plot %s: the file name must end in .png or .svg",
		     o->plot);
}

int main(int argc, char **argv)
{
	struct opts o = { .rows = 24, .cols = 60, .path = "-" };
	struct log lg = { 0 };
	struct map m = { 0 };
	int st = 0;

	parse_args(argc, argv, &o);
	if (o.truth_path) {
		truth_load_phased(&o.truth, o.truth_path, &o.ph);
		o.have_truth = 1;
	}
	read_log(&o, &lg);
	if (!lg.n) {
		warnx("%s: no records%s", o.path, filter_active(&o.filt) ?
		      " (after the record filters)" : "");
		return EXIT_NODATA;
	}
	o.out = open_output(o.out_path);
	build(&o, &lg, &m);
	if (o.csv)
		print_csv(&o, &m);
	else
		print_text(&o, &m);
	if (o.have_truth && !o.csv)
		score(&o, &m);
	if (fflush(o.out) || ferror(o.out))
		err(2, "%s", o.out_path ? o.out_path : "stdout");
	if (o.plot && plot(&o, &m))
		st = 2;
	free(lg.s);
	free(m.sum);
	free(m.n);
	if (o.have_truth)
		truth_free(&o.truth);
	truth_phasing_free(&o.ph);
	return st;
}
