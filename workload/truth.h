/* SPDX-License-Identifier: GPL-2.0 */
/* truth.h - write the ground-truth file (format: docs/workload.md). */
#ifndef WORKLOAD_TRUTH_H
#define WORKLOAD_TRUTH_H

#include "layout.h"
#include "opts.h"
#include "pattern.h"

int truth_write(const char *path, const struct options *o,
		const struct pattern_model *m, const struct layout *l);

#endif
