/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common.h - small helpers shared by every program in analysis/:
 * checked allocation, option-argument parsing, branch hints.
 * Only libc is used, so the programs can be copied into an initramfs.
 */
#ifndef ANALYSIS_COMMON_H
#define ANALYSIS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define always_inline	inline __attribute__((always_inline))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Option arguments: exit with a usage error (status 2) when malformed.
 * Integers accept decimal or 0x-prefixed hex and the suffixes
 * ns/us/ms/s for durations (opt_duration_ns). */
int64_t opt_i64(const char *arg, const char *what);
uint64_t opt_u64(const char *arg, const char *what);
double opt_double(const char *arg, const char *what);
uint64_t opt_duration_ns(const char *arg, const char *what);
/* The index of ARG in NAMES (NULL-terminated), or a usage error naming
 * them all. */
int opt_choice(const char *arg, const char *what, const char *const *names);
/* A process id, 1 to INT_MAX (what move_pages and kill take). */
int opt_pid(const char *arg);
/* The one optional LOG operand after the options (getopt's optind):
 * NULL when there is none; exits 2 on a second. */
const char *opt_log_operand(int argc, char **argv);

/* The exit-status scheme of histo, hotness and xval, for --help
 * (docs/analysis.md, "Exit status"). */
#define EXIT_NODATA	1	/* nothing usable read, or a threshold missed */
#define EXIT_USAGE	2	/* usage error, or a file unreadable/unwritable */
extern const char exit_help[];

/* A duration as the options take it ("100ms", "2s", "1500ns"), and a
 * size in bytes with a binary unit ("4.00MiB"), into BUF. */
char *fmt_duration(char buf[32], uint64_t ns);
char *fmt_bytes(char buf[32], double bytes);

/* Open FILE for writing ("-" or NULL = stdout); exits 2 on error. */
void *open_output(const char *path);

#endif
