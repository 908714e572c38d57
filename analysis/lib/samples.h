/* SPDX-License-Identifier: GPL-2.0 */
/*
 * samples.h - a stream of samples from any sample log: the module's
 * binary log, its text log, or a SystemTap sample log (text lines with
 * t= vcpu= gfn= type=). The format is detected from the first bytes.
 * Malformed lines and records are counted in `bad` and skipped.
 */
#ifndef ANALYSIS_SAMPLES_H
#define ANALYSIS_SAMPLES_H

#include "bad.h"
#include "eptlog.h"
#include "reader.h"

struct samples {
	struct lreader r;
	struct bad bad;
	int binary;
	struct eptscope_log_header hdr;	/* valid when binary */
	unsigned flags;			/* EPT_TEXT_* */
	uint64_t recno;			/* binary: records read */
};

/* PATH NULL or "-": stdin. Returns 0, or -1 with errno set (I/O) or
 * with errno = EINVAL and *why set (bad binary header). */
int samples_open(struct samples *s, const char *path, unsigned flags,
		 const char **why);
/* The same over a memory block (fuzzers). */
int samples_open_mem(struct samples *s, const void *data, size_t len,
		     unsigned flags, const char **why);
/* Next valid sample into OUT: 1, or 0 at the end. */
int samples_next(struct samples *s, struct kvm_ept_sample_v2 *out);
void samples_close(struct samples *s);

/* Shared by samples_open* and histo: detect the binary log at the start
 * of R and consume its header into HDR. Returns 1 if binary, 0 if text,
 * -1 with *why if it has the magic but a bad header. */
int samples_detect(struct lreader *r, struct eptscope_log_header *hdr,
		   const char **why);

/* Binary records from R: up to MAX whole records are made available at
 * *recs (each HDR->record_size bytes). Returns their number, 0 at the
 * end; a trailing partial record is counted in BAD. */
size_t samples_bin_block(struct lreader *r, uint32_t recsize,
			 const char **recs, size_t max, struct bad *bad,
			 uint64_t recno);

#endif
