// SPDX-License-Identifier: GPL-2.0
/*
 * check.c - kvmstat --check: do the sources agree? Over one interval,
 * each KVM statistic that more than one source has, side by side: binary
 * stats and debugfs read the same counter (they must agree up to the
 * moments each is read), and the tracepoint (or child event) that fires
 * where KVM counts the statistic, with the reason a tracepoint may differ.
 */
#include <stdio.h>
#include <string.h>

#include "../analysis/lib/common.h"
#include "kvmstat.h"

/* The slack for reading the sources one after the other: a share of the
 * larger count, plus a constant. */
#define SAME_COUNTER_PCT	2
#define SAME_COUNTER_ABS	20
#define TRACEPOINT_PCT		5
#define TRACEPOINT_ABS		20

struct check_pair {
	const char *stat;	/* the binary and debugfs name */
	const char *event[2];	/* the tracepoint: SVM's, VMX's (or both) */
	const char *where;	/* where KVM counts both */
};

/* Where KVM (6.1, 6.12) increments each statistic and fires each event. */
static const struct check_pair pairs[] = {
	{ "exits", { "kvm_exit", "kvm_exit" },
	  "exits also counts the exits handled in the fastpath, which re-enter without kvm_exit" },
	{ "halt_exits", { "kvm_exit(HLT)", "kvm_exit(HLT)" },
	  "both in the HLT exit's handler" },
	{ "io_exits", { "kvm_exit(IOIO)", "kvm_exit(IO_INSTRUCTION)" },
	  "both at the port I/O exit, in the kernel or not" },
	{ "irq_exits", { "kvm_exit(INTR)", "kvm_exit(EXTERNAL_INTERRUPT)" },
	  "both at the exit for a host interrupt" },
	{ "irq_window_exits", { "kvm_exit(VINTR)", "kvm_exit(INTERRUPT_WINDOW)" },
	  "both at the interrupt-window exit" },
	{ "mmio_exits", { "kvm_userspace_exit(MMIO)", "kvm_userspace_exit(MMIO)" },
	  "both when an MMIO access goes to the VMM" },
	{ "request_irq_exits", { "kvm_userspace_exit(IRQ_WINDOW_OPEN)",
				 "kvm_userspace_exit(IRQ_WINDOW_OPEN)" },
	  "both when the VMM asked for an interrupt window" },
	{ "signal_exits", { "kvm_userspace_exit(INTR)", "kvm_userspace_exit(INTR)" },
	  "both when a signal ends KVM_RUN" },
	{ "hypercalls", { "kvm_hypercall", "kvm_hypercall" },
	  "both in kvm_emulate_hypercall (Hyper-V and Xen hypercalls count without the event)" },
	{ "pf_taken", { "kvm_page_fault", "kvm_page_fault" },
	  "pf_taken counts every fault KVM's MMU handles, kvm_page_fault those of the NPF/EPT exit" },
	{ "insn_emulation", { "kvm_emulate_insn", "kvm_emulate_insn" },
	  "both in x86_emulate_instruction" },
};

int check_tracepoint(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pairs); i++)
		if (!strcmp(name, pairs[i].event[0]) || !strcmp(name, pairs[i].event[1]))
			return 1;
	return 0;
}

static const struct field *find(const struct table *t, const char *name,
				enum source src)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->f[i].src == src && t->f[i].present && !strcmp(t->f[i].name, name))
			return &t->f[i];
	return NULL;
}

static int within(uint64_t a, uint64_t b, unsigned int pct, unsigned int abs)
{
	uint64_t hi = a > b ? a : b, d = a > b ? a - b : b - a;

	return d <= hi * pct / 100 + abs;
}

static void cell(FILE *out, const struct field *f)
{
	if (f)
		fprintf(out, " %12llu", (unsigned long long)field_delta(f));
	else
		fprintf(out, " %12s", "-");
}

/* The comparison of T's last interval; 0 when every pair agrees. */
int out_check(FILE *out, const struct env *env, const struct table *t)
{
	int svm = exit_isa() == EXIT_ISA_SVM;
	size_t i;
	int bad = 0, shown = 0;

	fprintf(out, "kvmstat --check: %s, deltas over %.1f s\n",
		env->pid ? "the VM of the -p process" : "every VM", env->check_s);
	fprintf(out, "%-18s %12s %12s %12s  %-36s %s\n", "STATISTIC", "BINARY",
		"DEBUGFS", "TRACEPOINT", "(EVENT)", "AGREE");
	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		const struct check_pair *p = &pairs[i];
		const char *ev = p->event[svm ? 0 : 1];
		const struct field *b = find(t, p->stat, SRC_BINARY);
		const struct field *d = find(t, p->stat, SRC_DEBUGFS);
		const struct field *e = find(t, ev, SRC_TRACE);
		const char *verdict = "yes";
		uint64_t ref;

		if (!!b + !!d + !!e < 2)
			continue;
		ref = b ? field_delta(b) : field_delta(d);
		if (b && d && !within(field_delta(b), field_delta(d),
				      SAME_COUNTER_PCT, SAME_COUNTER_ABS))
			verdict = "NO (the same counter)";
		else if (e && !within(ref, field_delta(e), TRACEPOINT_PCT, TRACEPOINT_ABS))
			verdict = "NO";
		if (strcmp(verdict, "yes"))
			bad++;
		fprintf(out, "%-18s", p->stat);
		cell(out, b);
		cell(out, d);
		cell(out, e);
		fprintf(out, "  %-36s %s\n", e ? ev : "-", verdict);
		if (strcmp(verdict, "yes"))
			fprintf(out, "%18s   (%s)\n", "", p->where);
		shown++;
	}
	fprintf(out, "tolerance: binary and debugfs within %d%% + %d, a tracepoint within %d%% + %d of them\n",
		SAME_COUNTER_PCT, SAME_COUNTER_ABS, TRACEPOINT_PCT, TRACEPOINT_ABS);
	if (!shown) {
		fprintf(stderr, "kvmstat: --check: no statistic that two sources have\n");
		return 1;
	}
	if (bad)
		fprintf(stderr, "kvmstat: --check: the sources disagree on %d of %d statistics\n",
			bad, shown);
	return bad ? 1 : 0;
}
