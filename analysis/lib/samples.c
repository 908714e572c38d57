/* SPDX-License-Identifier: GPL-2.0 */
/* samples.c - sample stream over any sample log (see samples.h). */
#include "samples.h"

#include <errno.h>

#include "fields.h"

int samples_detect(struct lreader *r, struct eptscope_log_header *hdr,
		   const char **why)
{
	size_t n = lr_peek(r, sizeof(*hdr));

	if (!ept_bin_is_log(r->pos, n))
		return 0;
	*why = ept_bin_header_check(r->pos, n, hdr);
	if (*why)
		return -1;
	r->pos += sizeof(*hdr);
	return 1;
}

size_t samples_bin_block(struct lreader *r, uint32_t recsize,
			 const char **recs, size_t max, struct bad *bad,
			 uint64_t recno)
{
	size_t avail = (size_t)(r->lim - r->pos), n;

	if (avail < recsize)
		avail = lr_peek(r, (size_t)recsize * 1024);
	n = avail / recsize;
	if (n > max)
		n = max;
	if (!n) {
		if (avail) {
			bad_add(bad, recno + 1, "truncated record");
			r->pos = r->lim;
		}
		return 0;
	}
	*recs = r->pos;
	r->pos += n * recsize;
	return n;
}

static int samples_start(struct samples *s, unsigned flags, const char **why)
{
	int b = samples_detect(&s->r, &s->hdr, why);

	if (b < 0) {
		lr_close(&s->r);
		errno = EINVAL;
		return -1;
	}
	s->binary = b;
	s->flags = flags;
	bad_init(&s->bad, b ? "record" : "line");
	return 0;
}

int samples_open(struct samples *s, const char *path, unsigned flags,
		 const char **why)
{
	memset(s, 0, sizeof(*s));
	*why = NULL;
	if (lr_open(&s->r, path, &s->bad))
		return -1;
	return samples_start(s, flags, why);
}

int samples_open_mem(struct samples *s, const void *data, size_t len,
		     unsigned flags, const char **why)
{
	memset(s, 0, sizeof(*s));
	*why = NULL;
	lr_open_mem(&s->r, data, len, &s->bad);
	return samples_start(s, flags, why);
}

int samples_next(struct samples *s, struct kvm_ept_sample_v2 *out)
{
	if (s->binary) {
		const char *rec, *why;

		while (samples_bin_block(&s->r, s->hdr.record_size, &rec, 1,
					 &s->bad, s->recno)) {
			s->recno++;
			ept_bin_decode(rec, out);
			why = ept_sample_check(out);
			if (!why)
				return 1;
			bad_add(&s->bad, s->recno, why);
		}
		return 0;
	}
	for (;;) {
		const char *l, *e, *why;

		l = lr_line(&s->r, &e);
		if (!l)
			return 0;
		if (line_is_blank_or_comment(l, e))
			continue;
		why = ept_text_parse(l, e, out, s->flags);
		if (!why)
			return 1;
		bad_add(&s->bad, s->r.lineno, why);
	}
}

void samples_close(struct samples *s)
{
	lr_close(&s->r);
}
