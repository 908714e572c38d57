// SPDX-License-Identifier: GPL-2.0
/* gnuplot.c - a gnuplot process drawing into a PNG or SVG (gnuplot.h). */
#include "gnuplot.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

static void (*saved_sigpipe)(int);

int gnuplot_path_ok(const char *path)
{
	const char *ext = strrchr(path, '.');

	return ext && (!strcasecmp(ext, ".png") || !strcasecmp(ext, ".svg")) ? 0 : -1;
}

FILE *gnuplot_open(const char *path, unsigned w, unsigned h, const char *term_opts)
{
	const char *cmd = getenv("GNUPLOT");
	const char *ext = strrchr(path, '.');
	FILE *gp;

	if (gnuplot_path_ok(path)) {
		fprintf(stderr, "%s: --plot %s: the file name must end in .png or .svg\n",
			program_invocation_short_name, path);
		return NULL;
	}
	if (!cmd || !*cmd)
		cmd = "gnuplot";
	fflush(NULL);
	saved_sigpipe = signal(SIGPIPE, SIG_IGN);
	gp = popen(cmd, "w");
	if (!gp) {
		fprintf(stderr, "%s: cannot run %s: %s\n",
			program_invocation_short_name, cmd, strerror(errno));
		signal(SIGPIPE, saved_sigpipe);
		return NULL;
	}
	fprintf(gp, "set encoding utf8\nset terminal %s size %u,%u %s\nset output ",
		!strcasecmp(ext, ".svg") ? "svg dynamic" : "pngcairo", w, h,
		term_opts ? term_opts : "");
	gnuplot_quote(gp, path);
	fputc('\n', gp);
	return gp;
}

void gnuplot_quote(FILE *gp, const char *s)
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

int gnuplot_close(FILE *gp)
{
	int st = pclose(gp);

	signal(SIGPIPE, saved_sigpipe);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "%s: gnuplot failed (status %d)%s\n",
			program_invocation_short_name, st,
			WIFEXITED(st) && WEXITSTATUS(st) == 127 ?
			": is gnuplot installed?" : "");
		return -1;
	}
	return 0;
}
