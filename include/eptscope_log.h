/* SPDX-License-Identifier: GPL-2.0 */
/*
 * eptscope_log.h - the on-disk sample log written by analysis/eptsample
 * and read by every program in analysis/.
 *
 * Binary log: one struct eptscope_log_header, then struct
 * kvm_ept_sample_v2 records (include/kvm_ept_sample.h) to end of file.
 * All fields little endian.
 *
 * Text log: '#'-prefixed comment lines, then one sample per line as
 * key=value pairs separated by single spaces, in this order:
 *   t=<time_ns> vcpu=<n> gfn=0x<hex> type=<rwx> level=<n> delay=<ns>
 * where type is three characters from "r-", "w-", "x-", e.g. "rw-".
 */
#ifndef EPTSCOPE_LOG_H
#define EPTSCOPE_LOG_H

#include <stdint.h>

#define EPTSCOPE_LOG_MAGIC	"EPTSLOG\0"	/* 8 bytes */
#define EPTSCOPE_LOG_VERSION	1

struct eptscope_log_header {
	char magic[8];		/* EPTSCOPE_LOG_MAGIC */
	uint32_t version;	/* EPTSCOPE_LOG_VERSION */
	uint32_t record_size;	/* sizeof(struct kvm_ept_sample_v2) = 32 */
	uint64_t pid;		/* the sampled VMM process */
	uint64_t start_ns;	/* CLOCK_MONOTONIC when capture began */
	uint32_t rate;		/* requested samples/s */
	uint32_t xwr;		/* requested access types */
	uint8_t reserved[24];	/* zero; pads the header to 64 bytes */
};

#endif /* EPTSCOPE_LOG_H */
