// SPDX-License-Identifier: GPL-2.0
/*
 * eptsample.c - capture a VM's memory-access samples from kvm_ept_sample.ko
 * (/proc/kvm_ept_sample, API format 2) into a text or binary sample log
 * (include/eptscope_log.h), then print the module's statistics. The
 * successor of the original kvm-ept-sample's print_samples.
 *
 * By default the log has an expiry record for every arming that expired
 * unaccessed (the censored waits analysis/hotness needs), and the module
 * adapts the expiry to the guest; -C and -e change that.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "lib/common.h"
#include "lib/eptlog.h"
#include "lib/session.h"

#define BATCH 1024
#define EXPIRE_AUTO_MAX_NS 1000000000ULL	/* the module's adaptive bound */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The options, as given. */
struct env {
	uint64_t pid;
	uint64_t freq;
	int xwr;
	uint64_t duration_ns;
	const char *output;
	int binary;
	uint64_t expire_ms;		/* 0: the module's default (adaptive) */
	int censored;
	uint64_t revisit;		/* UINT64_MAX: the module's default */
	int mode;			/* -1: the module's default */
	int memslots;			/* 1: in the header; 2: only them (-l) */
	int quiet;
	const char *header;		/* -H LOG: print its header, no sampling */
};

/* Records written to the log so far. */
struct tally {
	unsigned long long records;	/* samples and expiry records */
	unsigned long long expiries;	/* of which expiry records */
	unsigned long long revisits;	/* of which ended a revisit */
	unsigned long long abits;	/* of which accessed-bit observations */
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: eptsample -p PID [options]\n"
"       eptsample -H LOG\n"
"Sample the memory accesses of the KVM guest run by process PID through\n"
"kvm_ept_sample.ko, and write them as a sample log; or print the header\n"
"of a log it wrote.\n"
"\n"
"  -p, --pid PID        the VMM process (QEMU, workload/guest, ...)\n"
"  -f, --freq RATE      samples per second to aim for (default 1000)\n"
"  -t, --types TYPES    access types to sample, letters of rwx (default rwx)\n"
"  -d, --duration S     stop after S seconds (default: until the VM is gone\n"
"                       or SIGINT/SIGTERM)\n"
"  -o, --output FILE    write the log to FILE (default: standard output)\n"
"  -b, --binary         binary log (default: text, one sample per line)\n"
"  -e, --expire MS      a fixed expiry: an armed frame not accessed within\n"
"                       MS ms expires (1..60000). Default: the module adapts\n"
"                       the expiry to the guest's arming-to-access delays\n"
"                       and the end line says where it settled\n"
"  -C, --no-censored    no expiry records. By default the log has one for\n"
"                       each armed frame that expired unaccessed: the\n"
"                       censored waits the rate estimator needs\n"
"                       (analysis/hotness); -c is accepted and changes nothing\n"
"  -M, --mode MODE      how the module observes: faults (arm frames and\n"
"                       record the faults), abit (KVM's accessed bits, no\n"
"                       faults), hybrid (accessed bits, and faults on the\n"
"                       frames they find touched), auto (accessed bits;\n"
"                       faults once they saturate); default: the module's\n"
"                       mode parameter, auto\n"
"  -r, --revisit DIV    arm a frame once more when its sweep arming was\n"
"                       caught within expiry/DIV (0: never, 1..64;\n"
"                       default: the module's revisit_div, 0)\n"
"  -m, --memslots       write the VM's memslots first, as comments\n"
"  -l, --list-memslots  write only the VM's memslots (gpa= hva= pages=),\n"
"                       one per line, and exit: no sampling\n"
"  -q, --quiet          no statistics on standard error at the end\n"
"  -H, --header LOG     print the header of LOG (binary or text) as one\n"
"                       line, format= pid= freq= types= start_ns= (binary:\n"
"                       also version= record_size=), and exit: start_ns is\n"
"                       the capture's start, CLOCK_MONOTONIC\n"
"  -h, --help           this text\n"
"\n"
"Text log lines: t=<ns> vcpu=<n> gfn=0x<hex> type=<rwx> level=<n> delay=<ns>\n"
"Expiry records end in \" expired=1\", with type=--- and no vCPU.\n"
"Records that end a revisit (-r) carry \" revisit=1\" after delay=;\n"
"accessed-bit observations carry \" abit=1\" (delay: half the interval).\n"
"Statistics (armed, caught, recorded, dropped, ...) are printed at the end,\n"
"and written into a text log as a '# stats' comment.\n"
"\n"
"Examples:\n"
"  eptsample -p $(pidof qemu-system-x86_64) -f 1000 -d 10 -o samples.log\n"
"  eptsample -p 1234 -t w -b -o writes.bin\n"
"  eptsample -p 1234 -f 1000 -d 10 -b -o s.bin; hotness s.bin\n"
"  eptsample -p 1234 -d 5 -C | histo -f delay --log2\n"
"  eptsample -H s.bin                     # format=binary pid=1234 ...\n"
"\n"
"Exit status: 0 when done, 1 on an error (the message says which), 2 for\n"
"bad options.\n");
}

static int bad_usage(const char *msg)
{
	fprintf(stderr, "eptsample: %s\n", msg);
	return 2;
}

/* -t: letters of rwx into an xwr mask; 0 when malformed. */
static int parse_types(const char *arg)
{
	int xwr = 0;

	for (const char *p = arg; *p; p++) {
		const char *k = strchr("rwx", *p);

		if (!k) {
			fprintf(stderr, "eptsample: bad access type '%c' in -t %s (use letters of rwx)\n",
				*p, arg);
			return 0;
		}
		xwr |= 1 << (k - "rwx");
	}
	if (!xwr)
		fprintf(stderr, "eptsample: -t needs at least one of r, w, x\n");
	return xwr;
}

/* Returns 0, or the exit status for bad options (or 1 after --help: exit 0). */
static int parse_args(int argc, char **argv, struct env *env)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "freq", required_argument, NULL, 'f' },
		{ "types", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "binary", no_argument, NULL, 'b' },
		{ "expire", required_argument, NULL, 'e' },
		{ "censored", no_argument, NULL, 'c' },
		{ "no-censored", no_argument, NULL, 'C' },
		{ "revisit", required_argument, NULL, 'r' },
		{ "mode", required_argument, NULL, 'M' },
		{ "memslots", no_argument, NULL, 'm' },
		{ "list-memslots", no_argument, NULL, 'l' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "header", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "p:f:t:d:o:be:cCr:M:mlqH:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': env->pid = opt_u64(optarg, "pid"); break;
		case 'f': env->freq = opt_u64(optarg, "freq"); break;
		case 't':
			env->xwr = parse_types(optarg);
			if (!env->xwr)
				return 2;
			break;
		case 'd':
			env->duration_ns = (uint64_t)(opt_double(optarg, "duration") * 1e9);
			break;
		case 'o': env->output = optarg; break;
		case 'b': env->binary = 1; break;
		case 'e':
			env->expire_ms = opt_u64(optarg, "expire");
			if (env->expire_ms == 0 || env->expire_ms > 60000)
				return bad_usage("-e takes 1 to 60000 ms");
			break;
		case 'c': env->censored = 1; break;
		case 'C': env->censored = 0; break;
		case 'r':
			env->revisit = opt_u64(optarg, "revisit");
			if (env->revisit > 64)
				return bad_usage("-r takes 0 (never) to 64");
			break;
		case 'M': env->mode = opt_choice(optarg, "-M", session_modes); break;
		case 'm': env->memslots = 1; break;
		case 'l': env->memslots = 2; break;
		case 'q': env->quiet = 1; break;
		case 'H': env->header = optarg; break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return 2;
		}
	}
	if (env->header && optind == argc)
		return 0;
	if (optind != argc || !env->pid) {
		bad_usage(optind != argc ? "unexpected argument" : "-p PID is required");
		usage(stderr);
		return 2;
	}
	if (env->freq == 0 || env->freq > 1000000)
		return bad_usage("-f takes 1 to 1000000 samples per second");
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int get_stats(int fd, struct kvm_ept_sample_stats *st)
{
	struct kvm_ept_sample_stats_query q = {
		.size = sizeof(*st), .stats = (uintptr_t)st,
	};

	memset(st, 0, sizeof(*st));
	return ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_STATS_SIZED, &q);
}

static void print_stats(FILE *f, const char *prefix,
			const struct kvm_ept_sample_stats *st)
{
#define F(name) (unsigned long long)st->name
	fprintf(f, "%sarmed=%llu caught=%llu recorded=%llu dropped=%llu "
		"filtered=%llu natural=%llu truncated=%llu expired=%llu "
		"regions=%llu rounds=%llu arm_rate=%llu frames=%llu pool_full=%llu "
		"censored=%llu expire_ns=%llu expire_auto=%llu late=%llu undone=%llu zaps=%llu "
		"zap_ns=%llu throttled=%llu paused_frames=%llu skipped_frames=%llu "
		"slots=%llu mmap_busy=%llu dirty_log=%llu vm_gone=%llu mode=%llu "
		"age_observed=%llu age_touched=%llu age_records=%llu age_ns=%llu "
		"age_flushes=%llu age_interval_ns=%llu age_saturated=%llu\n", prefix,
		F(armed), F(caught), F(recorded), F(dropped), F(filtered),
		F(natural), F(truncated), F(expired), F(regions), F(rounds),
		F(arm_rate), F(frames), F(pool_full), F(censored), F(expire_ns),
		F(expire_auto), F(late), F(undone), F(zaps), F(zap_ns), F(throttled),
		F(paused_frames), F(skipped_frames), F(slots), F(mmap_busy),
		F(dirty_log), F(vm_gone), F(mode), F(age_observed), F(age_touched),
		F(age_records), F(age_ns), F(age_flushes), F(age_interval_ns),
		F(age_saturated));
#undef F
}

/*
 * Write the records read into buf (bytes long, at most BATCH records) to
 * the log, and count them: encoded into one block, written by one fwrite.
 */
static void write_records(FILE *out, const struct kvm_ept_sample_v2 *buf,
			  size_t bytes, int binary, struct tally *t)
{
	static char block[BATCH * EPT_TEXT_MAX];
	size_t i, n = bytes / sizeof(*buf), len = 0;

	for (i = 0; i < n; i++) {
		if (buf[i].flags & KVM_EPT_SAMPLE_F_EXPIRED)
			t->expiries++;
		if (buf[i].flags & KVM_EPT_SAMPLE_F_REVISIT)
			t->revisits++;
		if (buf[i].flags & KVM_EPT_SAMPLE_F_ABIT)
			t->abits++;
		if (binary) {
			ept_bin_encode(block + len, &buf[i]);
			len += sizeof(*buf);
		} else {
			len += ept_text_format(block + len, &buf[i]);
		}
	}
	fwrite(block, len, 1, out);
	t->records += n;
}

/* Write every record waiting in the session's buffer (fd is non-blocking). */
static void drain(int fd, FILE *out, int binary, struct tally *t)
{
	struct kvm_ept_sample_v2 buf[BATCH];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		write_records(out, buf, (size_t)n, binary, t);
}

/* Write the VM's memslots, one line each after PREFIX; 0, or -errno. */
static int write_memslots(int fd, FILE *out, const char *prefix)
{
	struct memslots ms = { 0 };
	int e = memslots_get(fd, &ms);

	for (size_t i = 0; !e && i < ms.n; i++)
		fprintf(out, "%sgpa=0x%llx hva=0x%llx pages=%zu\n", prefix,
			(unsigned long long)ms.s[i].gpa,
			(unsigned long long)ms.s[i].hva, ms.s[i].page_count);
	memslots_free(&ms);
	return e;
}

/* Set the session up and attach it to the VM (not sampling yet). */
static int configure(int fd, const struct env *env)
{
	if (ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_PROT, env->xwr) < 0 ||
	    ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_CENSORED, env->censored) < 0 ||
	    (env->expire_ms &&
	     ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_EXPIRE, (unsigned long)env->expire_ms) < 0) ||
	    (env->revisit != UINT64_MAX &&
	     ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_REVISIT, (unsigned long)env->revisit) < 0) ||
	    (env->mode >= 0 && ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_MODE, env->mode) < 0)) {
		fprintf(stderr, "eptsample: configuring the session: %s\n", strerror(errno));
		return -1;
	}
	return session_attach(fd, env->pid);
}

/* The log's header: binary, or a comment line (and the memslots). */
static void write_header(int fd, FILE *out, const struct env *env, uint64_t start)
{
	struct eptscope_log_header h;
	char types[4];

	if (env->binary) {
		ept_bin_header_init(&h, env->pid, start, (uint32_t)env->freq,
				    (uint32_t)env->xwr);
		fwrite(&h, sizeof(h), 1, out);
		return;
	}
	ept_type_str(types, (unsigned int)env->xwr);
	fprintf(out, "# eptsample pid=%llu freq=%llu types=%s start_ns=%llu\n",
		(unsigned long long)env->pid, (unsigned long long)env->freq, types,
		(unsigned long long)start);
	if (env->memslots) {
		int e = write_memslots(fd, out, "# memslot ");

		if (e)
			fprintf(stderr, "eptsample: GET_MEMSLOTS: %s\n", strerror(-e));
	}
}

/* Sample until the deadline, a signal or the VM's end; 0 or 1. */
static int sample_loop(int fd, FILE *out, const struct env *env,
		       uint64_t deadline, struct tally *t)
{
	struct kvm_ept_sample_v2 buf[BATCH];

	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int timeout = -1;
		ssize_t n;

		if (deadline) {
			uint64_t now = now_ns();

			if (now >= deadline)
				break;
			timeout = (int)((deadline - now + 999999) / 1000000);
		}
		if (poll(&pfd, 1, timeout) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "eptsample: poll: %s\n", strerror(errno));
			return 1;
		}
		if (!(pfd.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "eptsample: read: %s\n", strerror(errno));
			return 1;
		}
		if (n == 0) {
			if (!env->quiet)
				fprintf(stderr, "eptsample: the VM is gone\n");
			break;
		}
		write_records(out, buf, (size_t)n, env->binary, t);
	}
	return 0;
}

/*
 * Stop arming and drain what was recorded before. With expiry records,
 * first let the units still armed be caught or expire (at most the expiry
 * and two rounds), so that every arming ends in the log as a sample or an
 * expiry record.
 */
static void finish(int fd, FILE *out, const struct env *env, struct tally *t)
{
	struct kvm_ept_sample_stats st;
	uint64_t until;

	ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FREQ, 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	drain(fd, out, env->binary, t);
	if (env->censored && get_stats(fd, &st) == 0) {
		until = now_ns() + (st.expire_auto ? EXPIRE_AUTO_MAX_NS : st.expire_ns) +
			20000000ULL;
		while (now_ns() < until && get_stats(fd, &st) == 0 && st.outstanding) {
			usleep(20000);
			drain(fd, out, env->binary, t);
		}
		/* Expiry records of the last round are pushed just after it ends. */
		usleep(20000);
	}
	drain(fd, out, env->binary, t);
}

/* The reader's own cost: its CPU time (user + system) and its peak RSS. */
static void print_reader_cost(FILE *f)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return;
	fprintf(f, "eptsample: reader cpu_ms=%lld max_rss_kb=%ld\n",
		((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
		(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000,
		ru.ru_maxrss);
}

static void report(int fd, FILE *out, const struct env *env,
		   const struct tally *t, uint64_t start)
{
	struct kvm_ept_sample_stats st;

	if (get_stats(fd, &st) < 0)
		return;
	if (!env->binary)
		print_stats(out, "# stats ", &st);
	if (env->quiet)
		return;
	if (st.mode == KVM_EPT_SAMPLE_MODE_ABIT)
		fprintf(stderr, "eptsample: %llu accessed-bit observations (%llu touched) in %.2f s; interval %.3f ms at the end\n",
			t->abits, (unsigned long long)st.age_touched,
			(double)(now_ns() - start) / 1e9, (double)st.age_interval_ns / 1e6);
	else
		fprintf(stderr, "eptsample: %llu samples and %llu expiry records (%llu of all from revisits, %llu accessed-bit observations) in %.2f s; expiry %s at %.3f ms\n",
			t->records - t->expiries, t->expiries, t->revisits, t->abits,
			(double)(now_ns() - start) / 1e9,
			st.expire_auto ? "adapted, settled" : "fixed",
			(double)st.expire_ns / 1e6);
	if (st.dropped)
		fprintf(stderr, "eptsample: %llu records lost: the module's buffer was full, the log writer fell behind (-b writes a log faster)\n",
			(unsigned long long)st.dropped);
	if (st.age_saturated)
		fprintf(stderr, "eptsample: the guest touched nearly every frame within the shortest interval: accessed bits could not tell hot from cold, so the session sampled by faults from then on\n");
	print_stats(stderr, "eptsample: ", &st);
	print_reader_cost(stderr);
}

/* -l: the memslots alone, then detach; 0 or 1. */
static int list_memslots(int fd, FILE *out, const struct env *env)
{
	int e = write_memslots(fd, out, "");

	if (e)
		fprintf(stderr, "eptsample: GET_MEMSLOTS: %s\n", strerror(-e));
	session_close(fd);
	if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
		fprintf(stderr, "eptsample: writing %s: %s\n",
			env->output ? env->output : "stdout", strerror(errno));
		return 1;
	}
	return e ? 1 : 0;
}

/*
 * -H LOG: the header of a log eptsample wrote, as key=value: the binary
 * header's fields, or a text log's '# eptsample' line. 0, or 1 with a
 * message when LOG is neither.
 */
static int print_log_header(const char *path)
{
	struct eptscope_log_header h;
	char buf[4096], types[4];
	size_t n;
	FILE *f = fopen(path, "rb");
	int status = 1;

	if (!f) {
		fprintf(stderr, "eptsample: %s: %s\n", path, strerror(errno));
		return 1;
	}
	n = fread(buf, 1, sizeof(h), f);
	if (ept_bin_is_log(buf, n)) {
		const char *why = ept_bin_header_check(buf, n, &h);

		if (why) {
			fprintf(stderr, "eptsample: %s: %s\n", path, why);
		} else {
			ept_type_str(types, h.xwr);
			printf("format=binary pid=%llu freq=%u types=%s start_ns=%llu version=%u record_size=%u\n",
			       (unsigned long long)h.pid, h.rate, types,
			       (unsigned long long)h.start_ns, h.version, h.record_size);
			status = 0;
		}
		fclose(f);
		return status;
	}
	rewind(f);
	while (fgets(buf, sizeof(buf), f) && buf[0] == '#') {
		if (!strncmp(buf, "# eptsample ", 12)) {
			printf("format=text %s", buf + 12);
			status = 0;
			break;
		}
	}
	if (status)
		fprintf(stderr, "eptsample: %s: no binary header and no '# eptsample' line: not a log eptsample wrote\n",
			path);
	fclose(f);
	return status;
}

int main(int argc, char **argv)
{
	struct env env = {
		.freq = 1000, .xwr = KVM_EPT_SAMPLE_XWR, .censored = 1,
		.revisit = UINT64_MAX, .mode = -1,
	};
	struct tally tally = { 0, 0, 0, 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t start;
	FILE *out = stdout;
	int fd, status;

	status = parse_args(argc, argv, &env);
	if (status)
		return status == 1 ? 0 : status;
	if (env.header)
		return print_log_header(env.header);
	fd = session_open();
	if (fd < 0 || configure(fd, &env) < 0)
		return 1;
	if (env.output) {
		out = fopen(env.output, env.binary ? "wb" : "w");
		if (!out) {
			fprintf(stderr, "eptsample: cannot write %s: %s\n", env.output,
				strerror(errno));
			return 1;
		}
	}
	if (env.memslots == 2)
		return list_memslots(fd, out, &env);
	start = now_ns();
	write_header(fd, out, &env, start);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FREQ, (unsigned long)env.freq) < 0) {
		fprintf(stderr, "eptsample: SET_FREQ: %s\n", strerror(errno));
		return 1;
	}
	status = sample_loop(fd, out, &env, env.duration_ns ? start + env.duration_ns : 0,
			     &tally);
	finish(fd, out, &env, &tally);
	report(fd, out, &env, &tally, start);
	session_close(fd);
	if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
		fprintf(stderr, "eptsample: writing the log: %s\n", strerror(errno));
		status = 1;
	}
	return status;
}
