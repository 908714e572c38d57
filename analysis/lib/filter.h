/* SPDX-License-Identifier: GPL-2.0 */
/*
 * filter.h - the record filters every analysis program takes, over
 * struct kvm_ept_sample_v2 (so text and binary logs filter alike):
 * expiry records left out or kept alone, one vCPU, access types, and a
 * time window relative to a time origin (the first record, unless the
 * program has another). One option parser and one help text for all.
 */
#ifndef ANALYSIS_FILTER_H
#define ANALYSIS_FILTER_H

#include <getopt.h>
#include <stdint.h>

#include "eptlog.h"

enum filter_expired { FILTER_ANY, FILTER_NO_EXPIRED, FILTER_EXPIRED_ONLY };

struct filter {
	enum filter_expired expired;
	int have_vcpu, have_type, have_from, have_to;
	uint32_t vcpu;
	unsigned xwr;		/* a record passes with any of these bits */
	uint64_t from, to;	/* ns after the time origin: [from, to) */
};

/* Option codes (long options only), clear of the programs' own. */
enum {
	FILTER_OPT_NO_EXPIRED = 0x200, FILTER_OPT_EXPIRED_ONLY,
	FILTER_OPT_VCPU, FILTER_OPT_TYPE, FILTER_OPT_FROM, FILTER_OPT_TO,
};

/* The getopt_long entries, to put in a program's option table. */
#define FILTER_LONGOPTS \
	{ "no-expired", no_argument, NULL, FILTER_OPT_NO_EXPIRED }, \
	{ "expired-only", no_argument, NULL, FILTER_OPT_EXPIRED_ONLY }, \
	{ "vcpu", required_argument, NULL, FILTER_OPT_VCPU }, \
	{ "type", required_argument, NULL, FILTER_OPT_TYPE }, \
	{ "from", required_argument, NULL, FILTER_OPT_FROM }, \
	{ "to", required_argument, NULL, FILTER_OPT_TO }

/* The --help lines of the filter options. */
extern const char filter_help[];

/* Option C with argument ARG: 1 if it was a filter option (exits 2 on a
 * bad argument), 0 if not. */
int filter_option(struct filter *f, int c, const char *arg);
/* Is any filter set? */
int filter_active(const struct filter *f);
/* Does record S pass, T0 being the time origin? */
static inline int filter_pass(const struct filter *f,
			      const struct kvm_ept_sample_v2 *s, uint64_t t0)
{
	int expired = !!(s->flags & KVM_EPT_SAMPLE_F_EXPIRED);
	uint64_t dt = s->time_ns >= t0 ? s->time_ns - t0 : 0;

	if ((f->expired == FILTER_NO_EXPIRED && expired) ||
	    (f->expired == FILTER_EXPIRED_ONLY && !expired))
		return 0;
	if (f->have_vcpu && s->vcpu != f->vcpu)
		return 0;
	if (f->have_type && !(s->xwr & f->xwr))
		return 0;
	if ((f->have_from && (s->time_ns < t0 || dt < f->from)) ||
	    (f->have_to && s->time_ns >= t0 && dt >= f->to))
		return 0;
	return 1;
}

#endif
