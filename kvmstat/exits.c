// SPDX-License-Identifier: GPL-2.0
/*
 * exits.c - kvmstat --exit-reasons: the VM exits by reason with the time
 * spent in each, from kvm_exit to the next kvm_entry of the same vCPU
 * thread, as `perf kvm stat report` gives them: count, share, share of
 * the time, min, mean and max, and a log2 latency histogram per reason.
 * Both tracepoints are sampled (every event, with its time, thread and
 * raw fields) into one perf ring per target: each thread of the VMM with
 * -p or -g, else each CPU. The records of all rings are applied in time
 * order (exits_apply), as perf's ordered events are. Lost records, and
 * exits that never got their entry, are counted and reported.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../analysis/lib/common.h"
#include "../analysis/lib/hist.h"
#include "kvmstat.h"

#define RING_PAGES	64		/* data pages per target (2^n) */
#define MAX_RING_TARGETS 1024
#define MAX_THREADS	4096		/* vCPU threads paired at once */
#define MAX_REASONS	512
#define HORIZON_LAG_NS	200000000ull	/* see exits_apply */

struct ring {
	int fd_exit, fd_entry;
	struct perf_event_mmap_page *page;
	size_t size;			/* data bytes */
};

struct reason_stat {
	unsigned long code;
	uint64_t count, sum_ns, min_ns, max_ns;
	struct hist hist;		/* log2 of ns */
};

struct pending {
	int tid;			/* 0: free slot */
	int open;			/* an exit without its entry yet */
	unsigned long code;
	uint64_t t;
};

/* One kvm_exit or kvm_entry record, queued to be applied in time order. */
struct event {
	uint64_t t;			/* CLOCK_MONOTONIC ns */
	uint32_t tid, code;
	int is_exit;
};

struct exits {
	struct ring ring[MAX_RING_TARGETS];
	size_t nring;
	int id_exit, id_entry;
	int off_reason, size_reason;	/* exit_reason in kvm_exit's record */
	struct exit_reasons names;
	struct reason_stat r[MAX_REASONS];
	size_t nr;
	struct pending th[MAX_THREADS];
	uint64_t lost, unpaired;
	struct event *q;		/* drained, not yet applied */
	size_t nq, capq;
	char buf[65536];		/* one record, unwrapped */
};

/* FIELD's offset and size in EVENT's record (tracefs format): 0 or -1. */
static int field_loc(const char *dir, const char *event, const char *field,
		     int *off, int *size)
{
	char path[512], line[512], want[80];
	FILE *f;
	int found = -1;

	snprintf(path, sizeof(path), "%s/%s/format", dir, event);
	snprintf(want, sizeof(want), " %s;", field);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f)) {
		char *o = strstr(line, "offset:"), *s = strstr(line, "size:");

		if (strstr(line, want) && o && s) {
			*off = atoi(o + 7);
			*size = atoi(s + 5);
			found = 0;
		}
	}
	fclose(f);
	return found;
}

static int open_sampler(int id, pid_t pid, int target)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(a),
		.config = (uint64_t)id,
		.sample_period = 1,
		.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_RAW,
		.use_clockid = 1,	/* times comparable across rings and */
		.clockid = CLOCK_MONOTONIC, /* with exits_wait's horizon */
		.disabled = 1,		/* ring_open enables entry, then exit */
		.watermark = 1,
		.wakeup_watermark = RING_PAGES * 4096 / 4,
	};

	return (int)syscall(SYS_perf_event_open, &a, pid ? target : -1,
			    pid ? -1 : target, -1, PERF_FLAG_FD_CLOEXEC);
}

static const char *perf_hint(int e)
{
	return e == EACCES || e == EPERM ?
	       " (needs root, CAP_PERFMON, or kernel.perf_event_paranoid < 1)" : "";
}

/* One ring on TARGET with both events in it: 0, 1 (target gone), -1. */
static int ring_open(struct exits *x, struct ring *r, pid_t pid, int target)
{
	size_t len = (RING_PAGES + 1) * 4096;
	void *p;

	r->fd_exit = open_sampler(x->id_exit, pid, target);
	if (r->fd_exit < 0)
		return errno == ESRCH || errno == ENODEV ? 1 : -1;
	r->fd_entry = open_sampler(x->id_entry, pid, target);
	if (r->fd_entry < 0)
		return errno == ESRCH || errno == ENODEV ? 1 : -1;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd_exit, 0);
	if (p == MAP_FAILED)
		return -1;
	r->page = p;
	r->size = RING_PAGES * 4096;
	if (ioctl(r->fd_entry, PERF_EVENT_IOC_SET_OUTPUT, r->fd_exit))
		return -1;
	/* kvm_entry first: an exit is then never recorded without the
	 * entry that ends it. (Enabled as they were opened, the exits seen
	 * while kvm_entry's tracepoint was still being switched on, slow
	 * under emulation, had no entry: "unpaired".) */
	if (ioctl(r->fd_entry, PERF_EVENT_IOC_ENABLE, 0) ||
	    ioctl(r->fd_exit, PERF_EVENT_IOC_ENABLE, 0))
		return -1;
	return 0;
}

static void ring_close(struct ring *r)
{
	if (r->page)
		munmap(r->page, r->size + 4096);
	if (r->fd_entry >= 0)
		close(r->fd_entry);
	if (r->fd_exit >= 0)
		close(r->fd_exit);
}

static struct pending *thread_slot(struct exits *x, int tid)
{
	size_t h = (size_t)tid * 2654435761u % MAX_THREADS, i;

	for (i = 0; i < MAX_THREADS; i++, h = (h + 1) % MAX_THREADS) {
		if (x->th[h].tid == tid)
			return &x->th[h];
		if (!x->th[h].tid) {
			x->th[h].tid = tid;
			return &x->th[h];
		}
	}
	return NULL;
}

static struct reason_stat *reason_slot(struct exits *x, unsigned long code)
{
	size_t i;

	for (i = 0; i < x->nr; i++)
		if (x->r[i].code == code)
			return &x->r[i];
	if (x->nr == MAX_REASONS)
		return NULL;
	x->r[x->nr] = (struct reason_stat){ .code = code, .min_ns = UINT64_MAX };
	hist_init_log2(&x->r[x->nr].hist);
	return &x->r[x->nr++];
}

/* Queue a sample (PERF_SAMPLE_TID, TIME, RAW: pid, tid; time; size,
 * data) of kvm_exit or kvm_entry. */
static void on_sample(struct exits *x, const unsigned char *p, size_t len)
{
	uint32_t tid, raw_size, code = 0;
	uint64_t t;
	uint16_t type;
	const unsigned char *raw;

	if (len < 20)
		return;
	memcpy(&tid, p + 4, 4);
	memcpy(&t, p + 8, 8);
	memcpy(&raw_size, p + 16, 4);
	raw = p + 20;
	if (raw_size < 2 || 20 + (size_t)raw_size > len)
		return;
	memcpy(&type, raw, 2);
	if (type == x->id_exit) {
		if ((size_t)(x->off_reason + x->size_reason) > raw_size)
			return;
		memcpy(&code, raw + x->off_reason, x->size_reason < 4 ? x->size_reason : 4);
	} else if (type != x->id_entry) {
		return;
	}
	if (x->nq == x->capq) {
		x->capq = x->capq ? 2 * x->capq : 4096;
		x->q = xrealloc(x->q, x->capq * sizeof(*x->q));
	}
	x->q[x->nq++] = (struct event){ t, tid, code, type == x->id_exit };
}

/* Pair an exit with its thread's next entry: the time between them. */
static void apply(struct exits *x, const struct event *e)
{
	struct pending *th = thread_slot(x, (int)e->tid);

	if (!th)
		return;
	if (e->is_exit) {
		if (th->open)
			x->unpaired++;
		*th = (struct pending){ (int)e->tid, 1, e->code, e->t };
	} else if (th->open) {
		struct reason_stat *r = reason_slot(x, th->code);
		uint64_t dt = e->t > th->t ? e->t - th->t : 0;

		th->open = 0;
		if (!r)
			return;
		r->count++;
		r->sum_ns += dt;
		r->min_ns = dt < r->min_ns ? dt : r->min_ns;
		r->max_ns = dt > r->max_ns ? dt : r->max_ns;
		hist_add(&r->hist, (int64_t)dt, 1);
	}
}

static int by_time(const void *a, const void *b)
{
	const struct event *p = a, *q = b;

	return p->t < q->t ? -1 : p->t > q->t;
}

/*
 * Apply, in time order, the queued records older than HORIZON: a time
 * HORIZON_LAG_NS before the rings were drained. Per CPU (no -p), a vCPU
 * thread's exit and entry can sit in two rings; a record older than
 * HORIZON was in its ring when the drain began, so none is applied before
 * an older one. The lag covers a CPU stopped halfway through writing a
 * record: under the lab's TCG, for up to its 100 ms round-robin slice. The
 * rest wait for the next drain. A record later still would pair wrongly,
 * and be reported as an exit without its entry, never silently.
 */
static void exits_apply(struct exits *x, uint64_t horizon)
{
	size_t i;

	qsort(x->q, x->nq, sizeof(*x->q), by_time);
	for (i = 0; i < x->nq && x->q[i].t < horizon; i++)
		apply(x, &x->q[i]);
	memmove(x->q, x->q + i, (x->nq - i) * sizeof(*x->q));
	x->nq -= i;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void ring_drain(struct exits *x, struct ring *r)
{
	unsigned char *data = (unsigned char *)r->page + 4096;
	uint64_t head = __atomic_load_n(&r->page->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = r->page->data_tail;

	while (tail + sizeof(struct perf_event_header) <= head) {
		struct perf_event_header h;
		size_t off = tail % r->size, i;

		for (i = 0; i < sizeof(h); i++)
			((unsigned char *)&h)[i] = data[(off + i) % r->size];
		if (h.size < sizeof(h) || tail + h.size > head)
			break;
		for (i = 0; i < h.size && i < sizeof(x->buf); i++)
			x->buf[i] = (char)data[(off + i) % r->size];
		if (h.type == PERF_RECORD_SAMPLE)
			on_sample(x, (unsigned char *)x->buf + sizeof(h), h.size - sizeof(h));
		else if (h.type == PERF_RECORD_LOST && h.size >= sizeof(h) + 16) {
			uint64_t lost;

			memcpy(&lost, x->buf + sizeof(h) + 8, 8);
			x->lost += lost;
		}
		tail += h.size;
	}
	__atomic_store_n(&r->page->data_tail, tail, __ATOMIC_RELEASE);
}

static void exits_reset(struct exits *x)
{
	size_t i;

	for (i = 0; i < x->nr; i++)
		hist_free(&x->r[i].hist);
	x->nr = 0;
	x->lost = x->unpaired = 0;
}

static int by_count(const void *a, const void *b)
{
	const struct reason_stat *p = a, *q = b;

	return p->count < q->count ? 1 : p->count > q->count ? -1 :
	       p->code < q->code ? -1 : p->code > q->code;
}

static void reason_label(const struct exits *x, unsigned long code, char *buf, size_t len)
{
	const char *n = exit_reason_name(&x->names, code);

	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "0x%lx", code);
}

static void report_text(FILE *out, struct exits *x, const struct env *env,
			double secs, uint64_t total, uint64_t total_ns)
{
	size_t i, n;
	char name[64];

	fprintf(out, "%s: %llu exits in %.2f s, %llu lost records, %llu exits without their entry\n",
		env->pid ? "VM exits of the VMM" : "VM exits of every VM",
		(unsigned long long)total, secs, (unsigned long long)x->lost,
		(unsigned long long)x->unpaired);
	fprintf(out, "%-28s %10s %8s %8s %10s %10s %10s\n", "REASON", "COUNT",
		"SHARE", "TIME%", "MIN_us", "MEAN_us", "MAX_us");
	for (i = 0; i < x->nr; i++) {
		const struct reason_stat *r = &x->r[i];

		reason_label(x, r->code, name, sizeof(name));
		fprintf(out, "%-28s %10llu %7.2f%% %7.2f%% %10.2f %10.2f %10.2f\n", name,
			(unsigned long long)r->count, 100.0 * r->count / total,
			total_ns ? 100.0 * r->sum_ns / total_ns : 0.0, r->min_ns / 1e3,
			r->sum_ns / 1e3 / r->count, r->max_ns / 1e3);
	}
	if (!env->once)
		return;
	for (i = 0; i < x->nr; i++) {
		struct bar *bars;
		char *labels;

		reason_label(x, x->r[i].code, name, sizeof(name));
		fprintf(out, "\n%s: time from kvm_exit to kvm_entry (ns)\n", name);
		n = hist_bars(&x->r[i].hist, &bars, &labels);
		if (n)
			bars_print(out, bars, n, 1);
		free(bars);
		free(labels);
	}
}

static void report_json(FILE *out, struct exits *x, const struct env *env,
			double secs, uint64_t total)
{
	size_t i;
	char name[64];

	(void)env;
	fprintf(out, "{\"interval_s\":%.3f,\"exits\":%llu,\"lost\":%llu,\"unpaired\":%llu,\"reasons\":[",
		secs, (unsigned long long)total, (unsigned long long)x->lost,
		(unsigned long long)x->unpaired);
	for (i = 0; i < x->nr; i++) {
		const struct reason_stat *r = &x->r[i];

		reason_label(x, r->code, name, sizeof(name));
		fprintf(out, "%s{\"name\":\"%s\",\"code\":%lu,\"count\":%llu,\"time_ns\":%llu,"
			"\"min_ns\":%llu,\"mean_ns\":%.1f,\"max_ns\":%llu}", i ? "," : "",
			name, r->code, (unsigned long long)r->count,
			(unsigned long long)r->sum_ns, (unsigned long long)r->min_ns,
			(double)r->sum_ns / r->count, (unsigned long long)r->max_ns);
	}
	fputs("]}\n", out);
}

static void report(struct exits *x, const struct env *env, double secs)
{
	uint64_t total = 0, total_ns = 0;
	size_t i;

	qsort(x->r, x->nr, sizeof(x->r[0]), by_count);
	for (i = 0; i < x->nr; i++) {
		total += x->r[i].count;
		total_ns += x->r[i].sum_ns;
	}
	if (env->json)
		report_json(stdout, x, env, secs, total);
	else
		report_text(stdout, x, env, secs, total, total_ns);
	if (!env->once && !env->json)
		putchar('\n');
	fflush(stdout);
	exits_reset(x);
}

static struct exits *exits_open(const struct env *env)
{
	const char *dir = tp_dir();
	int *tgt = NULL;
	size_t n, k;
	struct exits *x;

	if (!dir) {
		fprintf(stderr, "kvmstat: --exit-reasons: no kvm events in tracefs (mount -t tracefs tracefs /sys/kernel/tracing; is kvm loaded?)\n");
		return NULL;
	}
	x = xcalloc(1, sizeof(*x));
	x->names = exit_reasons_of("kvm_exit");
	x->id_exit = tp_event_id(dir, "kvm_exit");
	x->id_entry = tp_event_id(dir, "kvm_entry");
	if (x->id_exit < 0 || x->id_entry < 0 ||
	    field_loc(dir, "kvm_exit", "exit_reason", &x->off_reason, &x->size_reason)) {
		fprintf(stderr, "kvmstat: --exit-reasons: no kvm_exit and kvm_entry events with exit_reason in %s\n", dir);
		goto fail;
	}
	tgt = xmalloc(MAX_RING_TARGETS * sizeof(*tgt));
	n = tp_targets(env->pid, tgt, MAX_RING_TARGETS);
	for (k = 0; k < n; k++) {
		struct ring *r = &x->ring[x->nring];
		int rc;

		*r = (struct ring){ .fd_exit = -1, .fd_entry = -1 };
		rc = ring_open(x, r, env->pid, tgt[k]);
		if (rc < 0) {
			fprintf(stderr, "kvmstat: --exit-reasons: perf_event_open or mmap: %s%s\n",
				strerror(errno), perf_hint(errno));
			ring_close(r);
			goto fail;
		}
		if (rc)
			ring_close(r);	/* a thread that just ended */
		else
			x->nring++;
	}
	if (!x->nring) {
		fprintf(stderr, "kvmstat: --exit-reasons: no threads or CPUs to sample\n");
		goto fail;
	}
	free(tgt);
	return x;
fail:
	free(tgt);
	exits_close(x);
	return NULL;
}

void exits_close(struct exits *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->nring; i++)
		ring_close(&x->ring[i]);
	exits_reset(x);
	free(x->q);
	free(x);
}

/* Drain the rings until DEADLINE or until the VMM (VMM_PIDFD) ends:
 * 1 when it ended or STOP was set, else 0. */
static int exits_wait(struct exits *x, int vmm_pidfd, double deadline,
		      volatile sig_atomic_t *stop)
{
	struct pollfd pfd[MAX_RING_TARGETS + 1];
	uint64_t horizon;
	size_t i, n;

	while (!*stop) {
		double left = deadline - now_s();
		int ms = left <= 0 ? 0 : left > 0.1 ? 100 : (int)(left * 1000) + 1;

		n = 0;
		for (i = 0; i < x->nring; i++)
			pfd[n++] = (struct pollfd){ .fd = x->ring[i].fd_exit, .events = POLLIN };
		if (vmm_pidfd >= 0)
			pfd[n++] = (struct pollfd){ .fd = vmm_pidfd, .events = POLLIN };
		if (poll(pfd, n, ms) < 0 && errno != EINTR)
			return 1;
		horizon = monotonic_ns() - HORIZON_LAG_NS;
		for (i = 0; i < x->nring; i++)
			ring_drain(x, &x->ring[i]);
		if (vmm_pidfd >= 0 && pfd[n - 1].revents) {
			exits_apply(x, UINT64_MAX);	/* all there will be */
			return 1;
		}
		exits_apply(x, horizon);
		if (left <= 0)
			return 0;
	}
	return 1;
}

/* The VMM has ended: an exit still waiting for its entry never gets one
 * (a vCPU's last, to a VMM that stopped it). Count it as such. */
static void exits_end_pending(struct exits *x)
{
	size_t i;

	for (i = 0; i < MAX_THREADS; i++)
		if (x->th[i].open) {
			x->th[i].open = 0;
			x->unpaired++;
		}
}

int exits_run(const struct env *env, int vmm_pidfd, volatile sig_atomic_t *stop)
{
	struct exits *x = exits_open(env);
	double start, next;
	int done = 0;

	if (!x)
		return 1;
	start = next = now_s();
	while (!done) {
		next += env->once && !env->delay_set ? 1.0 : env->delay;
		done = exits_wait(x, vmm_pidfd, next, stop);
		if (done && *stop)
			break;
		if (done)
			exits_end_pending(x);
		report(x, env, now_s() - start);
		start = now_s();
		if (env->once)
			break;
	}
	if (done && !*stop)
		fprintf(stderr, "kvmstat: pid %d has exited\n", (int)env->pid);
	exits_close(x);
	return 0;
}
