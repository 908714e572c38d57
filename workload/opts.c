// SPDX-License-Identifier: GPL-2.0
/* opts.c - parse and check the command line of workload/guest. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "guest_abi.h"
#include "opts.h"

#define MAX_MEM		(256ULL << 30)	/* keeps the slot under 512 GiB */

static const char usage_text[] =
"Usage: workload/guest [OPTIONS]\n"
"Run a small KVM guest with a known memory-access pattern, then report.\n"
"\n"
"  --mem SIZE              pattern memory (data frames), e.g. 256M (default 64M);\n"
"                          suffixes K M G T (powers of 1024); multiple of 4K\n"
"                          (of 2M for thp and hugetlb)\n"
"  --vcpus N               vCPUs, 1-64, one host thread each (default 1)\n"
"  --seconds S             run time (default 5)\n"
"  --backing KIND          guest RAM: anon, shared (memfd), thp, hugetlb (2M)\n"
"  --node N                bind guest RAM to NUMA node N (mbind MPOL_BIND)\n"
"  --pattern SPEC          uniform | seq\n"
"                          | hotcold:hot=PCT%,p=P[,contiguous]   (10%, 0.9)\n"
"                          | zipf:s=S[,cover=C][,contiguous]    (1.1, 0.9)\n"
"                          | phases:every=SEC,n=N,hot=PCT%,p=P[,contiguous]\n"
"                          default hotcold:hot=10%,p=0.9\n"
"  --mix r=R,w=W,x=X       access-type percentages, sum 100 (default r=100)\n"
"  --address-spaces K      guest page-table sets (CR3 values), 1-64 (default 1)\n"
"  --switch-rate R         CR3 writes per second per vCPU (default 0)\n"
"  --pt-writes R           guest PTE rewrites per second per vCPU (default 0)\n"
"  --seed N                seed of the hot set and of the guest PRNGs (default 1)\n"
"  --truth FILE            write the ground truth (see docs/workload.md)\n"
"  --dirty-log FILE        log dirty pages (KVM_GET_DIRTY_LOG) into FILE\n"
"  --slot-churn[=MS]       add and remove an extra memslot every MS ms (100)\n"
"  --remap[=MS]            every MS ms (50), map the next 2 MiB of the data\n"
"                          frames afresh at the same address (mmap MAP_FIXED);\n"
"                          not with --backing hugetlb\n"
"  --dirty-toggle[=MS]     switch dirty logging on RAM on for MS ms (500),\n"
"                          then off for MS ms, over and over (not with\n"
"                          --dirty-log); reports each window's times\n"
"  --device-slots          add two memslots that are not RAM and that the\n"
"                          guest never touches: a read-only ROM (slot 2) and\n"
"                          a /dev/mem window, device memory (slot 3)\n"
"  --no-prefault            do not populate guest RAM in the host first\n"
"                          (default: MADV_POPULATE_WRITE, like -mem-prealloc)\n"
"  --warmup                the guest reads each frame of its pattern once\n"
"                          before the timed run starts\n"
"  --interval S            print a 'tick' line every S seconds (default 1, 0: off)\n"
"  -q, --quiet             leave out the region, tick and KVM statistics\n"
"                          (vm_stat., vcpu_stat.) lines\n"
"  --batch N               guest accesses between checks of the stop flag\n"
"                          (default 256)\n"
"  --kvm-dev PATH          KVM device (default /dev/kvm)\n"
"  --dry-run               print the layout, write --truth, do not run\n"
"  --fault ud|pf|gp        vCPU 0 takes that exception after the warmup\n"
"                          (tests the guest's exception report)\n"
"  --exits N               vCPU 0 makes N of each after the warmup: port\n"
"                          OUT, MMIO write, HLT, hypercall (known exits, for\n"
"                          kvmstat); the report counts what the VMM saw\n"
"  --name NAME             the guest's name, as QEMU's -name: kvm_stat -g\n"
"                          and kvmstat -g find the VMM by it\n"
"  --halts N               vCPU 0 halts N times after the warmup, each woken\n"
"                          by its in-kernel LAPIC timer: 100 us, every 16th\n"
"                          4 ms (KVM's halt polling and waits, for kvmstat)\n"
"  --vhost-net tx=N,rx=M[,stall=K][,detach=K][,start=S]\n"
"                          a virtio-net device on /dev/vhost-net and a tap\n"
"                          (eptscope%d): vCPU 0 sends N frames and receives\n"
"                          M, each numbered; stall=K: it stops taking RX\n"
"                          after K; detach=K: after K TX frames the VMM\n"
"                          detaches TX's backend and the guest keeps kicking\n"
"                          (kicks ignored); start=S: S seconds into the run (0)\n"
"                          (an omitted count is 0; not with --fault)\n"
"  --help                  this text\n"
"\n"
"Output (stdout) is key=value lines: workload, region, memslot, running,\n"
"tick, vcpu, total, vm_stat.NAME=V, vcpu_stat.NAME=V.  See docs/workload.md.\n";

enum {
	OPT_MEM = 256, OPT_VCPUS, OPT_SECONDS, OPT_BACKING, OPT_NODE,
	OPT_PATTERN, OPT_MIX, OPT_AS, OPT_SWITCH, OPT_PTW, OPT_SEED,
	OPT_TRUTH, OPT_DIRTY, OPT_CHURN, OPT_KVMDEV, OPT_DRY, OPT_BATCH,
	OPT_HELP, OPT_NOPREFAULT, OPT_WARMUP, OPT_INTERVAL, OPT_FAULT, OPT_EXITS,
	OPT_HALTS, OPT_NAME,
	OPT_REMAP, OPT_DEVSLOTS, OPT_DTOGGLE, OPT_VHOST, OPT_QUIET = 'q',
};

static const struct option longopts[] = {
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "vcpus", required_argument, NULL, OPT_VCPUS },
	{ "seconds", required_argument, NULL, OPT_SECONDS },
	{ "backing", required_argument, NULL, OPT_BACKING },
	{ "node", required_argument, NULL, OPT_NODE },
	{ "pattern", required_argument, NULL, OPT_PATTERN },
	{ "mix", required_argument, NULL, OPT_MIX },
	{ "address-spaces", required_argument, NULL, OPT_AS },
	{ "switch-rate", required_argument, NULL, OPT_SWITCH },
	{ "pt-writes", required_argument, NULL, OPT_PTW },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "truth", required_argument, NULL, OPT_TRUTH },
	{ "dirty-log", required_argument, NULL, OPT_DIRTY },
	{ "slot-churn", optional_argument, NULL, OPT_CHURN },
	{ "remap", optional_argument, NULL, OPT_REMAP },
	{ "device-slots", no_argument, NULL, OPT_DEVSLOTS },
	{ "dirty-toggle", optional_argument, NULL, OPT_DTOGGLE },
	{ "kvm-dev", required_argument, NULL, OPT_KVMDEV },
	{ "dry-run", no_argument, NULL, OPT_DRY },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "no-prefault", no_argument, NULL, OPT_NOPREFAULT },
	{ "warmup", no_argument, NULL, OPT_WARMUP },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "fault", required_argument, NULL, OPT_FAULT },
	{ "exits", required_argument, NULL, OPT_EXITS },
	{ "halts", required_argument, NULL, OPT_HALTS },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "vhost-net", required_argument, NULL, OPT_VHOST },
	{ NULL, 0, NULL, 0 },
};

const char *backing_name(enum backing b)
{
	switch (b) {
	case BACKING_ANON: return "anon";
	case BACKING_SHARED: return "shared";
	case BACKING_THP: return "thp";
	case BACKING_HUGETLB: return "hugetlb";
	}
	return "?";
}

int parse_size(const char *s, uint64_t *out, const char **err)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	if (!*s || *s == '-' || *s == '+') {
		*err = "not a size";
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s) {
		*err = "not a size";
		return -1;
	}
	switch (*end) {
	case 0: break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default:
		*err = "unknown suffix (want K, M, G or T)";
		return -1;
	}
	if (*end == 'i' && end[1] == 'B' && shift)
		end += 2;
	else if (*end == 'B' && shift)
		end++;
	if (*end) {
		*err = "trailing characters";
		return -1;
	}
	if (shift && v > (~0ULL >> shift)) {
		*err = "too large";
		return -1;
	}
	*out = v << shift;
	return 0;
}

static int bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "guest: %s %s: %s\n", opt, val, why);
	return -1;
}

static int parse_int(const char *opt, const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return bad(opt, s, "not an integer");
	if (v < lo || v > hi) {
		fprintf(stderr, "guest: %s %s: out of range (want %ld-%ld)\n",
			opt, s, lo, hi);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int parse_num(const char *opt, const char *s, double lo, double hi,
		     int lo_open, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v))
		return bad(opt, s, "not a number");
	if (v < lo || (lo_open && v == lo) || v > hi) {
		fprintf(stderr, "guest: %s %s: out of range (want %s%g to %g)\n",
			opt, s, lo_open ? "more than " : "", lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

#define VNET_MAX	10000000	/* packets per direction */

/* --vhost-net tx=N,rx=M[,stall=K][,detach=K][,start=S]: 0 or -1 (said). */
static int parse_vhost(const char *spec, struct options *o)
{
	char buf[128], *save = NULL, *f;
	int seen_tx = 0, seen_rx = 0;

	if (strlen(spec) >= sizeof(buf))
		return bad("--vhost-net", spec, "too long");
	strcpy(buf, spec);
	o->vnet.tx = o->vnet.rx = o->vnet.stall = o->vnet.detach = 0;
	o->vnet.start = 0;
	for (f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(f, '='), *end;
		unsigned long v;
		unsigned *dst;

		if (!eq)
			return bad("--vhost-net", spec, "want tx=N,rx=M[,stall=K][,detach=K][,start=S]");
		*eq = 0;
		if (!strcmp(f, "start")) {
			if (parse_num("--vhost-net start", eq + 1, 0, 1e6, 0,
				      &o->vnet.start))
				return -1;
			continue;
		}
		if (!strcmp(f, "tx"))
			dst = &o->vnet.tx, seen_tx++;
		else if (!strcmp(f, "rx"))
			dst = &o->vnet.rx, seen_rx++;
		else if (!strcmp(f, "stall"))
			dst = &o->vnet.stall;
		else if (!strcmp(f, "detach"))
			dst = &o->vnet.detach;
		else {
			fprintf(stderr, "guest: --vhost-net %s: unknown field '%s' (want tx, rx, stall, detach, start)\n",
				spec, f);
			return -1;
		}
		errno = 0;
		v = strtoul(eq + 1, &end, 10);
		if (errno || end == eq + 1 || *end || eq[1] == '-' || eq[1] == '+') {
			fprintf(stderr, "guest: --vhost-net %s: %s=%s: not a count\n",
				spec, f, eq + 1);
			return -1;
		}
		if (v > VNET_MAX) {
			fprintf(stderr, "guest: --vhost-net %s: %s=%s: out of range (want 0-%d)\n",
				spec, f, eq + 1, VNET_MAX);
			return -1;
		}
		*dst = (unsigned)v;
	}
	if (seen_tx > 1 || seen_rx > 1)
		return bad("--vhost-net", spec, "a field given twice");
	if (!o->vnet.tx && !o->vnet.rx)
		return bad("--vhost-net", spec, "nothing to do (tx and rx are both 0)");
	if (o->vnet.stall && o->vnet.stall >= o->vnet.rx)
		return bad("--vhost-net", spec, "stall=K must be less than rx=M");
	if (o->vnet.detach && o->vnet.detach >= o->vnet.tx)
		return bad("--vhost-net", spec, "detach=K must be less than tx=N");
	o->vnet.on = 1;
	return 0;
}

/* The defaults: every option not given. */
static void set_defaults(struct options *o)
{
	char err[256];

	memset(o, 0, sizeof(*o));
	o->mem = 64ULL << 20;
	o->vcpus = 1;
	o->seconds = 5;
	o->backing = BACKING_ANON;
	o->node = -1;
	o->address_spaces = 1;
	o->seed = 1;
	o->churn_ms = 100;
	o->remap_ms = 50;
	o->toggle_ms = 500;
	o->kvm_dev = "/dev/kvm";
	o->batch = 256;
	o->prefault = 1;
	o->interval = 1;
	pattern_parse("hotcold:hot=10%,p=0.9", &o->pat, err, sizeof(err));
	mix_parse("r=100", &o->mix, err, sizeof(err));

}

/* Option C with its argument ARG (ARG0: the word the parser stopped at,
 * for the message of an unknown one): 0, 1 after --help, -1 on an error
 * (said). */
static int one_option(struct options *o, int c, const char *arg,
		      const char *arg0)
{
	char err[256];
	const char *why;

	switch (c) {
	case OPT_MEM:
		if (parse_size(arg, &o->mem, &why))
			return bad("--mem", arg, why);
		if (o->mem == 0)
			return bad("--mem", arg, "must be more than 0");
		if (o->mem % GUEST_PAGE_SIZE)
			return bad("--mem", arg, "not a multiple of 4K");
		if (o->mem > MAX_MEM)
			return bad("--mem", arg, "too large (maximum 256G)");
		break;
	case OPT_VCPUS:
		if (parse_int("--vcpus", arg, 1, GUEST_MAX_VCPUS, &o->vcpus))
			return -1;
		break;
	case OPT_SECONDS:
		if (parse_num("--seconds", arg, 0, 1e6, 1, &o->seconds))
			return -1;
		break;
	case OPT_BACKING:
		if (!strcmp(arg, "anon"))
			o->backing = BACKING_ANON;
		else if (!strcmp(arg, "shared"))
			o->backing = BACKING_SHARED;
		else if (!strcmp(arg, "thp"))
			o->backing = BACKING_THP;
		else if (!strcmp(arg, "hugetlb"))
			o->backing = BACKING_HUGETLB;
		else
			return bad("--backing", arg,
				   "unknown backing (want anon, shared, thp or hugetlb)");
		break;
	case OPT_NODE:
		if (parse_int("--node", arg, 0, 1023, &o->node))
			return -1;
		break;
	case OPT_PATTERN:
		if (pattern_parse(arg, &o->pat, err, sizeof(err))) {
			fprintf(stderr, "guest: %s\n", err);
			return -1;
		}
		break;
	case OPT_MIX:
		if (mix_parse(arg, &o->mix, err, sizeof(err))) {
			fprintf(stderr, "guest: %s\n", err);
			return -1;
		}
		break;
	case OPT_AS:
		if (parse_int("--address-spaces", arg, 1, GUEST_MAX_AS,
			      &o->address_spaces))
			return -1;
		break;
	case OPT_SWITCH:
		if (parse_num("--switch-rate", arg, 0, 1e7, 0, &o->switch_rate))
			return -1;
		break;
	case OPT_PTW:
		if (parse_num("--pt-writes", arg, 0, 1e7, 0, &o->pt_writes))
			return -1;
		break;
	case OPT_SEED: {
		char *end;

		errno = 0;
		o->seed = strtoull(arg, &end, 0);
		if (errno || end == arg || *end || *arg == '-')
			return bad("--seed", arg, "not an unsigned integer");
		break;
	}
	case OPT_TRUTH:
		o->truth = arg;
		break;
	case OPT_DIRTY:
		o->dirty_log = arg;
		break;
	case OPT_CHURN:
		o->slot_churn = 1;
		if (arg && parse_num("--slot-churn", arg, 1, 1e6, 0,
					&o->churn_ms))
			return -1;
		break;
	case OPT_REMAP:
		o->remap = 1;
		if (arg && parse_num("--remap", arg, 1, 1e6, 0,
					&o->remap_ms))
			return -1;
		break;
	case OPT_DEVSLOTS:
		o->device_slots = 1;
		break;
	case OPT_DTOGGLE:
		o->dirty_toggle = 1;
		if (arg && parse_num("--dirty-toggle", arg, 1, 1e6, 0,
					&o->toggle_ms))
			return -1;
		break;
	case OPT_KVMDEV:
		o->kvm_dev = arg;
		break;
	case OPT_NOPREFAULT:
		o->prefault = 0;
		break;
	case OPT_WARMUP:
		o->warmup = 1;
		break;
	case OPT_INTERVAL:
		if (parse_num("--interval", arg, 0, 1e6, 0, &o->interval))
			return -1;
		break;
	case OPT_DRY:
		o->dry_run = 1;
		break;
	case OPT_QUIET:
		o->quiet = 1;
		break;
	case OPT_FAULT:
		if (!strcmp(arg, "ud"))
			o->fault = GUEST_FAULT_UD;
		else if (!strcmp(arg, "pf"))
			o->fault = GUEST_FAULT_PF;
		else if (!strcmp(arg, "gp"))
			o->fault = GUEST_FAULT_GP;
		else {
			bad("--fault", arg, "want ud, pf or gp");
			return -1;
		}
		break;
	case OPT_EXITS:
		if (parse_int("--exits", arg, 0, 1000000, &o->exits))
			return -1;
		break;
	case OPT_NAME:
		if (!*arg || strchr(arg, ',')) {
			bad("--name", arg, "want a name without commas (QEMU's -name)");
			return -1;
		}
		o->name = arg;
		break;
	case OPT_HALTS:
		if (parse_int("--halts", arg, 0, 100000, &o->halts))
			return -1;
		break;
	case OPT_VHOST:
		if (parse_vhost(arg, o))
			return -1;
		break;
	case OPT_BATCH: {
		int b;

		if (parse_int("--batch", arg, 1, 1 << 20, &b))
			return -1;
		o->batch = (unsigned)b;
		break;
	}
	case OPT_HELP:
	case 'h':
		fputs(usage_text, stdout);
		return 1;
	case '?':
	default:
		if (optopt)
			fprintf(stderr, "guest: bad or incomplete option -%c\n", optopt);
		else
			fprintf(stderr, "guest: unknown option or missing argument: %s\n",
				arg0);
		fprintf(stderr, "Try 'workload/guest --help'.\n");
		return -1;
	}
	return 0;
}

/* Options that exclude each other, and what follows from others: 0 or -1. */
static int check_options(struct options *o)
{
	if ((o->backing == BACKING_THP || o->backing == BACKING_HUGETLB) &&
	    o->mem % (2ULL << 20)) {
		fprintf(stderr, "guest: --mem must be a multiple of 2M with --backing %s\n",
			backing_name(o->backing));
		return -1;
	}
	if (o->dirty_toggle && o->dirty_log) {
		fprintf(stderr, "guest: --dirty-toggle and --dirty-log exclude each other\n");
		return -1;
	}
	if (o->remap && o->backing == BACKING_HUGETLB) {
		fprintf(stderr, "guest: --remap does not work with --backing hugetlb\n");
		return -1;
	}
	if (o->exits && o->fault) {
		fprintf(stderr, "guest: --exits and --fault exclude each other (the MMIO page is where --fault pf reads)\n");
		return -1;
	}
	if (o->halts && o->exits) {
		fprintf(stderr, "guest: --halts and --exits exclude each other (--halts gives the VM an in-kernel LAPIC, so its HLTs no longer reach the VMM)\n");
		return -1;
	}
	if (o->vnet.on && o->vnet.start >= o->seconds)
		fprintf(stderr, "guest: note: --vhost-net start=%g but the run lasts %gs\n",
			o->vnet.start, o->seconds);
	if (o->vnet.on && o->fault) {
		fprintf(stderr, "guest: --vhost-net and --fault exclude each other (vCPU 0 drives the virtqueues; an exception would leave them half done)\n");
		return -1;
	}
	if (o->quiet)
		o->interval = 0;
	if (o->pat.kind == PAT_PHASES && o->pat.every > o->seconds)
		fprintf(stderr, "guest: note: phases every %gs but the run lasts %gs\n",
			o->pat.every, o->seconds);
	return 0;
}

int parse_options(int argc, char **argv, struct options *o)
{
	int c, r;

	set_defaults(o);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
		r = one_option(o, c, optarg, argv[optind - 1]);
		if (r)
			return r;
	}
	if (optind < argc) {
		fprintf(stderr, "guest: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return check_options(o);
}
