/* SPDX-License-Identifier: GPL-2.0 */
/*
 * eptscope-tier - the tiering daemon: it samples a KVM guest's memory
 * accesses through its own kvm_ept_sample session, keeps a temperature
 * per guest frame (policy.c), and every interval moves the hottest
 * fast-ratio share of the guest's frames onto the fast NUMA node and the
 * others off it with move_pages(2), batched, bounded in MB/s, with
 * anti-thrash (migrate.c). One line per interval: pages promoted and
 * demoted, MB/s moved, the fast node's share, failures by errno.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../analysis/lib/common.h"
#include "../analysis/lib/numa.h"
#include "tier.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fputs(
"Usage: eptscope-tier -p PID --fast-node N --slow-node M [OPTIONS]\n"
"Keep the hottest pages of the KVM guest run by process PID on the fast\n"
"NUMA node N and the rest on the slow node M: sample the guest's accesses\n"
"through kvm_ept_sample.ko (a session of its own), keep a temperature per\n"
"guest frame, and every interval migrate pages with move_pages(2).\n"
"\n"
"Options:\n"
"  -p, --pid PID           the VMM process (required)\n"
"  -f, --fast-node N       the fast node (required)\n"
"  -s, --slow-node M       the slow node (required; not N)\n"
"  -r, --fast-ratio F      the fast node holds at most F of the guest's\n"
"                          frames, its hottest (0 < F <= 1; default 0.15)\n"
"  -i, --interval MS       decide and migrate every MS ms (default 1000)\n"
"  -m, --max-mbps R        move at most R MB/s, promotions and demotions\n"
"                          together (default 100)\n"
"  -P, --policy NAME       the temperature: rate (default), the access\n"
"                          rate hotness estimates, over the last --window;\n"
"                          decay, the seed demo's: halves every\n"
"                          --half-life, rises by --weights per sample;\n"
"                          the baselines, which read no sample: oracle,\n"
"                          each frame's share in --truth; random, a fixed\n"
"                          random order (--seed)\n"
"  -g, --truth FILE        oracle: workload/guest's ground truth\n"
"      --phase P           oracle: the truth's phase to place (default 0)\n"
"      --seed N            random: the order's seed (default 1)\n"
"  -w, --window S          rate: the estimator's window, S seconds\n"
"                          (default 4; it ranks the last S/2 to S s, and\n"
"                          nothing moves before S/2)\n"
"  -H, --half-life S       decay: the half-life in seconds (default 2)\n"
"  -W, --weights R,W,X     decay: the rise per sampled read, write, fetch\n"
"                          (default 1,2,1)\n"
"  -t, --tolerance T       anti-thrash: a frame on the fast node is\n"
"                          demoted once it ranks below (1 + T) x capacity,\n"
"                          and only for a frame (1 + T) times as hot that\n"
"                          ranks within capacity / (1 + T) (default 0.5)\n"
"      --hold S            anti-thrash: a page moved is not moved again\n"
"                          within S seconds (default 5)\n"
"  -F, --freq RATE         the session's samples per second (default 1000)\n"
"  -M, --mode MODE         how the module observes: faults, abit, hybrid,\n"
"                          auto (default abit: KVM's accessed bits see\n"
"                          every frame each second; faults see only some\n"
"                          frames in a window, and auto goes over to them)\n"
"      --huge auto|on|off  decide and move per 2 MiB region of guest frames\n"
"                          (on), per 4 KiB frame (off), or per region when\n"
"                          a memslot's mapping in the VMM holds huge pages,\n"
"                          transparent or hugetlb (auto, the default)\n"
"  -d, --duration S        stop after S seconds (default: until the VM is\n"
"                          gone, or SIGINT/SIGTERM)\n"
"  -q, --quiet             the total line only, no line per interval\n"
"  -h, --help              this help\n"
"\n"
"Per interval: t= promoted= demoted= mbps= on_fast= capacity= records=\n"
"failed= and, for pages that did not move, ERRNAME=count (EBUSY=3 ...).\n"
"At the end: total intervals= promoted= demoted= mb= failed= end=\n"
"(duration, signal or vm-gone).\n"
"\n"
"Examples:\n"
"  eptscope-tier -p $(pidof qemu-system-x86_64) --fast-node 0 --slow-node 1\n"
"  eptscope-tier -p 1234 -f 0 -s 1 -r 0.25 -m 50 -P decay -H 4 -W 1,4,1\n"
"\n"
"Exit status: 0 when done (the VM going away included), 1 on a run-time\n"
"error (no module, a pid that is no VM, move_pages not allowed), 2 for bad\n"
"options (a node that does not exist among them).\n",
	      f);
}

static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "fast-node", required_argument, NULL, 'f' },
	{ "slow-node", required_argument, NULL, 's' },
	{ "fast-ratio", required_argument, NULL, 'r' },
	{ "interval", required_argument, NULL, 'i' },
	{ "max-mbps", required_argument, NULL, 'm' },
	{ "policy", required_argument, NULL, 'P' },
	{ "window", required_argument, NULL, 'w' },
	{ "half-life", required_argument, NULL, 'H' },
	{ "weights", required_argument, NULL, 'W' },
	{ "tolerance", required_argument, NULL, 't' },
	{ "hold", required_argument, NULL, 256 },
	{ "freq", required_argument, NULL, 'F' },
	{ "mode", required_argument, NULL, 'M' },
	{ "duration", required_argument, NULL, 'd' },
	{ "huge", required_argument, NULL, 257 },
	{ "truth", required_argument, NULL, 'g' },
	{ "phase", required_argument, NULL, 258 },
	{ "seed", required_argument, NULL, 259 },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void parse_weights(const char *arg, double *w)
{
	char *end;
	const char *p = arg;

	for (int t = 0; t < 3; t++) {
		w[t] = strtod(p, &end);
		if (end == p || !(w[t] >= 0 && w[t] <= 1e6) ||
		    *end != (t < 2 ? ',' : '\0'))
			errx(2, "--weights takes R,W,X: three numbers from 0 to 1e6, not '%s'", arg);
		p = end + 1;
	}
}

static void parse_args(int argc, char **argv, struct tier_opts *o)
{
	static const char *const policies[] = { "rate", "decay", "oracle", "random", NULL };
	static const char *const huge[] = { "auto", "on", "off", NULL };
	int64_t fast = INT64_MIN, slow = INT64_MIN;
	int c;

	while ((c = getopt_long(argc, argv, "p:f:s:r:i:m:P:w:H:W:t:F:M:d:g:qh",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'p': o->pid = opt_pid(optarg); break;
		case 'f': fast = opt_i64(optarg, "--fast-node"); break;
		case 's': slow = opt_i64(optarg, "--slow-node"); break;
		case 'r': o->fast_ratio = opt_double(optarg, "--fast-ratio"); break;
		case 'i': o->interval_ms = opt_u64(optarg, "--interval"); break;
		case 'm': o->max_mbps = opt_double(optarg, "--max-mbps"); break;
		case 'P':
			o->policy = (enum policy)opt_choice(optarg, "--policy", policies);
			break;
		case 'w': o->window_s = opt_double(optarg, "--window"); break;
		case 'H': o->half_life_s = opt_double(optarg, "--half-life"); break;
		case 'W': parse_weights(optarg, o->weight); break;
		case 't': o->tolerance = opt_double(optarg, "--tolerance"); break;
		case 256: o->hold_s = opt_double(optarg, "--hold"); break;
		case 'F': o->freq = opt_u64(optarg, "--freq"); break;
		case 'M': o->mode = opt_choice(optarg, "--mode", session_modes); break;
		case 257: o->huge = opt_choice(optarg, "--huge", huge); break;
		case 'd': o->duration_s = opt_double(optarg, "--duration"); break;
		case 'g': o->truth_path = optarg; break;
		case 258: o->truth_phase = (uint32_t)opt_u64(optarg, "--phase"); break;
		case 259: o->seed = opt_u64(optarg, "--seed"); break;
		case 'q': o->quiet = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc)
		errx(2, "unexpected argument '%s' (see --help)", argv[optind]);
	if (!o->pid)
		errx(2, "-p PID is required (see --help)");
	if (!(o->fast_ratio > 0 && o->fast_ratio <= 1))
		errx(2, "--fast-ratio takes a share above 0 and at most 1");
	if (o->interval_ms < 10 || o->interval_ms > 600000)
		errx(2, "--interval takes 10 to 600000 ms");
	if (!(o->max_mbps > 0 && o->max_mbps <= 1e6))
		errx(2, "--max-mbps takes a rate above 0, up to 1e6");
	if (!(o->window_s >= 0.02 && o->window_s <= 3600) ||
	    !(o->half_life_s >= 0.01 && o->half_life_s <= 3600))
		errx(2, "--window and --half-life take 0.02 (0.01) to 3600 seconds");
	if (!(o->tolerance >= 0 && o->tolerance <= 10) ||
	    !(o->hold_s >= 0 && o->hold_s <= 3600))
		errx(2, "--tolerance takes 0 to 10, --hold 0 to 3600 s");
	if (o->freq == 0 || o->freq > 1000000)
		errx(2, "--freq takes 1 to 1000000 samples per second");
	if (!(o->duration_s >= 0))
		errx(2, "--duration takes seconds, 0 or more");
	if ((o->policy == POLICY_ORACLE) != !!o->truth_path)
		errx(2, "--truth goes with --policy oracle, and oracle needs it");
	if (o->truth_path && access(o->truth_path, R_OK))
		err(2, "--truth %s", o->truth_path);
	if (fast == INT64_MIN || slow == INT64_MIN)
		errx(2, "--fast-node and --slow-node are required (see --help)");
	if (fast == slow)
		errx(2, "--fast-node and --slow-node must differ");
	numa_node_check(fast, "--fast-node");
	numa_node_check(slow, "--slow-node");
	o->fast = (int)fast;
	o->slow = (int)slow;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The session: attached to the VM, expiry records on, sampling at freq;
 * -1 with the reason printed. */
static int open_session(const struct tier_opts *o)
{
	int fd = session_open();

	if (fd < 0)
		return -1;
	if (ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_PROT, KVM_EPT_SAMPLE_XWR) < 0 ||
	    ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_CENSORED, 1) < 0 ||
	    (o->mode >= 0 && ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_MODE, o->mode) < 0)) {
		warn("configuring the session");
		close(fd);
		return -1;
	}
	if (session_attach(fd, (uint64_t)o->pid) < 0) {
		close(fd);
		return -1;
	}
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0 ||
	    ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FREQ, (unsigned long)o->freq) < 0) {
		warn("starting the session");
		session_close(fd);
		return -1;
	}
	return fd;
}

/* Read the session's records until UNTIL into the policy; the number
 * read, or -1 once the VM is gone. */
static int64_t gather(int fd, struct policy_state *p, struct frame_table *f,
		      uint64_t until)
{
	struct kvm_ept_sample_v2 buf[1024];
	int64_t got = 0;

	while (!stop) {
		uint64_t now = now_ns();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (now >= until)
			break;
		if (poll(&pfd, 1, (int)((until - now + 999999) / 1000000)) < 0) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		while ((n = read(fd, buf, sizeof(buf))) > 0) {
			for (size_t i = 0; i < (size_t)n / sizeof(*buf); i++)
				policy_add(p, f, &buf[i]);
			got += n / (ssize_t)sizeof(*buf);
		}
		if (n == 0 || (n < 0 && (errno == ENXIO || errno == ESRCH)))
			return -1;		/* the VM is gone */
		if (errno != EAGAIN && errno != EINTR)
			err(1, "reading the session");
	}
	return got;
}

struct totals {
	uint64_t intervals, promoted, demoted, failed;
	uint64_t err[ARRAY_SIZE(((struct moves *)0)->err)];
};

static void print_errors(const uint64_t *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (e[i])
			printf(" %s=%" PRIu64, i ? numa_errname((int)i) : "other", e[i]);
}

static void report_interval(const struct tier_opts *o, double t, double secs,
			    const struct moves *m, int64_t records,
			    struct totals *tot)
{
	tot->intervals++;
	tot->promoted += m->promoted;
	tot->demoted += m->demoted;
	tot->failed += m->failed;
	for (size_t i = 0; i < ARRAY_SIZE(tot->err); i++)
		tot->err[i] += m->err[i];
	if (o->quiet)
		return;
	printf("t=%.2f promoted=%" PRIu64 " demoted=%" PRIu64 " mbps=%.2f on_fast=%"
	       PRIu64 " capacity=%" PRIu64 " records=%" PRId64 " failed=%" PRIu64,
	       t, m->promoted, m->demoted,
	       (double)(m->promoted + m->demoted) * 4096 / 1e6 / secs, m->on_fast,
	       m->capacity, records, m->failed);
	print_errors(m->err, ARRAY_SIZE(m->err));
	putchar('\n');
	fflush(stdout);
}

/* The loop: gather an interval's records, update the temperatures,
 * migrate. Returns how it ended. */
static const char *run(const struct tier_opts *o, int fd, struct frame_table *f,
		       struct totals *tot)
{
	uint64_t start = now_ns(), ival = o->interval_ms * 1000000ULL;
	uint64_t budget = (uint64_t)(o->max_mbps * 1e6 * (double)o->interval_ms / 1e3 / 4096);
	uint64_t end = o->duration_s > 0 ? start + (uint64_t)(o->duration_s * 1e9) : UINT64_MAX;
	struct policy_state p;
	const char *why = "signal";
	int64_t k = 0;

	policy_init(&p, o, start);
	while (!stop) {
		/* Each interval gathers for ival, then decides: one slow
		 * migration delays the next interval, and leaves none empty. */
		uint64_t t0 = now_ns(), until = t0 + ival;
		struct moves m;
		int64_t got;
		int e;

		if (until > end)
			until = end;
		got = gather(fd, &p, f, until);
		if (got < 0) {
			why = "vm-gone";
			break;
		}
		if (stop)
			break;
		e = table_sync(f, fd, o);
		if (e == -ENXIO || e == -ESRCH) {
			why = "vm-gone";	/* the session ended with the VM */
			break;
		}
		if (e < 0)
			errx(1, "GET_MEMSLOTS: %s", strerror(-e));
		if (e > 0 && k > 0) {
			warnx("the VM's memslots changed: %zu frames now; temperatures start afresh", f->n);
			policy_reset(&p);
		}
		policy_update(&p, f, now_ns());
		e = migrate(o, f, budget ? budget : 1, k, &m);
		if (m.gone) {
			why = "vm-gone";
			break;
		}
		if (e)
			errx(1, "pid %d: move_pages: %s", o->pid, strerror(-e));
		report_interval(o, (double)(now_ns() - start) / 1e9,
				(double)(now_ns() - t0) / 1e9, &m, got, tot);
		k++;
		if (now_ns() >= end) {
			why = "duration";
			break;
		}
	}
	policy_free(&p);
	return why;
}

int main(int argc, char **argv)
{
	struct tier_opts o = {
		.fast_ratio = 0.15, .interval_ms = 1000,
		.max_mbps = 100, .policy = POLICY_RATE, .window_s = 4,
		.half_life_s = 2, .weight = { 1, 2, 1 }, .tolerance = 0.5,
		.hold_s = 5, .freq = 1000, .mode = KVM_EPT_SAMPLE_MODE_ABIT,
		.huge = HUGE_AUTO,
		.seed = 1,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct frame_table f = { 0 };
	struct totals tot = { 0 };
	const char *why;
	int fd, e;

	parse_args(argc, argv, &o);
	fd = open_session(&o);
	if (fd < 0)
		return 1;
	e = table_sync(&f, fd, &o);
	if (e < 0)
		errx(1, "GET_MEMSLOTS: %s", strerror(-e));
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!o.quiet)
		printf("tier pid=%d fast_node=%d slow_node=%d fast_ratio=%g frames=%zu "
		       "unit=%s policy=%s interval_ms=%" PRIu64 " max_mbps=%g\n", o.pid,
		       o.fast, o.slow, o.fast_ratio, f.n, f.unit > 1 ? "2M" : "4K",
		       policy_name(o.policy), o.interval_ms, o.max_mbps);
	why = run(&o, fd, &f, &tot);
	if (!strcmp(why, "vm-gone"))
		warnx("the VM is gone");
	printf("total intervals=%" PRIu64 " promoted=%" PRIu64 " demoted=%" PRIu64
	       " mb=%.2f failed=%" PRIu64, tot.intervals, tot.promoted, tot.demoted,
	       (double)(tot.promoted + tot.demoted) * 4096 / 1e6, tot.failed);
	print_errors(tot.err, ARRAY_SIZE(tot.err));
	printf(" end=%s\n", why);
	session_close(fd);
	table_free(&f);
	return fflush(stdout) ? 1 : 0;
}
