// SPDX-License-Identifier: GPL-2.0
/* stats.c - KVM binary statistics: header, descriptors, data (see kvm.h). */
#include <errno.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "stats.h"

struct stats {
	struct kvm_stats_header h;
	uint8_t *descs;		/* num_desc records of desc_size bytes */
	size_t desc_size;
	uint64_t *data;
	size_t ndata;		/* u64 values */
};

static struct kvm_stats_desc *desc_at(const struct stats *s, uint32_t i)
{
	return (struct kvm_stats_desc *)(s->descs + i * s->desc_size);
}

static int stats_read(int fd, struct stats *s)
{
	uint32_t i;
	size_t dbytes;

	memset(s, 0, sizeof(*s));
	if (pread(fd, &s->h, sizeof(s->h), 0) != (ssize_t)sizeof(s->h))
		return -1;
	s->desc_size = sizeof(struct kvm_stats_desc) + s->h.name_size;
	dbytes = s->desc_size * s->h.num_desc;
	s->descs = malloc(dbytes ? dbytes : 1);
	if (!s->descs)
		return -1;
	if (pread(fd, s->descs, dbytes, s->h.desc_offset) != (ssize_t)dbytes)
		return -1;
	for (i = 0; i < s->h.num_desc; i++) {
		struct kvm_stats_desc *d = desc_at(s, i);
		size_t end = d->offset / 8 + d->size;

		if (end > s->ndata)
			s->ndata = end;
	}
	s->data = calloc(s->ndata ? s->ndata : 1, sizeof(uint64_t));
	if (!s->data)
		return -1;
	if (pread(fd, s->data, s->ndata * 8, s->h.data_offset) !=
	    (ssize_t)(s->ndata * 8))
		return -1;
	return 0;
}

static void stats_free(struct stats *s)
{
	free(s->descs);
	free(s->data);
}

static int stats_of(int fd, struct stats *s)
{
	int sfd = ioctl(fd, KVM_GET_STATS_FD, NULL);
	int r;

	if (sfd < 0)
		return -1;
	r = stats_read(sfd, s);
	close(sfd);
	if (r)
		stats_free(s);
	return r;
}

static void print_stats(FILE *out, const char *prefix, const struct stats *s)
{
	uint32_t i, j;

	for (i = 0; i < s->h.num_desc; i++) {
		struct kvm_stats_desc *d = desc_at(s, i);
		const uint64_t *v = s->data + d->offset / 8;

		fprintf(out, "%s.%s=", prefix, d->name);
		for (j = 0; j < d->size; j++)
			fprintf(out, "%s%llu", j ? "," : "", (unsigned long long)v[j]);
		fputc('\n', out);
	}
}

int stats_print(FILE *out, int vm_fd, const int *vcpu_fds, int nvcpus)
{
	struct stats vm, sum, one;
	int i, r = 0;

	if (stats_of(vm_fd, &vm)) {
		fprintf(stderr, "guest: KVM_GET_STATS_FD on the VM: %s\n",
			strerror(errno));
		r = -1;
	} else {
		print_stats(out, "vm_stat", &vm);
		stats_free(&vm);
	}
	if (nvcpus < 1 || stats_of(vcpu_fds[0], &sum)) {
		fprintf(stderr, "guest: KVM_GET_STATS_FD on a vCPU: %s\n",
			strerror(errno));
		return -1;
	}
	for (i = 1; i < nvcpus; i++) {
		uint32_t k, j;

		if (stats_of(vcpu_fds[i], &one))
			continue;
		/* Same kernel, same layout: add up (peaks: take the max). */
		for (k = 0; k < sum.h.num_desc && k < one.h.num_desc; k++) {
			struct kvm_stats_desc *d = desc_at(&sum, k);
			uint64_t *a = sum.data + d->offset / 8;
			const uint64_t *b = one.data + d->offset / 8;
			int peak = (d->flags & KVM_STATS_TYPE_MASK) == KVM_STATS_TYPE_PEAK;

			for (j = 0; j < d->size; j++)
				a[j] = peak ? (a[j] > b[j] ? a[j] : b[j]) : a[j] + b[j];
		}
		stats_free(&one);
	}
	print_stats(out, "vcpu_stat", &sum);
	stats_free(&sum);
	return r;
}
