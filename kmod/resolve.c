// SPDX-License-Identifier: GPL-2.0
/*
 * resolve.c - find the kernel symbols kvm_ept_sample needs but the kernel
 * does not export, and check them before the module relies on them.
 *
 * kallsyms_lookup_name itself is not exported since 5.7; a kprobe on it
 * yields its address. The symbols (Kbuild says which a kernel needs):
 *   kvm_zap_gfn_range   function, 6.1 only (6.12 exports it)
 *   ptrace_may_access   function
 *   kvm_age_gfn         function (KVM's clear_young handler)
 *   kvm_test_age_gfn    function (KVM's test_young handler)
 *   tdp_enabled         data (bool)
 * A function the module calls through a pointer must begin with an ENDBR
 * instruction when the CPU enforces indirect-branch tracking (IBT): the
 * kernel seals the entry of functions whose address it never takes, and
 * an indirect call there faults. The module then refuses to load, and
 * says which symbol and why. A missing symbol fails the load the same way.
 */
#include <linux/kallsyms.h>
#include <linux/kprobes.h>

#include "ept.h"

struct ept_syms ept_syms;

typedef unsigned long (*kallsyms_lookup_name_t)(const char *name);

/* An indirect call to entry will not fault under IBT. */
static bool ept_entry_callable(const void *entry)
{
#ifdef CONFIG_X86_KERNEL_IBT
	if (ept_ibt_enforced())
		return *(const u32 *)entry == gen_endbr();
#endif
	return true;
}

/*
 * The entry of kallsyms_lookup_name. With IBT configured, a kprobe on a
 * function that starts with an ENDBR (or a sealed one) sits after it.
 */
static void *ept_kallsyms_entry(int *err)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	u8 *addr;

	*err = register_kprobe(&kp);
	if (*err < 0)
		return NULL;
	addr = (u8 *)kp.addr;
	unregister_kprobe(&kp);
	if (IS_ENABLED(CONFIG_X86_KERNEL_IBT) &&
	    is_endbr(*(u32 *)(addr - ENDBR_INSN_SIZE)))
		addr -= ENDBR_INSN_SIZE;
	return addr;
}

static void *ept_lookup(kallsyms_lookup_name_t lookup, const char *name,
			bool function, int *err)
{
	void *addr = (void *)lookup(name);

	if (!addr) {
		pr_err("kvm_ept_sample: cannot find symbol %s\n", name);
		*err = -ENOENT;
	} else if (function && !ept_entry_callable(addr)) {
		pr_err("kvm_ept_sample: %s has no ENDBR and this CPU enforces IBT: cannot call it (boot with ibt=off to use the module)\n",
		       name);
		*err = -ENOEXEC;
		addr = NULL;
	}
	return addr;
}

int ept_resolve_symbols(void)
{
	kallsyms_lookup_name_t lookup;
	void *entry;
	int err = 0;

	entry = ept_kallsyms_entry(&err);
	if (!entry) {
		pr_err("kvm_ept_sample: cannot place a kprobe on kallsyms_lookup_name to find it (error %d; are kprobes enabled?)\n",
		       err);
		return err ?: -ENOENT;
	}
	if (!ept_entry_callable(entry)) {
		pr_err("kvm_ept_sample: kallsyms_lookup_name has no ENDBR and this CPU enforces IBT: cannot call it (boot with ibt=off to use the module)\n");
		return -ENOEXEC;
	}
	lookup = entry;
#ifdef EPT_ZAP_EXPORTED
	ept_syms.zap_gfn_range = kvm_zap_gfn_range;
#else
	ept_syms.zap_gfn_range = ept_lookup(lookup, "kvm_zap_gfn_range", true, &err);
#endif
	ept_syms.ptrace_may_access = ept_lookup(lookup, "ptrace_may_access", true, &err);
	ept_syms.age_gfn = ept_lookup(lookup, "kvm_age_gfn", true, &err);
	ept_syms.test_age_gfn = ept_lookup(lookup, "kvm_test_age_gfn", true, &err);
	ept_syms.tdp_enabled = ept_lookup(lookup, "tdp_enabled", false, &err);
	return err;
}
