/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_truth.c - libFuzzer target for the ground-truth reader
 * (lib/truth.c): load, then look every row up again.
 */
#include <stdlib.h>

#include "../lib/truth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct truth t;

	truth_load_mem(&t, data, size);
	for (uint32_t p = 0; p < t.nphases; p++)
		for (size_t i = 0; i < t.phases[p].n; i++)
			if (truth_find(&t, p, t.phases[p].rows[i].gfn) !=
			    &t.phases[p].rows[i])
				abort();
	truth_free(&t);
	return 0;
}
