/* SPDX-License-Identifier: GPL-2.0 */
/* eptlog.c - sample log parsing and formatting (see eptlog.h). */
#include "eptlog.h"

#include <inttypes.h>
#include <stdio.h>

#include "fields.h"
#include "num.h"

int ept_type_parse(const char *p, const char *e)
{
	static const char letters[3] = { 'r', 'w', 'x' };
	static const unsigned bits[3] = {
		KVM_EPT_SAMPLE_R, KVM_EPT_SAMPLE_W, KVM_EPT_SAMPLE_X };
	int xwr = 0;

	if (e - p != 3)
		return -1;
	for (int i = 0; i < 3; i++) {
		if (p[i] == letters[i])
			xwr |= (int)bits[i];
		else if (p[i] != '-')
			return -1;
	}
	return xwr;
}

void ept_type_str(char out[4], unsigned xwr)
{
	out[0] = xwr & KVM_EPT_SAMPLE_R ? 'r' : '-';
	out[1] = xwr & KVM_EPT_SAMPLE_W ? 'w' : '-';
	out[2] = xwr & KVM_EPT_SAMPLE_X ? 'x' : '-';
	out[3] = 0;
}

#define SEEN_T		0x01
#define SEEN_VCPU	0x02
#define SEEN_GFN	0x04
#define SEEN_TYPE	0x08
#define SEEN_LEVEL	0x10
#define SEEN_DELAY	0x20

static int key_is(const char *k, const char *ke, const char *name)
{
	size_t n = strlen(name);

	return (size_t)(ke - k) == n && !memcmp(k, name, n);
}

/* A 0/1 key (expired=, revisit=, abit=): sets bit in *flags when 1; -1 if bad. */
static int parse_flag(const char *v, const char *e, uint16_t *flags, uint16_t bit)
{
	uint64_t u;

	if (parse_dec_u64(v, e, &u) || u > 1)
		return -1;
	if (u)
		*flags |= bit;
	return 0;
}

const char *ept_text_parse(const char *l, const char *e,
			   struct kvm_ept_sample_v2 *s, unsigned flags)
{
	unsigned seen = 0, need = SEEN_T | SEEN_VCPU | SEEN_GFN | SEEN_TYPE;
	const char *p = l;

	memset(s, 0, sizeof(*s));
	if (flags & EPT_TEXT_STRICT)
		need |= SEEN_LEVEL | SEEN_DELAY;
	for (;;) {
		const char *k, *eq, *v;
		uint64_t u;
		int x;

		while (p < e && is_sep(*p))
			p++;
		if (p >= e)
			break;
		k = p;
		while (p < e && !is_sep(*p))
			p++;
		eq = memchr(k, '=', (size_t)(p - k));
		if (!eq)
			return "token without '='";
		v = eq + 1;
		switch (*k) {
		case 't':
			if (key_is(k, eq, "t")) {
				if (parse_dec_u64(v, p, &u))
					return "bad t=";
				s->time_ns = u;
				seen |= SEEN_T;
			} else if (key_is(k, eq, "type")) {
				x = ept_type_parse(v, p);
				if (x < 0)
					return "bad type=";
				s->xwr = (uint8_t)x;
				seen |= SEEN_TYPE;
			}
			break;
		case 'v':
			if (key_is(k, eq, "vcpu")) {
				if (parse_dec_u64(v, p, &u) || u > UINT32_MAX)
					return "bad vcpu=";
				s->vcpu = (uint32_t)u;
				seen |= SEEN_VCPU;
			}
			break;
		case 'g':
			if (key_is(k, eq, "gfn")) {
				if (p - v < 3 || v[0] != '0' || v[1] != 'x' ||
				    parse_hex_u64(v + 2, p, &u))
					return "bad gfn=";
				s->gfn = u;
				seen |= SEEN_GFN;
			}
			break;
		case 'l':
			if (key_is(k, eq, "level")) {
				if (parse_dec_u64(v, p, &u) || u > 255)
					return "bad level=";
				s->level = (uint8_t)u;
				seen |= SEEN_LEVEL;
			}
			break;
		case 'a':
			if (key_is(k, eq, "abit") &&
			    parse_flag(v, p, &s->flags, KVM_EPT_SAMPLE_F_ABIT))
				return "bad abit=";
			break;
		case 'e':
			if (key_is(k, eq, "expired") &&
			    parse_flag(v, p, &s->flags, KVM_EPT_SAMPLE_F_EXPIRED))
				return "bad expired=";
			break;
		case 'r':
			if (key_is(k, eq, "revisit") &&
			    parse_flag(v, p, &s->flags, KVM_EPT_SAMPLE_F_REVISIT))
				return "bad revisit=";
			break;
		case 'd':
			if (key_is(k, eq, "delay")) {
				if (parse_dec_u64(v, p, &u))
					return "bad delay=";
				s->delay_ns = u;
				seen |= SEEN_DELAY;
			}
			break;
		}
	}
	if ((seen & need) != need) {
		unsigned miss = need & ~seen;

		return miss & SEEN_T ? "no t=" : miss & SEEN_VCPU ? "no vcpu=" :
		       miss & SEEN_GFN ? "no gfn=" : miss & SEEN_TYPE ?
		       "no type=" : miss & SEEN_LEVEL ? "no level=" :
		       "no delay=";
	}
	return NULL;
}

/* Append the literal S (a string constant) at p. */
#define PUT(p, s)	(memcpy((p), (s), sizeof(s) - 1), (p) += sizeof(s) - 1)

/*
 * The line printf's "t=%llu vcpu=%u gfn=0x%llx type=%s level=%u
 * delay=%llu[ revisit=1][ abit=1][ expired=1]\n" would write, built by
 * hand: eptsample writes a line per record, 70000 a second from an
 * accessed-bit session, and snprintf with an fwrite per line cost the
 * guest 30 to 40 points of its throughput in the lab (docs/kmod.md,
 * "The reader").
 */
size_t ept_text_format(char *buf, const struct kvm_ept_sample_v2 *s)
{
	char *p = buf;

	PUT(p, "t=");
	p = fmt_dec_u64(p, s->time_ns);
	PUT(p, " vcpu=");
	p = fmt_dec_u64(p, s->vcpu);
	PUT(p, " gfn=0x");
	p = fmt_hex_u64(p, s->gfn);
	PUT(p, " type=");
	ept_type_str(p, s->xwr);
	p += 3;
	PUT(p, " level=");
	p = fmt_dec_u64(p, s->level);
	PUT(p, " delay=");
	p = fmt_dec_u64(p, s->delay_ns);
	if (s->flags & KVM_EPT_SAMPLE_F_REVISIT)
		PUT(p, " revisit=1");
	if (s->flags & KVM_EPT_SAMPLE_F_ABIT)
		PUT(p, " abit=1");
	if (s->flags & KVM_EPT_SAMPLE_F_EXPIRED)
		PUT(p, " expired=1");
	*p++ = '\n';
	*p = 0;
	return (size_t)(p - buf);
}

void ept_bin_header_init(struct eptscope_log_header *h, uint64_t pid,
			 uint64_t start_ns, uint32_t rate, uint32_t xwr)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, EPTSCOPE_LOG_MAGIC, sizeof(h->magic));
	h->version = htole32(EPTSCOPE_LOG_VERSION);
	h->record_size = htole32(sizeof(struct kvm_ept_sample_v2));
	h->pid = htole64(pid);
	h->start_ns = htole64(start_ns);
	h->rate = htole32(rate);
	h->xwr = htole32(xwr);
}

int ept_bin_is_log(const void *buf, size_t n)
{
	return n >= 8 && !memcmp(buf, EPTSCOPE_LOG_MAGIC, 8);
}

const char *ept_bin_header_check(const void *buf, size_t n,
				 struct eptscope_log_header *h)
{
	if (n < sizeof(*h))
		return "truncated header";
	memcpy(h, buf, sizeof(*h));
	if (memcmp(h->magic, EPTSCOPE_LOG_MAGIC, 8))
		return "bad magic";
	h->version = le32toh(h->version);
	h->record_size = le32toh(h->record_size);
	h->pid = le64toh(h->pid);
	h->start_ns = le64toh(h->start_ns);
	h->rate = le32toh(h->rate);
	h->xwr = le32toh(h->xwr);
	if (h->version != EPTSCOPE_LOG_VERSION)
		return "unsupported version";
	/* Larger records may carry new trailing fields: read the prefix. */
	if (h->record_size < sizeof(struct kvm_ept_sample_v2) ||
	    h->record_size > 4096)
		return "bad record size";
	return NULL;
}

void ept_bin_encode(void *rec, const struct kvm_ept_sample_v2 *s)
{
	struct kvm_ept_sample_v2 le = *s;

	le.gfn = htole64(s->gfn);
	le.time_ns = htole64(s->time_ns);
	le.delay_ns = htole64(s->delay_ns);
	le.vcpu = htole32(s->vcpu);
	le.flags = htole16(s->flags);
	memcpy(rec, &le, sizeof(le));
}

/* Canonical names first (text key = name), then the struct's names. */
static const struct { const char *name; enum ept_field f; int alias; }
ept_fields[] = {
	{ "t", EPT_F_T, 0 }, { "vcpu", EPT_F_VCPU, 0 },
	{ "gfn", EPT_F_GFN, 0 }, { "type", EPT_F_TYPE, 0 },
	{ "level", EPT_F_LEVEL, 0 }, { "delay", EPT_F_DELAY, 0 },
	{ "flags", EPT_F_FLAGS, 0 }, { "expired", EPT_F_EXPIRED, 0 },
	{ "revisit", EPT_F_REVISIT, 0 }, { "abit", EPT_F_ABIT, 0 },
	{ "time_ns", EPT_F_T, 1 }, { "delay_ns", EPT_F_DELAY, 1 },
	{ "xwr", EPT_F_TYPE, 1 },
};

enum ept_field ept_field_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(ept_fields); i++)
		if (!strcmp(name, ept_fields[i].name))
			return ept_fields[i].f;
	return EPT_F_NONE;
}

const char *ept_field_list(void)
{
	static char buf[256];
	size_t n = 0;
	int alias = 0;

	if (buf[0])
		return buf;
	for (size_t i = 0; i < ARRAY_SIZE(ept_fields); i++) {
		const char *sep = !i ? "" : ept_fields[i].alias && !alias ?
				  " (also " : ", ";

		alias |= ept_fields[i].alias;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", sep,
				      ept_fields[i].name);
	}
	snprintf(buf + n, sizeof(buf) - n, "%s", alias ? ")" : "");
	return buf;
}

const char *ept_field_text_key(enum ept_field f)
{
	/* The first six canonical names are the text log's own keys. */
	if (f < EPT_F_T || f > EPT_F_DELAY)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(ept_fields); i++)
		if (ept_fields[i].f == f)
			return ept_fields[i].name;
	return NULL;
}
