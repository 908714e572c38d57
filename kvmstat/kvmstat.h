/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmstat.h - the statistics table shared by kvmstat's parts: each field
 * is one KVM statistic from one source (binary stats or debugfs), with its
 * descriptor (type, unit, base, exponent, histogram buckets) and its
 * values: at the baseline, at the previous refresh and now, summed over
 * the VMs watched (and, for binary vCPU stats, per vCPU column).
 */
#ifndef KVMSTAT_H
#define KVMSTAT_H

#include <regex.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

enum source { SRC_BINARY, SRC_DEBUGFS, SRC_TRACE, NR_SOURCES };

#define KVMSTAT_MAX_COLS	1024	/* per-vCPU columns (--vcpu) */

struct field {
	char *name;
	enum source src;
	uint32_t flags;		/* KVM_STATS_TYPE_* | UNIT_* | BASE_* */
	int16_t exponent;
	uint32_t size;		/* values: 1, or histogram buckets */
	uint32_t bucket_size;	/* linear histograms */
	int vcpu_level;		/* a vCPU statistic (binary stats) */
	uint64_t *base, *prev, *cur;	/* size values each */
	uint64_t *col_base, *col_prev, *col_cur;	/* per column (bucket sums) */
	int present;		/* read in this round */
	int fresh;		/* not read before this round */
	int clash;		/* another source has this name: "@source" */
};

struct table {
	struct field *f;
	size_t n, cap;
	size_t ncols;
	char *col_label[KVMSTAT_MAX_COLS];
};

/* The options, as given (kvm_stat's letters where it has them). */
struct env {
	int once, csv, log, skip_zero, include_past, per_vcpu, json;
	int metrics, openmetrics;	/* how many of --prometheus, --openmetrics; which */
	int exit_reasons;	/* --exit-reasons */
	int delay_set;		/* -s given */
	int check;		/* --check */
	double check_s;		/* its interval */
	int (*tp_wanted)(const char *name);	/* --check: its tracepoints only */
	int want[NR_SOURCES];	/* -b, -d; none: the default */
	const char *fields;	/* -f REGEX */
	regex_t re;
	int have_re;
	const char *guest;	/* -g NAME */
	pid_t pid;		/* -p PID, or from -g; 0: all VMs */
	double delay;		/* -s */
	const char *log_file;	/* -L */
	const char *debugfs;	/* its mount point (found at start) */
	char *files[64];	/* --stats-file (tests, saved stats) */
	int nfiles;
};

/* stats.c */
struct field *table_get(struct table *t, const char *name, enum source src,
			uint32_t flags, int16_t exponent, uint32_t size,
			uint32_t bucket_size, int vcpu_level);
int field_wanted(const struct env *env, const char *name);
void table_begin_round(struct table *t);
void table_end_round(struct table *t, int include_past);
void table_sort(struct table *t);
void table_reset(struct table *t);	/* totals from now (the view's r) */
void table_free(struct table *t);
int field_type(const struct field *f);	/* KVM_STATS_TYPE_* */
int field_is_hist(const struct field *f);
uint64_t field_sum(const uint64_t *v, const struct field *f);
uint64_t field_value(const struct field *f);	/* since the baseline */
uint64_t field_delta(const struct field *f);	/* since the last round */
uint64_t col_value(const struct field *f, size_t col);
uint64_t col_delta(const struct field *f, size_t col);
const char *source_name(enum source s);
double now_s(void);	/* CLOCK_MONOTONIC, in seconds */
const char *type_name(const struct field *f);
void unit_name(const struct field *f, char *buf, size_t len);

/* binstats.c: VMs and their binary statistics. */
struct vmset;
enum { BIN_OK, BIN_ENOVM, BIN_EACCESS, BIN_EUNSUP, BIN_EOTHER };
/* Find the VMs (of env->pid, or all), open their stats fds and add their
 * vCPUs as T's columns; NULL on error, with *err (BIN_*) and, unless
 * QUIET, a message. */
struct vmset *bin_open(const struct env *env, struct table *t, int quiet,
		       int *err);
/* Add the current values into T (columns when per_vcpu). 0 or -1. */
struct vmset *bin_open_files(const struct env *env, struct table *t);
int bin_read(struct vmset *s, struct table *t, int per_vcpu, int include_past);
/* Without -p: add the VMs that appeared (totals only, no columns). */
size_t bin_rescan(struct vmset *s, const struct env *env);
/* The pidfds to poll: fills at most max, returns how many. */
size_t bin_pollfds(struct vmset *s, int *fds, size_t max);
/* A pidfd reported an exit: drop that VM, say so; returns VMs left. */
size_t bin_vm_exited(struct vmset *s, int pidfd);
/* Whether PID holds a KVM VM fd (is a VMM). */
int bin_is_vmm(pid_t pid);
/* What every front end says of a -p PID that bin_is_vmm() refuses. */
#define NOT_VMM_FMT "pid %d has no KVM VM open (is it a VMM?)"
size_t bin_nr_vms(const struct vmset *s);
size_t bin_nr_vcpus(const struct vmset *s);
void bin_close(struct vmset *s);

/* debugfs.c */
const char *debugfs_mount(void);	/* NULL when debugfs is not mounted */
struct dfs;
struct dfs *dfs_open(const struct env *env, int quiet);
int dfs_read(struct dfs *d, struct table *t);	/* 0, or -1: VM gone */
void dfs_close(struct dfs *d);

/* reasons.c: the exit reasons of kvm_exit (SVM or VMX, by the CPU) and
 * of kvm_userspace_exit (KVM_EXIT_*), with the field they are in. */
struct exit_reason {
	unsigned long code;
	const char *name;
};
struct exit_reasons {
	const char *field;	/* "exit_reason", "reason"; NULL: none */
	const struct exit_reason *reason;
	size_t n;
};
struct exit_reasons exit_reasons_of(const char *event);
/* This CPU's virtualization extension, whose kvm_exit reasons apply. */
enum exit_isa { EXIT_ISA_NONE, EXIT_ISA_SVM, EXIT_ISA_VMX };
enum exit_isa exit_isa(void);
const char *exit_reason_name(const struct exit_reasons *r, unsigned long code);

/* exits.c: --exit-reasons, until the VMM (VMM_PIDFD, or -1) ends or STOP
 * is set; the exit status. */
struct exits;
int exits_run(const struct env *env, int vmm_pidfd, volatile sig_atomic_t *stop);
void exits_close(struct exits *x);

/* tracepoints.c */
const char *tp_dir(void);	/* tracefs's events/kvm, or NULL */
int tp_event_id(const char *dir, const char *name);
/* The VMM's threads (PID) or, without PID, the CPUs, into TID: how many. */
size_t tp_targets(pid_t pid, int *tid, size_t max);
struct tps;
/* NULL: message printed; stops opening when *STOP is set (SIGTERM). */
struct tps *tp_open(const struct env *env, volatile sig_atomic_t *stop);
void tp_read(struct tps *s, struct table *t);
void tp_close(struct tps *s);

/* output.c */
struct out {
	FILE *f;
	const struct env *env;
	unsigned long lines;	/* since the last banner */
	int banner_done;
};
void out_fields_help(FILE *f, const struct table *t);
void out_once(FILE *f, const struct env *env, const struct table *t);
void out_banner(struct out *o, const struct table *t);
void out_log_line(struct out *o, const struct table *t);
void out_json(FILE *f, const struct env *env, const struct table *t);
int out_all_zero(const struct table *t);

/* check.c: --check's comparison of the sources over T's last interval;
 * 0 when they agree, else 1. */
int out_check(FILE *f, const struct env *env, const struct table *t);
/* Whether --check compares tracepoint (or child event) NAME. */
int check_tracepoint(const char *name);

/* tui.c: the full-screen view until q, or until REFRESH (a round of
 * every source) says the VMs are gone (1) or fails (-1); the status.
 * PICK, for the g and p keys, watches the VMM of KEY's ANSWER (a guest
 * name, a pid; every VM when empty) in T: 0 when it did, 1 when it
 * refused; MSG says what happened. */
typedef int (*tui_pick_fn)(void *ctx, int key, const char *answer, char *msg,
			   size_t len);
int tui_run(struct env *env, struct table *t, int (*refresh)(void *ctx),
	    tui_pick_fn pick, void *ctx);

/* metrics.c: one exposition of T, OpenMetrics or Prometheus text. */
void out_metrics(FILE *f, const struct env *env, const struct table *t);
/* The same into PATH, replaced atomically (PATH.tmp, rename): 0 or -1. */
int metrics_to_file(const char *path, const struct env *env,
		    const struct table *t);
/* kvm_stat's CSV banner for T: "timestamp,NAME,..." into buf. */
size_t csv_banner(char *buf, size_t len, const struct table *t, int per_vcpu);
/* Column name of F ("@source" when several sources have its name). */
void column_name(char *buf, size_t len, const struct table *t,
		 const struct field *f, size_t col);

#endif
