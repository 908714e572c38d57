/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tier.h - eptscope-tier, the tiering daemon: its options, the per-frame
 * table of the guest (lib/session.h's memslot order), the temperature
 * policies (policy.c) and the migrator (migrate.c).
 */
#ifndef TIER_H
#define TIER_H

#include <stddef.h>
#include <stdint.h>

#include "../analysis/lib/frames.h"
#include "../analysis/lib/session.h"
#include "../analysis/lib/truth.h"

/* rate and decay read the samples; oracle (the ground truth's shares)
 * and random (a fixed random order) are the baselines they are scored
 * against, moved by the same migrator. */
enum policy { POLICY_RATE, POLICY_DECAY, POLICY_ORACLE, POLICY_RANDOM };
enum huge { HUGE_AUTO, HUGE_ON, HUGE_OFF };

#define REGION_FRAMES	512		/* a 2 MiB region, in 4 KiB frames */

struct tier_opts {
	int pid;
	int fast, slow;
	double fast_ratio;
	uint64_t interval_ms;
	double max_mbps;
	enum policy policy;
	double window_s;		/* rate: the estimator's window */
	double half_life_s;		/* decay: the temperature's half-life */
	double weight[3];		/* decay: per sample of r, w, x */
	const char *truth_path;		/* oracle: workload/guest's truth */
	uint32_t truth_phase;		/* oracle: its phase */
	uint64_t seed;			/* random: the order's seed */
	double tolerance;		/* anti-thrash band (lib/plan.h) */
	double hold_s;			/* anti-thrash: no page moved twice within */
	uint64_t freq;			/* the session's samples per second */
	int mode;			/* KVM_EPT_SAMPLE_MODE_* */
	double duration_s;		/* 0: until the VM is gone or a signal */
	int huge;			/* HUGE_AUTO, HUGE_ON (2 MiB units), HUGE_OFF */
	int quiet;
};

/*
 * What the daemon knows of each guest frame, and the units it moves them
 * in: each frame alone, or (huge pages) each 2 MiB-aligned region of
 * guest frames within a memslot, so that a transparent huge page is
 * decided and moved whole.
 */
struct frame_table {
	struct memslots ms;
	size_t n;			/* ms.frames */
	uint64_t *hva;			/* the VMM's address of frame i */
	int *node;			/* where it is, or -errno (re-read) */
	double *temp;			/* the policy's temperature */
	int64_t *moved;			/* interval of its last move, or -1 */
	size_t nu;			/* units */
	size_t *ustart;			/* first frame of unit u */
	uint32_t *ulen;			/* its frames */
	unsigned unit;			/* 1, or REGION_FRAMES */
	uint64_t credit;		/* pages the MB/s bound lets move now */
};

/* The temperature of every frame, under the chosen policy. */
struct policy_state {
	enum policy policy;
	const struct tier_opts *o;
	struct frames win[2];		/* rate: current and next half-window */
	uint64_t start_ns;		/* rate: when the records began */
	uint64_t rotated_ns;		/* rate: when win[1] was last cleared */
	uint64_t last_decay_ns;		/* decay: time of the last decay */
	struct truth truth;		/* oracle */
};

/* Exits 2 when the oracle's truth cannot be read or lacks its phase. */
void policy_init(struct policy_state *p, const struct tier_opts *o,
		 uint64_t now);
/* One record from the session. */
void policy_add(struct policy_state *p, struct frame_table *f,
		const struct kvm_ept_sample_v2 *s);
/* Bring every frame's temperature up to time NOW (f->temp). */
void policy_update(struct policy_state *p, struct frame_table *f, uint64_t now);
void policy_reset(struct policy_state *p);
void policy_free(struct policy_state *p);
const char *policy_name(enum policy p);

/* (Re)build the table from the session's memslots: 1 if they changed
 * (temperatures start afresh), 0 if not, -errno on failure. The units
 * are 2 MiB regions with --huge on, or with auto when a memslot's
 * mapping in the VMM holds huge pages (/proc/PID/smaps). */
int table_sync(struct frame_table *f, int fd, const struct tier_opts *o);
void table_free(struct frame_table *f);

/* What one interval of migration did. */
struct moves {
	uint64_t promoted, demoted;	/* pages moved */
	uint64_t failed;		/* pages that did not move */
	uint64_t err[134];		/* of which, by errno */
	uint64_t on_fast, capacity;	/* after the moves */
	int gone;			/* the VMM went away */
};

/* Re-read where every frame is, decide per unit, and move within the
 * budget of BUDGET more pages (a remainder too small for a unit carries
 * over); interval number INTERVAL (for the hold). 0, or -errno when
 * move_pages itself failed. */
int migrate(const struct tier_opts *o, struct frame_table *f, uint64_t budget,
	    int64_t interval, struct moves *m);

#endif
