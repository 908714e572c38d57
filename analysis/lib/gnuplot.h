/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gnuplot.h - a gnuplot process that draws into a PNG or SVG file, chosen
 * by the file's extension: the layer under plot.c (histo --plot) and
 * heatmap --plot. gnuplot comes from Debian's package and runs as a
 * program; $GNUPLOT names another command (e.g. "tee x.gp | gnuplot").
 */
#ifndef ANALYSIS_GNUPLOT_H
#define ANALYSIS_GNUPLOT_H

#include <stdio.h>

/* 0 if PATH ends in .png or .svg (any case), else -1. */
int gnuplot_path_ok(const char *path);
/* Start gnuplot and set its terminal (pngcairo or svg, W x H, then
 * TERM_OPTS such as a font), UTF-8, and its output to PATH. NULL, with a
 * message, for another extension or when gnuplot cannot be run. SIGPIPE
 * is ignored until gnuplot_close: a gnuplot that ends early is reported
 * by its status, it does not kill the caller. */
FILE *gnuplot_open(const char *path, unsigned w, unsigned h, const char *term_opts);
/* S as a gnuplot string literal (single quotes, a quote doubled, no
 * newline). */
void gnuplot_quote(FILE *gp, const char *s);
/* Wait for gnuplot: 0, or -1 with a message when it failed. */
int gnuplot_close(FILE *gp);

#endif
