/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plot.h - histograms drawn with gnuplot (PNG or SVG), ready for a paper:
 * log2 buckets on a log x axis, linear buckets with at most about ten
 * ticks, --top keys as labelled bars; times in ns shown as ns, µs, ms or
 * s as fits; every axis labelled; no tick label cut off.
 */
#ifndef ANALYSIS_PLOT_H
#define ANALYSIS_PLOT_H

#include "hist.h"

#define PLOT_WIDTH	1000	/* pixels (PNG), points (SVG) */
#define PLOT_HEIGHT	600

struct plot {
	const char *path;	/* .png or .svg */
	const char *title;	/* first title line */
	const char *field;	/* what the values are (x axis) */
	const char *unit;	/* "ns" (scaled to fit), other text (shown
				 * as is), or NULL: none */
};

/* The unit a field's values have by default: "ns" for the time fields
 * of the sample logs (t, delay, wait, and any NAME_ns), else NULL. */
const char *plot_default_unit(const char *field);

/* 0 if PATH ends in .png or .svg (any case), else -1. */
int plot_path_ok(const char *path);

/* Draw H (log2 or linear; not empty). 0, or -1 with a message printed. */
int hist_plot(const struct hist *h, const struct plot *p);

/* Draw N labelled bars (histo --top: the N most frequent of DISTINCT
 * keys, TOTAL values). 0, or -1 with a message printed. */
int bars_plot(const struct bar *b, size_t n, uint64_t total, size_t distinct,
	      const struct plot *p);

/* Tick label for V in UNIT ("ns": scaled; else SI-prefixed, k M G T),
 * into BUF (at least 32 bytes). */
void plot_tick_label(char *buf, size_t size, double v, const char *unit);

#endif
