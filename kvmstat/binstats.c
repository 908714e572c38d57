// SPDX-License-Identifier: GPL-2.0
/*
 * binstats.c - KVM's binary statistics (KVM_GET_STATS_FD, Linux >= 5.14)
 * of other processes' VMs. KVM answers VM and vCPU ioctls only in the
 * VM's own process (kvm->mm != current->mm gives EIO), so KVM_GET_STATS_FD
 * cannot be issued through a VM fd taken from the VMM; a stats fd, once
 * made, can be read by any process. So: find the stats fds the VMM holds
 * through /proc/PID/fd (anon_inode:kvm-vm-stats, anon_inode:kvm-vcpu-stats:N;
 * QEMU keeps each vCPU's open, workload/guest both kinds), take them with
 * pidfd_open + pidfd_getfd (ptrace rights), read the header and
 * descriptors once and the data block with one pread per fd and refresh.
 * A VMM's exit is seen on its pidfd.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "../analysis/lib/common.h"
#include "kvmstat.h"

#define MAX_NAME_SIZE	1024
#define MAX_DESCS	65536
#define MAX_DATA_BYTES	(16u << 20)
#define MAX_VCPUS	4096
#define LINK_MAX_LEN	64

/* One stats fd: its descriptors (read once) and its latest data. */
struct sfd {
	int fd;
	struct kvm_stats_header h;
	size_t desc_size;
	unsigned char *descs;
	uint64_t *data;
	size_t ndata;
	long *idx;		/* per descriptor: table index, -1 unknown, -2 unwanted */
	int col;		/* the vCPU's column, or -1 */
	int is_vcpu;
};

struct vm {
	pid_t pid;
	int pidfd;
	int gone;
	struct sfd vm;
	size_t nvcpus;
	struct sfd *vcpus;
	int vcpu_fds;		/* its kvm-vcpu fds (some may lack stats fds) */
	int joining;		/* found by a rescan, not read yet */
};

struct vmset {
	struct vm *vms;
	size_t n, live;
};

static struct kvm_stats_desc *desc_at(const struct sfd *s, uint32_t i)
{
	return (struct kvm_stats_desc *)(s->descs + (size_t)i * s->desc_size);
}

static void sfd_free(struct sfd *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->descs);
	free(s->data);
	free(s->idx);
	s->descs = NULL;
	s->data = NULL;
	s->idx = NULL;
}

/* Read and check the header and descriptors of stats fd FD. 0 or -1. */
static int sfd_init(struct sfd *s, int fd, const struct env *env, int col)
{
	uint32_t i;
	size_t bytes;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->col = col;
	s->is_vcpu = col >= 0;
	if (pread(fd, &s->h, sizeof(s->h), 0) != (ssize_t)sizeof(s->h) ||
	    s->h.name_size == 0 || s->h.name_size > MAX_NAME_SIZE ||
	    s->h.num_desc > MAX_DESCS)
		return -1;
	s->desc_size = sizeof(struct kvm_stats_desc) + s->h.name_size;
	bytes = s->desc_size * s->h.num_desc;
	s->descs = xmalloc(bytes + 1);
	s->idx = xcalloc(s->h.num_desc + 1, sizeof(long));
	if (pread(fd, s->descs, bytes, s->h.desc_offset) != (ssize_t)bytes)
		return -1;
	for (i = 0; i < s->h.num_desc; i++) {
		struct kvm_stats_desc *d = desc_at(s, i);
		size_t end = d->offset / 8 + d->size;

		d->name[s->h.name_size - 1] = '\0';
		if (d->offset % 8 || d->size == 0 || d->size > 4096 ||
		    end * 8 > MAX_DATA_BYTES)
			return -1;
		if (end > s->ndata)
			s->ndata = end;
		s->idx[i] = field_wanted(env, d->name) ? -1 : -2;
	}
	s->data = xcalloc(s->ndata + 1, sizeof(uint64_t));
	return 0;
}

static int sfd_read(struct sfd *s)
{
	size_t bytes = s->ndata * 8;

	return pread(s->fd, s->data, bytes, s->h.data_offset) == (ssize_t)bytes ? 0 : -1;
}

/* Add S's values into T; FROZEN: a VM that is gone (counters only);
 * JOIN: a VM found after the start, whose counts so far are its baseline
 * (or, with -i, are in the total but not in this round's delta). */
static void sfd_add(struct sfd *s, struct table *t, int frozen, int per_vcpu,
		    int join, int include_past)
{
	uint32_t i, j;

	for (i = 0; i < s->h.num_desc; i++) {
		struct kvm_stats_desc *d = desc_at(s, i);
		const uint64_t *v = s->data + d->offset / 8;
		int type = d->flags & KVM_STATS_TYPE_MASK;
		struct field *f;

		if (s->idx[i] == -2)
			continue;
		if (s->idx[i] < 0 || (size_t)s->idx[i] >= t->n ||
		    t->f[s->idx[i]].src != SRC_BINARY ||
		    strcmp(t->f[s->idx[i]].name, d->name)) {
			f = table_get(t, d->name, SRC_BINARY, d->flags,
				      d->exponent, d->size, d->bucket_size,
				      s->is_vcpu);
			if (!f) {	/* the same name with another size */
				s->idx[i] = -2;
				continue;
			}
			s->idx[i] = f - t->f;
		}
		f = &t->f[s->idx[i]];
		if (frozen && (type == KVM_STATS_TYPE_INSTANT ||
			       type == KVM_STATS_TYPE_PEAK))
			continue;
		f->present = 1;
		for (j = 0; j < d->size; j++) {
			if (type == KVM_STATS_TYPE_PEAK) {
				f->cur[j] = f->cur[j] > v[j] ? f->cur[j] : v[j];
				continue;
			}
			f->cur[j] += v[j];
			if (join && type != KVM_STATS_TYPE_INSTANT && !f->fresh) {
				f->prev[j] += v[j];
				if (!include_past)
					f->base[j] += v[j];
			}
		}
		if (per_vcpu && s->col >= 0 && (size_t)s->col < t->ncols)
			f->col_cur[s->col] += field_sum(v, f);
	}
}

/* Take the VMM's stats fd TFD, checking that it is still what LINK said
 * (the VMM may have closed and reused the number). The fd or -errno. */
static int take_stats_fd(int pidfd, int tfd, const char *link)
{
	char path[64], got[LINK_MAX_LEN];
	ssize_t n;
	int fd;

	fd = pidfd_getfd(pidfd, tfd, 0);
	if (fd < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, got, sizeof(got) - 1);
	if (n < 0 || (size_t)n != strlen(link) || memcmp(got, link, (size_t)n)) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

struct found {
	int vm_fd;		/* anon_inode:kvm-vm: the process is a VMM */
	int vm_stats_fd;	/* anon_inode:kvm-vm-stats, or -1 */
	int vcpus;		/* anon_inode:kvm-vcpu:N fds */
	int nstats;		/* anon_inode:kvm-vcpu-stats:N fds */
	int stats_fd[MAX_VCPUS];
	int stats_id[MAX_VCPUS];
	char stats_link[MAX_VCPUS][LINK_MAX_LEN];
};

/* The KVM fds of PID, from /proc/PID/fd. 0, or -errno (ENOENT: none). */
static int scan_fds(pid_t pid, struct found *fo)
{
	char path[64], link[LINK_MAX_LEN];
	struct dirent *de;
	DIR *d;

	fo->vm_fd = fo->vm_stats_fd = -1;
	fo->vcpus = fo->nstats = 0;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		ssize_t n;
		int id;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (!strcmp(link, "anon_inode:kvm-vm")) {
			if (fo->vm_fd < 0)
				fo->vm_fd = atoi(de->d_name);
		} else if (!strcmp(link, "anon_inode:kvm-vm-stats")) {
			if (fo->vm_stats_fd < 0)
				fo->vm_stats_fd = atoi(de->d_name);
		} else if (sscanf(link, "anon_inode:kvm-vcpu-stats:%d", &id) == 1) {
			if (fo->nstats == MAX_VCPUS)
				continue;
			fo->stats_fd[fo->nstats] = atoi(de->d_name);
			fo->stats_id[fo->nstats] = id;
			memcpy(fo->stats_link[fo->nstats], link, (size_t)n + 1);
			fo->nstats++;
		} else if (!strncmp(link, "anon_inode:kvm-vcpu:", 20)) {
			fo->vcpus++;
		}
	}
	closedir(d);
	return fo->vm_fd < 0 ? -ENOENT : 0;
}

static int id_cmp(const void *a, const void *b)
{
	const struct sfd *x = a, *y = b;

	return x->col - y->col;
}

static void vm_free(struct vm *vm)
{
	size_t i;

	sfd_free(&vm->vm);
	for (i = 0; i < vm->nvcpus; i++)
		sfd_free(&vm->vcpus[i]);
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nvcpus = 0;
	if (vm->pidfd >= 0)
		close(vm->pidfd);
	vm->pidfd = -1;
}

/* Open the stats of PID's VM into VM (vCPU "col" = vCPU id for now).
 * 0, or -errno with WHAT naming the step that failed (ENODATA: the VMM
 * holds no stats fds). */
static int vm_open(struct vm *vm, pid_t pid, const struct env *env,
		   struct found *fo, const char **what)
{
	int i, fd;

	memset(vm, 0, sizeof(*vm));
	vm->pid = pid;
	vm->vm.fd = -1;
	*what = "reading its /proc/PID/fd";
	fd = scan_fds(pid, fo);
	if (fd)
		return fd;
	*what = "looking for its stats fds";
	if (fo->vm_stats_fd < 0 && !fo->nstats)
		return -ENODATA;
	*what = "pidfd_open";
	vm->pidfd = pidfd_open(pid, 0);
	if (vm->pidfd < 0)
		return -errno;
	if (fo->vm_stats_fd >= 0) {
		*what = "pidfd_getfd on its VM stats fd";
		fd = take_stats_fd(vm->pidfd, fo->vm_stats_fd, "anon_inode:kvm-vm-stats");
		if (fd < 0 && fd != -ESTALE && fd != -EBADF)
			goto fail;
		*what = "reading the VM's stats header";
		if (fd >= 0 && sfd_init(&vm->vm, fd, env, -1)) {
			fd = -EIO;
			goto fail;
		}
	}
	vm->vcpus = xcalloc((size_t)fo->nstats + 1, sizeof(*vm->vcpus));
	for (i = 0; i < fo->nstats; i++) {
		*what = "pidfd_getfd on a vCPU stats fd";
		fd = take_stats_fd(vm->pidfd, fo->stats_fd[i], fo->stats_link[i]);
		if (fd == -ESTALE || fd == -EBADF)
			continue;	/* closed meanwhile */
		if (fd < 0)
			goto fail;
		*what = "reading a vCPU's stats header";
		if (sfd_init(&vm->vcpus[vm->nvcpus], fd, env, fo->stats_id[i])) {
			vm->nvcpus++;
			fd = -EIO;
			goto fail;
		}
		vm->nvcpus++;
	}
	vm->vcpu_fds = fo->vcpus;
	qsort(vm->vcpus, vm->nvcpus, sizeof(*vm->vcpus), id_cmp);
	return 0;
fail:
	vm_free(vm);
	return fd;
}

static const char *open_error(int e)
{
	switch (e) {
	case ESRCH: case ENOENT: return "no such process";
	case EINVAL: return "not a process id (a thread id?)";
	case EPERM: case EACCES:
		return "not allowed to take its KVM file descriptors (pidfd_getfd needs ptrace rights: run as root or as the VMM's user, and see kernel.yama.ptrace_scope)";
	case ENOSYS: return "pidfd_getfd is not supported by this kernel (Linux >= 5.6 is needed)";
	case ENODATA:
		return "the VMM holds no KVM stats fds, and KVM answers KVM_GET_STATS_FD only in the VM's own process (EIO from any other): binary statistics need a VMM that keeps them open (QEMU keeps its vCPUs'); debugfs (-d) has the VM's totals";
	default: return strerror(e);
	}
}

/* The pids to look at: env->pid, or every process. */
static pid_t *all_pids(const struct env *env, size_t *n)
{
	size_t cap = 256;
	pid_t *p = xmalloc(cap * sizeof(*p));
	struct dirent *de;
	DIR *d;

	*n = 0;
	if (env->pid) {
		p[(*n)++] = env->pid;
		return p;
	}
	d = opendir("/proc");
	if (!d)
		return p;
	while ((de = readdir(d))) {
		char *end;
		long v = strtol(de->d_name, &end, 10);

		if (*end || v <= 0 || v == getpid())
			continue;
		if (*n == cap) {
			cap *= 2;
			p = xrealloc(p, cap * sizeof(*p));
		}
		p[(*n)++] = (pid_t)v;
	}
	closedir(d);
	return p;
}

struct vmset *bin_open(const struct env *env, struct table *t, int quiet,
		       int *err)
{
	struct vmset *s = xcalloc(1, sizeof(*s));
	struct found *fo = xmalloc(sizeof(*fo));
	size_t i, n, cap = 0;
	pid_t *pids = all_pids(env, &n);
	int denied = 0, unsup = 0;

	*err = 0;
	for (i = 0; i < n; i++) {
		struct vm vm;
		const char *what;
		int e = vm_open(&vm, pids[i], env, fo, &what);

		if (e == -ENOENT && !env->pid)
			continue;	/* not a VMM, or gone meanwhile */
		if (e) {
			if (e == -EPERM || e == -EACCES)
				denied = 1;
			else if (e == -ENOSYS || e == -ENODATA)
				unsup = 1;
			if (!quiet && (env->pid || e != -ESRCH)) {
				if (e == -ENOENT && env->pid)
					fprintf(stderr, "kvmstat: " NOT_VMM_FMT "\n",
						(int)pids[i]);
				else
					fprintf(stderr, "kvmstat: pid %d: %s: %s\n",
						(int)pids[i], what, open_error(-e));
			}
			if (env->pid) {
				*err = e == -ENOENT || e == -ESRCH ? BIN_ENOVM :
				       denied ? BIN_EACCESS : unsup ? BIN_EUNSUP :
				       BIN_EOTHER;
				goto fail;
			}
			continue;
		}
		if (s->n == cap) {
			cap = cap ? 2 * cap : 4;
			s->vms = xrealloc(s->vms, cap * sizeof(*s->vms));
		}
		s->vms[s->n++] = vm;
	}
	if (!s->n) {
		*err = denied ? BIN_EACCESS : unsup ? BIN_EUNSUP : BIN_ENOVM;
		if (!quiet && !denied && !unsup)
			fprintf(stderr, "kvmstat: no KVM VM found (no process has an anon_inode:kvm-vm fd open)\n");
		goto fail;
	}
	s->live = s->n;
	/* The per-vCPU columns, in order: "vcpuN", or "PID/vcpuN". */
	for (i = 0; i < s->n; i++) {
		size_t j;

		for (j = 0; j < s->vms[i].nvcpus; j++) {
			struct sfd *v = &s->vms[i].vcpus[j];
			char label[48];

			if (t->ncols == KVMSTAT_MAX_COLS) {
				v->col = -1;
				continue;
			}
			if (s->n == 1)
				snprintf(label, sizeof(label), "vcpu%d", v->col);
			else
				snprintf(label, sizeof(label), "%d/vcpu%d",
					 (int)s->vms[i].pid, v->col);
			t->col_label[t->ncols] = xstrdup(label);
			v->col = (int)t->ncols++;
		}
	}
	free(pids);
	free(fo);
	return s;
fail:
	free(pids);
	free(fo);
	bin_close(s);
	return NULL;
}

/* --stats-file: saved stats in KVM_GET_STATS_FD's format, one VM; a
 * file whose id string has "/vcpu-N" is vCPU N, else the VM. */
struct vmset *bin_open_files(const struct env *env, struct table *t)
{
	struct vmset *s = xcalloc(1, sizeof(*s));
	struct vm *vm;
	int i;

	s->vms = xcalloc(1, sizeof(*s->vms));
	s->n = s->live = 1;
	vm = &s->vms[0];
	vm->pidfd = -1;
	vm->vm.fd = -1;
	vm->vcpus = xcalloc((size_t)env->nfiles + 1, sizeof(*vm->vcpus));
	for (i = 0; i < env->nfiles; i++) {
		int fd = open(env->files[i], O_RDONLY | O_CLOEXEC), id = -1;
		struct sfd one;
		char name[MAX_NAME_SIZE + 1];
		const char *v;

		if (fd < 0) {
			fprintf(stderr, "kvmstat: %s: %s\n", env->files[i], strerror(errno));
			goto fail;
		}
		if (sfd_init(&one, fd, env, 0) ||
		    pread(fd, name, one.h.name_size, one.h.id_offset) != (ssize_t)one.h.name_size) {
			fprintf(stderr, "kvmstat: %s: not KVM binary statistics\n", env->files[i]);
			sfd_free(&one);
			goto fail;
		}
		name[one.h.name_size] = '\0';
		v = strstr(name, "/vcpu-");
		if (v)
			id = atoi(v + 6);
		one.is_vcpu = id >= 0;
		if (id < 0 && vm->vm.fd < 0) {
			one.col = -1;
			vm->vm = one;
		} else if (id >= 0 && t->ncols < KVMSTAT_MAX_COLS) {
			char label[32];

			snprintf(label, sizeof(label), "vcpu%d", id);
			t->col_label[t->ncols] = xstrdup(label);
			one.col = (int)t->ncols++;
			vm->vcpus[vm->nvcpus++] = one;
		} else {
			fprintf(stderr, "kvmstat: %s: a second VM file, or too many vCPUs\n",
				env->files[i]);
			sfd_free(&one);
			goto fail;
		}
	}
	return s;
fail:
	bin_close(s);
	return NULL;
}

int bin_read(struct vmset *s, struct table *t, int per_vcpu, int include_past)
{
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		struct vm *vm = &s->vms[i];

		if (!vm->gone) {
			if (vm->vm.fd >= 0 && sfd_read(&vm->vm)) {
				fprintf(stderr, "kvmstat: pid %d: reading the VM's stats: %s\n",
					(int)vm->pid, strerror(errno));
				return -1;
			}
			for (j = 0; j < vm->nvcpus; j++)
				if (sfd_read(&vm->vcpus[j])) {
					fprintf(stderr, "kvmstat: pid %d: reading a vCPU's stats: %s\n",
						(int)vm->pid, strerror(errno));
					return -1;
				}
		}
		sfd_add(&vm->vm, t, vm->gone, per_vcpu, vm->joining, include_past);
		for (j = 0; j < vm->nvcpus; j++)
			sfd_add(&vm->vcpus[j], t, vm->gone, per_vcpu, vm->joining,
				include_past);
		vm->joining = 0;
	}
	return 0;
}

size_t bin_rescan(struct vmset *s, const struct env *env)
{
	struct found *fo = xmalloc(sizeof(*fo));
	size_t i, k, n, added = 0;
	pid_t *pids = all_pids(env, &n);

	for (i = 0; i < n; i++) {
		struct vm vm;
		const char *what;

		for (k = 0; k < s->n; k++)
			if (!s->vms[k].gone && s->vms[k].pid == pids[i])
				break;
		if (k < s->n || vm_open(&vm, pids[i], env, fo, &what))
			continue;
		/* A VM caught between KVM_CREATE_VM and its vCPUs' stats fds:
		 * taken at the next rescan, whole (its vCPUs are its counts). */
		if (!vm.nvcpus) {
			vm_free(&vm);
			continue;
		}
		for (k = 0; k < vm.nvcpus; k++)
			vm.vcpus[k].col = -1;	/* the columns are fixed */
		vm.joining = 1;
		s->vms = xrealloc(s->vms, (s->n + 1) * sizeof(*s->vms));
		s->vms[s->n++] = vm;
		s->live++;
		added++;
		fprintf(stderr, "kvmstat: a new VM: pid %d, %zu vCPU%s\n", (int)vm.pid,
			vm.nvcpus, vm.nvcpus == 1 ? "" : "s");
	}
	free(pids);
	free(fo);
	return added;
}

size_t bin_pollfds(struct vmset *s, int *fds, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < s->n && n < max; i++)
		if (!s->vms[i].gone && s->vms[i].pidfd >= 0)
			fds[n++] = s->vms[i].pidfd;
	return n;
}

/* Keep the gone VM's last data (its counters stay in the totals), close
 * its fds, so its struct kvm is freed. */
size_t bin_vm_exited(struct vmset *s, int pidfd)
{
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		struct vm *vm = &s->vms[i];

		if (vm->gone || vm->pidfd != pidfd)
			continue;
		/* Its last values: the stats fds outlive the VMM. */
		if (vm->vm.fd >= 0)
			sfd_read(&vm->vm);
		for (j = 0; j < vm->nvcpus; j++)
			sfd_read(&vm->vcpus[j]);
		vm->gone = 1;
		s->live--;
		if (vm->vm.fd >= 0)
			close(vm->vm.fd);
		vm->vm.fd = -1;
		for (j = 0; j < vm->nvcpus; j++) {
			close(vm->vcpus[j].fd);
			vm->vcpus[j].fd = -1;
		}
		close(vm->pidfd);
		vm->pidfd = -1;
		fprintf(stderr, "kvmstat: the VM of pid %d has exited; %zu VM%s left\n",
			(int)vm->pid, s->live, s->live == 1 ? "" : "s");
	}
	return s->live;
}

int bin_is_vmm(pid_t pid)
{
	struct found *fo = xmalloc(sizeof(*fo));
	int r = !scan_fds(pid, fo);

	free(fo);
	return r;
}

size_t bin_nr_vms(const struct vmset *s)
{
	return s->live;
}

size_t bin_nr_vcpus(const struct vmset *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		if (!s->vms[i].gone)
			n += s->vms[i].nvcpus;
	return n;
}

void bin_close(struct vmset *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		vm_free(&s->vms[i]);
	free(s->vms);
	free(s);
}
