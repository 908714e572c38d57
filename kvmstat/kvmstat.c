// SPDX-License-Identifier: GPL-2.0
/*
 * kvmstat.c - kvm_stat's successor: KVM statistics per VM and per vCPU
 * from KVM's binary statistics (KVM_GET_STATS_FD) and from debugfs, in
 * kvm_stat's formats (batch listing, log, CSV) and as JSON lines, with
 * histogram statistics drawn. main: options, then open the sources,
 * read the first round, loop every DELAY seconds, report.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../analysis/lib/common.h"
#include "kvmstat.h"

#define MIN_DELAY	0.1	/* kvm_stat's range and default */
#define MAX_DELAY	25.5
#define DELAY_DEFAULT	3.0
#define MAX_POLL	256
#define RESCAN_S	5.0	/* without -p: look for new VMs this often */

static volatile sig_atomic_t stop, hangup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		hangup = 1;
	else
		stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: kvmstat [options]\n"
"KVM statistics of the VMs on this host, per VM and per vCPU: kvm_stat's\n"
"options and formats, read from KVM's binary statistics (KVM_GET_STATS_FD:\n"
"the stats fds a VMM holds, taken with pidfd_getfd), debugfs and tracepoints.\n"
"\n"
"Sources (any combination; default: binary stats, else debugfs):\n"
"  -b, --binary          KVM's binary statistics of each VM and vCPU\n"
"                        (Linux >= 5.14; needs ptrace rights on the VMM)\n"
"  -d, --debugfs         debugfs: /sys/kernel/debug/kvm (totals), or the\n"
"                        PID-FD folders of the VM given with -p or -g\n"
"  -t, --tracepoints     counts of the kvm tracepoints (perf_event_open): of\n"
"                        the VMM's threads with -p or -g, else of every CPU;\n"
"                        with child events, as kvm_stat's: kvm_exit(REASON)\n"
"                        per exit reason (SVM or VMX), kvm_userspace_exit(\n"
"                        REASON) per KVM_EXIT_*; -f on a child pulls in its\n"
"                        parent\n"
"  -x, --child-events    accepted (in kvm_stat, x is a key of the full-screen\n"
"                        view; its records always have the child events)\n"
"Selection:\n"
"  -p, --pid PID         only the VM of process PID\n"
"  -g, --guest NAME      only the VM whose VMM was started with -name NAME\n"
"                        (also -name guest=NAME,...)\n"
"  -f, --fields REGEX    only fields whose name REGEX matches from its start\n"
"                        (POSIX extended); -f help lists the fields\n"
"  -i, --debugfs-include-past\n"
"                        totals since each VM started (default: since\n"
"                        kvmstat started); for both sources\n"
"Output:\n"
"  -1, --once, --batch   one listing after one second: name, total, delta\n"
"                        over the second, source, type and unit; then the\n"
"                        histogram statistics, drawn\n"
"  -l, --log             a record every DELAY seconds (the default when\n"
"                        standard output is no terminal; on a terminal the\n"
"                        default is the full-screen view, kvm_stat's keys:\n"
"                        f filter, c clear, o order, x child events,\n"
"                        r reset, s interval, h help, q quit)\n"
"  -L, --log-to-file FILE  like -l, appending to FILE (SIGHUP reopens it)\n"
"  -c, --csv             the records as kvm_stat's CSV: timestamp,NAME,...\n"
"  -z, --skip-zero-records  no record when no counter changed\n"
"  -s, --set-delay DELAY seconds between records, %.1f to %.1f (default %.0f)\n"
"      --vcpu            per-vCPU columns for vCPU statistics (binary stats)\n"
"      --json            JSON objects, one a line, instead of text\n"
"      --openmetrics     OpenMetrics text (a Prometheus scrape's format):\n"
"                        kvm_NAME counters, gauges and histograms in base\n"
"                        units, labelled by source (and vCPU with --vcpu);\n"
"                        totals since each VM started (implies -i)\n"
"      --prometheus      the same in Prometheus' text format 0.0.4, which\n"
"                        node_exporter's textfile collector reads; with -L\n"
"                        FILE (either format) FILE is replaced each DELAY\n"
"      --exit-reasons    the VM exits by reason with the time spent in each\n"
"                        (kvm_exit to the vCPU's next kvm_entry, sampled):\n"
"                        count, share, time share, min/mean/max, and with\n"
"                        -1 a latency histogram per reason; every DELAY s,\n"
"                        or once over 1 s (-1; -s sets the window)\n"
"      --check           do the sources agree? Over one interval (1 s, or\n"
"                        -s), every statistic that binary stats, debugfs\n"
"                        and a tracepoint or child event all count, side\n"
"                        by side, with the tolerance; exit 1 if one differs\n"
"      --stats-file FILE  read saved statistics in KVM_GET_STATS_FD's format\n"
"                        (header, id, descriptors, data) instead of VMs; one\n"
"                        per VM or vCPU fd (id \"kvm-PID/vcpu-N\"), repeatable\n"
"  -h, --help            this text\n"
"\n"
"Counters are shown as deltas over the interval; instant and peak\n"
"statistics (pages_4k, max_mmu_rmap_size, ...) as their current values.\n"
"A name that several sources have carries its source: exits@debugfs.\n"
"\n"
"Examples:\n"
"  kvmstat -1                        every statistic of every VM, once\n"
"  kvmstat -p 1234 -1 --vcpu -f exits   exits of one VM, per vCPU\n"
"  kvmstat -g vm1 -1 -i -f halt      halt statistics and histograms\n"
"  kvmstat -dtcz -s 10 -L /var/log/kvm_stat.csv   kvm_stat's unit file\n"
"  kvmstat -p 1234 -l -c -s 1        CSV every second until the VM exits\n"
"  kvmstat --prometheus -s 15 -L /var/lib/prometheus/node-exporter/kvm.prom\n"
"                                    for node_exporter's textfile collector\n"
"\n"
"Exit status: 0 done (also when the watched VMs exited), 1 an error (no\n"
"KVM, no VM, no such process, no permission, no debugfs), 2 bad options.\n",
		MIN_DELAY, MAX_DELAY, DELAY_DEFAULT);
}

static int bad_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "kvmstat: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr, "Try 'kvmstat --help'.\n");
	return 2;
}

enum { OPT_VCPU = 256, OPT_JSON, OPT_FILE, OPT_OPENMETRICS, OPT_PROMETHEUS,
       OPT_EXITS, OPT_CHECK };

/* 0, or the exit status (-1: --help was printed, exit 0). */
static int parse_args(int argc, char **argv, struct env *env)
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, '1' },
		{ "batch", no_argument, NULL, '1' },
		{ "binary", no_argument, NULL, 'b' },
		{ "csv", no_argument, NULL, 'c' },
		{ "debugfs", no_argument, NULL, 'd' },
		{ "fields", required_argument, NULL, 'f' },
		{ "guest", required_argument, NULL, 'g' },
		{ "debugfs-include-past", no_argument, NULL, 'i' },
		{ "log", no_argument, NULL, 'l' },
		{ "log-to-file", required_argument, NULL, 'L' },
		{ "pid", required_argument, NULL, 'p' },
		{ "set-delay", required_argument, NULL, 's' },
		{ "tracepoints", no_argument, NULL, 't' },
		{ "child-events", no_argument, NULL, 'x' },
		{ "skip-zero-records", no_argument, NULL, 'z' },
		{ "vcpu", no_argument, NULL, OPT_VCPU },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "openmetrics", no_argument, NULL, OPT_OPENMETRICS },
		{ "prometheus", no_argument, NULL, OPT_PROMETHEUS },
		{ "exit-reasons", no_argument, NULL, OPT_EXITS },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "stats-file", required_argument, NULL, OPT_FILE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c, e;

	while ((c = getopt_long(argc, argv, "1bcdf:g:ilL:p:s:txzh", longopts, NULL)) != -1) {
		switch (c) {
		case '1': env->once = 1; break;
		case 'b': env->want[SRC_BINARY] = 1; break;
		case 'c': env->csv = 1; break;
		case 'd': env->want[SRC_DEBUGFS] = 1; break;
		case 'f': env->fields = optarg; break;
		case 'g': env->guest = optarg; break;
		case 'i': env->include_past = 1; break;
		case 'l': env->log = 1; break;
		case 'L': env->log = 1; env->log_file = optarg; break;
		case 'p': {
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v <= 0 || v > 0x3fffffff)
				return bad_usage("-p takes a process id", optarg);
			env->pid = (pid_t)v;
			break;
		}
		case 's':
			env->delay = strtod(optarg, &end);
			if (*end || end == optarg || !(env->delay >= MIN_DELAY) ||
			    env->delay > MAX_DELAY)
				return bad_usage("-s takes 0.1 to 25.5 seconds", optarg);
			env->delay_set = 1;
			break;
		case 't': env->want[SRC_TRACE] = 1; break;
		case 'x': break;
		case 'z': env->skip_zero = 1; break;
		case OPT_VCPU: env->per_vcpu = 1; break;
		case OPT_JSON: env->json = 1; break;
		case OPT_OPENMETRICS: env->metrics++; env->openmetrics = 1; break;
		case OPT_PROMETHEUS: env->metrics++; break;
		case OPT_EXITS: env->exit_reasons = 1; break;
		case OPT_CHECK: env->check = 1; break;
		case OPT_FILE:
			if (env->nfiles == (int)ARRAY_SIZE(env->files))
				return bad_usage("too many --stats-file", NULL);
			env->files[env->nfiles++] = optarg;
			break;
		case 'h': usage(stdout); return -1;
		default: return bad_usage("bad option", NULL);
		}
	}
	if (optind != argc)
		return bad_usage("unexpected argument", argv[optind]);
	if (env->csv && !env->log)
		return bad_usage("-c/--csv requires -l/--log or -L", NULL);
	if (env->skip_zero && !env->log)
		return bad_usage("-z/--skip-zero-records requires -l/-L", NULL);
	if (env->once && env->log)
		return bad_usage("-1 and -l/-L exclude each other", NULL);
	if (env->exit_reasons &&
	    (env->want[SRC_BINARY] || env->want[SRC_DEBUGFS] || env->want[SRC_TRACE] ||
	     env->csv || env->metrics || env->log_file || env->skip_zero ||
	     env->per_vcpu || env->fields || env->nfiles))
		return bad_usage("--exit-reasons goes only with -p, -g, -s, -1, -l and --json", NULL);
	if (env->check &&
	    (env->want[SRC_BINARY] || env->want[SRC_DEBUGFS] || env->want[SRC_TRACE] ||
	     env->csv || env->json || env->metrics || env->log || env->skip_zero ||
	     env->per_vcpu || env->fields || env->nfiles || env->exit_reasons ||
	     env->include_past))
		return bad_usage("--check goes only with -p, -g and -s", NULL);
	if (env->check) {
		/* Every source, over one interval (1 s, or -s). */
		env->once = 1;
		env->want[SRC_DEBUGFS] = env->want[SRC_TRACE] = 1;
		env->check_s = env->delay_set ? env->delay : 1.0;
		env->tp_wanted = check_tracepoint;
	}
	if (env->csv + env->json + env->metrics > 1)
		return bad_usage("--csv, --json, --openmetrics and --prometheus exclude each other", NULL);
	if (env->metrics && env->skip_zero)
		return bad_usage("-z does not go with metrics (a scrape wants every series)", NULL);
	/* Prometheus counters count since the VM started. */
	if (env->metrics)
		env->include_past = 1;
	if (env->pid && env->guest)
		return bad_usage("-p and -g exclude each other", NULL);
	if (env->nfiles && (env->pid || env->guest || env->want[SRC_DEBUGFS] ||
			    env->want[SRC_TRACE]))
		return bad_usage("--stats-file goes with neither -p, -g, -d nor -t", NULL);
	if (env->fields && strcmp(env->fields, "help")) {
		e = regcomp(&env->re, env->fields, REG_EXTENDED);
		if (e) {
			char msg[256];

			regerror(e, &env->re, msg, sizeof(msg));
			fprintf(stderr, "kvmstat: -f \"%s\" is not a valid regular expression: %s\n",
				env->fields, msg);
			return 2;
		}
		env->have_re = 1;
	}
	return 0;
}

/* The guest name in a VMM's command line: -name NAME or -name guest=NAME,... */
static int cmdline_guest(pid_t pid, char *name, size_t len)
{
	char path[64], buf[8192];
	size_t n, i;
	FILE *f;
	int next = 0;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (i = 0; i < n; i += strlen(buf + i) + 1) {
		char *a = buf + i, *p, *save = NULL;

		if (!next) {
			next = !strcmp(a, "-name") || !strcmp(a, "--name");
			continue;
		}
		for (p = strtok_r(a, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			if (!strncmp(p, "guest=", 6)) {
				snprintf(name, len, "%s", p + 6);
				return 0;
			}
			if (p == a && !strchr(p, '=')) {
				snprintf(name, len, "%s", p);
				return 0;
			}
		}
		return -1;
	}
	return -1;
}

/* -g: the one process whose guest name is NAME; 0 with why in MSG if none. */
static pid_t guest_pid(const char *guest, char *msg, size_t len)
{
	struct dirent *de;
	pid_t found = 0;
	size_t at = 0;
	int many = 0;
	DIR *d = opendir("/proc");

	if (!d) {
		snprintf(msg, len, "cannot read /proc: %s", strerror(errno));
		return 0;
	}
	while ((de = readdir(d))) {
		char name[256], *end;
		long v = strtol(de->d_name, &end, 10);

		if (*end || v <= 0 || v == getpid() ||
		    cmdline_guest((pid_t)v, name, sizeof(name)) || strcmp(name, guest))
			continue;
		if (found && !many)
			at = (size_t)snprintf(msg, len, "several processes run guest \"%s\": %d",
					      guest, (int)found);
		if (found && at < len)
			at += (size_t)snprintf(msg + at, len - at, " %ld", v);
		many |= found != 0;
		found = (pid_t)v;
	}
	closedir(d);
	if (many) {
		if (at < len)
			snprintf(msg + at, len - at, "; use -p");
		return 0;
	}
	if (!found)
		snprintf(msg, len, "no guest named \"%s\" found (a VMM started with -name %s)",
			 guest, guest);
	return found;
}

/* Both sources, the state of the run. */
struct run {
	struct env *env;
	struct table t;
	struct vmset *bin;
	struct dfs *dfs;
	struct tps *tps;
	int vmm_pidfd;		/* -p without binary stats: the VMM's exit */
};

/* One round: read every source. 0, or -1 (the message is printed).
 * FIRST: the VM of -p must be in debugfs (later it may just have gone). */
static int read_round(struct run *r, int first)
{
	/* Binary stats and debugfs, the same counters, one after the other;
	 * tracepoints last (a read of a counter on another CPU takes an IPI). */
	table_begin_round(&r->t);
	if (r->bin && bin_read(r->bin, &r->t, r->env->per_vcpu, r->env->include_past))
		return -1;
	if (r->dfs && dfs_read(r->dfs, &r->t) && first) {
		fprintf(stderr, "kvmstat: pid %d has no VM in debugfs (%s/kvm/%d-*)\n",
			(int)r->env->pid, r->env->debugfs, (int)r->env->pid);
		return -1;
	}
	if (r->tps)
		tp_read(r->tps, &r->t);
	table_end_round(&r->t, r->env->include_past);
	return 0;
}

/* Whether PID is 0 (every VM) or a VMM; if not, say so on stderr. */
static int vmm_or_none(pid_t pid)
{
	if (!pid || bin_is_vmm(pid))
		return 1;
	fprintf(stderr, "kvmstat: " NOT_VMM_FMT "\n", (int)pid);
	return 0;
}

/* Open what ENV asks for, or the default. 0 or the exit status. */
static int open_sources(struct run *r)
{
	struct env *env = r->env;
	int dflt = !env->want[SRC_BINARY] && !env->want[SRC_DEBUGFS] &&
		   !env->want[SRC_TRACE];
	int err;

	if (env->nfiles) {
		r->bin = bin_open_files(env, &r->t);
		return r->bin ? 0 : 1;
	}
	if (env->want[SRC_TRACE]) {
		if (!vmm_or_none(env->pid))
			return 1;
		r->tps = tp_open(env, &stop);
		if (!r->tps)
			return 1;
	}
	if (env->want[SRC_BINARY] || dflt || env->check) {
		r->bin = bin_open(env, &r->t, 0, &err);
		if (!r->bin && env->check) {
			fprintf(stderr, "kvmstat: --check: without binary statistics\n");
		} else if (!r->bin) {
			if (!dflt || (err != BIN_EACCESS && err != BIN_EUNSUP))
				return 1;
			fprintf(stderr, "kvmstat: binary statistics unavailable; using debugfs\n");
			env->want[SRC_DEBUGFS] = 1;
		}
	}
	if (env->want[SRC_DEBUGFS]) {
		r->dfs = dfs_open(env, 0);
		if (!r->dfs)
			return 1;
		env->debugfs = debugfs_mount();
	}
	/* Debugfs and tracepoints have no fd of the VM: watch the VMM. */
	if (env->pid && !r->bin) {
		r->vmm_pidfd = pidfd_open(env->pid, 0);
		if (r->vmm_pidfd < 0) {
			fprintf(stderr, "kvmstat: pid %d: %s\n", (int)env->pid,
				strerror(errno));
			return 1;
		}
	}
	return 0;
}

/* --exit-reasons: of the VMM of -p (watched to its end), or of all. */
static int exit_reasons(struct run *r)
{
	pid_t pid = r->env->pid;

	if (!vmm_or_none(pid))
		return 1;
	if (pid && (r->vmm_pidfd = pidfd_open(pid, 0)) < 0) {
		fprintf(stderr, "kvmstat: pid %d: %s\n", (int)pid, strerror(errno));
		return 1;
	}
	return exits_run(r->env, r->vmm_pidfd, &stop);
}

/* Sleep until DEADLINE (monotonic seconds), watching the VMMs' pidfds (a
 * DEADLINE already past: one look). 1 when every watched VM is gone (or a
 * signal came), else 0. */
static int wait_until(struct run *r, double deadline)
{
	int fds[MAX_POLL];
	struct pollfd pfd[MAX_POLL];
	size_t n, i;

	while (!stop && !hangup) {
		double left = deadline - now_s();
		int rc;

		n = r->bin ? bin_pollfds(r->bin, fds, MAX_POLL - 1) : 0;
		if (r->vmm_pidfd >= 0)
			fds[n++] = r->vmm_pidfd;
		for (i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
		rc = poll(pfd, n, left > 0 ? (int)(left * 1000) + 1 : 0);
		if (rc < 0 && errno != EINTR) {
			fprintf(stderr, "kvmstat: poll: %s\n", strerror(errno));
			return 1;
		}
		for (i = 0; rc > 0 && i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (pfd[i].fd == r->vmm_pidfd) {
				fprintf(stderr, "kvmstat: pid %d has exited\n", (int)r->env->pid);
				close(r->vmm_pidfd);
				r->vmm_pidfd = -1;
				return 1;
			}
			/* Without -p, new VMs may come: go on (as kvm_stat). */
			if (!bin_vm_exited(r->bin, pfd[i].fd) && r->env->pid)
				return 1;
		}
		if (left <= 0)
			return 0;
	}
	return stop;
}

static FILE *open_log(const struct env *env, int *need_banner)
{
	FILE *f;

	*need_banner = !env->json && !env->metrics;
	if (!env->log_file)
		return stdout;
	f = fopen(env->log_file, "ae");
	if (!f) {
		fprintf(stderr, "kvmstat: cannot open %s: %s\n", env->log_file, strerror(errno));
		return NULL;
	}
	/* kvm_stat: an existing CSV file keeps its one banner. */
	if (*need_banner && env->csv && ftell(f) > 0)
		*need_banner = 0;
	return f;
}

/* One record of the log: JSON, a metrics exposition, or a line. 0 or -1. */
static int log_record(struct out *o, struct run *r)
{
	if (r->env->json)
		out_json(o->f, r->env, &r->t);
	else if (r->env->metrics && r->env->log_file)
		return metrics_to_file(r->env->log_file, r->env, &r->t);
	else if (r->env->metrics)
		out_metrics(o->f, r->env, &r->t);
	else
		out_log_line(o, &r->t);
	return 0;
}

/* The full-screen view's refresh: 1 when the watched VMs are gone, -1 on
 * an error, else 0 after a round of every source. */
static int tui_refresh(void *ctx)
{
	static double rescanned;
	struct run *r = ctx;

	if (wait_until(r, 0))
		return 1;
	if (r->bin && !r->env->pid && !r->env->nfiles && now_s() - rescanned >= RESCAN_S) {
		bin_rescan(r->bin, r->env);
		rescanned = now_s();
	}
	return read_round(r, 0) ? -1 : 0;
}

static void close_sources(struct run *r)
{
	bin_close(r->bin);
	dfs_close(r->dfs);
	tp_close(r->tps);
	if (r->vmm_pidfd >= 0)
		close(r->vmm_pidfd);
	table_free(&r->t);
	r->bin = NULL;
	r->dfs = NULL;
	r->tps = NULL;
	r->vmm_pidfd = -1;
}

/*
 * The full-screen view's g and p keys: watch the VMM whose guest name or
 * pid is ANSWER, or every VM when it is empty. The sources are opened for
 * it before the old ones close, so a refusal leaves the view as it was.
 * 0 when switched, 1 when refused; what happened in MSG.
 */
static int tui_pick(void *ctx, int key, const char *answer, char *msg, size_t len)
{
	struct run *r = ctx, n = { .env = r->env, .vmm_pidfd = -1 };
	pid_t old = r->env->pid, pid = 0;
	char *end;
	long v;

	if (r->env->nfiles) {
		snprintf(msg, len, "saved statistics (--stats-file) are one VM's: g and p pick running VMs");
		return 1;
	}
	if (*answer && key == 'g' && !(pid = guest_pid(answer, msg, len)))
		return 1;
	if (*answer && key == 'p') {
		errno = 0;
		v = strtol(answer, &end, 10);
		if (*end || errno || v <= 0 || v > INT_MAX) {
			snprintf(msg, len, "\"%s\" is not a pid", answer);
			return 1;
		}
		pid = (pid_t)v;
	}
	if (pid && !bin_is_vmm(pid)) {
		snprintf(msg, len, NOT_VMM_FMT, (int)pid);
		return 1;
	}
	r->env->pid = pid;
	if (open_sources(&n) || read_round(&n, 1)) {
		close_sources(&n);
		r->env->pid = old;
		snprintf(msg, len, "cannot watch %s (the VM may have exited)",
			 pid ? "that VM" : "every VM");
		return 1;
	}
	table_sort(&n.t);
	close_sources(r);
	*r = n;
	if (pid)
		snprintf(msg, len, "watching pid %d", (int)pid);
	else
		snprintf(msg, len, "watching every VM");
	return 0;
}

/* -l, -L, and the default: a record every DELAY seconds until the end.
 * Metrics to a file replace it each time instead of appending. */
static int log_loop(struct run *r)
{
	struct out o = { .env = r->env };
	double next = now_s(), rescanned = next;
	int banner, done = 0, to_file = !(r->env->metrics && r->env->log_file);

	o.f = to_file ? open_log(r->env, &banner) : stdout;
	if (!o.f)
		return 1;
	if (to_file && banner)
		out_banner(&o, &r->t);
	while (!done) {
		next += r->env->delay;
		done = wait_until(r, next);
		if (stop)
			break;
		if (hangup && r->env->log_file && to_file) {
			hangup = 0;
			fclose(o.f);
			o.f = open_log(r->env, &banner);
			if (!o.f)
				return 1;
			if (banner)
				out_banner(&o, &r->t);
			continue;
		}
		hangup = 0;
		if (r->bin && !r->env->pid && !r->env->nfiles &&
		    now_s() - rescanned >= RESCAN_S) {
			bin_rescan(r->bin, r->env);
			rescanned = now_s();
		}
		if (read_round(r, 0))
			break;
		if (r->env->skip_zero && out_all_zero(&r->t))
			continue;
		if (log_record(&o, r))
			return 1;
	}
	if (done && !stop)
		fprintf(stderr, "kvmstat: no VM left to watch\n");
	if (o.f != stdout)
		fclose(o.f);
	return 0;
}

int main(int argc, char **argv)
{
	struct env env = { .delay = DELAY_DEFAULT };
	struct run r = { .env = &env, .vmm_pidfd = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	char msg[512];
	int rc;

	rc = parse_args(argc, argv, &env);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (env.guest && !(env.pid = guest_pid(env.guest, msg, sizeof(msg)))) {
		fprintf(stderr, "kvmstat: %s\n", msg);
		rc = 1;
		goto out;
	}
	if (env.pid && kill(env.pid, 0) && errno == ESRCH) {
		fprintf(stderr, "kvmstat: pid %d: no such process\n", (int)env.pid);
		rc = 1;
		goto out;
	}
	if (!env.nfiles && access("/dev/kvm", F_OK) && access("/sys/module/kvm", F_OK)) {
		fprintf(stderr, "kvmstat: KVM is not available on this machine (no /dev/kvm, no kvm module)\n");
		rc = 1;
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (env.exit_reasons) {
		rc = exit_reasons(&r);
		goto out;
	}

	rc = open_sources(&r);
	if (rc || (rc = read_round(&r, 1) ? 1 : 0))
		goto out;
	table_sort(&r.t);
	if (env.fields && !strcmp(env.fields, "help")) {
		out_fields_help(stdout, &r.t);
		goto out;
	}
	if (!r.t.n) {
		fprintf(stderr, "kvmstat: no statistic matches -f %s\n", env.fields);
		rc = 1;
		goto out;
	}
	if (!env.once && !env.log && !env.json && !env.metrics &&
	    isatty(STDOUT_FILENO)) {
		rc = tui_run(&env, &r.t, tui_refresh, tui_pick, &r);
	} else if (env.once) {
		wait_until(&r, now_s() + (env.check ? env.check_s : 1.0));
		if (!stop && !read_round(&r, 0)) {
			if (env.check)
				rc = out_check(stdout, &env, &r.t);
			else if (env.json)
				out_json(stdout, &env, &r.t);
			else if (env.metrics)
				out_metrics(stdout, &env, &r.t);
			else
				out_once(stdout, &env, &r.t);
		}
	} else {
		rc = log_loop(&r);
	}
out:
	close_sources(&r);
	if (env.have_re)
		regfree(&env.re);
	return rc;
}
