/* SPDX-License-Identifier: GPL-2.0 */
/*
 * placement - the promotion/demotion list of a running VM: its guest
 * frames ranked by the access rate estimated from a sample log (the
 * estimator of hotness, lib/frames.h), each mapped to the VMM's virtual
 * address through the module's GET_MEMSLOTS (lib/session.h), its current
 * NUMA node read with move_pages(2) and nodes NULL (lib/numa.h), and the
 * decision for a fast node of a given capacity: promote, demote or stay
 * (lib/plan.h, the rule tier/ applies). CSV or JSON; with a ground-truth
 * file, the share of the guest's accesses its fast node serves now.
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/common.h"
#include "lib/filter.h"
#include "lib/numa.h"
#include "lib/plan.h"
#include "lib/frames.h"
#include "lib/samples.h"
#include "lib/session.h"
#include "lib/truth.h"

enum format { FMT_CSV, FMT_JSON };
static const char *const formats[] = { "csv", "json", NULL };

struct opts {
	int pid;
	long fast_node;
	double fast_ratio, tolerance;
	enum frames_est est;
	enum format fmt;
	int summary;
	const char *log, *truth, *out, *memslots;
	uint32_t phase;
	struct filter filt;
};

static void usage(FILE *f)
{
	fputs(
"Usage: placement -p PID [OPTIONS] LOG\n"
"       placement -p PID -g TRUTH [OPTIONS] [LOG]\n"
"The promotion/demotion list of the KVM guest run by process PID: every\n"
"frame of the sample LOG (eptsample's binary or text log, or a SystemTap\n"
"log; - for stdin), hottest first, with its host virtual address in PID\n"
"(the module's GET_MEMSLOTS, or --memslots), the NUMA\n"
"node it is on now (move_pages(2), nodes NULL) and what a fast node with\n"
"room for a share of the guest's frames should do with it.\n"
"\n"
"Options:\n"
"  -p, --pid PID           the VMM process (required)\n"
"  -n, --fast-node N       the fast node (default 0)\n"
"  -r, --fast-ratio F      the fast node holds at most F of the guest's\n"
"                          frames (0 < F <= 1; default 0.15): the hottest\n"
"                          F * frames sampled frames belong there\n"
"  -t, --tolerance T       a frame on the fast node is demoted once it\n"
"                          ranks below (1 + T) * capacity, or has rate 0\n"
"                          (anti-thrash band; default 0.5, as tier)\n"
"  -e, --estimator E       delay, count or auto (default auto), as hotness\n"
"  -m, --memslots FILE     the VM's memslots from FILE (eptsample -l's\n"
"                          lines, or a text log of eptsample -m), not from\n"
"                          the module: for a VM another session samples\n"
"                          (tier), or with no module loaded\n"
"  -F, --format FMT        csv (default) or json\n"
"  -g, --truth FILE        workload/guest's ground truth: add the share of\n"
"                          the guest's accesses that frames on the fast\n"
"                          node serve now (fast_share=) and how many of\n"
"                          its hot frames are there (hot_on_fast=); LOG is\n"
"                          then optional\n"
"      --phase P           the truth's phase to score (default 0)\n"
"  -s, --summary           the summary line alone on the output, no list\n"
"                          (otherwise it goes to standard error)\n"
"  -o, --output FILE       write to FILE instead of stdout\n"
"  -h, --help              this help\n",
	      f);
	fputs(filter_help, f);
	fputs(
"\n"
"CSV columns: rank,gfn,hva,node,rate,samples,action. node is the node\n"
"number, or -1 when the page is not present (action absent); action is\n"
"promote, demote, stay, absent (not present: nothing to move) or unmapped\n"
"(in no memslot). JSON: one object with the settings and a \"frames\"\n"
"array of the same fields. Only frames the log has observed are listed.\n"
"Summary: pid= fast_node= guest_frames= capacity= ranked= promote=\n"
"demote= stay= absent= unmapped= on_fast= (ranked frames on the fast\n"
"node), then with -g: truth_phase= truth_frames= truth_hot= hot_on_fast=\n"
"truth_on_fast= (the truth's frames on the fast node) fast_share=\n"
"best_share= (the most a capacity's worth of frames can serve: the\n"
"truth's top shares) not_present=.\n"
"\n"
"Examples:\n"
"  eptsample -p 1234 -d 10 -b -o s.bin; placement -p 1234 s.bin\n"
"  placement -p 1234 -n 0 -r 0.25 -F json -o plan.json s.bin\n"
"  placement -p 1234 -g truth.txt -s             # fast-node share now\n",
	      f);
	fputs(exit_help, f);
	fputs("A pid that is no VM, or no module loaded, exits 1.\n", f);
}

static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "fast-node", required_argument, NULL, 'n' },
	{ "fast-ratio", required_argument, NULL, 'r' },
	{ "tolerance", required_argument, NULL, 't' },
	{ "estimator", required_argument, NULL, 'e' },
	{ "memslots", required_argument, NULL, 'm' },
	{ "format", required_argument, NULL, 'F' },
	{ "truth", required_argument, NULL, 'g' },
	{ "phase", required_argument, NULL, 256 },
	{ "summary", no_argument, NULL, 's' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	FILTER_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static void parse_args(int argc, char **argv, struct opts *o)
{
	int c;

	while ((c = getopt_long(argc, argv, "p:n:r:t:e:m:F:g:so:h", longopts,
				NULL)) != -1) {
		if (filter_option(&o->filt, c, optarg))
			continue;
		switch (c) {
		case 'p': o->pid = opt_pid(optarg); break;
		case 'n': o->fast_node = opt_i64(optarg, "--fast-node"); break;
		case 'r': o->fast_ratio = opt_double(optarg, "--fast-ratio"); break;
		case 't': o->tolerance = opt_double(optarg, "--tolerance"); break;
		case 'e':
			o->est = (enum frames_est)opt_choice(optarg, "--estimator",
							    frames_est_names);
			break;
		case 'F':
			o->fmt = (enum format)opt_choice(optarg, "--format", formats);
			break;
		case 'g': o->truth = optarg; break;
		case 'm': o->memslots = optarg; break;
		case 256: o->phase = (uint32_t)opt_u64(optarg, "--phase"); break;
		case 's': o->summary = 1; break;
		case 'o': o->out = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	o->log = opt_log_operand(argc, argv);
	if (!o->pid)
		errx(2, "-p PID is required (see --help)");
	if (!o->log && !o->truth)
		errx(2, "a sample LOG is required (- for stdin), unless -g TRUTH");
	if (!(o->fast_ratio > 0 && o->fast_ratio <= 1))
		errx(2, "--fast-ratio takes a share above 0 and at most 1");
	if (!(o->tolerance >= 0 && o->tolerance <= 10))
		errx(2, "--tolerance takes 0 to 10");
	numa_node_check(o->fast_node, "--fast-node");
}

/* The log's frames into W (one window over the whole log, filtered);
 * the estimator used. Exits 2 when the log cannot be read. */
static enum frames_est read_log(const struct opts *o, struct frames *w,
			       uint64_t *t0, uint64_t *t1, uint64_t *records)
{
	enum frames_est est = o->est;
	struct kvm_ept_sample_v2 s;
	struct samples ss;
	const char *why;

	if (samples_open(&ss, o->log, 0, &why)) {
		if (why)
			errx(2, "%s: %s", o->log, why);
		err(2, "%s", o->log);
	}
	*records = 0;
	while (samples_next(&ss, &s)) {
		if (!*records) {
			if (est == FRAMES_EST_AUTO)
				est = ss.binary || s.delay_ns ? FRAMES_EST_DELAY : FRAMES_EST_COUNT;
			*t0 = s.time_ns;
		}
		if (!filter_pass(&o->filt, &s, *t0))
			continue;
		if (s.time_ns > *t1)
			*t1 = s.time_ns;
		frames_add(w, &s, est);
		++*records;
	}
	bad_report(&ss.bad, stderr, o->log);
	samples_close(&ss);
	return est;
}

/* The VM's memslots: from --memslots FILE (exits 2 when it cannot be
 * read), or through a session attached to PID and detached again (exits
 * 1 with the reason when that fails). */
static void vm_memslots(const struct opts *o, struct memslots *ms)
{
	const char *why;
	int fd, e;

	if (o->memslots) {
		if (memslots_load(o->memslots, ms, &why)) {
			if (why)
				errx(2, "%s: %s", o->memslots, why);
			err(2, "%s", o->memslots);
		}
		return;
	}
	fd = session_open();
	if (fd < 0 || session_attach(fd, (uint64_t)o->pid) < 0)
		exit(1);
	e = memslots_get(fd, ms);
	session_close(fd);
	if (e)
		errx(1, "GET_MEMSLOTS: %s", strerror(-e));
	if (!ms->n)
		errx(1, "pid %d: the VM has no memslots", o->pid);
}

/* The ranked frames of W, each with its address and node; exits 1 when
 * PID's pages cannot be queried. */
static struct plan_frame *locate(const struct opts *o, const struct frames *w,
				 enum frames_est est, double secs,
				 const struct memslots *ms, size_t *n)
{
	struct ranked *r = frames_rank(w, est, secs);
	struct plan_frame *f;
	uint64_t *addr;
	int *status, e;
	size_t k = 0;

	*n = frames_n(w);
	f = xcalloc(*n ? *n : 1, sizeof(*f));
	addr = xcalloc(*n ? *n : 1, sizeof(*addr));
	status = xcalloc(*n ? *n : 1, sizeof(*status));
	for (size_t i = 0; i < *n; i++) {
		f[i].gfn = r[i].gfn;
		f[i].rate = r[i].rate;
		f[i].n = r[i].n;
		f[i].hva = memslots_hva(ms, r[i].gfn);
		f[i].node = -1;
		if (f[i].hva)
			addr[k++] = f[i].hva;
	}
	e = numa_where(o->pid, k, addr, status);
	if (e)
		errx(1, "pid %d: move_pages: %s", o->pid, strerror(-e));
	k = 0;
	for (size_t i = 0; i < *n; i++)
		if (f[i].hva)
			f[i].node = status[k++];
	free(r);
	free(addr);
	free(status);
	return f;
}

static void print_list(FILE *out, const struct opts *o,
		       const struct plan_frame *f, size_t n, uint64_t capacity)
{
	if (o->fmt == FMT_CSV)
		fputs("rank,gfn,hva,node,rate,samples,action\n", out);
	else
		fprintf(out, "{\"pid\": %d, \"fast_node\": %ld, \"fast_ratio\": %g, "
			"\"capacity\": %" PRIu64 ", \"frames\": [", o->pid,
			o->fast_node, o->fast_ratio, capacity);
	for (size_t i = 0; i < n; i++) {
		int node = f[i].node < 0 ? -1 : f[i].node;

		if (o->fmt == FMT_CSV)
			fprintf(out, "%zu,0x%" PRIx64 ",0x%" PRIx64 ",%d,%.6g,%" PRIu64 ",%s\n",
				i + 1, f[i].gfn, f[i].hva, node, f[i].rate, f[i].n,
				plan_action_name(f[i].act));
		else
			fprintf(out, "%s\n  {\"rank\": %zu, \"gfn\": \"0x%" PRIx64 "\", "
				"\"hva\": \"0x%" PRIx64 "\", \"node\": %d, \"rate\": %.6g, "
				"\"samples\": %" PRIu64 ", \"action\": \"%s\"}",
				i ? "," : "", i + 1, f[i].gfn, f[i].hva, node,
				f[i].rate, f[i].n, plan_action_name(f[i].act));
	}
	if (o->fmt == FMT_JSON)
		fputs("\n]}\n", out);
}

/* The truth's frames of the chosen phase, where they are now: the share
 * of the guest's accesses the fast node serves, and its hot frames. */
static void score_truth(FILE *out, const struct opts *o,
			const struct memslots *ms, uint64_t capacity)
{
	struct truth t;
	const struct truth_phase *tp;
	uint64_t *addr;
	int *status, e;
	size_t k = 0, hot_fast = 0, absent = 0, on_fast = 0;
	double fast = 0, all = 0;

	if (truth_load(&t, o->truth))
		err(2, "%s", o->truth);
	bad_report(&t.bad, stderr, o->truth);
	if (o->phase >= t.nphases || !t.phases[o->phase].n)
		errx(2, "%s: no frames in phase %u", o->truth, o->phase);
	tp = &t.phases[o->phase];
	addr = xcalloc(tp->n, sizeof(*addr));
	status = xcalloc(tp->n, sizeof(*status));
	for (size_t i = 0; i < tp->n; i++) {
		addr[i] = memslots_hva(ms, tp->rows[i].gfn);
		if (!addr[i])
			errx(2, "%s: frame 0x%" PRIx64 " is in no memslot of pid %d: not its truth?",
			     o->truth, tp->rows[i].gfn, o->pid);
	}
	e = numa_where(o->pid, tp->n, addr, status);
	if (e)
		errx(1, "pid %d: move_pages: %s", o->pid, strerror(-e));
	for (size_t i = 0; i < tp->n; i++) {
		int on = status[i] == o->fast_node;

		all += tp->rows[i].share;
		fast += on ? tp->rows[i].share : 0;
		hot_fast += on && tp->rows[i].hot;
		on_fast += on;
		absent += status[i] < 0;
		k++;
	}
	fprintf(out, " truth_phase=%u truth_frames=%zu truth_hot=%zu hot_on_fast=%zu "
		"truth_on_fast=%zu fast_share=%.4f best_share=%.4f not_present=%zu",
		o->phase, k, tp->nhot, hot_fast, on_fast, all > 0 ? fast / all : 0,
		truth_best_share(tp, capacity), absent);
	free(addr);
	free(status);
	truth_free(&t);
}

int main(int argc, char **argv)
{
	struct opts o = { .fast_ratio = 0.15, .tolerance = 0.5, .est = FRAMES_EST_AUTO };
	struct plan_frame *f = NULL;
	struct plan_counts c = { 0 };
	struct memslots ms = { 0 };
	struct frames w;
	enum frames_est est = FRAMES_EST_DELAY;
	uint64_t t0 = 0, t1 = 0, records = 0, capacity;
	size_t n = 0;
	FILE *out, *sum;

	parse_args(argc, argv, &o);
	frames_init(&w);
	if (o.log)
		est = read_log(&o, &w, &t0, &t1, &records);
	vm_memslots(&o, &ms);
	capacity = (uint64_t)(o.fast_ratio * (double)ms.frames);
	if (o.log) {
		f = locate(&o, &w, est, t1 > t0 ? (double)(t1 - t0) / 1e9 : 1e-9,
			   &ms, &n);
		plan_decide(f, n, (int)o.fast_node, capacity, o.tolerance, &c);
	}
	out = open_output(o.out);
	sum = o.summary ? out : stderr;
	if (o.log && !o.summary)
		print_list(out, &o, f, n, capacity);
	fprintf(sum, "pid=%d fast_node=%ld guest_frames=%" PRIu64 " capacity=%" PRIu64,
		o.pid, o.fast_node, ms.frames, capacity);
	if (o.log)
		fprintf(sum, " ranked=%zu promote=%zu demote=%zu stay=%zu absent=%zu "
			"unmapped=%zu on_fast=%zu", n, c.promote, c.demote, c.stay,
			c.absent, c.unmapped, c.on_fast);
	if (o.truth)
		score_truth(sum, &o, &ms, capacity);
	fputc('\n', sum);
	if (fflush(out) || ferror(out) || (out != stdout && fclose(out)))
		err(2, "%s", o.out ? o.out : "stdout");
	if (o.log && !records)
		warnx("%s: no samples%s", o.log, filter_active(&o.filt) ?
		      " (after the record filters)" : "");
	free(f);
	frames_free(&w);
	memslots_free(&ms);
	return o.log && !n ? EXIT_NODATA : 0;
}
