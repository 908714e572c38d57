// SPDX-License-Identifier: GPL-2.0
/*
 * abit-sim.c - a simulator of the module's default mode (accessed bits,
 * kmod/age.c) that writes the log the module would: one record per unit
 * observed, flag KVM_EPT_SAMPLE_F_ABIT, touched or not (F_EXPIRED), so
 * that analysis/hotness scores it with the code that scores the lab's
 * captures (docs/kmod.md, "A model of the default mode").
 *
 * What it runs of the module's own code: the interval's controller and
 * the frames a round clears (kmod/age_ctl.h, included as is). What it
 * models: the rounds (every half interval, at most 10 ms apart and at
 * least a jiffy; an interval shorter than two jiffies slept in the round),
 * the walk (chunks of 128 frames, a stride of about 0.618 of the chunks),
 * and the guest: each frame of the truth (phase 0) is accessed as a
 * Poisson process at share * ACCESSES_PER_S, so a frame cleared at t is
 * found touched at t + w with probability 1 - exp(-rate * w). The round's
 * clears and flush take --flush-us before the interval starts (the lab's
 * TLB flush under TCG is slow; on hardware, microseconds). Not modelled:
 * the hard limits (max_zap_us, max_zaps), which in the lab throttle the
 * observations of the largest guests, and huge pages (every unit is a
 * 4 KiB frame).
 *
 * Usage: abit-sim [options] TRUTH ACCESSES_PER_S   (--help)
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/lib/common.h"
#include "../analysis/lib/eptlog.h"
#include "../analysis/lib/truth.h"
#include "model.h"

typedef uint32_t u32;
typedef uint64_t u64;
#define ept_age_div64(a, b) ((a) / (b))
#include "../kmod/age_ctl.h"

#define NS_PER_US	1000ULL
#define PERIOD_NS	(10 * EPT_AGE_NS_PER_MS)	/* kmod/ept.h EPT_PERIOD_MS */
#define RING		8192				/* kmod/age.c EPT_AGE_RING */
#define START_NS	EPT_AGE_NS_PER_S		/* the log's t0 */

struct opts {
	double seconds, accesses, flush_us;
	u64 hz, age_frames, interval_ms, chunk, seed;
	bool jump;
	const char *truth, *out;
};

struct chunk { u64 first, n, t_clear, t_start; };

struct sim {
	const struct opts *o;
	const struct truth_phase *ph;
	double *rate;			/* accesses/s of each truth row */
	struct ept_age_ctl ctl;
	struct chunk ring[RING];
	u64 head, len, pos, stride, nchunks;
	u64 observed, touched, rounds, flushes;
	FILE *log;
};

static void usage(FILE *f)
{
	fputs(
"Usage: abit-sim [options] TRUTH ACCESSES_PER_S\n"
"Simulate kvm_ept_sample's default mode (accessed bits, with the module's\n"
"own interval controller, kmod/age_ctl.h) on a guest whose frames are\n"
"accessed at the shares of TRUTH (a workload/guest truth file, phase 0)\n"
"times ACCESSES_PER_S, and write the binary log the module would write;\n"
"score it with analysis/hotness -g TRUTH [-u DUR].\n"
"\n"
"  -d, --duration S       simulated seconds (default 10)\n"
"  -o, --output FILE      the log (default: standard output)\n"
"  -z, --hz HZ            the host's timer ticks a second (default 250)\n"
"  -F, --age-frames N     frames aged a second, the module's age_frames\n"
"                         (default 0: every frame once a second, and at\n"
"                         least 65536)\n"
"  -i, --interval-ms MS   a fixed interval, the module's age_interval_ms\n"
"                         (default 0: it adapts)\n"
"  -c, --chunk N          frames a chunk (default 128, the module's)\n"
"  -f, --flush-us US      what a round's clears and flush take before the\n"
"                         intervals start (default 0)\n"
"  -s, --seed N           the random seed (default 1)\n"
"  -J, --jump             a candidate controller, not the module's: the\n"
"                         interval divided by up to 8 at once (the touched\n"
"                         share over 30%), decided every 16 intervals\n"
"                         (50 to 500 ms) instead of every 500 ms\n"
"  -h, --help             this text\n"
"\n"
"At the end, on standard error: abit-sim: observed= touched= rounds=\n"
"flushes= interval_ms= saturated=.\n"
"Example:\n"
"  workload/guest --mem 256M --pattern hotcold:hot=10%,p=0.9 --dry-run --truth ref.truth\n"
"  abit-sim -o sim.log ref.truth 4.7e6 && hotness -q -u 10s -g ref.truth sim.log\n"
"Exit status: 0, 1 when the log cannot be written, 2 for bad input.\n", f);
}

static int bad(const char *what)
{
	fprintf(stderr, "abit-sim: %s (see abit-sim --help)\n", what);
	return 2;
}

static u64 gcd(u64 a, u64 b)
{
	while (b) {
		u64 t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static void emit(struct sim *s, u64 row, bool hit, u64 watched, u64 now)
{
	struct kvm_ept_sample_v2 rec = {
		.gfn = s->ph->rows[row].gfn,
		.time_ns = START_NS + now,
		.delay_ns = hit ? watched / 2 : watched,
		.vcpu = KVM_EPT_SAMPLE_NO_VCPU,
		.level = 1,
		.flags = KVM_EPT_SAMPLE_F_ABIT | (hit ? 0 : KVM_EPT_SAMPLE_F_EXPIRED),
	};
	char buf[sizeof(rec)];

	ept_bin_encode(buf, &rec);
	fwrite(buf, sizeof(buf), 1, s->log);
}

/* Observe every chunk whose interval has passed by now (age.c). */
static void observe_due(struct sim *s, u64 now)
{
	while (s->len && now >= s->ring[s->head].t_start &&
	       now - s->ring[s->head].t_start >= s->ctl.interval_ns) {
		struct chunk *c = &s->ring[s->head];
		u64 watched = now - c->t_clear, hits = 0;

		for (u64 i = 0; i < c->n; i++) {
			u64 row = c->first + i;
			bool hit = uniform() < -expm1(-s->rate[row] * (double)watched / 1e9);

			hits += hit;
			emit(s, row, hit, watched, now);
		}
		ept_age_ctl_observed(&s->ctl, c->n, hits);
		s->observed += c->n;
		s->touched += hits;
		s->head = (s->head + 1) % RING;
		s->len--;
	}
}

/* Clear the next chunks of the walk, up to frames; their intervals start at start. */
static u64 clear_walk(struct sim *s, u64 frames, u64 now, u64 start)
{
	u64 done = 0, pushed = 0;

	while (done < frames && s->len < RING) {
		struct chunk *c = &s->ring[(s->head + s->len++) % RING];

		c->first = s->pos * s->o->chunk;
		c->n = s->o->chunk;
		if (c->first + c->n > s->ph->n)
			c->n = s->ph->n - c->first;
		c->t_clear = now;
		c->t_start = start;
		s->pos = (s->pos + s->stride) % s->nchunks;
		done += c->n;
		pushed++;
	}
	return pushed;
}

/* The round period (session.c): half the interval, at most 10 ms, at least a jiffy. */
static u64 period_ns(const struct sim *s)
{
	u64 jiffy = EPT_AGE_NS_PER_S / s->o->hz, ns = s->ctl.interval_ns / 2;

	if (ns > PERIOD_NS)
		ns = PERIOD_NS;
	ns = (ns + jiffy - 1) / jiffy * jiffy;
	return ns ? ns : jiffy;
}

static void run(struct sim *s)
{
	u64 end = (u64)(s->o->seconds * 1e9), jiffy = EPT_AGE_NS_PER_S / s->o->hz;
	u64 now = 0, last = 0, flush = (u64)(s->o->flush_us * NS_PER_US);

	while (now < end) {
		u64 frames, elapsed = now - last, cap = 10 * PERIOD_NS;

		observe_due(s, now);
		ept_age_ctl_adapt(&s->ctl, now);
		frames = ept_age_ctl_frames(&s->ctl, s->o->age_frames, s->ph->n,
					    elapsed < cap ? elapsed : cap);
		last = now;
		s->rounds++;
		if (clear_walk(s, frames, now, now + flush)) {
			s->flushes++;
			if (s->ctl.interval_ns < 2 * jiffy) {
				/* slept in the round: usleep_range(us, us + us / 8 + 1) */
				now += flush + s->ctl.interval_ns + s->ctl.interval_ns / 16;
				observe_due(s, now);
			}
		}
		now += period_ns(s);
	}
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "hz", required_argument, NULL, 'z' },
		{ "age-frames", required_argument, NULL, 'F' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "flush-us", required_argument, NULL, 'f' },
		{ "seed", required_argument, NULL, 's' },
		{ "jump", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	opterr = 0;		/* bad() says it, prefixed */
	*o = (struct opts){ .seconds = 10, .hz = 250, .chunk = 128, .seed = 1 };
	while ((c = getopt_long(argc, argv, "d:o:z:F:i:c:f:s:Jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o->seconds = opt_double(optarg, "--duration"); break;
		case 'o': o->out = optarg; break;
		case 'z': o->hz = opt_u64(optarg, "--hz"); break;
		case 'F': o->age_frames = opt_u64(optarg, "--age-frames"); break;
		case 'i': o->interval_ms = opt_u64(optarg, "--interval-ms"); break;
		case 'c': o->chunk = opt_u64(optarg, "--chunk"); break;
		case 'f': o->flush_us = opt_double(optarg, "--flush-us"); break;
		case 's': o->seed = opt_u64(optarg, "--seed"); break;
		case 'J': o->jump = true; break;
		case 'h': usage(stdout); exit(0);
		default: return bad("unknown option or missing value");
		}
	}
	if (argc - optind != 2)
		return bad("want TRUTH and ACCESSES_PER_S");
	o->truth = argv[optind];
	o->accesses = opt_double(argv[optind + 1], "ACCESSES_PER_S");
	if (!(o->accesses > 0))
		return bad("ACCESSES_PER_S must be above 0");
	if (!(o->seconds > 0) || o->seconds > 3600)
		return bad("--duration must be above 0 and at most 3600 s");
	if (o->hz < 100 || o->hz > 1000)
		return bad("--hz must be 100 to 1000");
	if (o->chunk < 1 || o->chunk > 512)
		return bad("--chunk must be 1 to 512 (the module's EPT_CHUNK_MAX)");
	if (o->interval_ms > 1000)
		return bad("--interval-ms must be at most 1000");
	if (o->flush_us < 0 || o->flush_us > 1e6)
		return bad("--flush-us must be 0 to 1000000");
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct truth t;
	struct eptscope_log_header h;
	static struct sim s;
	int e = parse(argc, argv, &o);

	if (e)
		return e;
	if (truth_load(&t, o.truth) < 0) {
		fprintf(stderr, "abit-sim: %s: %s\n", o.truth, strerror(errno));
		return 2;
	}
	if (!t.nphases || !t.phases[0].n) {
		fprintf(stderr, "abit-sim: %s: no frames (not a truth file?)\n", o.truth);
		return 2;
	}
	model_rng ^= o.seed * 0x9e3779b97f4a7c15ULL;
	model_rng = model_rng ? model_rng : 1;
	s.o = &o;
	s.ph = &t.phases[0];
	s.rate = xcalloc(s.ph->n, sizeof(*s.rate));
	for (size_t i = 0; i < s.ph->n; i++)
		s.rate[i] = s.ph->rows[i].share * o.accesses;
	s.nchunks = (s.ph->n + o.chunk - 1) / o.chunk;
	s.stride = s.nchunks * 618 / 1000 | 1;	/* walk.c: coprime, about 0.618 */
	while (gcd(s.stride, s.nchunks) != 1)
		s.stride++;
	ept_age_ctl_init(&s.ctl, o.interval_ms * EPT_AGE_NS_PER_MS);
	s.ctl.jump = o.jump;
	s.log = open_output(o.out);
	ept_bin_header_init(&h, 0, START_NS, 0, KVM_EPT_SAMPLE_XWR);
	fwrite(&h, sizeof(h), 1, s.log);
	run(&s);
	if (fflush(s.log) || ferror(s.log) || (s.log != stdout && fclose(s.log))) {
		fprintf(stderr, "abit-sim: cannot write %s\n", o.out ? o.out : "standard output");
		return 1;
	}
	fprintf(stderr, "abit-sim: observed=%llu touched=%llu rounds=%llu flushes=%llu interval_ms=%.3f saturated=%d\n",
		(unsigned long long)s.observed, (unsigned long long)s.touched,
		(unsigned long long)s.rounds, (unsigned long long)s.flushes,
		(double)s.ctl.interval_ns / 1e6, s.ctl.saturated);
	free(s.rate);
	truth_free(&t);
	return 0;
}
