// SPDX-License-Identifier: GPL-2.0
/*
 * vendor.c - the one place where Intel and AMD differ for kvm_ept_sample:
 * what the kvm_page_fault tracepoint's error code means, and which VMs a
 * vendor's fault path lets the module tell apart safely.
 *
 * AMD (SVM, NPT): npf_interception traces EXITINFO1, which has the #PF
 *   error-code layout (PFERR_*): bit 0 the entry was present, bit 1
 *   write, bit 3 reserved bits set (an MMIO SPTE, not memory), bit 4
 *   fetch; bit 32 or 33 is always set for a nested page fault (the fault
 *   was on the final guest physical address, or on a guest page-table
 *   access). A #PF intercept (kvm_handle_page_fault, which traces the same
 *   tracepoint with a guest virtual address) has only 32 bits, so those
 *   two bits tell the two apart.
 * Intel (VMX, EPT): handle_ept_violation traces the exit qualification:
 *   bit 0 read, bit 1 write, bit 2 instruction fetch, bits 3-5 what the
 *   entry allowed (all clear: not present). MMIO takes the EPT
 *   misconfiguration exit, which does not reach this tracepoint. Nothing
 *   in the qualification tells it from a #PF intercept, and with EPT on,
 *   KVM intercepts #PF only when allow_smaller_maxphyaddr is set: INIT
 *   then refuses (EOPNOTSUPP).
 * Only the AMD path can run in the lab (QEMU emulates SVM, not VMX).
 */
#include <asm/processor.h>
#include <asm/vmx.h>

#include "ept.h"

/* kvm.ko's parameter (x86.c), exported for kvm_intel. */
extern bool allow_smaller_maxphyaddr;

static bool ept_vendor_vmx;

int ept_vendor_init(void)
{
	switch (boot_cpu_data.x86_vendor) {
	case X86_VENDOR_AMD:
	case X86_VENDOR_HYGON:
		ept_vendor_vmx = false;
		return 0;
	case X86_VENDOR_INTEL:
	case X86_VENDOR_CENTAUR:
	case X86_VENDOR_ZHAOXIN:
		ept_vendor_vmx = true;
		return 0;
	}
	pr_err("kvm_ept_sample: unknown CPU vendor %u\n", boot_cpu_data.x86_vendor);
	return -ENODEV;
}

const char *ept_vendor_name(void)
{
	return ept_vendor_vmx ? "vmx/ept" : "svm/npt";
}

/* INIT: 0 if the module can tell this VM's TDP faults apart. */
int ept_vendor_check_vm(struct kvm *kvm)
{
	if (ept_vendor_vmx && READ_ONCE(allow_smaller_maxphyaddr))
		return -EOPNOTSUPP;
	return 0;
}

/*
 * Decode a tracepoint error code. EPT_FAULT_MISSING, with the access type
 * in *xwr, when it is a TDP fault on memory whose second-level entry was
 * not present, as an armed frame's is; EPT_FAULT_OTHER for a permission
 * fault on a present entry (dirty logging's write protection, say), an
 * MMIO access or a #PF intercept.
 */
enum ept_fault ept_vendor_decode(u64 code, u8 *xwr)
{
	if (ept_vendor_vmx) {
		if (code & EPT_VIOLATION_RWX_MASK)
			return EPT_FAULT_OTHER;
		if (code & EPT_VIOLATION_ACC_INSTR)
			*xwr = KVM_EPT_SAMPLE_X;
		else if (code & EPT_VIOLATION_ACC_WRITE)
			*xwr = KVM_EPT_SAMPLE_W;
		else
			*xwr = KVM_EPT_SAMPLE_R;
		return EPT_FAULT_MISSING;
	}
	if (!(code & (PFERR_GUEST_FINAL_MASK | PFERR_GUEST_PAGE_MASK)) ||
	    (code & (PFERR_PRESENT_MASK | PFERR_RSVD_MASK)))
		return EPT_FAULT_OTHER;
	if (code & PFERR_FETCH_MASK)
		*xwr = KVM_EPT_SAMPLE_X;
	else if (code & PFERR_WRITE_MASK)
		*xwr = KVM_EPT_SAMPLE_W;
	else
		*xwr = KVM_EPT_SAMPLE_R;
	return EPT_FAULT_MISSING;
}
