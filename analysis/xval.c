/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xval - cross-validate two sample streams: the module's sample log and
 * a SystemTap log of the same run (t= vcpu= gfn= type= lines). A
 * SystemTap event matches a module sample with the same vCPU and frame
 * whose time is within a tolerance; each sample matches at most once.
 * Prints matched and unmatched counts; exits 1 below a given rate.
 * See docs/analysis.md.
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/common.h"
#include "lib/filter.h"
#include "lib/samples.h"

static void usage(FILE *f)
{
	fputs(
"Usage: xval [OPTIONS] MODULE_LOG STAP_LOG\n"
"Match the module's samples (binary or text log) against a SystemTap log\n"
"(t=<ns> vcpu=<n> gfn=0x<hex> type=<rwx> lines) by vCPU, frame and time.\n"
"Each SystemTap event takes the closest unmatched module sample with the\n"
"same vCPU and frame within the tolerance. Expiry records are never\n"
"matched (they are not accesses).\n"
"\n"
"Options:\n"
"  -t, --tolerance DUR     largest time difference (default 100us)\n"
"      --offset NS         add NS (may be negative) to SystemTap times\n"
"                          before matching (different clock bases)\n"
"      --match-type        also require the same access type\n"
"  -m, --min-match PCT     exit 1 if fewer than PCT% of the module's\n"
"                          samples are matched\n"
"      --min-stap PCT      exit 1 if fewer than PCT% of the SystemTap\n"
"                          events are matched\n"
"  -v, --verbose N         list up to N unmatched items of each side\n"
"  -o, --output FILE       write to FILE instead of stdout\n"
"  -h, --help              this help\n",
	      f);
	fputs(filter_help, f);
	fputs(
"  (xval: on both logs; the time origin is the module log's first record,\n"
"  SystemTap times taken after --offset; --expired-only does not apply)\n"
"\n"
"Output: module= stap= matched= module_unmatched= stap_unmatched=\n"
"match_module=% match_stap=% on one line. A log with no sample to match\n"
"(empty, or no line that parses) is a warning and exit 1. The module log\n"
"is held in memory (24 bytes per sample); the SystemTap log is streamed.\n"
"\n"
"Examples:\n"
"  xval samples.bin stap.log\n"
"  xval -t 20us -m 95 samples.txt stap.log     # CI gate: >= 95% matched\n"
"  xval --match-type -v 10 samples.bin stap.log\n"
"  xval --vcpu 0 --from 1s --to 2s samples.bin stap.log\n",
	      f);
	fputs(exit_help, f);
}

static const struct option longopts[] = {
	{ "tolerance", required_argument, NULL, 't' },
	{ "offset", required_argument, NULL, 256 },
	{ "match-type", no_argument, NULL, 257 },
	{ "min-match", required_argument, NULL, 'm' },
	{ "min-stap", required_argument, NULL, 258 },
	{ "verbose", required_argument, NULL, 'v' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	FILTER_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

struct opts {
	uint64_t tol, verbose;
	int64_t offset;
	double min_mod, min_stap;
	int match_type;
	struct filter filt;
	const char *out, *mod_path, *stap_path;
};

struct msample {
	uint64_t gfn;
	uint64_t t;
	uint32_t vcpu;
	uint8_t xwr;
	uint8_t matched;
};

static int msample_cmp(const void *a, const void *b)
{
	const struct msample *x = a, *y = b;

	if (x->vcpu != y->vcpu)
		return x->vcpu < y->vcpu ? -1 : 1;
	if (x->gfn != y->gfn)
		return x->gfn < y->gfn ? -1 : 1;
	return x->t < y->t ? -1 : x->t > y->t;
}

/* First index whose (vcpu, gfn, t) is >= the key. */
static size_t lower_bound(const struct msample *a, size_t n, uint32_t vcpu,
			  uint64_t gfn, uint64_t t)
{
	struct msample key = { .gfn = gfn, .t = t, .vcpu = vcpu };
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (msample_cmp(&a[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void open_log(struct samples *ss, const char *path)
{
	const char *why;

	if (samples_open(ss, path, 0, &why)) {
		if (why)
			errx(2, "%s: %s", path, why);
		err(2, "%s", path);
	}
}

static void print_sample(FILE *f, const char *side, uint64_t t, uint32_t vcpu,
			 uint64_t gfn, unsigned xwr)
{
	char type[4];

	ept_type_str(type, xwr);
	fprintf(f, "unmatched %s t=%" PRIu64 " vcpu=%u gfn=0x%" PRIx64
		" type=%s\n", side, t, vcpu, gfn, type);
}

/* The options into O; exits 2 on bad ones. */
static void parse_args(int argc, char **argv, struct opts *o)
{
	int c;

	while ((c = getopt_long(argc, argv, "t:m:v:o:h", longopts,
				NULL)) != -1) {
		if (filter_option(&o->filt, c, optarg))
			continue;
		switch (c) {
		case 't': o->tol = opt_duration_ns(optarg, "--tolerance"); break;
		case 256: o->offset = opt_i64(optarg, "--offset"); break;
		case 257: o->match_type = 1; break;
		case 'm': o->min_mod = opt_double(optarg, "--min-match"); break;
		case 258: o->min_stap = opt_double(optarg, "--min-stap"); break;
		case 'v': o->verbose = opt_u64(optarg, "--verbose"); break;
		case 'o': o->out = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		exit(2);
	}
	if (o->filt.expired == FILTER_EXPIRED_ONLY)
		errx(2, "--expired-only: xval matches accesses, and expiry "
		     "records are never matched");
	o->mod_path = argv[optind];
	o->stap_path = argv[optind + 1];
}

/* A log with nothing to match: say why, for the exit status 1. */
static int empty_log(const char *path, const struct samples *ss,
		     const char *what, const struct filter *filt)
{
	warnx("%s: no %s to match (%" PRIu64 " malformed %s%s%s)", path,
	      what, ss->bad.count, ss->bad.what, ss->bad.count == 1 ? "" : "s",
	      filter_active(filt) ? ", after the record filters" : "");
	return EXIT_NODATA;
}

/* The module's accesses, sorted for lookup; *t0 the first record's time. */
static struct msample *load_module(const struct opts *o, struct samples *ss,
				   size_t *np, uint64_t *t0)
{
	struct kvm_ept_sample_v2 s;
	struct msample *a = NULL;
	size_t n = 0, cap = 0;
	int first = 1;

	while (samples_next(ss, &s)) {
		if (first)
			*t0 = s.time_ns;
		first = 0;
		if (s.flags & KVM_EPT_SAMPLE_F_EXPIRED ||
		    !filter_pass(&o->filt, &s, *t0))
			continue;	/* an expiry record: no access to match */
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			a = xrealloc(a, cap * sizeof(*a));
		}
		a[n].gfn = s.gfn;
		a[n].t = s.time_ns;
		a[n].vcpu = s.vcpu;
		a[n].xwr = s.xwr;
		a[n].matched = 0;
		n++;
	}
	bad_report(&ss->bad, stderr, o->mod_path);
	if (n)
		qsort(a, n, sizeof(*a), msample_cmp);
	*np = n;
	return a;
}

/* Stream the SystemTap events against A; returns the events seen. */
static uint64_t match_stap(const struct opts *o, struct samples *ss,
			   struct msample *a, size_t n, uint64_t t0,
			   uint64_t *matched, FILE *f)
{
	struct kvm_ept_sample_v2 s;
	uint64_t nstap = 0, shown = 0, tol = o->tol;

	while (samples_next(ss, &s)) {
		uint64_t t = s.time_ns, lo, hi, best_dt = UINT64_MAX;
		size_t i, best = SIZE_MAX;
		struct kvm_ept_sample_v2 at = s;

		if (s.flags & KVM_EPT_SAMPLE_F_EXPIRED)
			continue;
		if (o->offset < 0 && (uint64_t)-o->offset > t)
			t = 0;
		else
			t += (uint64_t)o->offset;
		at.time_ns = t;
		if (!filter_pass(&o->filt, &at, t0))
			continue;
		nstap++;
		lo = t > tol ? t - tol : 0;
		hi = UINT64_MAX - t < tol ? UINT64_MAX : t + tol;
		for (i = lower_bound(a, n, s.vcpu, s.gfn, lo);
		     i < n && a[i].vcpu == s.vcpu && a[i].gfn == s.gfn &&
		     a[i].t <= hi; i++) {
			uint64_t dt = a[i].t > t ? a[i].t - t : t - a[i].t;

			if (a[i].matched ||
			    (o->match_type && a[i].xwr != s.xwr))
				continue;
			if (dt < best_dt) {
				best_dt = dt;
				best = i;
			}
		}
		if (best != SIZE_MAX) {
			a[best].matched = 1;
			++*matched;
		} else if (shown < o->verbose) {
			print_sample(f, "stap", s.time_ns, s.vcpu, s.gfn,
				     s.xwr);
			shown++;
		}
	}
	bad_report(&ss->bad, stderr, o->stap_path);
	return nstap;
}

/* The unmatched module samples (-v), the counts line and the thresholds:
 * the exit status. */
static int report(const struct opts *o, const struct msample *a, size_t n,
		  uint64_t nstap, uint64_t matched, FILE *f)
{
	uint64_t shown = 0;
	double rm, rs;
	int status = 0;

	for (size_t i = 0; i < n && shown < o->verbose; i++)
		if (!a[i].matched) {
			print_sample(f, "module", a[i].t, a[i].vcpu, a[i].gfn,
				     a[i].xwr);
			shown++;
		}
	rm = 100.0 * (double)matched / (double)n;
	rs = 100.0 * (double)matched / (double)nstap;
	fprintf(f, "module=%zu stap=%" PRIu64 " matched=%" PRIu64
		" module_unmatched=%" PRIu64 " stap_unmatched=%" PRIu64
		" match_module=%.2f%% match_stap=%.2f%% tolerance_ns=%"
		PRIu64 "\n", n, nstap, matched, (uint64_t)n - matched,
		nstap - matched, rm, rs, o->tol);
	if (fflush(f) || ferror(f))
		err(EXIT_USAGE, "%s", o->out ? o->out : "stdout");
	if (o->min_mod >= 0 && rm < o->min_mod) {
		warnx("match_module %.2f%% is below --min-match %.2f%%", rm,
		      o->min_mod);
		status = EXIT_NODATA;
	}
	if (o->min_stap >= 0 && rs < o->min_stap) {
		warnx("match_stap %.2f%% is below --min-stap %.2f%%", rs,
		      o->min_stap);
		status = EXIT_NODATA;
	}
	return status;
}

int main(int argc, char **argv)
{
	struct opts o = { .tol = 100000, .min_mod = -1, .min_stap = -1 };
	struct samples mod, stap;
	uint64_t t0 = 0, nstap, matched = 0;
	struct msample *a;
	size_t n;
	int status;
	FILE *f;

	parse_args(argc, argv, &o);
	open_log(&mod, o.mod_path);	/* both opened before any output */
	open_log(&stap, o.stap_path);
	f = open_output(o.out);
	a = load_module(&o, &mod, &n, &t0);
	samples_close(&mod);
	if (!n) {
		status = empty_log(o.mod_path, &mod, "module samples", &o.filt);
		samples_close(&stap);
		return status;
	}
	nstap = match_stap(&o, &stap, a, n, t0, &matched, f);
	samples_close(&stap);
	if (!nstap)
		status = empty_log(o.stap_path, &stap, "SystemTap events",
				   &o.filt);
	else
		status = report(&o, a, n, nstap, matched, f);
	free(a);
	if (f != stdout)
		fclose(f);
	return status;
}
