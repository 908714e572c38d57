// SPDX-License-Identifier: GPL-2.0
/*
 * tracepoints.c - counts of the kvm tracepoints (tracefs events/kvm)
 * through perf_event_open, as kvm_stat's tracepoint source: with -p, one
 * counter per thread of the VMM (inherited by threads it starts later),
 * else one per CPU. No filters yet, so no child events (kvm_exit(HLT)).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <linux/kvm.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "../analysis/lib/common.h"
#include "kvmstat.h"

#define MAX_EVENTS	1024
#define MAX_TARGETS	4096

struct tp {
	char *name;
	int *fd;		/* one per target */
};

struct tps {
	struct tp ev[MAX_EVENTS];
	size_t n, ntargets;
};

static const char *tracefs(void)
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
static size_t targets(pid_t pid, int *tid, size_t max)
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

static int event_id(const char *dir, const char *name)
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

struct tps *tp_open(const struct env *env, volatile sig_atomic_t *stop)
{
	const char *dir = tracefs();
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
	s->ntargets = targets(env->pid, tgt, MAX_TARGETS);
	d = opendir(dir);
	if (!d || !s->ntargets) {
		fprintf(stderr, "kvmstat: -t: %s\n", d ? "no threads or CPUs to count on" : strerror(errno));
		goto fail;
	}
	while (!*stop && (de = readdir(d)) && s->n < MAX_EVENTS) {
		struct tp *e;
		size_t k;
		int id;

		if (de->d_name[0] == '.' || !field_wanted(env, de->d_name) ||
		    (id = event_id(dir, de->d_name)) < 0)
			continue;
		e = &s->ev[s->n++];
		e->name = xstrdup(de->d_name);
		e->fd = xmalloc(s->ntargets * sizeof(int));
		for (k = 0; k < s->ntargets; k++) {
			e->fd[k] = open_counter(id, env->pid, tgt[k]);
			/* A thread that just ended, an offline CPU: skip it. */
			if (e->fd[k] < 0 && errno != ESRCH && errno != ENODEV) {
				fprintf(stderr, "kvmstat: -t: perf_event_open on %s: %s%s\n",
					de->d_name, strerror(errno),
					errno == EACCES || errno == EPERM ?
					" (needs root, CAP_PERFMON, or kernel.perf_event_paranoid < 1)" : "");
				closedir(d);
				goto fail;
			}
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
