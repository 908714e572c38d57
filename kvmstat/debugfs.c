// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs.c - KVM's debugfs statistics, as kvm_stat reads them: one file
 * per statistic in /sys/kernel/debug/kvm (the totals over all VMs), and
 * the same files in each VM's PID-FD folder (its VM statistics and the
 * sums of its vCPUs' statistics). Debugfs has no descriptors: a 0444
 * file is an instant value, a max_* file a peak, the others counters
 * (Linux's kvm_stats_debugfs_mode); *_hist files hold only bucket 0.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../analysis/lib/common.h"
#include "kvmstat.h"

#define MAX_FILES 4096

struct dfs {
	char root[256];
	pid_t pid;
	size_t n;
	char *name[MAX_FILES];
	uint32_t flags[MAX_FILES];
	int vm_seen;
};

/* kvm_stat leaves these out: they are the sums behind the histograms. */
static const char *const exempt[] = {
	"halt_poll_fail_ns", "halt_poll_success_ns", "halt_wait_ns",
};

const char *debugfs_mount(void)
{
	static char dir[256];
	char line[512], dev[128], mnt[256], type[64];
	FILE *f = fopen("/proc/mounts", "re");

	if (!f)
		return NULL;
	dir[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %255s %63s", dev, mnt, type) == 3 &&
		    !strcmp(type, "debugfs")) {
			snprintf(dir, sizeof(dir), "%s", mnt);
			break;
		}
	fclose(f);
	return dir[0] ? dir : NULL;
}

static int exempted(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(exempt); i++)
		if (!strcmp(name, exempt[i]))
			return 1;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct dfs *dfs_open(const struct env *env, int quiet)
{
	const char *mnt = debugfs_mount();
	struct dfs *d;
	struct dirent *de;
	DIR *dir;
	size_t i;

	if (!mnt) {
		if (!quiet)
			fprintf(stderr, "kvmstat: debugfs is not mounted (mount -t debugfs debugfs /sys/kernel/debug)\n");
		return NULL;
	}
	d = xcalloc(1, sizeof(*d));
	snprintf(d->root, sizeof(d->root), "%s/kvm", mnt);
	d->pid = env->pid;
	dir = opendir(d->root);
	if (!dir) {
		if (!quiet)
			fprintf(stderr, "kvmstat: cannot read %s: %s%s\n", d->root,
				strerror(errno), errno == ENOENT ?
				" (is the kvm module loaded?)" : "");
		free(d);
		return NULL;
	}
	while ((de = readdir(dir)) && d->n < MAX_FILES) {
		char path[512];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", d->root, de->d_name);
		if (de->d_name[0] == '.' || stat(path, &st) || !S_ISREG(st.st_mode) ||
		    exempted(de->d_name) || !field_wanted(env, de->d_name))
			continue;
		d->name[d->n++] = xstrdup(de->d_name);
	}
	closedir(dir);
	qsort(d->name, d->n, sizeof(d->name[0]), name_cmp);
	for (i = 0; i < d->n; i++) {
		char path[512];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", d->root, d->name[i]);
		if (!stat(path, &st) && !(st.st_mode & 0222))
			d->flags[i] = KVM_STATS_TYPE_INSTANT;
		else if (!strncmp(d->name[i], "max_", 4))
			d->flags[i] = KVM_STATS_TYPE_PEAK;
		else
			d->flags[i] = KVM_STATS_TYPE_CUMULATIVE;
	}
	return d;
}

/* The value in DIR/NAME; 0 when it cannot be read (the VM just went). */
static uint64_t read_value(const char *dir, const char *name, int *ok)
{
	char path[768], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*ok = 0;
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		*ok = 0;
		return 0;
	}
	buf[n] = '\0';
	return strtoull(buf, NULL, 10);
}

static void add_dir(struct dfs *d, struct table *t, const char *dir)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		struct field *f = table_get(t, d->name[i], SRC_DEBUGFS,
					    d->flags[i], 0, 1, 0, 0);
		int ok = 1;
		uint64_t v = read_value(dir, d->name[i], &ok);

		if (!f || !ok)
			continue;
		f->present = 1;
		if (d->flags[i] == KVM_STATS_TYPE_PEAK)
			f->cur[0] = f->cur[0] > v ? f->cur[0] : v;
		else
			f->cur[0] += v;
	}
}

int dfs_read(struct dfs *d, struct table *t)
{
	char prefix[32], path[512];
	struct dirent *de;
	size_t plen;
	int found = 0;
	DIR *dir;

	if (!d->pid) {
		add_dir(d, t, d->root);
		return 0;
	}
	plen = (size_t)snprintf(prefix, sizeof(prefix), "%d-", (int)d->pid);
	dir = opendir(d->root);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, prefix, plen))
			continue;
		snprintf(path, sizeof(path), "%s/%s", d->root, de->d_name);
		add_dir(d, t, path);
		found = 1;
	}
	closedir(dir);
	if (found)
		d->vm_seen = 1;
	return found ? 0 : -1;
}

void dfs_close(struct dfs *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++)
		free(d->name[i]);
	free(d);
}
