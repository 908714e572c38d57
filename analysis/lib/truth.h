/* SPDX-License-Identifier: GPL-2.0 */
/*
 * truth.h - the ground-truth file of workload/guest, used by hotness,
 * wss and heatmap to score their estimates. '#' comment lines, then one line per frame and
 * phase, in either of two forms:
 *   phase=<p> gfn=0x<hex> share=<float> hot=<0|1>
 *   <gfn> <phase> <share> <hot>          (columns, as workload/guest
 *                                         writes them; the order may be
 *                                         set by "# columns=gfn phase ...")
 * phase counts from 0; share is the expected fraction of the phase's
 * accesses that go to the frame. A "# phase_seconds=<s>" comment gives
 * the length of a phase.
 */
#ifndef ANALYSIS_TRUTH_H
#define ANALYSIS_TRUTH_H

#include <stddef.h>
#include <stdint.h>

#include "bad.h"

struct truth_row {
	uint32_t phase;
	uint64_t gfn;
	double share;
	int hot;
};

/* Column order of the column form: index (0-based) of gfn, phase,
 * share, hot. */
struct truth_cols {
	unsigned gfn, phase, share, hot;
};

/* Parse one data line; NULL on success or a static reason. */
const char *truth_parse(const char *l, const char *e,
			const struct truth_cols *cols, struct truth_row *row);

struct truth_phase {
	struct truth_row *rows;		/* sorted by gfn */
	size_t n, cap;
	size_t nhot;
};

struct truth {
	struct truth_phase *phases;	/* indexed by phase number */
	uint32_t nphases;
	double phase_seconds;		/* from the comments, 0 if absent */
	struct truth_cols cols;
	struct bad bad;
};

/* Load PATH; returns 0 or -1 with errno set. Malformed lines are in
 * t->bad. Duplicate (phase, gfn) lines: the last one wins. */
int truth_load(struct truth *t, const char *path);
int truth_load_mem(struct truth *t, const void *data, size_t len);
/* The index of PH's first row at or above GFN (PH->n if none). */
size_t truth_phase_lower(const struct truth_phase *ph, uint64_t gfn);
/* The row for GFN in phase P, or NULL. */
const struct truth_row *truth_find(const struct truth *t, uint32_t p,
				   uint64_t gfn);
void truth_free(struct truth *t);
/* The most of PH's accesses that CAPACITY of its frames can serve: the
 * sum of its CAPACITY highest shares over the sum of all (0 if none). */
double truth_best_share(const struct truth_phase *ph, size_t capacity);

/* How time windows meet the truth's phases: every window compared with
 * one fixed phase, or phase P covering [t0 + P*len, t0 + (P+1)*len). */
struct truth_phasing {
	int have_phase;
	uint32_t phase;
	uint64_t phase_len;	/* ns; 0: from the file, or one phase */
	uint32_t nphases;	/* of the file, set by truth_load_phased */
	/* The phase changes the guest reported (truth_load_phase_times):
	 * phase at[i] from start_ns[i] after the time origin; entry 0 is
	 * phase 0 at 0. ntimes 0: none, the rules above apply. */
	size_t ntimes;
	uint64_t *start_ns;
	uint32_t *at;
	const char *times_path;	/* -P/--phase-times, loaded with the truth */
};
/* The options -p/--phase and -L/--phase-length, for a program's option
 * table, and their --help lines. */
#define TRUTH_LONGOPTS \
	{ "phase", required_argument, NULL, 'p' }, \
	{ "phase-length", required_argument, NULL, 'L' }, \
	{ "phase-times", required_argument, NULL, 'P' }
extern const char truth_phase_help[];
/* Option C with argument ARG: 1 if it was -p, -L or -P (exits 2 on a
 * bad argument, or on two of them given), 0 if not. */
int truth_option(struct truth_phasing *ph, int c, const char *arg);
/* Load PATH for a program's -g option and settle PH (the phase times
 * of -P, or the phase length from its '# phase_seconds=' when PH gives
 * none); malformed lines are
 * reported on stderr. Exits 2 on an unreadable file, one without data
 * lines, or several phases and no way to tell them apart. */
void truth_load_phased(struct truth *t, const char *path,
		       struct truth_phasing *ph);
/* The phase window [START, END) is compared with: the one holding its
 * middle; past the last phase the guest goes round them again (phase
 * P mod the file's phases, as workload/guest's phases pattern does). */
long truth_window_phase(const struct truth_phasing *ph, uint64_t t0,
			uint64_t start, uint64_t end);

/* Load the phase changes from PATH, workload/guest's output: its lines
 * 'phase t=SECONDS phase=P' (other lines are passed over), in time
 * order. Exits 2 on an unreadable file, a malformed or out-of-order
 * phase line, or with --phase given. Windows are then compared with
 * the phase the guest was in at their middle. */
void truth_load_phase_times(struct truth_phasing *ph, const char *path);
/* With phase times: the phase before the window's (-1 if it is the
 * first), and the changes that lie inside [START, END) by more than a
 * twentieth of its length (a window that straddles a change). */
long truth_window_prev_phase(const struct truth_phasing *ph, uint64_t t0,
			     uint64_t start, uint64_t end);
size_t truth_window_changes(const struct truth_phasing *ph, uint64_t t0,
			    uint64_t start, uint64_t end);
void truth_phasing_free(struct truth_phasing *ph);

#endif
