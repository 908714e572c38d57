/* SPDX-License-Identifier: GPL-2.0 */
/* filter.c - record filter options (see filter.h). */
#include "filter.h"

#include <err.h>
#include <string.h>

#include "common.h"

const char filter_help[] =
"\n"
"Record filters (sample logs, text or binary alike):\n"
"      --no-expired        leave out expiry records (expired=1)\n"
"      --expired-only      keep only expiry records\n"
"      --vcpu N            only the records of vCPU N\n"
"      --type LETTERS      only accesses of any of these types: r, w, x\n"
"                          or a mix (rw, x, -w-); accessed-bit records\n"
"                          (type ---) never pass\n"
"      --from DUR          only the records from DUR after the time origin\n"
"      --to DUR            only those before DUR after it (DUR: ns, or\n"
"                          500us, 10ms, 2s; origin: the first record)\n";

/* "r", "wx", "rw-", "-w-": the xwr bits of the letters; exits 2. */
static unsigned parse_types(const char *arg)
{
	unsigned xwr = 0;

	for (const char *p = arg; *p; p++) {
		switch (*p) {
		case 'r': xwr |= KVM_EPT_SAMPLE_R; break;
		case 'w': xwr |= KVM_EPT_SAMPLE_W; break;
		case 'x': xwr |= KVM_EPT_SAMPLE_X; break;
		case '-': break;
		default:
			errx(2, "--type: letters r, w, x (e.g. w, rx, rw-), "
			     "not '%s'", arg);
		}
	}
	if (!xwr)
		errx(2, "--type: give at least one of r, w, x, not '%s'", arg);
	return xwr;
}

int filter_option(struct filter *f, int c, const char *arg)
{
	uint64_t v;

	switch (c) {
	case FILTER_OPT_NO_EXPIRED:
	case FILTER_OPT_EXPIRED_ONLY:
		if (f->expired != FILTER_ANY)
			errx(2, "--no-expired and --expired-only exclude "
			     "each other");
		f->expired = c == FILTER_OPT_NO_EXPIRED ? FILTER_NO_EXPIRED :
			     FILTER_EXPIRED_ONLY;
		return 1;
	case FILTER_OPT_VCPU:
		v = opt_u64(arg, "--vcpu");
		if (v > UINT32_MAX)
			errx(2, "--vcpu: out of range: '%s'", arg);
		f->vcpu = (uint32_t)v;
		f->have_vcpu = 1;
		return 1;
	case FILTER_OPT_TYPE:
		f->xwr = parse_types(arg);
		f->have_type = 1;
		return 1;
	case FILTER_OPT_FROM:
		f->from = opt_duration_ns(arg, "--from");
		f->have_from = 1;
		break;
	case FILTER_OPT_TO:
		f->to = opt_duration_ns(arg, "--to");
		f->have_to = 1;
		break;
	default:
		return 0;
	}
	if (f->have_from && f->have_to && f->to <= f->from)
		errx(2, "--to must be later than --from");
	return 1;
}

int filter_active(const struct filter *f)
{
	return f->expired != FILTER_ANY || f->have_vcpu || f->have_type ||
	       f->have_from || f->have_to;
}
