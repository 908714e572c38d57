/* SPDX-License-Identifier: GPL-2.0 */
/*
 * values.h - turn any supported input into values for a histogram (or,
 * for histo --top, into keys to count):
 *
 *   num   one integer per line (decimal or 0x hex)
 *   kv    key=value pairs, any keys; -f KEY selects one. The module's
 *         text sample log and SystemTap output are kv; SystemTap's own
 *         @hist_log/@hist_linear text found in kv input is merged too
 *   cols  whitespace-separated columns; -f N (1-based) or a header name
 *   csv   comma-separated columns with a header line (kvm_stat's and
 *         kvmstat's -c logs: timestamp,NAME,...); -f N or -f NAME
 *   bin   the module's binary sample log; -f names a sample field
 *   stap  SystemTap output: @hist text blocks (merged) and kv lines
 *   auto  detected from the first bytes and the first data line
 *
 * Blank lines and '#' comment lines are skipped; anything else that
 * gives no value is counted in `bad`. A text sample log (kv lines that
 * parse as samples) takes the sample field names of the binary log
 * (eptlog.h), and both take the record filters (filter.h).
 */
#ifndef ANALYSIS_VALUES_H
#define ANALYSIS_VALUES_H

#include "bad.h"
#include "eptlog.h"
#include "fields.h"
#include "filter.h"
#include "hist.h"
#include "keymap.h"
#include "reader.h"
#include "stphist.h"

enum vformat { VF_AUTO, VF_NUM, VF_KV, VF_COLS, VF_BIN, VF_STAP, VF_CSV };

struct vsource {
	enum vformat fmt;	/* after detection: never VF_AUTO */
	const char *field;	/* -f, or NULL */
	struct kvkey key;	/* kv/stap */
	int key_is_type;	/* type=rw- maps to its xwr bits */
	int sample;		/* kv: a text sample log */
	int rec;		/* kv: each line read as a sample record (a
				 * filter, or a field with no text key) */
	const struct filter *filt;	/* NULL: every record */
	uint64_t t0;		/* the time origin of the filter: the
				 * first record's time */
	unsigned col;		/* cols, csv: 1-based column, 0 until known */
	enum ept_field ef;	/* bin */
	uint32_t recsize;	/* bin */
	struct eptscope_log_header hdr;	/* bin */
	uint64_t recno;		/* bin */
	struct stphist_block blk;
	struct bad bad;
	const char *fatal;	/* set when the input cannot be read at all */
	uint64_t values;	/* values delivered (weighted) */
	int no_fast;		/* read line by line only (the fuzzer compares
				 * the fast path with it) */
};

/* "auto", "num", "kv", "text", "cols", "bin", "stap", "csv" -> format,
 * or -1. */
int vformat_parse(const char *name);
const char *vformat_name(enum vformat f);

/*
 * Prepare S for input R: detect the format if FMT is VF_AUTO (peeking
 * at R), check FIELD and FILT (NULL: none) fit the format. Returns NULL
 * or a message for a usage error that says the fix (kv input or a
 * sample log without -f, an unknown key with the valid ones, a filter
 * on input that has no records).
 */
const char *vsource_start(struct vsource *s, struct lreader *r,
			  enum vformat fmt, const char *field,
			  const struct filter *filt);

/* Set up CHILD to read another part of the same input as PARENT (after
 * vsource_start): same format and field, fresh counters. */
void vsource_fork(struct vsource *child, const struct vsource *parent);
/* Can the input be split into byte ranges read in parallel? */
int vsource_splittable(const struct vsource *s);

/* Read all of R, adding each value to H, or when TOP is non-NULL
 * counting each value token (as it appears) in TOP instead. Stops early
 * only if s->fatal gets set. */
void vsource_run(struct vsource *s, struct lreader *r, struct hist *h,
		 struct keymap *top);

#endif
