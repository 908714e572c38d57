/* SPDX-License-Identifier: GPL-2.0 */
/*
 * genlog - write synthetic sample logs for the benchmark and the tests:
 * N pseudo-random samples (deterministic for a seed) as the module's
 * text or binary log, or convert a text sample log on stdin to the
 * binary format. Uses analysis/lib's formatter and encoder.
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/lib/common.h"
#include "../analysis/lib/eptlog.h"
#include "../analysis/lib/reader.h"
#include "../analysis/lib/fields.h"

static void usage(FILE *f)
{
	fputs(
"Usage: genlog [-b] [-n N | -S BYTES] [-s SEED] [-o FILE]\n"
"       genlog --from-text [-o FILE] < text.log\n"
"Write N random samples (or about BYTES of log) as a text sample log,\n"
"or with -b as a binary one. --from-text converts a text log to binary.\n"
"Samples: t rising by 1..2000 ns, vcpu 0..3, gfn skewed over 2^20\n"
"frames, delay 0..99999 ns, level 1..3, type r/w/x.\n"
"Examples:\n"
"  genlog -n 1000 -s 7 > s.txt\n"
"  genlog -b -S 1G -o /tmp/s.bin\n"
"  genlog --from-text -o s.bin < s.txt\n", f);
}

static uint64_t rng_state;

static uint64_t rnd(void)	/* xorshift64* */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t parse_size(const char *s)
{
	size_t len = strlen(s);
	uint64_t mul = 1;

	if (len && strchr("kKmMgG", s[len - 1])) {
		char c = (char)(s[len - 1] | 0x20);

		mul = c == 'k' ? 1ULL << 10 : c == 'm' ? 1ULL << 20 : 1ULL << 30;
		len--;
	}
	char *copy = xstrdup(s);

	copy[len] = 0;
	uint64_t v = opt_u64(copy, "size") * mul;

	free(copy);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from-text", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t n = 1000, bytes = 0, written = 0, t = 1000000000ULL;
	int binary = 0, from_text = 0, c;
	const char *out = NULL;
	struct eptscope_log_header h;
	static char buf[1 << 16];
	size_t used = 0;
	FILE *f;

	rng_state = 88172645463325252ULL;
	while ((c = getopt_long(argc, argv, "bn:S:s:o:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'b': binary = 1; break;
		case 'n': n = opt_u64(optarg, "-n"); break;
		case 'S': bytes = parse_size(optarg); break;
		case 's': rng_state ^= opt_u64(optarg, "-s") * 0x9e3779b97f4a7c15ULL;
			  if (!rng_state) rng_state = 1;
			  break;
		case 'o': out = optarg; break;
		case 'T': from_text = 1; binary = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	f = open_output(out);
	if (binary) {
		ept_bin_header_init(&h, 4242, t, 10000, KVM_EPT_SAMPLE_XWR);
		fwrite(&h, sizeof(h), 1, f);
	} else {
		fprintf(f, "# eptscope text sample log (genlog)\n");
	}
	if (from_text) {
		struct lreader r;
		struct bad bad;
		const char *l, *e, *why;
		struct kvm_ept_sample_v2 s;

		bad_init(&bad, "line");
		if (lr_open(&r, NULL, &bad))
			err(1, "stdin");
		while ((l = lr_line(&r, &e))) {
			char rec[sizeof(s)];

			if (line_is_blank_or_comment(l, e))
				continue;
			why = ept_text_parse(l, e, &s, 0);
			if (why) {
				bad_add(&bad, r.lineno, why);
				continue;
			}
			ept_bin_encode(rec, &s);
			fwrite(rec, sizeof(rec), 1, f);
		}
		lr_close(&r);
		bad_report(&bad, stderr, "stdin");
		return fclose(f) ? 1 : 0;
	}
	for (uint64_t i = 0; bytes ? written < bytes : i < n; i++) {
		struct kvm_ept_sample_v2 s;
		uint64_t r = rnd(), r2 = rnd();
		static const uint8_t types[4] = { 1, 1, 3, 4 };
		size_t len;

		t += 1 + (r & 2047);
		memset(&s, 0, sizeof(s));
		s.time_ns = t;
		s.vcpu = (uint32_t)(r >> 11) & 3;
		/* skewed frames: a small hot range gets half the samples */
		s.gfn = (r >> 13) & 1 ? 0x1000 + (r2 & 255) :
			0x1000 + (r2 & 0xfffff);
		s.xwr = types[(r >> 40) & 3];
		s.level = (uint8_t)(1 + (r >> 42) % 3);
		s.delay_ns = (r2 >> 24) % 100000;
		if (used + EPT_TEXT_MAX > sizeof(buf)) {
			fwrite(buf, 1, used, f);
			used = 0;
		}
		if (binary) {
			ept_bin_encode(buf + used, &s);
			len = sizeof(s);
		} else {
			len = ept_text_format(buf + used, &s);
		}
		used += len;
		written += len;
	}
	fwrite(buf, 1, used, f);
	if (fflush(f) || ferror(f))
		err(1, "write");
	return f != stdout && fclose(f) ? 1 : 0;
}
