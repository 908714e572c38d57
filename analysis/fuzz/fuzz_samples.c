/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_samples.c - libFuzzer target for the sample log readers
 * (lib/samples.c, lib/eptlog.c): binary header and records, text and
 * SystemTap sample lines; the first byte picks strict mode. Every
 * parsed sample is formatted and re-parsed: it must round-trip, and the
 * hand-built line must be the one printf writes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/samples.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct samples ss;
	struct kvm_ept_sample_v2 s, back;
	const char *why;
	char line[EPT_TEXT_MAX], want[EPT_TEXT_MAX], type[4];

	if (!size)
		return 0;
	if (samples_open_mem(&ss, data + 1, size - 1,
			     data[0] & 1 ? EPT_TEXT_STRICT : 0, &why))
		return 0;
	while (samples_next(&ss, &s)) {
		size_t n = ept_text_format(line, &s);

		if (n >= EPT_TEXT_MAX || line[n - 1] != '\n')
			abort();
		ept_type_str(type, s.xwr);
		snprintf(want, sizeof(want), "t=%" PRIu64 " vcpu=%u gfn=0x%" PRIx64
			 " type=%s level=%u delay=%" PRIu64 "%s%s%s\n",
			 (uint64_t)s.time_ns, (unsigned)s.vcpu, (uint64_t)s.gfn, type,
			 (unsigned)s.level, (uint64_t)s.delay_ns,
			 s.flags & KVM_EPT_SAMPLE_F_REVISIT ? " revisit=1" : "",
			 s.flags & KVM_EPT_SAMPLE_F_ABIT ? " abit=1" : "",
			 s.flags & KVM_EPT_SAMPLE_F_EXPIRED ? " expired=1" : "");
		if (strlen(want) != n || memcmp(want, line, n))
			abort();
		if (ept_text_parse(line, line + n - 1, &back, EPT_TEXT_STRICT))
			abort();
		if (back.gfn != s.gfn || back.time_ns != s.time_ns ||
		    back.vcpu != s.vcpu || back.xwr != s.xwr ||
		    back.level != s.level || back.delay_ns != s.delay_ns ||
		    ((back.flags ^ s.flags) & (KVM_EPT_SAMPLE_F_REVISIT |
			KVM_EPT_SAMPLE_F_ABIT | KVM_EPT_SAMPLE_F_EXPIRED)))
			abort();
	}
	samples_close(&ss);
	return 0;
}
