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

enum exit_isa exit_isa(void)
{
	static int isa = -1;

	if (isa < 0)
		isa = cpu_has_flag("svm") ? EXIT_ISA_SVM :
		      cpu_has_flag("vmx") ? EXIT_ISA_VMX : EXIT_ISA_NONE;
	return (enum exit_isa)isa;
}

struct exit_reasons exit_reasons_of(const char *event)
{
	if (!strcmp(event, "kvm_userspace_exit"))
		return (struct exit_reasons){ "reason", user_exit_reasons,
					      ARRAY_SIZE(user_exit_reasons) };
	if (strcmp(event, "kvm_exit"))
		return (struct exit_reasons){ NULL, NULL, 0 };
	if (exit_isa() == EXIT_ISA_SVM)
		return (struct exit_reasons){ "exit_reason", svm_exit_reasons,
					      ARRAY_SIZE(svm_exit_reasons) };
	if (exit_isa() == EXIT_ISA_VMX)
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
