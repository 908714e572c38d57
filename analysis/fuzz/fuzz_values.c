/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_values.c - libFuzzer target for the histogram input parsers
 * (lib/values.c: num, kv, cols, stap and bin, with format detection),
 * the histogram code and its printers. The first input byte picks the
 * format, field and bucketing; the rest is the input. Histograms are
 * read twice, with and without the key=value fast path, and must agree
 * (buckets, summary, malformed lines). A last byte with its top bit
 * set also turns on record filters (lib/filter.h) chosen by its bits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/hist.h"
#include "../lib/keymap.h"
#include "../lib/values.h"

/* Read the input again line by line only (no fast path): the result
 * must be that of VS and H. */
static void same_as_slow(const uint8_t *data, size_t size, uint8_t sel,
			 const char *field, const struct filter *filt,
			 const struct vsource *vs, const struct hist *h)
{
	struct lreader r;
	struct vsource v2;
	struct hist h2;

	lr_open_mem(&r, (const char *)data + 1, size - 1, NULL);
	if (vsource_start(&v2, &r, (enum vformat)(sel % 7), field, filt))
		abort();
	v2.no_fast = 1;
	hist_init_like(&h2, h);
	vsource_run(&v2, &r, &h2, NULL);
	if (memcmp(h->b, h2.b, h->nb * sizeof(*h->b)) ||
	    h->count != h2.count || h->sum != h2.sum ||
	    (h->count && (h->min != h2.min || h->max != h2.max)) ||
	    vs->values != v2.values || vs->bad.count != v2.bad.count ||
	    vs->bad.kept != v2.bad.kept ||
	    memcmp(vs->bad.where, v2.bad.where, sizeof(vs->bad.where)) ||
	    memcmp(vs->bad.why, v2.bad.why, sizeof(vs->bad.why)))
		abort();
	hist_free(&h2);
	lr_close(&r);
}

/* The filters picked by the last byte B (top bit set), else NULL. */
static const struct filter *pick_filter(uint8_t b, struct filter *f)
{
	if (!(b & 0x80))
		return NULL;
	memset(f, 0, sizeof(*f));
	f->expired = (enum filter_expired)(b % 3);
	f->have_vcpu = b & 0x04;
	f->vcpu = b & 0x03;
	f->have_type = b & 0x08;
	f->xwr = (b >> 4) & 0x07 ? (b >> 4) & 0x07 : 1;
	f->have_from = f->have_to = b & 0x40;
	f->from = 1000;
	f->to = 1000000;
	return filter_active(f) ? f : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct filter *filt;
	struct filter fbuf;
	static const char *const fields[] = {
		NULL, "delay", "t", "gfn", "type", "2", "lat", "vcpu" };
	static FILE *devnull;
	struct lreader r;
	struct vsource vs;
	struct hist h;
	struct keymap top;
	struct bar *bars;
	char *labels;
	size_t n;
	uint8_t sel;

	if (!size)
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	sel = data[0];
	filt = pick_filter(data[size - 1], &fbuf);
	lr_open_mem(&r, (const char *)data + 1, size - 1, NULL);
	if (vsource_start(&vs, &r, (enum vformat)(sel % 7),
			  fields[(sel >> 3) & 7], filt)) {
		lr_close(&r);
		return 0;
	}
	if (sel & 0x80) {
		keymap_init(&top);
		vsource_run(&vs, &r, NULL, &top);
		keymap_free(&top);
	} else {
		if (sel & 0x40)
			hist_init_linear(&h, -100, 1000, 7);
		else
			hist_init_log2(&h);
		vsource_run(&vs, &r, &h, NULL);
		same_as_slow(data, size, sel, fields[(sel >> 3) & 7], filt, &vs,
			     &h);
		n = hist_bars(&h, &bars, &labels);
		bars_print(devnull, bars, n, 1);
		hist_print_data(devnull, &h);
		hist_print_summary(devnull, &h);
		free(bars);
		free(labels);
		hist_free(&h);
	}
	bad_report(&vs.bad, devnull, "fuzz");
	lr_close(&r);
	return 0;
}
