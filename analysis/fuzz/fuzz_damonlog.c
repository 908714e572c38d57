/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_damonlog.c - libFuzzer target for DAMON's view (lib/damonlog.c):
 * every observation must lie within a memslot read before it and count
 * no more accesses than checks.
 */
#include <stdlib.h>

#include "../lib/damonlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct damonlog d;
	struct damon_obs o;

	damonlog_open_mem(&d, (const char *)data, size);
	while (damonlog_next(&d, &o)) {
		int inside = 0;

		if (!o.frames || o.accesses > o.checks || !o.interval_ns)
			abort();
		for (unsigned i = 0; i < d.nslots; i++) {
			const struct damon_slot *s = &d.slot[i];

			if (o.gfn >= s->gpa >> 12 &&
			    o.gfn + o.frames <= (s->gpa >> 12) + s->pages)
				inside = 1;
		}
		if (!inside)
			abort();
	}
	damonlog_close(&d);
	return 0;
}
