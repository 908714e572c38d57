/* SPDX-License-Identifier: GPL-2.0 */
/*
 * eptlog.h - the module's sample logs (include/eptscope_log.h): the
 * text line parser and formatter, the binary header and record codec,
 * and the names of the sample fields. The SystemTap sample log
 * ("t= vcpu= gfn= type=") is the same text format without level= and
 * delay=, so it uses the same parser.
 */
#ifndef ANALYSIS_EPTLOG_H
#define ANALYSIS_EPTLOG_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <endian.h>

#include "../../include/kvm_ept_sample.h"
#include "../../include/eptscope_log.h"

#define EPT_TEXT_MAX	160	/* longest line ept_text_format writes */

/* Text parser flags */
#define EPT_TEXT_STRICT	0x1	/* require level= and delay= too */

/*
 * Parse one text sample line [l, e) into S. Keys may come in any order,
 * unknown keys are ignored. Returns NULL on success, else a static
 * string saying what is wrong.
 */
const char *ept_text_parse(const char *l, const char *e,
			   struct kvm_ept_sample_v2 *s, unsigned flags);

/* Format S as one text log line, '\n' included, into BUF (at least
 * EPT_TEXT_MAX bytes). Returns the length. */
size_t ept_text_format(char *buf, const struct kvm_ept_sample_v2 *s);

/* The access type as "rwx" with '-' for absent bits (4 bytes with NUL). */
void ept_type_str(char out[4], unsigned xwr);
/* Parse "rw-" style into xwr bits; -1 if malformed. */
int ept_type_parse(const char *p, const char *e);

/* Binary header */
void ept_bin_header_init(struct eptscope_log_header *h, uint64_t pid,
			 uint64_t start_ns, uint32_t rate, uint32_t xwr);
/* Check a header read from disk (N bytes at BUF); on success stores the
 * host-order header and returns NULL, else a static reason. */
const char *ept_bin_header_check(const void *buf, size_t n,
				 struct eptscope_log_header *h);
/* Does BUF (N bytes) start with the binary log magic? */
int ept_bin_is_log(const void *buf, size_t n);

/* Decode one on-disk (little-endian) record. */
static inline void ept_bin_decode(const void *rec, struct kvm_ept_sample_v2 *s)
{
	memcpy(s, rec, sizeof(*s));
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	s->gfn = le64toh(s->gfn);
	s->time_ns = le64toh(s->time_ns);
	s->delay_ns = le64toh(s->delay_ns);
	s->vcpu = le32toh(s->vcpu);
	s->flags = le16toh(s->flags);
#endif
}

/* Encode S as a little-endian on-disk record. */
void ept_bin_encode(void *rec, const struct kvm_ept_sample_v2 *s);

/* Why a decoded record is invalid, or NULL. */
static inline const char *ept_sample_check(const struct kvm_ept_sample_v2 *s)
{
	if (s->xwr & ~KVM_EPT_SAMPLE_XWR)
		return "bad access type";
	return NULL;
}

/* The sample fields histo and friends can select by name. */
enum ept_field {
	EPT_F_NONE = -1,
	EPT_F_T, EPT_F_VCPU, EPT_F_GFN, EPT_F_TYPE, EPT_F_LEVEL,
	EPT_F_DELAY, EPT_F_FLAGS, EPT_F_EXPIRED, EPT_F_REVISIT, EPT_F_ABIT,
};

/* "t", "vcpu", "gfn", "type", "level", "delay", "flags", "expired",
 * "revisit", "abit" (and the struct names time_ns, delay_ns, xwr): the
 * same names on text and binary logs. */
enum ept_field ept_field_by_name(const char *name);
/* The names above as one line, "t, vcpu, ... (also time_ns, ...)". */
const char *ept_field_list(void);
/* The text log's key for F ("delay" for EPT_F_DELAY), or NULL when the
 * text log has no key always present for it (flags, expired, ...). */
const char *ept_field_text_key(enum ept_field f);
/* Integer value of field F (type gives the xwr bits). */
static inline int64_t ept_field_get(const struct kvm_ept_sample_v2 *s,
				    enum ept_field f)
{
	switch (f) {
	case EPT_F_T: return (int64_t)s->time_ns;
	case EPT_F_VCPU: return s->vcpu;
	case EPT_F_GFN: return (int64_t)s->gfn;
	case EPT_F_TYPE: return s->xwr;
	case EPT_F_LEVEL: return s->level;
	case EPT_F_DELAY: return (int64_t)s->delay_ns;
	case EPT_F_FLAGS: return s->flags;
	case EPT_F_EXPIRED: return !!(s->flags & KVM_EPT_SAMPLE_F_EXPIRED);
	case EPT_F_REVISIT: return !!(s->flags & KVM_EPT_SAMPLE_F_REVISIT);
	case EPT_F_ABIT: return !!(s->flags & KVM_EPT_SAMPLE_F_ABIT);
	default: return 0;
	}
}

#endif
