/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hotness - rank guest frames by the access rate estimated from
 * samples, overall or per time window; give the hot set at a chosen
 * size or rate threshold; scored against the ground truth of
 * workload/guest: precision, recall and Spearman rank correlation per
 * window. See docs/analysis.md.
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common.h"
#include "lib/keymap.h"
#include "lib/samples.h"
#include "lib/truth.h"

static void usage(FILE *f)
{
	fputs(
"Usage: hotness [OPTIONS] [LOG]\n"
"Rank guest frames by sampled access rate, from a sample log (the\n"
"module's binary or text log, or a SystemTap t= vcpu= gfn= type= log;\n"
"stdin if no LOG), overall or per time window, and print the hot set.\n"
"With a ground-truth file, score the hot set per window.\n"
"\n"
"Options:\n"
"  -w, --window DUR        rank per window of DUR (e.g. 100ms, 2s, 5000000);\n"
"                          default: the whole log as one window\n"
"  -k, --size N            hot set = the N most sampled frames (default 20,\n"
"                          or with --truth the number of hot frames in it)\n"
"  -T, --threshold RATE    hot set = frames sampled at >= RATE samples/s\n"
"  -g, --truth FILE        ground truth (phase=P gfn=0x.. share=F hot=0|1):\n"
"                          print precision=, recall=, spearman= per window\n"
"  -p, --phase P           compare every window with phase P\n"
"  -L, --phase-length DUR  phase P covers [t0 + P*DUR, t0 + (P+1)*DUR); the\n"
"                          window is compared with the phase of its middle\n"
"      --t0 NS             time origin for windows and phases (default:\n"
"                          the first sample's time)\n"
"  -q, --quiet             summary lines only, no ranked list\n"
"  -o, --output FILE       write to FILE instead of stdout\n"
"  -h, --help              this help\n"
"\n"
"Truth files: 'phase=P gfn=0x.. share=F hot=0|1' lines, or the columns\n"
"'gfn phase share hot' that workload/guest --truth writes. With several\n"
"phases, the phase length comes from its '# phase_seconds=' comment, or\n"
"from --phase-length; --phase P fixes one phase.\n"
"Samples are expected in time order per window; a sample older than\n"
"the current window is counted in it and reported as late.\n"
"\n"
"Examples:\n"
"  hotness samples.bin                         # 20 hottest frames\n"
"  hotness -w 1s -k 50 samples.txt             # per second, top 50\n"
"  hotness -T 100 samples.bin                  # frames at >= 100 samples/s\n"
"  hotness -g truth.txt samples.bin            # precision=... recall=...\n"
"  hotness -w 1s -L 10s -g truth.txt -q samples.bin\n",
	      f);
}

static const struct option longopts[] = {
	{ "window", required_argument, NULL, 'w' },
	{ "size", required_argument, NULL, 'k' },
	{ "threshold", required_argument, NULL, 'T' },
	{ "truth", required_argument, NULL, 'g' },
	{ "phase", required_argument, NULL, 'p' },
	{ "phase-length", required_argument, NULL, 'L' },
	{ "t0", required_argument, NULL, 256 },
	{ "quiet", no_argument, NULL, 'q' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct opts {
	uint64_t window, phase_len, t0;
	int have_t0, quiet, have_phase;
	uint64_t size;
	double threshold;
	uint32_t phase;
	struct truth *truth;
	FILE *out;
};

struct ranked {
	uint64_t gfn;
	uint64_t count;
};

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->gfn < y->gfn ? -1 : x->gfn > y->gfn;
}

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
	double sum_p, sum_r, sum_rho;
	uint64_t n_rho;
};

/* Which truth phase window [start, end) is compared with; -1 if none. */
static long window_phase(const struct opts *o, uint64_t t0, uint64_t start,
			 uint64_t end)
{
	uint64_t mid;

	if (o->have_phase)
		return o->phase;
	if (!o->phase_len)
		return 0;	/* single-phase truth (checked in main) */
	mid = start + (end - start) / 2;
	if (mid < t0)
		return 0;
	return (long)((mid - t0) / o->phase_len);
}

static void print_window(const struct opts *o, struct keymap *m, uint64_t idx,
			 uint64_t start, uint64_t end, uint64_t t0,
			 struct score *sc)
{
	size_t n = m->n, k;
	struct ranked *r = xcalloc(n, sizeof(*r));
	uint64_t total = 0;
	double secs = (double)(end - start) / 1e9;
	FILE *f = o->out;

	for (size_t i = 0; i < n; i++) {
		r[i].gfn = keymap_key_u64(m, i);
		r[i].count = m->e[i].value;
		total += r[i].count;
	}
	qsort(r, n, sizeof(*r), ranked_cmp);
	if (secs <= 0)
		secs = 1e-9;

	/* The hot set: the first k of the ranking. */
	long phase = o->truth ? window_phase(o, t0, start, end) : -1;
	const struct truth_phase *tp = NULL;

	if (o->truth && phase >= 0 && (uint64_t)phase < o->truth->nphases)
		tp = &o->truth->phases[phase];
	if (o->threshold > 0) {
		for (k = 0; k < n && (double)r[k].count / secs >= o->threshold;
		     k++)
			;
	} else if (o->size) {
		k = o->size < n ? o->size : n;
	} else if (o->truth) {
		k = tp && tp->nhot < n ? tp->nhot : n;
	} else {
		k = n < 20 ? n : 20;
	}

	fprintf(f, "window=%" PRIu64 " start_ns=%" PRIu64 " end_ns=%" PRIu64
		" samples=%" PRIu64 " frames=%zu hot_set=%zu\n", idx, start,
		end, total, n, k);
	if (!o->quiet && k) {
		fprintf(f, "%6s %18s %10s %14s %8s\n", "rank", "gfn",
			"samples", "samples/s", "share");
		for (size_t i = 0; i < k; i++)
			fprintf(f, "%6zu %#18" PRIx64 " %10" PRIu64
				" %14.1f %8.4f\n", i + 1, r[i].gfn,
				r[i].count, (double)r[i].count / secs,
				(double)r[i].count / (double)total);
	}
	if (o->truth && !tp) {
		fprintf(f, "truth_phase=%ld absent from the truth file\n",
			phase);
	} else if (o->truth) {
		size_t tpos = 0, nu = tp->n, hit = 0;
		double *x, *y, rho, p, rc;

		for (size_t i = 0; i < k; i++) {
			const struct truth_row *row =
				truth_find(o->truth, (uint32_t)phase, r[i].gfn);

			hit += row && row->hot;
		}
		/* Frames of the truth, plus sampled frames not in it. */
		for (size_t i = 0; i < n; i++)
			if (!truth_find(o->truth, (uint32_t)phase, r[i].gfn))
				nu++;
		x = xcalloc(nu ? nu : 1, sizeof(*x));
		y = xcalloc(nu ? nu : 1, sizeof(*y));
		for (size_t i = 0; i < tp->n; i++) {
			size_t e = keymap_find_u64(m, tp->rows[i].gfn);

			x[i] = e == (size_t)-1 ? 0 : (double)m->e[e].value;
			y[i] = tp->rows[i].share;
		}
		tpos = tp->n;
		for (size_t i = 0; i < n; i++)
			if (!truth_find(o->truth, (uint32_t)phase, r[i].gfn)) {
				x[tpos] = (double)r[i].count;
				y[tpos++] = 0;
			}
		rho = spearman(x, y, nu);
		p = k ? (double)hit / (double)k : NAN;
		rc = tp->nhot ? (double)hit / (double)tp->nhot : NAN;
		fprintf(f, "precision=%.4f recall=%.4f spearman=%.4f "
			"truth_phase=%ld truth_hot=%zu\n", p, rc, rho, phase,
			tp->nhot);
		sc->windows++;
		sc->sum_p += isnan(p) ? 0 : p;
		sc->sum_r += isnan(rc) ? 0 : rc;
		if (!isnan(rho)) {
			sc->sum_rho += rho;
			sc->n_rho++;
		}
		free(x);
		free(y);
	}
	free(r);
}

int main(int argc, char **argv)
{
	struct opts o = { .out = stdout };
	const char *path = "-", *truth_path = NULL, *out = NULL, *why;
	struct samples ss;
	struct kvm_ept_sample_v2 s;
	struct keymap m;
	struct truth truth;
	struct score sc = { 0 };
	uint64_t t0 = 0, wstart = 0, wend = 0, widx = 0, last_t = 0;
	uint64_t late = 0, nsamples = 0;
	int c, started = 0;

	while ((c = getopt_long(argc, argv, "w:k:T:g:p:L:qo:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'w': o.window = opt_duration_ns(optarg, "--window"); break;
		case 'k': o.size = opt_u64(optarg, "--size"); break;
		case 'T': o.threshold = opt_double(optarg, "--threshold"); break;
		case 'g': truth_path = optarg; break;
		case 'p':
			o.phase = (uint32_t)opt_u64(optarg, "--phase");
			o.have_phase = 1;
			break;
		case 'L':
			o.phase_len = opt_duration_ns(optarg, "--phase-length");
			break;
		case 256:
			o.t0 = opt_u64(optarg, "--t0");
			o.have_t0 = 1;
			break;
		case 'q': o.quiet = 1; break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		path = argv[optind++];
	if (optind < argc)
		errx(2, "one LOG at most (see --help)");
	if (o.size && o.threshold > 0)
		errx(2, "--size and --threshold exclude each other");
	if (o.phase_len && o.have_phase)
		errx(2, "--phase and --phase-length exclude each other");
	if (truth_path) {
		if (truth_load(&truth, truth_path))
			err(2, "%s", truth_path);
		bad_report(&truth.bad, stderr, truth_path);
		if (!truth.nphases)
			errx(2, "%s: no ground-truth lines", truth_path);
		if (truth.nphases > 1 && !o.have_phase && !o.phase_len &&
		    truth.phase_seconds > 0)
			o.phase_len = (uint64_t)(truth.phase_seconds * 1e9);
		if (truth.nphases > 1 && !o.have_phase && !o.phase_len)
			errx(2, "%s has %u phases and no '# phase_seconds=': "
			     "give --phase or --phase-length", truth_path,
			     truth.nphases);
		o.truth = &truth;
	}
	if (samples_open(&ss, path, 0, &why)) {
		if (why)
			errx(2, "%s: %s", path, why);
		err(2, "%s", path);
	}
	o.out = open_output(out);
	keymap_init(&m);

	while (samples_next(&ss, &s)) {
		uint64_t t = s.time_ns;

		if (!started) {
			t0 = o.have_t0 ? o.t0 : t;
			wstart = t0;
			wend = o.window ? t0 + o.window : UINT64_MAX;
			started = 1;
		}
		if (t < wstart) {
			late++;
		} else {
			if (t >= wend) {
				uint64_t skip;

				print_window(&o, &m, widx++, wstart, wend, t0,
					     &sc);
				keymap_clear(&m);
				/* Empty windows in between: one line. */
				skip = (t - wend) / o.window;
				if (skip)
					fprintf(o.out, "window=%" PRIu64 "-%"
						PRIu64 " samples=0\n", widx,
						widx + skip - 1);
				widx += skip;
				wstart = wend + skip * o.window;
				wend = UINT64_MAX - wstart < o.window ?
				       UINT64_MAX : wstart + o.window;
			}
		}
		if (t > last_t)
			last_t = t;
		keymap_add_u64(&m, s.gfn, 1);
		nsamples++;
	}
	if (started)
		print_window(&o, &m, widx++, wstart,
			     o.window ? wend : last_t + 1, t0, &sc);
	bad_report(&ss.bad, stderr, path);
	if (late)
		warnx("%s: %" PRIu64 " samples older than their window "
		      "(log not in time order?)", path, late);
	if (!nsamples)
		warnx("%s: no samples", path);
	if (o.truth && sc.windows > 1)
		fprintf(o.out, "windows=%" PRIu64 " mean_precision=%.4f "
			"mean_recall=%.4f mean_spearman=%.4f\n", sc.windows,
			sc.sum_p / (double)sc.windows,
			sc.sum_r / (double)sc.windows,
			sc.n_rho ? sc.sum_rho / (double)sc.n_rho : NAN);
	if (fflush(o.out) || ferror(o.out))
		err(2, "%s", out ? out : "stdout");
	samples_close(&ss);
	keymap_free(&m);
	if (o.truth)
		truth_free(&truth);
	return nsamples ? 0 : 1;
}
