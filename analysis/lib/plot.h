/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plot.h - a gnuplot process to draw into a PNG or SVG file, chosen by
 * the file's extension (heatmap --plot; gnuplot from Debian's package,
 * run as a program).
 */
#ifndef ANALYSIS_PLOT_H
#define ANALYSIS_PLOT_H

#include <stdio.h>

/* Is PATH's extension one plot_open draws (.png, .svg)? */
int plot_format_ok(const char *path);
/* Start gnuplot with its terminal (W x H pixels) and output set to PATH
 * (.png: pngcairo, .svg: svg). NULL, with a message on stderr, for
 * another extension or when gnuplot cannot be run. */
FILE *plot_open(const char *path, unsigned w, unsigned h);
/* S as a gnuplot string literal (single quotes). */
void plot_quote(FILE *gp, const char *s);
/* Wait for gnuplot: 0, or -1 with a message when it failed. */
int plot_close(FILE *gp);

#endif
