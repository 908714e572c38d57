/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plan.h - the promotion/demotion decision shared by placement and tier/:
 * given guest frames ranked by estimated access rate (hottest first) and
 * the node each one is on, the hottest CAPACITY frames with a rate above
 * 0 belong on the fast node; a frame on the fast node below them is
 * demoted once it ranks beyond CAPACITY * (1 + TOLERANCE) (the
 * anti-thrash band), or at once when its rate is 0; the rest stays.
 */
#ifndef ANALYSIS_PLAN_H
#define ANALYSIS_PLAN_H

#include <stddef.h>
#include <stdint.h>

enum plan_action { PLAN_STAY, PLAN_PROMOTE, PLAN_DEMOTE, PLAN_ABSENT,
		   PLAN_UNMAPPED };

struct plan_frame {
	uint64_t gfn;
	uint64_t hva;		/* 0: in no memslot */
	double rate;		/* estimated accesses (or samples) per second */
	uint64_t n;		/* observations behind the rate */
	int node;		/* the node it is on, or a negative errno */
	enum plan_action act;
};

struct plan_counts {
	size_t promote, demote, stay, absent, unmapped, on_fast;
};

/* Decide F[0..n) (ranked, hottest first) in place; the counts into C. */
void plan_decide(struct plan_frame *f, size_t n, int fast_node,
		 uint64_t capacity, double tolerance, struct plan_counts *c);
const char *plan_action_name(enum plan_action a);

#endif
