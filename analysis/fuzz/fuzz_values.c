/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_values.c - libFuzzer target for the histogram input parsers
 * (lib/values.c: num, kv, cols, stap and bin, with format detection),
 * the histogram code and its printers. The first input byte picks the
 * format, field and bucketing; the rest is the input.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../lib/hist.h"
#include "../lib/keymap.h"
#include "../lib/values.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
	lr_open_mem(&r, (const char *)data + 1, size - 1, NULL);
	if (vsource_start(&vs, &r, (enum vformat)(sel % 6),
			  fields[(sel >> 3) & 7])) {
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
