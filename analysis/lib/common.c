/* SPDX-License-Identifier: GPL-2.0 */
/* common.c - checked allocation and option parsing (see common.h). */
#include "common.h"
#include "num.h"

#include <err.h>
#include <getopt.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char exit_help[] =
"Exit status (every analysis tool alike): 0 done; 1 nothing usable\n"
"was read (an empty log, all lines malformed or filtered out) or a\n"
"threshold was missed; 2 a usage error (an option, a field or key the\n"
"input does not have) or a file that cannot be read or written.\n";

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		err(1, "malloc %zu", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		err(1, "calloc %zu x %zu", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		err(1, "realloc %zu", n);
	return p;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		err(1, "strdup");
	return d;
}

int64_t opt_i64(const char *arg, const char *what)
{
	int64_t v;

	if (!arg || parse_i64(arg, arg + strlen(arg), &v))
		errx(2, "%s: %s: '%s'", what, arg && parse_i64(arg, arg +
		     strlen(arg), &v) == NUM_RANGE ? "out of range" :
		     "not an integer", arg ? arg : "");
	return v;
}

uint64_t opt_u64(const char *arg, const char *what)
{
	uint64_t v;

	if (!arg || parse_u64(arg, arg + strlen(arg), &v))
		errx(2, "%s: %s: '%s'", what, arg && parse_u64(arg, arg +
		     strlen(arg), &v) == NUM_RANGE ? "out of range" :
		     "not a non-negative integer", arg ? arg : "");
	return v;
}

double opt_double(const char *arg, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (!*arg || *end || errno)
		errx(2, "%s: not a number: '%s'", what, arg);
	return v;
}

uint64_t opt_duration_ns(const char *arg, const char *what)
{
	static const struct { const char *sfx; uint64_t mul; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000 },
	};
	size_t len = strlen(arg);
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		size_t sl = strlen(units[i].sfx);

		if (len > sl && !strcmp(arg + len - sl, units[i].sfx)) {
			if (parse_u64(arg, arg + len - sl, &v) ||
			    v > UINT64_MAX / units[i].mul)
				break;
			return v * units[i].mul;
		}
	}
	if (!parse_u64(arg, arg + len, &v))
		return v;
	errx(2, "%s: not a duration (e.g. 500us, 10ms, 2s, 1000): '%s'",
	     what, arg);
}

void *open_output(const char *path)
{
	FILE *f;

	if (!path || !strcmp(path, "-"))
		return stdout;
	f = fopen(path, "w");
	if (!f)
		err(EXIT_USAGE, "%s", path);
	return f;
}

char *fmt_duration(char buf[32], uint64_t ns)
{
	static const struct { uint64_t div; const char *unit; } u[] = {
		{ 1000000000, "s" }, { 1000000, "ms" }, { 1000, "us" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(u); i++)
		if (ns && ns % u[i].div == 0) {
			snprintf(buf, 32, "%" PRIu64 "%s", ns / u[i].div,
				 u[i].unit);
			return buf;
		}
	snprintf(buf, 32, "%" PRIu64 "ns", ns);
	return buf;
}

char *fmt_bytes(char buf[32], double bytes)
{
	static const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t i = 0;

	while (bytes >= 1024 && i + 1 < ARRAY_SIZE(unit)) {
		bytes /= 1024;
		i++;
	}
	snprintf(buf, 32, i ? "%.2f%s" : "%.0f%s", bytes, unit[i]);
	return buf;
}

int opt_choice(const char *arg, const char *what, const char *const *names)
{
	char list[256] = "";
	size_t n = 0;

	for (int i = 0; names[i]; i++)
		if (!strcmp(arg, names[i]))
			return i;
	while (names[n])
		n++;
	for (size_t i = 0; i < n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
	errx(2, "%s takes %s, not '%s'", what, list, arg);
}

int opt_pid(const char *arg)
{
	uint64_t pid = opt_u64(arg, "--pid");

	if (!pid || pid > INT_MAX)
		errx(2, "--pid %s is out of range (1 to %d)", arg, INT_MAX);
	return (int)pid;
}

const char *opt_log_operand(int argc, char **argv)
{
	const char *log = optind < argc ? argv[optind++] : NULL;

	if (optind < argc)
		errx(2, "one LOG at most (see --help)");
	return log;
}
