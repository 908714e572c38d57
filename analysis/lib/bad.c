/* SPDX-License-Identifier: GPL-2.0 */
/* bad.c - malformed-input accounting (see bad.h). */
#include "bad.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

void bad_init(struct bad *b, const char *what)
{
	memset(b, 0, sizeof(*b));
	b->what = what;
}

void bad_add(struct bad *b, uint64_t where, const char *why)
{
	if (b->kept < BAD_KEEP) {
		b->where[b->kept] = where;
		b->why[b->kept++] = why;
	}
	b->count++;
}

void bad_merge(struct bad *dst, const struct bad *src, uint64_t offset)
{
	for (unsigned i = 0; i < src->kept && dst->kept < BAD_KEEP; i++) {
		dst->where[dst->kept] = src->where[i] + offset;
		dst->why[dst->kept++] = src->why[i];
	}
	dst->count += src->count;
}

uint64_t bad_report(const struct bad *b, FILE *f, const char *name)
{
	if (!b->count)
		return 0;
	fprintf(f, "%s: %s: %" PRIu64 " malformed %s%s; first:",
		program_invocation_short_name, name, b->count, b->what,
		b->count == 1 ? "" : "s");
	for (unsigned i = 0; i < b->kept; i++)
		fprintf(f, "%s %s %" PRIu64 " (%s)", i ? "," : "", b->what,
			b->where[i], b->why[i]);
	fputc('\n', f);
	return b->count;
}
