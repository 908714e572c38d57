/* SPDX-License-Identifier: GPL-2.0 */
/* plot.c - a gnuplot process drawing into a PNG or SVG (see plot.h). */
#include "plot.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

int plot_format_ok(const char *path)
{
	const char *ext = strrchr(path, '.');

	return ext && (!strcasecmp(ext, ".png") || !strcasecmp(ext, ".svg"));
}

FILE *plot_open(const char *path, unsigned w, unsigned h)
{
	const char *ext = strrchr(path, '.');
	const char *term;
	FILE *gp;

	if (ext && !strcasecmp(ext, ".png"))
		term = "pngcairo enhanced font 'sans,11'";
	else if (ext && !strcasecmp(ext, ".svg"))
		term = "svg dynamic enhanced font 'sans,11'";
	else {
		fprintf(stderr, "%s: --plot %s: the file name must end in "
			".png or .svg\n", program_invocation_short_name, path);
		return NULL;
	}
	fflush(NULL);
	gp = popen("gnuplot", "w");
	if (!gp) {
		fprintf(stderr, "%s: cannot run gnuplot: %s\n",
			program_invocation_short_name, strerror(errno));
		return NULL;
	}
	fprintf(gp, "set terminal %s size %u,%u\nset output ", term, w, h);
	plot_quote(gp, path);
	fputc('\n', gp);
	return gp;
}

void plot_quote(FILE *gp, const char *s)
{
	fputc('\'', gp);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', gp);
		if (*s != '\n')
			fputc(*s, gp);
	}
	fputc('\'', gp);
}

int plot_close(FILE *gp)
{
	int st = pclose(gp);

	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "%s: gnuplot failed (status %d)%s\n",
			program_invocation_short_name, st,
			WIFEXITED(st) && WEXITSTATUS(st) == 127 ?
			": is gnuplot installed?" : "");
		return -1;
	}
	return 0;
}
