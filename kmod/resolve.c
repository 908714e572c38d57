// SPDX-License-Identifier: GPL-2.0
/*
 * resolve.c - find the kernel symbols kvm_ept_sample needs but the kernel
 * does not export. kallsyms_lookup_name itself is not exported since 5.7;
 * a kprobe on it yields its address. A missing symbol fails the module
 * load with a message that names it.
 */
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/tracepoint.h>

#include "ept.h"

struct ept_syms ept_syms;

typedef unsigned long (*kallsyms_lookup_name_t)(const char *name);

static kallsyms_lookup_name_t ept_find_kallsyms(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	kallsyms_lookup_name_t fn;

	if (register_kprobe(&kp) < 0)
		return NULL;
	fn = (kallsyms_lookup_name_t)kp.addr;
	unregister_kprobe(&kp);
	return fn;
}

int ept_resolve_symbols(void)
{
	static const char * const names[] = {
		"kvm_zap_gfn_range",
		"ptrace_may_access",
		"tdp_enabled",
		"__tracepoint_kvm_page_fault",
	};
	void *addr[ARRAY_SIZE(names)];
	kallsyms_lookup_name_t lookup;
	int i;

	lookup = ept_find_kallsyms();
	if (!lookup) {
		pr_err("kvm_ept_sample: cannot find symbol kallsyms_lookup_name\n");
		return -ENOENT;
	}
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		addr[i] = (void *)lookup(names[i]);
		if (!addr[i]) {
			pr_err("kvm_ept_sample: cannot find symbol %s\n", names[i]);
			return -ENOENT;
		}
	}
	ept_syms.zap_gfn_range = addr[0];
	ept_syms.ptrace_may_access = addr[1];
	ept_syms.tdp_enabled = addr[2];
	ept_syms.tp_page_fault = addr[3];
	return 0;
}
