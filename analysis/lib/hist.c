/* SPDX-License-Identifier: GPL-2.0 */
/* hist.c - histograms and their text and data output (see hist.h). */
#include "hist.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define BAR_WIDTH	50
#define ELIDE_KEEP	2	/* empty rows kept around data, as stap */

void hist_init_log2(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->type = HIST_LOG2;
	h->nb = HIST_LOG2_BUCKETS;
	h->b = xcalloc(h->nb, sizeof(*h->b));
}

const char *hist_init_linear(struct hist *h, int64_t lo, int64_t hi,
			     int64_t width)
{
	uint64_t span;

	memset(h, 0, sizeof(*h));
	if (width <= 0)
		return "WIDTH must be positive";
	if (hi <= lo)
		return "MAX must be above MIN";
	span = (uint64_t)hi - (uint64_t)lo;
	if (span / (uint64_t)width >= HIST_LINEAR_MAX)
		return "too many buckets (at most 4194304)";
	h->type = HIST_LINEAR;
	h->lo = lo;
	h->hi = hi;
	h->width = width;
	h->nb = (size_t)(span / (uint64_t)width) + 3;
	/* Values up to span fall in regular buckets (nb - 2 of them). */
	h->span = (uint64_t)(h->nb - 2) * (uint64_t)width - 1;
	if (h->span / (uint64_t)width != h->nb - 2 - 1 || h->span < span)
		h->span = UINT64_MAX;	/* overflowed: no overflow bucket */
	if (h->span < (1ULL << 32) && width >= 2 &&
	    (uint64_t)width <= (1ULL << 32))
		h->recip = (uint64_t)(((unsigned __int128)1 << 64) /
				      (uint64_t)width) + 1;
	h->b = xcalloc(h->nb, sizeof(*h->b));
	return NULL;
}

void hist_init_like(struct hist *h, const struct hist *src)
{
	*h = *src;
	h->b = xcalloc(h->nb, sizeof(*h->b));
	h->count = 0;
	h->min = h->max = 0;
	h->sum = 0;
}

void hist_free(struct hist *h)
{
	free(h->b);
	h->b = NULL;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (!src->count)
		return;
	for (size_t i = 0; i < dst->nb; i++)
		dst->b[i] += src->b[i];
	if (!dst->count || src->min < dst->min)
		dst->min = src->min;
	if (!dst->count || src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
}

/* The value printed for bucket I, and its prefix ('<', '>' or 0). */
static int64_t bucket_label(const struct hist *h, size_t i, char *prefix)
{
	*prefix = 0;
	if (h->type == HIST_LOG2) {
		if (i == HIST_LOG2_ZERO)
			return 0;
		if (i > HIST_LOG2_ZERO)
			return (int64_t)1 << (i - HIST_LOG2_ZERO - 1);
		return (int64_t)(0 - ((uint64_t)1 << (63 - i)));
	}
	if (i == 0) {
		*prefix = '<';
		return h->lo;
	}
	if (i == h->nb - 1) {
		*prefix = '>';
		i--;	/* the last regular bucket */
	}
	return (int64_t)((uint64_t)h->lo + (uint64_t)(i - 1) *
			 (uint64_t)h->width);
}

size_t hist_bars(const struct hist *h, struct bar **bars, char **labels)
{
	size_t low = SIZE_MAX, high = 0, n, i;
	char *lab;

	for (i = 0; i < h->nb; i++) {
		if (h->b[i]) {
			if (low == SIZE_MAX)
				low = i;
			high = i;
		}
	}
	if (low == SIZE_MAX) {
		*bars = NULL;
		*labels = NULL;
		return 0;
	}
	for (i = 0; i < ELIDE_KEEP; i++) {
		size_t floor = h->type == HIST_LOG2 && low >= HIST_LOG2_ZERO ?
			       HIST_LOG2_ZERO : h->type == HIST_LINEAR ? 1 : 0;

		if (low > floor)
			low--;
		if (high + 1 < h->nb - (h->type == HIST_LINEAR))
			high++;
	}
	n = high - low + 1;
	*bars = xcalloc(n, sizeof(**bars));
	*labels = lab = xmalloc(n * 24);
	for (i = 0; i < n; i++) {
		char prefix;
		int64_t v = bucket_label(h, low + i, &prefix);
		char *s = lab + i * 24;

		if (prefix)
			snprintf(s, 24, "%c%" PRId64, prefix, v);
		else
			snprintf(s, 24, "%" PRId64, v);
		(*bars)[i].label = s;
		(*bars)[i].count = h->b[low + i];
	}
	return n;
}

static int digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

void bars_print(FILE *f, const struct bar *b, size_t n, int elide)
{
	uint64_t max = 0, scale = 1;
	int vspace = 5, cspace;
	int eliding = 0;

	for (size_t i = 0; i < n; i++) {
		int w = (int)strlen(b[i].label);

		if (b[i].count > max)
			max = b[i].count;
		if (w > vspace)
			vspace = w;
	}
	if (max > BAR_WIDTH)
		scale = (max + BAR_WIDTH - 1) / BAR_WIDTH;
	cspace = digits(max);

	fprintf(f, "%*s |", vspace, "value");
	for (int j = 0; j < BAR_WIDTH; j++)
		fputc('-', f);
	fputs(" count\n", f);
	for (size_t i = 0; i < n; i++) {
		uint64_t bars;

		if (elide) {
			size_t lo = i >= ELIDE_KEEP ? i - ELIDE_KEEP : 0;
			size_t hi = i + ELIDE_KEEP < n ? i + ELIDE_KEEP : n - 1;
			int empty = 1;

			for (size_t k = lo; k <= hi; k++)
				if (b[k].count)
					empty = 0;
			if (empty) {
				eliding = 1;
				continue;
			}
			if (eliding) {
				fprintf(f, "%*s ~\n", vspace, "");
				eliding = 0;
			}
		}
		bars = b[i].count / scale;
		fprintf(f, "%*s |", vspace, b[i].label);
		for (uint64_t j = 0; j < bars; j++)
			fputc('@', f);
		fprintf(f, "%*" PRIu64 "\n",
			(int)(BAR_WIDTH - bars + 1 + (uint64_t)cspace),
			b[i].count);
	}
	fputc('\n', f);
}

/* Data-file string: double quotes; backslash and quote escaped. */
static void data_quote(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s != '\n')
			fputc(*s, f);
	}
	fputc('"', f);
}

void bars_data(FILE *f, const struct bar *b, size_t n)
{
	fputs("# label count\n", f);
	for (size_t i = 0; i < n; i++) {
		data_quote(f, b[i].label);
		fprintf(f, " %" PRIu64 "\n", b[i].count);
	}
}

void hist_print_summary(FILE *f, const struct hist *h)
{
	long double avg = h->count ? (long double)h->sum / h->count : 0;

	fprintf(f, "# count=%" PRIu64 " min=%" PRId64 " max=%" PRId64
		" avg=%.1Lf\n", h->count, h->count ? h->min : 0,
		h->count ? h->max : 0, avg);
}

void hist_print_data(FILE *f, const struct hist *h)
{
	size_t low = SIZE_MAX, high = 0;

	for (size_t i = 0; i < h->nb; i++)
		if (h->b[i]) {
			if (low == SIZE_MAX)
				low = i;
			high = i;
		}
	fputs("# low high count   (bucket [low, high))\n", f);
	if (low == SIZE_MAX)
		return;
	for (size_t i = low; i <= high; i++) {
		char prefix;
		int64_t v = bucket_label(h, i, &prefix);

		if (h->type == HIST_LINEAR && prefix == '<') {
			fprintf(f, "# underflow below %" PRId64 ": %" PRIu64
				"\n", v, h->b[i]);
		} else if (h->type == HIST_LINEAR && prefix == '>') {
			fprintf(f, "# overflow from %" PRId64 ": %" PRIu64
				"\n", (int64_t)((uint64_t)v + (uint64_t)h->width),
				h->b[i]);
		} else if (h->type == HIST_LINEAR) {
			fprintf(f, "%" PRId64 " %" PRId64 " %" PRIu64 "\n",
				v, (int64_t)((uint64_t)v + (uint64_t)h->width),
				h->b[i]);
		} else if (v >= 0) {
			/* log2 bucket [v, 2v); zero is [0, 1) */
			fprintf(f, "%" PRId64 " %.0Lf %" PRIu64 "\n", v,
				v ? 2.0L * v : 1.0L, h->b[i]);
		} else {
			/* negative bucket -m holds (-2m, -m] */
			fprintf(f, "%.0Lf %" PRId64 " %" PRIu64 "\n",
				2.0L * v + 1, v + 1, h->b[i]);
		}
	}
}
