/* SPDX-License-Identifier: GPL-2.0 */
/* session.c - kvm_ept_sample sessions and the memslot map (see session.h). */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"
#include "reader.h"

const char *const session_modes[] = { "faults", "abit", "hybrid", "auto", NULL };

int session_open(void)
{
	const char *me = program_invocation_short_name;
	int fd = open(KVM_EPT_SAMPLE_PATH, O_RDWR | O_CLOEXEC), e = errno;

	if (fd < 0) {
		if (e == ENOENT)
			fprintf(stderr, "%s: %s does not exist: load the module (insmod kmod/kvm_ept_sample.ko)\n",
				me, KVM_EPT_SAMPLE_PATH);
		else
			fprintf(stderr, "%s: cannot open %s: %s%s\n", me,
				KVM_EPT_SAMPLE_PATH, strerror(e),
				e == EPERM || e == EACCES ? " (needs root: CAP_SYS_ADMIN)" : "");
		return -1;
	}
	if (ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_VERSION, 0) < KVM_EPT_SAMPLE_API_VERSION ||
	    ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FORMAT, KVM_EPT_SAMPLE_FORMAT_V2) < 0) {
		fprintf(stderr, "%s: the loaded module does not offer API version %d\n",
			me, KVM_EPT_SAMPLE_API_VERSION);
		close(fd);
		return -1;
	}
	return fd;
}

const char *session_init_error(int err)
{
	switch (err) {
	case ESRCH: return "no such process";
	case ENODEV: return "the process has no KVM VM open (is it a VMM?)";
	case EACCES: return "not allowed to trace that process (ptrace access)";
	case EBUSY: return "another session already samples that VM";
	case EOPNOTSUPP:
		return "this VM cannot be sampled: KVM runs with shadow paging (no EPT/NPT), the VM is a confidential type (SEV, TDX), or kvm.allow_smaller_maxphyaddr is on (Intel)";
	case EINVAL: return "invalid pid";
	default: return strerror(err);
	}
}

int session_attach(int fd, uint64_t pid)
{
	if (ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FREQ, 0) < 0) {
		fprintf(stderr, "%s: configuring the session: %s\n",
			program_invocation_short_name, strerror(errno));
		return -1;
	}
	if (ioctl(fd, KVM_EPT_SAMPLE_CMD_INIT, (unsigned long)pid) < 0) {
		fprintf(stderr, "%s: pid %llu: %s\n", program_invocation_short_name,
			(unsigned long long)pid, session_init_error(errno));
		return -1;
	}
	return 0;
}

void session_close(int fd)
{
	ioctl(fd, KVM_EPT_SAMPLE_CMD_DEINIT, 0);
	close(fd);
}

static int slot_cmp(const void *a, const void *b)
{
	const struct kvm_ept_sample_memslot *x = a, *y = b;

	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

int memslots_get(int fd, struct memslots *ms)
{
	struct kvm_ept_sample_get_memslots req = { .capacity = 64 };
	struct kvm_ept_sample_memslot *slots = NULL;

	do {
		free(slots);
		if (req.count > req.capacity)
			req.capacity = req.count;
		slots = xcalloc(req.capacity, sizeof(*slots));
		req.memslots = slots;
		if (ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_MEMSLOTS, &req) < 0) {
			int e = -errno;

			free(slots);
			return e;
		}
	} while (req.count > req.capacity);
	qsort(slots, req.count, sizeof(*slots), slot_cmp);
	free(ms->s);
	ms->s = slots;
	ms->n = req.count;
	ms->frames = 0;
	for (size_t i = 0; i < ms->n; i++)
		ms->frames += ms->s[i].page_count;
	return 0;
}

void memslots_free(struct memslots *ms)
{
	free(ms->s);
	memset(ms, 0, sizeof(*ms));
}

/* The slot holding GFN, or NULL (binary search: slots do not overlap). */
static const struct kvm_ept_sample_memslot *slot_of(const struct memslots *ms,
						    uint64_t gfn, uint64_t *before)
{
	size_t lo = 0, hi = ms->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t base = ms->s[mid].gpa >> 12;

		if (gfn < base)
			hi = mid;
		else if (gfn - base >= ms->s[mid].page_count)
			lo = mid + 1;
		else {
			if (before) {
				*before = 0;
				for (size_t i = 0; i < mid; i++)
					*before += ms->s[i].page_count;
			}
			return &ms->s[mid];
		}
	}
	return NULL;
}

int64_t memslots_index(const struct memslots *ms, uint64_t gfn)
{
	uint64_t before;
	const struct kvm_ept_sample_memslot *s = slot_of(ms, gfn, &before);

	return s ? (int64_t)(before + gfn - (s->gpa >> 12)) : -1;
}

uint64_t memslots_gfn(const struct memslots *ms, uint64_t i)
{
	for (size_t k = 0; k < ms->n; k++) {
		if (i < ms->s[k].page_count)
			return (ms->s[k].gpa >> 12) + i;
		i -= ms->s[k].page_count;
	}
	return UINT64_MAX;
}

uint64_t memslots_hva(const struct memslots *ms, uint64_t gfn)
{
	const struct kvm_ept_sample_memslot *s = slot_of(ms, gfn, NULL);

	return s ? s->hva + ((gfn - (s->gpa >> 12)) << 12) : 0;
}

const char *memslot_parse(const char *l, uint64_t *gpa, uint64_t *hva,
			  uint64_t *pages)
{
	unsigned long g, h, p;

	if (sscanf(l, "gpa=%lx hva=%lx pages=%lu", &g, &h, &p) != 3 || !p ||
	    g & 4095 || h & 4095)
		return "bad memslot line (want gpa=0x.. hva=0x.. pages=N, page-aligned)";
	if (p > (UINT64_MAX - h) / 4096 || p > (UINT64_MAX - g) / 4096)
		return "memslot beyond the 64-bit address space";
	*gpa = g;
	*hva = h;
	*pages = p;
	return NULL;
}

int memslots_load(const char *path, struct memslots *ms, const char **why)
{
	struct lreader r;
	const char *l, *end;
	size_t cap = 0;

	*why = NULL;
	if (lr_open(&r, path, NULL))
		return -1;
	memslots_free(ms);
	while ((l = lr_line(&r, &end))) {
		char line[256];
		uint64_t gpa, hva, pages;
		size_t len = (size_t)(end - l);

		if (len >= sizeof(line))
			continue;
		memcpy(line, l, len);
		line[len] = 0;
		l = !strncmp(line, "# memslot ", 10) ? line + 10 : line;
		if (strncmp(l, "gpa=", 4))
			continue;
		if ((*why = memslot_parse(l, &gpa, &hva, &pages)))
			break;
		if (ms->n == cap) {
			cap = cap ? 2 * cap : 16;
			ms->s = xrealloc(ms->s, cap * sizeof(*ms->s));
		}
		ms->s[ms->n++] = (struct kvm_ept_sample_memslot){
			.gpa = gpa, .hva = hva, .page_count = (size_t)pages };
		ms->frames += pages;
	}
	lr_close(&r);
	if (!*why && !ms->n)
		*why = "no memslot lines (gpa=0x.. hva=0x.. pages=N)";
	if (*why) {
		memslots_free(ms);
		errno = EINVAL;
		return -1;
	}
	qsort(ms->s, ms->n, sizeof(*ms->s), slot_cmp);
	return 0;
}
