/* SPDX-License-Identifier: GPL-2.0 */
/* reader.c - buffered line and byte reader (see reader.h). */
#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static void lr_init(struct lreader *r, int fd, const char *name,
		    struct bad *bad)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->name = name;
	r->cap = LR_BUFSIZE;
	r->buf = (char *)xcalloc(r->cap + 1 + 2 * LR_PAD, 1) + LR_PAD;
	r->pos = r->lim = r->buf;
	r->end = UINT64_MAX;
	r->bad = bad;
}

int lr_open(struct lreader *r, const char *path, struct bad *bad)
{
	int fd = 0;

	if (path && strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
	}
	lr_init(r, fd, path ? path : "-", bad);
	r->owns_fd = fd != 0;
#ifdef POSIX_FADV_SEQUENTIAL
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	return 0;
}

void lr_open_range(struct lreader *r, int fd, const char *name,
		   uint64_t start, uint64_t end, struct bad *bad)
{
	lr_init(r, fd, name, bad);
	r->ranged = 1;
	r->off = start;
	r->end = end;
}

void lr_open_mem(struct lreader *r, const char *data, size_t len,
		 struct bad *bad)
{
	lr_init(r, -1, "<memory>", bad);
	free(r->buf - LR_PAD);
	/* Own a copy: the reader writes a '\n' after an unterminated end. */
	r->buf = (char *)xcalloc(len + 1 + 2 * LR_PAD, 1) + LR_PAD;
	memcpy(r->buf, data, len);
	r->cap = len;
	r->pos = r->buf;
	r->lim = r->buf + len;
	r->eof = 1;
}

void lr_close(struct lreader *r)
{
	if (r->owns_fd)
		close(r->fd);
	if (r->buf)
		free(r->buf - LR_PAD);
	r->buf = r->pos = r->lim = NULL;
}

/* Move unread bytes to the front, then read once into the free space.
 * Returns bytes read; 0 at EOF (sets r->eof). Exits 2 on read errors. */
static size_t lr_fill(struct lreader *r)
{
	size_t keep = (size_t)(r->lim - r->pos), room;
	ssize_t n;

	if (r->eof)
		return 0;
	if (r->pos != r->buf) {
		memmove(r->buf, r->pos, keep);
		r->pos = r->buf;
		r->lim = r->buf + keep;
	}
	room = r->cap - keep;
	if (!room)
		return 0;
	if (r->ranged && r->end - r->off < room)
		room = (size_t)(r->end - r->off);
	if (!room) {
		r->eof = 1;
		return 0;
	}
	do {
		n = r->ranged ? pread(r->fd, r->lim, room, (off_t)r->off)
			      : read(r->fd, r->lim, room);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		fprintf(stderr, "%s: %s: read: %s\n",
			program_invocation_short_name, r->name,
			strerror(errno));
		exit(EXIT_USAGE);	/* a file that cannot be read */
	}
	if (n == 0) {
		r->eof = 1;
		return 0;
	}
	r->off += (uint64_t)n;
	r->lim += n;
	return (size_t)n;
}

size_t lr_peek(struct lreader *r, size_t n)
{
	if (n > r->cap)
		n = r->cap;
	while ((size_t)(r->lim - r->pos) < n && lr_fill(r))
		;
	return (size_t)(r->lim - r->pos);
}

const char *lr_line_slow(struct lreader *r, const char **end)
{
	for (;;) {
		size_t scanned = (size_t)(r->lim - r->pos);
		char *nl;

		/* Read until a newline arrives, the buffer fills or EOF. */
		for (;;) {
			size_t got;

			if (r->pos != r->buf || r->lim < r->buf + r->cap) {
				got = lr_fill(r);
			} else {
				got = 0;
			}
			if (!got)
				break;
			nl = memchr(r->pos + scanned, '\n', got);
			if (nl)
				return lr_line(r, end);
			scanned += got;
		}
		if (r->pos == r->lim)
			return NULL;		/* clean end of input */
		if (r->eof) {
			/* Last line without '\n': terminate it in place. */
			*r->lim = '\n';
			r->lim++;
			return lr_line(r, end);
		}
		/* Buffer full without a newline: skip the long line. */
		r->lineno++;
		if (r->bad)
			bad_add(r->bad, r->lineno, "line too long");
		for (;;) {
			r->pos = r->lim;
			if (!lr_fill(r))
				return NULL;
			nl = memchr(r->pos, '\n', (size_t)(r->lim - r->pos));
			if (nl) {
				r->pos = nl + 1;
				break;
			}
		}
	}
}

const char *lr_block(struct lreader *r, const char **end)
{
	char *nl = memrchr(r->pos, '\n', (size_t)(r->lim - r->pos));
	const char *l;

	if (!nl) {
		if (!lr_fill(r))
			return NULL;
		nl = memrchr(r->pos, '\n', (size_t)(r->lim - r->pos));
		if (!nl)
			return NULL;
	}
	l = r->pos;
	r->pos = nl + 1;
	*end = nl + 1;
	return l;
}
