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

int csv_get(unsigned n, const char *l, const char *e, const char **vp,
	    const char **ve)
{
	const char *p = l, *c;

	for (;;) {
		c = memchr(p, ',', (size_t)(e - p));
		if (!c)
			c = e;
		if (--n == 0)
			break;
		if (c == e)
			return -1;
		p = c + 1;
	}
	while (p < c && is_sep(*p))
		p++;
	while (c > p && is_sep(c[-1]))
		c--;
	*vp = p;
	*ve = c;
	return 0;
}

unsigned csv_index(const char *name, const char *l, const char *e)
{
	size_t len = strlen(name);
	const char *vp, *ve;

	for (unsigned n = 1; !csv_get(n, l, e, &vp, &ve); n++)
		if ((size_t)(ve - vp) == len && !memcmp(vp, name, len))
			return n;
	return 0;
}
