// SPDX-License-Identifier: GPL-2.0
/*
 * tracepoints.c - counts of the kvm tracepoints (tracefs events/kvm)
 * through perf_event_open, as kvm_stat's tracepoint source: with -p, one
 * counter per thread of the VMM (inherited by threads it starts later),
 * else one per CPU. Child events as kvm_stat's: kvm_exit(REASON) for each
 * exit reason of the CPU's vendor (SVM or VMX) and kvm_userspace_exit(REASON)
 * for each run->exit_reason, counters filtered on the reason (tables from
 * the uapi headers: gen-exit-reasons). A wanted child pulls in its parent.
 * A target's counters form one group (PERF_FORMAT_GROUP), as kvm_stat
 * makes them: one read() per target a round, not one per counter (each
 * read of a counter running on another CPU takes an IPI).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <linux/kvm.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "../analysis/lib/common.h"
#include "kvmstat.h"

#define MAX_EVENTS	2048
#define MAX_TARGETS	4096

struct tp {
	char *name;
	int *fd;		/* one per target */
};

/* One target's group: its leader, and the events in the group's order. */
struct group {
	int leader;		/* -1: none opened yet */
	int warned;		/* a failed read was said */
	int target;		/* the thread, or the CPU */
	size_t n;
	uint32_t *ev;		/* index into tps.ev, MAX_EVENTS entries */
};

struct tps {
	struct tp ev[MAX_EVENTS];
	size_t n, ntargets;
	struct group *grp;	/* one per target */
	pid_t pid;		/* the VMM's, or 0: the targets are CPUs */
	uint64_t *buf;		/* a group read: nr, then a value each */
	uint64_t *sum;		/* tp_read's sums, one per event */
};

const char *tp_dir(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing/events/kvm", "/sys/kernel/debug/tracing/events/kvm",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		if (!access(dirs[i], R_OK))
			return dirs[i];
	return NULL;
}

/* The targets: the VMM's threads (pid, cpu -1) or the CPUs (-1, cpu). */
size_t tp_targets(pid_t pid, int *tid, size_t max)
{
	char path[64];
	struct dirent *de;
	size_t n = 0;
	DIR *d;
	int i;

	if (!pid) {
		for (i = 0; i < get_nprocs_conf() && n < max; i++)
			tid[n++] = i;
		return n;
	}
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max)
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			tid[n++] = atoi(de->d_name);
	closedir(d);
	return n;
}

int tp_event_id(const char *dir, const char *name)
{
	char path[512], buf[32];
	FILE *f;
	int id = -1;

	snprintf(path, sizeof(path), "%s/%s/id", dir, name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		id = atoi(buf);
	fclose(f);
	return id;
}

static int open_counter(int id, pid_t pid, int target, int group)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(a),
		.config = (uint64_t)id,
		.inherit = pid != 0,
		.read_format = PERF_FORMAT_GROUP,
	};

	return (int)syscall(SYS_perf_event_open, &a, pid ? target : -1,
			    pid ? -1 : target, group, PERF_FLAG_FD_CLOEXEC);
}

/* Open NAME (tracepoint ID, FILTER or none) on every target: 0, or -1
 * with a message. */
static int add_event(struct tps *s, const char *name, int id,
		     const char *filter, pid_t pid, const int *tgt)
{
	struct tp *e;
	size_t k;

	if (s->n == MAX_EVENTS)
		return 0;
	e = &s->ev[s->n++];
	e->name = xstrdup(name);
	e->fd = xmalloc(s->ntargets * sizeof(int));
	for (k = 0; k < s->ntargets; k++) {
		struct group *g = &s->grp[k];

		e->fd[k] = open_counter(id, pid, tgt[k], g->leader);
		/* A thread that just ended, an offline CPU: skip it. */
		if (e->fd[k] < 0 && errno != ESRCH && errno != ENODEV) {
			fprintf(stderr, "kvmstat: -t: perf_event_open on %s: %s%s\n",
				name, strerror(errno),
				errno == EACCES || errno == EPERM ?
				" (needs root, CAP_PERFMON, or kernel.perf_event_paranoid < 1)" : "");
			return -1;
		}
		if (e->fd[k] >= 0 && filter &&
		    ioctl(e->fd[k], PERF_EVENT_IOC_SET_FILTER, filter)) {
			fprintf(stderr, "kvmstat: -t: filter '%s' on %s: %s\n",
				filter, name, strerror(errno));
			return -1;
		}
		if (e->fd[k] < 0)
			continue;
		if (g->leader < 0)
			g->leader = e->fd[k];
		g->ev[g->n++] = (uint32_t)(s->n - 1);
	}
	return 0;
}

static int tp_wanted(const struct env *env, const char *name)
{
	return field_wanted(env, name) && (!env->tp_wanted || env->tp_wanted(name));
}

/* EVENT and its wanted children, the parent first when it or a child is
 * wanted: 0 or -1. */
static int add_family(struct tps *s, const struct env *env, const char *event,
		      int id, const int *tgt)
{
	struct exit_reasons c = exit_reasons_of(event);
	char name[320], filter[64];
	int added = 0;
	size_t i;

	for (i = 0; i < c.n; i++) {
		snprintf(name, sizeof(name), "%s(%s)", event, c.reason[i].name);
		if (!tp_wanted(env, name))
			continue;
		if (!added++ && add_event(s, event, id, NULL, env->pid, tgt))
			return -1;
		snprintf(filter, sizeof(filter), "%s == %lu", c.field, c.reason[i].code);
		if (add_event(s, name, id, filter, env->pid, tgt))
			return -1;
	}
	if (!added && tp_wanted(env, event))
		return add_event(s, event, id, NULL, env->pid, tgt);
	return 0;
}

struct tps *tp_open(const struct env *env, volatile sig_atomic_t *stop)
{
	const char *dir = tp_dir();
	struct tps *s;
	struct dirent *de;
	struct rlimit rl;
	int *tgt;
	DIR *d;

	if (!dir) {
		fprintf(stderr, "kvmstat: -t: no kvm events in tracefs (mount -t tracefs tracefs /sys/kernel/tracing; is kvm loaded?)\n");
		return NULL;
	}
	/* Like kvm_stat: events x targets fds may pass the soft limit. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	s = xcalloc(1, sizeof(*s));
	tgt = xmalloc(MAX_TARGETS * sizeof(*tgt));
	s->ntargets = tp_targets(env->pid, tgt, MAX_TARGETS);
	s->pid = env->pid;
	s->grp = xcalloc(s->ntargets ? s->ntargets : 1, sizeof(*s->grp));
	for (size_t k = 0; k < s->ntargets; k++) {
		s->grp[k].leader = -1;
		s->grp[k].target = tgt[k];
		s->grp[k].ev = xmalloc(MAX_EVENTS * sizeof(uint32_t));
	}
	s->buf = xmalloc((MAX_EVENTS + 1) * sizeof(uint64_t));
	s->sum = xmalloc(MAX_EVENTS * sizeof(uint64_t));
	d = opendir(dir);
	if (!d || !s->ntargets) {
		fprintf(stderr, "kvmstat: -t: %s\n", d ? "no threads or CPUs to count on" : strerror(errno));
		goto fail;
	}
	while (!*stop && (de = readdir(d)) && s->n < MAX_EVENTS) {
		int id;

		if (de->d_name[0] == '.' || (id = tp_event_id(dir, de->d_name)) < 0)
			continue;
		if (add_family(s, env, de->d_name, id, tgt)) {
			closedir(d);
			goto fail;
		}
	}
	closedir(d);
	free(tgt);
	return s;
fail:
	free(tgt);
	tp_close(s);
	return NULL;
}

/* Each target's group in one read: nr, then the values in group order. */
void tp_read(struct tps *s, struct table *t)
{
	uint64_t *sum = s->sum;
	size_t i, j, k;

	memset(sum, 0, s->n * sizeof(*sum));
	for (k = 0; k < s->ntargets; k++) {
		struct group *g = &s->grp[k];
		ssize_t want = (ssize_t)((g->n + 1) * sizeof(uint64_t));

		if (g->leader < 0)
			continue;
		if (read(g->leader, s->buf, (size_t)want) != want) {
			/* ECHILD: a thread inherited the group while it was
			 * being built, and perf will not sum unlike groups. */
			if (!g->warned++)
				fprintf(stderr, "kvmstat: -t: the counters of %s %d cannot be read (%s): left out\n",
					s->pid ? "thread" : "CPU", g->target, strerror(errno));
			continue;
		}
		for (j = 0; j < g->n && j < s->buf[0]; j++)
			sum[g->ev[j]] += s->buf[j + 1];
	}
	for (i = 0; i < s->n; i++) {
		struct field *f = table_get(t, s->ev[i].name, SRC_TRACE,
					    KVM_STATS_TYPE_CUMULATIVE, 0, 1, 0, 0);

		if (!f)
			continue;
		f->present = 1;
		f->cur[0] += sum[i];
	}
}

void tp_close(struct tps *s)
{
	size_t i, k;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		for (k = 0; k < s->ntargets; k++)
			if (s->ev[i].fd[k] >= 0)
				close(s->ev[i].fd[k]);
		free(s->ev[i].fd);
		free(s->ev[i].name);
	}
	for (k = 0; s->grp && k < s->ntargets; k++)
		free(s->grp[k].ev);
	free(s->grp);
	free(s->buf);
	free(s->sum);
	free(s);
}
