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
#include "lib/samples.h"

static void usage(FILE *f)
{
	fputs(
"Usage: xval [OPTIONS] MODULE_LOG STAP_LOG\n"
"Match the module's samples (binary or text log) against a SystemTap log\n"
"(t=<ns> vcpu=<n> gfn=0x<hex> type=<rwx> lines) by vCPU, frame and time.\n"
"Each SystemTap event takes the closest unmatched module sample with the\n"
"same vCPU and frame within the tolerance.\n"
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
"  -h, --help              this help\n"
"\n"
"Output: module= stap= matched= module_unmatched= stap_unmatched=\n"
"match_module=% match_stap=% on one line. Exit 0, 1 below a threshold,\n"
"2 on usage or I/O errors. The module log is held in memory (24 bytes\n"
"per sample); the SystemTap log is streamed.\n"
"\n"
"Examples:\n"
"  xval samples.bin stap.log\n"
"  xval -t 20us -m 95 samples.txt stap.log     # CI gate: >= 95% matched\n"
"  xval --match-type -v 10 samples.bin stap.log\n",
	      f);
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
	{ NULL, 0, NULL, 0 }
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

int main(int argc, char **argv)
{
	uint64_t tol = 100000, nstap = 0, matched = 0, shown = 0;
	int64_t offset = 0;
	double min_mod = -1, min_stap = -1, rm, rs;
	int match_type = 0, c, status = 0;
	uint64_t verbose = 0;
	const char *out = NULL;
	struct samples ss;
	struct kvm_ept_sample_v2 s;
	struct msample *a = NULL;
	size_t n = 0, cap = 0;
	FILE *f;

	while ((c = getopt_long(argc, argv, "t:m:v:o:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 't': tol = opt_duration_ns(optarg, "--tolerance"); break;
		case 256: offset = opt_i64(optarg, "--offset"); break;
		case 257: match_type = 1; break;
		case 'm': min_mod = opt_double(optarg, "--min-match"); break;
		case 258: min_stap = opt_double(optarg, "--min-stap"); break;
		case 'v': verbose = opt_u64(optarg, "--verbose"); break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	f = open_output(out);

	/* The module's samples, sorted for lookup. */
	open_log(&ss, argv[optind]);
	while (samples_next(&ss, &s)) {
		if (s.flags & KVM_EPT_SAMPLE_F_EXPIRED)
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
	bad_report(&ss.bad, stderr, argv[optind]);
	samples_close(&ss);
	if (n)
		qsort(a, n, sizeof(*a), msample_cmp);

	/* Stream the SystemTap events. */
	open_log(&ss, argv[optind + 1]);
	while (samples_next(&ss, &s)) {
		uint64_t t = s.time_ns, lo, hi, best_dt = UINT64_MAX;
		size_t i, best = SIZE_MAX;

		if (s.flags & KVM_EPT_SAMPLE_F_EXPIRED)
			continue;
		nstap++;
		if (offset < 0 && (uint64_t)-offset > t)
			t = 0;
		else
			t += (uint64_t)offset;
		lo = t > tol ? t - tol : 0;
		hi = UINT64_MAX - t < tol ? UINT64_MAX : t + tol;
		for (i = lower_bound(a, n, s.vcpu, s.gfn, lo);
		     i < n && a[i].vcpu == s.vcpu && a[i].gfn == s.gfn &&
		     a[i].t <= hi; i++) {
			uint64_t dt = a[i].t > t ? a[i].t - t : t - a[i].t;

			if (a[i].matched || (match_type && a[i].xwr != s.xwr))
				continue;
			if (dt < best_dt) {
				best_dt = dt;
				best = i;
			}
		}
		if (best != SIZE_MAX) {
			a[best].matched = 1;
			matched++;
		} else if (shown < verbose) {
			print_sample(f, "stap", s.time_ns, s.vcpu, s.gfn,
				     s.xwr);
			shown++;
		}
	}
	bad_report(&ss.bad, stderr, argv[optind + 1]);
	samples_close(&ss);

	shown = 0;
	for (size_t i = 0; i < n && shown < verbose; i++)
		if (!a[i].matched) {
			print_sample(f, "module", a[i].t, a[i].vcpu, a[i].gfn,
				     a[i].xwr);
			shown++;
		}

	rm = n ? 100.0 * (double)matched / (double)n : 0;
	rs = nstap ? 100.0 * (double)matched / (double)nstap : 0;
	fprintf(f, "module=%zu stap=%" PRIu64 " matched=%" PRIu64
		" module_unmatched=%" PRIu64 " stap_unmatched=%" PRIu64
		" match_module=%.2f%% match_stap=%.2f%% tolerance_ns=%"
		PRIu64 "\n", n, nstap, matched, (uint64_t)n - matched,
		nstap - matched, rm, rs, tol);
	if (fflush(f) || ferror(f))
		err(2, "%s", out ? out : "stdout");
	if (min_mod >= 0 && rm < min_mod) {
		warnx("match_module %.2f%% is below --min-match %.2f%%", rm,
		      min_mod);
		status = 1;
	}
	if (min_stap >= 0 && rs < min_stap) {
		warnx("match_stap %.2f%% is below --min-stap %.2f%%", rs,
		      min_stap);
		status = 1;
	}
	free(a);
	return status;
}
