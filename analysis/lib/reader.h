/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reader.h - the common buffered reader under every parser: whole lines
 * (or raw bytes, for the binary log) from a file, a byte range of a
 * file, or stdin, in a fixed-size buffer, so memory stays bounded
 * whatever the input size. A line longer than the buffer is reported
 * as malformed ("line too long") and skipped.
 */
#ifndef ANALYSIS_READER_H
#define ANALYSIS_READER_H

#include <stdint.h>
#include <string.h>

#include "bad.h"
#include "common.h"

#define LR_BUFSIZE	(1u << 20)	/* also the longest line accepted */
#define LR_PAD		64	/* readable zero bytes before the buffer
				 * and after the data, so that word- and
				 * vector-wide scans may overrun both ends */

struct lreader {
	int fd;
	int owns_fd;
	const char *name;	/* for messages */
	char *buf;		/* cap + 1 bytes (room for a final '\n'),
				 * with LR_PAD more on each side */
	size_t cap;
	char *pos, *lim;	/* unread bytes [pos, lim) */
	uint64_t lineno;	/* number of the last line returned */
	uint64_t off;		/* file offset of the next read */
	uint64_t end;		/* stop reading here (UINT64_MAX: at EOF) */
	int ranged;		/* read with pread from off up to end */
	int eof;
	struct bad *bad;	/* where "line too long" goes */
};

/* PATH NULL or "-" reads stdin. Returns 0, or -1 with errno set. */
int lr_open(struct lreader *r, const char *path, struct bad *bad);
/* Read only bytes [start, end) of an open file descriptor (not owned). */
void lr_open_range(struct lreader *r, int fd, const char *name,
		   uint64_t start, uint64_t end, struct bad *bad);
/* Use a caller-owned memory block as the whole input (fuzzers, tests). */
void lr_open_mem(struct lreader *r, const char *data, size_t len,
		 struct bad *bad);
void lr_close(struct lreader *r);

/* Make at least N bytes available at r->pos unless EOF comes first.
 * Returns the number available. N must not exceed r->cap. */
size_t lr_peek(struct lreader *r, size_t n);

const char *lr_line_slow(struct lreader *r, const char **end);

/*
 * All the whole lines now in the buffer (reading more if none is), as
 * one block [returned pointer, *end) that ends just after a '\n'; the
 * caller splits it and must add its lines to r->lineno. NULL when no
 * whole line is buffered: then lr_line handles what is left (a last
 * line without '\n', a line too long, the end of input).
 */
const char *lr_block(struct lreader *r, const char **end);

/*
 * The next line, without its '\n' (and without a '\r' before it): the
 * line is [returned pointer, *end). NULL at end of input. The pointer
 * stays valid until the next call.
 */
static always_inline const char *lr_line(struct lreader *r, const char **end)
{
	char *nl = memchr(r->pos, '\n', (size_t)(r->lim - r->pos));

	if (likely(nl != NULL)) {
		const char *l = r->pos;

		r->pos = nl + 1;
		r->lineno++;
		if (nl > l && nl[-1] == '\r')
			nl--;
		*end = nl;
		return l;
	}
	return lr_line_slow(r, end);
}

#endif
