/* SPDX-License-Identifier: GPL-2.0 */
/* plan.c - promote, demote or stay for each ranked frame (see plan.h). */
#include "plan.h"

#include <string.h>

void plan_decide(struct plan_frame *f, size_t n, int fast_node,
		 uint64_t capacity, double tolerance, struct plan_counts *c)
{
	double keep = (double)capacity * (1.0 + tolerance);

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < n; i++) {
		int hot = i < capacity && f[i].rate > 0;

		if (!f[i].hva)
			f[i].act = PLAN_UNMAPPED;
		else if (f[i].node < 0)
			f[i].act = PLAN_ABSENT;
		else if (f[i].node == fast_node)
			f[i].act = hot || ((double)i < keep && f[i].rate > 0) ?
				   PLAN_STAY : PLAN_DEMOTE;
		else
			f[i].act = hot ? PLAN_PROMOTE : PLAN_STAY;
		c->on_fast += f[i].hva && f[i].node == fast_node;
		switch (f[i].act) {
		case PLAN_STAY: c->stay++; break;
		case PLAN_PROMOTE: c->promote++; break;
		case PLAN_DEMOTE: c->demote++; break;
		case PLAN_ABSENT: c->absent++; break;
		case PLAN_UNMAPPED: c->unmapped++; break;
		}
	}
}

const char *plan_action_name(enum plan_action a)
{
	static const char *const names[] = {
		[PLAN_STAY] = "stay", [PLAN_PROMOTE] = "promote",
		[PLAN_DEMOTE] = "demote", [PLAN_ABSENT] = "absent",
		[PLAN_UNMAPPED] = "unmapped",
	};

	return names[a];
}
