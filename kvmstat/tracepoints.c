// SPDX-License-Identifier: GPL-2.0
/*
 * tracepoints.c - counts of the kvm tracepoints (tracefs events/kvm)
 * through perf_event_open, as kvm_stat's tracepoint source: with -p, one
 * counter per thread of the VMM (inherited by threads it starts later),
 * else one per CPU. Child events as kvm_stat's: kvm_exit(REASON) for each
 * exit reason of the CPU's vendor (SVM or VMX) and kvm_userspace_exit(REASON)
 * for each run->exit_reason, counters filtered on the reason (tables from
 * the uapi headers: gen-exit-reasons). A wanted child pulls in its parent.
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

struct tps {
	struct tp ev[MAX_EVENTS];
	size_t n, ntargets;
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

static int open_counter(int id, pid_t pid, int target)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(a),
		.config = (uint64_t)id,
		.inherit = pid != 0,
	};

	return (int)syscall(SYS_perf_event_open, &a, pid ? target : -1,
			    pid ? -1 : target, -1, PERF_FLAG_FD_CLOEXEC);
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
		e->fd[k] = open_counter(id, pid, tgt[k]);
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

void tp_read(struct tps *s, struct table *t)
{
	size_t i, k;

	for (i = 0; i < s->n; i++) {
		struct tp *e = &s->ev[i];
		struct field *f = table_get(t, e->name, SRC_TRACE,
					    KVM_STATS_TYPE_CUMULATIVE, 0, 1, 0, 0);

		if (!f)
			continue;
		f->present = 1;
		for (k = 0; k < s->ntargets; k++) {
			uint64_t v;

			if (e->fd[k] >= 0 && read(e->fd[k], &v, sizeof(v)) == (ssize_t)sizeof(v))
				f->cur[0] += v;
		}
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
	free(s);
}
