// SPDX-License-Identifier: GPL-2.0
/*
 * eptsample.c - capture a VM's memory-access samples from kvm_ept_sample.ko
 * (/proc/kvm_ept_sample, API format 2) into a text or binary sample log
 * (include/eptscope_log.h), then print the module's statistics. The
 * successor of the original kvm-ept-sample's print_samples.
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
#include <time.h>
#include <unistd.h>

#include "lib/common.h"
#include "lib/eptlog.h"

#define BATCH 1024

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: eptsample -p PID [options]\n"
"Sample the memory accesses of the KVM guest run by process PID through\n"
"kvm_ept_sample.ko, and write them as a sample log.\n"
"\n"
"  -p, --pid PID        the VMM process (QEMU, workload/guest, ...)\n"
"  -f, --freq RATE      samples per second to aim for (default 1000)\n"
"  -t, --types TYPES    access types to sample, letters of rwx (default rwx)\n"
"  -d, --duration S     stop after S seconds (default: until the VM is gone\n"
"                       or SIGINT/SIGTERM)\n"
"  -o, --output FILE    write the log to FILE (default: standard output)\n"
"  -b, --binary         binary log (default: text, one sample per line)\n"
"  -e, --expire MS      an armed frame not accessed within MS ms expires\n"
"                       (1..60000; default: the module's expire_ms, 1000)\n"
"  -c, --censored       also log an expiry record for each armed frame that\n"
"                       expired unaccessed: the censored waits a rate\n"
"                       estimator needs (analysis/hotness uses them)\n"
"  -r, --revisit DIV    arm a frame once more when its sweep arming was\n"
"                       caught within expiry/DIV (0: never, 1..64;\n"
"                       default: the module's revisit_div, 0)\n"
"  -m, --memslots       write the VM's memslots first, as comments\n"
"  -q, --quiet          no statistics on standard error at the end\n"
"  -h, --help           this text\n"
"\n"
"Text log lines: t=<ns> vcpu=<n> gfn=0x<hex> type=<rwx> level=<n> delay=<ns>\n"
"Expiry records (-c) end in \" expired=1\", with type=--- and no vCPU.\n"
"Records that end a revisit (-r) carry \" revisit=1\" after delay=.\n"
"Statistics (armed, caught, recorded, dropped, ...) are printed at the end,\n"
"and written into a text log as a '# stats' comment.\n"
"\n"
"Examples:\n"
"  eptsample -p $(pidof qemu-system-x86_64) -f 1000 -d 10 -o samples.log\n"
"  eptsample -p 1234 -t w -b -o writes.bin\n"
"  eptsample -p 1234 -f 3000 -e 200 -c -d 10 -b -o s.bin; hotness s.bin\n"
"  eptsample -p 1234 -d 5 | histo -f delay --log2\n"
"\n"
"Exit status: 0 when done, 1 on an error (the message says which), 2 for\n"
"bad options.\n");
}

static const char *init_error(int err)
{
	switch (err) {
	case ESRCH: return "no such process";
	case ENODEV: return "the process has no KVM VM open (is it a VMM?)";
	case EACCES: return "not allowed to trace that process (ptrace access)";
	case EBUSY: return "another session already samples that VM";
	case EOPNOTSUPP: return "KVM runs with shadow paging: sampling needs EPT/NPT";
	case EINVAL: return "invalid pid";
	default: return strerror(err);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void print_stats(FILE *f, const char *prefix,
			const struct kvm_ept_sample_stats *st)
{
	fprintf(f, "%sarmed=%llu caught=%llu recorded=%llu dropped=%llu "
		"filtered=%llu natural=%llu truncated=%llu expired=%llu "
		"regions=%llu rounds=%llu arm_rate=%llu frames=%llu pool_full=%llu "
		"censored=%llu expire_ns=%llu\n", prefix,
		(unsigned long long)st->armed, (unsigned long long)st->caught,
		(unsigned long long)st->recorded, (unsigned long long)st->dropped,
		(unsigned long long)st->filtered, (unsigned long long)st->natural,
		(unsigned long long)st->truncated, (unsigned long long)st->expired,
		(unsigned long long)st->regions, (unsigned long long)st->rounds,
		(unsigned long long)st->arm_rate, (unsigned long long)st->frames,
		(unsigned long long)st->pool_full, (unsigned long long)st->censored,
		(unsigned long long)st->expire_ns);
}

/* Records written to the log so far. */
struct tally {
	unsigned long long records;	/* samples and expiry records */
	unsigned long long expiries;	/* of which expiry records */
	unsigned long long revisits;	/* of which ended a revisit */
};

/* Write the records read into buf (bytes long) to the log, and count them. */
static void write_records(FILE *out, const struct kvm_ept_sample_v2 *buf,
			  size_t bytes, int binary, struct tally *t)
{
	unsigned char rec[sizeof(*buf)];
	char line[EPT_TEXT_MAX];
	size_t i, n = bytes / sizeof(*buf);

	for (i = 0; i < n; i++) {
		if (buf[i].flags & KVM_EPT_SAMPLE_F_EXPIRED)
			t->expiries++;
		if (buf[i].flags & KVM_EPT_SAMPLE_F_REVISIT)
			t->revisits++;
		if (binary) {
			ept_bin_encode(rec, &buf[i]);
			fwrite(rec, sizeof(rec), 1, out);
		} else {
			fwrite(line, ept_text_format(line, &buf[i]), 1, out);
		}
	}
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

/* How long units armed now may take to expire: the session's expiry and
 * two arming rounds. */
static uint64_t expire_wait_ns(int fd)
{
	struct kvm_ept_sample_stats st;

	if (ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_STATS, &st) < 0)
		return 0;
	return st.expire_ns + 20000000ULL;
}

static int write_memslots(int fd, FILE *out)
{
	struct kvm_ept_sample_memslot slots[64];
	struct kvm_ept_sample_get_memslots req = {
		.memslots = slots, .capacity = 64,
	};
	size_t i;

	if (ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_MEMSLOTS, &req) < 0)
		return -errno;
	for (i = 0; i < req.count && i < req.capacity; i++)
		fprintf(out, "# memslot gpa=0x%llx hva=0x%llx pages=%zu\n",
			(unsigned long long)slots[i].gpa,
			(unsigned long long)slots[i].hva, slots[i].page_count);
	return 0;
}

int main(int argc, char **argv)
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
		{ "revisit", required_argument, NULL, 'r' },
		{ "memslots", no_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kvm_ept_sample_v2 buf[BATCH];
	struct kvm_ept_sample_stats st;
	struct sigaction sa;
	const char *output = NULL;
	uint64_t pid = 0, freq = 1000, duration_ns = 0, start, deadline = 0;
	int xwr = KVM_EPT_SAMPLE_XWR, binary = 0, memslots = 0, quiet = 0;
	int censored = 0;
	uint64_t expire_ms = 0, revisit = UINT64_MAX;
	int c, fd, status = 0;
	struct tally tally = { 0, 0, 0 };
	FILE *out = stdout;

	while ((c = getopt_long(argc, argv, "p:f:t:d:o:be:cr:mqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pid = opt_u64(optarg, "pid");
			break;
		case 'f':
			freq = opt_u64(optarg, "freq");
			break;
		case 't':
			xwr = 0;
			for (const char *p = optarg; *p; p++) {
				const char *k = strchr("rwx", *p);

				if (!k) {
					fprintf(stderr, "eptsample: bad access type '%c' in -t %s (use letters of rwx)\n", *p, optarg);
					return 2;
				}
				xwr |= 1 << (k - "rwx");
			}
			if (!xwr) {
				fprintf(stderr, "eptsample: -t needs at least one of r, w, x\n");
				return 2;
			}
			break;
		case 'd':
			duration_ns = (uint64_t)(opt_double(optarg, "duration") * 1e9);
			break;
		case 'o':
			output = optarg;
			break;
		case 'b':
			binary = 1;
			break;
		case 'e':
			expire_ms = opt_u64(optarg, "expire");
			if (expire_ms == 0 || expire_ms > 60000) {
				fprintf(stderr, "eptsample: -e takes 1 to 60000 ms\n");
				return 2;
			}
			break;
		case 'c':
			censored = 1;
			break;
		case 'r':
			revisit = opt_u64(optarg, "revisit");
			if (revisit > 64) {
				fprintf(stderr, "eptsample: -r takes 0 (never) to 64\n");
				return 2;
			}
			break;
		case 'm':
			memslots = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !pid) {
		fprintf(stderr, "eptsample: %s\n", optind != argc ?
			"unexpected argument" : "-p PID is required");
		usage(stderr);
		return 2;
	}
	if (freq == 0 || freq > 1000000) {
		fprintf(stderr, "eptsample: -f takes 1 to 1000000 samples per second\n");
		return 2;
	}

	fd = open(KVM_EPT_SAMPLE_PATH, O_RDWR);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			fprintf(stderr, "eptsample: %s does not exist: load the module (insmod kmod/kvm_ept_sample.ko)\n",
				KVM_EPT_SAMPLE_PATH);
		else
			fprintf(stderr, "eptsample: cannot open %s: %s%s\n",
				KVM_EPT_SAMPLE_PATH, strerror(e),
				e == EPERM || e == EACCES ? " (needs root: CAP_SYS_ADMIN)" : "");
		return 1;
	}
	if (ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_VERSION, 0) < KVM_EPT_SAMPLE_API_VERSION ||
	    ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FORMAT, KVM_EPT_SAMPLE_FORMAT_V2) < 0) {
		fprintf(stderr, "eptsample: the loaded module does not offer API version %d\n",
			KVM_EPT_SAMPLE_API_VERSION);
		return 1;
	}
	if (ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_PROT, xwr) < 0 ||
	    ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FREQ, 0) < 0 ||
	    ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_CENSORED, censored) < 0 ||
	    (expire_ms && ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_EXPIRE, expire_ms) < 0) ||
	    (revisit != UINT64_MAX &&
	     ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_REVISIT, (unsigned long)revisit) < 0)) {
		fprintf(stderr, "eptsample: configuring the session: %s\n", strerror(errno));
		return 1;
	}
	if (ioctl(fd, KVM_EPT_SAMPLE_CMD_INIT, (unsigned long)pid) < 0) {
		fprintf(stderr, "eptsample: pid %llu: %s\n", (unsigned long long)pid,
			init_error(errno));
		return 1;
	}
	if (output) {
		out = fopen(output, binary ? "wb" : "w");
		if (!out) {
			fprintf(stderr, "eptsample: cannot write %s: %s\n", output, strerror(errno));
			return 1;
		}
	}
	start = now_ns();
	if (binary) {
		struct eptscope_log_header h;

		ept_bin_header_init(&h, pid, start, (uint32_t)freq, (uint32_t)xwr);
		fwrite(&h, sizeof(h), 1, out);
	} else {
		char types[4];

		ept_type_str(types, (unsigned int)xwr);
		fprintf(out, "# eptsample pid=%llu freq=%llu types=%s start_ns=%llu\n",
			(unsigned long long)pid, (unsigned long long)freq, types,
			(unsigned long long)start);
		if (memslots && write_memslots(fd, out) < 0)
			fprintf(stderr, "eptsample: GET_MEMSLOTS: %s\n", strerror(errno));
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (duration_ns)
		deadline = start + duration_ns;
	if (ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FREQ, (unsigned long)freq) < 0) {
		fprintf(stderr, "eptsample: SET_FREQ: %s\n", strerror(errno));
		return 1;
	}

	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int timeout = -1;
		ssize_t n;

		if (deadline) {
			uint64_t t = now_ns();

			if (t >= deadline)
				break;
			timeout = (int)((deadline - t + 999999) / 1000000);
		}
		if (poll(&pfd, 1, timeout) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "eptsample: poll: %s\n", strerror(errno));
			status = 1;
			break;
		}
		if (!(pfd.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "eptsample: read: %s\n", strerror(errno));
			status = 1;
			break;
		}
		if (n == 0) {
			if (!quiet)
				fprintf(stderr, "eptsample: the VM is gone\n");
			break;
		}
		write_records(out, buf, (size_t)n, binary, &tally);
	}

	ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FREQ, 0);
	/*
	 * Drain what was recorded before sampling stopped. With -c, first let
	 * the units still armed be caught or expire (at most the expiry and
	 * two rounds), so that every arming ends in the log as a sample or an
	 * expiry record.
	 */
	fcntl(fd, F_SETFL, O_NONBLOCK);
	drain(fd, out, binary, &tally);
	if (censored) {
		uint64_t until = now_ns() + expire_wait_ns(fd);

		while (now_ns() < until &&
		       ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_STATS, &st) == 0 && st.outstanding) {
			usleep(20000);
			drain(fd, out, binary, &tally);
		}
		/* Expiry records of the last round are pushed just after it ends. */
		usleep(20000);
	}
	drain(fd, out, binary, &tally);
	if (ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_STATS, &st) == 0) {
		if (!binary)
			print_stats(out, "# stats ", &st);
		if (!quiet) {
			fprintf(stderr, "eptsample: %llu samples and %llu expiry records (%llu of all from revisits) in %.2f s\n",
				tally.records - tally.expiries, tally.expiries,
				tally.revisits,
				(double)(now_ns() - start) / 1e9);
			print_stats(stderr, "eptsample: ", &st);
		}
	}
	ioctl(fd, KVM_EPT_SAMPLE_CMD_DEINIT, 0);
	close(fd);
	if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
		fprintf(stderr, "eptsample: writing the log: %s\n", strerror(errno));
		status = 1;
	}
	return status;
}
