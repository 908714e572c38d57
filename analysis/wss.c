/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wss - working-set size over time from a sample log, in the spirit of
 * damo's `report wss`: per window, the estimated number of guest frames
 * (and bytes) accessed within each of several idle thresholds, with
 * confidence bounds, then the distribution over windows (percentiles).
 * Each frame's chance of an access within the threshold is its posterior
 * (lib/ratemix.c) given its observations (lib/frames.c: accessed bits,
 * or fault samples and expiry records), under the distribution of rates
 * fitted to all the window's frames; their sum, scaled to the frames not
 * observed in the window, is the estimate. With the ground truth of
 * workload/guest and its access rate, the true size and the error.
 * See docs/analysis.md, "wss".
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
#include "lib/keymap.h"
#include "lib/ratemix.h"
#include "lib/samples.h"
#include "lib/truth.h"

#define MAX_IDLE	16
#define PAGE_BYTES	4096.0

static void usage(FILE *f)
{
	fputs(
"Usage: wss [OPTIONS] [LOG]\n"
"Working-set size over time from a sample log (the module's binary or\n"
"text log, accessed-bit or fault records; stdin if no LOG): per window,\n"
"the estimated number of frames accessed within each idle threshold,\n"
"with confidence bounds, then percentiles over the windows.\n"
"\n"
"Options:\n"
"  -w, --window DUR        window length (default 5s: five accessed-bit\n"
"                          observations of each frame; e.g. 1s, 10s)\n"
"  -i, --idle LIST         idle thresholds, comma-separated (default\n"
"                          100ms,1s,10s): a frame is in the working set\n"
"                          of threshold D when accessed within D\n"
"  -N, --frames N          frames of the guest, for the frames a window\n"
"                          did not observe (default: the distinct frames\n"
"                          of the whole log)\n"
"  -c, --confidence PCT    confidence level of lo= and hi= (default 95)\n"
"  -g, --truth FILE        ground truth of workload/guest --truth: print\n"
"                          the true size of the frames it describes and\n"
"                          the estimate's error (needs --access-rate)\n"
"  -R, --access-rate R     the guest's accesses per second: a number, or\n"
"                          workload/guest's output: its tick lines, the\n"
"                          rate over time (a window's truth is the mean\n"
"                          of its ticks' truths; times from --t0, the\n"
"                          guest's start), else its 'total ... rate='\n",
	      f);
	fputs(truth_phase_help, f);
	fputs(
"      --t0 NS             time origin of windows and phases (default:\n"
"                          the first record's time)\n"
"  -q, --quiet             the percentiles only, no line per window\n"
"  -o, --output FILE       write to FILE instead of stdout\n"
"  -h, --help              this help\n",
	      f);
	fputs(filter_help, f);
	fputs(
"\n"
"Per window and threshold: 'window= start_ns= end_ns= idle= observed=\n"
"wss_frames= lo= hi= wss_bytes= wss= [interval_ms=]' (observed: frames\n"
"with records in the window, the rest of the guest taken to be like\n"
"them; interval_ms: the mean accessed-bit interval). A frame's\n"
"chance of an access within D: its posterior under a Poisson access\n"
"stream, the prior being the distribution of the window's frame rates\n"
"fitted to all their observations (a mixture on a grid of rates, its\n"
"nonparametric maximum likelihood by EM; accessed bits touched k of n\n"
"intervals, faults k accesses over the delays and censored waits). lo,\n"
"hi: normal bounds, the variance the frames' posterior variances plus\n"
"the sampling variance of the frames not observed (the fit's own error\n"
"is left out). A threshold far from the intervals (or delays) observed\n"
"leans on the fitted distribution: see docs/analysis.md, \"wss\".\n"
"With --truth: truth_wss= (the expected size for the guest's rate and\n"
"the phase's shares: sum of 1 - exp(-rate * share * D) over its frames),\n"
"data_wss= (the estimate over the frames the truth describes), error=.\n"
"\n"
"Examples:\n"
"  wss samples.bin                            # per 5 s: 100ms, 1s, 10s\n"
"  wss -w 5s -i 100ms,1s,10s -q samples.bin   # percentiles only\n"
"  wss -g truth -R guest.out samples.bin      # against workload/guest\n",
	      f);
	fputs(exit_help, f);
}

static const struct option longopts[] = {
	{ "window", required_argument, NULL, 'w' },
	{ "idle", required_argument, NULL, 'i' },
	{ "frames", required_argument, NULL, 'N' },
	{ "confidence", required_argument, NULL, 'c' },
	{ "truth", required_argument, NULL, 'g' },
	{ "access-rate", required_argument, NULL, 'R' },
	TRUTH_LONGOPTS,
	{ "t0", required_argument, NULL, 256 },
	{ "quiet", no_argument, NULL, 'q' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	FILTER_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

/* A tick line of workload/guest: the VM's rate over (the tick before, t]. */
struct guest_tick {
	double t;			/* seconds since the guest's start */
	double rate;			/* accesses/s, its vCPUs' sum */
};

struct opts {
	uint64_t window, t0, frames;
	int have_t0, quiet;
	uint64_t idle[MAX_IDLE];
	size_t nidle;
	double z;			/* of the confidence level */
	double rate;			/* the guest's accesses/s (truth) */
	struct guest_tick *ticks;	/* -R FILE: its rate per tick, by time */
	size_t nticks;
	const char *path, *truth_path, *rate_arg, *out_path;
	struct truth_phasing ph;
	struct truth truth;
	int have_truth;
	struct filter filt;
	FILE *out;
};

/* Sums over the frames observed in a window, for one threshold. */
struct acc {
	double n, sum, sq, var;
};

static void acc_add(struct acc *a, double m, double v)
{
	a->n++;
	a->sum += m;
	a->sq += m * m;
	a->var += v;
}

/* The estimate for a population of POP frames, of which A observed:
 * *lo, *hi the bounds at Z standard errors. */
static double acc_estimate(const struct acc *a, double pop, double z,
			   double *lo, double *hi)
{
	double scale, var, s2 = 0, est, se;

	if (!a->n) {
		*lo = 0;
		*hi = pop;
		return NAN;
	}
	if (pop < a->n)
		pop = a->n;
	scale = pop / a->n;
	if (a->n > 1)
		s2 = (a->sq - a->sum * a->sum / a->n) / (a->n - 1);
	if (s2 < 0)
		s2 = 0;
	/* the frames' own uncertainty, and that of the frames not
	 * observed (sampling without replacement) */
	var = scale * scale * a->var + pop * pop * (1 - a->n / pop) * s2 / a->n;
	est = scale * a->sum;
	se = sqrt(var);
	*lo = est - z * se > 0 ? est - z * se : 0;
	*hi = est + z * se < pop ? est + z * se : pop;
	return est;
}

/* One window's result. */
struct wres {
	uint64_t idx, start, end;
	long phase;
	double isum, iobs;		/* accessed-bit intervals (ns), count */
	double records;			/* of the window */
	struct acc all[MAX_IDLE], data[MAX_IDLE];
};

struct reading {
	struct frames w;
	struct ratemix mix;
	size_t *grp, cgrp;		/* each frame's group in mix */
	struct keymap seen;		/* every frame of the log */
	enum frames_est est;
	struct wres *res;
	size_t nres, cres;
	uint64_t t0, wstart, wend, widx, nrec, late;
	int started;
};

/* Close the current window: its sums per threshold. */
static void window_close(const struct opts *o, struct reading *rd)
{
	struct frames *w = &rd->w;
	struct wres *r;
	const struct truth_phase *tp = NULL;

	if (!frames_n(w))
		return;
	if (rd->nres == rd->cres) {
		rd->cres = rd->cres ? 2 * rd->cres : 64;
		rd->res = xrealloc(rd->res, rd->cres * sizeof(*rd->res));
	}
	r = &rd->res[rd->nres++];
	memset(r, 0, sizeof(*r));
	r->idx = rd->widx;
	r->start = rd->wstart;
	r->end = rd->wend;
	r->phase = -1;
	r->records = (double)(w->samples + w->expired);
	if (o->have_truth) {
		r->phase = truth_window_phase(&o->ph, rd->t0, r->start, r->end);
		if (r->phase >= 0 && (uint64_t)r->phase < o->truth.nphases)
			tp = &o->truth.phases[r->phase];
	}
	/* the rates of the window's frames, then each frame's posterior */
	if (rd->cgrp < frames_n(w)) {
		rd->cgrp = frames_n(w);
		rd->grp = xrealloc(rd->grp, rd->cgrp * sizeof(*rd->grp));
	}
	ratemix_clear(&rd->mix);
	for (size_t i = 0; i < frames_n(w); i++) {
		struct frames_stat st;

		frames_stat(w, i, &st);
		rd->grp[i] = st.kind == FRAMES_SEEN ? (size_t)-2 :
			     ratemix_add(&rd->mix, &st);
		r->isum += (double)w->fs[i].ab_isum;
		r->iobs += (double)w->fs[i].ab_obs;
	}
	ratemix_fit(&rd->mix);
	for (size_t i = 0; i < frames_n(w); i++) {
		uint64_t gfn = frames_gfn(w, i);
		int described = tp && truth_find(&o->truth, (uint32_t)r->phase,
						  gfn);

		if (rd->grp[i] == (size_t)-1)
			continue;	/* no usable observation */
		for (size_t k = 0; k < o->nidle; k++) {
			double v = 0, m = 1;	/* seen, with no delays */

			if (rd->grp[i] != (size_t)-2)
				m = ratemix_within(&rd->mix, rd->grp[i],
						   (double)o->idle[k] / 1e9, &v);
			acc_add(&r->all[k], m, v);
			if (described)
				acc_add(&r->data[k], m, v);
		}
	}
}

/* The first record, at time T: the time origin (--t0, else T) and the
 * first window (from --from). */
static void reading_start(const struct opts *o, struct reading *rd,
			  uint64_t t)
{
	rd->t0 = o->have_t0 ? o->t0 : t;
	rd->wstart = rd->t0 + (o->filt.have_from ? o->filt.from : 0);
	rd->wend = rd->wstart + o->window;
	rd->started = 1;
}

/* A record at time T: close the windows T is past. */
static void reading_at(const struct opts *o, struct reading *rd, uint64_t t)
{
	if (t < rd->wstart) {
		rd->late++;
	} else if (t >= rd->wend) {
		uint64_t skip = (t - rd->wend) / o->window + 1;

		window_close(o, rd);
		frames_clear(&rd->w);
		rd->widx += skip;
		rd->wstart += skip * o->window;
		rd->wend = rd->wstart + o->window;
	}
}

/* Read the log into windows; OUT is opened once the log is. */
static void read_log(struct opts *o, struct reading *rd)
{
	struct kvm_ept_sample_v2 s;
	struct samples ss;
	const char *why;

	if (samples_open(&ss, o->path, 0, &why)) {
		if (why)
			errx(2, "%s: %s", o->path, why);
		err(2, "%s", o->path);
	}
	o->out = open_output(o->out_path);
	while (samples_next(&ss, &s)) {
		if (!rd->started) {	/* the first record: the time origin */
			rd->est = ss.binary || s.delay_ns ? FRAMES_EST_DELAY :
				  FRAMES_EST_COUNT;
			reading_start(o, rd, s.time_ns);
		}
		if (!filter_pass(&o->filt, &s, rd->t0))
			continue;
		reading_at(o, rd, s.time_ns);
		frames_add(&rd->w, &s, rd->est);
		keymap_get_u64(&rd->seen, s.gfn);
		rd->nrec++;
	}
	if (rd->nrec)
		window_close(o, rd);
	bad_report(&ss.bad, stderr, o->path);
	samples_close(&ss);
}

/* The true expected size in phase P for threshold TAU (s) at RATE. */
static double truth_wss_at(const struct opts *o, long p, double tau, double rate)
{
	const struct truth_phase *tp = &o->truth.phases[p];
	double sum = 0;

	for (size_t i = 0; i < tp->n; i++)
		sum += 1 - exp(-rate * tp->rows[i].share * tau);
	return sum;
}

/*
 * The true expected size of window R: with the guest's ticks, the mean of
 * the ticks' truths weighted by their overlap with the window (the size is
 * concave in the rate, so the truth at the mean rate would be too high for
 * a guest whose rate varies); else the truth at the guest's total rate.
 */
static double truth_wss(const struct opts *o, const struct wres *r,
			uint64_t t0, double tau)
{
	double ws = ((double)r->start - (double)t0) / 1e9;
	double we = ((double)r->end - (double)t0) / 1e9;
	double sum = 0, weight = 0, prev = 0;

	for (size_t i = 0; i < o->nticks; i++) {
		double lo = prev > ws ? prev : ws;
		double hi = o->ticks[i].t < we ? o->ticks[i].t : we;

		prev = o->ticks[i].t;
		if (hi <= lo)
			continue;
		sum += (hi - lo) * truth_wss_at(o, r->phase, tau, o->ticks[i].rate);
		weight += hi - lo;
	}
	return weight > 0 ? sum / weight : truth_wss_at(o, r->phase, tau, o->rate);
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The per-window lines, then per threshold the percentiles. */
static void report(const struct opts *o, const struct reading *rd)
{
	double pop = o->frames ? (double)o->frames : (double)rd->seen.n;
	double *v = xcalloc(rd->nres ? rd->nres : 1, sizeof(*v));
	char b1[32], b2[32];
	size_t thin = 0;

	for (size_t j = 0; j < rd->nres; j++)
		thin += rd->res[j].records < 3 * rd->res[j].all[0].n;
	if (thin)
		warnx("%zu of %zu windows have fewer than 3 records a frame: "
		      "their sizes lean on the fitted rates (a longer --window)",
		      thin, rd->nres);

	for (size_t k = 0; k < o->nidle; k++) {
		double sum = 0, abserr = 0, maxerr = 0;
		size_t nv = 0, nerr = 0;

		fmt_duration(b1, o->idle[k]);
		for (size_t j = 0; j < rd->nres; j++) {
			const struct wres *r = &rd->res[j];
			double lo, hi, est = acc_estimate(&r->all[k], pop, o->z,
							  &lo, &hi);

			if (isnan(est))
				continue;
			v[nv++] = est;
			sum += est;
			if (o->quiet && !o->have_truth)
				continue;
			if (!o->quiet)
				fprintf(o->out, "window=%" PRIu64 " start_ns=%"
					PRIu64 " end_ns=%" PRIu64 " idle=%s "
					"observed=%.0f wss_frames=%.1f lo=%.1f "
					"hi=%.1f wss_bytes=%.0f wss=%s", r->idx,
					r->start, r->end, b1, r->all[k].n, est,
					lo, hi, est * PAGE_BYTES,
					fmt_bytes(b2, est * PAGE_BYTES));
			if (!o->quiet && r->iobs)
				fprintf(o->out, " interval_ms=%.2f",
					r->isum / r->iobs / 1e6);
			if (o->have_truth && r->phase >= 0 &&
			    (uint64_t)r->phase < o->truth.nphases) {
				const struct truth_phase *tp =
					&o->truth.phases[r->phase];
				double t = truth_wss(o, r, rd->t0,
						     (double)o->idle[k] / 1e9);
				double dlo, dhi, d = acc_estimate(&r->data[k],
						(double)tp->n, o->z, &dlo, &dhi);
				double e = t > 0 ? (d - t) / t : NAN;

				if (!isnan(e)) {
					abserr += fabs(e);
					maxerr = fabs(e) > maxerr ? fabs(e) : maxerr;
					nerr++;
				}
				if (!o->quiet)
					fprintf(o->out, " truth_phase=%ld "
						"truth_wss=%.1f data_wss=%.1f "
						"data_lo=%.1f data_hi=%.1f "
						"error=%+.2f%%", r->phase, t, d,
						dlo, dhi, 100 * e);
			} else if (o->have_truth && !o->quiet) {
				fprintf(o->out, " truth_phase=%ld absent", r->phase);
			}
			if (!o->quiet)
				fputc('\n', o->out);
		}
		if (!nv)
			continue;
		qsort(v, nv, sizeof(*v), dbl_cmp);
		fprintf(o->out, "idle=%s windows=%zu frames=%.0f avg_frames=%.1f "
			"avg=%s", b1, nv, pop, sum / (double)nv,
			fmt_bytes(b2, sum / (double)nv * PAGE_BYTES));
		if (nerr)
			fprintf(o->out, " mean_abs_error=%.2f%% max_abs_error="
				"%.2f%%", 100 * abserr / (double)nerr,
				100 * maxerr);
		fputc('\n', o->out);
		/* damo's percentiles: nearest rank */
		for (unsigned pc = 0; pc <= 100; pc += 25) {
			size_t j = (size_t)ceil(pc / 100.0 * (double)nv);
			double x = v[j ? j - 1 : 0];

			fprintf(o->out, "  percentile=%u idle=%s wss_frames=%.1f "
				"wss=%s\n", pc, b1, x,
				fmt_bytes(b2, x * PAGE_BYTES));
		}
	}
	free(v);
}

/* --idle LIST into O. */
static void parse_idle(struct opts *o, const char *list)
{
	char *copy = xstrdup(list), *save = NULL;

	o->nidle = 0;
	for (char *t = strtok_r(copy, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (o->nidle == MAX_IDLE)
			errx(2, "--idle: %d thresholds at most", MAX_IDLE);
		o->idle[o->nidle] = opt_duration_ns(t, "--idle");
		if (!o->idle[o->nidle])
			errx(2, "--idle: a threshold must be longer than 0");
		o->nidle++;
	}
	free(copy);
	if (!o->nidle)
		errx(2, "--idle: no threshold in '%s'", list);
}

/* One tick line's time and vCPU rate into O's ticks (a vCPU's tick of
 * the same time adds to it). Malformed tick lines exit 2. */
static void add_tick(struct opts *o, const char *arg, const char *line)
{
	const char *t = strstr(line, " t="), *r = strstr(line, " rate=");
	double tv = NAN, rv = NAN;
	char *e1 = NULL, *e2 = NULL;

	if (t && r) {
		tv = strtod(t + 3, &e1);
		rv = strtod(r + 6, &e2);
	}
	if (!t || !r || e1 == t + 3 || e2 == r + 6 || !isfinite(tv) ||
	    !isfinite(rv) || rv < 0 ||
	    (o->nticks && tv < o->ticks[o->nticks - 1].t))
		errx(2, "--access-rate %s: a bad tick line: %.80s", arg, line);
	if (o->nticks && tv == o->ticks[o->nticks - 1].t) {
		o->ticks[o->nticks - 1].rate += rv;
		return;
	}
	o->ticks = xrealloc(o->ticks, (o->nticks + 1) * sizeof(*o->ticks));
	o->ticks[o->nticks].t = tv;
	o->ticks[o->nticks++].rate = rv;
}

/* --access-rate: a number, or workload/guest's output (its tick lines,
 * and 'total ... rate='). Exits 2 when neither. */
static void access_rate(struct opts *o, const char *arg)
{
	char *end, line[4096];
	double r = strtod(arg, &end);
	FILE *f;

	if (end != arg && !*end) {
		if (!(r > 0) || !isfinite(r))
			errx(2, "--access-rate: a rate > 0, not '%s'", arg);
		o->rate = r;
		return;
	}
	f = fopen(arg, "r");
	if (!f)
		err(2, "--access-rate %s (neither a number nor a file)", arg);
	r = 0;
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, " rate=");

		if (!strncmp(line, "total ", 6) && p)
			r = strtod(p + 6, NULL);
		if (!strncmp(line, "tick ", 5))
			add_tick(o, arg, line);
	}
	fclose(f);
	if (!(r > 0) || !isfinite(r))
		errx(2, "--access-rate %s: no 'total ... rate=' line of "
		     "workload/guest with a rate > 0", arg);
	o->rate = r;
}

/* The options into O; exits 2 on bad ones. */
static void parse_args(int argc, char **argv, struct opts *o)
{
	double conf = 95;
	int c;

	while ((c = getopt_long(argc, argv, "w:i:N:c:g:R:p:L:P:qo:h", longopts,
				NULL)) != -1) {
		if (filter_option(&o->filt, c, optarg) ||
		    truth_option(&o->ph, c, optarg))
			continue;
		switch (c) {
		case 'w': o->window = opt_duration_ns(optarg, "--window"); break;
		case 'i': parse_idle(o, optarg); break;
		case 'N': o->frames = opt_u64(optarg, "--frames"); break;
		case 'c': conf = opt_double(optarg, "--confidence"); break;
		case 'g': o->truth_path = optarg; break;
		case 'R': o->rate_arg = optarg; break;
		case 256:
			o->t0 = opt_u64(optarg, "--t0");
			o->have_t0 = 1;
			break;
		case 'q': o->quiet = 1; break;
		case 'o': o->out_path = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	o->path = opt_log_operand(argc, argv);
	if (!o->window)
		errx(2, "--window: a length > 0");
	if (!(conf > 0 && conf < 100))
		errx(2, "--confidence: a percentage between 0 and 100");
	/* the two-sided normal quantile, by bisection on erfc */
	{
		double lo = 0, hi = 10, a = 1 - conf / 100;

		for (int i = 0; i < 100; i++) {
			double m = (lo + hi) / 2;

			if (erfc(m / sqrt(2)) > a)
				lo = m;
			else
				hi = m;
		}
		o->z = (lo + hi) / 2;
	}
	if (o->truth_path && !o->rate_arg)
		errx(2, "--truth needs --access-rate: the guest's accesses/s "
		     "(workload/guest's output, its 'total ... rate=' line)");
	if (o->rate_arg && !o->truth_path)
		errx(2, "--access-rate is for --truth");
}

int main(int argc, char **argv)
{
	struct opts o = { .window = 5000000000ULL, .path = "-",
			  .idle = { 100000000, 1000000000, 10000000000ULL },
			  .nidle = 3, .out = stdout };
	struct reading rd = { 0 };

	parse_args(argc, argv, &o);
	if (o.truth_path) {
		access_rate(&o, o.rate_arg);
		truth_load_phased(&o.truth, o.truth_path, &o.ph);
		o.have_truth = 1;
	}
	frames_init(&rd.w);
	ratemix_init(&rd.mix);
	keymap_init(&rd.seen);
	read_log(&o, &rd);
	if (rd.late)
		warnx("%s: %" PRIu64 " records older than their window "
		      "(log not in time order?)", o.path, rd.late);
	if (!rd.nrec)
		warnx("%s: no records%s", o.path, filter_active(&o.filt) ?
		      " (after the record filters)" : "");
	else if (!rd.nres)
		warnx("%s: no record with an interval or a delay", o.path);
	else
		report(&o, &rd);
	if (fflush(o.out) || ferror(o.out))
		err(2, "%s", o.out_path ? o.out_path : "stdout");
	frames_free(&rd.w);
	ratemix_free(&rd.mix);
	free(rd.grp);
	keymap_free(&rd.seen);
	free(rd.res);
	if (o.have_truth)
		truth_free(&o.truth);
	free(o.ticks);
	truth_phasing_free(&o.ph);
	return rd.nres ? 0 : EXIT_NODATA;
}
