// SPDX-License-Identifier: GPL-2.0
/*
 * reasons.c - the exit reasons that kvm_exit and kvm_userspace_exit carry,
 * as kvm_stat names them: SVM's or VMX's exit codes (chosen by the CPU's
 * flags, as kvm_stat's ARCH does) and KVM_EXIT_*. The tables are
 * generated from the uapi headers by gen-exit-reasons.
 */
#include <stdio.h>
#include <string.h>

#include "../analysis/lib/common.h"
#include "kvmstat.h"

#include "exit_reasons.h"

static int cpu_has_flag(const char *flag)
{
	char line[4096], *p, *save;
	FILE *f = fopen("/proc/cpuinfo", "re");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5))
			for (p = strtok_r(line, " \t\n", &save); p && !found;
			     p = strtok_r(NULL, " \t\n", &save))
				found = !strcmp(p, flag);
	fclose(f);
	return found;
}

struct exit_reasons exit_reasons_of(const char *event)
{
	static int isa = -1;	/* 0 none, 1 SVM, 2 VMX */

	if (!strcmp(event, "kvm_userspace_exit"))
		return (struct exit_reasons){ "reason", user_exit_reasons,
					      ARRAY_SIZE(user_exit_reasons) };
	if (strcmp(event, "kvm_exit"))
		return (struct exit_reasons){ NULL, NULL, 0 };
	if (isa < 0)
		isa = cpu_has_flag("svm") ? 1 : cpu_has_flag("vmx") ? 2 : 0;
	if (isa == 1)
		return (struct exit_reasons){ "exit_reason", svm_exit_reasons,
					      ARRAY_SIZE(svm_exit_reasons) };
	if (isa == 2)
		return (struct exit_reasons){ "exit_reason", vmx_exit_reasons,
					      ARRAY_SIZE(vmx_exit_reasons) };
	return (struct exit_reasons){ NULL, NULL, 0 };
}

const char *exit_reason_name(const struct exit_reasons *r, unsigned long code)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->reason[i].code == code)
			return r->reason[i].name;
	return NULL;
}
