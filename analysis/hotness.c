/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hotness - rank guest frames by the access rate estimated from
 * samples, overall or per time window; give the hot set at a chosen
 * size or rate threshold; scored against the ground truth of
 * workload/guest: precision, recall and Spearman rank correlation per
 * window. Estimators: the arming-to-access delay (the module's logs:
 * rate = samples / sum of delays, the Poisson maximum likelihood) or
 * the sample count (logs without delays). DAMON's view of the guest
 * (analysis/damon-capture, -D) is scored by the same code, through
 * the accessed-bit estimator. See docs/analysis.md.
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common.h"
#include "lib/damonlog.h"
#include "lib/filter.h"
#include "lib/frames.h"
#include "lib/keymap.h"
#include "lib/samples.h"
#include "lib/truth.h"

static void usage(FILE *f)
{
	fputs(
"Usage: hotness [OPTIONS] [LOG]\n"
"Rank guest frames by their estimated access rate, from a sample log (the\n"
"module's binary or text log, or a SystemTap t= vcpu= gfn= type= log;\n"
"stdin if no LOG), overall or per time window, and print the hot set.\n"
"With a ground-truth file, score the hot set per window.\n"
"\n"
"Options:\n"
"  -e, --estimator E       how a frame's rate is estimated (default auto):\n"
"                            delay  accesses/s = samples / sum of their\n"
"                                   arming-to-access delays (the maximum\n"
"                                   likelihood rate of a Poisson access\n"
"                                   stream); samples with delay 0 are skipped\n"
"                            count  samples/s of the window (proportional\n"
"                                   to the rate only if frames are sampled\n"
"                                   in proportion to their accesses)\n"
"                            auto   delay for the module's logs (binary, or\n"
"                                   a first sample with delay > 0), count\n"
"                                   for logs without delays (SystemTap)\n"
"  -w, --window DUR        rank per window of DUR (e.g. 100ms, 2s, 5000000);\n"
"                          default: the whole log as one window\n"
"  -k, --size N            hot set = the N highest-rate frames (default 20,\n"
"                          or with --truth the number of hot frames in it)\n"
"  -T, --threshold RATE    hot set = frames estimated at >= RATE per second\n"
"                          (accesses/s with delay, samples/s with count)\n"
"  -g, --truth FILE        ground truth (phase=P gfn=0x.. share=F hot=0|1):\n"
"                          print precision=, recall=, spearman=, coverage=\n"
"                          per window\n",
	      f);
	fputs(truth_phase_help, f);
	fputs(
"      --t0 NS             time origin for windows and phases (default:\n"
"                          the first sample's time; with -D, the time\n"
"                          DAMON was switched on, when the log marks it)\n"
"  -u, --until DUR         only the records of the first DUR after the\n"
"                          time origin (what a capture of DUR would give)\n"
"  -D, --damon             LOG is DAMON's view of the guest, as\n"
"                          analysis/damon-capture writes it: each\n"
"                          region's accesses count for each of its frames,\n"
"                          through the accessed-bit estimator\n"
"  -q, --quiet             summary lines only, no ranked list\n"
"  -o, --output FILE       write to FILE instead of stdout\n"
"  -h, --help              this help\n",
	      f);
	fputs(filter_help, f);
	fputs(
"  (hotness: the time origin is --t0 if given; windows start at --from)\n"
"\n"
"Only frames with at least one (usable) sample in the window have an\n"
"estimate; the hot set never holds a frame that was not sampled.\n"
"A huge-region sample (level 2 or 3) counts for the frame it names (the\n"
"first one touched); its delay counts for every frame of the region.\n"
"Truth files: 'phase=P gfn=0x.. share=F hot=0|1' lines, or the columns\n"
"'gfn phase share hot' that workload/guest --truth writes. With several\n"
"phases, the phase length comes from its '# phase_seconds=' comment, or\n"
"from --phase-length; --phase P fixes one phase. coverage= is the\n"
"fraction of truth-hot frames sampled at all (the most recall can be);\n"
"sampled_precision= the precision of the top sampled_hot frames.\n"
"With --phase-times each score line also gives phase_changes= (changes\n"
"more than a twentieth of the window inside it) and prev_phase=,\n"
"prev_precision=, prev_recall=, prev_sampled_precision=: the same hot\n"
"set against the phase before (prev_phase=-1 in the first phase).\n"
"Frames the truth has no row for (the guest's own code, stack, tables\n"
"and page tables: hot, but with no known share) stay in the ranking and\n"
"are passed over by the score: the hot set scored is the first N frames\n"
"the truth describes, and unscored= counts the frames passed over.\n"
"Samples are expected in time order per window; a sample older than\n"
"the current window is counted in it and reported as late.\n"
"\n"
"Examples:\n"
"  hotness samples.bin                         # 20 hottest frames\n"
"  hotness -w 1s -k 50 samples.txt             # per second, top 50\n"
"  hotness -T 1000 samples.bin                 # frames at >= 1000 accesses/s\n"
"  hotness -e count stap.log                   # most sampled frames\n"
"  hotness -g truth.txt samples.bin            # precision=... recall=...\n"
"  hotness -w 1s -L 10s -g truth.txt -q samples.bin\n"
"  hotness -D -g truth.txt -q damon.log          # DAMON, scored the same way\n"
"  hotness --vcpu 1 --type w --from 1s samples.bin   # vCPU 1's writes after 1 s\n",
	      f);
	fputs(exit_help, f);
}

static const struct option longopts[] = {
	{ "estimator", required_argument, NULL, 'e' },
	{ "window", required_argument, NULL, 'w' },
	{ "size", required_argument, NULL, 'k' },
	{ "threshold", required_argument, NULL, 'T' },
	{ "truth", required_argument, NULL, 'g' },
	TRUTH_LONGOPTS,
	{ "t0", required_argument, NULL, 256 },
	{ "until", required_argument, NULL, 'u' },
	{ "damon", no_argument, NULL, 'D' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	FILTER_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

struct opts {
	uint64_t window, t0, until;
	int have_t0, quiet, damon;
	struct truth_phasing ph;
	enum frames_est est;
	uint64_t size;
	double threshold;
	struct truth *truth;
	struct filter filt;
	FILE *out;
};

struct rankv {
	double v;
	size_t i;
};

static int rankv_cmp(const void *a, const void *b)
{
	const struct rankv *x = a, *y = b;

	return x->v < y->v ? -1 : x->v > y->v;
}

/* Ranks (1-based, ties averaged) of V[0..n) into R. */
static void ranks(const double *v, double *r, size_t n)
{
	struct rankv *t = xcalloc(n, sizeof(*t));

	for (size_t i = 0; i < n; i++) {
		t[i].v = v[i];
		t[i].i = i;
	}
	qsort(t, n, sizeof(*t), rankv_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && t[j].v == t[i].v)
			j++;
		for (size_t k = i; k < j; k++)
			r[t[k].i] = (double)(i + j + 1) / 2.0;
		i = j;
	}
	free(t);
}

/* Spearman's rho: Pearson correlation of the ranks. NAN if undefined. */
static double spearman(const double *x, const double *y, size_t n)
{
	double *rx, *ry, mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;

	if (n < 2)
		return NAN;
	rx = xcalloc(n, sizeof(*rx));
	ry = xcalloc(n, sizeof(*ry));
	ranks(x, rx, n);
	ranks(y, ry, n);
	for (size_t i = 0; i < n; i++) {
		mx += rx[i];
		my += ry[i];
	}
	mx /= (double)n;
	my /= (double)n;
	for (size_t i = 0; i < n; i++) {
		sxy += (rx[i] - mx) * (ry[i] - my);
		sxx += (rx[i] - mx) * (rx[i] - mx);
		syy += (ry[i] - my) * (ry[i] - my);
	}
	free(rx);
	free(ry);
	if (sxx == 0 || syy == 0)
		return NAN;
	return sxy / sqrt(sxx * syy);
}


struct score {
	uint64_t windows;
	double sum_p, sum_r, sum_rho, sum_cov;
	uint64_t n_rho;
};

/*
 * The hits among the first k frames of ranking R (N frames) that truth
 * phase PHASE describes; frames it has no row for are passed over (the
 * guest's own code, stack, tables and page tables: hot, but with no
 * share), and counted in *passed. With all_k, only R's first k frames
 * are looked at (a threshold's hot set). *described: the frames scored.
 */
static size_t score_top(const struct truth *t, long phase,
			const struct ranked *r, size_t n, size_t k, int all_k,
			size_t *described, size_t *passed)
{
	size_t hit = 0, i;

	*described = 0;
	*passed = 0;
	for (i = 0; i < n && (all_k ? i < k : *described < k); i++) {
		const struct truth_row *row =
			truth_find(t, (uint32_t)phase, r[i].gfn);

		if (!row) {
			++*passed;
			continue;
		}
		++*described;
		hit += row->hot;
	}
	return hit;
}

/* How one window's hot set meets one truth phase. */
struct window_score {
	double p, rc, rho, cov, sp;
	size_t shot, unscored;
};

/* Compare ranking R (N frames, hot set = the first K) with truth phase
 * TP into *WS. */
static void score_window(const struct opts *o, const struct frames *w,
			 const struct ranked *r, size_t n, size_t k,
			 long phase, const struct truth_phase *tp,
			 struct window_score *ws)
{
	const struct truth *t = o->truth;
	size_t nu = tp->n, hit, shot = 0, shit, scored, unscored, sd, sp_passed;
	double *x, *y, *rate;

	/* rate of each frame of R, by entry index, for the lookups below */
	rate = xcalloc(n ? n : 1, sizeof(*rate));
	for (size_t i = 0; i < n; i++) {
		const struct truth_row *row =
			truth_find(t, (uint32_t)phase, r[i].gfn);

		rate[keymap_find_u64(&w->map, r[i].gfn)] = r[i].rate;
		if (row && row->hot && r[i].n)
			shot++;
	}
	hit = score_top(t, phase, r, n, k, o->threshold > 0, &scored, &unscored);
	shit = score_top(t, phase, r, n, shot, 0, &sd, &sp_passed);
	/* Spearman over the truth's frames (unsampled: rate 0). */
	x = xcalloc(nu ? nu : 1, sizeof(*x));
	y = xcalloc(nu ? nu : 1, sizeof(*y));
	for (size_t i = 0; i < tp->n; i++) {
		size_t e = keymap_find_u64(&w->map, tp->rows[i].gfn);

		x[i] = e == (size_t)-1 ? 0 : rate[e];
		y[i] = tp->rows[i].share;
	}
	ws->rho = spearman(x, y, nu);
	if (o->threshold > 0)
		ws->p = scored ? (double)hit / (double)scored : NAN;
	else
		ws->p = k ? (double)hit / (double)k : NAN;
	ws->rc = tp->nhot ? (double)hit / (double)tp->nhot : NAN;
	ws->cov = tp->nhot ? (double)shot / (double)tp->nhot : NAN;
	ws->sp = shot ? (double)shit / (double)shot : NAN;
	ws->shot = shot;
	ws->unscored = unscored;
	free(x);
	free(y);
	free(rate);
}

/* Print window score WS against PHASE (TP) and add it to the means. */
static void print_score(const struct opts *o, long phase,
			const struct truth_phase *tp,
			const struct window_score *ws, struct score *sc)
{
	fprintf(o->out, "precision=%.4f recall=%.4f spearman=%.4f "
		"truth_phase=%ld truth_hot=%zu sampled_hot=%zu coverage=%.4f "
		"sampled_precision=%.4f unscored=%zu", ws->p, ws->rc, ws->rho,
		phase, tp->nhot, ws->shot, ws->cov, ws->sp, ws->unscored);
	sc->windows++;
	sc->sum_p += isnan(ws->p) ? 0 : ws->p;
	sc->sum_r += isnan(ws->rc) ? 0 : ws->rc;
	sc->sum_cov += isnan(ws->cov) ? 0 : ws->cov;
	if (!isnan(ws->rho)) {
		sc->sum_rho += ws->rho;
		sc->n_rho++;
	}
}

/*
 * With --phase-times: how many phase changes lie inside the window, and
 * the same hot set scored against the phase before (does it still
 * follow the old phase?); prev_phase=-1 in the first phase.
 */
static void print_prev_phase(const struct opts *o, const struct frames *w,
			     const struct ranked *r, size_t n, size_t k,
			     uint64_t t0, uint64_t start, uint64_t end)
{
	long prev = truth_window_prev_phase(&o->ph, t0, start, end);
	struct window_score ws = { NAN, NAN, NAN, NAN, NAN, 0, 0 };

	if (prev >= 0 && (uint64_t)prev < o->truth->nphases)
		score_window(o, w, r, n, k, prev, &o->truth->phases[prev], &ws);
	fprintf(o->out, " phase_changes=%zu prev_phase=%ld prev_precision=%.4f"
		" prev_recall=%.4f prev_sampled_precision=%.4f",
		truth_window_changes(&o->ph, t0, start, end), prev, ws.p,
		ws.rc, ws.sp);
}

static void print_window(const struct opts *o, const struct frames *w,
			 enum frames_est est, uint64_t idx, uint64_t start,
			 uint64_t end, uint64_t t0, struct score *sc)
{
	size_t n = frames_n(w), k;
	double secs = (double)(end - start) / 1e9, total = 0;
	struct ranked *r;
	FILE *f = o->out;

	if (secs <= 0)
		secs = 1e-9;
	r = frames_rank(w, est, secs);
	for (size_t i = 0; i < n; i++)
		total += r[i].rate;

	/* The hot set: the first k of the ranking, sampled frames only. */
	long phase = o->truth ? truth_window_phase(&o->ph, t0, start, end) : -1;
	const struct truth_phase *tp = NULL;

	if (o->truth && phase >= 0 && (uint64_t)phase < o->truth->nphases)
		tp = &o->truth->phases[phase];
	if (o->threshold > 0) {
		for (k = 0; k < n && r[k].rate >= o->threshold; k++)
			;
	} else if (o->size) {
		k = o->size < n ? o->size : n;
	} else if (o->truth) {
		k = tp && tp->nhot < n ? tp->nhot : n;
	} else {
		k = n < 20 ? n : 20;
	}
	if (k > w->sampled)
		k = w->sampled;

	fprintf(f, "window=%" PRIu64 " start_ns=%" PRIu64 " end_ns=%" PRIu64
		" samples=%" PRIu64 " frames=%zu hot_set=%zu estimator=%s"
		" expired=%" PRIu64 "\n",
		idx, start, end, w->samples, w->sampled, k,
		est == FRAMES_EST_DELAY ? "delay" : "count", w->expired);
	if (!o->quiet && k) {
		fprintf(f, "%6s %18s %10s %14s %8s\n", "rank", "gfn",
			"samples", est == FRAMES_EST_DELAY ? "accesses/s" :
			"samples/s", "share");
		for (size_t i = 0; i < k; i++)
			fprintf(f, "%6zu %#18" PRIx64 " %10" PRIu64
				" %14.1f %8.4f\n", i + 1, r[i].gfn, r[i].n,
				r[i].rate, r[i].rate / total);
	}
	if (o->truth && !tp) {
		fprintf(f, "truth_phase=%ld absent from the truth file\n",
			phase);
	} else if (o->truth) {
		struct window_score ws;

		score_window(o, w, r, n, k, phase, tp, &ws);
		print_score(o, phase, tp, &ws, sc);
		if (o->ph.ntimes)
			print_prev_phase(o, w, r, n, k, t0, start, end);
		fputc('\n', f);
	}
	free(r);
}

/* Where the reading of the log stands: the window open and the counts. */
struct reading {
	struct frames w;
	struct score sc;
	enum frames_est est;
	uint64_t t0, wstart, wend, widx, last_t;
	uint64_t late, nsamples, nodelay;
	int started;
};

/* The first record, at time T: the time origin (--t0, else the log's own
 * START if it has one, else T) and the first window (from --from). */
static void reading_start(const struct opts *o, struct reading *rd,
			  uint64_t t, uint64_t start)
{
	if (rd->started)
		return;
	rd->t0 = o->have_t0 ? o->t0 : start && start <= t ? start : t;
	rd->wstart = rd->t0 + (o->filt.have_from ? o->filt.from : 0);
	rd->wend = o->window ? rd->wstart + o->window : UINT64_MAX;
	rd->started = 1;
}

/*
 * A record at time T comes: open the first window, or close the ones T
 * is past. Returns 0 when the record lies beyond --until.
 */
static int reading_at(const struct opts *o, struct reading *rd, uint64_t t,
		      uint64_t start)
{
	reading_start(o, rd, t, start);
	if (o->until && t >= rd->t0 && t - rd->t0 >= o->until)
		return 0;
	if (t < rd->wstart) {
		rd->late++;
	} else if (t >= rd->wend) {
		uint64_t skip;

		print_window(o, &rd->w, rd->est, rd->widx++, rd->wstart,
			     rd->wend, rd->t0, &rd->sc);
		frames_clear(&rd->w);
		/* Empty windows in between: one line. */
		skip = (t - rd->wend) / o->window;
		if (skip)
			fprintf(o->out, "window=%" PRIu64 "-%" PRIu64
				" samples=0\n", rd->widx, rd->widx + skip - 1);
		rd->widx += skip;
		rd->wstart = rd->wend + skip * o->window;
		rd->wend = UINT64_MAX - rd->wstart < o->window ?
			   UINT64_MAX : rd->wstart + o->window;
	}
	if (t > rd->last_t)
		rd->last_t = t;
	return 1;
}

/* Read a sample log (the module's or SystemTap's) into windows; the
 * output OUT is opened once the log is (nothing is written after a
 * failed open). */
static void read_samples(struct opts *o, struct reading *rd,
			 const char *path, const char *out)
{
	struct kvm_ept_sample_v2 s;
	struct samples ss;
	const char *why;

	if (samples_open(&ss, path, 0, &why)) {
		if (why)
			errx(2, "%s: %s", path, why);
		err(2, "%s", path);
	}
	o->out = open_output(out);
	while (samples_next(&ss, &s)) {
		if (!rd->started) {
			rd->est = o->est != FRAMES_EST_AUTO ? o->est :
				  ss.binary || s.delay_ns ? FRAMES_EST_DELAY : FRAMES_EST_COUNT;
			reading_start(o, rd, s.time_ns, 0);
		}
		if (!filter_pass(&o->filt, &s, rd->t0) ||
		    !reading_at(o, rd, s.time_ns, 0))
			continue;
		frames_add(&rd->w, &s, rd->est);
		if (s.flags & KVM_EPT_SAMPLE_F_EXPIRED)
			continue;
		rd->nodelay += rd->est == FRAMES_EST_DELAY && !s.delay_ns;
		rd->nsamples++;
	}
	bad_report(&ss.bad, stderr, path);
	samples_close(&ss);
}

/* Read DAMON's view (-D) into windows: its observations are accessed bits. */
static void read_damon(struct opts *o, struct reading *rd,
		       const char *path, const char *out)
{
	static struct damonlog d;	/* large: its pending observations */
	struct damon_obs ob;

	if (damonlog_open(&d, path))
		err(2, "%s", path);
	o->out = open_output(out);
	rd->est = FRAMES_EST_DELAY;
	while (damonlog_next(&d, &ob)) {
		if (!reading_at(o, rd, ob.time_ns, d.start_ns))
			continue;
		frames_add_region(&rd->w, &ob);
		rd->nsamples++;
	}
	bad_report(&d.bad, stderr, path);
	if (!d.nslots)
		warnx("%s: no '# memslot' lines: no region can be placed in the guest",
		      path);
	damonlog_close(&d);
}

/* The options into O (and the file names); exits 2 on bad ones. */
static void parse_args(int argc, char **argv, struct opts *o,
		       const char **path, const char **truth_path,
		       const char **out)
{
	int c;

	while ((c = getopt_long(argc, argv, "e:w:k:T:g:p:L:P:u:Dqo:h", longopts,
				NULL)) != -1) {
		if (filter_option(&o->filt, c, optarg) ||
		    truth_option(&o->ph, c, optarg))
			continue;
		switch (c) {
		case 'e':
			o->est = (enum frames_est)opt_choice(optarg, "--estimator",
							     frames_est_names);
			break;
		case 'w': o->window = opt_duration_ns(optarg, "--window"); break;
		case 'k': o->size = opt_u64(optarg, "--size"); break;
		case 'T': o->threshold = opt_double(optarg, "--threshold"); break;
		case 'g': *truth_path = optarg; break;
		case 256:
			o->t0 = opt_u64(optarg, "--t0");
			o->have_t0 = 1;
			break;
		case 'u': o->until = opt_duration_ns(optarg, "--until"); break;
		case 'D': o->damon = 1; break;
		case 'q': o->quiet = 1; break;
		case 'o': *out = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	*path = opt_log_operand(argc, argv);
	if (o->size && o->threshold > 0)
		errx(2, "--size and --threshold exclude each other");
	if (o->damon && o->est != FRAMES_EST_AUTO)
		errx(2, "--damon and --estimator exclude each other: DAMON's "
		     "view is read as accessed bits");
	if (o->damon && filter_active(&o->filt))
		errx(2, "the record filters apply to sample logs, not to "
		     "DAMON's view (--damon)");
}

/* The end: the last window, the warnings and the mean scores. */
static void report(const struct opts *o, struct reading *rd, const char *path)
{
	const struct score *sc = &rd->sc;

	uint64_t end = rd->last_t + 1;

	if (o->window)
		end = rd->wend;
	else if (o->until)
		end = rd->t0 + o->until;	/* the span asked for */
	if (rd->started)
		print_window(o, &rd->w, rd->est, rd->widx++, rd->wstart,
			     end > rd->wstart ? end : rd->wstart + 1, rd->t0,
			     &rd->sc);
	if (rd->late)
		warnx("%s: %" PRIu64 " samples older than their window "
		      "(log not in time order?)", path, rd->late);
	if (rd->nodelay)
		warnx("%s: %" PRIu64 " of %" PRIu64 " samples without a delay "
		      "(delay=0) skipped by the delay estimator%s", path,
		      rd->nodelay, rd->nsamples, rd->nodelay == rd->nsamples ?
		      "; try --estimator count" : "");
	if (!rd->nsamples)
		warnx("%s: no samples%s", path, filter_active(&o->filt) ?
		      " (after the record filters)" : "");
	if (o->truth && sc->windows > 1)
		fprintf(o->out, "windows=%" PRIu64 " mean_precision=%.4f "
			"mean_recall=%.4f mean_spearman=%.4f "
			"mean_coverage=%.4f\n", sc->windows,
			sc->sum_p / (double)sc->windows,
			sc->sum_r / (double)sc->windows,
			sc->n_rho ? sc->sum_rho / (double)sc->n_rho : NAN,
			sc->sum_cov / (double)sc->windows);
}

int main(int argc, char **argv)
{
	struct opts o = { .out = stdout };
	const char *path = "-", *truth_path = NULL, *out = NULL;
	struct reading rd = { .est = FRAMES_EST_COUNT };
	struct truth truth;

	parse_args(argc, argv, &o, &path, &truth_path, &out);
	if (truth_path) {
		truth_load_phased(&truth, truth_path, &o.ph);
		o.truth = &truth;
	}
	frames_init(&rd.w);
	if (o.damon)
		read_damon(&o, &rd, path, out);
	else
		read_samples(&o, &rd, path, out);
	report(&o, &rd, path);
	if (fflush(o.out) || ferror(o.out))
		err(2, "%s", out ? out : "stdout");
	frames_free(&rd.w);
	if (o.truth)
		truth_free(&truth);
	truth_phasing_free(&o.ph);
	return rd.nsamples ? 0 : EXIT_NODATA;
}
