/* SPDX-License-Identifier: GPL-2.0 */
/* fields.c - out-of-line part of the field lookup (see fields.h). */
#include "fields.h"

unsigned col_index(const char *name, const char *l, const char *e)
{
	size_t len = strlen(name);
	const char *vp, *ve;

	if (*l == '#')		/* "# a b c" header: skip the mark */
		l++;
	for (unsigned n = 1; !col_get(n, l, e, &vp, &ve); n++)
		if ((size_t)(ve - vp) == len && !memcmp(vp, name, len))
			return n;
	return 0;
}
