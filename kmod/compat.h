/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - the few things that differ between the kernels
 * kvm_ept_sample.ko is built for (Linux 6.1.y and 6.12.y; Kbuild refuses
 * others). Each difference is tested by the feature, not the version.
 */
#ifndef EPT_COMPAT_H
#define EPT_COMPAT_H

#include <linux/kvm_host.h>
#include <asm/ibt.h>

/*
 * VM types the module refuses (INIT returns EOPNOTSUPP): since 6.8 a VM
 * has a type, and confidential ones (SEV, SEV-ES, SEV-SNP, TDX, and the
 * software-protected test type) have private or protected memory whose
 * second-level mappings a sampler must not zap behind the guest's back.
 * 6.1 has no types: SEV guests created there keep their memory pinned and
 * KVM zaps their NPT entries itself on every MMU-notifier event, which is
 * what arming does too.
 */
static inline bool ept_vm_type_refused(struct kvm *kvm)
{
#ifdef KVM_X86_DEFAULT_VM
	return kvm->arch.vm_type != KVM_X86_DEFAULT_VM ||
	       kvm_arch_has_private_mem(kvm);
#else
	return false;
#endif
}

/*
 * Aging a range as KVM's MMU notifiers do: 6.12's kvm_gfn_range says which
 * mappings (shared or private) a handler is for; 6.1's has no such field.
 */
static inline void ept_gfn_range_shared(struct kvm_gfn_range *range)
{
#ifdef EPT_GFN_RANGE_FILTER
	range->attr_filter = KVM_FILTER_SHARED;
#endif
}

/* Whether the CPU enforces indirect-branch tracking in the kernel now. */
static inline bool ept_ibt_enforced(void)
{
	return IS_ENABLED(CONFIG_X86_KERNEL_IBT) &&
	       cpu_feature_enabled(X86_FEATURE_IBT);
}

#endif /* EPT_COMPAT_H */
